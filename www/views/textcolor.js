// The post's "quote cell" pictures: the text, each character's background coloured by a value (one unit's
// activation, or the per-character loss), and a variant with the model's top guesses under every character.
// The number is always readable: pointer hover, or focus the text and move with the arrow keys.
// Incremental: when the text grows with the same prefix only new characters get elements; colours and
// numbers are rewritten only where they changed.

import { cssColor, inkColor, legend } from './palette.js';
import { displayChar, charName, fmt, fmtProb, fmtProbShort } from './format.js';
import { el } from './dom.js';

/**
 * @typedef {{scale?: 'diverging'|'sequential', min?: number, max?: number, label?: string,
 *            format?: (v: number) => string}} ColoredTextOptions
 */

export class ColoredText {
  /**
   * Create an empty coloured-text figure inside `container`.
   * @param {HTMLElement} container
   */
  constructor(container) {
    const root = el('figure', 'rs-fig rs-ctext');
    this.caption = el('figcaption', 'rs-fig-title');
    this.body = el('div', 'rs-ctext-body');
    this.body.tabIndex = 0;
    this.body.setAttribute('role', 'group');
    this.body.setAttribute('aria-label', 'coloured text: nothing drawn yet');
    this.readout = el('div', 'rs-readout');
    this.readout.setAttribute('aria-live', 'polite');
    this.readout.dataset.testid = 'ctext-readout';
    this.readout.textContent = 'Point at a character, or focus the text and use the arrow keys, to read its value.';
    this.legendBox = el('div', 'rs-legends');
    root.append(this.caption, this.body, this.readout, this.legendBox);
    container.append(root);
    this.root = root;
    /** @type {'text'|'topk'|''} */
    this.mode = '';
    /** @type {{el: HTMLElement, ch: string, br: HTMLElement|null, v?: number, [k: string]: any}[]} */
    this.items = [];
    this.active = -1;
    this.legendKey = '';
    /** @type {((t: number) => void)|null} called when the character read out (pointed at or focused) changes */
    this.onActive = null;

    // Keep the end of the text in view while it grows, unless the visitor scrolled up.
    this.stickToEnd = true;
    this.body.addEventListener('scroll', () => {
      const b = this.body;
      this.stickToEnd = b.scrollTop + b.clientHeight >= b.scrollHeight - 4;
    }, { passive: true });
    this.body.addEventListener('pointerover', (e) => {
      const item = /** @type {HTMLElement} */ (e.target).closest('[data-t]');
      if (item && this.body.contains(item)) this._read(Number(item.dataset.t), false);
    });
    this.body.addEventListener('keydown', (e) => this._key(e));
    this.body.addEventListener('focus', () => this._read(Math.max(0, this.active), true));
    this.body.addEventListener('blur', () => this._mark(-1));
  }

  /**
   * Show `chars` with each character's background coloured by `values[t]` (NaN or missing → grey, "–").
   * @param {string[]} chars the text, one character per entry; '\n' shows '↵' and breaks the line
   * @param {ArrayLike<number>} values one value per character (may be shorter; may contain NaN)
   * @param {ColoredTextOptions} [opts] scale 'diverging' (default, range −1..1) or 'sequential' (0..1);
   *   label: caption and legend text; format(v): the number as shown (default 3 decimals)
   */
  render(chars, values, opts = {}) {
    const scale = opts.scale || 'diverging';
    const min = opts.min ?? (scale === 'diverging' ? -1 : 0);
    const max = opts.max ?? 1;
    const format = opts.format || ((v) => fmt(v, 3));
    this.opts = { scale, min, max, format, label: opts.label || '' };
    this.values = values;
    this.chars = chars;
    this._setMode('text', opts.label || '');
    this._syncItems(chars, (t, ch) => {
      const span = el('span', 'rs-ctext-ch');
      span.dataset.t = String(t);
      span.textContent = ch === '\n' ? '↵' : ch === '\t' ? '⇥' : ch;
      if (ch === '\n' || ch === '\t') span.classList.add('is-ctrl');
      return { el: span, ch, br: null, v: undefined };
    });
    for (let t = 0; t < this.items.length; t++) {
      const it = this.items[t];
      const v = t < values.length ? values[t] : NaN;
      if (v === it.v || (v !== v && it.v !== it.v && it.v !== undefined)) continue;
      it.el.style.background = cssColor(v, scale, min, max);
      it.el.style.color = inkColor(v, scale, min, max);
      it.el.title = `${charName(it.ch)} (t=${t}): ${format(v)}`;
      it.el.dataset.value = String(v);
      it.v = v;
    }
    const key = `${scale}|${min}|${max}|${opts.label}`;
    if (key !== this.legendKey) {
      this.legendBox.replaceChildren();
      legend(this.legendBox, scale, min, max, opts.label || '');
      this.legendKey = key;
    }
    this.body.setAttribute('aria-label', `${opts.label || 'coloured text'}: ${chars.length} characters; arrow keys read each value`);
    // The readout follows the character last pointed at or focused (its value may have just come in).
    if (this.active >= 0) this._read(this.active, false);
  }

