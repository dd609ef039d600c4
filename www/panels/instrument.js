// What the instrument panels share: which text they read (the text shown, or the held-out training text), one
// request in flight at a time (a newer ask waits for it and replaces older asks), a refresh when the model changes
// and, while it trains and the panel is on screen, now and then (never more than a tenth of the worker's time),
// and a status line saying which step and text the numbers are from, or why there are none.

import { Panel } from './panel.js';
import { ANALYSIS_CHARS } from '../scope-instruments.js';

/** Shortest wait between two automatic refreshes while training, ms. */
const REFRESH_MS = 3000;

/**
 * The markup of an instrument's header: a text-source choice (unless `fixedSource`) and a status line.
 * @param {string} id the panel's id prefix
 */
export function sourceControls(id) {
  return `
      <div class="row">
        <label for="${id}-source">Text
          <select id="${id}-source" data-testid="${id}-source">
            <option value="training">held-out training text (up to ${ANALYSIS_CHARS.toLocaleString('en')} characters)</option>
            <option value="shown">the text shown above</option>
          </select>
        </label>
        <button type="button" id="${id}-run" data-testid="${id}-run">Analyse now</button>
      </div>`;
}

/**
 * An instrument: subclasses set `static html` (with `sourceControls(id)` and an element `${id}-status`), `id`,
 * `auto` (refresh while training), and implement `request(text)` (the request, or null when there is nothing to
 * ask) and `show(report, text)`.
 */
export class InstrumentPanel extends Panel {
  static parts = [
    ['status', 'tick'],
    ['instruments', 'refresh'],
  ];

  /** Refresh by itself while the model trains. */
  get auto() {
    return true;
  }

  wire() {
    this.report = null;
    this.inFlight = false;
    this.queued = false;
    this.lastRun = 0;
    this.lastCost = 0;
    this.generation = -1;
    this.onScreen = false;
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) this.onScreen = e.isIntersecting;
      if (this.onScreen) this.tick();
    });
    this.observer.observe(this.el);
    const source = this.$(`${this.id}-source`);
    if (source) {
      source.addEventListener('change', () => this.run());
      if (this.options.source) source.value = this.options.source;
    }
    this.$(`${this.id}-run`)?.addEventListener('click', () => this.run());
  }

  destroy() {
    this.observer?.disconnect();
  }

  /** The text this instrument reads now. */
  text() {
    const source = this.$(`${this.id}-source`)?.value ?? 'shown';
    return this.scope.analysisText(source);
  }

  /** On every status change: run when the model changed, or when a refresh is due while training. */
  tick() {
    const s = this.scope;
    if (!s.model || !this.onScreen) return;
    if (s.modelGeneration !== this.generation) return this.run();
    const wait = Math.max(REFRESH_MS, 10 * this.lastCost);
    if (this.auto && s.running && performance.now() - this.lastRun > wait) this.run();
  }

  refresh() {
    this.tick();
  }

  /** Ask the engine now (or as soon as the request in flight is answered). */
  async run() {
    const s = this.scope;
    if (!s.model) return;
    if (this.inFlight) {
      this.queued = true;
      return;
    }
    const text = this.text();
    const request = this.request(text);
    this.generation = s.modelGeneration;
    if (!request) return;
    this.inFlight = true;
    const t0 = performance.now();
    this.setStatus('computing…', 'busy');
    try {
      const { report, step } = await s.analyse(request);
      if (this.generation === s.modelGeneration) {
        this.report = report;
        this.reportText = text;
        const chars = report.chars ?? Array.from(text).length;
        this.setStatus(`after step ${step.toLocaleString('en')}, on ${chars.toLocaleString('en')} characters`, 'ok');
        this.show(report, text);
      }
    } catch (err) {
      this.setStatus(String(err?.message ?? err), 'bad');
      this.failed(err);
    } finally {
      this.inFlight = false;
      this.lastRun = performance.now();
      this.lastCost = this.lastRun - t0;
      if (this.queued) {
        this.queued = false;
        this.run();
      }
    }
  }

  /** The status line (`kind`: 'ok', 'busy', 'bad'); text only, never markup. */
  setStatus(text, kind) {
    const el = this.$(`${this.id}-status`);
    if (!el) return;
    el.textContent = text;
    el.dataset.kind = kind;
    el.classList.toggle('bad', kind === 'bad');
  }

  /** Called when a request failed (the status line already says why). */
  failed() {}
}
