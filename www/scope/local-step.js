// A keystroke's probe computed in the page's own thread (src/wasm/stepper.rs). The engine answers a keystroke within
// a few milliseconds, but its answer then waits here behind the frame the keystroke started (the text box's layout,
// paint), so the new column showed a frame or two late. When the text only grew by a few characters (or shrank)
// since the probe shown, the page computes the new characters itself, from the state at that probe's last
// character, with the weights of its last answer from position 0 (which carries them): the same code as the
// engine's, so the same numbers. Anything else (an edit in the middle, a paste, clamps in force, a model being
// loaded) goes to the engine as before.
//
// One instance of the compiled core serves every element of the page (made on first use); each element holds a
// stepper of its own model's size.

import { compiledCore } from '../engine/client.js';
import { errorMessage, instantiate, isTrap } from '../engine/instance.js';

/** At most about this long on the page's thread for one keystroke's characters, ms. */
const BUDGET_MS = 3;
/** What one character is assumed to cost before one was timed, ms. */
const FIRST_GUESS_MS = 0.5;

/** @type {Promise<any>|null} the page's instance of the core (wasm-bindgen's glue), made once */
let pageCore = null;

function core() {
  if (!pageCore) {
    pageCore = compiledCore().then((module) => instantiate(module, 'page').then(({ wasm }) => wasm));
    pageCore.catch(() => {
      pageCore = null;
    });
  }
  return pageCore;
}

export class LocalStep {
  constructor() {
    /** The core's glue, once the page's instance is made. */
    this.glue = null;
    /** The wasm Stepper of the model the weights are of, and that model's shape (`key`). */
    this.stepper = null;
    this.key = '';
    /** Weights of the probe shown not yet given to the stepper, and the model they are of. */
    this.params = null;
    this.info = null;
    /** Whether the weights of the probe shown are known (they may already be in the stepper). */
    this.ready = false;
    /** What one character took, ms (a running mean). */
    this.perChar = FIRST_GUESS_MS;
    /** Why the page stopped computing keystrokes itself, if it did (a failed instance). */
    this.off = null;
    /** Whether new weights wait for an idle moment to go into the stepper. */
    this.preparing = false;
  }

  /** The probe shown was computed from position 0 with `params`, the weights of the model `info` describes. */
  weights(params, info) {
    if (this.off) return;
    this.params = params;
    this.info = info;
    this.ready = true;
    this.prepareSoon();
  }

  /**
   * Give the stepper the new weights in a task of its own, when the page is idle, not in the next keystroke's
   * (making the page's instance of the core and a stepper for a big model takes a few milliseconds).
   */
  prepareSoon() {
    if (this.preparing) return;
    this.preparing = true;
    const idle = globalThis.requestIdleCallback ?? ((f) => setTimeout(f, 0));
    core().then(
      (glue) => {
        this.glue = glue;
        idle(() => {
          this.preparing = false;
          if (!this.ready || this.off) return;
          try {
            this.stepperFor();
          } catch (err) {
            this.failed(err);
          }
        }, { timeout: 500 });
      },
      (err) => {
        this.preparing = false;
        this.off = errorMessage(err);
      },
    );
  }

  /** A refused state or weights: the engine computes keystrokes until new weights come. A trap: for good. */
  failed(err) {
    if (isTrap(err)) {
      this.off = errorMessage(err);
      this.stepper = null;
    }
    this.forget();
  }

  /** The weights of the probe shown are not known any more (a new model, clamps, an engine restarted). */
  forget() {
    this.ready = false;
    this.params = null;
  }

  /** Free the stepper (the element was removed). */
  close() {
    this.forget();
    this.stepper?.free();
    this.stepper = null;
    this.key = '';
  }

  /**
   * The probe of `text`, from `data` (the probe shown, of `shown`), as the engine's answer to it would be (an
   * `Evt.PROBE` message without `id`), or null when the engine should compute it: `text` is not `shown` grown by a
   * few characters or cut short, or the weights of `data` are not known here.
   * @param {import('../views/types.js').ProbeData} data
   * @param {string} shown
   * @param {string} text
   */
  step(data, shown, text) {
    if (!this.ready || !this.glue || this.off) return null;
    let from;
    let added;
    if (text.startsWith(shown)) {
      from = data.steps;
      added = text.slice(shown.length);
      if (Array.from(added).length * this.perChar > Math.max(BUDGET_MS, this.perChar)) return null;
    } else if (shown.startsWith(text)) {
      from = Array.from(text).length;
      added = '';
    } else {
      return null;
    }
    const { layers: L, hidden: H } = data;
    try {
      const stepper = this.stepperFor();
      const t0 = performance.now();
      const last = from - 1;
      const h = last >= 0 ? data.h.subarray(last * L * H, from * L * H) : new Float32Array(L * H);
      const c = !data.c ? new Float32Array(0) : last >= 0 ? data.c.subarray(last * L * H, from * L * H) : new Float32Array(L * H);
      const p = added ? stepper.step(h, c, added, from) : null;
      if (p) this.perChar = 0.7 * this.perChar + (0.3 * (performance.now() - t0)) / Math.max(1, p.steps);
      return {
        from,
        steps: p ? p.steps : 0,
        vocab: data.vocab.length,
        layers: L,
        hidden: H,
        gates: data.gateNames.length,
        input: p ? p.input : new Int32Array(0),
        h: p ? p.h : new Float32Array(0),
        c: p ? p.c : data.c ? new Float32Array(0) : null,
        gate: p ? p.gate : data.gate ? new Float32Array(0) : null,
        logits: p ? p.logits : new Float32Array(0),
        probs: p ? p.probs : new Float32Array(0),
        gateNames: data.gateNames,
      };
    } catch (err) {
      this.failed(err);
      return null;
    }
  }

  /** The stepper, with the weights of the probe shown. */
  stepperFor() {
    if (this.params) {
      const i = this.info;
      const key = [i.cell, i.nonlinearity, i.hidden, i.layers, i.vocab.join('')].join('\u0000');
      if (this.stepper && key === this.key) {
        this.stepper.setParams(this.params);
      } else {
        this.stepper?.free();
        this.stepper = null;
        this.stepper = new this.glue.Stepper(i.cell, i.cell === 'rnn' ? i.nonlinearity : undefined, i.hidden, i.layers, i.vocab.join(''), this.params);
        this.key = key;
      }
      this.params = null;
    }
    return this.stepper;
  }
}