  /**
   * Show `chars` as columns, each with the model's top-k guesses for the next character below it (background
   * shade and number = probability; the guess that matches the actual next character is outlined).
   * @param {string[]} chars the text (T characters)
   * @param {Float32Array} probsFlat (T, V) step t's distribution over the next character
   * @param {number} V vocabulary size
   * @param {string[]} vocab the V characters
   * @param {number} [k=5] guesses per character
   */
  renderTopK(chars, probsFlat, V, vocab, k = 5) {
    this.chars = chars;
    this.probs = probsFlat;
    this.V = V;
    this.vocab = vocab;
    this._setMode('topk', `top ${k} guesses for the next character`, k);
    this._syncItems(chars, (t, ch) => {
      const col = el('span', 'rs-topk-col');
      col.dataset.t = String(t);
      const head = el('span', 'rs-topk-head');
      head.textContent = displayChar(ch);
      if (ch === ' ' || ch === '\n' || ch === '\t') head.classList.add('is-ctrl');
      col.append(head);
      const cells = [];
      for (let i = 0; i < k; i++) {
        const g = el('span', 'rs-topk-guess');
        g.dataset.testid = 'topk-guess';
        g.dataset.rank = String(i + 1);
        const c = el('span', 'rs-topk-ch');
        const p = el('span', 'rs-topk-p');
        g.append(c, p);
        col.append(g);
        cells.push({ el: g, ch: c, p, idx: -2, prob: NaN, actual: false });
      }
      return { el: col, ch, br: null, cells };
    });
    const ti = new Int32Array(k), tp = new Float32Array(k);
    for (let t = 0; t < this.items.length; t++) {
      const it = this.items[t];
      topK(probsFlat, t * V, V, ti, tp);
      const next = chars[t + 1];
      for (let i = 0; i < k; i++) {
        const c = it.cells[i], vi = ti[i], q = tp[i];
        const isActual = vi >= 0 && next !== undefined && vocab[vi] === next;
        if (vi === c.idx && q === c.prob && isActual === c.actual) continue;
        if (vi < 0) {
          c.ch.textContent = ''; c.p.textContent = '';
          c.el.style.background = ''; c.el.style.color = '';
          c.el.dataset.char = ''; c.el.dataset.prob = '';
        } else {
          c.ch.textContent = displayChar(vocab[vi]);
          c.p.textContent = fmtProbShort(q);
          c.el.style.background = cssColor(q, 'blues', 0, 1);
          c.el.style.color = inkColor(q, 'blues', 0, 1);
          c.el.dataset.char = vocab[vi];
          c.el.dataset.prob = String(q);
        }
        c.el.classList.toggle('is-actual', isActual);
        c.idx = vi; c.prob = q; c.actual = isActual;
      }
    }
    this.body.setAttribute('aria-label', `top ${k} guesses after each of ${chars.length} characters; arrow keys read them`);
    // The readout follows the character last pointed at or focused (its value may have just come in).
    if (this.active >= 0) this._read(this.active, false);
  }

