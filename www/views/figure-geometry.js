// The figure's geometry (views/figure.js): its size limits, where every box, row and arrow goes (constants in CSS
// pixels, applied through the CSSOM so they work under `style-src 'self'`), and the parts built from constants
// alone: the step function's equations, the row labels, and SVG arrows.

import { displayChar } from './format.js';
import { el, math } from './figure-dom.js';

/** Largest model whose figure is still readable: every number of it is printed. */
export const MAX_HIDDEN = 8;
export const MAX_VOCAB = 12;
export const MAX_LAYERS = 3;

/** Geometry in CSS pixels. */
export const BOX_W = 50; // a box of the input, h and output vectors
export const BOX_H = 24;
export const ROW = 23; // pitch of the boxes of a vector: neighbours share a border line, as in the post
export const SMALL_W = 32; // a box of c or of a gate
export const SUB_GAP = 3; // between the sub-vectors of a hidden layer (gates, c, h)
export const HEAD_H = 15; // the sub-vector names above a hidden layer
export const COL_GAP = 58; // between columns: room for the W_hh arrow and its label
export const LEAD = 30; // before the first column: the arrow from the zero state
export const ARROW_V = 38; // between layers: room for the vertical arrows
export const CHAR_H = 26; // the rows of input and target characters
export const PAD = 6;
export const HEAD = 7; // arrowhead length
export const LABEL_W = 44; // room for a weight label button beside an arrow

export const SVG_NS = 'http://www.w3.org/2000/svg';


/**
 * Whether a model is small enough for the figure, which prints every number.
 * @param {{hidden: number, vocab: number|string[], layers?: number}} shape
 * @returns {string|null} null when it fits, else a sentence saying why not
 */
export function figureFits({ hidden, vocab, layers = 1 }) {
  const V = Array.isArray(vocab) ? vocab.length : vocab;
  const why = [];
  if (hidden > MAX_HIDDEN) why.push(`${hidden} hidden units (the figure shows at most ${MAX_HIDDEN})`);
  if (V > MAX_VOCAB) why.push(`${V} characters (at most ${MAX_VOCAB})`);
  if (layers > MAX_LAYERS) why.push(`${layers} layers (at most ${MAX_LAYERS})`);
  if (!why.length) return null;
  return `This model is too big to print every number of: it has ${why.join(' and ')}. The diagram view draws a model of any size.`;
}

export function geometry(d) {
  const L = d.layers, H = d.hidden, V = d.vocab.length, G = d.gateNames.length;
  const hasC = d.cell === 'lstm';
  // A hidden layer: the gates (computed from x_t and h_{t−1}), then c, then h, side by side, one row per unit.
  const subs = [];
  let x = 0;
  d.gateNames.forEach((name, g) => { subs.push({ kind: 'gate', g, name, x, w: SMALL_W }); x += SMALL_W + SUB_GAP; });
  if (hasC) { subs.push({ kind: 'c', g: -1, name: 'c', x, w: SMALL_W }); x += SMALL_W + SUB_GAP; }
  subs.push({ kind: 'h', g: -1, name: 'h', x, w: BOX_W });
  const colW = x + BOX_W;
  const hX = x;
  const gatesW = G ? G * SMALL_W + (G - 1) * SUB_GAP : BOX_W;
  const inX = G ? Math.max(0, (gatesW - BOX_W) / 2) : hX;
  // The names of the sub-vectors above each hidden layer; an RNN's layer is h alone and needs none.
  const headH = subs.length > 1 ? HEAD_H : 0;
  // Rows, top to bottom: target characters, output layer, arrows, layers L−1 … 0 (each with arrows below it),
  // input layer, input characters.
  let y = PAD;
  const targetY = y; y += CHAR_H;
  const outY = y; y += (V * ROW + 1);
  const whyY = y; y += ARROW_V;
  const bands = new Array(L);
  for (let l = L - 1; l >= 0; l--) {
    const top = y;
    y += headH;
    bands[l] = { top, boxY: y, bottom: y + (H * ROW + 1) };
    y += (H * ROW + 1) + ARROW_V;
  }
  const inY = y; y += (V * ROW + 1);
  const charY = y; y += CHAR_H + PAD;
  return { L, H, V, G, hasC, subs, headH, colW, hX, inX, gatesW, targetY, outY, whyY, bands, inY, charY, height: y, pitch: colW + COL_GAP };
}

/** The left edge of column `t`. */
export function colX(geo, t) {
  return LEAD + t * geo.pitch;
}

