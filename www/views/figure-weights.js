// The figure's weight tables (views/figure.js opens one when a weight label is pressed): every number of a
// matrix or bias as an input; a committed, checked number goes out through onEdit, and the figure redraws with the
// numbers the model then holds.

import { displayChar, fmt } from './format.js';
import { el, button, math } from './figure-dom.js';

/** What each weight label stands for: which tensors, and what the rows and columns of its table mean. */
export const MATRICES = {
  W_xh: { title: 'input → hidden', rows: 'gates', cols: 'input' },
  W_hh: { title: 'hidden (t−1) → hidden (t)', rows: 'gates', cols: 'units' },
  b_h: { title: 'hidden bias', rows: 'gates', cols: 'bias' },
  W_hy: { title: 'hidden → output', rows: 'vocab', cols: 'units' },
  b_y: { title: 'output bias', rows: 'vocab', cols: 'one' },
};

/** The tensor names behind a weight label of layer l. */
export function tensorsOf(matrix, l) {
  switch (matrix) {
    case 'W_xh': return [`rnn.weight_ih_l${l}`];
    case 'W_hh': return [`rnn.weight_hh_l${l}`];
    case 'b_h': return [`rnn.bias_ih_l${l}`, `rnn.bias_hh_l${l}`];
    case 'W_hy': return ['decoder.weight'];
    default: return ['decoder.bias'];
  }
}

export class WeightTable {
  /**
   * @param {HTMLElement} editor where the table goes
   * @param {HTMLElement} status where refusals and edits are said
   * @param {(name: string, index: number, value: number) => void} onEdit
   * @param {(open: {matrix: string, layer: number}) => void} onClose the table's close button
   */
  constructor(editor, status, onEdit, onClose) {
    this.editor = editor;
    this.status = status;
    this.onEdit = onEdit;
    this.onClose = onClose;
    this.editorKey = '';
    this.inputs = [];
    this.sums = null;
    this.pending = null;
    this.d = null;
    this.geo = null;
  }

  /** Row and column labels of a weight table: [short label for the accessible name, label shown]. */
  axis(kind, l) {
    const d = this.d;
    const { H, G } = this.geo;
    const unit = (j) => [`unit ${j}`, String(j)];
    switch (kind) {
      case 'gates':
        return Array.from({ length: Math.max(1, G) * H }, (_, r) => {
          const j = r % H;
          if (!G) return unit(j);
          const gate = d.gateNames[Math.floor(r / H)];
          return [`${gate}, unit ${j}`, `${gate} ${j}`];
        });
      case 'input':
        return l === 0 ? d.vocab.map((c) => [`'${displayChar(c)}'`, displayChar(c)])
          : Array.from({ length: H }, (_, j) => [`layer ${l} unit ${j}`, String(j)]);
      case 'units': return Array.from({ length: H }, (_, j) => unit(j));
      case 'vocab': return d.vocab.map((c) => [`'${displayChar(c)}'`, displayChar(c)]);
      default: return [];
    }
  }

  /**
   * Show the table `open` (`{matrix, layer}`) of the figure's data `d` with its geometry `geo` (H, G, L); `key` is
   * the figure's shape key: a new one rebuilds the table, the same one only writes new numbers.
   */
  render(d, geo, open, shapeKey) {
    this.d = d;
    this.geo = geo;
    const o = open;
    if (!d || !o || !d.weights) { this.editor.hidden = true; return; }
    const names = tensorsOf(o.matrix, o.layer);
    const tensors = names.map((n) => d.weights[n]);
    if (tensors.some((x) => !x)) { this.editor.hidden = true; return; }
    const key = [o.matrix, o.layer, shapeKey].join('|');
    if (key !== this.editorKey) {
      this.editorKey = key;
      this.build(o, names, tensors);
    }
    // New numbers into the existing inputs (data-value: the model's number, full precision). A field the visitor
    // is typing into, or has left with something refused, keeps what they typed until they commit a number.
    // A committed edit shows what was typed until weights newer than those it was typed over come back.
    const pending = this.pending && this.pending.weights === d.weights ? this.pending.inp : null;
    if (!pending) this.pending = null;
    for (const inp of this.inputs) {
      const v = String(d.weights[inp.dataset.name].data[Number(inp.dataset.index)]);
      const shown = inp.dataset.shown === v;
      inp.dataset.value = v;
      if (shown || inp === pending || inp.dataset.editing === 'true' || inp.getAttribute('aria-invalid') === 'true') continue;
      inp.value = String(Number(Number(v).toFixed(4)));
      inp.dataset.shown = v;
    }
    if (this.sums) {
      const [bi, bh] = tensors;
      this.sums.forEach((cell, r) => { cell.textContent = fmt(bi.data[r] + bh.data[r], 4); cell.dataset.value = String(bi.data[r] + bh.data[r]); });
    }
    this.editor.hidden = false;
  }

