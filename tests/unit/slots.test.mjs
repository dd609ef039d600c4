// The training slots every rnnscope element on a page shares (TrainingSlots in www/engine/client.js): at most `size`
// models train at once, the others wait in line and are called back in order as slots free up.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainingSlots, trainingSlots } from '../../www/engine/client.js';

/** A holder that counts its callbacks. */
function holder(name) {
  return {
    name,
    granted: 0,
    slotGranted() {
      this.granted++;
    },
  };
}

test('the size is a whole number of at least one', () => {
  assert.equal(new TrainingSlots(4).size, 4);
  assert.equal(new TrainingSlots(2.9).size, 2);
  assert.equal(new TrainingSlots(0).size, 1);
  assert.equal(new TrainingSlots(-3).size, 1);
  assert.equal(new TrainingSlots(undefined).size, 1);
});

test('acquire: a slot each until they run out; asking again neither counts twice nor queues twice', () => {
  const slots = new TrainingSlots(2);
  const [a, b, c] = ['a', 'b', 'c'].map(holder);
  assert.equal(slots.acquire(a), true);
  assert.equal(slots.acquire(a), true);
  assert.equal(slots.used(), 1);
  assert.equal(slots.acquire(b), true);
  assert.equal(slots.acquire(c), false);
  assert.equal(slots.acquire(c), false);
  assert.equal(slots.used(), 2);
  assert.deepEqual(slots.waiting, [c]);
  assert.equal(slots.isWaiting(c), true);
  assert.equal(slots.isWaiting(a), false);
  assert.equal(c.granted, 0);
});

test('release: the first in line gets the slot, once, and nobody else is called', () => {
  const slots = new TrainingSlots(1);
  const [a, b, c] = ['a', 'b', 'c'].map(holder);
  slots.acquire(a);
  slots.acquire(b);
  slots.acquire(c);
  slots.release(a);
  assert.deepEqual([a.granted, b.granted, c.granted], [0, 1, 0]);
  assert.equal(slots.holders.has(b), true);
  assert.deepEqual(slots.waiting, [c]);
  // A holder granted by release holds it: asking now answers true without queueing.
  assert.equal(slots.acquire(b), true);
  slots.release(b);
  assert.deepEqual([a.granted, b.granted, c.granted], [0, 1, 1]);
  slots.release(c);
  assert.equal(slots.used(), 0);
  // Releasing again, or releasing what was never held, grants nothing.
  slots.release(c);
  slots.release(holder('stranger'));
  assert.deepEqual([a.granted, b.granted, c.granted], [0, 1, 1]);
});

test('release of one that waits only takes it out of line; the slot holder keeps the slot', () => {
  const slots = new TrainingSlots(1);
  const [a, b, c] = ['a', 'b', 'c'].map(holder);
  slots.acquire(a);
  slots.acquire(b);
  slots.acquire(c);
  slots.release(b);
  assert.deepEqual(slots.waiting, [c]);
  assert.equal(slots.holders.has(a), true);
  assert.equal(b.granted + c.granted, 0);
  slots.release(a);
  assert.equal(c.granted, 1);
  assert.equal(b.granted, 0);
});

test('acquireSecond: only for a holder, only when a slot is free and nobody waits; release gives both back', () => {
  const slots = new TrainingSlots(3);
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(holder);
  assert.equal(slots.acquireSecond(a), false, 'a second slot without a first');
  slots.acquire(a);
  assert.equal(slots.acquireSecond(a), true);
  assert.equal(slots.acquireSecond(a), true);
  assert.equal(slots.used(), 2);
  slots.acquire(b);
  assert.equal(slots.acquireSecond(b), false, 'no slot free');
  assert.equal(slots.acquire(c), false);
  assert.equal(slots.acquire(d), false);
  // a gives back both of its slots: both waiting holders get one, in order.
  slots.release(a);
  assert.deepEqual([c.granted, d.granted], [1, 1]);
  assert.equal(slots.used(), 3);
  assert.equal(slots.doubled.size, 0);
  // A second slot, once given back, goes to the line first: it is not kept for the holder's second half.
  const e = holder('e');
  slots.release(d);
  assert.equal(slots.acquireSecond(b), true);
  assert.equal(slots.acquire(e), false);
  slots.release(b);
  assert.equal(e.granted, 1);
  assert.equal(slots.used(), 2);
});

test('the page shares one set of slots, sized by the cores the browser reports', () => {
  const slots = trainingSlots();
  assert.equal(trainingSlots(), slots);
  assert.equal(slots.size, globalThis.navigator?.hardwareConcurrency || 1);
});
