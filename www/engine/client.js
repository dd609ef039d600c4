// Talking to an engine (engine.js): in a Web Worker where one can start, else on the main thread, with the same
// messages either way. Also the two things every rnnscope element on a page shares (model-viewer's pattern of one
// shared renderer for all instances): the compiled core, fetched and compiled once and posted to every worker, and
// the training slots, so ten elements on a page do not train ten models at once.

import { Cmd, Evt, ErrorKind } from './protocol.js';
import { carried, freshGlue } from './carried.js';

/**
 * A module of one function using `f32x4.relaxed_madd`: it validates where the browser has relaxed SIMD. Three
 * zero `v128.const`s, the multiply-add, `end`.
 */
function relaxedSimd() {
  const zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
  const body = [0x00, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x0b];
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00];
  try {
    return WebAssembly.validate(new Uint8Array([...header, 0x0a, body.length + 2, 0x01, body.length, ...body]));
  } catch {
    return false;
  }
}

/**
 * Which build of the core this browser runs: the relaxed-SIMD one (fused multiply-adds) where it can, from the
 * folder; the single file carries only the SIMD128 build, which every browser with wasm SIMD runs.
 */
export const KERNELS = !carried && relaxedSimd() ? 'relaxed-simd' : 'simd128';

/**
 * Where the code of the core and of the two workers comes from: files beside this one in the folder (both builds of
 * the core share one JavaScript glue; scripts/build-wasm.sh checks that it is the same file), blob URLs of the text
 * the single file carries (made once per page).
 */
function codeUrls() {
  if (shared.urls) return shared.urls;
  if (carried) {
    // The file carries wasm-bindgen's glue once, as the function freshGlue; each worker's code reads it from a
    // declaration in front of it, made from that function's source text (scripts/build-single.mjs).
    const glue = `const __rnnscopeGlue = ${freshGlue.toString()};\n`;
    const blob = (text) => URL.createObjectURL(new Blob([glue, text], { type: 'text/javascript' }));
    shared.urls = { core: null, worker: blob(carried.worker), helper: blob(carried.helper) };
  } else {
    shared.urls = {
      core: new URL(KERNELS === 'relaxed-simd' ? '../pkg/rnnscope_relaxed_bg.wasm' : '../pkg/rnnscope_bg.wasm', import.meta.url),
      worker: new URL('./worker.js', import.meta.url),
      helper: new URL('./helper.js', import.meta.url),
    };
  }
  return shared.urls;
}

/** The compiled core the single file carries (gzip, base64), decompressed by the browser. */
async function carriedCore() {
  const zipped = Uint8Array.from(atob(carried.wasm), (c) => c.charCodeAt(0));
  const stream = new Blob([zipped]).stream().pipeThrough(new DecompressionStream('gzip'));
  return WebAssembly.compile(await new Response(stream).arrayBuffer());
}
/** Helper workers a model training on two workers has: one per half of each step. */
const HELPERS = 2;

/** What the page shares between its elements: the compiled core, live engines, and the training slots. */
const shared = {
  /** @type {Promise<WebAssembly.Module>|null} */
  core: null,
  /** Live clients (workers or main-thread engines), for the pool's count. */
  clients: new Set(),
  /** @type {TrainingSlots|null} */
  slots: null,
  /** @type {{core: URL|null, worker: URL|string, helper: URL|string}|null} see codeUrls() */
  urls: null,
  /**
   * The page's first worker: its engines wait for it to come up before starting theirs, so that where the page
   * allows none (a CSP without the workers' source) the browser reports one refusal, not one per element. Resolves
   * null once a worker came up, or why none can start.
   * @type {Promise<string|null>|null}
   */
  workerTrial: null,
};

/** The page's one compiled core (compiled on first use; a failure is forgotten so a later call tries again). */
export function compiledCore() {
  if (!shared.core) {
    shared.core = (async () => {
      if (carried) return carriedCore();
      const url = codeUrls().core;
      const res = await fetch(url);
      if (!res.ok) throw new Error(`could not fetch the model code (${url.pathname}: HTTP ${res.status})`);
      // compileStreaming needs the application/wasm type; some static hosts serve another.
      if (WebAssembly.compileStreaming && /application\/wasm/.test(res.headers.get('content-type') || '')) {
        return WebAssembly.compileStreaming(res);
      }
      return WebAssembly.compile(await res.arrayBuffer());
    })();
    shared.core.catch(() => {
      shared.core = null;
    });
  }
  return shared.core;
}

