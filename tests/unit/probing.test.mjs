// Double-buffered probing, both halves without a browser: the page's ProbeChannel (www/scope/probe-channel.js) keeps
// one probe in flight on each of two lanes, so a keystroke is sent while a reset probe is on its way, and folds the
// answers in as they come; the engine's FreshProbe (www/engine/fresh-probe.js) builds the reset probe in slices
// that follow the text as keystrokes change it, and answers it with the text it reached.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeChannel } from '../../www/scope/probe-channel.js';
import { FreshProbe } from '../../www/engine/fresh-probe.js';
import { LocalStep } from '../../www/scope/local-step.js';
import { Cmd, Evt } from '../../www/engine/protocol.js';

const INFO = { cell: 'rnn', vocab: ['a', 'b'], gateNames: [] };

/** A scope with what the channel reads, recording what it sends to the engine. */
function fakeScope(text) {
  let next = 0;
  const listeners = new Set();
  const scope = {
    model: { info: INFO },
    closed: false,
    visible: true,
    running: true,
    step: 0,
    st: { probe: text },
    instruments: { clamps: [] },
    sent: [],
    client: { ready: true, mode: 'worker', id: () => ++next, send: (m) => scope.sent.push(m) },
    say() {},
    unsay() {},
    changed: (...parts) => listeners.forEach((f) => f({ detail: { parts } })),
    set(key, value) {
      scope.st[key] = value;
      scope.probe.textChanged();
    },
    addEventListener: (_type, f) => listeners.add(f),
    removeEventListener: (_type, f) => listeners.delete(f),
  };
  scope.probe = new ProbeChannel(scope);
  return scope;
}

/** An engine's answer to probe `id`: positions `from…` of `text`, each hidden value the position itself plus `mark`. */
function answer(id, text, from, mark = 0) {
  const steps = Array.from(text).length - from;
  const values = Float32Array.from({ length: steps }, (_, t) => from + t + mark);
  return {
    type: Evt.PROBE, id, from, steps, layers: 1, hidden: 1, vocab: 2, gates: 0,
    input: Int32Array.from({ length: steps }, () => 0), h: values, c: null, gate: null,
    logits: new Float32Array(2 * steps), probs: new Float32Array(2 * steps).fill(0.5), text, ms: 1,
  };
}

test('a keystroke is sent while a reset probe is in flight, and both answers are folded in as they arrive', () => {
  const s = fakeScope('ab');
  s.probe.newModel();
  assert.deepEqual(s.sent.map((m) => [m.text, !!m.reset]), [['ab', false]], 'a new model is probed on the keystroke lane');
  s.probe.answered(answer(s.sent[0].id, 'ab', 0));
  s.step = 5;
  s.probe.tick();
  assert.deepEqual(s.sent.map((m) => [m.text, !!m.reset]).slice(1), [['ab', true]], 'training moved on: a reset probe');
  s.set('probe', 'aba');
  assert.deepEqual(s.sent.map((m) => [m.text, !!m.reset]).slice(2), [['aba', false]], 'the keystroke does not wait');
  s.probe.answered(answer(s.sent[2].id, 'aba', 2));
  assert.equal(s.probe.text, 'aba');
  assert.deepEqual(Array.from(s.probe.data.h), [0, 1, 2]);
  // The reset probe followed the keystroke to "aba"; its answer replaces every column.
  s.probe.answered(answer(s.sent[1].id, 'aba', 0, 10));
  assert.deepEqual(Array.from(s.probe.data.h), [10, 11, 12]);
  assert.equal(s.probe.text, 'aba');
  // An answer to nothing in flight (an old model's) is ignored; while one reset is in flight, no second is sent.
  s.probe.answered(answer(99, 'abab', 0, 50));
  assert.deepEqual(Array.from(s.probe.data.h), [10, 11, 12]);
  s.step = 6;
  s.probe.tick();
  s.probe.request(true);
  assert.equal(s.sent.filter((m) => m.reset).length, 2);
});

test('probe(text) resolves only with data that builds on a probe sent after the call', async () => {
  const s = fakeScope('ab');
  s.probe.newModel();
  s.probe.answered(answer(s.sent[0].id, 'ab', 0));
  let resolved = null;
  const done = s.probe.fresh('ab').then((d) => (resolved = d));
  await Promise.resolve();
  assert.equal(resolved, null, 'the data in hand is older than the call');
  const reset = s.sent.find((m, i) => i > 0 && m.reset);
  assert.ok(reset, 'a reset probe was sent');
  s.probe.answered(answer(reset.id, 'ab', 0, 7));
  await done;
  assert.deepEqual(Array.from(resolved.h), [7, 8]);
});

test('a refused probe frees its lane and the next probe starts afresh', () => {
  const s = fakeScope('ab');
  s.probe.newModel();
  s.probe.failed({ id: s.sent[0].id, message: 'no' });
  assert.equal(s.probe.inFlight, 0);
  s.probe.pump();
  assert.deepEqual(s.sent.slice(1).map((m) => [m.text, !!m.reset]).sort(), [['ab', false], ['ab', true]]);
});

