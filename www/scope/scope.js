// The controller of one model instance: its engine (a worker, see engine/client.js), its settings (the state.js
// table, changed only through `set`), and the parts it owns, each an object of its own: the training text
// (`text`), model files (`files`), the probe of the diagram's text (`probe`), the sample (`sample`), the weights for
// the figure (`weights`), the instruments (`instruments`), the comparison (`compare`) and the autosave (`keeper`).
// It owns no DOM: views and panels read its fields and listen for `change` events, whose `detail.parts` name what to
// redraw (parts.js). Nothing is shared between two Scopes but the page's compiled core and its training slots.

import { Cmd, modelConfig } from '../engine/protocol.js';
import { EngineClient, trainingSlots } from '../engine/client.js';
import { MIN_STREAMS } from '../core-numbers.js';
import * as S from './state.js';
import { Parts } from './parts.js';
import { Comparison } from './comparison.js';
import { Keeper } from './keeper.js';
import { TrainingText } from './training-text.js';
import { ModelFiles } from './model-files.js';
import { EngineEvents } from './engine-events.js';
import { Instruments } from './instruments.js';
import { releaseAnalysis } from './analysis-pool.js';
import { ProbeChannel, REPROBE_MS } from './probe-channel.js';
import { SampleRun } from './sample-run.js';
import { Rest } from './rest.js';
import { Weights } from './weights.js';
import { LossHistory } from './history.js';
import { resolveAsset } from './assets.js';

/**
 * Least work per step (parameters × batch × window) that `auto` shares between two workers: below it, sending the
 * weights and the gradients each step costs about what the second core saves.
 */
const WORKERS_MIN_WORK = 2 ** 24;

/** How often a model not training looks whether it may rest (rest.js), ms. */
const REST_CHECK_MS = 5000;

/** What a setting changed at once does besides being stored (the others take effect with the next model built). */
const SETTING_EFFECTS = {
  lr: (s, lr) => s.model && s.client.send({ type: Cmd.SET_PARAMS, lr }),
  clip: (s, clip) => s.model && s.client.send({ type: Cmd.SET_PARAMS, clip }),
  probe: (s) => s.probe.textChanged(),
};
/** What shows a setting, besides the controls. */
const SETTING_PARTS = {
  units: [Parts.STATUS, Parts.CHART, Parts.COMPARE],
};

