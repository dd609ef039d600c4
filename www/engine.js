// The model engine: one Session of the wasm core (one model with its trainer, probe and sampler) behind the message
// vocabulary of protocol.js. It runs inside a Web Worker (worker.js, its usual home) or, where no worker can start
// (a sandboxed iframe with an opaque origin, a host whose CSP forbids workers), on the main thread (client.js); the
// code is the same, only `post` differs.
//
// Training runs in chunks sized by measured time (~20 ms each) that yield to the event loop with
// setTimeout(…, 0), so pause, learning-rate changes, probes and samples are served between chunks. With helpers
// (helper.js workers, through HelperLinks) each step is shared: this worker sends each half of the streams with the
// weights to a helper and sums both answers (Session.shareBegin / shareFinish), serving probes and other requests
// at once while they compute; with one helper it computes the first half itself (shareRunFirst). Every wasm call
// is guarded: a refused request is reported and changes nothing; a diverged step pauses training (the Rust side
// has already rolled the weights back); a trap (WebAssembly.RuntimeError) means the instance can no longer be
// trusted, so the engine instantiates the module afresh and rebuilds the session from the last good model bytes.

import { Cmd, Evt, ErrorKind } from './protocol.js';
import { HelperLink } from './helper-link.js';
import { SharedTraining } from './engine-shared.js';

export const CHUNK_MS = 20; // target duration of one training chunk
const PROGRESS_MS = 100; // at most one PROGRESS message per this period
const VALIDATION_MS = 1000; // measure validation loss about this often while training
const VALIDATION_CHARS = 4096;
const AUTOSAMPLE_MS = 2500; // take a short sample about this often while training
const AUTOSAMPLE_LEN = 160;
const SNAPSHOT_MS = 2000; // refresh the last-good model bytes about this often while training
const SAMPLE_CHUNK_MS = 10;

/**
 * A fresh instance of the compiled core: wasm-bindgen's glue caches one instance per module URL, so each
 * generation imports the glue under its own URL and instantiates the shared `WebAssembly.Module` synchronously.
 * @param {WebAssembly.Module} module
 * @param {number} generation
 * @returns {Promise<{wasm: any, exports: any}>}
 */
export async function instantiate(module, generation) {
  const url = new URL(generation === 0 ? './pkg/rnnscope.js' : `./pkg/rnnscope.js?instance=${generation}`, import.meta.url);
  const wasm = await import(url.href);
  const exports = wasm.initSync({ module });
  return { wasm, exports };
}

export function errorMessage(err) {
  if (err instanceof Error) return err.message || String(err);
  return String(err);
}

export function isTrap(err) {
  return err instanceof WebAssembly.RuntimeError;
}

