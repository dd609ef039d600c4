// www/scope/state.js, the one table of settings: each value checked against its limits, the URL fragment read and
// written back, the size check and the parameter count it rests on (checked against the shipped model files).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PARAM_COUNT_EXAMPLES } from '../../www/core-numbers.js';
import { LIMITS, PROPS, defaults, encodeState, paramCount, readState, sizeProblems, validate } from '../../www/scope/state.js';

const MODELS = join(fileURLToPath(new URL('../../models/', import.meta.url)));

test('validate: enums are trimmed and lower-cased, anything else is refused with the options', () => {
  assert.deepEqual(validate('cell', ' GRU '), { ok: true, value: 'gru' });
  assert.deepEqual(validate('cell', 'transformer'), { ok: false, message: 'cell must be one of rnn, lstm, gru' });
  assert.deepEqual(validate('workers', 2), { ok: true, value: '2' });
  assert.equal(validate('workers', '3').ok, false);
});

test('validate: whole numbers within their limits, both ends included', () => {
  assert.deepEqual(validate('hidden', '1'), { ok: true, value: 1 });
  assert.deepEqual(validate('hidden', ' 2048 '), { ok: true, value: 2048 });
  assert.deepEqual(validate('hidden', '0'), { ok: false, message: 'hidden size must be between 1 and 2048' });
  assert.deepEqual(validate('hidden', '2049'), { ok: false, message: 'hidden size must be between 1 and 2048' });
  for (const bad of ['-3', '1.5', '1e3', '', '0x10', 'eight']) {
    assert.deepEqual(validate('hidden', bad), { ok: false, message: 'hidden size must be a whole number' }, JSON.stringify(bad));
  }
  assert.deepEqual(validate('seed', '4294967295'), { ok: true, value: 4294967295 });
  assert.equal(validate('seed', '4294967296').ok, false);
  assert.deepEqual(validate('topK', '0'), { ok: true, value: 0 });
});

test('validate: numbers within their limits; empty, NaN and infinite values are not numbers', () => {
  assert.deepEqual(validate('lr', '1e-6'), { ok: true, value: 1e-6 });
  assert.deepEqual(validate('lr', '10'), { ok: true, value: 10 });
  assert.deepEqual(validate('lr', '0.0000009'), { ok: false, message: 'learning rate must be between 0.000001 and 10' });
  assert.deepEqual(validate('lr', '10.5'), { ok: false, message: 'learning rate must be between 0.000001 and 10' });
  for (const bad of ['', '  ', 'NaN', 'Infinity', 'fast']) {
    assert.deepEqual(validate('lr', bad), { ok: false, message: 'learning rate must be a number' }, JSON.stringify(bad));
  }
  assert.deepEqual(validate('valFraction', '0'), { ok: true, value: 0 });
  assert.deepEqual(validate('valFraction', '0.5'), { ok: true, value: 0.5 });
  assert.equal(validate('valFraction', '0.51').ok, false);
  assert.deepEqual(validate('temperature', '-0.1'), { ok: false, message: 'temperature must be between 0 and 3' });
});

test('validate: strings up to their length, counted in UTF-16 units; unknown names are refused', () => {
  assert.deepEqual(validate('corpus', 'x'.repeat(64)), { ok: true, value: 'x'.repeat(64) });
  assert.deepEqual(validate('corpus', 'x'.repeat(65)), { ok: false, message: 'text is longer than 64 characters' });
  assert.deepEqual(validate('probe', ''), { ok: true, value: '' });
  assert.deepEqual(validate('colour', 'red'), { ok: false, message: 'unknown setting "colour"' });
});

test('readState: defaults for an empty fragment; "#" and "?" prefixes read alike; present names what was given', () => {
  assert.deepEqual(readState(''), { state: defaults(), problems: [], present: new Set() });
  for (const prefix of ['#', '?', '']) {
    const r = readState(`${prefix}cell=gru&hidden=12`);
    assert.deepEqual(r.state, { ...defaults(), cell: 'gru', hidden: 12 }, prefix);
    assert.deepEqual(r.present, new Set(['cell', 'hidden']));
    assert.deepEqual(r.problems, []);
  }
});

test('readState: a bad or unknown value falls back to the default and is reported, never thrown', () => {
  const r = readState('#hidden=-3&cell=transformer&lr=0.002&colour=red&layers=9');
  assert.deepEqual(r.state, { ...defaults(), lr: 0.002 });
  assert.deepEqual(r.present, new Set(['lr']));
  assert.deepEqual(r.problems, [
    'URL: hidden size must be a whole number; using 32',
    'URL: cell must be one of rnn, lstm, gru; using "lstm"',
    'URL: unknown setting "colour"; using null',
    'URL: layers must be between 1 and 8; using 1',
  ]);
  // Malformed percent-encoding does not throw either.
  assert.doesNotThrow(() => readState('#probe=%E0%A4%A'));
});

