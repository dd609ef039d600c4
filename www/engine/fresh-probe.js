// The engine's half of double-buffered probing (src/wasm/probing.rs). A keystroke's probe (`Cmd.PROBE` without
// `reset`) is answered at once from the probe the diagram shows. A probe with `reset` (the weights moved on) is
// built beside it from a snapshot of the weights, a slice of characters per turn of the engine's loop, each slice
// about SLICE_MS long, so a keystroke waits at most one slice; it follows the text as keystrokes change it, and
// once it reaches the end of the text it replaces the probe shown and is answered, from position 0, with the text
// it reached. A reset probe that arrives before the last one is answered replaces it (only the newest is answered).

import { Cmd, ErrorKind, Evt } from './protocol.js';
import { errorMessage, isTrap } from './instance.js';

/** About how long one slice of a fresh probe computes, ms. */
const SLICE_MS = 8;

export class FreshProbe {
  /** @param {import('./engine.js').Engine} engine */
  constructor(engine) {
    this.engine = engine;
    /** The fresh probe on its way: `{id, text, ms, step}` (`ms`: computing time so far; `step`: its weights'), or null. */
    this.job = null;
    /** Characters per slice, adapted to what the last slice took. */
    this.per = 16;
  }

  /** A reset probe of `msg.text`: snapshot the weights now; answered when it has reached the end of the text. */
  begin(msg) {
    this.engine.session.probeFreshBegin();
    this.job = { id: msg.id, text: msg.text, ms: 0, step: this.engine.info?.step ?? 0 };
    this.engine.schedule();
  }

  /** The diagram's text is now `text` (a keystroke's probe was answered): the fresh probe heads there instead. */
  follow(text) {
    if (this.job) this.job.text = text;
  }

  /** Forget the probe on its way (a new model, a rebuilt instance): it is not answered. */
  drop() {
    this.job = null;
  }

  /** One slice, from the engine's loop; swaps the probe in and answers once it reaches the end of the text. */
  slice() {
    const job = this.job;
    const session = this.engine.session;
    const t0 = performance.now();
    try {
      const done = session.probeFreshAdvance(job.text, this.per);
      const dt = performance.now() - t0;
      this.per = Math.max(1, Math.min(4096, Math.round((this.per * SLICE_MS) / Math.max(dt, 0.05))));
      job.ms += dt;
      if (!done) return;
      const p = session.probeFreshSwap();
      this.job = null;
      this.engine.postProbe(job.id, p, job.text, job.ms + (performance.now() - t0 - dt), job.step);
    } catch (err) {
      if (isTrap(err)) throw err;
      this.job = null;
      this.engine.post({ type: Evt.ERROR, id: job.id, op: Cmd.PROBE, kind: ErrorKind.REFUSED, message: errorMessage(err) });
    }
  }
}