/**
 * A LocalStep whose stepper is a stand-in for the core's (src/wasm/stepper.rs, tested bit for bit against the
 * engine in tests/wasm.rs): each hidden value it computes is its position plus the first weight; it records calls.
 */
function fakeLocal() {
  const local = new LocalStep();
  const calls = [];
  class Stepper {
    constructor(cell, nonlinearity, hidden, layers, vocab, params) {
      calls.push(['new', cell, hidden, layers, vocab, Array.from(params)]);
      this.w = params[0];
    }
    setParams(params) {
      calls.push(['setParams', Array.from(params)]);
      this.w = params[0];
    }
    step(h, c, text, from) {
      calls.push(['step', Array.from(h), text, from]);
      const steps = Array.from(text).length;
      return {
        from, steps, input: new Int32Array(steps), h: Float32Array.from({ length: steps }, (_, t) => from + t + this.w),
        c: null, gate: null, logits: new Float32Array(2 * steps), probs: new Float32Array(2 * steps).fill(0.5),
      };
    }
    free() {}
  }
  local.glue = { Stepper };
  local.prepareSoon = () => {}; // no page core in Node: the fake glue is already there
  return { local, calls };
}

/** An answer from position 0 carries the weights it was computed with. */
function withParams(m, w) {
  return { ...m, params: Float32Array.of(w, 0) };
}

/** A scope showing "ab" from an answer that carried weights (first weight 100), trained on to step 5: a reset probe on its way. */
function trainingWithLocalWeights() {
  const s = fakeScope('ab');
  const { local, calls } = fakeLocal();
  s.probe.local = local;
  s.probe.newModel();
  s.probe.answered(withParams(answer(s.sent[0].id, 'ab', 0), 100));
  s.step = 5;
  s.probe.tick();
  return { s, calls, reset: s.sent.at(-1) };
}

test('a keystroke that adds characters is computed in the page with the weights of the probe shown', () => {
  const { s, calls } = trainingWithLocalWeights();
  const before = s.sent.length;
  s.set('probe', 'abab');
  assert.deepEqual(Array.from(s.probe.data.h), [0, 1, 102, 103], 'drawn from the page, at once');
  assert.equal(s.probe.text, 'abab');
  assert.deepEqual(calls.map((c) => c[0]), ['new', 'step']);
  assert.deepEqual(calls[1], ['step', [1], 'ab', 2], 'from the state at the last character shown');
  assert.deepEqual(s.sent.slice(before).map((m) => [m.text, !!m.follow, m.id ?? null]), [['abab', true, null]],
    'the engine is only told the text, for its reset probe');
  // Deleting needs no step at all.
  s.set('probe', 'aba');
  assert.deepEqual(Array.from(s.probe.data.h), [0, 1, 102]);
  assert.equal(calls.length, 2);
  // An edit inside the text goes to the engine.
  s.set('probe', 'bba');
  const last = s.sent.at(-1);
  assert.deepEqual([last.text, !!last.follow, !!last.reset], ['bba', false, false]);
  assert.equal(s.probe.localCount, 2);
});

test('a reset answer of an older text is brought to the text shown, by the page or else by the engine', () => {
  const { s, calls, reset } = trainingWithLocalWeights();
  assert.ok(reset.reset);
  s.set('probe', 'aba'); // computed here; the engine hears of it after its reset probe reached "ab"
  s.probe.answered(withParams(answer(reset.id, 'ab', 0, 10), 200));
  assert.deepEqual(Array.from(s.probe.data.h), [10, 11, 202], 'the new weights, and the character typed, at once');
  assert.deepEqual(calls.slice(-2).map((c) => c[0]), ['setParams', 'step']);
  // Where the page cannot compute it, the engine is asked for it, though it was told the text already.
  s.probe.request(true);
  const reset2 = s.sent.at(-1);
  assert.ok(reset2.reset);
  s.probe.local.forget();
  s.probe.answered(answer(reset2.id, 'ab', 0, 20));
  const last = s.sent.at(-1);
  assert.deepEqual([last.text, !!last.follow, !!last.reset], ['aba', false, false]);
  // With clamps in force the page computes nothing.
  s.probe.answered(withParams(answer(last.id, 'aba', 2, 30), 300));
  s.instruments.clamps = [{ layer: 0, tensor: 'h', unit: 0, value: 0 }];
  const n = calls.length;
  s.set('probe', 'abab');
  assert.equal(calls.length, n);
  assert.equal(s.sent.at(-1).text, 'abab');
  assert.ok(!s.sent.at(-1).follow);
});

