// Loss curves: several series (train / validation, RNN / LSTM / GRU) overlaid on one canvas, with axes, a legend
// and a text readout of the latest values. Each series is reduced to one bucket per horizontal pixel (mean line,
// min–max band), so 10^5 points draw in a few milliseconds. Optional exponential smoothing per series
// (debiased, as in TensorBoard). Units: nats/char, bits/char (= nats / ln 2) or perplexity (= e^nats).

import { fmtAuto, fmtTick, compactInt } from './format.js';
import { SERIES_COLORS } from './palette.js';
import { el } from './dom.js';


const UNITS = {
  nats: { label: 'nats/char', short: 'nats', conv: (v) => v },
  bits: { label: 'bits/char', short: 'bits', conv: (v) => v / Math.LN2 },
  ppl: { label: 'perplexity', short: 'ppl', conv: (v) => Math.exp(v) },
};

const PAD = { left: 52, right: 14, top: 10, bottom: 34 };

/**
 * @typedef {{name: string, points: Array<[number, number]>, color: string, dashed: boolean, smooth: number,
 *            buckets?: {x: Float64Array, mean: Float64Array, lo: Float64Array, hi: Float64Array, n: number}}} Series
 */

export class LossChart {
  /**
   * Create an empty chart inside `container`.
   * @param {HTMLElement} container
   * @param {{yLabel?: string, height?: number}} [options] yLabel: what the y axis measures (default 'loss');
   *   height: plot height in CSS pixels (default 220)
   */
  constructor(container, { yLabel = 'loss', height = 220 } = {}) {
    this.yLabel = yLabel;
    this.height = height;
    /** @type {Map<string, Series>} */
    this.series = new Map();
    this.unit = 'nats';
    this.hoverX = -1;

    const root = el('figure', 'rs-fig rs-chart');
    this.legendEl = el('ul', 'rs-chart-legend');
    this.legendEl.setAttribute('aria-label', 'series');
    const plot = el('div', 'rs-chart-plot');
    this.canvas = el('canvas', 'rs-chart-canvas');
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `${this.yLabel} chart: nothing drawn yet`);
    this.overlay = el('canvas', 'rs-chart-overlay');
    this.overlay.setAttribute('aria-hidden', 'true');
    plot.append(this.canvas, this.overlay);
    this.readout = el('p', 'rs-readout rs-chart-readout');
    this.readout.dataset.testid = 'loss-readout';
    this.readout.setAttribute('aria-live', 'polite');
    this.hover = el('p', 'rs-readout rs-chart-hover');
    this.hover.textContent = 'Point at the chart, or focus it and use ← →, to read values at a step.';
    root.append(this.legendEl, plot, this.readout, this.hover);
    container.append(root);
    this.root = root;
    this.plot = plot;

