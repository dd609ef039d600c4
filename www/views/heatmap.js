// Units × characters heatmap of one probe tensor (h, c or one gate of one layer).
// The picture is an ImageData at data resolution (one pixel per cell) scaled up by CSS with
// `image-rendering: pixelated`; colours come from the precomputed tables in palette.js.
// Every value is readable: the pointer or a keyboard cursor (arrow keys) shows unit, character and value
// in a text readout; a click or Enter "picks" the unit row (see onPick).

import { lut, lutIndex, NAN_RGB, legend } from './palette.js';
import { fmt } from './format.js';
import { el } from './dom.js';

const MIN_CELL_W = 10;
const MAX_CELL_W = 18;
const TARGET_HEIGHT = 360;

/**
 * @typedef {{
 *   accessor?: (row: number, col: number) => number,
 *   scale?: 'diverging'|'sequential',
 *   min?: number, max?: number,
 *   rowLabel?: (i: number) => string,
 *   colLabel?: (j: number) => string,
 * }} HeatmapOptions
 */

export class Heatmap {
  /**
   * Create an empty heatmap figure inside `container`.
   * @param {HTMLElement} container element to append the figure to
   * @param {{label?: string}} [options] label: caption shown above the map and used in aria-labels
   */
  constructor(container, { label = '' } = {}) {
    this.label = label;
    this.rows = 0;
    this.cols = 0;
    this.cellW = MIN_CELL_W;
    this.cellH = 4;
    this.cursor = { row: 0, col: 0 };
    this.selectedRow = -1;
    /** @type {((row: number) => void)[]} */
    this.pickHandlers = [];
    this.legendKey = '';
    this.prevCols = 0;

    const root = el('figure', 'rs-fig rs-heatmap');
    const cap = el('figcaption', 'rs-fig-title');
    cap.textContent = label;
    const body = el('div', 'rs-heatmap-body');
    this.rowAxis = el('div', 'rs-heatmap-rowaxis');
    this.rowAxis.setAttribute('aria-hidden', 'true');
    this.scroller = el('div', 'rs-scroll rs-heatmap-scroll');
    this.plot = el('div', 'rs-heatmap-plot');
    this.canvas = el('canvas', 'rs-heatmap-canvas rs-pixelated');
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `${label}: nothing drawn yet`);
    this.canvas.dataset.testid = 'heatmap-canvas';
    this.colAxis = el('canvas', 'rs-heatmap-colaxis');
    this.colAxis.setAttribute('aria-hidden', 'true');
    this.cursorEl = el('div', 'rs-heatmap-cursor');
    this.rowMark = el('div', 'rs-heatmap-rowmark');
    this.plot.append(this.canvas, this.cursorEl, this.colAxis);
    this.scroller.append(this.plot);
    body.append(this.rowAxis, this.scroller);
    this.readout = el('div', 'rs-readout');
    this.readout.setAttribute('aria-live', 'polite');
    this.readout.dataset.testid = 'heatmap-readout';
    this.readout.textContent = 'Point at a cell, or focus the map and use the arrow keys; click or Enter picks a unit.';
    this.legendBox = el('div', 'rs-legends');
    root.append(cap, body, this.readout, this.legendBox);
    container.append(root);
    this.root = root;

