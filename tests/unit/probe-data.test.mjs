// applyProbe (www/scope/probe-data.js): the page's copy of a probe, grown in place from the worker's incremental answers.
// The messages here are built as the engine builds Evt.PROBE; every value encodes its position, so a value left
// at the wrong place, or lost when the buffers grow, is seen.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyProbe } from '../../www/scope/probe-data.js';

const VOCAB = ['a', 'b', 'c'];
const LSTM = { cell: 'lstm', vocab: VOCAB, gateNames: ['i', 'f', 'g', 'o'] };
const RNN = { cell: 'rnn', vocab: VOCAB, gateNames: [] };

/** Step t's distribution over the vocabulary: it depends on t, and sums to 1. */
function dist(t) {
  const w = [1 + (t % 3), 2, 3 + (t % 2)];
  const s = w[0] + w[1] + w[2];
  return w.map((x) => x / s);
}

/** The Evt.PROBE the engine sends for positions from … text.length-1 of `text` (L layers, H units). */
function probeMsg(text, from, { L = 1, H = 2, lstm = true, tag = 0 } = {}) {
  const chars = Array.from(text);
  const steps = chars.length - from;
  const G = lstm ? 4 : 0;
  const V = VOCAB.length;
  const fill = (n, f) => Float32Array.from({ length: n }, (_, i) => f(i));
  return {
    type: 'probe',
    id: 1,
    from,
    steps,
    vocab: V,
    layers: L,
    hidden: H,
    gates: G,
    input: Int32Array.from(chars.slice(from), (ch) => VOCAB.indexOf(ch)),
    // Value = 1000·t + index within the step (+ tag, to tell two probes of one position apart).
    h: fill(steps * L * H, (i) => 1000 * (from + Math.floor(i / (L * H))) + (i % (L * H)) + tag),
    c: lstm ? fill(steps * L * H, (i) => -(1000 * (from + Math.floor(i / (L * H))) + (i % (L * H)) + tag)) : null,
    gate: lstm ? fill(steps * L * G * H, (i) => 1000 * (from + Math.floor(i / (L * G * H))) + (i % (L * G * H)) + 0.5) : null,
    logits: fill(steps * V, (i) => 1000 * (from + Math.floor(i / V)) + (i % V)),
    probs: Float32Array.from(Array.from({ length: steps }, (_, k) => dist(from + k)).flat()),
    textLength: text.length,
    ms: 0,
  };
}

const EMPTY = { buffers: null, data: null };

/** What a view must see for `text` (every position probed with tag `tag`). */
function assertData(d, text, { L = 1, H = 2, tag = 0 } = {}) {
  const chars = Array.from(text);
  const T = chars.length;
  assert.equal(d.steps, T);
  assert.deepEqual(d.chars, chars);
  assert.deepEqual(Array.from(d.input), chars.map((ch) => VOCAB.indexOf(ch)));
  assert.equal(d.h.length, T * L * H);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < L * H; j++) assert.equal(d.h[t * L * H + j], 1000 * t + j + tag, `h at t=${t}, j=${j}`);
    const next = t + 1 < T ? VOCAB.indexOf(chars[t + 1]) : -1;
    if (next < 0) {
      assert.ok(Number.isNaN(d.nextProb[t]) && Number.isNaN(d.loss[t]), `t=${t} has no next character`);
    } else {
      assert.equal(d.nextProb[t], Math.fround(dist(t)[next]), `nextProb at t=${t}`);
      assert.equal(d.loss[t], Math.fround(-Math.log(Math.fround(dist(t)[next]))), `loss at t=${t}`);
    }
  }
  assert.equal(d.logits.length, T * VOCAB.length);
  assert.equal(d.probs.length, T * VOCAB.length);
  assert.equal(d.nextProb.length, T);
  assert.equal(d.loss.length, T);
}

test('a first probe: every array has the text\'s length and the worker\'s values; the next-character probabilities and losses are derived', () => {
  const r = applyProbe(EMPTY, probeMsg('abcab', 0), 'abcab', LSTM);
  const d = r.data;
  assertData(d, 'abcab');
  assert.equal(d.cell, 'lstm');
  assert.deepEqual(d.vocab, VOCAB);
  assert.deepEqual(d.gateNames, ['i', 'f', 'g', 'o']);
  assert.equal(d.layers, 1);
  assert.equal(d.hidden, 2);
  assert.equal(d.c.length, 5 * 2);
  assert.equal(d.c[3 * 2 + 1], -3001);
  assert.equal(d.gate.length, 5 * 4 * 2);
  assert.equal(d.gate[2 * 8 + 7], 2007.5);
  assert.equal(d.seq, 1);
  assert.equal(d.changedSince(0), 0);
  assert.equal(d.changedSince(1), 5, 'nothing changed since itself');
});

