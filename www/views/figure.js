// The figure of Karpathy's "The Unreasonable Effectiveness of Recurrent Neural Networks", drawn from real numbers:
// one column per input character; from the bottom up the input layer (the one-hot vector, V boxes printing 1 or 0),
// the hidden layer (H boxes printing h; for an LSTM also c and the gates i f g o, for a GRU r z n, smaller), and
// the output layer (the V scores, the one of the character that really comes next in bold green, the others red).
// Arrows carry the weights: W_xh up from the input, W_hh across from the previous column, W_hy up to the output,
// with the biases b_h and b_y beside them. Each weight label is a button that opens an editable table of that
// matrix below the figure; an edit goes out through onEdit and comes back as new numbers through render().
// A step control walks the text one character at a time, highlighting what feeds what.
//
// Pure view: it gets a root element and data; no worker, no wasm, no global ids, no module-level state. Text from
// the visitor or the model only ever goes in through textContent. Geometry is computed here (constants below) and
// applied through the CSSOM, so it works under `style-src 'self'`.

import { displayChar, charName, fmt } from './format.js';
import { el, button, hiddenText, math } from './figure-dom.js';
import { WeightTable, MATRICES, tensorsOf } from './figure-weights.js';

/** Largest model whose figure is still readable: every number of it is printed. */
const MAX_HIDDEN = 8;
const MAX_VOCAB = 12;
const MAX_LAYERS = 3;

/** Geometry in CSS pixels. */
const BOX_W = 50; // a box of the input, h and output vectors
const BOX_H = 24;
const ROW = 23; // pitch of the boxes of a vector: neighbours share a border line, as in the post
const SMALL_W = 32; // a box of c or of a gate
const SUB_GAP = 3; // between the sub-vectors of a hidden layer (gates, c, h)
const HEAD_H = 15; // the sub-vector names above a hidden layer
const COL_GAP = 58; // between columns: room for the W_hh arrow and its label
const LEAD = 30; // before the first column: the arrow from the zero state
const ARROW_V = 38; // between layers: room for the vertical arrows
const CHAR_H = 26; // the rows of input and target characters
const PAD = 6;
const HEAD = 7; // arrowhead length
const LABEL_W = 44; // room for a weight label button beside an arrow

const SVG_NS = 'http://www.w3.org/2000/svg';


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

/**
 * @typedef {{shape: number[], data: Float32Array}} Tensor
 * @typedef {{
 *   cell: 'rnn'|'lstm'|'gru', nonlinearity?: 'tanh'|'relu', vocab: string[], chars: string[], layers: number,
 *   hidden: number, gateNames: string[], weights?: Record<string, Tensor>,
 *   probe: {steps: number, input: Int32Array, h: Float32Array, c: Float32Array|null, gate: Float32Array|null,
 *           logits: Float32Array, probs: Float32Array},
 *   cursor?: number,
 * }} FigureData
 */

