// The training worker: the ONLY file that imports the wasm module (../pkg/rnnscope.js). It owns one Session —
// one model with its trainer, probe and sampler — and speaks the vocabulary of protocol.js.
//
// Training runs in chunks sized by measured time (~20 ms each) that yield to the event loop with
// setTimeout(…, 0), so pause, learning-rate changes, probes and samples are served between chunks. Every wasm call
// is guarded: a refused request is reported and changes nothing; a diverged step pauses training (the Rust side
// has already rolled the weights back); a trap (WebAssembly.RuntimeError) means the instance can no longer be
// trusted, so the worker loads a fresh instance and rebuilds the session from the last good model bytes it keeps.

import { Cmd, Evt, ErrorKind, transferables } from './protocol.js';

const CHUNK_MS = 20; // target duration of one training chunk
const PROGRESS_MS = 100; // at most one PROGRESS message per this period
const VALIDATION_MS = 1000; // measure validation loss about this often while training
const VALIDATION_CHARS = 4096;
const AUTOSAMPLE_MS = 2500; // take a short sample about this often while training
const AUTOSAMPLE_LEN = 160;
const SNAPSHOT_MS = 2000; // refresh the last-good model bytes about this often while training
const SAMPLE_CHUNK_MS = 10;

/** @type {any} the wasm module namespace (../pkg/rnnscope.js) */
let wasm = null;
/** @type {any} the wasm exports (for recognising views into wasm memory) */
let wasmExports = null;
let instanceGeneration = 0;

/** @type {any} the Session, or null before the first CREATE/LOAD */
let session = null;
/** What the session was built from: `{config, text}`. */
let current = null;
/** The last model bytes known to be good, with what they need to be rebuilt: `{bytes, config, text}`. */
let lastGood = null;
let gateNamesOf = [];
let info = null;

// Training loop state.
let running = false;
let stepsLeft = Infinity;
let chunkSteps = 1;
let timer = null;
let busy = false; // true while the wasm instance is being rebuilt

// Accumulated for the next PROGRESS message.
let pending = null;
let lastProgressAt = 0;
let lastValidationAt = 0;
let lastAutosampleAt = 0;
let lastSnapshotAt = 0;
let valChars = VALIDATION_CHARS;

// Streaming sample in progress: `{id, left, per}` or null.
let sample = null;

function post(msg) {
  self.postMessage(msg, transferables(msg));
}

function errorMessage(err) {
  if (err instanceof Error) return err.message || String(err);
  return String(err);
}

function isTrap(err) {
  return err instanceof WebAssembly.RuntimeError;
}

/** A copy of a typed array if it is a view into wasm memory (which can detach when memory grows), else itself. */
function own(arr) {
  if (arr == null) return null;
  if (wasmExports && wasmExports.memory && arr.buffer === wasmExports.memory.buffer) return arr.slice();
  return arr;
}

