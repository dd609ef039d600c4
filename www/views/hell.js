// The "hell" diagram of Karpathy's post, live: one column per character typed.
//
//   top      output layer: the actual next character and the probability the model gave it (coloured by
//            confidence, orange = unsure … blue = sure, number printed), then the top-k guesses
//   middle   per layer (last layer on top): h, then c (LSTM), then each gate — the first maxUnits units as
//            small cells, one ImageData canvas per row group (data resolution, CSS-scaled)
//   bottom   the input: character, its vocabulary index and a one-hot strip
//
// Columns are DOM elements (for the text and data-testids); the unit cells are canvases underneath them. Only the
// columns in view (and a few either side) are in the document, placed at their position on a track as wide as
// the whole text; render() recomputes their top-k and writes to the DOM only what changed, and redraws the small
// canvases (a few hundred thousand pixels at most), so typing one character costs one new column and the few on
// screen, and a 2,000-character text lays out and paints about as cheaply as a 20-character one.

import { charName, fmt, fmtProb } from './format.js';
import { layoutRows, drawGroup } from './hell-rows.js';
import { Column, COL_W } from './hell-column.js';
import { el } from './dom.js';

/** Columns either side of the visible ones that are kept up to date too (a short scroll shows them current). */
const VIEW_MARGIN = 4;
/** The scroller's width assumed before it has been measured. */
const DEFAULT_VIEW_W = 1280;

/**
 * @typedef {import('./types.js').ProbeData} ProbeData
 * @typedef {{kind: 'h'|'c'|'gate', layer: number, gate: number, name: string, scale: 'diverging'|'sequential',
 *            units: number, y: number, height: number, canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D,
 *            img: ImageData|null, min: number, max: number, label: HTMLElement, rangeEl: HTMLElement}} Group
 */