test('an RNN has no cell state and no gates; a character outside the vocabulary has no next probability before it', () => {
  const d = applyProbe(EMPTY, probeMsg('ab?c', 0, { lstm: false }), 'ab?c', RNN).data;
  assert.equal(d.c, null);
  assert.equal(d.gate, null);
  assert.deepEqual(d.gateNames, []);
  assert.equal(d.input[2], -1);
  assert.ok(Number.isNaN(d.nextProb[1]), 'p(unknown | "ab")');
  assert.ok(Number.isFinite(d.nextProb[2]), 'p("c" | "ab?")');
});

test('typing on: only the new positions come, the earlier ones stay in the same buffers, and the last old position gets its next probability', () => {
  const first = applyProbe(EMPTY, probeMsg('abc', 0), 'abc', LSTM);
  assert.ok(Number.isNaN(first.data.nextProb[2]));
  const second = applyProbe(first, probeMsg('abcab', 3, { tag: 0 }), 'abcab', LSTM);
  assert.equal(second.buffers, first.buffers, 'the buffers were not reused');
  assertData(second.data, 'abcab');
  assert.equal(second.data.seq, 2);
  // What changed since the first probe: position 2 (its next probability) onwards.
  assert.equal(second.data.changedSince(1), 2);
  assert.equal(second.data.changedSince(2), 5);
  assert.equal(second.data.changedSince(0), 0);
  // Two layers: each position holds L·H values, and the new ones go after all of them.
  const two = applyProbe(applyProbe(EMPTY, probeMsg('ab', 0, { L: 2 }), 'ab', LSTM), probeMsg('abcab', 2, { L: 2 }), 'abcab', LSTM);
  assertData(two.data, 'abcab', { L: 2 });
  assert.equal(two.data.c[4 * 4 + 3], -4003);
  assert.equal(two.data.gate[3 * 16 + 15], 3015.5);
});

test('an edit in the middle: positions from the edit on are replaced; what changed is told against any earlier probe', () => {
  let r = applyProbe(EMPTY, probeMsg('abcabc', 0), 'abcabc', LSTM);
  r = applyProbe(r, probeMsg('abcabcab', 6), 'abcabcab', LSTM); // seq 2: from 5
  r = applyProbe(r, probeMsg('abcba', 3, { tag: 0.25 }), 'abcba', LSTM); // seq 3: from 2, shorter
  const d = r.data;
  assert.equal(d.steps, 5);
  assert.deepEqual(d.chars, ['a', 'b', 'c', 'b', 'a']);
  assert.equal(d.h[2 * 2], 2000, 'a position before the edit was replaced');
  assert.equal(d.h[3 * 2], 3000.25, 'the edited position kept the old value');
  assert.equal(d.nextProb[2], Math.fround(dist(2)[1]), 'p("b" | "abc") after the edit');
  assert.equal(d.changedSince(2), 2);
  assert.equal(d.changedSince(1), 2, 'the earliest change since probe 1 is the edit, not probe 2\'s position 5');
  assert.equal(d.changedSince(3), 5);
});

test('a probe from the start leaves room for a quarter more; past the room the buffers grow, keeping every earlier position', () => {
  const long = 'abc'.repeat(8); // 24 positions: more than the room the first 15 leave
  let r = applyProbe(EMPTY, probeMsg(long.slice(0, 15), 0), long.slice(0, 15), LSTM);
  const cap = r.buffers.cap;
  assert.equal(cap, 18);
  const first = r.buffers;
  r = applyProbe(r, probeMsg(long.slice(0, 18), 15), long.slice(0, 18), LSTM);
  assert.equal(r.buffers, first, 'typing into the room keeps the buffers');
  r = applyProbe(r, probeMsg(long, 18), long, LSTM);
  assert.ok(r.buffers.cap >= 24 && r.buffers.cap > cap);
  assertData(r.data, long);
  assert.equal(r.data.c[14 * 2], -14000, 'the cell state of an old position was lost');
  assert.equal(r.data.gate[14 * 8 + 3], 14003.5, 'a gate of an old position was lost');
  assert.equal(r.data.logits[14 * 3 + 2], 14002);
  assert.equal(r.data.changedSince(2), 17);
  assert.equal(r.data.changedSince(0), 0);
});