/** How many engines (workers, or main-thread engines) the page has running now, how many rest, and how many helper workers. */
export function liveEngines() {
  const clients = [...shared.clients];
  const live = clients.filter((c) => !c.asleep);
  return {
    total: live.length,
    workers: live.filter((c) => c.mode === 'worker').length,
    resting: clients.length - live.length,
    helpers: clients.reduce((n, c) => n + c.helpers.length, 0),
    kernels: KERNELS,
  };
}

/**
 * One engine: requests with answers (promises), and a stream of reports to `onEvent`. The engine runs in a module
 * worker; if none can start here, in this thread (`mode` says which, `onEvent` gets `{type: 'main-thread', reason}`
 * once). Messages sent before it is up wait in order.
 */
export class EngineClient {
  /** @param {(msg: any, client: EngineClient) => void} onEvent */
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.nextId = 1;
    this.pending = new Map();
    this.mode = 'starting';
    this.closed = false;
    /** @type {Worker[]} helper workers sharing the engine's steps (addHelpers) */
    this.helpers = [];
    /** What a resting engine needs to come back (`Evt.REST`), while it rests (see `rest`); else null. */
    this.asleep = null;
    /** True from waking until the new engine holds the model again. */
    this.waking = false;
    /**
     * While resting, the owner's answer to a message without an engine: a promise of the reply (null: none), or
     * undefined where the engine must wake for it.
     * @type {((msg: any, kept: any) => Promise<any>|undefined)|null}
     */
    this.answerAsleep = null;
    /** Counts messages sent, so `rest` knows whether any went out while it asked. */
    this.sends = 0;
    /** @type {(() => void)[]} waiting for the engine to be up (`awake`) */
    this.wakers = [];
    shared.clients.add(this);
    this.spawn();
  }

  spawn() {
    this.ready = false;
    this.queue = [];
    this.worker = null;
    this.engine = null;
    const generation = (this.generation = (this.generation ?? 0) + 1);
    compiledCore().then(
      (module) => {
        if (this.closed || generation !== this.generation) return;
        this.module = module;
        this._startWorker(module);
      },
      (err) => {
        if (this.closed) return;
        this.onEvent({ type: Evt.ERROR, op: 'init', kind: ErrorKind.FATAL, message: err.message || String(err) }, this);
      },
    );
  }

  async _startWorker(module) {
    // A document with an opaque origin (a sandboxed iframe without allow-same-origin) cannot start a worker from
    // a URL: go straight to this thread rather than have the browser log the refusal.
    if (globalThis.origin === 'null' || typeof Worker === 'undefined') {
      this._startInThisThread(module, new Error('no worker can start in a page with an opaque origin'));
      return;
    }
    if (shared.workerTrial) {
      const refused = await shared.workerTrial;
      if (this.closed) return;
      if (refused) {
        this._startInThisThread(module, new Error(refused));
        return;
      }
    } else {
      shared.workerTrial = new Promise((resolve) => {
        this.settleTrial = (why) => {
          this.settleTrial = null;
          resolve(why);
        };
      });
    }
    let worker;
    try {
      worker = new Worker(codeUrls().worker, { type: 'module' });
    } catch (err) {
      this.settleTrial?.(err.message || String(err));
      this._startInThisThread(module, err);
      return;
    }
    this.worker = worker;
    this.mode = 'worker';
    worker.onmessage = (e) => this._receive(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      if (!this.ready && this.worker === worker) {
        // It never came up (its script was refused, say): run here instead.
        worker.terminate();
        this.worker = null;
        this.settleTrial?.(e.message || 'the worker did not start');
        this._startInThisThread(module, new Error(e.message || 'the worker did not start'));
        return;
      }
      this._failAll(e.message || 'the worker stopped');
      this.onEvent({ type: 'crash', message: e.message || 'the worker stopped' }, this);
    };
    worker.onmessageerror = () => {
      this.onEvent({ type: Evt.ERROR, op: 'message', kind: ErrorKind.REFUSED, message: 'a message from the worker could not be read' }, this);
    };
    // Requests wait in `queue` until the worker says it is ready: if it cannot load the model code (its import
    // refused, as in a sandboxed origin), the engine starts in this thread instead and they go there.
    worker.postMessage({ type: 'init', module });
  }

  async _startInThisThread(module, why) {
    this.mode = 'main-thread';
    const { Engine } = await import('./engine.js');
    if (this.closed) return;
    // Reports come back asynchronously, as from a worker.
    this.engine = new Engine(module, (m) => queueMicrotask(() => this._receive(m)));
    this.onEvent({ type: 'main-thread', reason: why?.message || String(why) }, this);
    for (const [msg] of this.queue.splice(0)) this.engine.receive(msg);
  }

  /**
   * Give the worker back while the model rests (scope/rest.js): the engine hands over what brings it back exactly
   * (`Cmd.REST`) and the worker stops. Messages meanwhile go to `answerAsleep`; one it cannot answer wakes the
   * engine: a new worker, given the kept model (`Cmd.LOAD`) before the message. Answers whether it rests: not
   * when the engine is not a worker of its own at rest, or when a message went out while it asked.
   */
  async rest() {
    if (this.mode !== 'worker' || !this.ready || this.asleep || this.waking || this.closed || this.pending.size || this.helpers.length) return false;
    const before = this.sends;
    let kept;
    try {
      kept = await this.request({ type: Cmd.REST });
    } catch {
      return false;
    }
    if (this.sends !== before + 1 || this.pending.size || this.closed || !this.ready || this.waking) return false;
    this._stop();
    this.asleep = kept;
    return true;
  }

  /** Resolves once the engine is up (waking it if it rests). */
  awake() {
    if (this.asleep) this._wake();
    if (this.ready && !this.waking) return Promise.resolve();
    return new Promise((resolve) => this.wakers.push(resolve));
  }

  /** A resting engine comes back: a new worker, loaded with the kept model before anything else. */
  _wake() {
    const kept = this.asleep;
    this.asleep = null;
    this.spawn();
    this.waking = true;
    const id = this.nextId++;
    this.pending.set(id, {
      resolve: () => {},
      reject: (err) => this.onEvent({ type: Evt.ERROR, op: 'wake', kind: ErrorKind.INTERNAL, message: `the resting model could not be brought back (${err.message})` }, this),
    });
    // Not transferred: the owner may hold the same arrays (the last good model, for a crash).
    const { bytes, trainingState, config, text, trainable } = kept;
    this.queue.push([{ type: Cmd.LOAD, id, bytes, trainingState, config, text, trainable }, []]);
  }

  /** Kill and start afresh (after a crash). */
  respawn() {
    this._stop();
    this._failAll('the worker was restarted');
    this.spawn();
  }

  /** Stop the engine for good and forget it. */
  terminate() {
    this.closed = true;
    this.settleTrial?.(null); // unknown: the next engine tries
    this._stop();
    this._failAll('the worker was stopped');
    shared.clients.delete(this);
  }

  /**
   * Give the engine `n` helper workers (helper.js) to share its steps with, each connected to it by a
   * MessageChannel of their own; answers whether it has them. None where the engine is not itself in a worker.
   * With two, the engine's own worker only coordinates while they compute, so it answers probes at once.
   */
  addHelpers(n = HELPERS) {
    if (this.helpers.length >= n) return true;
    if (this.mode !== 'worker' || !this.worker || !this.module) return false;
    while (this.helpers.length < n) {
      let helper;
      try {
        helper = new Worker(codeUrls().helper, { type: 'module' });
      } catch {
        return this.helpers.length > 0;
      }
      const channel = new MessageChannel();
      helper.onerror = (e) => {
        e.preventDefault();
        if (this.helpers.includes(helper)) this.dropHelpers(e.message || 'a helper worker stopped');
      };
      helper.postMessage({ type: 'init', module: this.module, port: channel.port1 }, [channel.port1]);
      this.worker.postMessage({ type: Cmd.HELPER, port: channel.port2 }, [channel.port2]);
      this.helpers.push(helper);
    }
    return true;
  }

  /** Stop the helper workers; the engine, told why, trains on in one worker. */
  dropHelpers(why = 'the helper workers were stopped') {
    if (!this.helpers.length) return;
    for (const h of this.helpers) h.terminate();
    this.helpers = [];
    this.send({ type: Cmd.HELPER_LOST, message: why });
  }

  _stop() {
    for (const h of this.helpers) h.terminate();
    this.helpers = [];
    this.worker?.terminate();
    this.worker = null;
    this.engine?.close();
    this.engine = null;
  }

  /** Fire and forget. */
  send(msg, transfer = []) {
    if (this.closed) return;
    this.sends++;
    if (this.asleep) {
      const local = this.answerAsleep?.(msg, this.asleep);
      if (local) {
        // Answered without the engine; where that fails, the engine wakes and answers itself.
        local.then(
          (reply) => reply && this._receive(reply),
          () => {
            if (this.closed) return;
            if (this.asleep) this._wake();
            this.send(msg, transfer);
          },
        );
        return;
      }
      this._wake();
    }
    if (this.worker && this.ready) this.worker.postMessage(msg, transfer);
    else if (this.engine) {
      const engine = this.engine;
      queueMicrotask(() => engine.receive(msg));
    } else this.queue.push([msg, transfer]);
  }

  /** A request whose answer (matched by id) resolves the promise, or whose Evt.ERROR rejects it. */
  request(msg, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(Object.assign(new Error('the worker was stopped'), { kind: ErrorKind.FATAL }));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.send({ ...msg, id }, transfer);
    });
  }

  /** A fresh id for requests answered through onEvent (probes, samples). */
  id() {
    return this.nextId++;
  }

  _failAll(message) {
    for (const p of this.pending.values()) p.reject(Object.assign(new Error(message), { kind: ErrorKind.FATAL }));
    this.pending.clear();
  }

  _receive(msg) {
    if (this.closed) return;
    if (this.worker && !this.ready && msg.type === Evt.ERROR && msg.op === 'init') {
      // The worker started but could not load the model code: run it here instead.
      this.worker.terminate();
      this.worker = null;
      this.settleTrial?.(msg.message);
      this._startInThisThread(this.module, new Error(msg.message));
      return;
    }
    if (msg.type === Evt.READY) {
      this.ready = true;
      this.settleTrial?.(null);
      if (this.worker) for (const [m, transfer] of this.queue.splice(0)) this.worker.postMessage(m, transfer);
      for (const w of this.wakers.splice(0)) w();
      if (this.waking) {
        // A rested engine, up again: its owner already has the model (the kept one loads first).
        this.waking = false;
        this.onEvent({ type: 'awake' }, this);
        return;
      }
    }
    if (msg.id !== undefined && this.pending.has(msg.id)) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.type === Evt.ERROR) p.reject(Object.assign(new Error(msg.message), { kind: msg.kind, op: msg.op }));
      else p.resolve(msg);
      return;
    }
    this.onEvent(msg, this);
  }
}

