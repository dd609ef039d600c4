// Demo page for the views: synthetic probe data (deterministic, no model) rendered by every view.
// Also a benchmark of the typical worst case, reported in the timing line.

import { HellDiagram } from './hell.js';
import { Heatmap } from './heatmap.js';
import { ColoredText } from './textcolor.js';
import { LossChart } from './linechart.js';
import { FigureView, figureFits } from './figure.js';
import { displayChar, fmt } from './format.js';

const errorsEl = document.getElementById('demo-errors');
function reportError(msg) {
  errorsEl.hidden = false;
  errorsEl.textContent += msg + '\n';
}
window.addEventListener('error', (e) => reportError(`error: ${e.message} (${e.filename}:${e.lineno})`));
window.addEventListener('unhandledrejection', (e) => reportError(`unhandled rejection: ${e.reason}`));

const SAMPLE = `"The surprised in investors weren't going to raise money. I'm not the company with the time
there are all interesting quickly," said Paul.
static int indicate_policy(void) {
  if (ss[0] == 'x') {
    return (-EINVAL);
  }
}
`;

// ---- synthetic probe data ---------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so a prefix always gets the same numbers. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/**
 * Build a ProbeData for `text` as the worker would, with made-up but structured numbers.
 * @returns {import('./types.js').ProbeData}
 */
function synth(text, cell, L, H, vocab) {
  const chars = Array.from(text);
  const T = chars.length;
  const V = vocab.length;
  const index = new Map(vocab.map((c, i) => [c, i]));
  const gateNames = cell === 'lstm' ? ['i', 'f', 'g', 'o'] : cell === 'gru' ? ['r', 'z', 'n'] : [];
  const G = gateNames.length;
  const input = new Int32Array(T);
  const h = new Float32Array(T * L * H);
  const c = cell === 'lstm' ? new Float32Array(T * L * H) : null;
  const gate = G ? new Float32Array(T * L * G * H) : null;
  const logits = new Float32Array(T * V);
  const probs = new Float32Array(T * V);
  const nextProb = new Float32Array(T);
  const loss = new Float32Array(T);
  // Per-unit random frequencies/phases (fixed by seed).
  const r0 = rng(7);
  const freq = Float32Array.from({ length: L * H }, () => 0.05 + r0() * 0.6);
  const phase = Float32Array.from({ length: L * H }, () => r0() * 6.28);
  const charW = Float32Array.from({ length: L * H }, () => r0() * 2 - 1);
  let inQuote = false, col = 0, depth = 0;
  const cPrev = new Float32Array(L * H);
  for (let t = 0; t < T; t++) {
    const ch = chars[t];
    input[t] = index.has(ch) ? index.get(ch) : -1;
    if (ch === '"') inQuote = !inQuote;
    if (ch === '{' || ch === '(') depth++;
    if (ch === '}' || ch === ')') depth = Math.max(0, depth - 1);
    col = ch === '\n' ? 0 : col + 1;
    const code = ch.codePointAt(0) || 0;
    for (let l = 0; l < L; l++) {
      for (let j = 0; j < H; j++) {
        const u = l * H + j;
        let v;
        if (l === 0 && j === 0) v = inQuote ? 0.9 : -0.75;
        else if (l === 0 && j === 1) v = Math.tanh(col / 25 - 1.2);
        else if (l === 0 && j === 2) v = 'aeiouAEIOU'.includes(ch) ? 0.95 : -0.3;
        else if (l === 0 && j === 3) v = Math.tanh(depth * 0.8) * 2 - 1;
        else v = Math.tanh(1.3 * Math.sin(freq[u] * t + phase[u]) + 0.8 * charW[u] * Math.sin(code * 0.37 + j));
        h[(t * L + l) * H + j] = v;
        if (c) {
          cPrev[u] = 0.85 * cPrev[u] + 0.9 * v;
          c[(t * L + l) * H + j] = cPrev[u];
        }
        for (let g = 0; g < G; g++) {
          const name = gateNames[g];
          const x = 2.2 * Math.sin(freq[u] * (g + 1) * t * 0.7 + phase[u] * (g + 2)) + charW[u] * (g - 1);
          gate[((t * L + l) * G + g) * H + j] = name === 'g' || name === 'n' ? Math.tanh(x) : sigmoid(x);
        }
      }
    }
    // Output: peaked on the actual next character with a confidence that varies; the rest random.
    const r = rng(1000 + t * 31 + code);
    const next = t + 1 < T ? index.get(chars[t + 1]) : undefined;
    let sum = 0;
    const base = t * V;
    for (let v = 0; v < V; v++) {
      const z = -3 + 4 * r() ** 3;
      logits[base + v] = z;
    }
    if (next !== undefined) logits[base + next] += 1.5 + 3.5 * Math.sin(t * 0.45 + code) ** 2;
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, logits[base + v]);
    for (let v = 0; v < V; v++) { const e = Math.exp(logits[base + v] - m); probs[base + v] = e; sum += e; }
    for (let v = 0; v < V; v++) probs[base + v] /= sum;
    nextProb[t] = next !== undefined ? probs[base + next] : NaN;
    loss[t] = -Math.log(nextProb[t]);
  }
  return { cell, layers: L, hidden: H, gateNames, vocab, steps: T, chars, input, h, c, gate, logits, probs, nextProb, loss };
}

