// Everything a visitor sets up, in one table of properties, persisted in the URL's fragment (#a=1&b=2) so any
// setup can be shared and reproduced. Model: tensorflow/playground src/state.ts.
//
// Each property has a type, a default and its limits. `readState()` never throws: a malformed or out-of-range
// value falls back to the default and is reported in `problems`, so a hand-edited URL still opens.

import { DEFAULT_TEMPERATURE, GATE_BLOCKS } from '../core-numbers.js';

/**
 * @typedef {object} Prop
 * @property {string} name      URL key and state field
 * @property {'enum'|'int'|'float'|'string'} type
 * @property {any} def          default
 * @property {string[]} [options]  allowed values (enum)
 * @property {number} [min]
 * @property {number} [max]
 * @property {number} [maxLength]  (string)
 * @property {boolean} [model]  true if changing it needs a new model (weights are rebuilt)
 * @property {string} label     what the property is, for messages
 */

/** The cells, and their names for people. */
export const CELLS = ['rnn', 'lstm', 'gru'];
export const CELL_NAMES = { rnn: 'vanilla RNN', lstm: 'LSTM', gru: 'GRU' };

/** @type {Prop[]} */
export const PROPS = [
  { name: 'corpus', type: 'string', def: 'hello', maxLength: 64, model: true, label: 'text' },
  { name: 'text', type: 'string', def: '', maxLength: 4000, model: true, label: 'pasted text' },
  { name: 'cell', type: 'enum', def: 'lstm', options: ['rnn', 'lstm', 'gru'], model: true, label: 'cell' },
  { name: 'nonlinearity', type: 'enum', def: 'tanh', options: ['tanh', 'relu'], model: true, label: 'RNN nonlinearity' },
  { name: 'hidden', type: 'int', def: 32, min: 1, max: 2048, model: true, label: 'hidden size' },
  { name: 'layers', type: 'int', def: 1, min: 1, max: 8, model: true, label: 'layers' },
  { name: 'seqLen', type: 'int', def: 16, min: 1, max: 2048, model: true, label: 'sequence length' },
  { name: 'batch', type: 'int', def: 8, min: 1, max: 1024, model: true, label: 'batch size' },
  { name: 'optimizer', type: 'enum', def: 'adam', options: ['adam', 'adamw', 'rmsprop', 'adagrad', 'sgd'], model: true, label: 'optimizer' },
  { name: 'weightDecay', type: 'float', def: 0.01, min: 0, max: 1, model: true, label: 'weight decay' },
  { name: 'dropout', type: 'float', def: 0, min: 0, max: 0.9, model: true, label: 'dropout' },
  { name: 'schedule', type: 'enum', def: 'constant', options: ['constant', 'cosine', 'step'], model: true, label: 'learning-rate schedule' },
  { name: 'warmup', type: 'int', def: 0, min: 0, max: 1e9, model: true, label: 'warm-up steps' },
  { name: 'scheduleSteps', type: 'int', def: 2000, min: 1, max: 1e9, model: true, label: 'schedule steps' },
  { name: 'minLr', type: 'float', def: 0, min: 0, max: 10, model: true, label: 'lowest learning rate' },
  { name: 'gamma', type: 'float', def: 0.1, min: 1e-6, max: 1, model: true, label: 'step decay factor' },
  { name: 'lr', type: 'float', def: 0.01, min: 1e-6, max: 10, label: 'learning rate' },
  { name: 'clip', type: 'float', def: 5, min: 0, max: 1e6, label: 'gradient clipping' },
  { name: 'seed', type: 'int', def: 7, min: 0, max: 4294967295, model: true, label: 'seed' },
  { name: 'valFraction', type: 'float', def: 0.1, min: 0, max: 0.5, model: true, label: 'validation fraction' },
  { name: 'workers', type: 'enum', def: 'auto', options: ['auto', '1', '2'], label: 'workers' },
  { name: 'temperature', type: 'float', def: DEFAULT_TEMPERATURE, min: 0, max: 3, label: 'temperature' },
  { name: 'topK', type: 'int', def: 0, min: 0, max: 100000, label: 'top-k' },
  { name: 'sampleLen', type: 'int', def: 300, min: 1, max: 20000, label: 'sample length' },
  { name: 'prime', type: 'string', def: '', maxLength: 500, label: 'prime' },
  { name: 'probe', type: 'string', def: 'hello', maxLength: 5000, label: 'text to look at' },
  { name: 'units', type: 'enum', def: 'nats', options: ['nats', 'bits', 'ppl'], label: 'loss units' },
];

const BY_NAME = new Map(PROPS.map((p) => [p.name, p]));

/** The property definition for `name`. */
export function prop(name) {
  return BY_NAME.get(name);
}

/** The default state. */
export function defaults() {
  const s = {};
  for (const p of PROPS) s[p.name] = p.def;
  return s;
}

