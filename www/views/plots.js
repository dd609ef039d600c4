// Small SVG figures for the instruments: a scatter plot (saturation per unit, probability against distance) and a
// stacked bar with counts (the error breakdown). Built with createElementNS and textContent only: no markup
// strings, so nothing a model or a visitor wrote is ever parsed as HTML.

import { SERIES_COLORS } from './palette.js';
import { fmtTick } from './format.js';

const NS = 'http://www.w3.org/2000/svg';
const PAD = { left: 44, right: 10, top: 10, bottom: 36 };

function svg(tag, attrs = {}) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function text(x, y, content, attrs = {}) {
  const t = svg('text', { x, y, ...attrs });
  t.textContent = content;
  return t;
}

/** Round tick values covering 0..max. */
function ticks(max, n = 4) {
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(v);
  return { values: out, step };
}

/**
 * @typedef {{name: string, color?: string, points: {x: number, y: number, title?: string}[], line?: boolean}} ScatterSeries
 */

/**
 * A scatter plot in a <figure>: `series` of points, each drawn as a dot (or, with `line`, joined by a line), axes
 * from 0 to `xMax`/`yMax`, an optional diagonal `x + y = 1` (where the saturation fractions end), a legend, and a
 * readout of the point nearest the pointer. Each series is one <path> of round dots (hundreds of <circle>s would
 * make one frame too long to build), holding its values as `data-points="x,y;x,y;…"` with `data-series`.
 * @param {{title: string, xLabel: string, yLabel: string, xMax: number, yMax: number, series: ScatterSeries[],
 *          width?: number, height?: number, simplex?: boolean, testid?: string}} o
 */
export function scatterPlot(o) {
  const width = o.width ?? 320;
  const height = o.height ?? 260;
  const fig = document.createElement('figure');
  fig.className = 'rs-fig rs-plot';
  if (o.testid) fig.dataset.testid = o.testid;
  const cap = document.createElement('figcaption');
  cap.className = 'rs-fig-title';
  cap.textContent = o.title;
  const pw = width - PAD.left - PAD.right;
  const ph = height - PAD.top - PAD.bottom;
  const X = (x) => PAD.left + (Math.min(x, o.xMax) / o.xMax) * pw;
  const Y = (y) => PAD.top + ph - (Math.min(y, o.yMax) / o.yMax) * ph;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img' });
  const total = o.series.reduce((n, s) => n + s.points.length, 0);
  root.setAttribute('aria-label', `${o.title}: ${total} points; ${o.xLabel} across, ${o.yLabel} up`);
  const axes = svg('g', { class: 'rs-plot-axes' });
  const xt = ticks(o.xMax);
  const yt = ticks(o.yMax);
  for (const t of xt.values) {
    axes.append(svg('line', { x1: X(t), x2: X(t), y1: PAD.top, y2: PAD.top + ph, class: 'rs-plot-grid' }));
    axes.append(text(X(t), PAD.top + ph + 14, fmtTick(t, xt.step), { 'text-anchor': 'middle' }));
  }
  for (const t of yt.values) {
    axes.append(svg('line', { x1: PAD.left, x2: PAD.left + pw, y1: Y(t), y2: Y(t), class: 'rs-plot-grid' }));
    axes.append(text(PAD.left - 4, Y(t) + 4, fmtTick(t, yt.step), { 'text-anchor': 'end' }));
  }
  axes.append(text(PAD.left + pw / 2, height - 4, o.xLabel, { 'text-anchor': 'middle' }));
  axes.append(text(12, PAD.top + ph / 2, o.yLabel, { 'text-anchor': 'middle', transform: `rotate(-90 12 ${PAD.top + ph / 2})` }));
  if (o.simplex) axes.append(svg('line', { x1: X(0), y1: Y(1), x2: X(1), y2: Y(0), class: 'rs-plot-simplex' }));
  root.append(axes);
  const legend = document.createElement('ul');
  legend.className = 'rs-chart-legend';
  const all = [];
  o.series.forEach((s, i) => {
    const color = s.color ?? SERIES_COLORS[i % SERIES_COLORS.length];
    const at = s.points.map((p) => [X(p.x), Y(p.y)]);
    if (s.line && at.length > 1) {
      root.append(svg('polyline', { points: at.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' '), fill: 'none', stroke: color, 'stroke-width': 2 }));
    }
    const d = at.map(([x, y]) => `M${x.toFixed(1)} ${y.toFixed(1)}h0`).join('');
    root.append(svg('path', {
      d,
      stroke: color,
      'stroke-width': s.line ? 7 : 5,
      'stroke-linecap': 'round',
      'stroke-opacity': s.line ? 1 : 0.7,
      fill: 'none',
      'data-series': s.name,
      'data-points': s.points.map((p) => `${p.x},${p.y}`).join(';'),
    }));
    s.points.forEach((p, k) => all.push({ x: at[k][0], y: at[k][1], label: p.title ?? `${s.name}: ${p.x}, ${p.y}` }));
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'rs-swatch';
    sw.style.background = color;
    li.append(sw, document.createTextNode(` ${s.name} (${s.points.length})`));
    legend.append(li);
  });
  const readout = document.createElement('p');
  readout.className = 'rs-readout';
  readout.setAttribute('aria-live', 'polite');
  readout.textContent = 'Point at a dot to read it.';
  root.addEventListener('pointermove', (e) => {
    const box = root.getBoundingClientRect();
    const px = ((e.clientX - box.left) / box.width) * width;
    const py = ((e.clientY - box.top) / box.height) * height;
    let best = null;
    let bestD = 64; // within 8 px
    for (const p of all) {
      const dd = (p.x - px) ** 2 + (p.y - py) ** 2;
      if (dd < bestD) {
        bestD = dd;
        best = p;
      }
    }
    if (best) readout.textContent = best.label;
  });
  fig.append(cap, root, legend, readout);
  return fig;
}

