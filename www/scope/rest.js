// A scope's model at rest: one that has not trained, sampled or been edited for a while gives its engine's worker
// back (engine/client.js `rest`), keeping what brings it back exactly (the model file, its training state, the
// settings and the text). A worker is most of what an element costs in memory (an isolate, an instance of the
// core, the model with its trainer: ~66 MB for the Shakespeare diagram), and a page of course notes holds many
// elements nobody is training. While it rests the page answers for it: probes of the diagram's text and the
// instruments run on the page's shared analysis workers (analysis-pool.js), which load the kept model; a keystroke
// is computed in the page (local-step.js) as always; the model file (autosave, download) is the kept one; a pause
// is already true. Anything else (training, sampling, a weight edit, clamps, another model) wakes the engine: a
// new worker, loaded with the kept model before the request.

import { Cmd, Evt } from '../engine/protocol.js';
import { asideAvailable, probeAside } from './analysis-pool.js';
import { Parts } from './parts.js';

/** A model rests once nothing was asked of its engine for this long, ms. */
export const REST_AFTER_MS = 20_000;

export class Rest {
  /** @param {import('./scope.js').Scope} scope */
  constructor(scope) {
    this.scope = scope;
    /** The engine's message count when last looked at, and since when it has not changed. */
    this.seenSends = -1;
    this.quietSince = 0;
    scope.client.answerAsleep = (msg, kept) => this.answer(msg, kept);
  }

  /** Whether the model rests now (its engine has no worker). */
  get resting() {
    return Boolean(this.scope.client.asleep);
  }

  /**
   * The timer's turn: rest when nothing was asked of the engine for REST_AFTER_MS and nothing needs it. `now`:
   * whatever the time since (the element's `rest()` hook). Resolves whether the model rests.
   */
  async check({ now = false } = {}) {
    const s = this.scope;
    const t = performance.now();
    if (s.client.sends !== this.seenSends) {
      this.seenSends = s.client.sends;
      this.quietSince = t;
    }
    if (this.resting) return true;
    if (!now && t - this.quietSince < REST_AFTER_MS) return false;
    if (this.busy()) return false;
    if (!(await s.client.rest())) return false;
    const kept = s.client.asleep;
    // The last good model, should the engine crash after it wakes.
    s.lastBytes = kept.bytes;
    s.lastTrainingState = kept.trainingState;
    s.changed(Parts.STATUS);
    return true;
  }

  /** Whether something needs the engine as it is (so the model may not rest). */
  busy() {
    const s = this.scope;
    const p = s.probe;
    return (
      !s.model ||
      s.closed ||
      s.running ||
      s.waitingForSlot ||
      Boolean(s.recoverAfterCrash) ||
      Boolean(s.compare?.live) ||
      s.sample.active ||
      s.instruments.clamps.length > 0 ||
      Boolean(p.inFlight || p.freshInFlight) ||
      !asideAvailable(s)
    );
  }

  /**
   * A message to the resting engine: a promise of its reply (null: none) where the page can answer it, else
   * undefined (the engine wakes).
   */
  answer(msg, kept) {
    const s = this.scope;
    switch (msg.type) {
      case Cmd.SNAPSHOT:
        if (msg.have === kept.version) return Promise.resolve({ type: Evt.SNAPSHOT, id: msg.id, version: kept.version, same: true });
        // A copy travels: the kept bytes stay here.
        return Promise.resolve({ type: Evt.SNAPSHOT, id: msg.id, version: kept.version, step: kept.step, bytes: kept.bytes.slice(), config: kept.config, text: kept.text });
      case Cmd.GET_BYTES:
        return Promise.resolve({ type: Evt.BYTES, id: msg.id, bytes: kept.bytes.slice(), trainingState: kept.trainingState.slice(), blobs: null, step: kept.step });
      case Cmd.PAUSE:
        return Promise.resolve({ type: Evt.STATUS, running: false, step: kept.step });
      case Cmd.SAMPLE_CANCEL:
        return Promise.resolve(null);
      case Cmd.PROBE:
        return probeAside(s, msg);
      default:
        return undefined;
    }
  }
}
