// The model engine: one Session of the wasm core (one model with its trainer, probe and sampler) behind the message
// vocabulary of protocol.js. It runs inside a Web Worker (worker.js, its usual home) or, where no worker can start
// (a sandboxed iframe with an opaque origin, a host whose CSP forbids workers), on the main thread (client.js); the
// code is the same, only `post` differs.
//
// Training runs in chunks sized by measured time (~20 ms each) that yield to the event loop with
// setTimeout(…, 0), so pause, learning-rate changes, probes and samples are served between chunks. With helpers
// (helper.js workers) each step is shared (shared-steps.js): this worker sends each half of the streams with the
// weights to a helper and sums both answers, serving probes and other requests at once while they compute. What the
// page hears of training as it goes (losses, validation, samples) is progress.js's. Every wasm call
// is guarded: a refused request is reported and changes nothing; a diverged step pauses training (the Rust side
// has already rolled the weights back); a trap (WebAssembly.RuntimeError) means the instance can no longer be
// trusted, so the engine instantiates the module afresh and rebuilds the session from the last good model bytes.

import { Evt, ErrorKind, modelConfig, roomFor } from './protocol.js';
import { HANDLERS } from './requests.js';
import { CHUNK_MS, errorMessage, instantiate, isTrap } from './instance.js';
import { Progress } from './progress.js';
import { SharedSteps } from './shared-steps.js';
import { FreshProbe } from './fresh-probe.js';

const SNAPSHOT_MS = 2000; // refresh the last-good model bytes about this often while training
const SAMPLE_CHUNK_MS = 10;

export class Engine {
  /**
   * @param {WebAssembly.Module} module the compiled core (compiled once per page, see client.js)
   * @param {(msg: object) => void} post delivers a report to the page (transferring its typed arrays)
   */
  constructor(module, post) {
    this.module = module;
    this.post = post;
    /** @type {any} the wasm module namespace (pkg/rnnscope.js), or null until loaded */
    this.wasm = null;
    /** @type {any} the wasm exports (for recognising views into wasm memory) */
    this.wasmExports = null;
    this.instanceGeneration = 0;
    /** @type {any} the Session, or null before the first CREATE/LOAD */
    this.session = null;
    /** What the session was built from: `{config, text}`. */
    this.current = null;
    /** Whether the session's text may be trained on (false: a stand-in, see Cmd.LOAD). */
    this.trainable = false;
    /** The last model bytes known to be good, with what they need to be rebuilt: `{bytes, state, config, text}`. */
    this.lastGood = null;
    this.gateNamesOf = [];
    this.info = null;
    // Training loop state.
    this.running = false;
    this.stepsLeft = Infinity;
    this.timer = null;
    this.busy = false; // true while the wasm instance is being rebuilt
    /** Steps shared with helper workers. */
    this.shared = new SharedSteps(this);
    /** What the page hears of training as it goes. */
    this.progress = new Progress(post);
    /** Counts sessions, so the helper knows when the model's shape may have changed. */
    this.generation = 0;
    this.closed = false;
    this.lastSnapshotAt = 0;
    /** Streaming sample in progress: `{id, left, per}` or null. */
    this.sample = null;
    /** Counts changes of the weights and the text (steps, edits, new models), for analysis snapshots. */
    this.version = 0;
    /** The probe of the diagram's text being built afresh, in slices (fresh-probe.js). */
    this.fresh = new FreshProbe(this);
    // Requests are handled strictly in order; until the module is loaded, and while it is rebuilt, they wait.
    this.chain = Promise.resolve().then(() => this.init());
  }

