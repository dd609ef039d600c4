// The message vocabulary between a controller (scope/scope.js, through engine/client.js) and its engine
// (engine/engine.js, in engine/worker.js or, where no worker can start, on the main thread).
//
// This is the ONE place that defines it. Every message is a plain object tagged by `type`, whose value is one of
// the constants below. Requests go main → worker (`Cmd`), reports go worker → main (`Evt`). Messages that answer
// a request carry the request's `id` (a number chosen by the sender) so the page can match answers to questions.
// Bulk numbers (activations, per-step losses, model bytes) travel as typed arrays whose buffers are *transferred*,
// never cloned.
//
// The worker processes requests in the order they arrive. Training runs in chunks of ~20 ms that yield to the
// event loop with setTimeout(…, 0), so any request is served within one chunk.

/** Requests from the page to the worker. */
export const Cmd = Object.freeze({
  /**
   * `{type, id, name}` – ask for the text of an embedded corpus. Answer: `Evt.CORPUS`.
   */
  CORPUS: 'corpus',

  /**
   * `{type, id, bytes: Uint8Array}` – read a `.safetensors` model file without loading it: the whole file is
   * validated as `LOAD` would. Answer: `Evt.INSPECTED`, or `Evt.ERROR` saying what is wrong with the file.
   */
  INSPECT: 'inspect',

  /**
   * `{type, id, config, text}` – build a fresh model (weights from `config.seed`) on `text`. Training stops.
   * `config` = `{cell, nonlinearity?, hidden, layers, seqLen, batch, optimizer, lr, clip, seed, valFraction,
   * dropout, weightDecay? (AdamW), schedule?, warmup?, scheduleSteps?, minLr? (cosine), gamma? (step)}`.
   * Answer: `Evt.MODEL` on success; `Evt.ERROR` (the previous model, if any, is kept) otherwise.
   */
  CREATE: 'create',

  /**
   * `{type, id, bytes: Uint8Array, trainingState?: Uint8Array, config, text}` – replace the model by a
   * `.safetensors` file (rnnscope- or PyTorch-written). The model's shape comes from the file; training settings
   * from `config`. `text` must fit the file's vocabulary. With `trainingState` (from `Evt.BYTES`) the optimizer, and
   * for the same text the data position, go on where they were; a state that does not fit is ignored and reported.
   * Training stops. With `trainable: false` the text is a stand-in that must not be trained on: `START` and `STEP`
   * are refused until `SET_TEXT` gives a real one. Answer: `Evt.MODEL`, or `Evt.ERROR` with the current model
   * untouched.
   */
  LOAD: 'load',

  /**
   * `{type, id, text}` – train the current model on new text (its characters must be in the model's vocabulary).
   * Answer: `Evt.TEXT` or `Evt.ERROR`.
   */
  SET_TEXT: 'set-text',

  /**
   * `{type, lr?, clip?}` – change the learning rate and/or clipping threshold now, even mid-run. No answer
   * unless it fails (`Evt.ERROR`).
   */
  SET_PARAMS: 'set-params',

  /**
   * `{type, maxSteps?, workers?}` – start (or resume) training in chunks; optionally stop by itself after
   * `maxSteps` more steps. `workers` (default 1): split each step's streams in two, computed by the helpers
   * (`HELPER`; with one, this worker computes the first half), for `workers: 2` and a batch of two or more streams; the worker count the steps use stays until the
   * next `START` (so `STEP` computes the same numbers). Answer: `Evt.STATUS` with the `workers` in use, then
   * `Evt.PROGRESS` reports.
   */
  START: 'start',

  /**
   * `{type, port: MessagePort}` – a helper worker (helper.js) listens on `port` and computes a part of each step
   * (see `Part`); client.js sends one per helper (two), with the port transferred. No answer.
   */
  HELPER: 'helper',

  /** `{type, message}` – a helper stopped (client.js saw it fail): every helper is let go; one worker trains on. */
  HELPER_LOST: 'helper-lost',

  /** `{type}` – pause training after the current chunk. Answer: `Evt.STATUS` (running: false). */
  PAUSE: 'pause',

  /** `{type, n}` – run exactly `n` optimizer steps now (default 1), then stay paused. Answer: `Evt.PROGRESS`. */
  STEP: 'step',

  /**
   * `{type, id, text, reset?, have?}` – activations for `text`. Without `reset`, answered at once and incrementally:
   * only positions after the common prefix with the probe shown are computed, and (`have`: how many positions the
   * page holds, of text it changed itself meanwhile) none from further on than `have`. With `reset` (the weights changed), a fresh
   * probe is built from a snapshot of the weights in slices between other work, follows the text of the probes
   * without `reset` that come meanwhile, and is answered from position 0 once it reaches the end of the text; it
   * then is the probe shown. A second `reset` before that replaces it (only the newest is answered). Answer:
   * `Evt.PROBE`. With `follow` instead (the page computed the new characters itself, scope/local-step.js), only the
   * fresh probe on its way heads for `text`, and nothing is answered.
   */
  PROBE: 'probe',

  /**
   * `{type, id, prime, length, temperature, topK, seed}` – start streaming a sample of `length` characters after
   * `prime` (temperature 0 = argmax; topK 0 = all). Cancels a sample in progress. Answers: `Evt.SAMPLE` chunks.
   */
  SAMPLE: 'sample',

  /** `{type}` – stop the sample in progress. */
  SAMPLE_CANCEL: 'sample-cancel',

  /**
   * `{type, id, blobs?}` – the model as `.safetensors` bytes (and, with `blobs`, as Blobs too). Answer: `Evt.BYTES`.
   * The worker also remembers them as its "last good model" to recover from a crash.
   */
  GET_BYTES: 'get-bytes',

  /** `{type, id}` – every parameter, by name (the model file's names and order). Answer: `Evt.WEIGHTS`. */
  WEIGHTS: 'weights',

  /**
   * `{type, id, name, index, value}` – set one weight (row-major flat `index` into tensor `name`) to a finite
   * `value`; the next probe must be a reset. Answer: `Evt.WEIGHT_SET`, or `Evt.ERROR` (nothing changed).
   */
  SET_WEIGHT: 'set-weight',

  /**
   * `{type, id, request}` – run one instrument on the model as it is now (clamps set by `SET_CLAMPS` do not
   * apply; `ablation` and `connectivity` carry their own). `request` = `{kind, text, …}`: `cells` (`top`,
   * `regex: string[]`, matched in the engine with the browser's RegExp: see matches.js), `saturation`, `errors`
   * (`order`), `connectivity` (`position`, `window`, `clamps`), `ablation` (`clamps`); see
   * `src/analysis/request.rs`. Answer: `Evt.ANALYSIS`, or `Evt.ERROR` saying why.
   */
  ANALYSE: 'analyse',

  /**
   * `{type, id, have?}` – a snapshot of the model for an analysis worker (scope/analysis-pool.js): its file and the
   * settings and text it was built with, or only `same: true` when `have` is the version the asker holds (nothing
   * changed since). Answer: `Evt.SNAPSHOT`.
   */
  SNAPSHOT: 'snapshot',

  /**
   * `{type, id, clamps: [{layer, tensor: 'h'|'c', unit, value}]}` – hold these units while probing and sampling
   * (an empty list releases them); the next probe starts afresh. A new or loaded model has none. Answer:
   * `Evt.CLAMPS`, or `Evt.ERROR` (the previous clamps stay).
   */
  SET_CLAMPS: 'set-clamps',

  /**
   * `{type, id}` – the model is about to rest (scope/rest.js): everything needed to bring it back exactly in a new
   * engine with `LOAD` (the file, its training state, the settings and the text), after which the page stops the
   * worker. Refused while training, sampling or probing afresh. Answer: `Evt.REST`.
   */
  REST: 'rest',
});

