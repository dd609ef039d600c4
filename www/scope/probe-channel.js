// A scope's probe of the text it shows (the diagram's text): what the engine last answered, folded into growing
// buffers (probe-data.js). Probing is double-buffered (engine/fresh-probe.js), with one request in flight on each
// of two lanes: a keystroke's probe costs one recurrent step and is answered at once from the probe shown; while
// training, the whole text is probed afresh with the new weights every so often (a reset probe, built by the engine
// in slices beside the probe shown, answered when it reaches the end of the text, which replaces what is shown).
// A keystroke never waits behind a reset probe. The engine answers in the order it computes, so the answers of
// both lanes are folded in as they arrive. A keystroke that only adds a few characters (or deletes) is computed in
// the page's own thread where it can be (local-step.js), so its column is drawn in the frame the key started; the
// engine is then only told the text (`follow`), for the reset probe on its way.

import { Cmd } from '../engine/protocol.js';
import { applyProbe } from './probe-data.js';
import { LocalStep } from './local-step.js';
import { Parts } from './parts.js';

/** While training, the text is probed afresh (every position, with the new weights) about this often (`tick`) … */
export const REPROBE_MS = 500;
/**
 * … and at most once per this many times what the last fresh probe took: a long text under a big model costs its
 * worker a while to probe (in slices between its other work).
 */
const REPROBE_COST_FACTOR = 10;

export class ProbeChannel {
  /** @param {import('./scope.js').Scope} scope */
  constructor(scope) {
    this.scope = scope;
    /** @type {import('../views/types.js').ProbeData|null} the activations of `text`, for the views */
    this.data = null;
    /** The buffers `data` views (probe-data.js). */
    this.buffers = null;
    /** The text `data` is of. */
    this.text = '';
    /** Counts answers taken, for views that redraw on a new one. */
    this.generation = 0;
    /** The position whose guesses are shown (-1: the last). */
    this.pos = -1;
    /** The text the page itself put in the text box (a loaded model's characters): the box shows it even when focused. */
    this.replaced = false;
    // The request side. `sent`: probes sent so far (both lanes); `freshBase`: which reset probe the data builds on.
    /** The keystroke lane: the id of its probe in flight (0: none) and the text it was sent with. */
    this.inFlight = 0;
    this.inFlightText = '';
    this.inFlightSent = 0;
    /** The reset lane: the id of its probe in flight (0: none) and its number among those sent. */
    this.freshInFlight = 0;
    this.freshInFlightSent = 0;
    /** The text last sent on the keystroke lane (null: none since the last new model), and whether a reset is due. */
    this.sentText = null;
    this.wantReset = false;
    this.sent = 0;
    this.freshBase = 0;
    /** The training step the last reset probe was sent at. */
    this.stepAtProbe = -1;
    /** When the last reset probe was sent, and what computing it took, ms. */
    this.resetAt = 0;
    this.resetMs = 0;
    /** Keystrokes computed in this thread, with the weights of training step `weightsStep`. */
    this.local = new LocalStep();
    this.weightsStep = -1;
    /** How many probes were computed in this thread (for tests and benchmarks). */
    this.localCount = 0;
  }

  /** The timer's turn: while training, a fresh probe when one is due (see REPROBE_MS). */
  tick() {
    const s = this.scope;
    const due = performance.now() - this.resetAt >= REPROBE_COST_FACTOR * this.resetMs;
    if (s.model && s.step !== this.stepAtProbe && !this.freshInFlight && s.visible && due) this.request(true);
  }

  /**
   * Training stopped: if the weights moved since the last reset probe was sent, one more, at once (after the one in
   * flight, if any, which may hold the weights of a few steps before the pause), so the diagram settles on them.
   */
  stopped() {
    const s = this.scope;
    if (s.model && s.visible && s.step !== this.stepAtProbe) this.request(true);
  }

  /** The diagram's text changed (the scope's `probe` setting): only the new characters cost a step. */
  textChanged() {
    this.pos = -1;
    this.request();
  }

  /**
   * The weights (or the clamps) changed other than by training: probe afresh, and compute no keystroke here with
   * the old ones meanwhile.
   */
  weightsChanged() {
    this.local.forget();
    this.request(true);
  }

  /** Show the guesses after position `pos` (-1: the last). */
  choose(pos) {
    this.pos = pos;
    this.scope.changed(Parts.GUESSES);
  }

  /**
   * The activations of `text` with the weights as they are now (the element's probe() method): resolves once the
   * data is of exactly it and builds on a reset probe sent after this call.
   */
  fresh(text) {
    const s = this.scope;
    // A probe from scratch, sent from now on: the weights may have changed since the last one.
    const first = this.sent + 1;
    this.wantReset = true;
    s.set('probe', text);
    return new Promise((resolve, reject) => {
      const check = () => {
        if (s.closed) reject(new Error('the element was removed'));
        else if (this.data && this.text === text && this.freshBase >= first) resolve(this.data);
        else return false;
        s.removeEventListener('change', onChange);
        return true;
      };
      const onChange = (e) => e.detail.parts.includes(Parts.PROBE) && check();
      s.addEventListener('change', onChange);
      check();
    });
  }

