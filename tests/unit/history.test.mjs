// A run's loss record (LossHistory in www/scope/history.js): every step's loss kept, a gap starting the record afresh,
// at most 1024 chart points whose means are the steps' means; the unit converter; folding a PROGRESS report.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LossHistory, UNIT_LABEL, converter, onProgress } from '../../www/scope/history.js';
import { prop } from '../../www/scope/state.js';

const f32 = (xs) => Array.from(Float32Array.from(xs));

test('append: losses continue the record; toArray and tail read them back at float32 precision', () => {
  const h = new LossHistory(10);
  h.append(10, [0.1, 0.2, 0.3]);
  h.append(13, new Float32Array([0.4]));
  assert.equal(h.length, 4);
  assert.equal(h.offset, 10);
  assert.deepEqual(h.toArray(), f32([0.1, 0.2, 0.3, 0.4]));
  const t = h.tail(2);
  assert.equal(t.offset, 12);
  assert.deepEqual(Array.from(t.losses), f32([0.3, 0.4]));
  // tail is a copy: changing it leaves the record alone.
  t.losses[0] = 99;
  assert.deepEqual(h.toArray(), f32([0.1, 0.2, 0.3, 0.4]));
  assert.deepEqual(h.tail(100).offset, 10);
  assert.equal(h.tail(100).losses.length, 4);
  assert.deepEqual(h.tail(0).losses.length, 0);
  // Display points: [step at the end of the point, mean]. Step numbers count from the offset, 1-based.
  assert.deepEqual(h.series().map(([x]) => x), [11, 12, 13, 14]);
});

test('append: a first step that does not continue the record starts it again from there', () => {
  const h = new LossHistory();
  h.append(0, [1, 2, 3]);
  h.append(1, [7, 8]); // a recovered worker went back to step 1
  assert.equal(h.offset, 1);
  assert.deepEqual(h.toArray(), [7, 8]);
  assert.deepEqual(h.series(), [[2, 7], [3, 8]]);
  h.append(50, [5]); // and a jump forward
  assert.equal(h.offset, 50);
  assert.deepEqual(h.toArray(), [5]);
  assert.deepEqual(h.series(), [[51, 5]]);
});

test('append: the record grows past its first buffer and keeps everything, in order', () => {
  const h = new LossHistory();
  const all = Array.from({ length: 5000 }, (_, i) => i / 8); // exact in float32
  h.append(0, all.slice(0, 1000));
  h.append(1000, all.slice(1000, 1030));
  h.append(1030, all.slice(1030));
  assert.equal(h.length, 5000);
  assert.deepEqual(h.toArray(), all);
});

test('series: at most 1024 points, each the mean of the steps it covers, ending at its last step', () => {
  const h = new LossHistory();
  const n = 3000;
  const losses = Array.from({ length: n }, (_, i) => (i % 7) + 1); // small integers: sums are exact
  for (let i = 0; i < n; i += 250) h.append(i, losses.slice(i, i + 250));
  const s = h.series();
  assert.ok(s.length <= 1024 && s.length > 512, `${s.length} points`);
  assert.equal(h.bucket, 4);
  // The steps covered, from the points' ends: contiguous from step 1 to the last step.
  let from = 1;
  for (const [x, mean] of s) {
    const steps = losses.slice(from - 1, x);
    assert.ok(steps.length >= 1 && steps.length <= h.bucket, `point at ${x} covers ${steps.length} steps`);
    assert.equal(mean, steps.reduce((a, b) => a + b, 0) / steps.length, `point at ${x}`);
    from = x + 1;
  }
  assert.equal(from - 1, n);
});

test('series: a NaN or infinite loss is kept in the record but drawn as no point', () => {
  const h = new LossHistory();
  h.append(0, [1, NaN, Infinity, 3]);
  assert.equal(h.length, 4);
  assert.ok(Number.isNaN(h.toArray()[1]));
  assert.deepEqual(h.series(), [[1, 1], [4, 3]]);
});

test('converter: nats as they are, bits (ln 2 nats = 1 bit), perplexity (e^loss); a label for each unit', () => {
  assert.equal(converter('nats')(1.25), 1.25);
  assert.equal(converter('bits')(Math.LN2), 1);
  assert.equal(converter('bits')(2 * Math.LN2), 2);
  assert.ok(Math.abs(converter('ppl')(Math.log(65)) - 65) < 1e-12);
  assert.equal(converter('ppl')(0), 1);
  assert.equal(converter('nonsense')(0.7), 0.7, 'an unknown unit is shown as nats');
  assert.deepEqual(Object.keys(UNIT_LABEL).sort(), [...prop('units').options].sort());
  assert.deepEqual(UNIT_LABEL, { nats: 'nats/char', bits: 'bits/char', ppl: 'perplexity' });
});

test('onProgress: a report folds into the run: losses, step, speed only when characters were read, finite validation only', () => {
  const run = { hist: new LossHistory(), val: [], step: 0, last: null, charsPerSec: 0 };
  const m1 = { step: 2, firstStep: 0, losses: new Float32Array([4, 3]), chars: 100, charsPerSec: 5000, valLoss: 3.5, valStep: 2 };
  onProgress(run, m1);
  assert.deepEqual(run.hist.toArray(), [4, 3]);
  assert.equal(run.step, 2);
  assert.equal(run.last, m1);
  assert.equal(run.charsPerSec, 5000);
  assert.deepEqual(run.val, [{ x: 2, y: 3.5 }]);
  onProgress(run, { step: 3, firstStep: 2, losses: new Float32Array([2]), chars: 0, charsPerSec: 0, valLoss: NaN, valStep: 3 });
  assert.equal(run.charsPerSec, 5000, 'a report without characters (a STEP) reset the speed');
  assert.deepEqual(run.val, [{ x: 2, y: 3.5 }], 'a NaN validation loss (no split) was recorded');
  assert.deepEqual(run.hist.toArray(), [4, 3, 2]);
  assert.equal(run.step, 3);
});
