// The Engine's training on helper workers (engine.js installs these methods on Engine.prototype): each step's
// streams split in two groups, computed by helper.js workers from the weights they are sent (HelperLink), summed by
// the session in group order (Session.shareBegin / shareRunFirst / shareFinish), so the run is the one
// Session.train makes with as many groups, bit for bit. The engine's own worker answers requests while it waits.

import { Evt } from './protocol.js';
import { CHUNK_MS, errorMessage, isTrap } from './engine.js';

/** @this {import('./engine.js').Engine} */
export class SharedTraining {
  /** A chunk of steps shared with the helpers; then the same bookkeeping as `trainChunk`. */
  async sharedChunk() {
    try {
      const n = await this.sharedSteps(this.stepLimit(), CHUNK_MS);
      if (this.running) this.afterChunk(n);
      this.flushProgress(false);
    } catch (err) {
      this.running = false;
      this.chain = this.chain.then(() => this.handleError('train', undefined, err));
    } finally {
      this.inflight = null;
      this.schedule();
    }
  }

  /**
   * Up to `n` steps shared with the helpers, as many as fit in about `ms` milliseconds; answers how many
   * ran, or null when training diverged (reported). A step made stale while waiting for the other half (a new
   * text, an edit, a pause) is dropped; a failed helper lets every helper go, and training goes on in this worker.
   */
  async sharedSteps(n, ms) {
    const t0 = performance.now();
    let done = 0;
    while (done < n && this.running) {
      const session = this.session;
      const s0 = performance.now();
      const begun = session.shareBegin();
      // Every part to a helper when there is one per part; else the first here, after sending the others.
      const here = this.helpers.length < begun.parts.length ? 1 : 0;
      const sent = begun.parts.slice(here).map((part, i, all) => this.helpers[i].run(i === all.length - 1 ? begun.params : begun.params.slice(), part));
      if (here) session.shareRunFirst();
      let reply;
      try {
        reply = await Promise.all(sent);
      } catch (err) {
        this.loseHelper(errorMessage(err));
        break;
      }
      // A new model, text or weight edit, or a single step, dropped the step while it was computed elsewhere.
      if (this.session !== session || !session.shareInFlight()) break;
      let r;
      try {
        r = session.shareFinish(reply);
      } catch (err) {
        if (isTrap(err)) throw err;
        this.reportDiverged(err);
        return null;
      }
      this.record(r, performance.now() - s0);
      done++;
      if (performance.now() - t0 >= ms) break;
    }
    return done;
  }

  /** Split the steps between `n` workers (1, or 2 with a helper and a batch of two or more streams). */
  useWorkers(n) {
    const want = n > 1 && this.helpers.length ? 2 : 1;
    if (this.session.workers() !== want) this.session.setWorkers(want);
    this.workers = this.session.workers();
    if (this.workers > 1) {
      const bytes = this.own(this.session.modelBytes());
      // Each helper takes (is transferred) a copy of its own; the last one the original.
      this.helpers.forEach((h, i, all) => h.model(this.generation, i < all.length - 1 ? bytes.slice() : bytes));
    }
  }

  /** A helper failed or is gone: let every helper go, train on in this worker, and say so. */
  loseHelper(why) {
    if (!this.helpers.length) return;
    for (const h of this.helpers) h.lose(why);
    this.helpers = [];
    if (this.session && this.workers > 1) {
      this.useWorkers(1);
      this.post({ type: Evt.STATUS, running: this.running, step: this.info.step, workers: 1, note: `${why}; training goes on in one worker` });
    }
  }
}