/** The step function's equations for `d`'s cell, into `box`, from constant strings. */
export function buildEquations(box, d) {
  const act = d.cell === 'rnn' ? (d.nonlinearity === 'relu' ? 'relu' : 'tanh') : '';
  const lines = d.cell === 'lstm' ? [
    '[i, f, g, o] = [σ, σ, tanh, σ](W_xh x_t + W_hh h_{t−1} + b_h)',
    'c_t = f ⊙ c_{t−1} + i ⊙ g',
    'h_t = o ⊙ tanh(c_t)',
    'y_t = W_hy h_t + b_y',
  ] : d.cell === 'gru' ? [
    'r = σ(W_xr x_t + b_ir + W_hr h_{t−1} + b_hr)',
    'z = σ(W_xz x_t + b_iz + W_hz h_{t−1} + b_hz)',
    'n = tanh(W_xn x_t + b_in + r ⊙ (W_hn h_{t−1} + b_hn))',
    'h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}',
    'y_t = W_hy h_t + b_y',
  ] : [
    `h_t = ${act}(W_hh h_{t−1} + W_xh x_t + b_h)`,
    'y_t = W_hy h_t + b_y',
  ];
  box.replaceChildren();
  const list = el('div', 'rs-figure-eqlist');
  list.setAttribute('role', 'list');
  list.setAttribute('aria-label', `the ${d.cell === 'rnn' ? 'RNN' : d.cell.toUpperCase()} step`);
  for (const line of lines) {
    const e = math(line);
    e.setAttribute('role', 'listitem');
    list.append(e);
  }
  const note = el('p', 'rs-figure-eqnote');
  note.append(math(d.cell === 'rnn'
    ? 'x_t is the one-hot vector of character t; y_t the scores of the next character (softmax gives its probabilities); b_h = bias_ih + bias_hh.'
    : d.cell === 'lstm'
      ? 'x_t is the one-hot vector of character t; W_xh, W_hh and b_h = bias_ih + bias_hh stack one block of rows per gate (i, f, g, o); ' +
        'σ is the logistic sigmoid, ⊙ multiplies element by element; y_t are the scores of the next character.'
      : 'x_t is the one-hot vector of character t; W_xr, W_xz, W_xn are the r, z, n blocks of rows of W_xh (W_hr … of W_hh, ' +
        'b_ir … of bias_ih, b_hr … of bias_hh); σ is the logistic sigmoid, ⊙ multiplies element by element; y_t are the scores of the next character.'));
  box.append(list, note);
}

/** The row labels beside the figure, into `gutter`. */
export function buildGutter(gutter, d, g) {
  const label = (text, top, height, cls = '') => {
    const e = el('div', 'rs-figure-glabel ' + cls);
    e.textContent = text;
    e.style.setProperty('top', top + 'px');
    e.style.setProperty('height', height + 'px');
    gutter.append(e);
    return e;
  };
  const rowLabel = (text, top) => {
    const e = el('div', 'rs-figure-grow');
    e.textContent = text;
    e.style.setProperty('top', top + 'px');
    gutter.append(e);
  };
  label('target chars', g.targetY, CHAR_H, 'is-chars');
  label('output layer', g.outY, (g.V * ROW + 1), 'is-out');
  d.vocab.forEach((c, v) => rowLabel(displayChar(c), g.outY + v * ROW));
  for (let l = 0; l < g.L; l++) {
    const b = g.bands[l];
    label(g.L > 1 ? `hidden layer ${l + 1}` : 'hidden layer', b.top, b.bottom - b.top, 'is-hidden');
    for (let j = 0; j < g.H; j++) rowLabel(String(j), b.boxY + j * ROW);
  }
  label('input layer', g.inY, (g.V * ROW + 1), 'is-in');
  d.vocab.forEach((c, v) => rowLabel(displayChar(c), g.inY + v * ROW));
  label('input chars', g.charY, CHAR_H, 'is-chars');
}

export function place(e, x, y, w, h) {
  const s = e.style;
  s.setProperty('left', x + 'px');
  s.setProperty('top', y + 'px');
  s.setProperty('width', w + 'px');
  s.setProperty('height', h + 'px');
}

/** An arrow along a polyline (vertical moves first bend at mid height), with its head drawn as a path. */
export function arrow(parent, [[x1, y1], [x2, y2]], cls) {
  const g = document.createElementNS(SVG_NS, 'g');
  g.setAttribute('class', 'rs-figure-arrow ' + cls);
  const line = document.createElementNS(SVG_NS, 'path');
  let d, dir;
  if (x1 === x2 || y1 === y2) {
    d = `M${x1} ${y1}L${x2} ${y2}`;
    dir = y1 === y2 ? (x2 > x1 ? 'r' : 'l') : (y2 < y1 ? 'u' : 'd');
  } else {
    const ym = (y1 + y2) / 2;
    d = `M${x1} ${y1}L${x1} ${ym}L${x2} ${ym}L${x2} ${y2}`;
    dir = y2 < y1 ? 'u' : 'd';
  }
  const back = { r: [-HEAD, 0], l: [HEAD, 0], u: [0, HEAD], d: [0, -HEAD] }[dir];
  const side = dir === 'r' || dir === 'l' ? [0, HEAD / 2] : [HEAD / 2, 0];
  // Stop the line where the head starts, so the stroke does not poke through its tip.
  const end = `${x2 + back[0]} ${y2 + back[1]}`;
  d = d.replace(/L[^L]*$/, `L${end}`);
  line.setAttribute('d', d);
  line.setAttribute('class', 'rs-figure-arrowline');
  const head = document.createElementNS(SVG_NS, 'path');
  head.setAttribute('d', `M${x2} ${y2}L${x2 + back[0] + side[0]} ${y2 + back[1] + side[1]}L${x2 + back[0] - side[0]} ${y2 + back[1] - side[1]}Z`);
  head.setAttribute('class', 'rs-figure-arrowhead');
  g.append(line, head);
  parent.append(g);
  return g;
}
