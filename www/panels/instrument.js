// What the instrument panels share: which text they read (the text shown, or the held-out training text), one
// request in flight at a time (a newer ask waits for it and replaces older asks), a refresh when the model changes
// and, while it trains and the panel is on screen, now and then (never more than a tenth of the worker's time),
// and a status line saying which step and text the numbers are from, or why there are none.

import { Panel, Work } from './panel.js';
import { ANALYSIS_CHARS } from '../scope/instruments.js';
import { Parts } from '../scope/parts.js';

/** Fewest characters of the training text an instrument reads, however big the model. */
const MIN_CHARS = 500;
/** Parameters of a model for which the whole ANALYSIS_CHARS are read at first (fewer for bigger models). */
const FULL_TEXT_PARAMS = 300_000;
/** An analysis that took longer than this (ms) reads half as much next time; one under a quarter of it, twice. */
const TARGET_MS = 800;

/** Most characters an instrument colours (each is an element; more would make one frame too long to draw). */
export const SHOWN_CHARS = 1500;

/** Characters a coloured text gains per drawing stage. */
const CHARS_PER_STAGE = 250;

/**
 * The stages that draw `chars` coloured by `values` into `view` (a ColoredText): all at once when its characters
 * are already there (only colours change), otherwise CHARS_PER_STAGE more characters a stage.
 * @param {import('../views/textcolor.js').ColoredText} view
 */
export function colourStages(view, chars, values, opts) {
  const built = view.items.length >= chars.length && view.items.every((it, t) => t >= chars.length || it.ch === chars[t]);
  if (built || chars.length <= CHARS_PER_STAGE) return [() => view.render(chars, values, opts)];
  const stages = [];
  for (let n = CHARS_PER_STAGE; n < chars.length + CHARS_PER_STAGE; n += CHARS_PER_STAGE) {
    const k = Math.min(n, chars.length);
    stages.push(() => view.render(chars.slice(0, k), values.subarray(0, k), opts));
  }
  return stages;
}

/** A report's drawing stages run until this much of a frame is used, ms … */
const STAGE_BUDGET_MS = 6;
/** … and never more than this many in one frame. */
const STAGES_PER_FRAME = 2;

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
            <option value="training">held-out training text (up to ${ANALYSIS_CHARS.toLocaleString('en')} characters, fewer for big models)</option>
            <option value="shown">the text shown above</option>
          </select>
        </label>
        <button type="button" id="${id}-run" data-testid="${id}-run">Analyse now</button>
      </div>`;
}

/**
 * An instrument: subclasses set `static html` (with `sourceControls(id)` and an element `${id}-status`), `id`,
 * `auto` (refresh while training), and implement `request(text)` (the request, or null when there is nothing to
 * ask) and `show(report, text)`, which draws the report or returns the stages that will (see drawReport).
 */
export class InstrumentPanel extends Panel {
  static work = { [Work.REPORT_STAGES]: STAGES_PER_FRAME };

  static parts = [
    [Parts.STATUS, 'tick'],
    [Parts.INSTRUMENTS, 'refresh'],
    [Parts.REPORT, 'drawReport'],
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

  /**
   * The text this instrument reads now. Of the training text it reads as much as takes about TARGET_MS in the
   * worker, where the model's other requests wait behind it: at first a share that shrinks with the model's size,
   * then halved or doubled after each run that took too long or little (between MIN_CHARS and ANALYSIS_CHARS).
   */
  text() {
    const source = this.$(`${this.id}-source`)?.value ?? 'shown';
    const params = this.scope.model?.info.params ?? 0;
    if (this.budgetFor !== this.scope.modelGeneration) {
      this.budgetFor = this.scope.modelGeneration;
      this.budget = Math.round(Math.max(MIN_CHARS, Math.min(ANALYSIS_CHARS, (ANALYSIS_CHARS * FULL_TEXT_PARAMS) / Math.max(1, params))));
    }
    return this.scope.instruments.text(source, this.budget);
  }

  /** After a run of `ms` on the training text: read less next time if it was slow, more if it was quick. */
  adjustBudget(ms) {
    if (ms > TARGET_MS) this.budget = Math.max(MIN_CHARS, Math.floor(this.budget / 2));
    else if (ms < TARGET_MS / 4) this.budget = Math.min(ANALYSIS_CHARS, this.budget * 2);
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
      const { report, step } = await s.instruments.analyse(request);
      if (this.generation === s.modelGeneration) {
        // Drawn in the next frame, by the frame loop, like everything else the element draws.
        this.pendingReport = { report, text, step };
        this.dirty(Parts.REPORT);
      }
    } catch (err) {
      this.setStatus(String(err?.message ?? err), 'bad');
      this.failed(err);
    } finally {
      this.inFlight = false;
      this.lastRun = performance.now();
      this.lastCost = this.lastRun - t0;
      if (this.$(`${this.id}-source`)?.value === 'training') this.adjustBudget(this.lastCost);
      if (this.queued) {
        this.queued = false;
        this.run();
      }
    }
  }

  /**
   * Draw the report that came last, if it is not drawn yet. `show()` may return stages (functions) instead of
   * drawing everything at once: they run a few per frame, so no frame is long however big the report.
   */
  drawReport() {
    const p = this.pendingReport;
    const t0 = performance.now();
    let ran = 0;
    if (p) {
      this.pendingReport = null;
      this.report = p.report;
      this.reportText = p.text;
      const chars = p.report.chars ?? Array.from(p.text).length;
      this.setStatus(`after step ${p.step.toLocaleString('en')}, on ${chars.toLocaleString('en')} characters`, 'ok');
      // A report drawn at once is one stage; one drawn in stages starts in the loop below.
      const staged = this.show(p.report, p.text);
      this.stages = staged ?? [];
      if (!staged) ran = 1;
    }
    while (this.stages?.length && ran < STAGES_PER_FRAME) {
      this.stages.shift()();
      ran++;
      if (performance.now() - t0 > STAGE_BUDGET_MS) break;
    }
    this.spend(Work.REPORT_STAGES, ran);
    const ms = performance.now() - t0;
    if (ms > 6 && Array.isArray(window.__renderTimes)) window.__renderTimes.push({ part: `${this.id} report`, ms, at: t0 });
    return !this.stages?.length; // false: the frame loop comes back next frame
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