    this.canvas.addEventListener('pointermove', (e) => {
      const r = this.canvas.getBoundingClientRect();
      this._hoverAt(e.clientX - r.left);
    });
    this.canvas.addEventListener('pointerleave', () => { if (document.activeElement !== this.canvas) this._hoverAt(-1); });
    this.canvas.addEventListener('blur', () => this._hoverAt(-1));
    this.canvas.addEventListener('focus', () => this._hoverAt(this.hoverX >= 0 ? this.hoverX : this.w - PAD.right));
    this.canvas.addEventListener('keydown', (e) => {
      const pw = this.w - PAD.left - PAD.right;
      let x = this.hoverX >= 0 ? this.hoverX : this.w - PAD.right;
      const stepPx = e.shiftKey ? pw / 10 : Math.max(1, pw / 100);
      if (e.key === 'ArrowLeft') x -= stepPx;
      else if (e.key === 'ArrowRight') x += stepPx;
      else if (e.key === 'Home') x = PAD.left;
      else if (e.key === 'End') x = this.w - PAD.right;
      else return;
      e.preventDefault();
      this._hoverAt(Math.max(PAD.left, Math.min(this.w - PAD.right, x)));
    });
    if (typeof ResizeObserver !== 'undefined') {
      let lastW = 0, pending = false;
      new ResizeObserver(() => {
        const w = this.plot.clientWidth;
        if (w === lastW || pending) return;
        lastW = w;
        pending = true;
        requestAnimationFrame(() => { pending = false; this.render(); });
      }).observe(this.plot);
    }
  }

  /**
   * Add or replace a series. Points are [step, value in nats/char], sorted by step; pass null to remove the
   * series. The array is read at render() time, so the caller may keep pushing into it.
   * @param {string} name legend name, e.g. 'lstm train'
   * @param {Array<[number, number]>|null} points
   * @param {{color?: string, dashed?: boolean, smooth?: number}} [style] color: CSS colour (default: next
   *   Okabe–Ito colour); dashed: e.g. for validation; smooth: exponential smoothing weight 0 ≤ s < 1 (default 0)
   */
  setSeries(name, points, { color, dashed = false, smooth = 0 } = {}) {
    if (!points) {
      if (this.series.delete(name)) this._legend();
      return;
    }
    const old = this.series.get(name);
    const c = color || (old && old.color) || SERIES_COLORS[this.series.size % SERIES_COLORS.length];
    this.series.set(name, { name, points, color: c, dashed, smooth: Math.max(0, Math.min(0.999, smooth)) });
    if (!old || old.color !== c || old.dashed !== dashed) this._legend();
  }

  /**
   * Choose the unit of the y axis and readout.
   * @param {'nats'|'bits'|'ppl'} unit
   */
  setUnit(unit) {
    if (!UNITS[unit]) throw new Error(`unknown unit "${unit}"`);
    this.unit = unit;
  }

  /** Redraw everything from the current series (call from requestAnimationFrame). */
  render() {
    const u = UNITS[this.unit];
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(200, this.plot.clientWidth || 600);
    const h = this.height;
    this.w = w; this.h = h;
    for (const cv of [this.canvas, this.overlay]) {
      if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(h * dpr)) {
        cv.width = Math.round(w * dpr);
        cv.height = Math.round(h * dpr);
        cv.style.width = w + 'px';
        cv.style.height = h + 'px';
      }
    }
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const pw = w - PAD.left - PAD.right;
    const ph = h - PAD.top - PAD.bottom;

    // x range over all series.
    let x0 = Infinity, x1 = -Infinity;
    for (const s of this.series.values()) {
      if (!s.points || !s.points.length) continue;
      x0 = Math.min(x0, s.points[0][0]);
      x1 = Math.max(x1, s.points[s.points.length - 1][0]);
    }
    const empty = !(x1 >= x0);
    if (empty) { x0 = 0; x1 = 100; }
    if (x1 === x0) x1 = x0 + 1;

    // Buckets: one per pixel column, values converted to the unit.
    const nb = Math.max(1, Math.floor(pw));
    let y0 = Infinity, y1 = -Infinity;
    for (const s of this.series.values()) {
      const key = `${(s.points || []).length}|${x0}|${x1}|${nb}|${this.unit}|${s.smooth}`;
      if (key !== s.bucketKey || s.points !== s.bucketPoints) {
        s.buckets = bucketize(s, x0, x1, nb, u.conv);
        s.bucketKey = key;
        s.bucketPoints = s.points;
      }
      s.last = lastValue(s, u.conv);
      const b = s.buckets;
      for (let i = 0; i < b.n; i++) { if (b.mean[i] < y0) y0 = b.mean[i]; if (b.mean[i] > y1) y1 = b.mean[i]; }
    }
    if (!(y1 >= y0)) { y0 = 0; y1 = 1; }
    if (y1 - y0 < 1e-6) { y0 -= 0.5; y1 += 0.5; }
    const yt = niceTicks(y0, y1, Math.max(3, Math.round(ph / 40)));
    y0 = Math.min(y0, yt.lo); y1 = Math.max(y1, yt.hi);
    const xt = niceTicks(x0, x1, Math.max(2, Math.round(pw / 90)));
    this.scale = { x0, x1, y0, y1, pw, ph };
    const X = (x) => PAD.left + (x - x0) / (x1 - x0) * pw;
    const Y = (y) => PAD.top + (1 - (y - y0) / (y1 - y0)) * ph;

    // Grid and axes.
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#e6e6e6';
    ctx.fillStyle = '#555';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of yt.ticks) {
      if (v < y0 - 1e-9 || v > y1 + 1e-9) continue;
      const y = Math.round(Y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(PAD.left, y); ctx.lineTo(w - PAD.right, y); ctx.stroke();
      ctx.fillText(fmtTick(v, yt.step), PAD.left - 6, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const v of xt.ticks) {
      if (v < x0 - 1e-9 || v > x1 + 1e-9) continue;
      const x = Math.round(X(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, PAD.top); ctx.lineTo(x, PAD.top + ph); ctx.stroke();
      ctx.fillText(Math.abs(v) >= 1e4 ? compactInt(v) : fmtTick(v, xt.step), x, PAD.top + ph + 5);
    }
    ctx.strokeStyle = '#888';
    ctx.beginPath();
    ctx.moveTo(PAD.left + 0.5, PAD.top); ctx.lineTo(PAD.left + 0.5, PAD.top + ph + 0.5); ctx.lineTo(w - PAD.right, PAD.top + ph + 0.5);
    ctx.stroke();
    ctx.fillStyle = '#333';
    ctx.fillText('training step', PAD.left + pw / 2, h - 14);
    ctx.save();
    ctx.translate(12, PAD.top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(`${this.yLabel} (${u.label})`, 0, 0);
    ctx.restore();
    if (empty) {
      ctx.fillStyle = '#888';
      ctx.textBaseline = 'middle';
      ctx.fillText('no data yet', PAD.left + pw / 2, PAD.top + ph / 2);
    }

    // Series: faint min–max band, then the mean line.
    ctx.save();
    ctx.beginPath(); ctx.rect(PAD.left, PAD.top - 1, pw + 1, ph + 2); ctx.clip();
    for (const s of this.series.values()) {
      const b = s.buckets;
      if (!b.n) continue;
      if (s.smooth === 0) {
        ctx.globalAlpha = 0.18;
        ctx.fillStyle = s.color;
        for (let i = 0; i < b.n; i++) {
          const top = Y(b.hi[i]), bot = Y(b.lo[i]);
          if (bot - top > 1) ctx.fillRect(X(b.x[i]) - 0.5, top, 1, bot - top);
        }
        ctx.globalAlpha = 1;
      }
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 2;
      ctx.setLineDash(s.dashed ? [6, 4] : []);
      ctx.beginPath();
      for (let i = 0; i < b.n; i++) {
        const x = X(b.x[i]), y = Y(b.mean[i]);
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      }
      if (b.n === 1) ctx.arc(X(b.x[0]), Y(b.mean[0]), 2, 0, 2 * Math.PI);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.restore();

    this._readout();
    this.canvas.setAttribute('aria-label', `${this.yLabel} chart in ${u.label}. ${this.readout.textContent}`);
    if (this.hoverX >= 0) this._hoverAt(this.hoverX);
  }

  // ---- internals --------------------------------------------------------------------------------------------

  _legend() {
    this.legendEl.replaceChildren();
    this.legendItems = new Map();
    for (const s of this.series.values()) {
      const li = el('li', 'rs-chart-key');
      const sw = el('span', 'rs-chart-swatch' + (s.dashed ? ' is-dashed' : ''));
      sw.style.borderTopColor = s.color;
      const name = el('span', 'rs-chart-name');
      name.textContent = s.name;
      li.append(sw, name);
      this.legendEl.append(li);
    }
  }

  _readout() {
    const u = UNITS[this.unit];
    const parts = [];
    this.readout.replaceChildren();
    for (const s of this.series.values()) {
      if (!Number.isFinite(s.last)) continue;
      if (parts.length) this.readout.append(' · ');
      const span = el('span', 'rs-chart-value');
      span.dataset.series = s.name;
      span.dataset.value = String(s.last);
      const name = el('span', 'rs-chart-vname');
      name.textContent = s.name + ' ';
      const num = el('b');
      num.textContent = fmtAuto(s.last);
      span.append(name, num);
      this.readout.append(span);
      parts.push(s.name);
    }
    if (parts.length) this.readout.append(` ${u.label}`);
    else this.readout.textContent = 'no losses yet';
    this.readout.dataset.unit = this.unit;
  }

  _hoverAt(px) {
    this.hoverX = px;
    const dpr = window.devicePixelRatio || 1;
    const ctx = this.overlay.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.w || 0, this.h || 0);
    const sc = this.scale;
    if (px < PAD.left || !sc || px > PAD.left + sc.pw + 0.5) return;
    const step = sc.x0 + (px - PAD.left) / sc.pw * (sc.x1 - sc.x0);
    const conv = UNITS[this.unit].conv;
    const Y = (y) => PAD.top + (1 - (y - sc.y0) / (sc.y1 - sc.y0)) * sc.ph;
    ctx.strokeStyle = 'rgba(0,0,0,0.45)';
    ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(Math.round(px) + 0.5, PAD.top); ctx.lineTo(Math.round(px) + 0.5, PAD.top + sc.ph); ctx.stroke();
    const parts = [];
    let shownStep = Math.round(step);
    for (const s of this.series.values()) {
      if (!s.points || !s.points.length) continue;
      const i = nearest(s.points, step);
      const [st, v] = s.points[i];
      const val = conv(s.smooth > 0 ? smoothed(s)[i] : v);
      shownStep = st;
      parts.push(`${s.name} ${fmtAuto(val)}`);
      const x = PAD.left + (st - sc.x0) / (sc.x1 - sc.x0) * sc.pw;
      ctx.fillStyle = s.color;
      ctx.beginPath(); ctx.arc(x, Y(val), 3.5, 0, 2 * Math.PI); ctx.fill();
    }
    this.hover.textContent = parts.length ? `step ${Math.round(shownStep).toLocaleString('en-US')}: ${parts.join(' · ')} ${UNITS[this.unit].label}` : '';
  }
}

/**
 * The series' values after smoothing, in nats: a Float64Array cached on the series and extended incrementally when
 * the caller pushed new points into the same array (debiased EMA, as in TensorBoard; NaN/Inf points stay NaN).
 */
function smoothed(s) {
  const pts = s.points || [];
  const n = pts.length;
  let c = s.cache;
  if (!c || c.points !== pts || c.smooth !== s.smooth || c.n > n) {
    c = s.cache = { points: pts, smooth: s.smooth, n: 0, ema: 0, k: 0, v: new Float64Array(Math.max(16, n)) };
  }
  if (c.v.length < n) {
    const bigger = new Float64Array(Math.max(n, c.v.length * 2));
    bigger.set(c.v.subarray(0, c.n));
    c.v = bigger;
  }
  const a = s.smooth;
  for (let i = c.n; i < n; i++) {
    const raw = pts[i][1];
    if (!Number.isFinite(raw)) { c.v[i] = NaN; continue; }
    if (a > 0) { c.ema = a * c.ema + (1 - a) * raw; c.k++; c.v[i] = c.ema / (1 - a ** c.k); } else c.v[i] = raw;
  }
  c.n = n;
  return c.v;
}

/** Reduce a series to at most nb buckets over [x0, x1]: x (mean step), mean, lo, hi of converted values. */
function bucketize(s, x0, x1, nb, conv) {
  const x = new Float64Array(nb), mean = new Float64Array(nb), lo = new Float64Array(nb), hi = new Float64Array(nb);
  const pts = s.points || [];
  const sm = smoothed(s);
  let n = 0, cur = -1, cnt = 0, sx = 0, sy = 0, mn = 0, mx = 0;
  const scale = nb / (x1 - x0);
  const identity = conv === UNITS.nats.conv;
  for (let i = 0; i < pts.length; i++) {
    let v = sm[i];
    if (v !== v) continue;
    if (!identity) { v = conv(v); if (!Number.isFinite(v)) continue; }
    const st = pts[i][0];
    let b = Math.floor((st - x0) * scale);
    if (b < 0) b = 0; else if (b >= nb) b = nb - 1;
    if (b !== cur) {
      if (cnt) { x[n] = sx / cnt; mean[n] = sy / cnt; lo[n] = mn; hi[n] = mx; n++; }
      cur = b; cnt = 0; sx = 0; sy = 0; mn = v; mx = v;
    }
    cnt++; sx += st; sy += v;
    if (v < mn) mn = v; else if (v > mx) mx = v;
  }
  if (cnt) { x[n] = sx / cnt; mean[n] = sy / cnt; lo[n] = mn; hi[n] = mx; n++; }
  return { x, mean, lo, hi, n };
}

function lastValue(s, conv) {
  const n = (s.points || []).length;
  if (!n) return NaN;
  const sm = smoothed(s);
  for (let i = n - 1; i >= 0; i--) if (sm[i] === sm[i]) return conv(sm[i]);
  return NaN;
}

function nearest(pts, step) {
  let lo = 0, hi = pts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pts[mid][0] < step) lo = mid + 1; else hi = mid;
  }
  if (lo > 0 && Math.abs(pts[lo - 1][0] - step) < Math.abs(pts[lo][0] - step)) lo--;
  return lo;
}

/** Ticks at 1, 2 or 5 × 10^n covering [lo, hi] with about `count` intervals. */
function niceTicks(lo, hi, count) {
  const raw = (hi - lo) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) || 10 * p;
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks = [];
  for (let v = start; v <= end + step * 1e-6; v += step) ticks.push(Math.round(v / step) * step);
  return { ticks, step, lo: start, hi: end };
}