/**
 * Training slots: at most `size` models train at once on a page (one per core by default). A holder asks with
 * `acquire(holder)`; it gets a slot at once (true) or waits in line (false) and is called back with
 * `holder.slotGranted()` when one frees up. `release(holder)` gives a slot back or leaves the line.
 */
export class TrainingSlots {
  constructor(size) {
    this.size = Math.max(1, size | 0);
    this.holders = new Set();
    /** Holders that also have a second slot (a model training on two workers). */
    this.doubled = new Set();
    this.waiting = [];
  }

  /** Slots in use. */
  used() {
    return this.holders.size + this.doubled.size;
  }

  acquire(holder) {
    if (this.holders.has(holder)) return true;
    if (this.used() < this.size) {
      this.holders.add(holder);
      return true;
    }
    if (!this.waiting.includes(holder)) this.waiting.push(holder);
    return false;
  }

  /**
   * A second slot for a holder that has one, for training on two workers: only when one is free and nobody waits.
   * `release` gives both back.
   */
  acquireSecond(holder) {
    if (!this.holders.has(holder)) return false;
    if (this.doubled.has(holder)) return true;
    if (this.used() >= this.size || this.waiting.length) return false;
    this.doubled.add(holder);
    return true;
  }

  release(holder) {
    this.waiting = this.waiting.filter((h) => h !== holder);
    this.doubled.delete(holder);
    if (!this.holders.delete(holder)) return;
    while (this.used() < this.size && this.waiting.length) {
      const next = this.waiting.shift();
      this.holders.add(next);
      next.slotGranted();
    }
  }

  isWaiting(holder) {
    return this.waiting.includes(holder);
  }
}

/** The page's training slots: one per core the browser reports (`navigator.hardwareConcurrency`). */
export function trainingSlots() {
  if (!shared.slots) shared.slots = new TrainingSlots(globalThis.navigator?.hardwareConcurrency || 1);
  return shared.slots;
}