export class Scope extends EventTarget {
  /**
   * @param {object} [options]
   * @param {object} [options.state] the settings (state.js), over the defaults
   * @param {string|null} [options.autosaveKey] IndexedDB key to autosave under; null: no autosave
   * @param {boolean} [options.urlState] keep the settings in the page's URL fragment
   * @param {boolean} [options.autoplay] train as soon as the first model is in place
   * @param {string} [options.text] a training text of the author's (instead of the corpus)
   * @param {string|Uint8Array} [options.model] a model file to start from: its URL, or its bytes
   * @param {boolean} [options.textGiven] the author named the text (a corpus): a model file is paired with it
   * @param {string|null} [options.textSrc] the URL of a training text of the author's
   * @param {() => (string|null)} [options.base] the base URL relative asset URLs are resolved against (assets.js)
   */
  constructor({ state = {}, autosaveKey = null, urlState = false, autoplay = true, text = null, model = null, textGiven = false, textSrc = null, base = () => null } = {}) {
    super();
    /** The settings (state.js names); written only by `set`, and by the scope when a model or text replaces them. */
    this.st = { ...S.defaults(), ...state };
    this.options = { autosaveKey, urlState, autoplay, text, model, textGiven, textSrc, base };
    /** The embedded corpora's names, default first (from the engine). */
    this.corpora = [];
    /** @type {{info: object, config: object, resumed: object|null}|null} the model in place */
    this.model = null;
    /** Counts models put in place, so late answers about an older one are dropped. */
    this.modelGeneration = 0;
    // Training, as the engine last reported it.
    this.running = false;
    this.waitingForSlot = false; // asked to train, waiting for a free core
    this.workers = 1; // Web Workers the steps run on while training (2: each step shared by two helper workers)
    this.step = 0;
    this.hist = new LossHistory();
    this.val = []; // [{x: step, y: nats}]
    this.last = null; // last PROGRESS message
    this.charsPerSec = 0;
    this.autosamples = [];
    /** 'starting', 'worker' or 'main-thread': where the engine runs. */
    this.engineMode = 'starting';
    /** 'fatal' once the model code cannot start. */
    this.error = null;
    /** @type {Map<string, {text: string, kind: string}>} messages to the visitor, one per key */
    this.messages = new Map();
    /** Counts builds asked for: only the last one's model is taken. */
    this.buildSeq = 0;
    this.formEdits = 0; // edits made in a model form so far (a model put in place keeps those made while it was built)
    this.formEdited = false;
    /** The last model bytes and training state fetched, to rebuild from after a crash. */
    this.lastBytes = null;
    this.lastTrainingState = null;
    /** @type {{wasRunning: boolean, reason: string}|null} a crash being recovered from */
    this.recoverAfterCrash = null;
    this.visible = true;
    this.resumeWhenVisible = false;
    /** Counts pauses asked for (a start waiting for a resting engine to wake is called off by one). */
    this.pauses = 0;
    this.closed = false;
    this.stateTimer = 0;
    // The parts.
    this.text = new TrainingText(this);
    this.files = new ModelFiles(this);
    this.probe = new ProbeChannel(this);
    this.sample = new SampleRun(this);
    this.weights = new Weights(this);
    this.instruments = new Instruments(this);
    /** @type {Comparison|null} the last comparison (its curves stay after it stops) */
    this.compare = null;
    /** @type {Keeper|null} autosave and restore, when this instance has a key */
    this.keeper = autosaveKey ? new Keeper(this, autosaveKey) : null;
    this.events = new EngineEvents(this);
    this.client = new EngineClient((msg) => this.events.handle(msg));
    /** Gives the engine's worker back while the model is not used (rest.js). */
    this.rest = new Rest(this);
    this.timers = [setInterval(() => this.probe.tick(), REPROBE_MS), setInterval(() => this.rest.check(), REST_CHECK_MS)];
    if (this.keeper) {
      this.timers.push(setInterval(() => this.running && this.autosave(false), 1000));
      this.keeper.offer();
    }
  }

