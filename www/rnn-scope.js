// <rnn-scope>: a character RNN, LSTM or GRU that trains in the page and shows what it computes, as one element a
// course author drops into their notes. Attributes for the simple things (reflected to properties, reacting to
// changes), methods for the rest, prefixed CustomEvents out. Each element has its own controller (scope.js) and its
// own shadow root; the page's elements share only the compiled core and the training slots (client.js).
//
//   <script type="module" src="rnnscope/rnn-scope.js"></script>
//   <rnn-scope view="figure" corpus="hello" cell="rnn" hidden-size="3"></rnn-scope>
//
// The README's "The element" section is the reference: attributes, properties, methods, events, parts, custom
// properties.

import * as S from './scope/state.js';
import { Scope } from './scope/scope.js';
import { ALL_PARTS, Parts } from './scope/parts.js';
import { liveEngines, trainingSlots } from './engine/client.js';
import { analysisWorkers } from './scope/analysis-pool.js';
import { carried } from './engine/carried.js';
import { FrameLoop } from './element/frames.js';
import { elementHooks } from './element/hooks.js';
import { bootWhenNear, linksLoaded, noteStyles } from './element/lazy.js';
import { PANELS, VIEWS, viewAndControls } from './element/layout.js';
import { OBSERVED_ATTRIBUTES, SETTING_ATTRS, attrOf, parseHeight, readSettings, reflectAttributes } from './element/attributes.js';
import { ModelPanel, TextPanel } from './panels/setup.js';

/** Settings an attribute changes in place (scope.set); the others build a new model. */
const LIVE_SETTINGS = new Set(['probe', 'lr', 'temperature', 'workers']);

/** The element's stylesheets, beside this file in the folder (the single file carries them instead). */
const STYLES = carried ? [] : [new URL('./views/views.css', import.meta.url).href, new URL('./rnn-scope.css', import.meta.url).href];
/** @type {CSSStyleSheet[]|null} the carried styles, made into stylesheets once per page */
let sheets = null;

function carriedSheets() {
  sheets ??= carried.styles.map((css) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    return sheet;
  });
  return sheets;
}
/** The events the element fires, each as `rnnscope-<name>` (CustomEvent, bubbling, composed). */
export const EVENTS = Object.freeze(['ready', 'progress', 'sample', 'error']);

export class RnnScopeElement extends HTMLElement {
  static get observedAttributes() {
    return [...OBSERVED_ATTRIBUTES];
  }

  /**
   * The page-wide base URL of the files elements read (model files, `text-src`, the shipped models), for elements
   * without a `base` attribute; null: the folder the code was loaded from (see scope/assets.js).
   * @type {string|null}
   */
  static base = null;

  /**
   * What the page's elements hold together now: engines (and how many are workers; `analysis` of them are the
   * shared analysis workers; `resting`: models whose worker stopped while they rest) and trainings.
   */
  static stats() {
    const slots = trainingSlots();
    return { ...liveEngines(), analysis: analysisWorkers(), training: slots.holders.size, waiting: slots.waiting.length, slots: slots.size, slotsUsed: slots.used() };
  }