/** The settings a model is built with: the `config` of `CREATE` and `LOAD`. */
const CONFIG_FIELDS = ['cell', 'hidden', 'layers', 'seqLen', 'batch', 'optimizer', 'lr', 'clip', 'seed', 'valFraction', 'dropout', 'warmup'];

/** The settings each choice brings along: the field and the value of `settings[key]` that needs it. */
const WHEN = [
  ['nonlinearity', 'cell', 'rnn'],
  ['weightDecay', 'optimizer', 'adamw'],
  ['schedule', 'schedule', 'cosine'],
  ['schedule', 'schedule', 'step'],
  ['scheduleSteps', 'schedule', 'cosine'],
  ['scheduleSteps', 'schedule', 'step'],
  ['minLr', 'schedule', 'cosine'],
  ['gamma', 'schedule', 'step'],
];

/**
 * The `config` of `CREATE` and `LOAD` (what the core's `Session` takes) from any object holding those settings: a
 * scope's state (scope/state.js) or a config. A setting that only one choice reads (`nonlinearity` for the RNN,
 * `weightDecay` for AdamW, the schedule's own) only with that choice; a missing one takes the core's default.
 */
export function modelConfig(settings) {
  const c = {};
  for (const k of CONFIG_FIELDS) if (settings[k] !== undefined) c[k] = settings[k];
  for (const [k, key, value] of WHEN) if (settings[key] === value && settings[k] !== undefined) c[k] = settings[k];
  return c;
}

