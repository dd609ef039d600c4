// transferables (www/engine/protocol.js): the buffers a message's typed arrays hand over with postMessage, so bulk numbers
// are moved between threads, never copied. structuredClone with the same transfer list stands in for postMessage.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CMD_TYPES, Cmd, EVT_TYPES, Evt, transferables } from '../../www/engine/protocol.js';

test('every typed-array field hands over its buffer, once, and nothing else', () => {
  const losses = new Float32Array(4);
  const input = new Int32Array(3);
  const shared = new ArrayBuffer(64);
  const a = new Float32Array(shared, 0, 4);
  const b = new Float32Array(shared, 16, 4);
  const msg = { type: Evt.PROBE, id: 3, from: 0, losses, input, h: a, probs: b, c: null, gate: undefined, text: 'abc', raw: new ArrayBuffer(8) };
  const out = transferables(msg);
  assert.deepEqual(out, [losses.buffer, input.buffer, shared]);
  assert.ok(out.every((x) => x instanceof ArrayBuffer));
});

test('DataViews and byte arrays count; SharedArrayBuffers are shared, not transferred', () => {
  const view = new DataView(new ArrayBuffer(8));
  const bytes = new Uint8Array(16);
  const sab = new Float32Array(new SharedArrayBuffer(16));
  assert.deepEqual(transferables({ type: Evt.BYTES, bytes, view, sab }), [bytes.buffer, view.buffer]);
});

test('one level down, in lists of tensors (Evt.WEIGHTS), and no deeper', () => {
  const t1 = new Float32Array(6);
  const t2 = new Float32Array(2);
  const deep = new Float32Array(1);
  const msg = {
    type: Evt.WEIGHTS,
    id: 1,
    step: 0,
    tensors: [{ name: 'w', shape: [2, 3], data: t1 }, { name: 'b', shape: [2], data: t2 }, null, 'text', { nested: { data: deep } }],
  };
  assert.deepEqual(transferables(msg), [t1.buffer, t2.buffer]);
});

test('a message with no typed arrays hands over nothing', () => {
  assert.deepEqual(transferables({ type: Cmd.PAUSE }), []);
  assert.deepEqual(transferables({ type: Evt.STATUS, running: false, step: 4, reason: 'paused' }), []);
  assert.deepEqual(transferables({}), []);
});

test('the list moves the buffers: after the transfer the sender\'s arrays are empty and the receiver has the numbers', () => {
  const losses = Float32Array.from([1.5, 2.5]);
  const data = Float32Array.from([7, 8, 9]);
  const msg = { type: Evt.PROGRESS, losses, step: 2, tensors: [{ name: 'w', data }] };
  const got = structuredClone(msg, { transfer: transferables(msg) });
  assert.equal(losses.byteLength, 0, 'the losses were copied, not moved');
  assert.equal(data.byteLength, 0, 'the tensor was copied, not moved');
  assert.deepEqual(Array.from(got.losses), [1.5, 2.5]);
  assert.deepEqual(Array.from(got.tensors[0].data), [7, 8, 9]);
  assert.equal(got.step, 2);
});

test('the vocabulary: no two requests, and no two reports, share a type; the type sets hold exactly them', () => {
  const cmds = Object.values(Cmd);
  const evts = Object.values(Evt);
  assert.equal(new Set(cmds).size, cmds.length);
  assert.equal(new Set(evts).size, evts.length);
  assert.deepEqual(CMD_TYPES, new Set(cmds));
  assert.deepEqual(EVT_TYPES, new Set(evts));
  assert.ok(Object.isFrozen(Cmd) && Object.isFrozen(Evt));
});

test("a model's config carries the settings its choices read, and only those", async () => {
  const { modelConfig, settingApplies } = await import('../../www/engine/protocol.js');
  const { defaults } = await import('../../www/scope/state.js');
  const st = { ...defaults(), optimizer: 'adam', schedule: 'constant', dropout: 0.2, warmup: 10 };
  const plain = modelConfig(st);
  assert.equal(plain.dropout, 0.2);
  assert.equal(plain.warmup, 10);
  for (const k of ['nonlinearity', 'weightDecay', 'schedule', 'scheduleSteps', 'minLr', 'gamma']) assert.ok(!(k in plain), k);
  const cosine = modelConfig({ ...st, optimizer: 'adamw', schedule: 'cosine', scheduleSteps: 500, minLr: 1e-4, weightDecay: 0.05 });
  assert.deepEqual([cosine.weightDecay, cosine.schedule, cosine.scheduleSteps, cosine.minLr, cosine.gamma], [0.05, 'cosine', 500, 1e-4, undefined]);
  const step = modelConfig({ ...st, cell: 'rnn', schedule: 'step', gamma: 0.5 });
  assert.deepEqual([step.nonlinearity, step.schedule, step.gamma, step.minLr], ['tanh', 'step', 0.5, undefined]);
  assert.equal(settingApplies('gamma', { schedule: 'cosine' }), false);
  assert.equal(settingApplies('minLr', { schedule: 'cosine' }), true);
  assert.equal(settingApplies('dropout', {}), true);
  assert.equal(settingApplies('schedule', { schedule: 'constant' }), true, 'a choice is never greyed out');
  assert.equal(settingApplies('weightDecay', { optimizer: 'adam' }), false);
});