export class HellDiagram {
  /**
   * Create an empty diagram inside `container`.
   * @param {HTMLElement} container
   * @param {{maxUnits?: number, topK?: number}} [options] maxUnits: hidden units shown per row group (the first
   *   ones); topK: guesses shown per column
   */
  constructor(container, { maxUnits = 16, topK = 5 } = {}) {
    this.maxUnits = maxUnits;
    this.topK = topK;
    this.layoutKey = '';
    /** @type {Group[]} */
    this.groups = [];
    /** @type {Column[]} a column per position, made when first shown (sparse) */
    this.cols = [];
    /** Positions whose column is in the document. */
    this.attached = new Set();
    /** Columns the text has. */
    this.T = 0;
    this.focus = { col: 0, row: 0, moved: false };
    this.tabStop = -1;
    this.rowsFlat = [];

    const root = el('figure', 'rs-fig rs-hell');
    root.dataset.testid = 'hell-figure';
    const body = el('div', 'rs-hell-body');
    this.labels = el('div', 'rs-hell-labels');
    this.scroller = el('div', 'rs-scroll rs-hell-scroll');
    this.track = el('div', 'rs-hell-track');
    this.canvasLayer = el('div', 'rs-hell-canvases');
    this.colLayer = el('div', 'rs-hell-cols');
    this.colLayer.setAttribute('role', 'list');
    this.colLayer.setAttribute('aria-label', 'characters: arrow keys move between columns and rows');
    this.cursorEl = el('div', 'rs-hell-cursor');
    this.cursorEl.hidden = true;
    this.track.append(this.canvasLayer, this.colLayer, this.cursorEl);
    this.scroller.append(this.track);
    body.append(this.labels, this.scroller);
    this.empty = el('p', 'rs-empty');
    this.empty.textContent = 'Type some text to see inside the model.';
    this.tooltip = el('div', 'rs-tooltip');
    this.tooltip.hidden = true;
    this.tooltip.setAttribute('role', 'tooltip');
    this.readout = el('div', 'rs-readout');
    this.readout.setAttribute('aria-live', 'polite');
    this.readout.dataset.testid = 'hell-readout';
    this.readout.textContent = 'Point at any cell, or Tab into the diagram and use the arrow keys, to read its exact value.';
    this.legendBox = el('div', 'rs-legends');
    root.append(this.empty, body, this.tooltip, this.readout, this.legendBox);
    container.append(root);
    this.root = root;
    this.body = body;
    body.hidden = true;

    // Keep the newest column in view while the visitor types, unless they scrolled back to look at something.
    this.stickToEnd = true;
    /** What the scroller shows, in CSS pixels, as last seen by its own events (never read inside a render). */
    this.view = { left: 0, width: 0 };
    /** Called when columns that do not show the latest data scroll into view (the owner asks for a render). */
    this.onStale = null;
    this.scroller.addEventListener('scroll', () => {
      const sc = this.scroller;
      this.stickToEnd = sc.scrollLeft + sc.clientWidth >= sc.scrollWidth - 4;
      this.view = { left: sc.scrollLeft, width: sc.clientWidth };
      if (this.onStale && !this._inViewCurrent()) this.onStale();
    }, { passive: true });
    if (typeof ResizeObserver !== 'undefined') {
      new ResizeObserver((entries) => {
        this.view = { left: this.view.left, width: entries[0]?.contentRect.width ?? this.view.width };
        if (this.stickToEnd) this.scroller.scrollLeft = this.scroller.scrollWidth;
        else if (this.onStale && !this._inViewCurrent()) this.onStale();
      }).observe(this.scroller);
    }
    this.track.addEventListener('pointermove', (e) => this._pointer(e));
    this.track.addEventListener('pointerdown', (e) => this._pointer(e));
    this.track.addEventListener('pointerleave', () => {
      if (this.track.contains(document.activeElement)) this._showFocus(false);
      else { this._hideTip(); this.cursorEl.hidden = true; }
    });
    this.colLayer.addEventListener('keydown', (e) => this._key(e));
    this.colLayer.addEventListener('focusin', (e) => {
      const c = /** @type {HTMLElement} */ (e.target).closest('.rs-hell-col');
      if (c) { this.focus.col = Number(c.dataset.t); this._showFocus(false); }
    });
    this.colLayer.addEventListener('focusout', (e) => {
      if (!this.colLayer.contains(/** @type {Node} */ (e.relatedTarget))) { this.cursorEl.hidden = true; this._hideTip(); }
    });
  }

  /** Remove all columns and forget the data; the next render() starts from scratch. */
  clear() {
    this.cols = [];
    this.attached = new Set();
    this.T = 0;
    this.groups = [];
    this.layoutKey = '';
    this.tabStop = -1;
    this.focus = { col: 0, row: 0, moved: false };
    this.colLayer.replaceChildren();
    this.canvasLayer.replaceChildren();
    this.labels.replaceChildren();
    this.legendBox.replaceChildren();
    this.cursorEl.hidden = true;
    this._hideTip();
    this.body.hidden = true;
    this.empty.hidden = false;
    this.data = null;
    /** Counts the data rendered; a column shows the data of its own `version`. */
    this.version = 0;
  }

  /** The columns in view (with a margin) among `n`: `[lo, hi]`, newest at `hi`. */
  _inView(n) {
    const width = this.view.width || DEFAULT_VIEW_W;
    const count = Math.ceil(width / COL_W) + 2 * VIEW_MARGIN;
    if (this.stickToEnd) return [Math.max(0, n - count), n - 1];
    const lo = Math.max(0, Math.floor(this.view.left / COL_W) - VIEW_MARGIN);
    return [lo, Math.min(n - 1, lo + count)];
  }

  /** Whether every column in view is in the document and shows the latest data. */
  _inViewCurrent() {
    const [lo, hi] = this._inView(this.T);
    for (let t = lo; t <= hi; t++) if (!this.attached.has(t) || this.cols[t].version !== this.version) return false;
    return true;
  }