  build(o, names, tensors) {
    const m = MATRICES[o.matrix];
    const perLayer = !o.matrix.endsWith('y');
    const sup = this.geo.L > 1 && perLayer ? ` of layer ${o.layer + 1}` : '';
    const rows = this.axis(m.rows, o.layer);
    const isBias = m.cols === 'bias' || m.cols === 'one';
    const cols = isBias ? names.map((n) => [n.replace(/^rnn\.|^decoder\./, '').replace(/_l\d+$/, ''), n.replace(/_l\d+$/, '')]) : this.axis(m.cols, o.layer);
    this.editor.replaceChildren();
    this.inputs = [];
    this.sums = null;

    const head = el('div', 'rs-figure-edhead');
    const title = el('p', 'rs-figure-edtitle');
    const t1 = el('strong', '');
    t1.append(math(o.matrix));
    const shape = tensors[0].shape.join(' × ');
    title.append(t1, ` — ${m.title}${sup}: ${names.join(' + ')}, ${shape}`);
    const close = button('close', 'rs-figure-edclose', 'figure-weights-close', `close the ${o.matrix} table`);
    close.addEventListener('click', () => this.onClose(o));
    head.append(title, close);
    const help = el('p', 'rs-figure-edhelp');
    const rowWord = { gates: this.geo.G ? 'rows: gate and hidden unit' : 'rows: hidden units', vocab: 'rows: output characters' }[m.rows];
    const colWord = { input: o.layer === 0 ? 'columns: input characters' : `columns: units of layer ${o.layer}`, units: o.matrix === 'W_hh' ? 'columns: units of h at t−1' : 'columns: hidden units', bias: 'b_h = bias_ih + bias_hh', one: '' }[m.cols];
    help.textContent = [rowWord, colWord].filter(Boolean).join('; ') + '. Change a number and press Enter (or leave the field): every number of the figure is computed again.';
    if (this.d.cell === 'gru' && o.matrix === 'b_h') help.textContent += ' For the GRU, bias_hh of the n rows sits inside r ⊙ (…), so the two biases differ there.';

    const wrap = el('div', 'rs-scroll rs-figure-edscroll');
    const table = el('table', 'rs-figure-table');
    const cap = el('caption', 'rs-visually-hidden');
    cap.textContent = `${o.matrix}${sup}`;
    table.append(cap);
    const thead = el('thead', '');
    const hr = el('tr', '');
    const corner = el('th', 'rs-figure-corner');
    corner.textContent = `${{ gates: this.geo.G ? 'gate unit' : 'unit', vocab: 'char' }[m.rows]} ╲ ${{ input: o.layer === 0 ? 'char' : 'unit', units: 'unit', bias: '', one: '' }[m.cols]}`.replace(/ ╲ $/, '');
    hr.append(corner);
    for (const [, shown] of cols) {
      const th = el('th', '');
      th.scope = 'col';
      th.textContent = shown;
      hr.append(th);
    }
    const showSum = o.matrix === 'b_h' && this.d.cell !== 'gru';
    if (showSum) {
      const th = el('th', '');
      th.scope = 'col';
      th.append(math('b_h'));
      hr.append(th);
      this.sums = [];
    }
    thead.append(hr);
    const tbody = el('tbody', '');
    const nCols = isBias ? 1 : cols.length;
    rows.forEach(([rowName, rowShown], r) => {
      const tr = el('tr', '');
      const th = el('th', '');
      th.scope = 'row';
      th.textContent = rowShown;
      tr.append(th);
      const cells = isBias ? names.map((n, k) => ({ name: n, index: r, label: `${cols[k][0]}[${rowName}]` }))
        : cols.map(([colName], c) => ({ name: names[0], index: r * nCols + c, label: `${o.matrix}${this.geo.L > 1 && perLayer ? String(o.layer + 1) : ''}[${rowName}, ${colName}]` }));
      for (const cell of cells) {
        const td = el('td', '');
        const inp = el('input', 'rs-figure-winput');
        inp.type = 'number';
        inp.step = '0.01';
        inp.dataset.testid = 'figure-weight';
        inp.dataset.name = cell.name;
        inp.dataset.index = String(cell.index);
        inp.setAttribute('aria-label', cell.label);
        inp.addEventListener('input', () => { inp.dataset.editing = 'true'; });
        inp.addEventListener('change', () => this.edited(inp));
        td.append(inp);
        tr.append(td);
        this.inputs.push(inp);
      }
      if (showSum) {
        const td = el('td', 'rs-figure-sum');
        td.dataset.testid = 'figure-bias-sum';
        tr.append(td);
        this.sums.push(td);
      }
      tbody.append(tr);
    });
    table.append(thead, tbody);
    wrap.append(table);
    this.editor.append(head, help, wrap);
  }

  edited(inp) {
    const label = inp.getAttribute('aria-label');
    const v = inp.valueAsNumber;
    const raw = inp.value;
    let why = '';
    if (raw.trim() === '' || Number.isNaN(v)) why = 'needs a number';
    else if (!Number.isFinite(v)) why = 'needs a finite number';
    else if (Math.abs(v) > 3.4e38) why = 'is beyond the range of a 32-bit float';
    if (why) {
      inp.setAttribute('aria-invalid', 'true');
      this.status.textContent = `${label} ${why}; nothing was changed.`;
      this.status.classList.add('is-error');
      return;
    }
    inp.removeAttribute('aria-invalid');
    delete inp.dataset.editing;
    delete inp.dataset.shown; // render() with the new weights shows the number the model kept
    this.pending = { inp, weights: this.d.weights };
    this.status.classList.remove('is-error');
    this.status.textContent = `${label} set to ${raw}.`;
    this.onEdit(inp.dataset.name, Number(inp.dataset.index), v);
  }
}
