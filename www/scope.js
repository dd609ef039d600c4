// The controller of one model instance: its engine (a worker, see client.js), its settings (the state.js table),
// its text, its probe buffers, its loss history, its sample and comparison runs, its messages and its autosave key.
// It owns no DOM: views and panels read its fields and listen for `change` events, whose `detail.parts` name what to
// redraw (the names the panels use: status, controls, chart, probe, sample, autosamples, compare, messages, figure).
// Nothing is shared between two Scopes but the page's compiled core and its training slots (client.js).

import { Cmd, Evt, ErrorKind } from './protocol.js';
import * as S from './state.js';
import { EngineClient, trainingSlots } from './client.js';

import { Comparison } from './comparison.js';
import { Keeper } from './keeper.js';
import { TextMethods } from './scope-text.js';
import { FileMethods, resumedSentence } from './scope-files.js';
import { InstrumentMethods } from './scope-instruments.js';
import { LossHistory, onProgress } from './history.js';
import { applyProbe } from './probe-data.js';
import { textProblem, num } from './text.js';

/** While training, the text is probed afresh (every position, with the new weights) about this often … */
const REPROBE_MS = 500;
/**
 * … and at most once per this many times what the last fresh probe took: a long text under a big model costs its
 * worker a while to probe, and a keystroke's probe waits behind it.
 */
const REPROBE_COST_FACTOR = 10;
/** Fewest streams per worker that `auto` shares a step for (as the native trainer's threads). */
const MIN_STREAMS = 4;
/**
 * Least work per step (parameters × batch × window) that `auto` shares between two workers: below it, sending the
 * weights and the gradients each step costs about what the second core saves.
 */
