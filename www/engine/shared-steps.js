// The engine's training on helper workers: each step's streams split in two groups, computed by helper workers
// (engine/helper.js) from the weights they are sent (HelperLink), summed by the session in group order
// (Session.shareBegin / shareRunFirst / shareFinish), so the run is the one Session.train makes with as many groups,
// bit for bit. The engine's own worker answers requests while it waits.

import { Evt } from './protocol.js';
import { HelperLink } from './helper-link.js';
import { CHUNK_MS, errorMessage, isTrap } from './instance.js';

export class SharedSteps {
  /** @param {import('./engine.js').Engine} engine whose session, training loop and reports these steps share */
  constructor(engine) {
    this.engine = engine;
    /** @type {HelperLink[]} the helper workers the page gave (one or two) */
    this.helpers = [];
    /** Workers the steps run on now (1, or 2 with helpers). */
    this.workers = 1;
    /** @type {Promise<void>|null} a chunk of shared steps in progress */
    this.inflight = null;
  }

  /** A helper worker listens on `port` (client.js made the channel). */
  addHelper(port) {
    this.helpers.push(new HelperLink(port));
  }

  /** Whether the next chunk is shared with the helpers. */
  get active() {
    return this.workers > 1 && this.helpers.length > 0;
  }

  /** Start a chunk of shared steps; the engine's loop waits for it (`inflight`). */
  startChunk() {
    this.inflight = this.chunk();
  }

  /** A chunk of steps shared with the helpers; then the same bookkeeping as the engine's own chunks. */
  async chunk() {
    const e = this.engine;
    try {
      const n = await this.steps(e.stepLimit(), CHUNK_MS);
      if (e.running) e.afterChunk(n);
      e.progress.flush(false);
    } catch (err) {
      e.running = false;
      e.chain = e.chain.then(() => e.handleError('train', undefined, err));
    } finally {
      this.inflight = null;
      e.schedule();
    }
  }

  /**
   * Up to `n` steps shared with the helpers, as many as fit in about `ms` milliseconds; answers how many
   * ran, or null when training diverged (reported). A step made stale while waiting for the other half (a new
   * text, an edit, a pause) is dropped; a failed helper lets every helper go, and training goes on in this worker.
   */
  async steps(n, ms) {
    const e = this.engine;
    const t0 = performance.now();
    let done = 0;
    while (done < n && e.running) {
      const session = e.session;
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
        this.lose(errorMessage(err));
        break;
      }
      // A new model, text or weight edit, or a single step, dropped the step while it was computed elsewhere.
      if (e.session !== session || !session.shareInFlight()) break;
      let r;
      try {
        r = session.shareFinish(reply);
      } catch (err) {
        if (isTrap(err)) throw err;
        e.reportDiverged(err);
        return null;
      }
      e.record(r, performance.now() - s0);
      done++;
      if (performance.now() - t0 >= ms) break;
    }
    return done;
  }

  /** Split the steps between `n` workers (1, or 2 with a helper and a batch of two or more streams). */
  use(n) {
    const e = this.engine;
    const want = n > 1 && this.helpers.length ? 2 : 1;
    if (e.session.workers() !== want) e.session.setWorkers(want);
    this.workers = e.session.workers();
    if (this.workers > 1) {
      const bytes = e.own(e.session.modelBytes());
      // Each helper takes (is transferred) a copy of its own; the last one the original.
      this.helpers.forEach((h, i, all) => h.model(e.generation, i < all.length - 1 ? bytes.slice() : bytes));
    }
  }

  /** A helper failed or is gone: let every helper go, train on in this worker, and say so. */
  lose(why) {
    if (!this.helpers.length) return;
    for (const h of this.helpers) h.lose(why);
    this.helpers = [];
    const e = this.engine;
    if (e.session && this.workers > 1) {
      this.use(1);
      e.post({ type: Evt.STATUS, running: e.running, step: e.info.step, workers: 1, note: `${why}; training goes on in one worker` });
    }
  }

  /** Let every helper go for good (the engine is closed). */
  close(why) {
    for (const h of this.helpers) h.lose(why);
    this.helpers = [];
  }
}