// ---- page ----------------------------------------------------------------------------------------------------------

const textEl = /** @type {HTMLTextAreaElement} */ (document.getElementById('text'));
const cellEl = /** @type {HTMLSelectElement} */ (document.getElementById('cell'));
const layersEl = /** @type {HTMLSelectElement} */ (document.getElementById('layers'));
const unitEl = /** @type {HTMLSelectElement} */ (document.getElementById('unit'));
const timingEl = document.getElementById('timing');

const VOCAB = Array.from(new Set(Array.from(SAMPLE))).sort();
const H = 64;

const hell = new HellDiagram(document.getElementById('hell'), { maxUnits: 16, topK: 5 });
const heat = new Heatmap(document.getElementById('heatmap'), { label: 'h, layer 1 (units × characters)' });
const unitText = new ColoredText(document.getElementById('unit-text'));
const lossText = new ColoredText(document.getElementById('loss-text'));
const topk = new ColoredText(document.getElementById('topk'));
const chart = new LossChart(document.getElementById('chart'), { yLabel: 'loss' });

let pickedUnit = 0;
heat.onPick((row) => { pickedUnit = row; dirty = true; });
heat.select(0);

let data = null;
let dirty = true;
let auto = null;

function update() {
  data = synth(textEl.value, cellEl.value, Number(layersEl.value), H, VOCAB);
  dirty = true;
}

function frame() {
  requestAnimationFrame(frame);
  if (auto !== null) {
    if (auto < SAMPLE.length) { textEl.value = SAMPLE.slice(0, ++auto); update(); } else auto = null;
  }
  if (!dirty || !data) return;
  dirty = false;
  const d = data;
  const L = d.layers;
  const times = [];
  const time = (name, fn) => { const t0 = performance.now(); fn(); times.push(`${name} ${(performance.now() - t0).toFixed(1)}`); };
  time('hell', () => hell.render(d));
  time('heatmap', () => heat.render(d.h, d.hidden, d.steps, {
    accessor: (j, t) => (t * L + 0) * d.hidden + j, scale: 'diverging', min: -1, max: 1,
    rowLabel: (i) => String(i), colLabel: (t) => displayChar(d.chars[t]),
  }));
  const unitVals = Float32Array.from({ length: d.steps }, (_, t) => d.h[(t * L + 0) * d.hidden + pickedUnit]);
  time('unit text', () => unitText.render(d.chars, unitVals, {
    scale: 'diverging', min: -1, max: 1, label: `h unit ${pickedUnit}, layer 1 (pick a row above)`,
  }));
  time('loss text', () => lossText.render(d.chars, d.loss, {
    scale: 'sequential', min: 0, max: 5, label: 'loss of the next character (nats)', format: (v) => `${fmt(v, 2)} nats`,
  }));
  time('top-k', () => topk.renderTopK(d.chars, d.probs, d.vocab.length, d.vocab, 5));
  time('chart', () => chart.render());
  timingEl.textContent = `last render (ms): ${times.join(' · ')}`;
  document.documentElement.dataset.demoReady = '1';
}