const WORKERS_MIN_WORK = 2 ** 24;

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
   */
  constructor({ state = {}, autosaveKey = null, urlState = false, autoplay = true, text = null, model = null, textGiven = false } = {}) {
    super();
    this.st = { ...S.defaults(), ...state };
    this.options = { autosaveKey, urlState, autoplay, text, model, textGiven };
    this.corpora = [];
    this.text = '';
    this.textLabel = '';
    this.textInfo = { chars: 0, distinct: 0 };
    this.model = null; // {info, config, resumed}
    this.modelGeneration = 0;
    this.running = false;
    this.waitingForSlot = false; // asked to train, waiting for a free core
    this.workers = 1; // Web Workers the steps run on while training (2: each step shared by two helper workers)
    this.step = 0;
    this.hist = new LossHistory();
    this.val = []; // [{x: step, y: nats}]
    this.last = null; // last PROGRESS message
    this.charsPerSec = 0;
    this.autosamples = [];
    // sent: probes sent so far; dataSent: which of them `data` answers.
    // resetAt, resetMs: when the last probe from scratch was sent, and what computing it took.
    this.probe = { data: null, buffers: null, text: '', sentText: null, inFlight: 0, wantReset: false, stepAtProbe: -1, generation: 0, pos: -1, sent: 0, dataSent: 0, resetAt: 0, resetMs: 0, inFlightReset: false };
    this.sample = { id: 0, prime: '', text: '', active: false, chunks: 0, seq: 0 };
    /** @type {Comparison|null} the last comparison (its curves stay after it stops) */
    this.compare = null;
    this.lastBytes = null;
    this.lastTrainingState = null;
    this.unit = -1; // picked unit for colouring the text
    /** @type {{layer: number, tensor: string, unit: number, seq: number}|null} a unit an instrument asked to show */
    this.unitPick = null;
    /** @type {{layer: number, tensor: 'h'|'c', unit: number, value: number}[]} units held while probing and sampling */
    this.clamps = [];
    this.error = null;
    this.engineMode = 'starting';
    /** @type {Map<string, {text: string, kind: string}>} messages to the visitor, one per key */
    this.messages = new Map();
    this.buildSeq = 0;
    this.formEdits = 0; // edits made in a model form so far (a model put in place keeps those made while it was built)
    this.formEdited = false;
    this.weights = null; // {generation, tensors: {[name]: {shape, data}}} for the figure, fetched on demand
    this.visible = true;
    this.resumeWhenVisible = false;
    this.closed = false;
    /** @type {Keeper|null} autosave and restore, when this instance has a key */
    this.keeper = autosaveKey ? new Keeper(this, autosaveKey) : null;
    this.client = new EngineClient((msg) => this.onEngineEvent(msg));
    this.timers = [
      setInterval(() => {
        const p = this.probe;
        const due = performance.now() - p.resetAt >= REPROBE_COST_FACTOR * p.resetMs;
        if (this.model && this.step !== p.stepAtProbe && !p.inFlight && this.visible && due) this.requestProbe(true);
      }, REPROBE_MS),
    ];
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
    this.stopCompare({ resume: false });
    trainingSlots().release(this);
    this.client.terminate();
  }

  /** Tell the views that `parts` changed. */
  changed(...parts) {
    this.dispatchEvent(new CustomEvent('change', { detail: { parts } }));
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Messages to the visitor

  /** Show a message; one per `key` (a new one with the same key replaces the old one). */
  say(text, kind = 'error', key = text) {
    this.messages.delete(key);
    this.messages.set(key, { text, kind });
    this.changed('messages');
    if (kind === 'error') this.emit('error', { kind: 'message', key, message: text });
  }

  unsay(key) {
    if (this.messages.delete(key)) this.changed('messages');
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Engine events

  onEngineEvent(msg) {
    if (this.closed) return;
    switch (msg.type) {
      case 'main-thread':
        this.engineMode = 'main-thread';
        this.say('This page does not allow background workers here, so the model runs in this page itself, in short slices.', 'info', 'main-thread');
        break;
      case Evt.READY:
        this.engineMode = this.client.mode;
        this.onReady(msg);
        break;
      case Evt.MODEL:
        // Unprompted MODEL = the worker rebuilt itself after a trap.
        this.adoptModel(msg, { keepHistory: true });
        if (msg.recovered) this.say(`Recovered: the last good model (step ${msg.info.step}) is back.${resumedSentence(msg.resumed)} Press Resume to go on training.`, 'warn', 'recovered');
        break;
      case Evt.STATUS:
        this.running = msg.running;
        this.step = msg.step;
        if (msg.workers) this.workers = msg.workers;
        if (msg.note) this.say(`${msg.note[0].toUpperCase()}${msg.note.slice(1)}.`, 'info', 'workers');
        if (!msg.running) {
          this.charsPerSec = 0;
          trainingSlots().release(this);
          if (msg.reason === 'paused' || msg.reason === 'done') this.autosave(true);
        }
        this.changed('status');
        break;
      case Evt.PROGRESS:
        onProgress(this, msg);
        this.changed('status', 'chart');
        this.emit('progress', { step: msg.step, loss: msg.loss, smoothLoss: msg.smoothLoss, valLoss: msg.valLoss });
        break;
      case Evt.AUTOSAMPLE:
        this.autosamples.unshift({ step: msg.step, prime: msg.prime, text: msg.text });
        if (this.autosamples.length > 4) this.autosamples.length = 4;
        this.changed('autosamples');
        break;
      case Evt.PROBE:
        this.onProbe(msg);
        break;
      case Evt.SAMPLE:
        if (msg.id === this.sample.id) {
          this.sample.text += msg.text;
          this.sample.chunks++;
          if (msg.done) {
            this.sample.active = false;
            this.emit('sample', { prime: this.sample.prime, text: this.sample.text });
            this.sample.resolve?.(this.sample.text);
          }
          this.changed('sample');
        }
        break;
      case Evt.ERROR:
        this.onEngineError(msg);
        break;
      case 'crash':
        this.onCrash(msg);
        break;
      default:
        break;
    }
  }

  onEngineError(msg) {
    if (msg.op === Cmd.PROBE) {
      this.probe.inFlight = 0;
      this.probe.wantReset = true;
      this.probe.sentText = null;
      this.say(`Could not look at this text: ${msg.message}`, 'error', 'probe');
      return;
    }
    if (msg.op === Cmd.SAMPLE || msg.op === 'sample') {
      this.sample.active = false;
      this.sample.reject?.(new Error(msg.message));
      this.changed('sample');
      this.say(`Sampling failed: ${msg.message}`, 'error', 'sample');
      return;
    }
    this.emit('error', { kind: msg.kind, message: msg.message });
    if (msg.kind === ErrorKind.DIVERGED) {
      const m = msg.message.replace(/^training stopped:\s*/i, '');
      this.say(`Training paused: ${m}. Resume continues from the last good step.`, 'error', 'diverged');
      return;
    }
    if (msg.kind === ErrorKind.INTERNAL) {
      this.say(`The model code hit an internal error (${msg.message}). Training is paused.`, 'error', 'internal');
      return;
    }
    if (msg.kind === ErrorKind.FATAL) {
      this.error = 'fatal';
      this.say(`The model code could not start: ${msg.message}`, 'error', 'fatal');
      this.changed('status');
      return;
    }
    this.say(msg.message, 'error', msg.op || 'worker');
  }

  onCrash(msg) {
    const wasRunning = this.running;
    this.running = false;
    trainingSlots().release(this);
    this.say(`The training worker crashed (${msg.message}). Restarting it with the last good model…`, 'error', 'crash');
    this.recoverAfterCrash = { wasRunning, reason: msg.message };
    this.probe.inFlight = 0;
    this.probe.sentText = null;
    this.sample.active = false;
    this.client.respawn();
    this.changed('status', 'sample');
  }

  async onReady(msg) {
    this.corpora = msg.corpora;
    this.changed('controls');
    if (this.recoverAfterCrash) {
      const { wasRunning, reason } = this.recoverAfterCrash;
      this.recoverAfterCrash = null;
      try {
        if (this.lastBytes && this.model) {
          await this.loadModelBytes(this.lastBytes.slice(), 'the last good model', {
            quiet: true,
            keepHistory: true,
            trainingState: this.lastTrainingState?.slice() ?? null,
          });
        } else {
          await this.buildModel({ start: false });
        }
        this.say(`The training worker crashed (${reason}); it was restarted with the last good model, from step ${num(this.step)}.`, 'warn', 'crash');
        if (wasRunning) this.start();
      } catch (err) {
        this.say(`The worker was restarted, but the model could not be rebuilt: ${err.message}`, 'error', 'crash');
      }
      return;
    }
    await this.firstModel();
  }

  /** The first model: a model file given by the author, else a fresh model on the author's text or a corpus. */
  async firstModel() {
    const { model, text: authorText, textGiven } = this.options;
    try {
      // With a model file, a text only when the author named one (else the model brings a stand-in of its own).
      let text = null;
      let label;
      if (authorText) {
        text = authorText;
        label = 'the text of this page';
        this.st.corpus = 'custom';
      } else if (model && !textGiven) {
        text = null;
      } else if (this.st.corpus === 'custom' && this.st.text) {
        text = this.st.text;
        label = 'text from the link';
      } else {
        if (this.st.corpus === 'custom') {
          // A link made while training on a text too long to travel in it.
          this.say(`This link does not hold its text (it was too long to travel in a link); using the built-in “${this.corpora[0]}”.`, 'warn', 'corpus');
          this.st.corpus = this.corpora[0];
        } else if (!this.corpora.includes(this.st.corpus)) {
          this.say(`There is no built-in text called “${this.st.corpus}”; using “${this.corpora[0]}”.`, 'warn', 'corpus');
          this.st.corpus = this.corpora[0];
        }
        label = `built-in “${this.st.corpus}”`;
        text = await this.corpusText(this.st.corpus);
      }
      // A model put in place meanwhile (the autosave restored, or a model file opened, before the model code was
      // ready) is what the visitor chose: keep it rather than replacing it by a fresh one.
      if (this.model) return;
      if (text !== null) {
        const problem = textProblem(text);
        if (problem) throw new Error(problem.replace(/ Nothing was changed\.$|— nothing was changed\.$/, ''));
        this.setText(text, label, this.st.corpus);
        this.changed('controls');
      }
      if (model) {
        await this.load(model, { initial: true });
        if (this.options.autoplay && this.model) this.start();
        return;
      }
      await this.buildModel({ start: this.options.autoplay });
    } catch (err) {
      if (!model) this.say(`Could not build the model: ${err.message}`, 'error', 'build');
    }
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
    this.weights = null;
    if (!keepHistory || this.hist.offset + this.hist.length !== info.step) {
      this.hist = new LossHistory(info.step);
      this.val = [];
      this.last = null;
    }
    this.probe.data = null;
    this.probe.buffers = null;
    this.probe.sentText = null;
    this.probe.wantReset = true;
    this.unit = -1;
    this.unitPick = null;
    this.clamps = []; // a new model has none
    this.requestProbe();
    this.changed('status', 'chart', 'controls', 'probe', 'figure', 'clamps', 'instruments');
    this.emit('ready', { info: { ...info } });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Building, loading and training

  /**
   * Build a fresh model from the current state and text. Throws the reason if refused; the old model stays then.
   */
  async buildModel({ start: startAfter = false } = {}) {
    const problems = S.sizeProblems(this.st, this.textInfo.distinct);
    if (problems.length) throw new Error(problems.join('; '));
    const seq = ++this.buildSeq;
    const edits = this.formEdits;
    const msg = await this.client.request({ type: Cmd.CREATE, config: S.modelConfig(this.st), text: this.text });
    if (seq !== this.buildSeq) return;
    if (this.formEdits === edits) this.formEdited = false; // the form's values are the model's now
    this.adoptModel(msg);
    this.autosamples = [];
    this.unsay('build');
    this.unsay('diverged');
    this.changed('autosamples');
    this.writeState();
    if (startAfter) this.start();
  }

  /** A fresh model with `state`'s settings on the current text (the model form's "Build and train"). */
  async rebuild(state = this.st, { start = true } = {}) {
    const problems = S.sizeProblems(state, this.textInfo.distinct);
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
      this.changed('controls');
    }
  }

  /** Start (or resume) training, as soon as a training slot is free on this page. */
  start() {
    if (!this.model || this.closed) return;
    if (!this.visible) {
      this.resumeWhenVisible = true;
      return;
    }
    if (!trainingSlots().acquire(this)) {
      this.waitingForSlot = true;
      this.say('Waiting for a free core: other models on this page are training. This one starts when one of them pauses.', 'info', 'slot');
      this.changed('status');
      return;
    }
    this.trainNow();
  }

  /** The training slots' callback: a core is free for this model now. */
  slotGranted() {
    if (!this.waitingForSlot || this.closed) trainingSlots().release(this);
    else this.trainNow();
  }

  /** With a training slot held: tell the engine to train, on two workers where that pays (`plannedWorkers`). */
  trainNow() {
    this.waitingForSlot = false;
    this.unsay('slot');
    this.running = true;
    this.client.send({ type: Cmd.START, workers: this.plannedWorkers() });
    this.changed('status');
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
    this.resumeWhenVisible = false;
    if (this.waitingForSlot) {
      this.waitingForSlot = false;
      trainingSlots().release(this);
      this.unsay('slot');
      this.changed('status');
    }
    this.client.send({ type: Cmd.PAUSE });
  }

  /** Run `n` optimizer steps now, then stay paused. */
  stepOnce(n = 1) {
    if (!this.model) return;
    this.running = false;
    this.client.send({ type: Cmd.STEP, n: Math.max(1, n | 0) });
    this.changed('status');
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
      this.requestProbe(this.step !== this.probe.stepAtProbe);
    }
    this.changed('status');
  }

  setLr(lr) {
    this.st.lr = lr;
    if (this.model) this.client.send({ type: Cmd.SET_PARAMS, lr });
    this.writeStateSoon();
    this.changed('controls');
  }

  setClip(clip) {
    this.st.clip = clip;
    if (this.model) this.client.send({ type: Cmd.SET_PARAMS, clip });
    this.writeStateSoon();
  }

  /** The model file and its training state: `{bytes, trainingState, step}`. */
  async getBytes() {
    const r = await this.client.request({ type: Cmd.GET_BYTES });
    this.lastBytes = r.bytes;
    this.lastTrainingState = r.trainingState ?? null;
    return r;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Probing: the text box, incrementally

  /** Look at `text` (the diagram's text); only the new characters cost a step. */
  setProbeText(text) {
    this.st.probe = text;
    this.probe.pos = -1;
    this.requestProbe();
    this.writeStateSoon();
  }

  /**
   * The activations of `text` with the weights as they are now (the element's probe() method): resolves once the
   * probe of exactly it, made after the last training step, is in.
   */
  probeText(text) {
    const p = this.probe;
    // A probe from scratch, sent from now on: the weights may have changed since the last one.
    const first = p.sent + 1;
    p.wantReset = true;
    this.setProbeText(text);
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.closed) reject(new Error('the element was removed'));
        else if (p.data && p.text === text && p.dataSent >= first) resolve(p.data);
        else return false;
        this.removeEventListener('change', onChange);
        return true;
      };
      const onChange = (e) => e.detail.parts.includes('probe') && check();
      this.addEventListener('change', onChange);
      check();
    });
  }

  requestProbe(reset = false) {
    if (reset) this.probe.wantReset = true;
    this.pumpProbe();
  }

  pumpProbe() {
    const p = this.probe;
    if (p.inFlight || !this.model || !this.client.ready || this.closed) return;
    const text = this.st.probe;
    if (text === p.sentText && !p.wantReset) return;
    const id = this.client.id();
    p.inFlight = id;
    p.inFlightText = text;
    p.stepAtProbe = this.step;
    p.sent++;
    p.inFlightSent = p.sent;
    p.inFlightReset = p.wantReset;
    if (p.wantReset) p.resetAt = performance.now();
    this.client.send({ type: Cmd.PROBE, id, text, reset: p.wantReset });
    p.sentText = text;
    p.wantReset = false;
  }

  onProbe(m) {
    const p = this.probe;
    if (m.id !== p.inFlight) return;
    p.inFlight = 0;
    if (p.inFlightReset && Number.isFinite(m.ms)) p.resetMs = m.ms;
    this.unsay('probe');
    const next = applyProbe(p, m, p.inFlightText, this.model.info);
    p.buffers = next.buffers;
    p.data = next.data;
    p.text = p.inFlightText;
    p.dataSent = p.inFlightSent;
    p.generation++;
    this.changed('probe');
    this.pumpProbe();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Weights (the figure view reads them and lets the visitor edit one)

  /** The model's parameters by name, fetched once per model or edit. */
  async fetchWeights() {
    const generation = this.modelGeneration;
    const r = await this.client.request({ type: Cmd.WEIGHTS });
    if (generation !== this.modelGeneration) return null;
    const tensors = {};
    for (const t of r.tensors) tensors[t.name] = { shape: t.shape, data: t.data };
    this.weights = { generation, step: r.step, tensors };
    this.changed('figure');
    return this.weights;
  }

  /** Set one weight; every number downstream is probed again. Throws (and says) why a value is refused. */
  async setWeight(name, index, value) {
    try {
      await this.client.request({ type: Cmd.SET_WEIGHT, name, index, value });
    } catch (err) {
      this.say(`That weight was not changed: ${err.message}`, 'error', 'weight');
      throw err;
    }
    this.unsay('weight');
    await this.fetchWeights();
    this.requestProbe(true);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Sampling

  /** Stream a sample; resolves with its text when done. */
  startSample({ prime = this.st.prime, length = this.st.sampleLen, temperature = this.st.temperature, topK = this.st.topK, seed } = {}) {
    if (!this.model) return Promise.reject(new Error('there is no model yet'));
    this.sample.reject?.(new Error('another sample started'));
    const id = this.client.id();
    const count = this.sample.seq + 1;
    const s = seed ?? (this.st.seed * 7919 + count) >>> 0;
    const done = new Promise((resolve, reject) => {
      this.sample = { id, prime, text: '', active: true, chunks: 0, seq: count, resolve, reject };
    });
    done.catch(() => {});
    this.client.send({ type: Cmd.SAMPLE, id, prime, length, temperature, topK, seed: s });
    this.unsay('sample');
    this.changed('sample');
    return done;
  }

  cancelSample() {
    this.client.send({ type: Cmd.SAMPLE_CANCEL });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Comparison (comparison.js) and autosave (keeper.js)

  /** Train the three cells side by side on this text and settings; the main model pauses meanwhile. */
  startCompare() {
    if (!this.text) return;
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

// The text, model-file and instrument methods live in their own files; they are the Scope's own methods all the same.
for (const part of [TextMethods, FileMethods, InstrumentMethods]) {
  for (const name of Object.getOwnPropertyNames(part.prototype)) {
    if (name !== 'constructor') Object.defineProperty(Scope.prototype, name, Object.getOwnPropertyDescriptor(part.prototype, name));
  }
}