  /** Take one request from the page. */
  receive(msg) {
    this.chain = this.chain.then(() => {
      const h = HANDLERS[msg && msg.type];
      if (!h) {
        this.post({ type: Evt.ERROR, id: msg && msg.id, op: String(msg && msg.type), kind: ErrorKind.REFUSED, message: 'unknown request' });
        return undefined;
      }
      if (!this.wasm) {
        this.post({ type: Evt.ERROR, id: msg.id, op: msg.type, kind: ErrorKind.REFUSED, message: 'the model code is not loaded' });
        return undefined;
      }
      try {
        const later = h.call(this, msg);
        if (later) return later.catch((err) => this.handleError(msg.type, msg.id, err));
      } catch (err) {
        return this.handleError(msg.type, msg.id, err);
      }
      return undefined;
    });
  }

  /** Stop for good and free the session (the main-thread engine's equivalent of terminating a worker). */
  close() {
    this.closed = true;
    this.shared.close('the engine was closed');
    this.running = false;
    this.sample = null;
    clearTimeout(this.timer);
    this.timer = null;
    try {
      this.session?.free();
    } catch {
      // already gone with a trapped instance
    }
    this.session = null;
  }

  async loadWasm() {
    const { wasm, exports } = await instantiate(this.module, this.instanceGeneration++);
    this.wasmExports = exports;
    this.wasm = wasm;
  }

  async init() {
    try {
      await this.loadWasm();
      this.post({ type: Evt.READY, corpora: Array.from(this.wasm.corpusNames()) });
    } catch (err) {
      this.post({ type: Evt.ERROR, op: 'init', kind: ErrorKind.FATAL, message: `could not load the model code: ${errorMessage(err)}` });
    }
  }

  /** A copy of a typed array if it is a view into wasm memory (which can detach when memory grows), else itself. */
  own(arr) {
    if (arr == null) return null;
    if (this.wasmExports && this.wasmExports.memory && arr.buffer === this.wasmExports.memory.buffer) return arr.slice();
    return arr;
  }

  /** The session's info plus the gate names the views need. */
  readInfo() {
    const i = this.session.info();
    const vocab = Array.from(i.vocab);
    return {
      cell: i.cell,
      nonlinearity: i.nonlinearity,
      hidden: i.hidden,
      layers: i.layers,
      vocab,
      params: i.params,
      step: i.step,
      gateNames: Array.from(this.wasm.gateNames(i.cell)),
    };
  }

  /** Remember the current model (and its training state) as the one to come back to after a crash. */
  snapshot() {
    const bytes = this.own(this.modelFile());
    const state = this.own(this.session.trainingState());
    this.lastGood = { bytes, state, config: this.current.config, text: this.current.text };
    this.lastSnapshotAt = performance.now();
    return { bytes, state };
  }

  /**
   * Go on from training-state bytes saved with the model just loaded into `next`, if there are any. Answers what came
   * back, for the page to tell: `'exactly'` (optimizer, data position, recurrent state), `'optimizer'` (the data
   * starts over; `note` says why) or `'fresh'` (the state did not fit; `note` says why), or null without a state.
   */
  resumeFrom(next, state) {
    if (!state) return null;
    try {
      const r = next.resume(state);
      return r.exact ? { restored: 'exactly' } : { restored: 'optimizer', note: r.note };
    } catch (err) {
      return { restored: 'fresh', note: errorMessage(err) };
    }
  }

  /**
   * The model file, with the settings it trains with now as its `train_config` (the shape the model's own, the
   * learning rate and clipping as last set), so `rnnscope train --resume` goes on with them.
   */
  modelFile() {
    const { cell, hidden, layers, nonlinearity } = this.info;
    const config = { ...this.current.config, cell, hidden, layers, nonlinearity: cell === 'rnn' ? nonlinearity : undefined };
    return this.session.modelBytes(JSON.stringify(config));
  }