export class FigureView {
  /**
   * @param {HTMLElement} root the element to draw into (the view appends one child and owns it)
   * @param {{onEdit?: (name: string, index: number, value: number) => void, onCursor?: (t: number) => void}} [handlers]
   *   onEdit: the visitor set element `index` (row-major) of tensor `name` to `value` (already checked finite);
   *   onCursor: the step control moved to column t (−1: all columns); pass it back as data.cursor
   */
  constructor(root, { onEdit, onCursor } = {}) {
    this.onEdit = onEdit || (() => {});
    this.onCursor = onCursor || (() => {});
    this.data = null;
    this.key = '';
    this.cursor = -1;
    /** @type {{matrix: string, layer: number}|null} the weight table shown */
    this.open = null;

    const fig = el('figure', 'rs-fig rs-figure');
    fig.dataset.testid = 'figure-view';
    this.equations = el('div', 'rs-figure-eqs');
    this.equations.dataset.testid = 'figure-equations';

    const steps = el('div', 'rs-figure-steps');
    steps.setAttribute('role', 'group');
    steps.setAttribute('aria-label', 'step through the text');
    this.prevBtn = button(['◀ ', 'prev', ' character'], 'rs-figure-step', 'figure-step-prev');
    this.nextBtn = button(['', 'next', ' character', ' ▶'], 'rs-figure-step', 'figure-step-next');
    this.allBtn = button(['', 'all', ' characters'], 'rs-figure-step', 'figure-step-all');
    this.readout = el('span', 'rs-figure-readout');
    this.readout.dataset.testid = 'figure-step-readout';
    this.readout.setAttribute('aria-live', 'polite');
    steps.append(this.prevBtn, this.nextBtn, this.allBtn, this.readout);
    this.prevBtn.addEventListener('click', () => this._step(-1));
    this.nextBtn.addEventListener('click', () => this._step(1));
    this.allBtn.addEventListener('click', () => this._setCursor(-1));

    this.body = el('div', 'rs-figure-body');
    this.gutter = el('div', 'rs-figure-gutter');
    this.gutter.setAttribute('aria-hidden', 'true');
    this.scroller = el('div', 'rs-scroll rs-figure-scroll');
    this.track = el('div', 'rs-figure-track');
    this.scroller.append(this.track);
    this.body.append(this.gutter, this.scroller);
    // Arrow keys step through the text while the figure or its step buttons have the keyboard.
    for (const target of [steps, this.scroller]) {
      target.addEventListener('keydown', (e) => {
        if (e.target instanceof HTMLInputElement) return;
        if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
          e.preventDefault();
          this._step(e.key === 'ArrowLeft' ? -1 : 1);
        }
      });
    }

    this.empty = el('p', 'rs-empty');
    this.empty.textContent = 'No text to show yet.';
    this.editor = el('div', 'rs-figure-editor');
    this.editor.dataset.testid = 'figure-weights';
    this.editor.hidden = true;
    this.status = el('p', 'rs-figure-status');
    this.status.dataset.testid = 'figure-status';
    this.status.setAttribute('aria-live', 'polite');