// Loss curves: three cells, 10^5 noisy training points each, validation every 1000 steps.
function curves() {
  const specs = [['rnn', 1.95, 0.00004], ['lstm', 1.55, 0.00006], ['gru', 1.6, 0.00005]];
  const colors = { rnn: '#E69F00', lstm: '#0072B2', gru: '#009E73' };
  for (const [name, floor, rate] of specs) {
    const r = rng(name.length * 99);
    const train = [], val = [];
    for (let s = 1; s <= 100000; s++) {
      const mean = floor + (Math.log(VOCAB.length) - floor) * Math.exp(-rate * s * 3) + 0.4 * Math.exp(-s / 800);
      train.push([s, mean + (r() - 0.5) * 0.5 * Math.sqrt(mean)]);
      if (s % 1000 === 0) val.push([s, mean + 0.08 + 0.05 * s / 100000]);
    }
    chart.setSeries(`${name} train`, train, { color: colors[name], smooth: 0.98 });
    chart.setSeries(`${name} val`, val, { color: colors[name], dashed: true });
  }
}

function bench() {
  const text = Array.from({ length: 400 }, (_, i) => SAMPLE[i % SAMPLE.length]).join('');
  const vocab = Array.from({ length: 200 }, (_, i) => String.fromCodePoint(i < 95 ? 32 + i : 0xc0 + i));
  for (const ch of text) if (!vocab.includes(ch)) vocab[vocab.length - 1] = ch;
  vocab.sort();
  const big = synth(text, 'lstm', 3, 512, vocab);
  const small = { ...big, steps: 399, chars: big.chars.slice(0, 399) };
  const host = document.createElement('div');
  document.querySelector('main').append(host);
  const hd = new HellDiagram(host, {});
  const hm = new Heatmap(host, { label: 'bench' });
  const ct = new ColoredText(host);
  const f = (x) => x.toFixed(1);
  const hmOpts = { accessor: (j, t) => (t * 3) * 512 + j, colLabel: (t) => displayChar(big.chars[t]) };
  const rounds = [];
  for (let round = 0; round < 4; round++) {
    const t = [performance.now()];
    hd.render(small); host.offsetHeight; t.push(performance.now());
    hd.render(big); host.offsetHeight; t.push(performance.now());
    hd.render(big); host.offsetHeight; t.push(performance.now());
    hm.render(big.h, 512, round % 2 ? 400 : 399, hmOpts); t.push(performance.now());
    hm.render(big.h, 512, round % 2 ? 400 : 399, hmOpts); t.push(performance.now());
    ct.renderTopK(round % 2 ? big.chars : small.chars, big.probs, 200, vocab, 5); host.offsetHeight; t.push(performance.now());
    ct.renderTopK(round % 2 ? big.chars : small.chars, big.probs, 200, vocab, 5); host.offsetHeight; t.push(performance.now());
    const d = t.slice(1).map((x, i) => f(x - t[i]));
    rounds.push(`[hell −1 col ${d[0]}, +1 col ${d[1]}, same ${d[2]}; heatmap 512×400 resize ${d[3]}, same ${d[4]}; ` +
      `top-k ±1 ${d[5]}, same ${d[6]}]`);
  }
  host.remove();
  const c0 = performance.now();
  chart.render();
  const c1 = performance.now();
  chart.render();
  const c2 = performance.now();
  const msg = `bench (ms, incl. forced layout): ${rounds.join(' ')} chart 6×10^5 points: ${f(c1 - c0)}, ${f(c2 - c1)}`;
  timingEl.textContent = msg;
  timingEl.dataset.bench = msg;
}

// ---- the post's figure: a tiny model computed here, so weight edits recompute for real -------------------------