function sessionConfig(config) {
  const c = {
    cell: config.cell,
    hidden: config.hidden,
    layers: config.layers,
    seqLen: config.seqLen,
    batch: config.batch,
    optimizer: config.optimizer,
    lr: config.lr,
    clip: config.clip,
    seed: config.seed,
    valFraction: config.valFraction,
  };
  if (config.cell === 'rnn' && config.nonlinearity) c.nonlinearity = config.nonlinearity;
  return c;
}

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
    /** The last model bytes known to be good, with what they need to be rebuilt: `{bytes, state, config, text}`. */
    this.lastGood = null;
    this.gateNamesOf = [];
    this.info = null;
    // Training loop state.
    this.running = false;
    this.stepsLeft = Infinity;
    this.timer = null;
    this.busy = false; // true while the wasm instance is being rebuilt
    /** @type {HelperLink[]} the helper workers the page gave (one or two) */
    this.helpers = [];
    /** Workers the steps run on now (1, or 2 with helpers). */
    this.workers = 1;
    /** @type {Promise<void>|null} a chunk of shared steps in progress */
    this.inflight = null;
    /** Counts sessions, so the helper knows when the model's shape may have changed. */
    this.generation = 0;
    this.closed = false;
    // Accumulated for the next PROGRESS message.
    this.pending = null;
    this.lastProgressAt = 0;
    this.lastValidationAt = 0;
    this.lastAutosampleAt = 0;
    this.lastSnapshotAt = 0;
    this.valChars = VALIDATION_CHARS;
    /** Streaming sample in progress: `{id, left, per}` or null. */
    this.sample = null;
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
    for (const h of this.helpers) h.lose('the engine was closed');
    this.helpers = [];
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
    const bytes = this.own(this.session.modelBytes());
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

  resetPending() {
    this.pending = { losses: [], firstStep: this.info ? this.info.step : 0, chars: 0, ms: 0, last: null, valLoss: undefined, valStep: 0 };
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
    this.generation++;
    this.workers = 1;
    this.current = { config, text };
    this.info = this.readInfo();
    this.gateNamesOf = this.info.gateNames;
    this.resetPending();
    this.snapshot();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Training loop

  schedule() {
    const train = this.running && !this.inflight;
    if (this.timer === null && !this.busy && !this.closed && this.session && (train || this.sample)) {
      this.timer = setTimeout(() => this.tick(), 0);
    }
  }

  stopRunning(reason) {
    const was = this.running;
    this.running = false;
    this.stepsLeft = Infinity;
    this.flushProgress(true);
    if (was || reason !== 'paused') this.post({ type: Evt.STATUS, running: false, step: this.info ? this.info.step : 0, reason });
  }

  tick() {
    this.timer = null;
    if (this.busy || !this.session) return;
    try {
      if (this.sample) this.sampleChunk();
      if (this.running && !this.inflight) {
        if (this.workers > 1 && this.helpers.length) this.inflight = this.sharedChunk();
        else this.trainChunk();
      }
      this.flushProgress(false);
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
    this.flushProgress(true);
    this.info.step = this.safeStep();
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
    if (now - this.lastValidationAt > VALIDATION_MS) this.measureValidation(now);
    if (now - this.lastSnapshotAt > SNAPSHOT_MS) this.snapshot();
    if (!this.sample && now - this.lastAutosampleAt > AUTOSAMPLE_MS) this.autosample(now);
    if (this.stepsLeft <= 0) {
      this.running = false;
      this.stepsLeft = Infinity;
      this.flushProgress(true);
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

  record(r, ms) {
    const losses = this.own(r.losses);
    this.pending.losses.push(losses instanceof Float32Array ? losses : Float32Array.from(losses));
    this.pending.chars += r.chars;
    this.pending.ms += ms;
    this.pending.last = r;
    this.info.step = r.step;
  }

  measureValidation(now) {
    const t0 = performance.now();
    const v = this.session.validationLoss(this.valChars);
    const dt = performance.now() - t0;
    if (dt > CHUNK_MS && this.valChars > 256) this.valChars = Math.max(256, Math.floor(this.valChars / 2));
    this.lastValidationAt = now;
    this.pending.valLoss = v;
    this.pending.valStep = this.info.step;
  }

  autosample(now) {
    this.lastAutosampleAt = now;
    const text = this.current.text;
    const prime = text.length ? String.fromCodePoint(text.codePointAt(0)) : '';
    this.session.sampleBegin(prime, 0.8, 0, BigInt(this.info.step >>> 0));
    const out = this.session.sampleNext(AUTOSAMPLE_LEN);
    this.post({ type: Evt.AUTOSAMPLE, step: this.info.step, prime, text: out });
  }

  flushProgress(force) {
    if (!this.pending || this.pending.losses.length === 0) return;
    const now = performance.now();
    if (!force && now - this.lastProgressAt < PROGRESS_MS) return;
    this.lastProgressAt = now;
    let total = 0;
    for (const a of this.pending.losses) total += a.length;
    const losses = new Float32Array(total);
    let off = 0;
    for (const a of this.pending.losses) {
      losses.set(a, off);
      off += a.length;
    }
    const r = this.pending.last;
    const msg = {
      type: Evt.PROGRESS,
      step: r.step,
      firstStep: r.step - total,
      losses,
      loss: r.loss,
      smoothLoss: r.smoothLoss,
      gradNorm: r.gradNorm,
      clipped: r.clipped,
      chars: this.pending.chars,
      charsPerSec: this.pending.ms > 0 ? (this.pending.chars * 1000) / this.pending.ms : 0,
      wrapped: r.wrapped,
    };
    if (this.pending.valLoss !== undefined) {
      msg.valLoss = this.pending.valLoss;
      msg.valStep = this.pending.valStep;
    }
    this.resetPending();
    this.post(msg);
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

  // ---------------------------------------------------------------------------------------------------------------
  // Requests

  haltForNewModel() {
    if (this.running) this.stopRunning('paused');
    if (this.sample) this.post({ type: Evt.SAMPLE, id: this.sample.id, text: '', done: true });
    this.sample = null;
    this.valChars = VALIDATION_CHARS;
  }

  requireSession() {
    if (!this.session) throw new Error('no model yet');
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
    this.pending = null;
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
        const next = this.wasm.Session.fromModel(this.lastGood.bytes, sessionConfig(this.lastGood.config), this.lastGood.text);
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

/** Request handlers, called with the engine as `this`. */
const HANDLERS = {
  [Cmd.CORPUS](msg) {
    this.post({ type: Evt.CORPUS, id: msg.id, name: msg.name, text: this.wasm.corpusText(msg.name) });
  },

  [Cmd.INSPECT](msg) {
    this.post({ type: Evt.INSPECTED, id: msg.id, vocab: Array.from(this.wasm.modelFileVocab(msg.bytes)) });
  },

  [Cmd.CREATE](msg) {
    const next = new this.wasm.Session(sessionConfig(msg.config), msg.text);
    this.haltForNewModel();
    this.replaceSession(next, msg.config, msg.text);
    this.post({ type: Evt.MODEL, id: msg.id, info: this.info, config: msg.config, textLength: msg.text.length });
  },

  [Cmd.LOAD](msg) {
    const next = this.wasm.Session.fromModel(msg.bytes, sessionConfig(msg.config), msg.text);
    const resumed = this.resumeFrom(next, msg.trainingState);
    this.haltForNewModel();
    this.replaceSession(next, msg.config, msg.text);
    this.post({ type: Evt.MODEL, id: msg.id, info: this.info, config: msg.config, textLength: msg.text.length, loaded: true, resumed });
  },

  [Cmd.SET_TEXT](msg) {
    this.requireSession();
    this.session.setText(msg.text);
    this.current = { config: this.current.config, text: msg.text };
    if (this.lastGood) this.lastGood = { ...this.lastGood, text: msg.text };
    this.post({ type: Evt.TEXT, id: msg.id, textLength: msg.text.length });
  },

  [Cmd.SET_PARAMS](msg) {
    this.requireSession();
    if (msg.lr !== undefined) {
      this.session.setLearningRate(msg.lr);
      this.current = { ...this.current, config: { ...this.current.config, lr: msg.lr } };
    }
    if (msg.clip !== undefined) {
      this.session.setClip(msg.clip);
      this.current = { ...this.current, config: { ...this.current.config, clip: msg.clip } };
    }
  },

  [Cmd.START](msg) {
    this.requireSession();
    this.stepsLeft = msg.maxSteps > 0 ? msg.maxSteps : Infinity;
    const workers = msg.workers > 1 ? 2 : 1;
    if (!this.running) {
      this.useWorkers(workers);
      this.running = true;
      const now = performance.now();
      this.lastAutosampleAt = now - AUTOSAMPLE_MS + 600; // first sample soon after starting
      this.lastValidationAt = now - VALIDATION_MS + 300;
      this.post({ type: Evt.STATUS, running: true, step: this.info.step, workers: this.workers });
    }
    this.schedule();
  },

  [Cmd.HELPER](msg) {
    this.helpers.push(new HelperLink(msg.port));
  },

  [Cmd.HELPER_LOST](msg) {
    this.loseHelper(String(msg.message || 'a helper worker stopped'));
  },

  [Cmd.PAUSE]() {
    if (!this.running) {
      this.post({ type: Evt.STATUS, running: false, step: this.info ? this.info.step : 0, reason: 'paused' });
      return undefined;
    }
    this.stopRunning('paused');
    // A shared step in flight still lands; the snapshot waits for it.
    if (this.inflight) return this.inflight.then(() => this.session && this.snapshot());
    if (this.session) this.snapshot();
    return undefined;
  },

  [Cmd.STEP](msg) {
    this.requireSession();
    if (this.running) this.stopRunning('paused');
    if (this.trainSteps(Math.max(1, msg.n | 0 || 1)) === null) return;
    if (this.current.config.valFraction > 0) this.measureValidation(performance.now());
    this.flushProgress(true);
  },

  [Cmd.PROBE](msg) {
    this.requireSession();
    const t0 = performance.now();
    if (msg.reset) this.session.probeReset();
    const p = this.session.probe(msg.text);
    this.post({
      type: Evt.PROBE,
      id: msg.id,
      ms: performance.now() - t0,
      from: p.from,
      steps: p.steps,
      vocab: p.vocab,
      layers: p.layers,
      hidden: p.hidden,
      gates: p.gates,
      input: this.own(p.input),
      h: this.own(p.h),
      c: this.own(p.c) ?? null,
      gate: this.own(p.gate) ?? null,
      logits: this.own(p.logits),
      probs: this.own(p.probs),
      gateNames: this.gateNamesOf,
      textLength: msg.text.length,
    });
  },

  [Cmd.SAMPLE](msg) {
    this.requireSession();
    if (this.sample) this.post({ type: Evt.SAMPLE, id: this.sample.id, text: '', done: true });
    this.sample = null;
    this.session.sampleBegin(msg.prime, msg.temperature, msg.topK | 0, BigInt(msg.seed >>> 0));
    this.sample = { id: msg.id, left: Math.max(0, msg.length | 0), per: 16 };
    if (this.sample.left === 0) {
      this.post({ type: Evt.SAMPLE, id: msg.id, text: '', done: true });
      this.sample = null;
    }
    this.schedule();
  },

  [Cmd.SAMPLE_CANCEL]() {
    if (this.sample) this.post({ type: Evt.SAMPLE, id: this.sample.id, text: '', done: true });
    this.sample = null;
  },

  [Cmd.WEIGHTS](msg) {
    this.requireSession();
    const tensors = Array.from(this.session.parameters(), (t) => ({ name: t.name, shape: Array.from(t.shape), data: this.own(t.data) }));
    this.post({ type: Evt.WEIGHTS, id: msg.id, step: this.info.step, tensors });
  },

  [Cmd.SET_WEIGHT](msg) {
    this.requireSession();
    if (this.running) this.stopRunning('paused');
    this.session.setParameter(String(msg.name), msg.index >>> 0, Number(msg.value));
    this.post({ type: Evt.WEIGHT_SET, id: msg.id, name: msg.name, index: msg.index, value: msg.value });
  },

  [Cmd.ANALYSE](msg) {
    this.requireSession();
    const report = this.session.analyse(msg.request);
    this.post({ type: Evt.ANALYSIS, id: msg.id, step: this.info.step, report });
  },

  [Cmd.SET_CLAMPS](msg) {
    this.requireSession();
    this.session.setClamps(msg.clamps);
    this.post({ type: Evt.CLAMPS, id: msg.id, clamps: msg.clamps });
  },

  [Cmd.GET_BYTES](msg) {
    this.requireSession();
    const { bytes, state } = this.snapshot();
    // Keep our own copies; transfer second ones.
    this.post({ type: Evt.BYTES, id: msg.id, bytes: bytes.slice(), trainingState: state.slice(), step: this.info.step });
  },
};

// Training shared with helper workers lives in its own file; its methods are the Engine's own all the same.
for (const name of Object.getOwnPropertyNames(SharedTraining.prototype)) {
  if (name !== 'constructor') Object.defineProperty(Engine.prototype, name, Object.getOwnPropertyDescriptor(SharedTraining.prototype, name));
}