  /** The column of position `t`, made and brought up to date if it is not (for reading, not necessarily shown). */
  _col(t) {
    let col = this.cols[t];
    if (!col) col = this.cols[t] = new Column(this, t);
    if (col.version !== this.version && this.data) {
      const top = this._topScratch || (this._topScratch = { idx: new Int32Array(this.topK), p: new Float32Array(this.topK) });
      col.update(this.data, t, top);
      col.version = this.version;
    }
    return col;
  }

  /** Put the column of position `t` in the document (up to date), in position order. */
  _attach(t) {
    const col = this._col(t);
    if (this.attached.has(t)) return col;
    let next = null;
    for (const u of this.attached) if (u > t && (next === null || u < next)) next = u;
    this.colLayer.insertBefore(col.el, next === null ? null : this.cols[next].el);
    this.attached.add(t);
    return col;
  }

  /**
   * Draw `data`. Call it from requestAnimationFrame whenever the probe data changed; columns that did not change
   * cost no DOM writes, new characters append columns, and the view scrolls to the newest column when it grew.
   * Only the columns in view (and a few either side) are brought up to date, newest first; the others are when
   * they scroll into view (`onStale` asks for that render). With `maxColumns`, at most that many columns are
   * created or brought up to date per call, and the answer says whether all are: call again (next frame) until it
   * is true. A pasted text then costs several short frames instead of one long one, and a long text whose every
   * column changes because the model trains while it is shown costs only what is on screen.
   * @param {ProbeData} data
   * @param {{layers?: number[], showC?: boolean, showGates?: boolean, maxColumns?: number, maxGroupColumns?: number}} [options]
   *   layers: which layers to show (0-based, default all); showC / showGates: include the LSTM cell state / gate
   *   row groups (default true); maxColumns: columns created or updated per call (default all); maxGroupColumns:
   *   columns of each row group's pixels drawn per call (default all; a fresh probe of 4,000 columns then takes
   *   several frames, the newest columns first)
   * @returns {boolean} whether every column shows `data`
   */
  render(data, options = {}) {
    const L = data.layers;
    const layers = (options.layers || range(L)).filter((l) => l >= 0 && l < L);
    const showC = options.showC !== false && !!data.c;
    const showGates = options.showGates !== false && !!data.gate && data.gateNames.length > 0;
    const key = [data.cell, L, data.hidden, data.vocab.length, data.gateNames.join(''), layers.join(','), showC, showGates,
      this.maxUnits, this.topK].join('|');
    if (key !== this.layoutKey) {
      this.clear();
      layoutRows(this, data, layers, showC, showGates);
      this.layoutKey = key;
    }
    const fresh = data !== this.data;
    // Columns (and row-group pixels) before the first position changed since the data drawn last (a typed
    // character changes one or two) already show `data`.
    let keep = 0;
    if (fresh) {
      this.version++;
      keep = this.data && data.changedSince ? data.changedSince(this.data.seq) : 0;
      for (const t of this.attached) if (t < keep && this.cols[t].version === this.version - 1) this.cols[t].version = this.version;
    }
    this.data = data;
    const T = data.steps;
    this.body.hidden = T === 0;
    this.empty.hidden = T !== 0;
    const grew = T > this.T;
    const resized = T !== this.T;
    let budget = options.maxColumns ?? Infinity;
    /** Columns this call made or brought up to date (never more than `maxColumns`). */
    this.columnsDrawn = 0;

    // Columns past the end go; so do those that left the view (but the keyboard's), from the document.
    if (this.tabStop >= T) this.tabStop = -1;
    if (this.focus.col >= T) this.focus.col = Math.max(0, T - 1);
    this.T = T;
    const [lo, hi] = this._inView(T);
    for (const t of [...this.attached]) {
      if (t < T && ((t >= lo && t <= hi) || t === this.tabStop || t === this.focus.col)) continue;
      this.cols[t].el.remove();
      this.attached.delete(t);
    }
    this.cols.length = Math.min(this.cols.length, T);
    // The columns in view that are not in the document or do not show `data` yet, newest first (an update costs
    // no DOM writes where nothing changed). With the text growing, the view is where it will be: at the end.
    let current = true;
    for (let t = hi; t >= lo; t--) {
      if (this.attached.has(t) && this.cols[t].version === this.version) continue;
      if (budget <= 0) {
        current = false;
        break;
      }
      this._attach(t);
      budget--;
      this.columnsDrawn++;
    }
    if (resized) for (const t of this.attached) this.cols[t].el.setAttribute('aria-setsize', String(T));
    if (T > 0) {
      // The Tab stop is the newest column until the visitor moves the keyboard cursor themselves.
      const f = this.focus.moved ? Math.min(this.focus.col, T - 1) : T - 1;
      if (f !== this.tabStop) { this.focus.col = f; this._setTabStop(f); }
    }

    const width = T * COL_W;
    this.track.style.width = width + 'px';
    // The row groups' pixels: what changed, newest first, at most `maxGroupColumns` columns of each a call.
    const most = options.maxGroupColumns ?? Infinity;
    this.groupColumnsDrawn = 0;
    for (const g of this.groups) {
      if (!drawGroup(g, data, fresh ? keep : T, most)) current = false;
      this.groupColumnsDrawn = Math.max(this.groupColumnsDrawn, g.drew);
    }

    if (grew) {
      this.stickToEnd = true;
      this._scrollToEndSoon();
    }
    if (!this.cursorEl.hidden) this._showFocus(false);
    return current;
  }