test('a paused model\'s keystrokes use its own weights: the engine computes them until a probe brings them', () => {
  const s = fakeScope('ab');
  const { local } = fakeLocal();
  s.probe.local = local;
  s.probe.newModel();
  s.probe.answered({ ...withParams(answer(s.sent[0].id, 'ab', 0), 100), step: 0 });
  // Trained on to step 7 and paused; the weights the page holds are step 0's.
  s.step = 7;
  s.running = false;
  s.set('probe', 'aba');
  assert.equal(s.probe.localCount, 0);
  const key = s.sent.at(-1);
  assert.deepEqual([key.text, !!key.follow], ['aba', false]);
  s.probe.answered(answer(key.id, 'aba', 2));
  s.probe.tick(); // the step moved since the last reset probe: one is sent, and brings step 7's weights
  const reset = s.sent.at(-1);
  assert.ok(reset.reset);
  s.probe.answered({ ...withParams(answer(reset.id, 'aba', 0, 10), 200), step: 7 });
  s.set('probe', 'abab');
  assert.equal(s.probe.localCount, 1);
  assert.deepEqual(Array.from(s.probe.data.h), [10, 11, 12, 203]);
});

test('when training stops, the diagram is probed afresh with the final weights, after the reset probe in flight', () => {
  const { s, reset } = trainingWithLocalWeights(); // a reset probe sent at step 5
  s.step = 9;
  s.running = false;
  s.probe.stopped();
  assert.equal(s.sent.filter((m) => m.reset).length, 1, 'one reset probe in flight at a time');
  s.probe.answered({ ...answer(reset.id, 'ab', 0, 10), step: 5 });
  const again = s.sent.at(-1);
  assert.ok(again.reset, 'a second one, with the weights of step 9');
  s.probe.answered({ ...withParams(answer(again.id, 'ab', 0, 20), 300), step: 9 });
  s.probe.stopped();
  assert.equal(s.sent.filter((m) => m.reset).length, 2, 'nothing more once the probe has the final weights');
});

test('the page computes only a few characters itself, and a new shape gets a stepper of its own', () => {
  const { local, calls } = fakeLocal();
  const data = { steps: 2, layers: 1, hidden: 1, h: Float32Array.of(5, 6), c: null, gate: null, vocab: ['a', 'b'], gateNames: [] };
  assert.equal(local.step(data, 'ab', 'abb'), null, 'no weights yet');
  local.weights(Float32Array.of(1, 2), { cell: 'rnn', nonlinearity: 'tanh', hidden: 1, layers: 1, vocab: ['a', 'b'] });
  const m = local.step(data, 'ab', 'abb');
  assert.deepEqual([m.from, m.steps, Array.from(m.h)], [2, 1, [3]]);
  local.perChar = 1;
  assert.equal(local.step(data, 'ab', 'ab' + 'a'.repeat(10)), null, 'a paste goes to the engine');
  local.weights(Float32Array.of(3, 4), { cell: 'rnn', nonlinearity: 'tanh', hidden: 1, layers: 1, vocab: ['a', 'b'] });
  local.step(data, 'ab', 'abb');
  local.weights(Float32Array.of(5, 6), { cell: 'gru', nonlinearity: 'tanh', hidden: 1, layers: 1, vocab: ['a', 'b'] });
  local.step(data, 'ab', 'abb');
  assert.deepEqual(calls.map((c) => c[0]), ['new', 'step', 'setParams', 'step', 'new', 'step']);
  assert.equal(calls[4][1], 'gru');
});

/** An engine with a session whose fresh probe reaches `text` `per` characters per call. */
function fakeEngine() {
  const posted = [];
  const calls = [];
  let probed = '';
  const engine = {
    posted,
    calls,
    schedule() {},
    post: (m) => posted.push(m),
    postProbe: (id, p, text, ms) => posted.push({ type: Evt.PROBE, id, from: p.from, steps: p.steps, text, ms }),
    session: {
      probeFreshBegin: () => calls.push('begin') && (probed = ''),
      probeFreshAdvance(text, most) {
        calls.push(`advance ${text} ${most}`);
        if (text === 'boom') throw new Error('refused');
        const keep = [...probed].findIndex((c, i) => c !== text[i]);
        probed = keep < 0 ? probed.slice(0, text.length) : probed.slice(0, keep);
        probed = text.slice(0, probed.length + most);
        return probed === text;
      },
      probeFreshSwap: () => ({ from: 0, steps: probed.length }),
    },
  };
  return engine;
}

test('the engine builds a reset probe in slices, follows keystrokes, and answers with the text it reached', () => {
  const engine = fakeEngine();
  const fresh = new FreshProbe(engine);
  fresh.per = 2;
  fresh.begin({ id: 7, text: 'abab', reset: true });
  assert.ok(fresh.job);
  fresh.slice();
  assert.equal(engine.posted.length, 0, 'not at the end yet: nothing answered');
  fresh.follow('ababa');
  while (fresh.job) fresh.slice();
  assert.deepEqual(engine.posted.map((m) => [m.id, m.from, m.steps, m.text]), [[7, 0, 5, 'ababa']]);
  assert.ok(engine.calls.some((c) => c.startsWith('advance ababa')), 'the slices after the keystroke went to the new text');
  // A refusal answers the probe's id with an error, and the job is gone.
  fresh.begin({ id: 8, text: 'boom', reset: true });
  fresh.slice();
  assert.equal(fresh.job, null);
  assert.deepEqual([engine.posted[1].type, engine.posted[1].id, engine.posted[1].op], [Evt.ERROR, 8, Cmd.PROBE]);
});