/** Whether `modelConfig` sends setting `name` with these settings (a form greys out the others; never a choice). */
export function settingApplies(name, settings) {
  const rules = WHEN.filter(([k, key]) => k === name && key !== name);
  return rules.length === 0 || rules.some(([, key, value]) => settings[key] === value);
}

/** Reports from the worker to the page. */
export const Evt = Object.freeze({
  /**
   * `{type, corpora: string[], version}` – the wasm module is loaded; `corpora` are the embedded corpus names,
   * default first. Sent once, unprompted, when the worker starts.
   */
  READY: 'ready',

  /** `{type, id, name, text}` – answer to `Cmd.CORPUS`. */
  CORPUS: 'corpus',

  /**
   * `{type, id, vocab: string[], corpus: string|null}` – answer to `Cmd.INSPECT`: the file's vocabulary, in its
   * order, and the embedded corpus its `train_config` says it learnt (null for any other text).
   */
  INSPECTED: 'inspected',

  /**
   * `{type, id, info, config, textLength, recovered?, resumed?}` – a model is in place (answer to `CREATE`/`LOAD`,
   * or after crash recovery with `recovered: true`). `info` = `{cell, nonlinearity, hidden, layers, vocab: string[],
   * params, step, gateNames: string[]}`. `resumed`, when a training state came with it: `{restored: 'exactly'}`,
   * `{restored: 'optimizer', note}` (the data starts over, `note` says why) or `{restored: 'fresh', note}` (the state
   * did not fit these weights or this optimizer).
   */
  MODEL: 'model',

  /** `{type, id, textLength}` – answer to `Cmd.SET_TEXT`. */
  TEXT: 'text',

  /**
   * `{type, running, step, workers?, reason?, note?}` – training started or stopped, or (`note`) the worker count
   * changed while training. `workers`: how many Web Workers the steps run on (1 or 2). `reason` says why it stopped
   * by itself: 'paused' | 'done' (maxSteps reached) | 'diverged' | 'error'.
   */
  STATUS: 'status',

  /**
   * `{type, step, firstStep, losses: Float32Array, loss, smoothLoss, gradNorm, clipped, chars, charsPerSec,
   *   wrapped, valLoss?, valStep?}` – sent at most every ~100 ms while training (and after `STEP`). `losses` holds
   * the per-step training loss (nats/char) of steps `firstStep+1 … step` (transferred). `valLoss` (nats/char, may
   * be NaN without a validation split) is present when it was measured in this period, at step `valStep`.
   * `chars` counts characters processed in the period; `charsPerSec` is measured over it.
   */
  PROGRESS: 'progress',

  /**
   * `{type, step, text, prime}` – a short sample the worker takes by itself every few seconds of training, so the
   * page can show the model learning.
   */
  AUTOSAMPLE: 'autosample',

  /**
   * `{type, id, from, steps, vocab, layers, hidden, gates, input: Int32Array, h: Float32Array,
   *   c: Float32Array|null, gate: Float32Array|null, logits: Float32Array, probs: Float32Array, params: Float32Array|null,
   *   text, textLength, ms, step, room}` –
   * answer to `Cmd.PROBE`: the activations of positions `from … from+steps-1` of `text` (all arrays transferred);
   * positions before `from` are unchanged from the previous answer; `ms` is what computing it took; `params`, in an
   * answer from position 0, the weights it was computed with, those of training step `step`; and there the arrays
   * have room for `room` positions (`roomFor(steps)`), of which the first `steps` are the probe's. Layouts as in docs/wasm-api.md.
   */
  PROBE: 'probe',

  /** `{type, id, text, done}` – the next characters of the sample `id`; `done` on the last chunk. */
  SAMPLE: 'sample',

  /**
   * `{type, id, bytes: Uint8Array, trainingState: Uint8Array, blobs: {bytes: Blob, trainingState: Blob}|null, step}` –
   * answer to `Cmd.GET_BYTES`: the model file and its training state (optimizer moments, data position, recurrent
   * state; see the README), buffers transferred; `blobs`, the same as Blobs when asked for (autosave) and Blob exists.
   */
  BYTES: 'bytes',

  /**
   * `{type, id, version, same: true}` or `{type, id, version, step, bytes: Uint8Array, config, text}` – answer to
   * `Cmd.SNAPSHOT`; `version` counts the changes of the weights and the text (training steps, edits, new models).
   */
  SNAPSHOT: 'snapshot',

  /** `{type, id, step, tensors: [{name, shape: number[], data: Float32Array}]}` – answer to `Cmd.WEIGHTS`. */
  WEIGHTS: 'weights',

  /** `{type, id, name, index, value}` – answer to `Cmd.SET_WEIGHT`: the weight now holds `value`. */
  WEIGHT_SET: 'weight-set',

  /** `{type, id, step, report}` – answer to `Cmd.ANALYSE`: the instrument's report (a plain object, `report.kind`). */
  ANALYSIS: 'analysis',

  /** `{type, id, clamps}` – answer to `Cmd.SET_CLAMPS`: these clamps are in force. */
  CLAMPS: 'clamps',

  /**
   * `{type, id, bytes: Uint8Array, trainingState: Uint8Array, config, text, trainable, version, step}` – answer to
   * `Cmd.REST` (buffers transferred): `LOAD` with these brings the model back where it was.
   */
  REST: 'rest',

  /**
   * `{type, id?, op, message, kind}` – a request failed or training stopped. `op` is the request type (or
   * 'train'/'init'). `kind`: 'refused' (bad input, nothing changed), 'diverged' (loss NaN/exploded; rolled back to
   * the last good step, training paused), 'internal' (the wasm instance trapped; the worker rebuilt it from the
   * last good model and says so with `Evt.MODEL` `recovered: true`), 'fatal' (the worker cannot go on).
   */
  ERROR: 'error',
});