test('a new model shape, a probe from the start, or one past the end starts afresh: everything counts as changed', () => {
  const a = applyProbe(EMPTY, probeMsg('abcab', 0), 'abcab', LSTM);
  const wider = applyProbe(a, probeMsg('abcab', 0, { H: 3 }), 'abcab', LSTM);
  assert.notEqual(wider.buffers, a.buffers);
  assertData(wider.data, 'abcab', { H: 3 });
  assert.equal(wider.data.changedSince(a.data.seq), 0);
  const deeper = applyProbe(a, probeMsg('abcabc', 5, { L: 2 }), 'abcabc', LSTM);
  assert.notEqual(deeper.buffers, a.buffers);
  assert.equal(deeper.data.changedSince(a.data.seq), 0);
  const rnn = applyProbe(a, probeMsg('abcabc', 5, { lstm: false }), 'abcabc', RNN);
  assert.notEqual(rnn.buffers, a.buffers, 'LSTM buffers reused for a model without gates');
  assert.equal(rnn.data.gate, null);
  const gap = applyProbe(a, probeMsg('abcabcab', 7), 'abcabcab', LSTM); // positions 5 and 6 never came
  assert.notEqual(gap.buffers, a.buffers);
  assert.equal(gap.data.changedSince(a.data.seq), 0);
  const reset = applyProbe(a, probeMsg('abcab', 0, { tag: 0.5 }), 'abcab', LSTM);
  assert.equal(reset.data.changedSince(a.data.seq), 0);
  assertData(reset.data, 'abcab', { tag: 0.5 });
});

test('a view more than 64 probes behind redraws everything', () => {
  let r = applyProbe(EMPTY, probeMsg('abcab', 0), 'abcab', LSTM);
  for (let i = 0; i < 70; i++) r = applyProbe(r, probeMsg('abcab', 4, { tag: i }), 'abcab', LSTM);
  assert.equal(r.data.seq, 71);
  assert.equal(r.data.h[4 * 2], 4069);
  assert.equal(r.data.changedSince(70), 3);
  assert.equal(r.data.changedSince(7), 3, 'a view 64 probes behind is told only the last positions changed');
  assert.equal(r.data.changedSince(6), 0, 'a view 65 probes behind was not told to redraw everything');
});

test('a fresh probe of every position that fits fills the same buffers in place, and everything counts as changed', () => {
  const a = applyProbe(EMPTY, probeMsg('abcabcab', 0), 'abcabcab', LSTM);
  const fresh = applyProbe(a, probeMsg('abcab', 0, { tag: 0.25 }), 'abcab', LSTM);
  assert.equal(fresh.buffers, a.buffers, 'new arrays for a probe that fits');
  assertData(fresh.data, 'abcab', { tag: 0.25 });
  assert.equal(fresh.data.changedSince(a.data.seq), 0);
  // One that does not fit gets room of its own.
  const long = 'abc'.repeat(20);
  const bigger = applyProbe(fresh, probeMsg(long, 0), long, LSTM);
  assert.notEqual(bigger.buffers, a.buffers);
  assertData(bigger.data, long);
});

/** `m` as the engine sends an answer from position 0: each array with room for `room` positions. */
function withRoom(m, room) {
  const roomy = (a, per) => {
    if (!a) return a;
    const r = new a.constructor(room * per);
    r.set(a);
    return r;
  };
  const { layers: L, hidden: H, gates: G, vocab: V } = m;
  return { ...m, room, input: roomy(m.input, 1), h: roomy(m.h, L * H), c: roomy(m.c, L * H), gate: roomy(m.gate, L * G * H), logits: roomy(m.logits, V), probs: roomy(m.probs, V) };
}

test('an answer from position 0 with room becomes the buffers without a copy, and the next keys fit in them', () => {
  const before = applyProbe(EMPTY, probeMsg('abcab', 0), 'abcab', LSTM);
  const m = withRoom(probeMsg('abcabcab', 0, { tag: 0.25 }), 10);
  const r = applyProbe(before, m, 'abcabcab', LSTM);
  assert.equal(r.buffers.h, m.h, 'the answer\'s own array');
  assert.equal(r.buffers.cap, 10);
  assertData(r.data, 'abcabcab', { tag: 0.25 });
  assert.equal(r.data.changedSince(before.data.seq), 0, 'every position changed');
  const typed = applyProbe(r, probeMsg('abcabcabca', 8, { tag: 0.25 }), 'abcabcabca', LSTM);
  assert.equal(typed.buffers, r.buffers, 'two more keys fit in the room');
  assertData(typed.data, 'abcabcabca', { tag: 0.25 });
  // An RNN's answer has no cell state and no gates.
  const rnn = applyProbe(EMPTY, withRoom(probeMsg('abc', 0, { lstm: false }), 16), 'abc', RNN);
  assert.equal(rnn.data.c, null);
  assert.equal(rnn.data.gate, null);
  assertData(rnn.data, 'abc');
});