    // Follow the newest column as the text grows, unless the visitor scrolled back.
    this.stickToEnd = true;
    this.scroller.addEventListener('scroll', () => {
      const sc = this.scroller;
      this.stickToEnd = sc.scrollLeft + sc.clientWidth >= sc.scrollWidth - 4;
    }, { passive: true });
    this.canvas.addEventListener('pointermove', (e) => this._pointer(e, false));
    this.canvas.addEventListener('pointerdown', (e) => this._pointer(e, false));
    this.canvas.addEventListener('click', (e) => this._pointer(e, true));
    this.canvas.addEventListener('pointerleave', () => { if (document.activeElement !== this.canvas) this.cursorEl.hidden = true; });
    this.canvas.addEventListener('focus', () => this._showCursor());
    this.canvas.addEventListener('blur', () => { this.cursorEl.hidden = true; });
    this.canvas.addEventListener('keydown', (e) => this._key(e));
    this.cursorEl.hidden = true;
    this.rowMark.hidden = true;
  }

  /**
   * Register a callback for when the visitor picks a unit row (click, or Enter/Space on the keyboard cursor).
   * @param {(row: number) => void} cb
   */
  onPick(cb) {
    this.pickHandlers.push(cb);
  }

  /**
   * Mark a row as the selected one (a small marker beside the row axis); -1 clears it.
   * @param {number} row
   */
  select(row) {
    this.selectedRow = row;
    this._placeRowMark();
  }

  /**
   * Draw `rows × cols` cells. Cell (row, col) shows `values[accessor(row, col)]` (default row-major
   * `row * cols + col`). For a probe tensor of layer l: `accessor: (j, t) => (t * L + l) * H + j`.
   * @param {Float32Array|number[]} values
   * @param {number} rows units
   * @param {number} cols characters (time steps)
   * @param {HeatmapOptions} [opts] scale 'diverging' (default range −1..1) or 'sequential' (default 0..1);
   *   rowLabel(i) names a row (default `unit i`), colLabel(j) names a column (default `t=j`; give the character)
   */
  render(values, rows, cols, opts = {}) {
    const scale = opts.scale || 'diverging';
    const min = opts.min ?? (scale === 'diverging' ? -1 : 0);
    const max = opts.max ?? 1;
    this.values = values;
    this.opts = { ...opts, scale, min, max };
    const resized = rows !== this.rows || cols !== this.cols;
    this.rows = rows;
    this.cols = cols;
    if (rows <= 0 || cols <= 0) {
      this.canvas.width = 0; this.canvas.height = 0;
      this.canvas.style.width = '0px'; this.canvas.style.height = '0px';
      this.canvas.setAttribute('aria-label', `${this.label}: empty`);
      return;
    }
    const grew = cols > this.prevCols;
    this.prevCols = cols;
    if (resized) this._resize();
    if (grew && this.stickToEnd) this.scroller.scrollLeft = this.scroller.scrollWidth;

    // Fill the pixels: one per cell, colour from the LUT.
    const img = this.img;
    const px = img.data;
    const table = lut(scale).rgba;
    const acc = opts.accessor;
    const [nr, ng, nb] = NAN_RGB;
    let o = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++, o += 4) {
        const v = values[acc ? acc(r, c) : r * cols + c];
        const i = lutIndex(v, min, max);
        if (i < 0) { px[o] = nr; px[o + 1] = ng; px[o + 2] = nb; px[o + 3] = 255; continue; }
        const k = i << 2;
        px[o] = table[k]; px[o + 1] = table[k + 1]; px[o + 2] = table[k + 2]; px[o + 3] = 255;
      }
    }
    this.ctx.putImageData(img, 0, 0);

    if (resized || opts.colLabel !== this._lastColLabel) this._drawColAxis();
    this._lastColLabel = opts.colLabel;
    if (resized) this._drawRowAxis();
    const key = `${scale}|${min}|${max}`;
    if (key !== this.legendKey) {
      legend(this.legendBox, scale, min, max, this.label);
      this.legendKey = key;
    }
    this.cursor.row = Math.min(this.cursor.row, rows - 1);
    this.cursor.col = Math.min(this.cursor.col, cols - 1);
    if (!this.cursorEl.hidden) this._showCursor();
    this.canvas.setAttribute('aria-label',
      `${this.label}: ${rows} units by ${cols} characters. Arrow keys read values, Enter picks a unit.`);
  }

  _resize() {
    const { rows, cols } = this;
    this.canvas.width = cols;
    this.canvas.height = rows;
    this.ctx = this.canvas.getContext('2d');
    this.img = this.ctx.createImageData(cols, rows);
    const avail = Math.max(200, (this.scroller.clientWidth || 600) - 2);
    this.cellW = Math.max(MIN_CELL_W, Math.min(MAX_CELL_W, Math.floor(avail / cols)));
    this.cellH = Math.max(1, Math.min(14, Math.floor(TARGET_HEIGHT / rows)));
    const w = cols * this.cellW;
    const h = rows * this.cellH;
    this.canvas.style.width = w + 'px';
    this.canvas.style.height = h + 'px';
    this.plot.style.width = w + 'px';
    this.rowAxis.style.height = h + 'px';
    this._placeRowMark();
  }

  _drawColAxis() {
    const { cols, cellW } = this;
    const label = this.opts.colLabel;
    const dpr = window.devicePixelRatio || 1;
    const h = 16;
    const w = cols * cellW;
    const cv = this.colAxis;
    cv.width = Math.ceil(w * dpr);
    cv.height = Math.ceil(h * dpr);
    cv.style.width = w + 'px';
    cv.style.height = h + 'px';
    const ctx = cv.getContext('2d');
    ctx.scale(dpr, dpr);
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = '#333';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.font = `${Math.min(12, cellW + 1)}px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace`;
    for (let c = 0; c < cols; c++) {
      const s = label ? label(c) : (c % 10 === 0 ? String(c) : '');
      if (s) ctx.fillText(s, c * cellW + cellW / 2, h / 2);
    }
  }

  _drawRowAxis() {
    const { rows, cellH } = this;
    this.rowAxis.replaceChildren(this.rowMark);
    const label = this.opts.rowLabel;
    // Label every n-th row so labels are at least 14 px apart.
    let every = 1;
    for (const s of [1, 2, 4, 5, 8, 10, 16, 20, 32, 50, 64, 100, 128]) { every = s; if (s * cellH >= 14) break; }
    for (let r = 0; r < rows; r += every) {
      const t = el('span', 'rs-heatmap-rowtick');
      t.textContent = label ? label(r).replace(/^unit\s+/, '') : String(r);
      t.style.top = (r * cellH + cellH / 2) + 'px';
      this.rowAxis.append(t);
    }
  }

  _placeRowMark() {
    const r = this.selectedRow;
    if (r < 0 || r >= this.rows) { this.rowMark.hidden = true; return; }
    this.rowMark.hidden = false;
    this.rowMark.style.top = (r * this.cellH) + 'px';
    this.rowMark.style.height = Math.max(2, this.cellH) + 'px';
  }

  _pointer(e, pick) {
    if (!this.rows || !this.cols) return;
    const rect = this.canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - rect.left) / (rect.width / this.cols));
    const row = Math.floor((e.clientY - rect.top) / (rect.height / this.rows));
    if (row < 0 || col < 0 || row >= this.rows || col >= this.cols) return;
    this.cursor.row = row;
    this.cursor.col = col;
    this._showCursor();
    if (pick) this._pick();
  }

  _key(e) {
    if (!this.rows || !this.cols) return;
    const c = this.cursor;
    const moves = {
      ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0],
      PageUp: [-10, 0], PageDown: [10, 0],
    };
    if (e.key in moves) {
      const [dr, dc] = moves[e.key];
      c.row = clamp(c.row + dr, 0, this.rows - 1);
      c.col = clamp(c.col + dc, 0, this.cols - 1);
    } else if (e.key === 'Home') c.col = 0;
    else if (e.key === 'End') c.col = this.cols - 1;
    else if (e.key === 'Enter' || e.key === ' ') this._pick();
    else return;
    e.preventDefault();
    this._showCursor(true);
  }

  _pick() {
    this.select(this.cursor.row);
    for (const cb of this.pickHandlers) cb(this.cursor.row);
  }

  _showCursor(scroll = false) {
    if (!this.rows || !this.cols) return;
    const { row, col } = this.cursor;
    const s = this.cursorEl.style;
    this.cursorEl.hidden = false;
    s.left = (col * this.cellW) + 'px';
    s.top = (row * this.cellH) + 'px';
    s.width = this.cellW + 'px';
    s.height = Math.max(2, this.cellH) + 'px';
    const o = this.opts;
    const v = this.values[o.accessor ? o.accessor(row, col) : row * this.cols + col];
    const rl = o.rowLabel ? o.rowLabel(row) : String(row);
    const rowName = /^\d+$/.test(rl) ? `unit ${rl}` : rl; // the caller may pass 'unit 7' or just '7'
    const colName = o.colLabel ? `${o.colLabel(col)} (t=${col})` : `t=${col}`;
    this.readout.textContent = `${this.label ? this.label + ' · ' : ''}${rowName} · ${colName} · ${fmt(v, 4)}`;
    if (scroll) {
      const x = col * this.cellW;
      const sc = this.scroller;
      if (x < sc.scrollLeft) sc.scrollLeft = x - 20;
      else if (x + this.cellW > sc.scrollLeft + sc.clientWidth) sc.scrollLeft = x + this.cellW - sc.clientWidth + 20;
    }
  }
}


function clamp(v, lo, hi) {
  return v < lo ? lo : v > hi ? hi : v;
}