/**
 * Between the engine and each helper worker (helper.js), over their own MessagePort. Engine → helper:
 * `{type: MODEL, bytes}` (the model's shape, as a model file; sent for each new model) and `{type: RUN, seq,
 * params: Float32Array, part}` (the weights and one part of a step, `Session.shareBegin`). Helper → engine:
 * `{type: DONE, seq, answer}` (`{loss, grads, h, c}`, for `Session.shareFinish`) or `{type: FAILED, seq, message,
 * trap}`. Buffers are transferred.
 */
export const Part = Object.freeze({
  MODEL: 'model',
  RUN: 'run',
  DONE: 'done',
  FAILED: 'failed',
});

/** Every request type, for validation. */
export const CMD_TYPES = new Set(Object.values(Cmd));
/** Every report type, for validation. */
export const EVT_TYPES = new Set(Object.values(Evt));

/** Error kinds carried by `Evt.ERROR`. */
export const ErrorKind = Object.freeze({
  REFUSED: 'refused',
  DIVERGED: 'diverged',
  INTERNAL: 'internal',
  FATAL: 'fatal',
});

/**
 * The transferable buffers of a message's typed-array fields, for `postMessage(msg, transfer)`.
 * @param {object} msg
 * @returns {ArrayBuffer[]}
 */
export function transferables(msg) {
  const out = [];
  const add = (v) => {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && !out.includes(v.buffer)) out.push(v.buffer);
  };
  for (const v of Object.values(msg)) {
    add(v);
    // One level down, for lists of tensors (`Evt.WEIGHTS`).
    if (Array.isArray(v)) for (const item of v) if (item && typeof item === 'object') Object.values(item).forEach(add);
  }
  return out;
}

/**
 * Positions a probe's arrays have room for when they hold `T` (a quarter more): the page's buffers grow by this,
 * and an answer from position 0 comes this large (`room`), so that the keys typed next fit without a copy of
 * every position (tens of megabytes for thousands of characters of a big model).
 */
export function roomFor(T) {
  return Math.max(16, T + (T >> 2));
}