/**
 * A horizontal bar split into `parts` (`{name, count}`), widths proportional to the counts, each part labelled
 * with its count; under it, a list naming every part with its count (zero counts too) and the total.
 * @param {{title: string, parts: {name: string, count: number, key?: string}[], testid?: string}} o
 */
export function stackedBar(o) {
  const fig = document.createElement('figure');
  fig.className = 'rs-fig rs-bar';
  if (o.testid) fig.dataset.testid = o.testid;
  const cap = document.createElement('figcaption');
  cap.className = 'rs-fig-title';
  cap.textContent = o.title;
  const total = o.parts.reduce((n, p) => n + p.count, 0);
  const width = 640;
  const height = 34;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', class: 'rs-bar-svg', role: 'img' });
  root.setAttribute('aria-label', `${o.title}: ${o.parts.map((p) => `${p.name} ${p.count}`).join(', ')}; ${total} in all`);
  let x = 0;
  const list = document.createElement('ul');
  list.className = 'rs-chart-legend';
  o.parts.forEach((p, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length];
    const w = total ? (p.count / total) * width : 0;
    if (w > 0) {
      const r = svg('rect', { x, y: 0, width: w, height, fill: color, 'data-part': p.key ?? p.name, 'data-count': p.count });
      const t = svg('title');
      t.textContent = `${p.name}: ${p.count}`;
      r.append(t);
      root.append(r);
      if (w > 28) root.append(text(x + w / 2, height / 2 + 5, String(p.count), { 'text-anchor': 'middle', class: 'rs-bar-label' }));
    }
    x += w;
    const li = document.createElement('li');
    li.dataset.part = p.key ?? p.name;
    li.dataset.count = String(p.count);
    const sw = document.createElement('span');
    sw.className = 'rs-swatch';
    sw.style.background = color;
    li.append(sw, document.createTextNode(` ${p.name}: ${p.count}`));
    list.append(li);
  });
  const sum = document.createElement('p');
  sum.className = 'muted';
  sum.dataset.testid = 'bar-total';
  sum.dataset.total = String(total);
  sum.textContent = `${total} in all`;
  fig.append(cap, root, list, sum);
  return fig;
}