/**
 * Check one value against its property.
 * @returns {{ok: true, value: any} | {ok: false, message: string}}
 */
export function validate(name, raw) {
  const p = BY_NAME.get(name);
  if (!p) return { ok: false, message: `unknown setting "${name}"` };
  switch (p.type) {
    case 'enum': {
      const v = String(raw).trim().toLowerCase();
      if (!p.options.includes(v)) return { ok: false, message: `${p.label} must be one of ${p.options.join(', ')}` };
      return { ok: true, value: v };
    }
    case 'int': {
      const s = String(raw).trim();
      if (!/^[0-9]+$/.test(s)) return { ok: false, message: `${p.label} must be a whole number` };
      const v = Number(s);
      if (v < p.min || v > p.max) return { ok: false, message: `${p.label} must be between ${p.min} and ${p.max}` };
      return { ok: true, value: v };
    }
    case 'float': {
      const s = String(raw).trim();
      const v = Number(s);
      if (s === '' || !Number.isFinite(v)) return { ok: false, message: `${p.label} must be a number` };
      if (v < p.min || v > p.max) return { ok: false, message: `${p.label} must be between ${p.min} and ${p.max}` };
      return { ok: true, value: v };
    }
    case 'string': {
      const v = String(raw);
      if (v.length > p.maxLength) return { ok: false, message: `${p.label} is longer than ${p.maxLength} characters` };
      return { ok: true, value: v };
    }
    default:
      return { ok: false, message: `bad property type ${p.type}` };
  }
}

/**
 * The state described by a URL fragment (or search string), over the defaults.
 * @param {string} [hash] e.g. location.hash; a leading '#' or '?' is ignored
 * @returns {{state: object, problems: string[], present: Set<string>}}
 */
export function readState(hash = typeof location !== 'undefined' ? location.hash : '') {
  const state = defaults();
  const problems = [];
  const present = new Set();
  const params = new URLSearchParams(hash.replace(/^[#?]/, ''));
  for (const [key, raw] of params) {
    const r = validate(key, raw);
    if (!r.ok) {
      problems.push(`URL: ${r.message}; using ${JSON.stringify(BY_NAME.get(key)?.def ?? null)}`);
      continue;
    }
    state[key] = r.value;
    present.add(key);
  }
  return { state, problems, present };
}

/**
 * The URL fragment for `state`: every model and training setting (so the link reproduces the run even if the
 * defaults change later), plus the view settings that differ from their defaults.
 * @param {object} state
 * @returns {string} starting with '#'
 */
export function encodeState(state) {
  const params = new URLSearchParams();
  for (const p of PROPS) {
    const v = state[p.name];
    if (v === undefined) continue;
    if (p.name === 'text' && state.corpus !== 'custom') continue;
    if (p.name === 'nonlinearity' && state.cell !== 'rnn') continue;
    const always = p.model || p.name === 'lr' || p.name === 'clip';
    if (!always && v === p.def) continue;
    params.set(p.name, String(v));
  }
  return '#' + params.toString();
}

/** Put `state` into the address bar without adding a history entry or reloading. */
export function writeState(state) {
  const hash = encodeState(state);
  if (location.hash !== hash) history.replaceState(null, '', location.pathname + location.search + hash);
}

/** Parameters of a model of this shape, for the size check (two bias vectors per layer, as in PyTorch). */
export function paramCount(cell, hidden, layers, vocab) {
  const g = GATE_BLOCKS[cell];
  let n = 0;
  for (let l = 0; l < layers; l++) {
    const inW = l === 0 ? vocab : hidden;
    n += g * hidden * (inW + hidden + 2);
  }
  return n + vocab * hidden + vocab;
}

/** Limits the page enforces before asking the worker (the Rust side has its own and says why it refuses). */
const NUMBER_FORMAT = new Intl.NumberFormat('en-US');
const num = (n) => NUMBER_FORMAT.format(n);

export const LIMITS = {
  maxParams: 20_000_000,
  maxWindow: 1_000_000, // seqLen × batch × hidden × layers, roughly the activations one step keeps
};

/**
 * Reasons this configuration is refused before it reaches the worker, or [] if it is fine.
 * @param {object} state
 * @param {number} vocab vocabulary size of the chosen text
 */
export function sizeProblems(state, vocab) {
  const out = [];
  const n = paramCount(state.cell, state.hidden, state.layers, vocab);
  if (n > LIMITS.maxParams) {
    out.push(`${num(n)} parameters is too many for a browser tab (limit ${num(LIMITS.maxParams)}); use fewer hidden units or layers`);
  }
  const w = state.seqLen * state.batch * state.hidden * state.layers;
  if (w > LIMITS.maxWindow * 16) {
    out.push(`sequence length × batch × hidden × layers = ${num(w)} is too large to train here; shorten the sequence or the batch`);
  }
  return out;
}