  /**
   * Scroll to the newest column once this frame is laid out: reading scrollWidth now, right after the writes above,
   * would force a layout of the page inside the frame's task (the longest part of a keystroke's redraw).
   */
  _scrollToEndSoon() {
    if (this.scrollSoon) return;
    this.scrollSoon = setTimeout(() => {
      this.scrollSoon = 0;
      if (this.stickToEnd) this.scroller.scrollLeft = this.scroller.scrollWidth;
    }, 0);
  }

  // ---- reading values -----------------------------------------------------------------------------------------

  /** The text describing row `r` (index into rowsFlat) of column t. */
  _describe(t, r) {
    const d = this.data;
    const row = this.rowsFlat[r];
    const ch = d.chars[t];
    const at = `after ${charName(ch)} (t=${t})`;
    if (row.kind === 'next') {
      const next = d.chars[t + 1];
      if (next === undefined) return `${at}: the next character is not typed yet`;
      return `${at}: actual next ${charName(next)} had p = ${fmtProb(d.nextProb[t])} (loss ${fmt(d.loss[t], 3)} nats)`;
    }
    if (row.kind === 'guess') {
      const c = this._col(t);
      const idx = c.top[row.i];
      if (idx < 0) return `${at}: no guess ${row.i + 1}`;
      return `${at}: guess ${row.i + 1} is ${charName(d.vocab[idx])} with p = ${fmtProb(c.topP[row.i])}`;
    }
    if (row.kind === 'unit') {
      const g = row.group;
      const L = d.layers, H = d.hidden, G = d.gateNames.length;
      const v = g.kind === 'h' ? d.h[(t * L + g.layer) * H + row.u]
        : g.kind === 'c' ? d.c[(t * L + g.layer) * H + row.u]
          : d.gate[((t * L + g.layer) * G + g.gate) * H + row.u];
      return `${g.name} (layer ${g.layer + 1}) unit ${row.u} at ${charName(ch)} (t=${t}): ${fmt(v, 4)}`;
    }
    const idx = d.input[t];
    return idx < 0
      ? `input t=${t}: ${charName(ch)} is not in the vocabulary (all-zero input)`
      : `input t=${t}: ${charName(ch)}, vocabulary index ${idx} of ${d.vocab.length} (one-hot)`;
  }

