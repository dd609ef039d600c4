// What the engine tells the page about training as it goes: the per-step losses gathered into one PROGRESS report
// at most every PROGRESS_MS, the validation loss now and then (on fewer characters when measuring it is slow), and
// a short sample every few seconds, so the page shows the model learning.

import { Evt } from './protocol.js';
import { CHUNK_MS } from './instance.js';
import { DEFAULT_TEMPERATURE } from '../core-numbers.js';

const PROGRESS_MS = 100; // at most one PROGRESS report per this period
const VALIDATION_MS = 1000; // measure validation loss about this often while training
const VALIDATION_CHARS = 4096;
const AUTOSAMPLE_MS = 2500; // take a short sample about this often while training
const AUTOSAMPLE_LEN = 160;

export class Progress {
  /** @param {(msg: object) => void} post delivers a report to the page */
  constructor(post) {
    this.post = post;
    /** Accumulated for the next report: `{losses: Float32Array[], chars, ms, last, valLoss?, valStep}`, or null. */
    this.pending = null;
    this.lastReportAt = 0;
    this.lastValidationAt = 0;
    this.lastAutosampleAt = 0;
    /** Characters the validation loss is measured on (halved while measuring takes longer than a chunk). */
    this.valChars = VALIDATION_CHARS;
  }

  /** A new model: nothing pending, and validation on the full share again. */
  newModel() {
    this.clear();
    this.valChars = VALIDATION_CHARS;
  }

  clear() {
    this.pending = { losses: [], chars: 0, ms: 0, last: null, valLoss: undefined, valStep: 0 };
  }

  /** Forget what is pending and report nothing until the next `clear` (the instance it came from is gone). */
  drop() {
    this.pending = null;
  }

  /** Training starts: the first sample and validation soon after. */
  started(now) {
    this.lastAutosampleAt = now - AUTOSAMPLE_MS + 600;
    this.lastValidationAt = now - VALIDATION_MS + 300;
  }

  /** Steps that ran: `r` as `Session.train` answers, its `losses` owned by the caller, in `ms` milliseconds. */
  record(r, losses, ms) {
    this.pending.losses.push(losses instanceof Float32Array ? losses : Float32Array.from(losses));
    this.pending.chars += r.chars;
    this.pending.ms += ms;
    this.pending.last = r;
  }

  validationDue(now) {
    return now - this.lastValidationAt > VALIDATION_MS;
  }

  /** Measure the validation loss of `session` at `step` for the next report. */
  measureValidation(session, step, now) {
    const t0 = performance.now();
    const v = session.validationLoss(this.valChars);
    const dt = performance.now() - t0;
    if (dt > CHUNK_MS && this.valChars > 256) this.valChars = Math.max(256, Math.floor(this.valChars / 2));
    this.lastValidationAt = now;
    this.pending.valLoss = v;
    this.pending.valStep = step;
  }

  autosampleDue(now) {
    return now - this.lastAutosampleAt > AUTOSAMPLE_MS;
  }

  /** A short sample of `session` after the first character of `text`, reported at once. */
  autosample(session, text, step, now) {
    this.lastAutosampleAt = now;
    const prime = text.length ? String.fromCodePoint(text.codePointAt(0)) : '';
    session.sampleBegin(prime, DEFAULT_TEMPERATURE, 0, BigInt(step >>> 0));
    const out = session.sampleNext(AUTOSAMPLE_LEN);
    this.post({ type: Evt.AUTOSAMPLE, step, prime, text: out });
  }

  /** Report what is pending: now (`force`), or when the last report is PROGRESS_MS old. */
  flush(force) {
    if (!this.pending || this.pending.losses.length === 0) return;
    const now = performance.now();
    if (!force && now - this.lastReportAt < PROGRESS_MS) return;
    this.lastReportAt = now;
    let total = 0;
    for (const a of this.pending.losses) total += a.length;
    const losses = new Float32Array(total);
    let off = 0;
    for (const a of this.pending.losses) {
      losses.set(a, off);
      off += a.length;
    }
    const r = this.pending.last;
    const msg = {
      type: Evt.PROGRESS,
      step: r.step,
      firstStep: r.step - total,
      losses,
      loss: r.loss,
      smoothLoss: r.smoothLoss,
      gradNorm: r.gradNorm,
      clipped: r.clipped,
      chars: this.pending.chars,
      charsPerSec: this.pending.ms > 0 ? (this.pending.chars * 1000) / this.pending.ms : 0,
      wrapped: r.wrapped,
    };
    if (this.pending.valLoss !== undefined) {
      msg.valLoss = this.pending.valLoss;
      msg.valStep = this.pending.valStep;
    }
    this.clear();
    this.post(msg);
  }
}