  // ---- internals --------------------------------------------------------------------------------------------

  _setMode(mode, label, k = 0) {
    const key = mode + k;
    if (key !== this.mode) {
      this.mode = key;
      this.items = [];
      this.body.replaceChildren();
      this.legendBox.replaceChildren();
      this.legendKey = '';
      this.active = -1;
      this.body.classList.toggle('is-topk', mode === 'topk');
      if (mode === 'topk') {
        const note = el('div', 'rs-legend-slot');
        legend(note, 'blues', 0, 1, 'p of guess (outlined = actual next)');
        this.legendBox.append(note);
      }
    }
    this.caption.textContent = label;
    this.caption.hidden = !label;
  }

  /** Keep items[0..] matching chars: reuse the common prefix, rebuild the rest. */
  _syncItems(chars, make) {
    const items = this.items;
    let p = 0;
    while (p < items.length && p < chars.length && items[p].ch === chars[p]) p++;
    for (let t = items.length - 1; t >= p; t--) {
      items[t].el.remove();
      if (items[t].br) items[t].br.remove();
    }
    items.length = p;
    if (chars.length > p) {
      const frag = document.createDocumentFragment();
      for (let t = p; t < chars.length; t++) {
        const it = make(t, chars[t]);
        frag.append(it.el);
        if (chars[t] === '\n') {
          it.br = el(this.mode.startsWith('topk') ? 'span' : 'br', this.mode.startsWith('topk') ? 'rs-topk-break' : '');
          frag.append(it.br);
        }
        items.push(it);
      }
      this.body.append(frag);
      if (this.stickToEnd && p > 0) this.body.scrollTop = this.body.scrollHeight;
    }
    if (this.active >= items.length) this.active = items.length - 1;
  }

  _key(e) {
    const n = this.items.length;
    if (!n) return;
    let a = Math.max(0, this.active);
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') a++;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') a--;
    else if (e.key === 'Home') a = 0;
    else if (e.key === 'End') a = n - 1;
    else return;
    e.preventDefault();
    this._read(Math.max(0, Math.min(n - 1, a)), true);
  }

  _mark(t) {
    if (this.active >= 0 && this.items[this.active]) this.items[this.active].el.classList.remove('is-active');
    if (t >= 0 && this.items[t]) this.items[t].el.classList.add('is-active');
  }

  _read(t, fromKeyboard) {
    const it = this.items[t];
    if (!it) return;
    if (fromKeyboard) {
      this._mark(t);
      it.el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
    const changed = t !== this.active;
    this.active = t;
    if (changed && this.onActive) queueMicrotask(() => this.onActive?.(t));
    let text;
    if (this.mode === 'text0') {
      const o = this.opts;
      text = `${charName(it.ch)} (t=${t}): ${o.format(it.v)}${o.label ? ' · ' + o.label : ''}`;
    } else {
      const next = this.chars[t + 1];
      const parts = it.cells.filter((c) => c.idx >= 0).map((c) => `${charName(this.vocab[c.idx])} ${fmtProb(c.prob)}`);
      text = `after ${charName(it.ch)} (t=${t})${next !== undefined ? ', actual next ' + charName(next) : ''}: ` +
        `guesses ${parts.join(', ')}`;
    }
    this.readout.textContent = text;
  }
}

/** Top-k indices/probabilities of probs[base .. base+V) into (idx, p), descending; unused slots are -1. */
function topK(probs, base, V, idx, p) {
  const k = idx.length;
  idx.fill(-1); p.fill(-1);
  for (let v = 0; v < V; v++) {
    const q = probs[base + v];
    if (!(q > p[k - 1])) continue;
    let j = k - 1;
    while (j > 0 && q > p[j - 1]) { p[j] = p[j - 1]; idx[j] = idx[j - 1]; j--; }
    p[j] = q; idx[j] = v;
  }
}