/** Weights named and shaped as the model file's (PyTorch's), uniform in ±scale/√H from a seeded generator. */
function tinyWeights(cell, L, H, V, seed) {
  const G = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
  const r = rng(seed);
  const bound = 2 / Math.sqrt(H);
  const t = (shape) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) * bound) });
  const w = {};
  for (let l = 0; l < L; l++) {
    w[`rnn.weight_ih_l${l}`] = t([G * H, l === 0 ? V : H]);
    w[`rnn.weight_hh_l${l}`] = t([G * H, H]);
    w[`rnn.bias_ih_l${l}`] = t([G * H]);
    w[`rnn.bias_hh_l${l}`] = t([G * H]);
  }
  w['decoder.weight'] = t([V, H]);
  w['decoder.bias'] = t([V]);
  return w;
}

/** PyTorch's nn.RNN / nn.LSTM / nn.GRU step and the decoder, over `text`, in the layout the worker's probe has. */
function tinyProbe(cell, L, H, vocab, w, text) {
  const chars = Array.from(text);
  const T = chars.length, V = vocab.length;
  const G = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
  const input = Int32Array.from(chars, (c) => vocab.indexOf(c));
  const h = new Float32Array(T * L * H), c = cell === 'lstm' ? new Float32Array(T * L * H) : null;
  const gate = G > 1 ? new Float32Array(T * L * G * H) : null;
  const logits = new Float32Array(T * V), probs = new Float32Array(T * V);
  const hs = Array.from({ length: L }, () => new Float32Array(H)), cs = Array.from({ length: L }, () => new Float32Array(H));
  for (let t = 0; t < T; t++) {
    let x = new Float32Array(V);
    if (input[t] >= 0) x[input[t]] = 1;
    for (let l = 0; l < L; l++) {
      const wi = w[`rnn.weight_ih_l${l}`], wh = w[`rnn.weight_hh_l${l}`];
      const bi = w[`rnn.bias_ih_l${l}`].data, bh = w[`rnn.bias_hh_l${l}`].data;
      const In = wi.shape[1];
      const ai = new Float32Array(G * H), ah = new Float32Array(G * H);
      for (let r = 0; r < G * H; r++) {
        let s = bi[r];
        for (let k = 0; k < In; k++) s += wi.data[r * In + k] * x[k];
        let q = bh[r];
        for (let k = 0; k < H; k++) q += wh.data[r * H + k] * hs[l][k];
        ai[r] = s; ah[r] = q;
      }
      const sig = (v) => 1 / (1 + Math.exp(-v));
      const next = new Float32Array(H);
      for (let j = 0; j < H; j++) {
        if (cell === 'rnn') next[j] = Math.tanh(ai[j] + ah[j]);
        else if (cell === 'lstm') {
          const i = sig(ai[j] + ah[j]), f = sig(ai[H + j] + ah[H + j]), g = Math.tanh(ai[2 * H + j] + ah[2 * H + j]);
          const o = sig(ai[3 * H + j] + ah[3 * H + j]);
          cs[l][j] = f * cs[l][j] + i * g;
          next[j] = o * Math.tanh(cs[l][j]);
          [i, f, g, o].forEach((v, k) => { gate[((t * L + l) * G + k) * H + j] = v; });
          c[(t * L + l) * H + j] = cs[l][j];
        } else {
          const rr = sig(ai[j] + ah[j]), z = sig(ai[H + j] + ah[H + j]);
          const n = Math.tanh(ai[2 * H + j] + rr * ah[2 * H + j]);
          next[j] = (1 - z) * n + z * hs[l][j];
          [rr, z, n].forEach((v, k) => { gate[((t * L + l) * G + k) * H + j] = v; });
        }
      }
      hs[l] = next;
      h.set(next, (t * L + l) * H);
      x = next;
    }
    const wd = w['decoder.weight'].data, bd = w['decoder.bias'].data;
    let m = -Infinity;
    for (let v = 0; v < V; v++) {
      let s = bd[v];
      for (let j = 0; j < H; j++) s += wd[v * H + j] * x[j];
      logits[t * V + v] = s;
      m = Math.max(m, s);
    }
    let sum = 0;
    for (let v = 0; v < V; v++) { probs[t * V + v] = Math.exp(logits[t * V + v] - m); sum += probs[t * V + v]; }
    for (let v = 0; v < V; v++) probs[t * V + v] /= sum;
  }
  return { steps: T, input, h, c, gate, logits, probs };
}