/** The session's info plus the gate names the views need. */
function readInfo() {
  const i = session.info();
  const vocab = Array.from(i.vocab);
  return {
    cell: i.cell,
    nonlinearity: i.nonlinearity,
    hidden: i.hidden,
    layers: i.layers,
    vocab,
    params: i.params,
    step: i.step,
    gateNames: Array.from(wasm.gateNames(i.cell)),
  };
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

/** Remember the current model (and its training state) as the one to come back to after a crash. */
function snapshot() {
  const bytes = own(session.modelBytes());
  const state = own(session.trainingState());
  lastGood = { bytes, state, config: current.config, text: current.text };
  lastSnapshotAt = performance.now();
  return { bytes, state };
}

/**
 * Go on from training-state bytes saved with the model just loaded into `next`, if there are any. Answers what came
 * back, for the page to tell: `'exactly'` (optimizer, data position, recurrent state), `'optimizer'` (the data
 * starts over; `note` says why) or `'fresh'` (the state did not fit; `note` says why), or null without a state.
 */
function resumeFrom(next, state) {
  if (!state) return null;
  try {
    const r = next.resume(state);
    return r.exact ? { restored: 'exactly' } : { restored: 'optimizer', note: r.note };
  } catch (err) {
    return { restored: 'fresh', note: errorMessage(err) };
  }
}

function resetPending() {
  pending = { losses: [], firstStep: info ? info.step : 0, chars: 0, ms: 0, last: null, valLoss: undefined, valStep: 0 };
}

function replaceSession(next, config, text) {
  if (session) {
    try {
      session.free();
    } catch {
      // A trapped instance may not free; it is being dropped anyway.
    }
  }
  session = next;
  current = { config, text };
  info = readInfo();
  gateNamesOf = info.gateNames;
  resetPending();
  snapshot();
}

// ---------------------------------------------------------------------------------------------------------------
// Training loop

function schedule() {
  if (timer === null && !busy && session && (running || sample)) timer = setTimeout(tick, 0);
}

function stopRunning(reason) {
  const was = running;
  running = false;
  stepsLeft = Infinity;
  flushProgress(true);
  if (was || reason !== 'paused') post({ type: Evt.STATUS, running: false, step: info ? info.step : 0, reason });
}

function tick() {
  timer = null;
  if (busy || !session) return;
  try {
    if (sample) sampleChunk();
    if (running) trainChunk();
    flushProgress(false);
  } catch (err) {
    const op = running ? 'train' : 'sample';
    // Later requests wait until the error (and a possible rebuild) is dealt with.
    chain = chain.then(() => handleError(op, undefined, err));
    return;
  }
  schedule();
}

/**
 * Train `n` steps and record them; answers how long they took in ms. When training diverges (the Rust side has
 * rolled the parameters back to the last good step before throwing) it reports that and answers null; a trap is
 * thrown on, for recovery.
 */
function trainSteps(n) {
  const t0 = performance.now();
  let r;
  try {
    r = session.train(n);
  } catch (err) {
    if (isTrap(err)) throw err;
    flushProgress(true);
    info.step = safeStep();
    post({ type: Evt.ERROR, op: 'train', kind: ErrorKind.DIVERGED, message: errorMessage(err) });
    return null;
  }
  const dt = performance.now() - t0;
  record(r, dt);
  return dt;
}

function trainChunk() {
  const n = Math.max(1, Math.min(chunkSteps, stepsLeft));
  const dt = trainSteps(n);
  if (dt === null) {
    running = false;
    stepsLeft = Infinity;
    post({ type: Evt.STATUS, running: false, step: info.step, reason: 'diverged' });
    return;
  }
  // Size the next chunk so it takes about CHUNK_MS, changing by at most 2× per chunk.
  const perStep = dt / n;
  const ideal = perStep > 0 ? CHUNK_MS / perStep : chunkSteps * 2;
  chunkSteps = Math.max(1, Math.min(Math.round(ideal), chunkSteps * 2, 100000));
  stepsLeft -= n;
  const now = performance.now();
  if (now - lastValidationAt > VALIDATION_MS) measureValidation(now);
  if (now - lastSnapshotAt > SNAPSHOT_MS) snapshot();
  if (!sample && now - lastAutosampleAt > AUTOSAMPLE_MS) autosample(now);
  if (stepsLeft <= 0) {
    running = false;
    stepsLeft = Infinity;
    flushProgress(true);
    snapshot();
    post({ type: Evt.STATUS, running: false, step: info.step, reason: 'done' });
  }
}

function safeStep() {
  try {
    return session.info().step;
  } catch {
    return info ? info.step : 0;
  }
}

function record(r, ms) {
  const losses = own(r.losses);
  pending.losses.push(losses instanceof Float32Array ? losses : Float32Array.from(losses));
  pending.chars += r.chars;
  pending.ms += ms;
  pending.last = r;
  info.step = r.step;
}

function measureValidation(now) {
  const t0 = performance.now();
  const v = session.validationLoss(valChars);
  const dt = performance.now() - t0;
  if (dt > CHUNK_MS && valChars > 256) valChars = Math.max(256, Math.floor(valChars / 2));
  lastValidationAt = now;
  pending.valLoss = v;
  pending.valStep = info.step;
}

function autosample(now) {
  lastAutosampleAt = now;
  const text = current.text;
  const prime = text.length ? String.fromCodePoint(text.codePointAt(0)) : '';
  session.sampleBegin(prime, 0.8, 0, BigInt(info.step >>> 0));
  const out = session.sampleNext(AUTOSAMPLE_LEN);
  post({ type: Evt.AUTOSAMPLE, step: info.step, prime, text: out });
}

function flushProgress(force) {
  if (!pending || pending.losses.length === 0) return;
  const now = performance.now();
  if (!force && now - lastProgressAt < PROGRESS_MS) return;
  lastProgressAt = now;
  let total = 0;
  for (const a of pending.losses) total += a.length;
  const losses = new Float32Array(total);
  let off = 0;
  for (const a of pending.losses) {
    losses.set(a, off);
    off += a.length;
  }
  const r = pending.last;
  const msg = {
    type: Evt.PROGRESS,
    step: r.step,
    firstStep: r.step - total,
    losses,
    loss: r.loss,
    smoothLoss: r.smoothLoss,
    gradNorm: r.gradNorm,
    clipped: r.clipped,
    chars: pending.chars,
    charsPerSec: pending.ms > 0 ? (pending.chars * 1000) / pending.ms : 0,
    wrapped: r.wrapped,
  };
  if (pending.valLoss !== undefined) {
    msg.valLoss = pending.valLoss;
    msg.valStep = pending.valStep;
  }
  resetPending();
  post(msg);
}

function sampleChunk() {
  const t0 = performance.now();
  const n = Math.min(sample.left, sample.per);
  const text = session.sampleNext(n);
  sample.left -= n;
  const dt = performance.now() - t0;
  sample.per = Math.max(1, Math.min(4096, Math.round((n * SAMPLE_CHUNK_MS) / Math.max(dt, 0.05))));
  const done = sample.left <= 0;
  post({ type: Evt.SAMPLE, id: sample.id, text, done });
  if (done) sample = null;
}

// ---------------------------------------------------------------------------------------------------------------
// Requests

const handlers = {
  [Cmd.CORPUS](msg) {
    post({ type: Evt.CORPUS, id: msg.id, name: msg.name, text: wasm.corpusText(msg.name) });
  },

  [Cmd.INSPECT](msg) {
    post({ type: Evt.INSPECTED, id: msg.id, vocab: Array.from(wasm.modelFileVocab(msg.bytes)) });
  },

  [Cmd.CREATE](msg) {
    const next = new wasm.Session(sessionConfig(msg.config), msg.text);
    haltForNewModel();
    replaceSession(next, msg.config, msg.text);
    post({ type: Evt.MODEL, id: msg.id, info, config: msg.config, textLength: msg.text.length });
  },

  [Cmd.LOAD](msg) {
    const next = wasm.Session.fromModel(msg.bytes, sessionConfig(msg.config), msg.text);
    const resumed = resumeFrom(next, msg.trainingState);
    haltForNewModel();
    replaceSession(next, msg.config, msg.text);
    post({ type: Evt.MODEL, id: msg.id, info, config: msg.config, textLength: msg.text.length, loaded: true, resumed });
  },

  [Cmd.SET_TEXT](msg) {
    requireSession();
    session.setText(msg.text);
    current = { config: current.config, text: msg.text };
    if (lastGood) lastGood = { ...lastGood, text: msg.text };
    post({ type: Evt.TEXT, id: msg.id, textLength: msg.text.length });
  },

  [Cmd.SET_PARAMS](msg) {
    requireSession();
    if (msg.lr !== undefined) {
      session.setLearningRate(msg.lr);
      current = { ...current, config: { ...current.config, lr: msg.lr } };
    }
    if (msg.clip !== undefined) {
      session.setClip(msg.clip);
      current = { ...current, config: { ...current.config, clip: msg.clip } };
    }
  },

  [Cmd.START](msg) {
    requireSession();
    stepsLeft = msg.maxSteps > 0 ? msg.maxSteps : Infinity;
    if (!running) {
      running = true;
      const now = performance.now();
      lastAutosampleAt = now - AUTOSAMPLE_MS + 600; // first sample soon after starting
      lastValidationAt = now - VALIDATION_MS + 300;
      post({ type: Evt.STATUS, running: true, step: info.step });
    }
    schedule();
  },

  [Cmd.PAUSE]() {
    if (!running) {
      post({ type: Evt.STATUS, running: false, step: info ? info.step : 0, reason: 'paused' });
      return;
    }
    stopRunning('paused');
    if (session) snapshot();
  },

  [Cmd.STEP](msg) {
    requireSession();
    if (running) stopRunning('paused');
    if (trainSteps(Math.max(1, msg.n | 0 || 1)) === null) return;
    if (current.config.valFraction > 0) measureValidation(performance.now());
    flushProgress(true);
  },

  [Cmd.PROBE](msg) {
    requireSession();
    if (msg.reset) session.probeReset();
    const p = session.probe(msg.text);
    post({
      type: Evt.PROBE,
      id: msg.id,
      from: p.from,
      steps: p.steps,
      vocab: p.vocab,
      layers: p.layers,
      hidden: p.hidden,
      gates: p.gates,
      input: own(p.input),
      h: own(p.h),
      c: own(p.c) ?? null,
      gate: own(p.gate) ?? null,
      logits: own(p.logits),
      probs: own(p.probs),
      gateNames: gateNamesOf,
      textLength: msg.text.length,
    });
  },

  [Cmd.SAMPLE](msg) {
    requireSession();
    if (sample) post({ type: Evt.SAMPLE, id: sample.id, text: '', done: true });
    sample = null;
    session.sampleBegin(msg.prime, msg.temperature, msg.topK | 0, BigInt(msg.seed >>> 0));
    sample = { id: msg.id, left: Math.max(0, msg.length | 0), per: 16 };
    if (sample.left === 0) {
      post({ type: Evt.SAMPLE, id: msg.id, text: '', done: true });
      sample = null;
    }
    schedule();
  },

  [Cmd.SAMPLE_CANCEL]() {
    if (sample) post({ type: Evt.SAMPLE, id: sample.id, text: '', done: true });
    sample = null;
  },

  [Cmd.GET_BYTES](msg) {
    requireSession();
    const { bytes, state } = snapshot();
    // Keep our own copies; transfer second ones.
    post({ type: Evt.BYTES, id: msg.id, bytes: bytes.slice(), trainingState: state.slice(), step: info.step });
  },
};

function haltForNewModel() {
  if (running) stopRunning('paused');
  if (sample) post({ type: Evt.SAMPLE, id: sample.id, text: '', done: true });
  sample = null;
  chunkSteps = 1;
  valChars = VALIDATION_CHARS;
}

function requireSession() {
  if (!session) throw new Error('no model yet');
}

async function handleError(op, id, err) {
  if (!isTrap(err)) {
    post({ type: Evt.ERROR, id, op, kind: ErrorKind.REFUSED, message: errorMessage(err) });
    return;
  }
  // The wasm instance trapped: its memory may be inconsistent. Drop it and rebuild from the last good bytes.
  running = false;
  stepsLeft = Infinity;
  sample = null;
  pending = null;
  post({
    type: Evt.ERROR,
    id,
    op,
    kind: ErrorKind.INTERNAL,
    message: `internal error (${errorMessage(err)}); restoring the last good model`,
  });
  post({ type: Evt.STATUS, running: false, step: info ? info.step : 0, reason: 'error' });
  busy = true;
  session = null;
  try {
    await loadWasm();
    if (lastGood) {
      const next = wasm.Session.fromModel(lastGood.bytes, sessionConfig(lastGood.config), lastGood.text);
      const resumed = resumeFrom(next, lastGood.state);
      replaceSession(next, lastGood.config, lastGood.text);
      post({ type: Evt.MODEL, info, config: current.config, textLength: current.text.length, recovered: true, resumed });
    }
  } catch (err2) {
    post({ type: Evt.ERROR, op: 'recover', kind: ErrorKind.FATAL, message: errorMessage(err2) });
  } finally {
    busy = false;
  }
}

// Requests are handled strictly in order; until the module is loaded, and while it is rebuilt, they wait.
let chain = Promise.resolve();

self.onmessage = (e) => {
  const msg = e.data;
  chain = chain.then(() => {
    const h = handlers[msg && msg.type];
    if (!h) {
      post({ type: Evt.ERROR, id: msg && msg.id, op: String(msg && msg.type), kind: ErrorKind.REFUSED, message: 'unknown request' });
      return undefined;
    }
    if (!wasm) {
      post({ type: Evt.ERROR, id: msg.id, op: msg.type, kind: ErrorKind.REFUSED, message: 'the model code is not loaded' });
      return undefined;
    }
    try {
      h(msg);
    } catch (err) {
      return handleError(msg.type, msg.id, err);
    }
    return undefined;
  });
};

chain = chain.then(init);

async function loadWasm() {
  // A fresh module URL gives a fresh wasm instance (wasm-bindgen's init() caches its instance per module).
  const gen = instanceGeneration++;
  const url = gen === 0 ? '../pkg/rnnscope.js' : `../pkg/rnnscope.js?instance=${gen}`;
  const mod = await import(url);
  wasmExports = await mod.default();
  wasm = mod;
}

async function init() {
  try {
    await loadWasm();
    post({ type: Evt.READY, corpora: Array.from(wasm.corpusNames()) });
  } catch (err) {
    post({ type: Evt.ERROR, op: 'init', kind: ErrorKind.FATAL, message: `could not load the model code: ${errorMessage(err)}` });
  }
}