  /** Stop the engine, the comparison and the timers, and give back the training slot: the element is gone. */
  close() {
    if (this.closed) return;
    if (this.keeper && this.model) this.autosave(true);
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.stateTimer);
    this.stopCompare({ resume: false });
    trainingSlots().release(this);
    releaseAnalysis(this);
    this.probe.local.close();
    this.client.terminate();
  }

  /** Tell the views that `parts` (parts.js) changed. */
  changed(...parts) {
    this.dispatchEvent(new CustomEvent('change', { detail: { parts } }));
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Settings: the one way to change one

  /**
   * Change setting `key` (state.js) to `raw`: validated (a refused value changes nothing and the answer says why),
   * applied (the learning rate and clipping at once, even mid-run; the text shown is probed; model settings with
   * the next model built), kept in the URL fragment where this instance owns it, and what shows it redrawn.
   * @returns {{ok: true, value: any} | {ok: false, message: string}}
   */
  set(key, raw) {
    const r = S.validate(key, raw);
    if (!r.ok) return r;
    this.st[key] = r.value;
    SETTING_EFFECTS[key]?.(this, r.value);
    this.writeStateSoon();
    this.changed(Parts.CONTROLS, ...(SETTING_PARTS[key] ?? []));
    return r;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Messages to the visitor

  /** Show a message; one per `key` (a new one with the same key replaces the old one). */
  say(text, kind = 'error', key = text) {
    this.messages.delete(key);
    this.messages.set(key, { text, kind });
    this.changed(Parts.MESSAGES);
    if (kind === 'error') this.emit('error', { kind: 'message', key, message: text });
  }

  unsay(key) {
    if (this.messages.delete(key)) this.changed(Parts.MESSAGES);
  }

  /** The URL a file this element reads is at (a relative `url` from the element's base, see assets.js); throws why not. */
  assetUrl(url) {
    return resolveAsset(url, this.options.base());
  }

  async corpusText(name) {
    const r = await this.client.request({ type: Cmd.CORPUS, name });
    return r.text;
  }

  /** Take a model the worker reports as in place. */
  adoptModel(msg, { keepHistory = false } = {}) {
    const info = msg.info;
    this.model = { info, config: msg.config, resumed: msg.resumed ?? null };
    this.modelGeneration++;
    this.step = info.step;
    this.running = false;
    trainingSlots().release(this);
    this.error = null;
    this.weights.newModel();
    if (!keepHistory || this.hist.offset + this.hist.length !== info.step) {
      this.hist = new LossHistory(info.step);
      this.val = [];
      this.last = null;
    }
    this.instruments.newModel();
    this.probe.newModel();
    this.changed(Parts.STATUS, Parts.CHART, Parts.CONTROLS, Parts.PROBE, Parts.FIGURE, Parts.CLAMPS, Parts.INSTRUMENTS);
    this.emit('ready', { info: { ...info } });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Building and training

  /**
   * Build a fresh model from the current state and text. Throws the reason if refused; the old model stays then.
   */
  async buildModel({ start: startAfter = false } = {}) {
    const why = this.text.untrainableReason();
    if (why) throw new Error('this model has no text to train on, and fresh weights would have nothing to learn from');
    const problems = S.sizeProblems(this.st, this.text.info.distinct);
    if (problems.length) throw new Error(problems.join('; '));
    const seq = ++this.buildSeq;
    const edits = this.formEdits;
    const msg = await this.client.request({ type: Cmd.CREATE, config: modelConfig(this.st), text: this.text.value });
    if (seq !== this.buildSeq) return;
    if (this.formEdits === edits) this.formEdited = false; // the form's values are the model's now
    this.adoptModel(msg);
    this.autosamples = [];
    this.unsay('build');
    this.unsay('diverged');
    this.changed(Parts.AUTOSAMPLES);
    this.writeState();
    if (startAfter) this.start();
  }

  /** A fresh model with `state`'s settings on the current text (the model form's "Build and train"). */
  async rebuild(state = this.st, { start = true } = {}) {
    const problems = S.sizeProblems(state, this.text.info.distinct);
    if (problems.length) {
      this.say(`That model is too big: ${problems.join('; ')}.`, 'error', 'build');
      return false;
    }
    const prev = this.st;
    this.st = { ...state };
    try {
      await this.buildModel({ start });
      return true;
    } catch (err) {
      this.st = prev;
      this.say(`The model was not built: ${err.message}. The current model is unchanged.`, 'error', 'build');
      return false;
    } finally {
      this.changed(Parts.CONTROLS);
    }
  }

  /** Start (or resume) training, as soon as a training slot is free on this page. */
  start() {
    if (!this.model || this.closed || this.refuseUntrainable()) return;
    if (!this.visible) {
      this.resumeWhenVisible = true;
      return;
    }
    if (!trainingSlots().acquire(this)) {
      this.waitingForSlot = true;
      this.say('Waiting for a free core: other models on this page are training. This one starts when one of them pauses.', 'info', 'slot');
      this.changed(Parts.STATUS);
      return;
    }
    this.trainNow();
  }

  /** With no text to train on (a model file's stand-in): say so, and answer true. */
  refuseUntrainable() {
    const why = this.text.untrainableReason();
    if (why) this.say(why, 'info', 'no-text');
    return Boolean(why);
  }

  /** The training slots' callback: a core is free for this model now. */
  slotGranted() {
    if (!this.waitingForSlot || this.closed) trainingSlots().release(this);
    else this.trainNow();
  }

  /**
   * With a training slot held: tell the engine to train, on two workers where that pays (`plannedWorkers`); a
   * resting engine wakes first (its helpers join a worker that is up).
   */
  trainNow() {
    this.waitingForSlot = false;
    this.unsay('slot');
    this.running = true;
    this.changed(Parts.STATUS);
    if (this.client.asleep || this.client.waking) {
      // Unless paused meanwhile (the pause, queued behind the model's return, answers for itself).
      const pauses = this.pauses;
      this.client.awake().then(() => {
        if (this.running && !this.closed && pauses === this.pauses) this.client.send({ type: Cmd.START, workers: this.plannedWorkers() });
      });
      return;
    }
    this.client.send({ type: Cmd.START, workers: this.plannedWorkers() });
  }

  /**
   * Workers to train on: two when the setting asks for them, or (`auto`) when the browser reports two cores and
   * a step is big enough that sharing it beats the cost of sending the weights (see `WORKERS_MIN_WORK`); and
   * only with a second training slot free and helper workers started.
   */
  plannedWorkers() {
    const config = this.model.config;
    const setting = this.st.workers;
    const cores = globalThis.navigator?.hardwareConcurrency || 1;
    const work = this.model.info.params * config.batch * config.seqLen;
    const wanted = setting === '2' || (setting === 'auto' && cores >= 2 && config.batch >= 2 * MIN_STREAMS && work >= WORKERS_MIN_WORK);
    if (!wanted || config.batch < 2) return 1;
    if (!trainingSlots().acquireSecond(this)) return 1;
    return this.client.addHelpers() ? 2 : 1;
  }

  pause() {
    this.pauses++;
    this.resumeWhenVisible = false;
    if (this.waitingForSlot) {
      this.waitingForSlot = false;
      trainingSlots().release(this);
      this.unsay('slot');
      this.changed(Parts.STATUS);
    }
    this.client.send({ type: Cmd.PAUSE });
  }

  /** Run `n` optimizer steps now, then stay paused. */
  stepOnce(n = 1) {
    if (!this.model || this.refuseUntrainable()) return;
    this.running = false;
    this.client.send({ type: Cmd.STEP, n: Math.max(1, n | 0) });
    this.changed(Parts.STATUS);
  }

  /** The element is on or off screen (or the tab hidden): training and probing pause while nobody can see them. */
  setVisible(visible) {
    if (visible === this.visible) return;
    this.visible = visible;
    if (!visible) {
      const wanted = this.running || this.waitingForSlot;
      if (wanted) {
        this.pause();
        this.resumeWhenVisible = true;
      }
    } else {
      if (this.resumeWhenVisible) {
        this.resumeWhenVisible = false;
        this.start();
      }
      this.probe.request(this.step !== this.probe.stepAtProbe);
    }
    this.changed(Parts.STATUS);
  }

  /** The model file and its training state: `{bytes, trainingState, step}`. */
  /** The model and its training state from the engine (`blobs`: also as Blobs, for autosave). */
  async getBytes({ blobs = false } = {}) {
    const r = await this.client.request({ type: Cmd.GET_BYTES, blobs });
    this.lastBytes = r.bytes;
    this.lastTrainingState = r.trainingState ?? null;
    return r;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Comparison (comparison.js) and autosave (keeper.js)

  /** Train the three cells side by side on this text and settings; the main model pauses meanwhile. */
  startCompare() {
    if (!this.text.value || this.refuseUntrainable()) return;
    // The main model resumes when the comparison stops if it was training (or was waiting to, before a restart).
    const resumeMain = this.running || Boolean(this.compare?.live && this.compare.resumeMain);
    this.compare?.stop();
    if (this.running) this.pause();
    this.compare = new Comparison(this, resumeMain);
  }

  stopCompare({ resume = true } = {}) {
    if (!this.compare?.live) return;
    this.compare.stop();
    if (resume && this.compare.resumeMain && !this.running) this.start();
  }

  autosave(force = false) {
    return this.keeper?.save(force);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The URL fragment (only for the instance that owns the page's URL)

  writeState() {
    if (this.options.urlState) S.writeState(this.st);
  }

  writeStateSoon() {
    if (!this.options.urlState) return;
    clearTimeout(this.stateTimer);
    this.stateTimer = setTimeout(() => S.writeState(this.st), 200);
  }
}
