// A scope's probe of the text it shows (the diagram's text): what the engine last answered, folded into growing
// buffers (probe-data.js), and the one probe in flight at a time. A keystroke costs one recurrent step: the engine
// probes only the characters after the common prefix with the last probe. While training, the whole text is probed
// afresh with the new weights every so often, but never more than a tenth of the engine's time.

import { Cmd } from '../engine/protocol.js';
import { applyProbe } from './probe-data.js';
import { Parts } from './parts.js';

/** While training, the text is probed afresh (every position, with the new weights) about this often (`tick`) … */
export const REPROBE_MS = 500;
/**
 * … and at most once per this many times what the last fresh probe took: a long text under a big model costs its
 * worker a while to probe, and a keystroke's probe waits behind it.
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
    // The request side. `sent`: probes sent so far; `dataSent`: which of them `data` answers.
    /** The id of the probe in flight, or 0. */
    this.inFlight = 0;
    this.inFlightText = '';
    this.inFlightSent = 0;
    this.inFlightReset = false;
    /** The text last sent (null: none since the last reset), and whether the next probe starts from scratch. */
    this.sentText = null;
    this.wantReset = false;
    this.sent = 0;
    this.dataSent = 0;
    /** The training step the last probe was sent at. */
    this.stepAtProbe = -1;
    /** When the last probe from scratch was sent, and what computing it took, ms. */
    this.resetAt = 0;
    this.resetMs = 0;
  }

  /** The timer's turn: while training, a fresh probe when one is due (see REPROBE_MS). */
  tick() {
    const s = this.scope;
    const due = performance.now() - this.resetAt >= REPROBE_COST_FACTOR * this.resetMs;
    if (s.model && s.step !== this.stepAtProbe && !this.inFlight && s.visible && due) this.request(true);
  }

  /** The diagram's text changed (the scope's `probe` setting): only the new characters cost a step. */
  textChanged() {
    this.pos = -1;
    this.request();
  }

  /** Show the guesses after position `pos` (-1: the last). */
  choose(pos) {
    this.pos = pos;
    this.scope.changed(Parts.GUESSES);
  }

  /**
   * The activations of `text` with the weights as they are now (the element's probe() method): resolves once the
   * probe of exactly it, made after the last training step, is in.
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
        else if (this.data && this.text === text && this.dataSent >= first) resolve(this.data);
        else return false;
        s.removeEventListener('change', onChange);
        return true;
      };
      const onChange = (e) => e.detail.parts.includes(Parts.PROBE) && check();
      s.addEventListener('change', onChange);
      check();
    });
  }

  /** Probe the scope's text now, or as soon as the probe in flight is answered; `reset`: from scratch. */
  request(reset = false) {
    if (reset) this.wantReset = true;
    this.pump();
  }

  pump() {
    const s = this.scope;
    if (this.inFlight || !s.model || !s.client.ready || s.closed) return;
    const text = s.st.probe;
    if (text === this.sentText && !this.wantReset) return;
    const id = s.client.id();
    this.inFlight = id;
    this.inFlightText = text;
    this.stepAtProbe = s.step;
    this.sent++;
    this.inFlightSent = this.sent;
    this.inFlightReset = this.wantReset;
    if (this.wantReset) this.resetAt = performance.now();
    s.client.send({ type: Cmd.PROBE, id, text, reset: this.wantReset });
    this.sentText = text;
    this.wantReset = false;
  }

  /** The engine's answer (`Evt.PROBE`). */
  answered(m) {
    if (m.id !== this.inFlight) return;
    this.inFlight = 0;
    if (this.inFlightReset && Number.isFinite(m.ms)) this.resetMs = m.ms;
    this.scope.unsay('probe');
    const next = applyProbe(this, m, this.inFlightText, this.scope.model.info);
    this.buffers = next.buffers;
    this.data = next.data;
    this.text = this.inFlightText;
    this.dataSent = this.inFlightSent;
    this.generation++;
    this.scope.changed(Parts.PROBE);
    this.pump();
  }

  /** The engine refused the probe: say why; the next one starts from scratch. */
  failed(message) {
    this.lost();
    this.wantReset = true;
    this.scope.say(`Could not look at this text: ${message}`, 'error', 'probe');
  }

  /** What was in flight will not be answered (the worker crashed). */
  lost() {
    this.inFlight = 0;
    this.sentText = null;
  }

  /** A new model: nothing shown until its first probe, which starts from scratch. */
  newModel() {
    this.data = null;
    this.buffers = null;
    this.sentText = null;
    this.wantReset = true;
    this.request();
  }
}