    this.table = new WeightTable(this.editor, this.status, (name, index, value) => this.onEdit(name, index, value), (o) => {
      const back = this.buttons.find((b) => b.classList.contains('is-open'));
      this._toggle(o.matrix, o.layer);
      back?.focus();
    });
    fig.append(this.equations, steps, this.empty, this.body, this.status, this.editor);
    root.append(fig);
    this.fig = fig;
    this.clear();
  }

  /** Forget the data and show nothing (the weight table closes). */
  clear() {
    this.data = null;
    this.key = '';
    this.open = null;
    if (this.table) this.table.pending = null;
    this.cols = [];
    this.buttons = [];
    this.track.replaceChildren();
    this.gutter.replaceChildren();
    this.equations.replaceChildren();
    this.editor.replaceChildren();
    this.editor.hidden = true;
    this.status.textContent = '';
    this.body.hidden = true;
    this.empty.hidden = false;
    this.readout.textContent = '';
    for (const b of [this.prevBtn, this.nextBtn, this.allBtn]) b.disabled = true;
  }

  /** Remove the view from the page. */
  destroy() {
    this.clear();
    this.fig.remove();
  }

  /**
   * Draw `data`. The DOM is built once per shape (cell, sizes, vocabulary, number of characters); later calls with
   * the same shape only rewrite the numbers, the labels and the highlighting, so calling it after every edit or
   * training step is cheap. An open weight table stays open and shows the new weights.
   * @param {FigureData} data
   */
  render(data) {
    const T = data.probe.steps;
    const key = [data.cell, data.nonlinearity, data.layers, data.hidden, data.vocab.join('\u0000'), data.gateNames.join(''), T,
      data.weights ? 'w' : ''].join('|');
    this.data = data;
    if (typeof data.cursor === 'number') this.cursor = data.cursor;
    if (this.cursor >= T) this.cursor = T - 1;
    if (this.cursor < -1) this.cursor = -1;
    this.empty.hidden = T > 0;
    this.body.hidden = T === 0;
    if (key !== this.key) {
      this.key = key;
      this._build(data);
    }
    this._fill(data);
    this._highlight();
    if (this.open) this.table.render(this.data, this.geo, this.open, this.key);
  }

  // ---- building ---------------------------------------------------------------------------------------------------

  _geometry(d) {
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

  _colX(t) {
    return LEAD + t * this.geo.pitch;
  }

  _build(d) {
    const g = this.geo = this._geometry(d);
    const T = d.probe.steps;
    this.track.replaceChildren();
    this.gutter.replaceChildren();
    this.cols = [];
    this.buttons = [];
    const width = this._colX(T) - COL_GAP + PAD * 2;
    this.track.style.setProperty('width', Math.max(width, LEAD) + 'px');
    this.track.style.setProperty('height', g.height + 'px');
    this.gutter.style.setProperty('height', g.height + 'px');
    this._buildEquations(d);
    this._buildGutter(d);

    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('class', 'rs-figure-arrows');
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(g.height));
    svg.setAttribute('aria-hidden', 'true');
    this.track.append(svg);

    for (let t = 0; t < T; t++) this.cols.push(this._buildColumn(d, t, svg));
    this._buildLabels(d, T);
    if (this.open && this.open.layer >= g.L) this.open = null;
    if (!this.open) { this.editor.hidden = true; this.editor.replaceChildren(); }
    this._markOpen();
  }

  _buildEquations(d) {
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
    this.equations.replaceChildren();
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
    this.equations.append(list, note);
  }

  _buildGutter(d) {
    const g = this.geo;
    const label = (text, top, height, cls = '') => {
      const e = el('div', 'rs-figure-glabel ' + cls);
      e.textContent = text;
      e.style.setProperty('top', top + 'px');
      e.style.setProperty('height', height + 'px');
      this.gutter.append(e);
      return e;
    };
    const rowLabel = (text, top) => {
      const e = el('div', 'rs-figure-grow');
      e.textContent = text;
      e.style.setProperty('top', top + 'px');
      this.gutter.append(e);
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

  _buildColumn(d, t, svg) {
    const g = this.geo;
    const x0 = this._colX(t);
    const col = el('div', 'rs-figure-col');
    col.dataset.testid = 'figure-col';
    col.dataset.t = String(t);
    col.setAttribute('role', 'group');
    col.style.setProperty('left', x0 + 'px');
    col.style.setProperty('width', g.colW + 'px');
    col.style.setProperty('height', g.height + 'px');

    const charBox = (cls, testid, y, x) => {
      const e = el('div', 'rs-figure-char ' + cls);
      e.dataset.testid = testid;
      e.dataset.t = String(t);
      place(e, x, y, BOX_W, CHAR_H);
      col.append(e);
      return e;
    };
    const target = charBox('is-target', 'figure-target-char', g.targetY, g.hX);
    const input = charBox('is-input', 'figure-input-char', g.charY, g.inX);

    const box = (cls, testid, x, y, w) => {
      const e = el('div', 'rs-figure-box ' + cls);
      e.dataset.testid = testid;
      e.dataset.t = String(t);
      const num = el('span', 'rs-figure-num');
      e.append(num);
      place(e, x, y, w, BOX_H);
      col.append(e);
      return { el: e, num, shown: undefined };
    };
    const logits = d.vocab.map((c, v) => {
      const b = box('is-out', 'figure-logit', g.hX, g.outY + v * ROW, BOX_W);
      b.el.dataset.v = String(v);
      b.el.dataset.char = c;
      return b;
    });
    const onehot = d.vocab.map((c, v) => {
      const b = box('is-in', 'figure-onehot', g.inX, g.inY + v * ROW, BOX_W);
      b.el.dataset.v = String(v);
      b.el.dataset.char = c;
      return b;
    });
    const layers = [];
    for (let l = 0; l < g.L; l++) {
      const band = g.bands[l];
      const subs = g.subs.map((s) => {
        if (g.headH) {
          const head = el('div', 'rs-figure-sub');
          head.textContent = s.name;
          place(head, s.x, band.top, s.w, g.headH);
          col.append(head);
        }
        const testid = s.kind === 'h' ? 'figure-hidden' : s.kind === 'c' ? 'figure-cell' : 'figure-gate';
        const boxes = [];
        for (let j = 0; j < g.H; j++) {
          const b = box(s.kind === 'h' ? 'is-hidden' : 'is-small', testid, s.x, band.boxY + j * ROW, s.w);
          b.el.dataset.layer = String(l);
          b.el.dataset.unit = String(j);
          if (s.kind === 'gate') b.el.dataset.gate = s.name;
          boxes.push(b);
        }
        return { ...s, boxes };
      });
      layers.push(subs);
    }

    // Arrows of this column: into the first layer from the input, between layers, from h_{t−1} (or from the zero
    // state at t = 0), and up to the output.
    const grp = document.createElementNS(SVG_NS, 'g');
    grp.setAttribute('class', 'rs-figure-colarrows');
    svg.append(grp);
    const arrows = { xh: [], hh: [], hy: null };
    const feedX = x0 + (g.G ? g.gatesW / 2 : g.hX + BOX_W / 2);
    const hMidX = x0 + g.hX + BOX_W / 2;
    for (let l = 0; l < g.L; l++) {
      const band = g.bands[l];
      const fromY = l === 0 ? g.inY : g.bands[l - 1].top;
      const fromX = l === 0 ? x0 + g.inX + BOX_W / 2 : hMidX;
      arrows.xh.push(arrow(grp, [[fromX, fromY - 2], [feedX, band.bottom + 3]], 'is-xh'));
      const y = band.boxY + ((g.H * ROW + 1)) / 2;
      const fromRight = t === 0 ? x0 - LEAD + 16 : this._colX(t - 1) + g.hX + BOX_W;
      arrows.hh.push(arrow(grp, [[fromRight + 2, y], [x0 - 3, y]], 'is-hh'));
      if (t === 0) {
        const zero = document.createElementNS(SVG_NS, 'text');
        zero.setAttribute('class', 'rs-figure-zero');
        zero.setAttribute('x', String(x0 - LEAD + 12));
        zero.setAttribute('y', String(y + 4));
        zero.setAttribute('text-anchor', 'end');
        zero.textContent = '0';
        grp.append(zero);
      }
    }
    const top = g.bands[g.L - 1].top;
    arrows.hy = arrow(grp, [[hMidX, top - 2], [hMidX, g.outY + (g.V * ROW + 1) + 3]], 'is-hy');

    this.track.append(col);
    return { el: col, target, input, logits, onehot, layers, arrows, arrowGroup: grp, shown: {} };
  }

  /** The weight labels: buttons beside the arrows of the first column (W_hh on the first arrow between columns). */
  _buildLabels(d, T) {
    const g = this.geo;
    const x0 = this._colX(0);
    const hMidX = x0 + g.hX + BOX_W / 2;
    const feedX = x0 + (g.G ? g.gatesW / 2 : g.hX + BOX_W / 2);
    const layer = el('div', 'rs-figure-labels');
    const add = (matrix, l, x, y, anchor = 'left') => {
      const sup = g.L > 1 && !matrix.endsWith('y') ? String(l + 1) : '';
      const b = el('button', 'rs-figure-wbtn');
      b.type = 'button';
      b.append(math(matrix));
      if (sup) {
        const s = el('sup', '');
        s.textContent = sup;
        b.append(s);
      }
      b.dataset.testid = 'figure-weight-button';
      b.dataset.matrix = matrix;
      b.dataset.layer = String(l);
      const names = tensorsOf(matrix, l).join(' + ');
      // The accessible name starts with what is shown (W xh …) and goes on in words, hidden from the eye.
      b.append(hiddenText(`${sup ? ' of layer ' + sup : ''}: ${MATRICES[matrix].title} (${names}); show and edit`));
      b.setAttribute('aria-expanded', 'false');
      b.style.setProperty('top', (y - 11) + 'px');
      b.style.setProperty('left', x + 'px');
      b.classList.toggle('is-centered', anchor === 'center');
      b.disabled = !d.weights;
      b.addEventListener('click', () => this._toggle(matrix, l));
      layer.append(b);
      this.buttons.push(b);
      return b;
    };
    // W_hy and b_y beside the output arrow.
    add('W_hy', g.L - 1, hMidX + 5, g.whyY + ARROW_V / 2);
    add('b_y', g.L - 1, hMidX + 5 + LABEL_W, g.whyY + ARROW_V / 2);
    for (let l = 0; l < g.L; l++) {
      const band = g.bands[l];
      const fromX = l === 0 ? x0 + g.inX + BOX_W / 2 : hMidX;
      const x = Math.max(fromX, feedX) + 6;
      const mid = band.bottom + ARROW_V / 2;
      add('W_xh', l, x - 1, mid);
      add('b_h', l, x - 1 + LABEL_W, mid);
      // W_hh above the first arrow between columns, or above the arrow from the zero state when there is one column.
      const y = band.boxY + ((g.H * ROW + 1)) / 2 - 14;
      const cx = T > 1 ? this._colX(1) - COL_GAP / 2 : x0 - LEAD / 2 + 6;
      add('W_hh', l, cx, y, 'center');
    }
    this.track.append(layer);
  }

  // ---- numbers ----------------------------------------------------------------------------------------------------

  _fill(d) {
    const p = d.probe;
    const { L, H, V, G } = this.geo;
    for (let t = 0; t < p.steps; t++) {
      const col = this.cols[t];
      const ch = d.chars[t];
      const idx = p.input[t];
      const next = d.chars[t + 1];
      const nextIdx = t + 1 < p.steps ? p.input[t + 1] : -1;
      const s = col.shown;
      if (s.ch !== ch || s.idx !== idx) {
        col.input.textContent = displayChar(ch);
        col.input.dataset.char = ch;
        col.input.classList.toggle('is-unknown', idx < 0);
        col.input.title = idx < 0 ? `${charName(ch)} is not in the vocabulary: its input is all zeros` : '';
        s.ch = ch; s.idx = idx;
      }
      if (s.next !== next || s.nextIdx !== nextIdx) {
        col.target.textContent = next === undefined ? '?' : displayChar(next);
        col.target.dataset.char = next ?? '';
        col.target.classList.toggle('is-unknown', next !== undefined && nextIdx < 0);
        col.target.title = next === undefined ? 'the text ends here' : nextIdx < 0 ? `${charName(next)} is not in the vocabulary` : '';
        s.next = next; s.nextIdx = nextIdx;
      }
      const name = next === undefined ? 'the text ends' : charName(next);
      col.el.setAttribute('aria-label', `step ${t + 1}: input ${charName(ch)}, target ${name}`);
      for (let v = 0; v < V; v++) {
        setNum(col.onehot[v], v === idx ? 1 : 0, (x) => String(x));
        col.onehot[v].el.classList.toggle('is-one', v === idx);
        const b = col.logits[v];
        setNum(b, p.logits[t * V + v], (x) => fmt(x, 2));
        const isTarget = v === nextIdx;
        b.el.dataset.target = String(isTarget);
        b.el.classList.toggle('is-good', isTarget);
        b.el.classList.toggle('is-bad', nextIdx >= 0 && !isTarget);
        b.el.title = `score of ${charName(d.vocab[v])}: ${fmt(p.logits[t * V + v], 4)}, p = ${fmt(p.probs[t * V + v], 4)}`;
      }
      for (let l = 0; l < L; l++) {
        for (const sub of col.layers[l]) {
          for (let j = 0; j < H; j++) {
            const v = sub.kind === 'h' ? p.h[(t * L + l) * H + j]
              : sub.kind === 'c' ? p.c[(t * L + l) * H + j]
                : p.gate[((t * L + l) * G + sub.g) * H + j];
            setNum(sub.boxes[j], v, (x) => fmt(x, 2));
          }
        }
      }
    }
  }

  // ---- stepping ---------------------------------------------------------------------------------------------------

  _step(delta) {
    const T = this.data ? this.data.probe.steps : 0;
    if (!T) return;
    let t = this.cursor;
    if (t < 0) t = delta > 0 ? 0 : T - 1;
    else t = Math.max(0, Math.min(T - 1, t + delta));
    this._setCursor(t);
  }

  _setCursor(t) {
    if (t === this.cursor) return;
    this.cursor = t;
    this._highlight();
    if (t >= 0) this._scrollTo(t);
    this.onCursor(t);
  }

  _scrollTo(t) {
    const sc = this.scroller;
    const x = Math.max(0, this._colX(t) - COL_GAP), w = this.geo.pitch + COL_GAP;
    if (x < sc.scrollLeft) sc.scrollLeft = x;
    else if (x + w > sc.scrollLeft + sc.clientWidth) sc.scrollLeft = x + w - sc.clientWidth;
  }

  _highlight() {
    const d = this.data;
    if (!d) return;
    const T = d.probe.steps;
    const c = this.cursor;
    this.fig.classList.toggle('is-stepping', c >= 0);
    for (let t = 0; t < T; t++) {
      const col = this.cols[t];
      const now = t === c, before = t === c - 1;
      col.el.classList.toggle('is-current', now);
      col.el.classList.toggle('is-future', c >= 0 && t > c);
      col.el.classList.toggle('is-past', c >= 0 && t < c);
      col.arrowGroup.classList.toggle('is-current', now);
      col.arrowGroup.classList.toggle('is-future', c >= 0 && t > c);
      // What feeds step c: the one-hot 1 of its input, the h of the column before, and (the result) its own h.
      for (const b of col.onehot) b.el.classList.toggle('is-feed', now && b.el.classList.contains('is-one'));
      for (const subs of col.layers) {
        for (const sub of subs) {
          if (sub.kind !== 'h') continue;
          for (const b of sub.boxes) {
            b.el.classList.toggle('is-feed', before);
            b.el.classList.toggle('is-now', now);
          }
        }
      }
    }
    const all = c < 0;
    this.allBtn.setAttribute('aria-pressed', String(all));
    this.allBtn.disabled = !T;
    this.prevBtn.disabled = !T || c === 0;
    this.nextBtn.disabled = !T || c === T - 1;
    if (!T) { this.readout.textContent = ''; return; }
    if (all) {
      this.readout.textContent = `all ${T} step${T === 1 ? '' : 's'}: “${d.chars.map(displayChar).join('')}”`;
    } else {
      const next = d.chars[c + 1];
      this.readout.textContent = `step ${c + 1} of ${T}: '${displayChar(d.chars[c])}' → ${next === undefined ? '?' : `'${displayChar(next)}'`}`;
    }
  }

  // ---- weights ----------------------------------------------------------------------------------------------------

  _toggle(matrix, layer) {
    const same = this.open && this.open.matrix === matrix && this.open.layer === layer;
    this.open = same ? null : { matrix, layer };
    this.table.editorKey = '';
    this.status.textContent = '';
    if (this.open) this.table.render(this.data, this.geo, this.open, this.key);
    else { this.editor.hidden = true; this.editor.replaceChildren(); }
    this._markOpen();
    if (this.open) this.editor.querySelector('input')?.focus({ preventScroll: true });
  }

  /** The open table's label button pressed, its arrows drawn bold. */
  _markOpen() {
    const o = this.open;
    for (const b of this.buttons) {
      const on = !!o && b.dataset.matrix === o.matrix && Number(b.dataset.layer) === o.layer;
      b.setAttribute('aria-expanded', String(on));
      b.classList.toggle('is-open', on);
    }
    for (const col of this.cols) {
      col.arrows.xh.forEach((a, l) => a.classList.toggle('is-open', !!o && (o.matrix === 'W_xh' || o.matrix === 'b_h') && o.layer === l));
      col.arrows.hh.forEach((a, l) => a.classList.toggle('is-open', !!o && o.matrix === 'W_hh' && o.layer === l));
      col.arrows.hy.classList.toggle('is-open', !!o && (o.matrix === 'W_hy' || o.matrix === 'b_y'));
    }
  }

}

// ---- helpers (pure) -----------------------------------------------------------------------------------------------

function place(e, x, y, w, h) {
  const s = e.style;
  s.setProperty('left', x + 'px');
  s.setProperty('top', y + 'px');
  s.setProperty('width', w + 'px');
  s.setProperty('height', h + 'px');
}

/** Writes a number into a box if it changed; data-value keeps the full precision. */
function setNum(b, v, format) {
  if (Object.is(b.shown, v)) return;
  b.shown = v;
  b.num.textContent = format(v);
  b.el.dataset.value = String(v);
}

/** An arrow along a polyline (vertical moves first bend at mid height), with its head drawn as a path. */
function arrow(parent, [[x1, y1], [x2, y2]], cls) {
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
