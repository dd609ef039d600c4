// The hell diagram's row groups (www/views/hell-rows.js): a typed character redraws one column of each group's
// pixels, and what an incremental draw leaves is exactly what drawing everything afresh gives.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawGroup } from '../../www/views/hell-rows.js';

/** A row group of `units` hidden units of layer 0, drawing into a canvas that records its writes. */
function group(units, kind = 'h') {
  const puts = [];
  const canvas = { width: 0, height: 0, style: {} };
  const ctx = {
    createImageData: (w, h) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) }),
    putImageData: (img, dx, dy, x, y, w, h) => puts.push([x, w]),
  };
  return { g: { kind, units, layer: 0, canvas, ctx, img: null, min: -1, max: 1, scale: 'diverging', rangeEl: { textContent: '' } }, puts };
}

/** ProbeData-like: `T` positions of one layer of `H` units, unit u at t = f(t, u). */
function data(T, H, f) {
  const h = new Float32Array(T * H);
  for (let t = 0; t < T; t++) for (let u = 0; u < H; u++) h[t * H + u] = f(t, u);
  return { steps: T, layers: 1, hidden: H, gateNames: [], cell: 'lstm', h, c: h, gate: null };
}

/** The pixels of positions 0…T-1 of every unit, and whether every pixel past them is transparent. */
function pixels(g, T) {
  const { width: W, data: px } = g.img;
  const shown = [];
  let clear = true;
  for (let u = 0; u < g.units; u++) {
    for (let t = 0; t < W; t++) {
      const rgba = Array.from(px.subarray((u * W + t) * 4, (u * W + t) * 4 + 4));
      if (t < T) shown.push(rgba.join(','));
      else if (rgba.some((v) => v !== 0)) clear = false;
    }
  }
  return { shown, clear };
}

const wave = (t, u) => Math.sin(t * 0.7 + u);

test('a typed character redraws one column, and leaves what a draw from scratch gives', () => {
  const { g, puts } = group(3);
  drawGroup(g, data(5, 3, wave));
  assert.deepEqual(puts.at(-1), [0, 5]);
  // One more character; position 4's values changed too (its next probability), so the draw starts there.
  const next = data(6, 3, (t, u) => (t >= 4 ? -wave(t, u) : wave(t, u)));
  drawGroup(g, next, 4);
  assert.deepEqual(puts.at(-1), [4, 2], 'only the two changed columns are written');
  const { g: fresh } = group(3);
  drawGroup(fresh, next);
  assert.deepEqual(pixels(g, 6).shown, pixels(fresh, 6).shown);
  assert.ok(g.img.width >= 6 && g.canvas.width === g.img.width, 'the canvas grows with room to spare, not per character');
});

test('a shorter text clears the columns it lost; a new colour range redraws everything', () => {
  const { g, puts } = group(2, 'c');
  drawGroup(g, data(8, 2, (t) => t / 10));
  drawGroup(g, data(5, 2, (t) => t / 10), 5);
  assert.deepEqual(puts.at(-1), [5, 3], 'the three lost columns are written, transparent');
  assert.equal(pixels(g, 5).clear, true);
  // A cell state beyond ±1 widens the range to ±2: every column's colour changes.
  drawGroup(g, data(6, 2, (t) => (t === 5 ? 1.5 : t / 10)), 5);
  assert.deepEqual(puts.at(-1), [0, 6]);
  assert.equal(g.rangeEl.textContent, '±2');
  const { g: fresh } = group(2, 'c');
  drawGroup(fresh, data(6, 2, (t) => (t === 5 ? 1.5 : t / 10)));
  assert.deepEqual(pixels(g, 6).shown, pixels(fresh, 6).shown);
  // The character that widened it replaced, then deleted: the range (kept per position) narrows back.
  drawGroup(g, data(6, 2, (t) => (t === 5 ? 0.5 : t / 10)), 5);
  assert.equal(g.rangeEl.textContent, '±1');
  drawGroup(g, data(6, 2, (t) => (t === 5 ? 1.5 : t / 10)), 5);
  assert.equal(g.rangeEl.textContent, '±2');
  drawGroup(g, data(5, 2, (t) => t / 10), 5);
  assert.equal(g.rangeEl.textContent, '±1');
  const { g: short } = group(2, 'c');
  drawGroup(short, data(5, 2, (t) => t / 10));
  assert.deepEqual(pixels(g, 5).shown, pixels(short, 5).shown);
});

test('a fresh probe of many columns is drawn a budget at a time, newest first, and a key typed meanwhile at once', () => {
  const { g, puts } = group(2);
  const before = data(1000, 2, wave);
  drawGroup(g, before);
  // New weights: every column changes (a fresh probe); at most 300 columns a call.
  const fresh = data(1000, 2, (t, u) => -wave(t, u));
  assert.equal(drawGroup(g, fresh, 0, 300), false);
  assert.deepEqual(puts.at(-1), [700, 300], 'the newest columns first');
  assert.equal(g.drew, 300);
  // A key typed now: its two columns (the old last one has a new next-character probability) come first.
  const typed = data(1001, 2, (t, u) => -wave(t, u) + (t >= 999 ? 0.5 : 0));
  assert.equal(drawGroup(g, typed, 999, 300), false);
  assert.deepEqual(puts.at(-1), [402, 599], 'one write: the key\'s two columns and the next 298 of the rest');
  assert.equal(g.drew, 300);
  let calls = 0;
  while (!drawGroup(g, typed, typed.steps, 300)) calls++;
  assert.ok(calls <= 2, `${calls} more calls`);
  const { g: whole } = group(2);
  drawGroup(whole, typed);
  assert.deepEqual(pixels(g, 1001).shown, pixels(whole, 1001).shown, 'what the budgeted draws leave is a draw from scratch');
});
