// The rows of the hell diagram (views/hell.js): their layout, top to bottom (the next character and the guesses; per
// layer, last on top, h, c and the gates as row groups of unit cells; the input), and each row group's pixels, one
// ImageData canvas per group at data resolution, scaled by CSS.

import { lut, lutIndex, NAN_RGB, legend } from './palette.js';
import { fmt } from './format.js';
import { COL_W } from './hell-column.js';
import { el } from './dom.js';

/** Layout constants in CSS pixels (views.css uses the same numbers through custom properties); COL_W in hell-column.js. */
const NEXT_H = 22;
const GUESS_H = 17;
const OUT_GAP = 8;
const UNIT_H = 5;
const GROUP_GAP = 5;
const LAYER_GAP = 12;
const INPUT_H = 40;

/**
 * Lay out the rows of diagram `d` for `data`: its labels, row-group canvases, legends and `rowsFlat`.
 */
export function layoutRows(d, data, layers, showC, showGates) {
  const k = d.topK;
  const units = Math.min(d.maxUnits, data.hidden);
  let y = 0;
  const rows = [];
  const addLabel = (main, sub, top, height, cls = '') => {
    const lab = el('div', 'rs-hell-label ' + cls);
    lab.style.top = top + 'px';
    lab.style.height = height + 'px';
    const m = el('span', 'rs-hell-label-main');
    m.textContent = main;
    lab.append(m);
    if (sub) {
      const s = el('span', 'rs-hell-label-sub');
      s.textContent = sub;
      lab.append(s);
    }
    d.labels.append(lab);
    return lab;
  };

  addLabel('next', 'p(actual)', y, NEXT_H, 'is-out');
  rows.push({ kind: 'next', y, h: NEXT_H });
  y += NEXT_H;
  addLabel(`top ${k}`, 'guesses', y, k * GUESS_H, 'is-out');
  for (let i = 0; i < k; i++) { rows.push({ kind: 'guess', i, y, h: GUESS_H }); y += GUESS_H; }
  y += OUT_GAP;
  d.outHeight = y;

  const gateNames = data.gateNames;
  const tanhGates = new Set(['g', 'n']);
  const order = layers.slice().sort((a, b) => b - a); // last layer on top, as in the post
  for (const l of order) {
    const specs = [{ kind: 'h', gate: -1, name: 'h', scale: 'diverging' }];
    if (showC) specs.push({ kind: 'c', gate: -1, name: 'c', scale: 'diverging' });
    if (showGates) {
      gateNames.forEach((gn, gi) => specs.push({ kind: 'gate', gate: gi, name: 'gate ' + gn, scale: tanhGates.has(gn) ? 'diverging' : 'sequential' }));
    }
    for (const s of specs) {
      const height = units * UNIT_H;
      const canvas = el('canvas', 'rs-hell-group rs-pixelated');
      canvas.style.top = y + 'px';
      canvas.style.height = height + 'px';
      canvas.setAttribute('aria-hidden', 'true');
      d.canvasLayer.append(canvas);
      const lab = addLabel(s.name, `layer ${l + 1}`, y, height, 'is-' + s.kind);
      const rangeEl = el('span', 'rs-hell-label-range');
      lab.append(rangeEl);
      lab.title = `${s.name} (layer ${l + 1}): units 0–${units - 1} of ${data.hidden}`;
      const g = {
        ...s, layer: l, units, y, height, canvas, ctx: canvas.getContext('2d'), img: null,
        min: s.scale === 'diverging' ? -1 : 0, max: 1, label: lab, rangeEl,
      };
      d.groups.push(g);
      for (let u = 0; u < units; u++) rows.push({ kind: 'unit', group: g, u, y: y + u * UNIT_H, h: UNIT_H });
      y += height + GROUP_GAP;
    }
    y += LAYER_GAP - GROUP_GAP;
  }
  d.midTop = d.outHeight;
  d.midHeight = y - d.outHeight;
  rows.push({ kind: 'input', y, h: INPUT_H });
  addLabel('input', 'char · index', y, INPUT_H, 'is-in');
  y += INPUT_H;
  d.height = y;
  d.rowsFlat = rows;
  d.track.style.height = y + 'px';
  d.labels.style.height = y + 'px';
  d.root.style.setProperty('--rs-hell-col-w', COL_W + 'px');
  d.root.style.setProperty('--rs-hell-mid-h', d.midHeight + 'px');
  d.root.style.setProperty('--rs-hell-h', y + 'px');

  // One slot per colour bar (legend() replaces an earlier bar drawn into the same container).
  const slot = () => { const e = el('div', 'rs-legend-slot'); d.legendBox.append(e); return e; };
  legend(slot(), 'confidence', 0, 1, 'p(actual next)');
  legend(slot(), 'blues', 0, 1, 'guess p');
  legend(slot(), 'diverging', -1, 1, 'h, c, tanh gates');
  if (showGates && gateNames.some((gn) => !tanhGates.has(gn))) legend(slot(), 'sequential', 0, 1, 'sigmoid gates');
}

/**
 * Draw row group `g` of `data` into its canvas: mark positions `from` on as changed (those before it still show
 * what they showed; every position when the colour range or the canvas had to change), then draw at most `most` of
 * the columns marked, newest first (the view usually shows the end of the text), keeping the rest for the next call
 * (`g.drew`: how many it drew). Answers whether every marked column is drawn. A call with the same `data` only goes on drawing. The canvas grows
 * with room to spare, its columns past the text transparent (and clipped by the layer), so a typed character costs one
 * column, not a new canvas; a fresh probe of thousands of columns is drawn over several frames.
 */