  _rowAt(y) {
    const rows = this.rowsFlat;
    for (let r = 0; r < rows.length; r++) if (y >= rows[r].y && y < rows[r].y + rows[r].h) return r;
    return -1;
  }

  _pointer(e) {
    if (!this.data || !this.T) return;
    const rect = this.track.getBoundingClientRect();
    const x = e.clientX - rect.left, y = e.clientY - rect.top;
    const t = Math.floor(x / COL_W);
    const r = this._rowAt(y);
    if (t < 0 || t >= this.T || r < 0) { this._hideTip(); return; }
    this._placeCursor(t, r);
    this._tipAt(t, r);
  }

  _placeCursor(t, r) {
    const row = this.rowsFlat[r];
    const s = this.cursorEl.style;
    this.cursorEl.hidden = false;
    s.left = (t * COL_W) + 'px';
    s.top = row.y + 'px';
    s.width = COL_W + 'px';
    s.height = row.h + 'px';
  }

  _tipAt(t, r) {
    const text = this._describe(t, r);
    const row = this.rowsFlat[r];
    this.tooltip.textContent = text;
    this.readout.textContent = text;
    this.tooltip.hidden = false;
    // Position below the cell, inside the figure, clamped to its width.
    const rootRect = this.root.getBoundingClientRect();
    const trackRect = this.track.getBoundingClientRect();
    const cellLeft = trackRect.left + t * COL_W - rootRect.left;
    const cellBottom = trackRect.top + row.y + row.h - rootRect.top;
    const tw = this.tooltip.offsetWidth;
    const left = Math.max(0, Math.min(rootRect.width - tw, cellLeft + COL_W / 2 - tw / 2));
    this.tooltip.style.left = left + 'px';
    this.tooltip.style.top = (cellBottom + 6) + 'px';
  }

  _hideTip() {
    this.tooltip.hidden = true;
  }

  _setTabStop(t) {
    const old = this.cols[this.tabStop];
    if (old) old.el.tabIndex = -1;
    if (t >= 0 && t < this.T) this._attach(t).el.tabIndex = 0;
    this.tabStop = t;
  }

  _key(e) {
    const T = this.T;
    if (!T) return;
    const f = this.focus;
    const R = this.rowsFlat.length;
    let col = f.col, row = f.row;
    switch (e.key) {
      case 'ArrowLeft': col--; break;
      case 'ArrowRight': col++; break;
      case 'ArrowUp': row--; break;
      case 'ArrowDown': row++; break;
      case 'PageUp': row -= 8; break;
      case 'PageDown': row += 8; break;
      case 'Home': col = 0; break;
      case 'End': col = T - 1; break;
      default: return;
    }
    e.preventDefault();
    f.col = Math.max(0, Math.min(T - 1, col));
    f.moved = f.col !== T - 1;
    f.row = Math.max(0, Math.min(R - 1, row));
    this._setTabStop(f.col);
    this._attach(f.col).el.focus({ preventScroll: true });
    this._showFocus(true);
  }

  _showFocus(scroll) {
    const { col: t, row: r } = this.focus;
    if (t >= this.T || !this.rowsFlat[r]) return;
    this._placeCursor(t, r);
    if (scroll) {
      const sc = this.scroller, x = t * COL_W;
      if (x < sc.scrollLeft) sc.scrollLeft = x - COL_W;
      else if (x + COL_W > sc.scrollLeft + sc.clientWidth) sc.scrollLeft = x + 2 * COL_W - sc.clientWidth;
      const rect = this.cursorEl.getBoundingClientRect();
      if (rect.top < 0 || rect.bottom > window.innerHeight) this.cursorEl.scrollIntoView({ block: 'nearest' });
    }
    this._attach(t).el.setAttribute('aria-label', this._describe(t, r));
    this._tipAt(t, r);
  }
}

function range(n) {
  return Array.from({ length: n }, (_, i) => i);
}