  replaceSession(next, config, text) {
    if (this.session) {
      try {
        this.session.free();
      } catch {
        // A trapped instance may not free; it is being dropped anyway.
      }
    }
    this.session = next;
    this.version++;
    this.fresh.drop();
    this.generation++;
    this.shared.workers = 1;
    this.current = { config, text };
    this.info = this.readInfo();
    this.gateNamesOf = this.info.gateNames;
    this.progress.clear();
    this.snapshot();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Training loop

  schedule() {
    const train = this.running && !this.shared.inflight;
    if (this.timer === null && !this.busy && !this.closed && this.session && (train || this.sample || this.fresh.job)) {
      this.timer = setTimeout(() => this.tick(), 0);
    }
  }

  stopRunning(reason) {
    const was = this.running;
    this.running = false;
    this.stepsLeft = Infinity;
    this.progress.flush(true);
    if (was || reason !== 'paused') this.post({ type: Evt.STATUS, running: false, step: this.info ? this.info.step : 0, reason });
  }

  tick() {
    this.timer = null;
    if (this.busy || !this.session) return;
    try {
      if (this.sample) this.sampleChunk();
      if (this.fresh.job) this.fresh.slice();
      if (this.running && !this.shared.inflight) {
        if (this.shared.active) this.shared.startChunk();
        else this.trainChunk();
      }
      this.progress.flush(false);
    } catch (err) {
      const op = this.running ? 'train' : 'sample';
      // Later requests wait until the error (and a possible rebuild) is dealt with.
      this.chain = this.chain.then(() => this.handleError(op, undefined, err));
      return;
    }
    this.schedule();
  }

  /**
   * Train `n` steps, or with `ms` as many of at most `n` steps as fit in about `ms` milliseconds (the Rust side
   * keeps the time), and record them; answers how many steps ran. When training diverges (the Rust side has rolled
   * the parameters back to the last good step before throwing) it reports that and answers null; a trap is thrown
   * on, for recovery.
   */
  trainSteps(n, ms) {
    const t0 = performance.now();
    let r;
    try {
      r = ms === undefined ? this.session.train(n) : this.session.trainFor(ms, n);
    } catch (err) {
      if (isTrap(err)) throw err;
      this.reportDiverged(err);
      return null;
    }
    const dt = performance.now() - t0;
    this.record(r, dt);
    return r.losses.length;
  }

  /** Steps the next chunk may take. */
  stepLimit() {
    return Number.isFinite(this.stepsLeft) ? Math.max(1, Math.min(this.stepsLeft, 0xffffffff)) : 0xffffffff;
  }

  reportDiverged(err) {
    this.progress.flush(true);
    this.info.step = this.safeStep();
    this.version++;
    this.post({ type: Evt.ERROR, op: 'train', kind: ErrorKind.DIVERGED, message: errorMessage(err) });
  }

  trainChunk() {
    this.afterChunk(this.trainSteps(this.stepLimit(), CHUNK_MS));
  }

  /** After `n` steps of a chunk (null: diverged): validation, snapshots, samples, and stopping when done. */
  afterChunk(n) {
    if (n === null) {
      this.running = false;
      this.stepsLeft = Infinity;
      this.post({ type: Evt.STATUS, running: false, step: this.info.step, reason: 'diverged' });
      return;
    }
    this.stepsLeft -= n;
    const now = performance.now();
    if (this.progress.validationDue(now)) this.progress.measureValidation(this.session, this.info.step, now);
    if (now - this.lastSnapshotAt > SNAPSHOT_MS) this.snapshot();
    if (!this.sample && this.progress.autosampleDue(now)) this.progress.autosample(this.session, this.current.text, this.info.step, now);
    if (this.stepsLeft <= 0) {
      this.running = false;
      this.stepsLeft = Infinity;
      this.progress.flush(true);
      this.snapshot();
      this.post({ type: Evt.STATUS, running: false, step: this.info.step, reason: 'done' });
    }
  }

  safeStep() {
    try {
      return this.session.info().step;
    } catch {
      return this.info ? this.info.step : 0;
    }
  }

  /** Steps that ran (`r` as `Session.train` answers) in `ms` milliseconds: reported with the next progress. */
  record(r, ms) {
    this.progress.record(r, this.own(r.losses), ms);
    this.info.step = r.step;
    this.version++;
  }

  sampleChunk() {
    const t0 = performance.now();
    const n = Math.min(this.sample.left, this.sample.per);
    const text = this.session.sampleNext(n);
    this.sample.left -= n;
    const dt = performance.now() - t0;
    this.sample.per = Math.max(1, Math.min(4096, Math.round((n * SAMPLE_CHUNK_MS) / Math.max(dt, 0.05))));
    const done = this.sample.left <= 0;
    this.post({ type: Evt.SAMPLE, id: this.sample.id, text, done });
    if (done) this.sample = null;
  }

  /**
   * Answer probe `id` of `text` with `p` (as `Session.probe` answers), computed in `ms` with the weights of training
   * step `step` (default: the weights as they are now).
   */
  postProbe(id, p, text, ms, step = this.info?.step ?? 0) {
    // An answer from position 0 comes in arrays with room for a quarter more positions, which the page keeps as its
    // own buffers instead of copying them (tens of megabytes for a big model and a long text) on its thread.
    const room = p.from === 0 ? roomFor(p.steps) : 0;
    const roomy = (a, per) => {
      const own = this.own(a) ?? null;
      if (!room || !own) return own;
      const r = new own.constructor(room * per);
      r.set(own);
      return r;
    };
    const { layers: L, hidden: H, gates: G, vocab: V } = p;
    this.post({
      type: Evt.PROBE,
      id,
      ms,
      step,
      from: p.from,
      steps: p.steps,
      room,
      vocab: V,
      layers: L,
      hidden: H,
      gates: G,
      input: roomy(p.input, 1),
      h: roomy(p.h, L * H),
      c: roomy(p.c, L * H),
      gate: roomy(p.gate, L * G * H),
      logits: roomy(p.logits, V),
      probs: roomy(p.probs, V),
      params: this.own(p.params) ?? null,
      gateNames: this.gateNamesOf,
      text,
      textLength: text.length,
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Requests

  haltForNewModel() {
    if (this.running) this.stopRunning('paused');
    if (this.sample) this.post({ type: Evt.SAMPLE, id: this.sample.id, text: '', done: true });
    this.sample = null;
    this.progress.newModel();
  }

  requireSession() {
    if (!this.session) throw new Error('no model yet');
  }

  /** A session with a text it may train on (a model loaded with a stand-in text has none). */
  requireTrainable() {
    this.requireSession();
    if (!this.trainable) throw new Error('this model has no text to train on');
  }

  async handleError(op, id, err) {
    if (!isTrap(err)) {
      this.post({ type: Evt.ERROR, id, op, kind: ErrorKind.REFUSED, message: errorMessage(err) });
      return;
    }
    // The wasm instance trapped: its memory may be inconsistent. Drop it and rebuild from the last good bytes.
    this.running = false;
    this.stepsLeft = Infinity;
    this.sample = null;
    this.fresh.drop();
    this.progress.drop();
    this.post({
      type: Evt.ERROR,
      id,
      op,
      kind: ErrorKind.INTERNAL,
      message: `internal error (${errorMessage(err)}); restoring the last good model`,
    });
    this.post({ type: Evt.STATUS, running: false, step: this.info ? this.info.step : 0, reason: 'error' });
    this.busy = true;
    this.session = null;
    try {
      await this.loadWasm();
      if (this.lastGood) {
        const next = this.wasm.Session.fromModel(this.lastGood.bytes, modelConfig(this.lastGood.config), this.lastGood.text);
        const resumed = this.resumeFrom(next, this.lastGood.state);
        this.replaceSession(next, this.lastGood.config, this.lastGood.text);
        this.post({ type: Evt.MODEL, info: this.info, config: this.current.config, textLength: this.current.text.length, recovered: true, resumed });
      }
    } catch (err2) {
      this.post({ type: Evt.ERROR, op: 'recover', kind: ErrorKind.FATAL, message: errorMessage(err2) });
    } finally {
      this.busy = false;
    }
  }

}