export function drawGroup(g, data, from = 0, most = Infinity) {
  const T = data.steps;
  if (T === 0) {
    g.data = data;
    g.pending = null;
    return true;
  }
  let lo = T; // the columns written by this call: [lo, hi)
  let hi = 0;
  let budget = most;
  g.drew = 0;
  if (data !== g.data) {
    g.data = data;
    const drawn = g.drawnT ?? 0;
    let start = Math.max(0, Math.min(from, drawn));
    if (!g.img || g.img.width < T) {
      const cap = Math.max(64, T + (T >> 2)); // room for the keys that follow (a new canvas redraws every column)
      g.canvas.width = cap;
      g.canvas.height = g.units;
      g.img = g.ctx.createImageData(cap, g.units);
      g.canvas.style.width = (cap * COL_W) + 'px';
      start = 0;
    }
    if (updateRange(g, data, from)) start = 0;
    // Positions the text no longer has (it got shorter) go transparent.
    const W = g.img.width;
    const px = g.img.data;
    const end = Math.min(W, drawn);
    for (let t = T; t < end; t++) for (let u = 0; u < g.units; u++) px.fill(0, (u * W + t) * 4, (u * W + t) * 4 + 4);
    if (end > T) { lo = T; hi = end; }
    g.drawnT = T;
    // What is still marked from before is cut to the text; the new mark joins it. A typed character after what is
    // marked (a keystroke while a fresh probe is being drawn) is drawn at once, without waiting for the rest.
    const p = g.pending;
    if (p) p[1] = Math.min(p[1], T);
    if (!p || p[0] >= p[1]) {
      g.pending = start < T ? [start, T] : null;
    } else if (start >= p[1] && T - start <= budget) {
      drawColumns(g, data, start, T);
      lo = Math.min(lo, start);
      hi = Math.max(hi, T);
      budget -= T - start;
      g.drew = T - start;
    } else {
      g.pending = [Math.min(p[0], start), T];
    }
  }
  const p = g.pending;
  if (p && budget > 0) {
    const a = Math.max(p[0], p[1] - budget);
    drawColumns(g, data, a, p[1]);
    lo = Math.min(lo, a);
    hi = Math.max(hi, p[1]);
    g.drew += p[1] - a;
    p[1] = a;
    if (p[0] >= p[1]) g.pending = null;
  }
  if (hi > lo) g.ctx.putImageData(g.img, 0, 0, lo, 0, hi - lo, g.units);
  return !g.pending;
}

/**
 * The colour range of row group `g` for `data`, whose positions before `from` are those of the data it was last
 * given (c is unbounded, and so is an RNN's h: a symmetric range in nice steps, 1, 2, 5, 10, …, that says so);
 * answers whether it changed, so every column must be redrawn. The largest magnitude up to each position is kept,
 * so a typed character costs its own column, not a pass over the text.
 */
function updateRange(g, data, from) {
  const T = data.steps;
  const { units, layer: l } = g;
  const L = data.layers, H = data.hidden;
  let min = g.min, max = g.max;
  if (g.kind === 'c' || (g.kind === 'h' && data.cell === 'rnn')) {
    const src = g.kind === 'h' ? data.h : data.c;
    let t0 = Math.min(from, g.upToT ?? 0);
    if (!g.upTo || g.upTo.length < T) {
      g.upTo = new Float32Array(Math.max(64, T + (T >> 2)));
      t0 = 0;
    }
    const upTo = g.upTo;
    for (let t = t0; t < T; t++) {
      const base = (t * L + l) * H;
      let m = t > 0 ? upTo[t - 1] : 0;
      for (let u = 0; u < units; u++) { const a = Math.abs(src[base + u]); if (a > m) m = a; }
      upTo[t] = m;
    }
    g.upToT = T;
    max = niceCeil(Math.max(1, upTo[T - 1]));
    min = -max;
  }
  if (min !== g.shownMin || max !== g.shownMax) {
    g.rangeEl.textContent = g.scale === 'diverging' ? `±${fmt(max, max < 10 ? (Number.isInteger(max) ? 0 : 1) : 0)}` : '0…1';
    g.shownMin = min; g.shownMax = max;
  }
  const changed = min !== g.curMin || max !== g.curMax;
  g.curMin = min; g.curMax = max;
  return changed;
}

/** Write the pixels of positions `from … to-1` of row group `g` into its image (not yet onto the canvas). */
function drawColumns(g, data, from, to) {
  const { units, layer: l, curMin: min, curMax: max } = g;
  const L = data.layers, H = data.hidden, G = data.gateNames.length;
  const W = g.img.width;
  const src = g.kind === 'h' ? data.h : g.kind === 'c' ? data.c : data.gate;
  const px = g.img.data;
  const table = lut(g.scale).rgba;
  for (let t = from; t < to; t++) {
    const base = g.kind === 'gate' ? ((t * L + l) * G + g.gate) * H : (t * L + l) * H;
    for (let u = 0; u < units; u++) {
      const o = (u * W + t) * 4;
      const i = lutIndex(src[base + u], min, max);
      if (i < 0) { px[o] = NAN_RGB[0]; px[o + 1] = NAN_RGB[1]; px[o + 2] = NAN_RGB[2]; px[o + 3] = 255; continue; }
      const k = i << 2;
      px[o] = table[k]; px[o + 1] = table[k + 1]; px[o + 2] = table[k + 2]; px[o + 3] = 255;
    }
  }
}

function niceCeil(x) {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}