const FIGURE_MODELS = {
  rnn: { cell: 'rnn', L: 1, H: 3, seed: 11 },
  lstm: { cell: 'lstm', L: 1, H: 4, seed: 12 },
  gru: { cell: 'gru', L: 1, H: 3, seed: 13 },
  rnn2: { cell: 'rnn', L: 2, H: 3, seed: 14 },
};
const FIGURE_VOCAB = ['e', 'h', 'l', 'o'];
const figureModelEl = /** @type {HTMLSelectElement} */ (document.getElementById('figure-model'));
const figureTextEl = /** @type {HTMLInputElement} */ (document.getElementById('figure-text'));
const fig = { weights: null, cursor: -1 };
const figure = new FigureView(document.getElementById('figure'), {
  onEdit: (name, index, value) => {
    // New objects for what changed, as the page gets them from the worker; a Float32Array keeps the f32 the core would.
    const data = Float32Array.from(fig.weights[name].data);
    data[index] = value;
    fig.weights = { ...fig.weights, [name]: { shape: fig.weights[name].shape, data } };
    drawFigure();
  },
  onCursor: (t) => { fig.cursor = t; drawFigure(); },
});

function figureModel() {
  const m = FIGURE_MODELS[figureModelEl.value] || FIGURE_MODELS.rnn;
  fig.weights = tinyWeights(m.cell, m.L, m.H, FIGURE_VOCAB.length, m.seed);
  fig.cursor = -1;
  document.getElementById('figure-fits').textContent = figureFits({ hidden: m.H, vocab: FIGURE_VOCAB.length, layers: m.L }) ??
    `fits (and figureFits({hidden: 32, vocab: 65}) says: ${figureFits({ hidden: 32, vocab: 65, layers: 1 })})`;
  drawFigure();
}

function drawFigure() {
  const m = FIGURE_MODELS[figureModelEl.value] || FIGURE_MODELS.rnn;
  const text = figureTextEl.value;
  const probe = tinyProbe(m.cell, m.L, m.H, FIGURE_VOCAB, fig.weights, text);
  if (fig.cursor >= probe.steps) fig.cursor = probe.steps - 1;
  figure.render({
    cell: m.cell, nonlinearity: 'tanh', vocab: FIGURE_VOCAB, chars: Array.from(text), layers: m.L, hidden: m.H,
    gateNames: m.cell === 'lstm' ? ['i', 'f', 'g', 'o'] : m.cell === 'gru' ? ['r', 'z', 'n'] : [],
    weights: fig.weights, probe, cursor: fig.cursor,
  });
}

figureModelEl.addEventListener('change', figureModel);
figureTextEl.addEventListener('input', drawFigure);

textEl.value = SAMPLE.slice(0, 120);
textEl.addEventListener('input', update);
cellEl.addEventListener('change', update);
layersEl.addEventListener('change', update);
unitEl.addEventListener('change', () => { chart.setUnit(/** @type {'nats'|'bits'|'ppl'} */ (unitEl.value)); dirty = true; });
document.getElementById('autotype').addEventListener('click', () => { auto = 0; });
document.getElementById('bench').addEventListener('click', bench);

const params = new URLSearchParams(location.search);
if (params.get('figure')) figureModelEl.value = params.get('figure');
if (params.get('figureText') !== null) figureTextEl.value = params.get('figureText');
figureModel();
if (params.get('cell')) cellEl.value = params.get('cell');
if (params.get('layers')) layersEl.value = params.get('layers');
if (params.get('full')) textEl.value = SAMPLE;
curves();
update();
requestAnimationFrame(frame);
if (params.get('bench')) bench();
// ?only=hell|heatmap|loss-text|topk|chart shows just that section (for screenshots).
if (params.get('only')) {
  for (const s of document.querySelectorAll('section')) s.hidden = !s.querySelector('#' + CSS.escape(params.get('only')));
}
// ?width=360 lays the page out at that width (headless Chromium cannot make a window narrower than 500 px).
if (params.get('width')) document.body.style.width = Number(params.get('width')) + 'px';
