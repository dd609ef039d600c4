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
// the visitor or the model only ever goes in through textContent. Geometry is computed in figure-geometry.js and
// applied through the CSSOM, so it works under `style-src 'self'`.

import { displayChar, charName, fmt } from './format.js';
import { el, button, hiddenText, math } from './figure-dom.js';
import { WeightTable, MATRICES, tensorsOf } from './figure-weights.js';
import { ARROW_V, BOX_H, BOX_W, CHAR_H, COL_GAP, LABEL_W, LEAD, PAD, ROW, SVG_NS, arrow, buildEquations, buildGutter, colX, geometry, place } from './figure-geometry.js';

export { figureFits } from './figure-geometry.js';

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

  _build(d) {
    const g = this.geo = geometry(d);
    const T = d.probe.steps;
    this.track.replaceChildren();
    this.gutter.replaceChildren();
    this.cols = [];
    this.buttons = [];
    const width = colX(this.geo, T) - COL_GAP + PAD * 2;
    this.track.style.setProperty('width', Math.max(width, LEAD) + 'px');
    this.track.style.setProperty('height', g.height + 'px');
    this.gutter.style.setProperty('height', g.height + 'px');
    buildEquations(this.equations, d);
    buildGutter(this.gutter, d, g);

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

  _buildColumn(d, t, svg) {
    const g = this.geo;
    const x0 = colX(this.geo, t);
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
      const fromRight = t === 0 ? x0 - LEAD + 16 : colX(this.geo, t - 1) + g.hX + BOX_W;
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
    const x0 = colX(this.geo, 0);
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
      const cx = T > 1 ? colX(this.geo, 1) - COL_GAP / 2 : x0 - LEAD / 2 + 6;
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
    const x = Math.max(0, colX(this.geo, t) - COL_GAP), w = this.geo.pitch + COL_GAP;
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

/** Writes a number into a box if it changed; data-value keeps the full precision. */
function setNum(b, v, format) {
  if (Object.is(b.shown, v)) return;
  b.shown = v;
  b.num.textContent = format(v);
  b.el.dataset.value = String(v);
}