  constructor() {
    super();
    this.shadow = this.attachShadow({ mode: 'open' });
    this.scope = null;
    this.panels = [];
    /** @type {FrameLoop|null} draws the panels */
    this.frames = null;
    this.problems = new Map(); // attribute → message
    this.pendingClose = false;
    /** @type {(() => void)|null} stops waiting to be scrolled near (element/lazy.js) */
    this.stopWatching = null;
    this.onChange = (e) => this.markDirty(...e.detail.parts);
    this.onVisibility = () => this.updateVisible();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Lifecycle

  connectedCallback() {
    if (this.pendingClose) {
      // Moved within the page: keep the model.
      this.pendingClose = false;
      return;
    }
    if (this.shadow.childElementCount === 0) this.renderShell();
    this.applyHeight();
    this.warnHidden();
    if (this.scope) return;
    const lazy = (this.getAttribute('loading') ?? 'lazy') !== 'eager';
    if (!lazy) {
      this.boot();
      return;
    }
    this.stopWatching = bootWhenNear(this, () => {
      this.stopWatching = null;
      this.boot();
    });
  }

  disconnectedCallback() {
    // A move (disconnect then connect in the same task) keeps the model; a removal frees everything.
    this.pendingClose = true;
    queueMicrotask(() => {
      if (!this.pendingClose) return;
      this.pendingClose = false;
      this.teardown();
    });
  }

  attributeChangedCallback(name, old, value) {
    if (old === value) return;
    if (name === 'height') this.applyHeight();
    if (!this.scope) return;
    if (name === 'view' || name === 'controls') {
      this.readOptions();
      this.buildPanels();
      return;
    }
    if (name === 'model') {
      if (value) this.load(value).catch(() => {});
      return;
    }
    if (name === 'text-src') {
      if (value) this.scope.text.fromUrl(value);
      return;
    }
    if (name === 'autoplay') {
      if (this.autoplay) this.play();
      else this.pause();
      return;
    }
    const key = SETTING_ATTRS[name];
    if (!key) return;
    const settings = this.readSettings();
    // A value that is not allowed (or removed) is named in the element, and the default used.
    const v = settings[key] ?? S.prop(key).def;
    if (LIVE_SETTINGS.has(key)) {
      this.scope.set(key, v); // the workers from the next start
    } else if (key === 'corpus') {
      this.scope.text.useCorpus(v, { ...this.scope.st, ...settings });
    } else {
      // A setting of the model: a fresh model with it, once this task's attribute changes are all in.
      clearTimeout(this.rebuildTimer);
      this.rebuildTimer = setTimeout(() => this.scope?.rebuild({ ...this.scope.st, ...this.readSettings() }, { start: this.autoplay }), 0);
    }
  }

  /** The placeholder: the element's size and styles, before anything loads. */
  renderShell() {
    if (carried) {
      // The single file carries its styles: constructed stylesheets, one set for every element of the page.
      this.shadow.adoptedStyleSheets = carriedSheets();
    } else {
      const links = STYLES.map((href) => {
        const link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = href;
        return link;
      });
      this.shadow.append(...links);
      noteStyles(linksLoaded(links));
    }
    this.problemBox = document.createElement('div');
    this.problemBox.className = 'messages attr-problems';
    this.problemBox.dataset.testid = 'attribute-problems';
    this.problemBox.setAttribute('role', 'alert');
    this.body = document.createElement('div');
    this.body.className = 'body';
    this.body.setAttribute('part', 'body');
    const placeholder = document.createElement('div');
    placeholder.className = 'placeholder';
    placeholder.dataset.testid = 'placeholder';
    placeholder.textContent = 'rnnscope: the model loads when you scroll here.';
    this.body.append(placeholder);
    this.shadow.append(this.problemBox, this.body);
  }

  boot() {
    this.readOptions();
    const settings = this.readSettings();
    const urlState = this.hasAttribute('url-state');
    let state = settings;
    const problems = [];
    if (urlState) {
      const r = S.readState();
      state = { ...r.state };
      for (const [k, v] of Object.entries(settings)) if (!r.present.has(k) && this.hasAttribute(attrOf(k))) state[k] = v;
      problems.push(...r.problems);
    }
    const inline = this.textContent.trim() ? this.textContent : null;
    this.scope = new Scope({
      state,
      autosaveKey: this.getAttribute('autosave') || null,
      urlState,
      autoplay: this.autoplay,
      text: inline,
      model: this.getAttribute('model') || null,
      textSrc: this.getAttribute('text-src') || null,
      textGiven: this.hasAttribute('corpus') || this.hasAttribute('text-src') || Boolean(inline),
      base: () => this.getAttribute('base') ?? RnnScopeElement.base,
    });
    for (const p of problems) this.scope.say(p, 'warn', p);
    this.scope.addEventListener('change', this.onChange);
    for (const type of EVENTS) this.scope.addEventListener(type, (e) => this.fire(type, e.detail));
    this.buildPanels();
    this.visibleObserver = new IntersectionObserver((entries) => {
      this.onScreen = entries[entries.length - 1].isIntersecting;
      this.updateVisible();
    });
    this.visibleObserver.observe(this);
    document.addEventListener('visibilitychange', this.onVisibility);
    if (this.viewName === 'full') this.wireDrop();
  }

  teardown() {
    this.stopWatching?.();
    this.visibleObserver?.disconnect();
    this.frames?.stop();
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.unwireDrop?.();
    clearTimeout(this.rebuildTimer);
    for (const p of this.panels) p.destroy();
    this.panels = [];
    if (this.scope) {
      this.scope.removeEventListener('change', this.onChange);
      this.scope.close();
      this.scope = null;
    }
    this.shadow.replaceChildren();
  }

  updateVisible() {
    this.scope?.setVisible(this.onScreen !== false && document.visibilityState !== 'hidden');
  }

  fire(type, detail) {
    this.dispatchEvent(new CustomEvent(`rnnscope-${type}`, { detail, bubbles: true, composed: true }));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Attributes

  /** The view and controls, checked; a bad value is named in the element and the default used. */
  readOptions() {
    const { view, controls, problems } = viewAndControls(this.getAttribute('view'), this.getAttribute('controls'));
    this.setProblem('view', problems.view);
    this.setProblem('controls', problems.controls);
    this.viewName = view;
    this.controlSet = controls;
  }

  /** The settings the attributes give (state.js names); a bad value is named in the element and the default used. */
  readSettings() {
    const { settings, problems } = readSettings(this);
    for (const [attr, message] of problems) this.setProblem(attr, message);
    return settings;
  }

  setProblem(attr, message) {
    if (message) this.problems.set(attr, message);
    else this.problems.delete(attr);
    if (!this.problemBox) return;
    this.problemBox.replaceChildren(
      ...Array.from(this.problems, ([a, m]) => {
        const p = document.createElement('p');
        p.className = 'msg';
        p.dataset.kind = 'error';
        p.dataset.attribute = a;
        p.textContent = m;
        return p;
      }),
    );
  }

  /**
   * `hidden` is HTML's (the hidden size is `hidden-size`): an element written with the old `hidden="3"` is hidden by
   * the browser, so the console says why it does not show.
   */
  warnHidden() {
    const v = this.getAttribute('hidden');
    if (v !== null && /^\s*\d+\s*$/.test(v)) {
      console.warn(`<rnn-scope hidden="${v}"> is hidden: hidden is HTML's attribute for hiding an element. The hidden size is hidden-size="${v.trim()}".`);
    }
  }

  applyHeight() {
    if (!this.isConnected) return;
    const raw = this.getAttribute('height');
    const h = raw === null ? null : parseHeight(raw);
    this.setProblem('height', raw !== null && !h ? `height="${raw}" is not a size; use a number of pixels or a CSS length such as 30rem.` : null);
    if (h) this.style.setProperty('--rnnscope-height', h);
    else this.style.removeProperty('--rnnscope-height');
    this.toggleAttribute('data-fixed-height', Boolean(h));
  }

  get autoplay() {
    const a = this.getAttribute('autoplay');
    if (a === null) return !this.hasAttribute('model') && this.viewName !== 'compare';
    return a !== 'false' && a !== 'off';
  }

  // -------------------------------------------------------------------------------------------------------------
  // Panels and drawing

  buildPanels() {
    for (const p of this.panels) p.destroy();
    this.frames?.stop();
    this.body.replaceChildren();
    this.body.dataset.view = this.viewName;
    const grid = document.createElement('div');
    grid.className = this.viewName === 'full' ? 'grid' : 'stack';
    const opts = { controls: this.controlSet, view: this.viewName };
    this.panels = [];
    for (const name of VIEWS[this.viewName].panels) {
      const host = name === 'status' || name === 'messages' || name === 'restore' ? this.body : grid;
      if (host === grid && !grid.isConnected) this.body.append(grid);
      const panel = PANELS[name](this.scope, this.shadow, host, { ...opts, links: this.panelLinks() });
      this.panels.push(panel);
    }
    if (!grid.isConnected) this.body.append(grid);
    for (const p of this.panels) p.wire();
    // In the full page, a panel scrolled out of view is drawn when it comes back.
    this.frames = new FrameLoop(this.panels);
    this.markDirty(...ALL_PARTS);
  }

  /** Panels that act on each other (the text panel reads the model form; the keep panel opens files). */
  panelLinks() {
    const links = {};
    Object.defineProperty(links, 'modelForm', { get: () => this.panels.find((p) => p instanceof ModelPanel) });
    Object.defineProperty(links, 'textPanel', { get: () => this.panels.find((p) => p instanceof TextPanel) });
    return links;
  }

  markDirty(...parts) {
    this.frames?.mark(...parts);
  }

  wireDrop() {
    const over = (e) => {
      if (e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files')) {
        e.preventDefault();
        this.toggleAttribute('data-dragging', true);
      }
    };
    const leave = (e) => {
      if (e.relatedTarget === null) this.toggleAttribute('data-dragging', false);
    };
    const drop = (e) => {
      this.toggleAttribute('data-dragging', false);
      const f = e.dataTransfer?.files?.[0];
      if (!f) return;
      e.preventDefault();
      this.panels.find((p) => p instanceof TextPanel)?.openFile(f, { as: 'auto' });
    };
    document.addEventListener('dragover', over);
    document.addEventListener('dragleave', leave);
    document.addEventListener('drop', drop);
    const pagehide = () => this.scope?.autosave(true);
    window.addEventListener('pagehide', pagehide);
    this.unwireDrop = () => {
      document.removeEventListener('dragover', over);
      document.removeEventListener('dragleave', leave);
      document.removeEventListener('drop', drop);
      window.removeEventListener('pagehide', pagehide);
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Methods

  /** Resolves once the element has a model (booting it now if it waited to be scrolled to). */
  whenReady() {
    if (!this.scope) {
      this.stopWatching?.();
      this.stopWatching = null;
      if (!this.isConnected) return Promise.reject(new Error('the element is not in a page'));
      this.boot();
    }
    if (this.scope.model) return Promise.resolve(this.scope);
    return new Promise((resolve) => this.scope.addEventListener('ready', () => resolve(this.scope), { once: true }));
  }

  async play() {
    (await this.whenReady()).start();
  }

  async pause() {
    if (this.scope) this.scope.pause();
  }

  /** Train exactly `n` steps (1 to 10,000), then stay paused. */
  async step(n = 1) {
    const k = Number(n);
    if (!Number.isInteger(k) || k < 1 || k > 10_000) throw new RangeError(`step(n): n must be a whole number from 1 to 10,000, not ${String(n)}`);
    (await this.whenReady()).stepOnce(k);
  }

  async reset() {
    await (await this.whenReady()).buildModel({ start: this.scope.running || this.autoplay });
  }

  /** Replace the model by a `.safetensors` file: a URL (relative to the page) or its bytes. */
  async load(source) {
    if (!this.scope) await this.whenReady();
    await this.scope.files.load(source);
  }

  /**
   * Train on `text`: a model loaded without a text of its own keeps training on it (when it knows its characters),
   * otherwise a fresh model learns it. Resolves true when it does; false (with a message in the element) when the
   * text is refused.
   */
  async learn(text) {
    if (typeof text !== 'string') throw new TypeError('learn(text): text must be a string');
    return (await this.whenReady()).text.learn(text, 'the text given to learn()');
  }

  /** The activations of `text` (views/types.js ProbeData), and the diagram shows it. */
  async probe(text) {
    const r = S.validate('probe', String(text));
    if (!r.ok) throw new RangeError(`probe(text): the ${r.message}`);
    const scope = await this.whenReady();
    const t = r.value;
    scope.probe.replaced = true; // the text box shows it, even while it has the focus
    this.markDirty(Parts.CONTROLS);
    return scope.probe.fresh(t);
  }

  /** A sample: `{prime, length, temperature, topK, seed}` (each optional); resolves with the generated text. */
  async sample(options = {}) {
    const scope = await this.whenReady();
    const o = {};
    for (const [k, key] of [['prime', 'prime'], ['length', 'sampleLen'], ['temperature', 'temperature'], ['topK', 'topK']]) {
      if (options[k] === undefined) continue;
      const r = S.validate(key, options[k]);
      if (!r.ok) throw new RangeError(`sample(): ${r.message}`);
      o[k] = r.value;
    }
    if (options.seed !== undefined) o.seed = Number(options.seed) >>> 0;
    return scope.sample.start(o);
  }

  /**
   * Run one instrument on the model as it is now: `{kind: 'cells'|'saturation'|'errors'|'connectivity'|'ablation',
   * text, …}` (see the README's instruments section); resolves with its report, rejects with the reason.
   */
  async analyse(request) {
    if (!request || typeof request !== 'object') throw new TypeError('analyse(request): request must be an object such as {kind: "cells", text: "…"}');
    const { report } = await (await this.whenReady()).instruments.analyse({ ...request });
    return report;
  }

  /** Hold units while probing and sampling: `[{layer, tensor: 'h'|'c', unit, value}]` (value 0 ablates); `[]` releases. */
  async setClamps(clamps) {
    if (!Array.isArray(clamps)) throw new TypeError('setClamps(clamps): clamps must be an array such as [{layer: 0, tensor: "h", unit: 3, value: 0}]');
    await (await this.whenReady()).instruments.setClamps(clamps);
  }

  /** The model as `.safetensors` bytes (Uint8Array). */
  async exportModel() {
    const scope = await this.whenReady();
    return (await scope.getBytes()).bytes;
  }

  /** Read-only views of the state, for the browser tests and the curious (window.rnnscope on the full page). */
  get hooks() {
    return elementHooks(this);
  }
}

reflectAttributes(RnnScopeElement);

if (!customElements.get('rnn-scope')) customElements.define('rnn-scope', RnnScopeElement);