test('encodeState → readState gives the same state back, awkward characters included', () => {
  const state = {
    ...defaults(),
    corpus: 'custom',
    text: 'a&b=c#d?e+f %25 ünï\ncode 😀 "q"',
    cell: 'rnn',
    nonlinearity: 'relu',
    hidden: 2048,
    layers: 8,
    seqLen: 1,
    batch: 1024,
    optimizer: 'sgd',
    lr: 1e-6,
    clip: 0,
    seed: 4294967295,
    valFraction: 0.5,
    workers: '2',
    temperature: 0,
    topK: 100000,
    sampleLen: 1,
    prime: ' leading and trailing ',
    probe: '',
    units: 'ppl',
  };
  const r = readState(encodeState(state));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.state, state);
  assert.deepEqual(readState(encodeState(defaults())).state, defaults());
});

test('encodeState: model and training settings always, view settings only when not the default', () => {
  const hash = encodeState(defaults());
  assert.ok(hash.startsWith('#'));
  const keys = [...new URLSearchParams(hash.slice(1)).keys()];
  const always = PROPS.filter((p) => p.model || p.name === 'lr' || p.name === 'clip').map((p) => p.name);
  // The pasted text belongs to the custom corpus, the nonlinearity to the RNN: neither is written otherwise.
  assert.deepEqual(keys, always.filter((k) => k !== 'text' && k !== 'nonlinearity'));
  const view = new URLSearchParams(encodeState({ ...defaults(), temperature: 1.5, units: 'bits' }).slice(1));
  assert.equal(view.get('temperature'), '1.5');
  assert.equal(view.get('units'), 'bits');
  assert.equal(view.get('probe'), null);
  const rnn = new URLSearchParams(encodeState({ ...defaults(), cell: 'rnn', text: 'ignored' }).slice(1));
  assert.equal(rnn.get('nonlinearity'), 'tanh');
  assert.equal(rnn.get('text'), null);
});

/** Element counts of every tensor in a .safetensors file (its JSON header). */
function tensorElements(file) {
  const b = readFileSync(join(MODELS, file));
  const header = JSON.parse(b.subarray(8, 8 + Number(b.readBigUInt64LE(0))).toString('utf8'));
  delete header.__metadata__;
  return Object.values(header).reduce((n, t) => n + t.shape.reduce((a, d) => a * d, 1), 0);
}

test('paramCount: equal to the core\'s count (ModelConfig::param_count) for every shape core-numbers.js lists', () => {
  assert.ok(PARAM_COUNT_EXAMPLES.length >= 6);
  for (const { cell, hidden, layers, vocab, params } of PARAM_COUNT_EXAMPLES) {
    assert.equal(paramCount(cell, hidden, layers, vocab), params, `${cell} ${layers}×${hidden}, vocabulary ${vocab}`);
  }
});

test('paramCount: by hand for the 3-unit RNN, and equal to the tensors of every shipped model', () => {
  // One layer: W_ih (3×4), W_hh (3×3), two biases (3 each); the decoder (4×3) and its bias (4).
  assert.equal(paramCount('rnn', 3, 1, 4), 12 + 9 + 6 + 12 + 4);
  // An LSTM has four gates' worth, a GRU three; the second layer reads the first layer's H, not V.
  assert.equal(paramCount('lstm', 2, 2, 5), 4 * 2 * (5 + 2 + 2) + 4 * 2 * (2 + 2 + 2) + 5 * 2 + 5);
  assert.equal(paramCount('gru', 2, 1, 5), 3 * 2 * (5 + 2 + 2) + 5 * 2 + 5);
  const manifest = JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8'));
  assert.ok(manifest.models.length >= 5);
  for (const m of manifest.models) {
    assert.equal(paramCount(m.cell, m.hidden, m.layers, m.vocabSize), tensorElements(m.file), m.file);
  }
});

test('sizeProblems: the parameter limit and the window limit, each at its edge', () => {
  assert.deepEqual(sizeProblems(defaults(), 65), []);
  // The largest LSTM of one layer on 65 characters that the limit allows, and one unit more.
  let h = 1;
  while (paramCount('lstm', h + 1, 1, 65) <= LIMITS.maxParams) h++;
  const small = { ...defaults(), cell: 'lstm', layers: 1, seqLen: 1, batch: 1 };
  assert.deepEqual(sizeProblems({ ...small, hidden: h }, 65), []);
  const over = sizeProblems({ ...small, hidden: h + 1 }, 65);
  assert.equal(over.length, 1);
  assert.match(over[0], /^[\d,]+ parameters is too many for a browser tab \(limit 20,000,000\)/);
  assert.ok(over[0].startsWith(paramCount('lstm', h + 1, 1, 65).toLocaleString('en-US')), over[0]);
  // seqLen × batch × hidden × layers may reach 16 × maxWindow, not pass it.
  const win = { ...defaults(), cell: 'rnn', hidden: 16, layers: 1, seqLen: 1000 };
  assert.equal(1000 * 1000 * 16, LIMITS.maxWindow * 16);
  assert.deepEqual(sizeProblems({ ...win, batch: 1000 }, 65), []);
  assert.deepEqual(sizeProblems({ ...win, batch: 1001 }, 65), [
    'sequence length × batch × hidden × layers = 16,016,000 is too large to train here; shorten the sequence or the batch',
  ]);
  // Both at once: both reasons.
  assert.equal(sizeProblems({ ...defaults(), cell: 'lstm', hidden: 2048, layers: 8, seqLen: 2048, batch: 1024 }, 65).length, 2);
});