  /** Probe the scope's text now, or as soon as the probe in flight on its lane is answered; `reset`: afresh. */
  request(reset = false) {
    if (reset) this.wantReset = true;
    this.pump();
  }

  pump() {
    const s = this.scope;
    if (!s.model || !s.client.ready || s.closed) return;
    const text = s.st.probe;
    if (this.wantReset && !this.freshInFlight) {
      const id = s.client.id();
      this.freshInFlight = id;
      this.freshInFlightSent = ++this.sent;
      this.stepAtProbe = s.step;
      this.resetAt = performance.now();
      this.wantReset = false;
      s.client.send({ type: Cmd.PROBE, id, text, reset: true });
    }
    if (this.inFlight) return;
    const shown = this.data ? this.text : null;
    // (An engine in this thread, where no worker can start, answers as fast itself. A paused model shows its own
    // weights, not those of a probe from a few steps before the pause: until a probe from position 0 brings them,
    // the engine computes keystrokes.)
    const current = s.running || this.weightsStep === s.step;
    const here = s.client.mode === 'worker' && !s.instruments.clamps.length && current;
    if (shown !== null && text !== shown && here) this.stepHere(text);
    if (this.data && text === this.text) {
      // The data is of the text already: the engine only needs to know it, for the reset probe on its way.
      if (text !== this.sentText) s.client.send({ type: Cmd.PROBE, text, follow: true });
      this.sentText = text;
      return;
    }
    const id = s.client.id();
    this.inFlight = id;
    this.inFlightText = text;
    this.inFlightSent = ++this.sent;
    // The page changes its text itself (local-step.js), so the engine's probe may hold positions the page does not.
    const have = this.data ? commonPrefix(this.text, text) : 0;
    s.client.send({ type: Cmd.PROBE, id, text, have });
    this.sentText = text;
  }

  /**
   * Keystrokes whose probe this thread computed (`count`), whether the next can be (`ready`: the stepper has the
   * weights of the probe shown), and why the page stopped computing them, if it did (`off`).
   */
  localStats() {
    const l = this.local;
    return { count: this.localCount, ready: Boolean(l.ready && l.stepper && !l.params), off: l.off };
  }

  /** Compute the probe of `text` in this thread when it is only a few characters more (or fewer) than the data's. */
  stepHere(text) {
    const m = this.local.step(this.data, this.text, text);
    if (!m) return;
    this.localCount++;
    this.take(m, text);
  }

  /** Fold the probe `m` of `text` into the data, for the views. */
  take(m, text) {
    const next = applyProbe(this, m, text, this.scope.model.info);
    this.buffers = next.buffers;
    this.data = next.data;
    this.text = text;
    this.generation++;
    this.scope.changed(Parts.PROBE);
  }

  /** The engine's answer (`Evt.PROBE`), on either lane. */
  answered(m) {
    let text;
    if (m.id === this.inFlight) {
      this.inFlight = 0;
      text = this.inFlightText;
      // An answer from position 0 was computed whole, with the weights of when it was sent: as good as a reset.
      if (m.from === 0) this.freshBase = Math.max(this.freshBase, this.inFlightSent);
    } else if (m.id === this.freshInFlight) {
      this.freshInFlight = 0;
      this.freshBase = Math.max(this.freshBase, this.freshInFlightSent);
      if (Number.isFinite(m.ms)) this.resetMs = m.ms;
      text = m.text;
    } else {
      return;
    }
    this.scope.unsay('probe');
    if (m.from === 0 && m.params) {
      this.local.weights(m.params, this.scope.model.info);
      this.weightsStep = m.step;
    }
    this.take(m, text);
    this.pump();
  }

  /** The engine refused probe `m.id`: say why; the next one starts afresh. */
  failed(m) {
    if (m.id === this.inFlight) this.inFlight = 0;
    if (m.id === this.freshInFlight) this.freshInFlight = 0;
    this.sentText = null;
    this.wantReset = true;
    this.scope.say(`Could not look at this text: ${m.message}`, 'error', 'probe');
  }

  /** Nothing in flight will be answered (the worker crashed, or a new model replaced the one probed). */
  lost() {
    this.inFlight = 0;
    this.freshInFlight = 0;
    this.sentText = null;
    this.local.forget();
  }

  /**
   * A new model: nothing shown until its first probe, which the engine computes from scratch (its probe is new), on
   * the keystroke lane.
   */
  newModel() {
    this.data = null;
    this.buffers = null;
    this.lost();
    this.wantReset = false;
    this.stepAtProbe = this.scope.step;
    this.request();
  }
}

/** How many characters (code points, as the probe counts them) `a` and `b` begin with in common. */
export function commonPrefix(a, b) {
  let n = 0;
  let i = 0;
  while (i < a.length && i < b.length) {
    const ca = a.codePointAt(i);
    if (ca !== b.codePointAt(i)) break;
    i += ca > 0xffff ? 2 : 1;
    n++;
  }
  return n;
}
