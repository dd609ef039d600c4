// One column of the hell diagram (hell.js): the DOM of one character's output cells (the actual next character
// and the top-k guesses) and its input cell, placed at its position on the diagram's track; it caches what it shows
// and writes only what changed.

import { cssColor, inkColor } from './palette.js';
import { displayChar, charName, fmtProb, fmtProbShort } from './format.js';
import { el } from './dom.js';

/** A column's width in CSS pixels (views.css: --rs-hell-col-w). */
export const COL_W = 42;

/** One column: DOM for the output cells (next + top-k) and the input cell; caches what it shows. */
export class Column {
  /** @param {HellDiagram} diagram @param {number} t */
  constructor(diagram, t) {
    const k = diagram.topK;
    this.t = t;
    this.el = el('div', 'rs-hell-col');
    this.el.dataset.testid = 'hell-col';
    this.el.dataset.t = String(t);
    this.el.tabIndex = -1;
    this.el.setAttribute('role', 'listitem');
    this.el.setAttribute('aria-posinset', String(t + 1));
    this.el.setAttribute('aria-setsize', String(diagram.T));
    this.el.style.left = `${t * COL_W}px`;
    this.next = el('div', 'rs-hell-next');
    this.next.dataset.testid = 'next-prob';
    this.nextCh = el('span', 'rs-hell-ch');
    this.nextP = el('span', 'rs-hell-p');
    this.next.append(this.nextCh, this.nextP);
    const guesses = el('div', 'rs-hell-guesses');
    this.guessEls = [];
    for (let i = 0; i < k; i++) {
      const g = el('div', 'rs-hell-guess');
      g.dataset.testid = 'guess';
      g.dataset.rank = String(i + 1);
      const c = el('span', 'rs-hell-ch');
      const p = el('span', 'rs-hell-p');
      g.append(c, p);
      guesses.append(g);
      this.guessEls.push({ el: g, ch: c, p });
    }
    const mid = el('div', 'rs-hell-mid');
    const input = el('div', 'rs-hell-input');
    this.inCh = el('span', 'rs-hell-inch');
    this.inIdx = el('span', 'rs-hell-inidx');
    const strip = el('span', 'rs-hell-onehot');
    this.tick = el('span', 'rs-hell-onehot-tick');
    strip.append(this.tick);
    input.append(this.inCh, this.inIdx, strip);
    this.el.append(this.next, guesses, mid, input);
    this.top = new Int32Array(k).fill(-2);
    this.topP = new Float32Array(k).fill(NaN);
    /** The diagram's `version` of the data this column shows. */
    this.version = -1;
    this.shown = { ch: null, idx: -2, nextCh: null, nextP: -1 };
  }

  /**
   * Bring the DOM up to date with step t of `d`, writing only what changed.
   * @param {ProbeData} d @param {number} t @param {{idx: Int32Array, p: Float32Array}} scratch
   */
  update(d, t, scratch) {
    const s = this.shown;
    const ch = d.chars[t];
    const idx = d.input[t];
    const V = d.vocab.length;
    if (ch !== s.ch || idx !== s.idx) {
      this.inCh.textContent = displayChar(ch);
      this.inIdx.textContent = idx < 0 ? '?' : String(idx);
      this.el.dataset.char = ch;
      this.el.dataset.index = String(idx);
      this.el.classList.toggle('is-unknown', idx < 0);
      this.el.classList.toggle('is-newline', ch === '\n');
      this.tick.hidden = idx < 0;
      if (idx >= 0) this.tick.style.left = (100 * idx / Math.max(1, V - 1)) + '%';
      s.ch = ch; s.idx = idx;
    }

    // Actual next character and its probability.
    const nextCh = d.chars[t + 1];
    const p = d.nextProb[t];
    if (nextCh !== s.nextCh || !(p === s.nextP || (p !== p && s.nextP !== s.nextP))) {
      const n = this.next;
      if (nextCh === undefined) {
        this.nextCh.textContent = '?';
        this.nextP.textContent = '';
        n.style.background = '';
        n.style.color = '';
        n.classList.add('is-pending');
        n.dataset.char = '';
      } else {
        this.nextCh.textContent = displayChar(nextCh);
        this.nextP.textContent = fmtProbShort(p);
        n.style.background = cssColor(p, 'confidence', 0, 1);
        n.style.color = inkColor(p, 'confidence', 0, 1);
        n.classList.remove('is-pending');
        n.dataset.char = nextCh;
      }
      n.dataset.prob = String(p);
      s.nextCh = nextCh; s.nextP = p;
      // Its accessible name sums it up; the focused column says instead what the cursor is on.
      if (document.activeElement !== this.el) {
        this.el.setAttribute('aria-label', nextCh === undefined
          ? `${charName(ch)} (t=${t}): the next character is not typed yet`
          : `${charName(ch)} (t=${t}): actual next ${charName(nextCh)} had p = ${fmtProb(p)}`);
      }
    }

    // Top-k of the distribution at step t (insertion into a k-slot list).
    const k = this.top.length;
    const ti = scratch.idx, tp = scratch.p;
    ti.fill(-1); tp.fill(-1);
    const probs = d.probs, base = t * V;
    for (let v = 0; v < V; v++) {
      const q = probs[base + v];
      if (!(q > tp[k - 1])) continue;
      let j = k - 1;
      while (j > 0 && q > tp[j - 1]) { tp[j] = tp[j - 1]; ti[j] = ti[j - 1]; j--; }
      tp[j] = q; ti[j] = v;
    }
    const actual = d.input[t + 1] ?? -1;
    for (let i = 0; i < k; i++) {
      const vi = ti[i], q = tp[i];
      const isActual = vi >= 0 && vi === actual;
      if (vi === this.top[i] && q === this.topP[i] && isActual === this.guessEls[i].actual) continue;
      const g = this.guessEls[i];
      if (vi < 0) {
        g.ch.textContent = ''; g.p.textContent = '';
        g.el.style.background = ''; g.el.style.color = '';
        g.el.dataset.char = ''; g.el.dataset.prob = '';
      } else {
        const c = d.vocab[vi];
        if (vi !== this.top[i]) g.ch.textContent = displayChar(c);
        g.p.textContent = fmtProbShort(q);
        g.el.style.background = cssColor(q, 'blues', 0, 1);
        g.el.style.color = inkColor(q, 'blues', 0, 1);
        g.el.dataset.char = c;
        g.el.dataset.prob = String(q);
      }
      g.el.classList.toggle('is-actual', isActual);
      g.actual = isActual;
      this.top[i] = vi;
      this.topP[i] = q;
    }
  }
}
