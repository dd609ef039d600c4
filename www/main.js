// The page's controller: DOM, user input, and rendering from the latest state on requestAnimationFrame.
//
// The model lives in a Web Worker (worker.js, the only owner of the wasm instance); this file talks to it only
// through the messages of protocol.js. Worker reports update plain state here and mark parts of the page dirty;
// one rAF callback then redraws what is dirty — never once per message. User text and model output reach the page
// only through textContent.

import { Cmd, Evt, ErrorKind } from './protocol.js';
import * as S from './state.js';
import * as store from './store.js';
import { HellDiagram } from './views/hell.js';
import { Heatmap } from './views/heatmap.js';
import { ColoredText } from './views/textcolor.js';
import { LossChart } from './views/linechart.js';
import { displayChar, charName, fmt, fmtProb, fmtAuto, compactInt } from './views/format.js';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const AUTOSAVE_MS = 5000;
const REPROBE_MS = 500;
const MAX_FILE_BYTES = 50 * 1024 * 1024;
const MAX_TEXT_CHARS = 20_000_000;
const CHART_POINTS = 1024;
const CELLS = ['rnn', 'lstm', 'gru'];
const CELL_NAMES = { rnn: 'vanilla RNN', lstm: 'LSTM', gru: 'GRU' };

// Intl formatters are costly to create (tens of ms the first time); make them once, at load.
const NUMBER_FORMAT = new Intl.NumberFormat('en-US');
/** 12345 → '12,345' */
const num = (n) => NUMBER_FORMAT.format(n);
/** A Date → 'HH:MM:SS' (local time) */
const clock = (d) => [d.getHours(), d.getMinutes(), d.getSeconds()].map((v) => String(v).padStart(2, '0')).join(':');

// -----------------------------------------------------------------------------------------------------------------
// Talking to a worker

/** One training worker: requests with answers (promises), and a stream of reports to `onEvent`. */
class WorkerClient {
  /** @param {(msg: any, client: WorkerClient) => void} onEvent */
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.nextId = 1;
    this.pending = new Map();
    this.spawn();
  }

  spawn() {
    this.ready = false;
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e) => this._receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this._failAll(e.message || 'the worker stopped');
      this.onEvent({ type: 'crash', message: e.message || 'the worker stopped' }, this);
    };
    this.worker.onmessageerror = () => {
      this.onEvent({ type: Evt.ERROR, op: 'message', kind: ErrorKind.REFUSED, message: 'a message from the worker could not be read' }, this);
    };
  }

  /** Kill and start afresh (after a crash). */
  respawn() {
    this.worker.terminate();
    this._failAll('the worker was restarted');
    this.spawn();
  }

  terminate() {
    this.worker.terminate();
    this._failAll('the worker was stopped');
  }

  /** Fire and forget. */
  send(msg, transfer = []) {
    this.worker.postMessage(msg, transfer);
  }

  /** A request whose answer (matched by id) resolves the promise, or whose Evt.ERROR rejects it. */
  request(msg, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ ...msg, id }, transfer);
    });
  }

  /** A fresh id for requests answered through onEvent (probes, samples). */
  id() {
    return this.nextId++;
  }

  _failAll(message) {
    for (const p of this.pending.values()) p.reject(Object.assign(new Error(message), { kind: ErrorKind.FATAL }));
    this.pending.clear();
  }

  _receive(msg) {
    if (msg.type === Evt.READY) this.ready = true;
    if (msg.id !== undefined && this.pending.has(msg.id)) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.type === Evt.ERROR) p.reject(Object.assign(new Error(msg.message), { kind: msg.kind, op: msg.op }));
      else p.resolve(msg);
      return;
    }
    this.onEvent(msg, this);
  }
}

// -----------------------------------------------------------------------------------------------------------------
// Loss history: every step's loss, plus a bucketed copy for drawing long runs

class LossHistory {
  constructor(offset = 0) {
    this.offset = offset; // step number before the first recorded loss
    this.data = new Float32Array(1024);
    this.length = 0;
    this.bucket = 1; // steps per display point
    this.points = []; // [{x: step at bucket end, sum, n}]
  }

  /** Append losses of steps offset+length+1 …; returns false if `firstStep` does not continue the history. */
  append(firstStep, losses) {
    if (firstStep !== this.offset + this.length) {
      // A gap (e.g. a recovered worker went back to an older step): restart the record from here.
      this.offset = firstStep;
      this.length = 0;
      this.points = [];
      this.bucket = 1;
    }
    if (this.length + losses.length > this.data.length) {
      let cap = this.data.length;
      while (cap < this.length + losses.length) cap *= 2;
      const next = new Float32Array(cap);
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(losses, this.length);
    for (let i = 0; i < losses.length; i++) this._point(this.offset + this.length + i + 1, losses[i]);
    this.length += losses.length;
    return true;
  }

  _point(step, v) {
    if (!Number.isFinite(v)) return;
    const last = this.points[this.points.length - 1];
    if (last && last.n < this.bucket) {
      last.sum += v;
      last.n++;
      last.x = step;
    } else {
      this.points.push({ x: step, sum: v, n: 1 });
    }
    if (this.points.length > CHART_POINTS) {
      const merged = [];
      for (let i = 0; i < this.points.length; i += 2) {
        const a = this.points[i];
        const b = this.points[i + 1];
        merged.push(b ? { x: b.x, sum: a.sum + b.sum, n: a.n + b.n } : a);
      }
      this.points = merged;
      this.bucket *= 2;
    }
  }

  /** The per-step losses as a plain array (test hook). */
  toArray() {
    return Array.from(this.data.subarray(0, this.length));
  }

  /** The last `n` losses (for autosave). */
  tail(n) {
    const from = Math.max(0, this.length - n);
    return { offset: this.offset + from, losses: this.data.slice(from, this.length) };
  }

  /** Display points [step, mean loss in nats] (at most CHART_POINTS of them). */
  series() {
    return this.points.map((p) => [p.x, p.sum / p.n]);
  }
}

/** nats/char → the unit shown. */
function converter(units) {
  if (units === 'bits') return (v) => v / Math.LN2;
  if (units === 'ppl') return (v) => Math.exp(v);
  return (v) => v;
}
const UNIT_LABEL = { nats: 'nats/char', bits: 'bits/char', ppl: 'perplexity' };

// -----------------------------------------------------------------------------------------------------------------
// Application state (the only state; the DOM is drawn from it)

const initial = S.readState();
const app = {
  st: initial.state,
  corpora: [],
  text: '',
  textLabel: '',
  model: null, // {info, config}
  running: false,
  autostart: true,
  step: 0,
  hist: new LossHistory(),
  val: [], // [{x: step, y: nats}]
  last: null, // last PROGRESS message
  charsPerSec: 0,
  autosamples: [],
  probe: {
    data: null, // ProbeData
    text: '', // text of `data`
    sentText: null,
    inFlight: 0, // id of the probe in flight, 0 if none
    wantReset: false,
    stepAtProbe: -1,
    buffers: null,
    pos: -1, // selected position for the guesses panel; -1 = last
  },
  sample: { id: 0, prime: '', text: '', active: false, chunks: 0 },
  compare: null,
  restore: null, // pending autosave record offered for restore
  restoreDecided: false,
  lastBytes: null, // last model bytes received (crash recovery)
  lastTrainingState: null, // and the training state (optimizer moments, data position) that goes with them
  lastSaveStep: -1,
  unit: -1, // picked unit for colouring the text
  error: null,
  formEdited: false, // the model form holds edits not yet built: redraws leave its fields alone
  formEdits: 0, // edits made in the model form so far (a model put in place keeps those made while it was built)
};

const worker = new WorkerClient(onWorkerEvent);

// -----------------------------------------------------------------------------------------------------------------
// Views

const hell = new HellDiagram($('hell'), { maxUnits: 16, topK: 5 });
const heatmap = new Heatmap($('heatmap'), { label: 'activations' });
const textColor = new ColoredText($('textcolor'));
const lossChart = new LossChart($('loss-chart'), { yLabel: 'loss', height: 220 });
const compareChart = new LossChart($('compare-chart'), { yLabel: 'loss', height: 200 });
const SERIES_STYLE = {
  training: { color: '#0072B2' },
  validation: { color: '#D55E00', dashed: true },
  rnn: { color: '#E69F00' },
  lstm: { color: '#0072B2' },
  gru: { color: '#009E73' },
};
heatmap.onPick((row) => {
  app.unit = row;
  /** @type {HTMLSelectElement} */ ($('colour-by')).value = 'unit';
  markDirty('inside');
});

// -----------------------------------------------------------------------------------------------------------------
// Rendering on requestAnimationFrame

const dirty = new Set();
let frame = 0;
/** Times each part has been drawn, and the promises (from the test hook `drawn()`) waiting for parts to be drawn. */
const drawCount = new Map();
const drawWaiters = [];

function markDirty(...parts) {
  for (const p of parts) dirty.add(p);
  if (!frame) frame = requestAnimationFrame(render);
}

/**
 * Parts of the page in drawing order, with the panel each lives in. A part whose panel is off screen is not drawn
 * (it waits, dirty, until its panel scrolls into view); a frame stops early when over budget and leaves the rest to
 * the next frame, and a part whose draw answers false (the hell diagram, a few columns at a time) goes on in the
 * next. Together these keep every main-thread task short while the worker trains.
 */
const PARTS = [
  ['status', null, () => renderStatus()],
  ['controls', null, () => renderControls()],
  ['guesses', null, () => renderGuesses()],
  ['hell', 'watch', () => renderHell()],
  ['chart', 'train', () => renderChart()],
  ['inside', 'inside', () => renderInside()],
  ['sample', 'sample', () => renderSample()],
  ['autosamples', 'train', () => renderAutosamples()],
  ['compare', 'compare', () => renderCompare()],
];
/** The parts a new probe result ('probe' marked dirty) redraws. */
const PROBE_PARTS = ['guesses', 'hell', 'inside'];
const PANEL_OF = new Map(PARTS.map(([name, panel]) => [name, panel]));
const FRAME_BUDGET_MS = 12;
const onScreen = new Set();
let drawAll = false;

const panelObserver = new IntersectionObserver((entries) => {
  for (const e of entries) {
    const id = e.target.id;
    if (e.isIntersecting) {
      onScreen.add(id);
      if (PARTS.some(([name, panel]) => panel === id && dirty.has(name))) markDirty();
    } else {
      onScreen.delete(id);
    }
  }
});
for (const id of new Set(PARTS.map(([, panel]) => panel).filter(Boolean))) panelObserver.observe($(id));

function render() {
  frame = 0;
  const t0 = performance.now();
  if (dirty.has('probe')) {
    dirty.delete('probe');
    for (const part of PROBE_PARTS) dirty.add(part);
  }
  let again = false;
  for (const [name, panel, draw] of PARTS) {
    if (!dirty.has(name)) continue;
    if (panel && !onScreen.has(panel) && !drawAll) continue;
    if (performance.now() - t0 > FRAME_BUDGET_MS && !drawAll) {
      again = true;
      break;
    }
    dirty.delete(name);
    const a = performance.now();
    // A part may draw in pieces: false means "more next frame".
    if (draw() === false) {
      dirty.add(name);
      again = true;
    } else {
      drawCount.set(name, (drawCount.get(name) ?? 0) + 1);
    }
    const dt = performance.now() - a;
    // Diagnostics: a test (or a curious visitor) can set window.__renderTimes = [] to see slow parts.
    if (dt > 6 && Array.isArray(window.__renderTimes)) window.__renderTimes.push({ part: name, ms: dt, at: a });
  }
  drawAll = false;
  if (again && !frame) frame = requestAnimationFrame(render);
  settleDrawWaiters();
}

/** Resolve each `drawn()` promise whose parts have all been drawn since it was asked for, or are out of view. */
function settleDrawWaiters() {
  for (let i = drawWaiters.length - 1; i >= 0; i--) {
    const { since, resolve } = drawWaiters[i];
    const done = [...since].every(([name, n]) => (drawCount.get(name) ?? 0) > n || (PANEL_OF.get(name) && !onScreen.has(PANEL_OF.get(name))));
    if (done) {
      drawWaiters.splice(i, 1);
      resolve(true);
    }
  }
}

function renderStatus() {
  const conv = converter(app.st.units);
  const pill = $('run-state');
  let state = 'loading';
  if (app.error === 'fatal') state = 'stopped';
  else if (!app.model) state = worker.ready ? 'building' : 'loading';
  else state = app.running ? 'training' : app.step === 0 ? 'ready' : 'paused';
  pill.textContent = state;
  pill.dataset.state = state;
  $('stat-step').textContent = String(app.step);
  $('stat-unit').textContent = UNIT_LABEL[app.st.units];
  const last = app.last;
  $('stat-loss').textContent = last ? fmt(conv(last.loss), 3) : '–';
  $('stat-smooth').textContent = last ? fmt(conv(last.smoothLoss), 3) : '–';
  $('stat-grad').textContent = last ? fmtAuto(last.gradNorm) : '–';
  $('stat-speed').textContent = app.running && app.charsPerSec ? compactInt(app.charsPerSec) : '–';
  const v = app.val[app.val.length - 1];
  $('stat-val').textContent = v ? fmt(conv(v.y), 3) : app.st.valFraction > 0 ? '…' : 'off';
  $('stat-params').textContent = app.model ? num(app.model.info.params) : '–';
  const run = $('btn-run');
  run.textContent = app.running ? 'Pause' : app.step > 0 ? 'Resume' : 'Train';
  run.setAttribute('aria-pressed', String(app.running));
  run.disabled = !app.model;
  /** @type {HTMLButtonElement} */ ($('btn-step')).disabled = !app.model;
  /** @type {HTMLButtonElement} */ ($('btn-download')).disabled = !app.model;
  /** @type {HTMLButtonElement} */ ($('btn-sample')).disabled = !app.model;
}

/** Chart points [step, nats] of a history, and the smoothing weight that suits its bucket size. */
function chartSeries(hist) {
  return { points: hist.series(), smooth: 0.95 ** hist.bucket };
}

function renderChart() {
  lossChart.setUnit(app.st.units);
  const tr = chartSeries(app.hist);
  lossChart.setSeries('training', tr.points, { ...SERIES_STYLE.training, smooth: tr.smooth });
  lossChart.setSeries('validation', app.val.length ? app.val.map((p) => [p.x, p.y]) : null, SERIES_STYLE.validation);
  lossChart.render();
}

function renderCompare() {
  const c = app.compare;
  const list = $('compare-list');
  compareChart.setUnit(app.st.units);
  if (!c) {
    compareChart.render();
    return;
  }
  const conv = converter(app.st.units);
  for (const cell of CELLS) {
    const tr = chartSeries(c.runs[cell].hist);
    compareChart.setSeries(CELL_NAMES[cell], tr.points, { ...SERIES_STYLE[cell], smooth: tr.smooth });
  }
  compareChart.render();
  // One list item per cell, created once and updated by textContent.
  if (list.children.length !== CELLS.length) {
    list.replaceChildren();
    for (const cell of CELLS) {
      const li = document.createElement('li');
      li.dataset.cell = cell;
      const head = document.createElement('div');
      head.className = 'compare-head';
      const sample = document.createElement('pre');
      sample.className = 'compare-sample';
      li.append(head, sample);
      list.append(li);
    }
  }
  CELLS.forEach((cell, i) => {
    const r = c.runs[cell];
    const li = /** @type {HTMLElement} */ (list.children[i]);
    const loss = r.last ? fmt(conv(r.last.smoothLoss), 3) : '–';
    const status = r.error ? `error: ${r.error}` : r.model ? `step ${r.step}, smoothed loss ${loss} ${UNIT_LABEL[app.st.units]}, ${num(r.model.info.params)} parameters` : 'starting…';
    li.children[0].textContent = `${CELL_NAMES[cell]} — ${status}`;
    li.children[1].textContent = r.sample;
    // The same numbers for the tests (and the curious): steps, smoothed loss in nats/char, state.
    li.dataset.step = String(r.step);
    li.dataset.loss = r.last ? String(r.last.smoothLoss) : '';
    li.dataset.state = r.error ? 'error' : !r.model ? 'starting' : c.stopped ? 'stopped' : 'training';
  });
}

function renderAutosamples() {
  const ol = $('autosamples');
  const items = app.autosamples;
  // Newest first; reuse elements.
  while (ol.children.length < items.length) {
    const li = document.createElement('li');
    const step = document.createElement('span');
    step.className = 'as-step';
    const pre = document.createElement('pre');
    li.append(step, pre);
    ol.append(li);
  }
  while (ol.children.length > items.length) ol.lastElementChild.remove();
  items.forEach((s, i) => {
    const li = ol.children[i];
    li.children[0].textContent = `step ${s.step}`;
    li.children[1].textContent = s.prime + s.text;
  });
}

function renderSample() {
  const out = $('sample-out');
  if (!out.firstChild) {
    const p = document.createElement('span');
    p.className = 'prime';
    const g = document.createElement('span');
    g.className = 'gen';
    out.append(p, g);
  }
  out.children[0].textContent = app.sample.prime;
  out.children[1].textContent = app.sample.text;
  /** @type {HTMLButtonElement} */ ($('btn-sample-stop')).disabled = !app.sample.active;
}

/** Column texts the hell diagram brings up to date per frame (its layout and paint dominate a frame's cost). */
const HELL_COLUMNS_PER_FRAME = 8;

function renderHell() {
  const d = app.probe.data;
  if (!d) hell.clear();
  else return hell.render(d, { maxColumns: drawAll ? undefined : HELL_COLUMNS_PER_FRAME });
}

/** The top-5 next-character guesses at the chosen position, as text. */
function renderGuesses() {
  const d = app.probe.data;
  const list = $('predict-list');
  const where = $('predict-where');
  if (!d || d.steps === 0) {
    list.replaceChildren();
    where.textContent = '';
    delete list.dataset.prefix;
    return;
  }
  const pos = /** @type {HTMLInputElement} */ ($('predict-pos'));
  pos.max = String(Math.max(0, d.steps - 1));
  if (app.probe.pos < 0 || app.probe.pos >= d.steps) pos.value = String(Math.max(0, d.steps - 1));
  const t = app.probe.pos < 0 || app.probe.pos >= d.steps ? d.steps - 1 : app.probe.pos;
  const V = d.vocab.length;
  const order = [];
  for (let v = 0; v < V; v++) order.push(v);
  order.sort((a, b) => d.probs[t * V + b] - d.probs[t * V + a]);
  const top = order.slice(0, Math.min(5, V));
  const prefix = d.chars.slice(0, t + 1).join('');
  where.textContent = `after “${Array.from(prefix.slice(-24)).map(displayChar).join('')}”`;
  list.dataset.pos = String(t);
  list.dataset.prefix = prefix;
  while (list.children.length < top.length) {
    const li = document.createElement('li');
    const ch = document.createElement('span');
    ch.className = 'g-ch';
    const bar = document.createElement('span');
    bar.className = 'g-bar';
    const p = document.createElement('span');
    p.className = 'g-p';
    li.append(ch, bar, p);
    list.append(li);
  }
  while (list.children.length > top.length) list.lastElementChild.remove();
  top.forEach((v, i) => {
    const li = /** @type {HTMLElement} */ (list.children[i]);
    const p = d.probs[t * V + v];
    const c = d.vocab[v];
    li.dataset.char = c;
    li.dataset.prob = String(p);
    li.dataset.testid = 'prediction';
    li.setAttribute('aria-label', `${charName(c)}: ${fmtProb(p)}`);
    li.children[0].textContent = displayChar(c);
    /** @type {HTMLElement} */ (li.children[1]).style.setProperty('--p', String(Math.max(0, Math.min(1, p))));
    li.children[2].textContent = fmtProb(p);
  });
}

/** The tensors the heatmap can show for the current model. */
function tensorOptions() {
  const info = app.model?.info;
  if (!info) return [];
  const opts = [{ value: 'h', label: 'hidden state h' }];
  if (info.cell === 'lstm') opts.push({ value: 'c', label: 'cell state c' });
  info.gateNames.forEach((g, i) => opts.push({ value: `gate:${i}`, label: `gate ${g}` }));
  return opts;
}

/** Whether gate `name` of `cell` is a tanh (−1..1) rather than a sigmoid (0..1). */
function gateIsTanh(cell, name) {
  return (cell === 'lstm' && name === 'g') || (cell === 'gru' && name === 'n');
}

function renderInside() {
  const d = app.probe.data;
  const tensorSel = /** @type {HTMLSelectElement} */ ($('tensor'));
  const layerSel = /** @type {HTMLSelectElement} */ ($('layer'));
  const colourBy = /** @type {HTMLSelectElement} */ ($('colour-by'));
  if (!d || d.steps === 0) {
    heatmap.render(new Float32Array(0), 0, 0);
    textColor.render([], [], { scale: 'sequential', label: 'nothing to show yet' });
    return;
  }
  const L = d.layers;
  const H = d.hidden;
  const G = d.gateNames.length;
  const layer = Math.min(L - 1, Math.max(0, Number(layerSel.value) || 0));
  const which = tensorSel.value || 'h';
  const colLabel = (t) => displayChar(d.chars[t]);
  const rowLabel = (j) => `unit ${j}`;
  let values;
  let accessor;
  let scale = 'diverging';
  let min = -1;
  let max = 1;
  if (which === 'c' && d.c) {
    values = d.c;
    accessor = (j, t) => (t * L + layer) * H + j;
    let m = 1;
    for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
    min = -Math.ceil(m);
    max = Math.ceil(m);
  } else if (which.startsWith('gate:') && d.gate) {
    const g = Math.min(G - 1, Number(which.slice(5)));
    values = d.gate;
    accessor = (j, t) => ((t * L + layer) * G + g) * H + j;
    if (!gateIsTanh(d.cell, d.gateNames[g])) {
      scale = 'sequential';
      min = 0;
    }
  } else {
    values = d.h;
    accessor = (j, t) => (t * L + layer) * H + j;
  }
  heatmap.render(values, H, d.steps, { accessor, scale, min, max, colLabel, rowLabel });
  if (app.unit >= H) app.unit = -1;
  heatmap.select(app.unit);
  const mode = colourBy.value;
  if (mode === 'unit' && app.unit >= 0) {
    const j = app.unit;
    const unitVals = new Float32Array(d.steps);
    for (let t = 0; t < d.steps; t++) unitVals[t] = values[accessor(j, t)];
    textColor.render(d.chars, unitVals, { scale, min, max, label: `${tensorLabel(which, d)}, unit ${j}, layer ${layer + 1}` });
  } else if (mode === 'topk') {
    textColor.renderTopK(d.chars, d.probs, d.vocab.length, d.vocab, 5);
  } else {
    const maxLoss = Math.max(1, Math.ceil(Math.log(d.vocab.length) + 1));
    textColor.render(d.chars, d.loss, {
      scale: 'sequential', min: 0, max: maxLoss,
      label: mode === 'unit' ? 'surprise at the next character, nats (pick a unit in the map to colour by it)' : 'surprise at the next character (loss, nats)',
      format: (v) => `${fmt(v, 2)} nats`,
    });
  }
}

function tensorLabel(which, d) {
  if (which === 'c') return 'cell state';
  if (which.startsWith('gate:')) return `gate ${d.gateNames[Number(which.slice(5))]}`;
  return 'hidden state';
}

/** Form controls from state (after a model change, a restore or a URL). */
function renderControls() {
  const st = app.st;
  for (const name of ['cell', 'nonlinearity', 'hidden', 'layers', 'seqLen', 'batch', 'optimizer', 'seed', 'valFraction']) {
    const el = /** @type {HTMLInputElement} */ ($(name));
    if (el && document.activeElement !== el && !app.formEdited) el.value = String(st[name]);
  }
  /** @type {HTMLSelectElement} */ ($('nonlinearity')).disabled = /** @type {HTMLSelectElement} */ ($('cell')).value !== 'rnn';
  setLrControls(st.lr);
  /** @type {HTMLInputElement} */ ($('clip')).value = String(st.clip);
  const temp = /** @type {HTMLInputElement} */ ($('temperature'));
  const argmax = /** @type {HTMLInputElement} */ ($('argmax'));
  argmax.checked = st.temperature === 0;
  temp.disabled = argmax.checked;
  if (st.temperature > 0) temp.value = String(st.temperature);
  $('temp-out').textContent = st.temperature === 0 ? '0 (argmax)' : fmt(st.temperature, 2);
  for (const [id, key] of [['topk', 'topK'], ['sample-len', 'sampleLen']]) {
    const el = /** @type {HTMLInputElement} */ ($(id));
    if (document.activeElement !== el) el.value = String(st[key]);
  }
  const prime = /** @type {HTMLInputElement} */ ($('prime'));
  if (document.activeElement !== prime) prime.value = st.prime;
  for (const r of document.querySelectorAll('input[name="units"]')) {
    /** @type {HTMLInputElement} */ (r).checked = /** @type {HTMLInputElement} */ (r).value === st.units;
  }
  const probe = /** @type {HTMLInputElement} */ ($('probe-text'));
  if (document.activeElement !== probe && probe.value !== st.probe) probe.value = st.probe;
  const corpus = /** @type {HTMLSelectElement} */ ($('corpus'));
  renderCorpusOptions();
  corpus.value = app.corpora.includes(st.corpus) ? st.corpus : 'custom';
  renderTensorOptions();
  renderSizeHint();
  $('text-info').textContent = app.text ? `${app.textLabel}: ${num(charCount(app.text))} characters, ${distinct(app.text)} distinct` : '';
}

function renderCorpusOptions() {
  const sel = /** @type {HTMLSelectElement} */ ($('corpus'));
  const want = [...app.corpora, 'custom'];
  const have = Array.from(sel.options).map((o) => o.value);
  if (want.join('\n') === have.join('\n')) return;
  sel.replaceChildren();
  for (const name of want) {
    const o = document.createElement('option');
    o.value = name;
    o.textContent = name === 'custom' ? 'your own text' : name;
    sel.append(o);
  }
}

function renderTensorOptions() {
  const sel = /** @type {HTMLSelectElement} */ ($('tensor'));
  const opts = tensorOptions();
  const key = opts.map((o) => o.value).join(',');
  if (sel.dataset.key !== key) {
    const prev = sel.value;
    sel.replaceChildren();
    for (const o of opts) {
      const el = document.createElement('option');
      el.value = o.value;
      el.textContent = o.label;
      sel.append(el);
    }
    sel.value = opts.some((o) => o.value === prev) ? prev : 'h';
    sel.dataset.key = key;
  }
  const layerSel = /** @type {HTMLSelectElement} */ ($('layer'));
  const L = app.model?.info.layers ?? 1;
  if (layerSel.options.length !== L) {
    const prev = Number(layerSel.value) || 0;
    layerSel.replaceChildren();
    for (let l = 0; l < L; l++) {
      const el = document.createElement('option');
      el.value = String(l);
      el.textContent = l === 0 ? '1 (bottom)' : l === L - 1 ? `${l + 1} (top)` : String(l + 1);
      layerSel.append(el);
    }
    layerSel.value = String(Math.min(prev, L - 1));
  }
  layerSel.disabled = L <= 1;
}

function renderSizeHint() {
  const form = readModelForm();
  const out = $('model-size');
  if (!form.ok) {
    out.textContent = '';
    return;
  }
  const V = app.text ? distinct(app.text) : 5;
  const n = S.paramCount(form.state.cell, form.state.hidden, form.state.layers, V);
  const problems = S.sizeProblems(form.state, V);
  out.textContent = problems.length ? problems.join('; ') : `${num(n)} parameters with this text's ${V}-character vocabulary.`;
  out.classList.toggle('bad', problems.length > 0);
}

// -----------------------------------------------------------------------------------------------------------------
// Messages to the visitor

/**
 * Show a message; one per `key` (a new one with the same key replaces the old one).
 * @param {string} text
 * @param {'error'|'info'|'warn'} [kind]
 * @param {string} [key]
 */
function say(text, kind = 'error', key = text) {
  const box = $('messages');
  let item = /** @type {HTMLElement|null} */ (Array.from(box.children).find((c) => /** @type {HTMLElement} */ (c).dataset.key === key) ?? null);
  if (!item) {
    item = document.createElement('div');
    item.className = 'msg';
    item.dataset.key = key;
    item.dataset.testid = 'message';
    const p = document.createElement('p');
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'quiet close';
    close.textContent = '×';
    close.setAttribute('aria-label', 'Dismiss message');
    close.addEventListener('click', () => item.remove());
    item.append(p, close);
    box.append(item);
  }
  item.dataset.kind = kind;
  item.firstChild.textContent = text;
}

function unsay(key) {
  const box = $('messages');
  for (const c of Array.from(box.children)) if (/** @type {HTMLElement} */ (c).dataset.key === key) c.remove();
}

// -----------------------------------------------------------------------------------------------------------------
// Worker events

function onWorkerEvent(msg) {
  switch (msg.type) {
    case Evt.READY:
      onReady(msg);
      break;
    case Evt.MODEL:
      // Unprompted MODEL = the worker rebuilt itself after a trap.
      adoptModel(msg, { keepHistory: true });
      if (msg.recovered) say(`Recovered: the last good model (step ${msg.info.step}) is back.${resumedSentence(msg.resumed)} Press Resume to go on training.`, 'warn', 'recovered');
      break;
    case Evt.STATUS:
      app.running = msg.running;
      app.step = msg.step;
      if (!msg.running) {
        app.charsPerSec = 0;
        if (msg.reason === 'paused' || msg.reason === 'done') autosave(true);
      }
      markDirty('status');
      break;
    case Evt.PROGRESS:
      onProgress(app, msg);
      markDirty('status', 'chart');
      break;
    case Evt.AUTOSAMPLE:
      app.autosamples.unshift({ step: msg.step, prime: msg.prime, text: msg.text });
      if (app.autosamples.length > 4) app.autosamples.length = 4;
      markDirty('autosamples');
      break;
    case Evt.PROBE:
      onProbe(msg);
      break;
    case Evt.SAMPLE:
      if (msg.id === app.sample.id) {
        app.sample.text += msg.text;
        app.sample.chunks++;
        if (msg.done) app.sample.active = false;
        markDirty('sample');
      }
      break;
    case Evt.ERROR:
      onWorkerError(msg);
      break;
    case 'crash':
      onCrash(msg);
      break;
    default:
      break;
  }
}

/** Fold a PROGRESS report into a run's state (the main run or a comparison run). */
function onProgress(run, msg) {
  run.hist.append(msg.firstStep, msg.losses);
  run.step = msg.step;
  run.last = msg;
  if (msg.chars > 0) run.charsPerSec = msg.charsPerSec;
  if (msg.valLoss !== undefined && Number.isFinite(msg.valLoss)) run.val.push({ x: msg.valStep, y: msg.valLoss });
}

function onWorkerError(msg) {
  if (msg.op === Cmd.PROBE) {
    app.probe.inFlight = 0;
    app.probe.wantReset = true;
    app.probe.sentText = null;
    say(`Could not look at this text: ${msg.message}`, 'error', 'probe');
    return;
  }
  if (msg.op === Cmd.SAMPLE || msg.op === 'sample') {
    app.sample.active = false;
    markDirty('sample');
    say(`Sampling failed: ${msg.message}`, 'error', 'sample');
    return;
  }
  if (msg.kind === ErrorKind.DIVERGED) {
    const m = msg.message.replace(/^training stopped:\s*/i, '');
    say(`Training paused: ${m}. Resume continues from the last good step.`, 'error', 'diverged');
    return;
  }
  if (msg.kind === ErrorKind.INTERNAL) {
    say(`The model code hit an internal error (${msg.message}). Training is paused.`, 'error', 'internal');
    return;
  }
  if (msg.kind === ErrorKind.FATAL) {
    app.error = 'fatal';
    say(`The model code could not start: ${msg.message}`, 'error', 'fatal');
    markDirty('status');
    return;
  }
  say(msg.message, 'error', msg.op || 'worker');
}

function onCrash(msg) {
  const wasRunning = app.running;
  app.running = false;
  say(`The training worker crashed (${msg.message}). Restarting it with the last good model…`, 'error', 'crash');
  app.recoverAfterCrash = { wasRunning, reason: msg.message };
  app.probe.inFlight = 0;
  app.probe.sentText = null;
  app.sample.active = false;
  worker.respawn();
  markDirty('status', 'sample');
}

async function onReady(msg) {
  app.corpora = msg.corpora;
  renderCorpusOptions();
  if (app.recoverAfterCrash) {
    const { wasRunning, reason } = app.recoverAfterCrash;
    app.recoverAfterCrash = null;
    try {
      if (app.lastBytes && app.model) {
        await loadModelBytes(app.lastBytes.slice(), 'the last good model', {
          quiet: true,
          keepHistory: true,
          trainingState: app.lastTrainingState?.slice() ?? null,
        });
      } else {
        await buildModel({ start: false });
      }
      say(`The training worker crashed (${reason}); it was restarted with the last good model, from step ${num(app.step)}.`, 'warn', 'crash');
      if (wasRunning) start();
    } catch (err) {
      say(`The worker was restarted, but the model could not be rebuilt: ${err.message}`, 'error', 'crash');
    }
    return;
  }
  // First start: the text from the URL (or the default corpus), a model, and training.
  try {
    let text;
    let label;
    if (app.st.corpus === 'custom' && app.st.text) {
      text = app.st.text;
      label = 'text from the link';
    } else {
      if (app.st.corpus === 'custom') {
        // A link made while training on a text too long to travel in it.
        say(`This link does not hold its text (it was too long to travel in a link); using the built-in “${app.corpora[0]}”.`, 'warn', 'corpus');
        app.st.corpus = app.corpora[0];
      } else if (!app.corpora.includes(app.st.corpus)) {
        say(`There is no built-in text called “${app.st.corpus}”; using “${app.corpora[0]}”.`, 'warn', 'corpus');
        app.st.corpus = app.corpora[0];
      }
      label = `built-in “${app.st.corpus}”`;
      text = await corpusText(app.st.corpus);
    }
    // A model put in place meanwhile (the autosave restored, or a model file opened, before the model code was
    // ready) is what the visitor chose: keep it rather than replacing it by a fresh one.
    if (app.model) return;
    app.text = text;
    app.textLabel = label;
    markDirty('controls');
    await buildModel({ start: app.autostart });
  } catch (err) {
    say(`Could not build the model: ${err.message}`, 'error', 'build');
  }
}

async function corpusText(name) {
  const r = await worker.request({ type: Cmd.CORPUS, name });
  return r.text;
}

/** Take a model the worker reports as in place. */
function adoptModel(msg, { keepHistory = false } = {}) {
  const info = msg.info;
  app.model = { info, config: msg.config, resumed: msg.resumed ?? null };
  app.modelGeneration = (app.modelGeneration || 0) + 1;
  app.step = info.step;
  app.running = false;
  app.error = null;
  if (!keepHistory || app.hist.offset + app.hist.length !== info.step) {
    app.hist = new LossHistory(info.step);
    app.val = [];
    app.last = null;
  }
  app.probe.data = null;
  app.probe.sentText = null;
  app.probe.wantReset = true;
  app.unit = -1;
  requestProbe();
  markDirty('status', 'chart', 'controls', 'probe', 'inside');
}

// -----------------------------------------------------------------------------------------------------------------
// Building, loading and training the model

let buildSeq = 0;

/**
 * Build a fresh model from the current state and text. Throws (and shows) the reason if refused; the old model
 * stays in place then.
 */
async function buildModel({ start: startAfter = false } = {}) {
  const problems = S.sizeProblems(app.st, distinct(app.text));
  if (problems.length) throw new Error(problems.join('; '));
  const seq = ++buildSeq;
  const edits = app.formEdits;
  const msg = await worker.request({ type: Cmd.CREATE, config: S.modelConfig(app.st), text: app.text });
  if (seq !== buildSeq) return;
  if (app.formEdits === edits) app.formEdited = false; // the form's values are the model's now
  adoptModel(msg);
  app.autosamples = [];
  unsay('build');
  unsay('diverged');
  markDirty('autosamples');
  S.writeState(app.st);
  if (startAfter) start();
}

function start() {
  if (!app.model) return;
  app.running = true;
  worker.send({ type: Cmd.START });
  markDirty('status');
}

function pause() {
  worker.send({ type: Cmd.PAUSE });
}

/** What came back with a model's training state (the worker's `resumed`), as a sentence to append; '' without one. */
function resumedSentence(resumed) {
  if (!resumed) return '';
  if (resumed.restored === 'exactly') return ' Training goes on exactly where it stopped: optimizer state, data position and recurrent state are restored.';
  if (resumed.restored === 'optimizer') return ` Its optimizer state is restored; the data starts from the beginning because ${resumed.note}.`;
  return ` Its saved optimizer state could not be used (${resumed.note}); the optimizer starts fresh.`;
}

/**
 * Replace the model by .safetensors bytes. On failure the message says why and the current model is unchanged.
 * @param {Uint8Array} bytes
 * @param {string} what a name for messages
 */
async function loadModelBytes(bytes, what, { quiet = false, keepHistory = false, state = null, text = null, trainingState = null } = {}) {
  const st = state ?? app.st;
  const useText = text ?? app.text;
  const transfer = trainingState ? [bytes.buffer, trainingState.buffer] : [bytes.buffer];
  const edits = app.formEdits;
  const msg = await worker.request({ type: Cmd.LOAD, bytes, trainingState, config: S.modelConfig(st), text: useText }, transfer);
  if (state) app.st = state;
  if (text !== null) app.text = text;
  // The file decides the shape: show it in the form and the URL.
  const info = msg.info;
  app.st.cell = info.cell;
  app.st.hidden = info.hidden;
  app.st.layers = info.layers;
  if (info.nonlinearity) app.st.nonlinearity = info.nonlinearity;
  if (app.formEdits === edits) app.formEdited = false; // edits typed while it loaded stay
  adoptModel(msg, { keepHistory });
  app.autosamples = [];
  markDirty('autosamples', 'controls');
  S.writeState(app.st);
  if (!quiet) say(`Loaded ${what}: ${CELL_NAMES[info.cell] ?? info.cell}, ${info.layers} × ${info.hidden} units, ${info.vocab.length}-character vocabulary, step ${info.step}.${resumedSentence(msg.resumed)}`, 'info', 'loaded');
  return msg;
}

// -----------------------------------------------------------------------------------------------------------------
// Probing: the text box, incrementally

function requestProbe(reset = false) {
  const p = app.probe;
  if (reset) p.wantReset = true;
  pumpProbe();
}

function pumpProbe() {
  const p = app.probe;
  if (p.inFlight || !app.model || !worker.ready) return;
  const text = app.st.probe;
  if (text === p.sentText && !p.wantReset) return;
  const id = worker.id();
  p.inFlight = id;
  p.inFlightText = text;
  p.inFlightReset = p.wantReset;
  p.stepAtProbe = app.step;
  worker.send({ type: Cmd.PROBE, id, text, reset: p.wantReset });
  p.sentText = text;
  p.wantReset = false;
}

function onProbe(m) {
  const p = app.probe;
  if (m.id !== p.inFlight) return;
  p.inFlight = 0;
  unsay('probe');
  applyProbe(m, p.inFlightText);
  markDirty('probe');
  pumpProbe();
}

/** Grow (or start) the page's ProbeData with the worker's new steps, and recompute nextProb/loss. */
function applyProbe(m, text) {
  const p = app.probe;
  const info = app.model.info;
  const chars = Array.from(text);
  const T = m.from + m.steps;
  const { layers: L, hidden: H, vocab: V, gates: G } = m;
  const old = p.data;
  const sameShape = old && old.layers === L && old.hidden === H && old.vocab.length === V && old.gateNames.length === G;
  let b = p.buffers;
  if (!sameShape || m.from === 0 || !b || m.from > old.steps) {
    b = p.buffers = newBuffers(Math.max(16, T), L, H, V, G, !!m.c, !!m.gate);
  } else if (T > b.cap) {
    b = p.buffers = growBuffers(b, T, old.steps);
  }
  b.input.set(m.input, m.from);
  b.h.set(m.h, m.from * L * H);
  if (b.c && m.c) b.c.set(m.c, m.from * L * H);
  if (b.gate && m.gate) b.gate.set(m.gate, m.from * L * G * H);
  b.logits.set(m.logits, m.from * V);
  b.probs.set(m.probs, m.from * V);
  for (let t = Math.max(0, m.from - 1); t < T; t++) {
    const next = t + 1 < T ? b.input[t + 1] : -1;
    const q = next >= 0 ? b.probs[t * V + next] : NaN;
    b.nextProb[t] = q;
    b.loss[t] = -Math.log(q);
  }
  p.data = {
    cell: info.cell,
    layers: L,
    hidden: H,
    gateNames: m.gateNames ?? info.gateNames,
    vocab: info.vocab,
    steps: T,
    chars: chars.slice(0, T),
    input: b.input.subarray(0, T),
    h: b.h.subarray(0, T * L * H),
    c: b.c ? b.c.subarray(0, T * L * H) : null,
    gate: b.gate ? b.gate.subarray(0, T * L * G * H) : null,
    logits: b.logits.subarray(0, T * V),
    probs: b.probs.subarray(0, T * V),
    nextProb: b.nextProb.subarray(0, T),
    loss: b.loss.subarray(0, T),
  };
  p.text = text;
  p.generation = (p.generation || 0) + 1;
}

function newBuffers(cap, L, H, V, G, hasC, hasGate) {
  return {
    cap, L, H, V, G,
    input: new Int32Array(cap),
    h: new Float32Array(cap * L * H),
    c: hasC ? new Float32Array(cap * L * H) : null,
    gate: hasGate ? new Float32Array(cap * L * G * H) : null,
    logits: new Float32Array(cap * V),
    probs: new Float32Array(cap * V),
    nextProb: new Float32Array(cap),
    loss: new Float32Array(cap),
  };
}

function growBuffers(b, need, keep) {
  let cap = b.cap;
  while (cap < need) cap *= 2;
  const n = newBuffers(cap, b.L, b.H, b.V, b.G, !!b.c, !!b.gate);
  const { L, H, V, G } = b;
  n.input.set(b.input.subarray(0, keep));
  n.h.set(b.h.subarray(0, keep * L * H));
  if (b.c) n.c.set(b.c.subarray(0, keep * L * H));
  if (b.gate) n.gate.set(b.gate.subarray(0, keep * L * G * H));
  n.logits.set(b.logits.subarray(0, keep * V));
  n.probs.set(b.probs.subarray(0, keep * V));
  n.nextProb.set(b.nextProb.subarray(0, keep));
  n.loss.set(b.loss.subarray(0, keep));
  return n;
}

// While training, look again at the whole text now and then: the weights have changed.
setInterval(() => {
  if (app.model && app.step !== app.probe.stepAtProbe && !app.probe.inFlight) requestProbe(true);
}, REPROBE_MS);

// -----------------------------------------------------------------------------------------------------------------
// Sampling

function startSample() {
  if (!app.model) return;
  const st = app.st;
  const id = worker.id();
  app.sample = { id, prime: st.prime, text: '', active: true, chunks: 0 };
  const seed = (st.seed * 7919 + (startSample.count = (startSample.count || 0) + 1)) >>> 0;
  worker.send({ type: Cmd.SAMPLE, id, prime: st.prime, length: st.sampleLen, temperature: st.temperature, topK: st.topK, seed });
  unsay('sample');
  markDirty('sample');
}

// -----------------------------------------------------------------------------------------------------------------
// Comparison: one worker per cell

function startCompare() {
  if (!app.text) return;
  // The three workers get the CPU; the main model resumes when the comparison stops if it was training.
  const resumeMain = app.running || Boolean(app.compare && !app.compare.stopped && app.compare.resumeMain);
  if (app.compare) stopCompare({ resume: false });
  if (app.running) pause();
  const config = S.modelConfig(app.st);
  const text = app.text;
  const runs = {};
  for (const cell of CELLS) {
    const run = { cell, model: null, step: 0, hist: new LossHistory(), val: [], last: null, sample: '', error: null, charsPerSec: 0 };
    run.client = new WorkerClient((msg, client) => onCompareEvent(run, msg, client));
    run.config = { ...config, cell };
    run.text = text;
    runs[cell] = run;
  }
  app.compare = { runs, resumeMain };
  /** @type {HTMLButtonElement} */ ($('btn-compare-stop')).disabled = false;
  $('btn-compare').textContent = 'Restart comparison';
  markDirty('compare');
}

function onCompareEvent(run, msg, client) {
  if (!app.compare || app.compare.runs[run.cell] !== run) return;
  switch (msg.type) {
    case Evt.READY:
      client
        .request({ type: Cmd.CREATE, config: run.config, text: run.text })
        .then((m) => {
          run.model = { info: m.info };
          client.send({ type: Cmd.START });
          markDirty('compare');
        })
        .catch((err) => {
          run.error = err.message;
          markDirty('compare');
        });
      break;
    case Evt.PROGRESS:
      onProgress(run, msg);
      markDirty('compare');
      break;
    case Evt.AUTOSAMPLE:
      run.sample = msg.prime + msg.text;
      markDirty('compare');
      break;
    case Evt.ERROR:
      run.error = msg.message;
      markDirty('compare');
      break;
    case 'crash':
      run.error = `worker crashed: ${msg.message}`;
      markDirty('compare');
      break;
    default:
      break;
  }
}

function stopCompare({ resume = true } = {}) {
  if (!app.compare || app.compare.stopped) return;
  for (const cell of CELLS) app.compare.runs[cell].client.terminate();
  // Keep the curves on screen; the workers are gone.
  const { runs, resumeMain } = app.compare;
  app.compare = { runs, stopped: true };
  if (resume && resumeMain && !app.running) start();
  for (const cell of CELLS) runs[cell].client = null;
  /** @type {HTMLButtonElement} */ ($('btn-compare-stop')).disabled = true;
  $('btn-compare').textContent = 'Start comparison';
  markDirty('compare');
}

// -----------------------------------------------------------------------------------------------------------------
// Autosave and restore

/** Keep a `GET_BYTES` answer's model and training state, to rebuild from after a worker crash. */
function rememberLastGood(r) {
  app.lastBytes = r.bytes;
  app.lastTrainingState = r.trainingState ?? null;
}

async function autosave(force = false) {
  if (!app.model || app.restore || app.step === app.lastSaveStep) return;
  if (!force && !saver.due()) return;
  try {
    const r = await worker.request({ type: Cmd.GET_BYTES });
    rememberLastGood(r);
    const tail = app.hist.tail(200_000);
    const ok = await saver.write({
      savedAt: Date.now(),
      state: { ...app.st },
      text: app.text,
      textLabel: app.textLabel,
      bytes: r.bytes,
      trainingState: r.trainingState,
      step: r.step,
      cell: app.model.info.cell,
      lossOffset: tail.offset,
      losses: tail.losses,
    });
    if (ok) {
      // Written together with any save asked for meanwhile: say what is stored now.
      const step = saver.lastSaved.step;
      app.lastSaveStep = step;
      $('autosave-info').textContent = `Autosaved in this browser at step ${step} (${clock(new Date(saver.lastSaved.savedAt))}).`;
    } else if (saver.lastError) {
      $('autosave-info').textContent = `Autosave is not working here: ${saver.lastError}`;
    }
  } catch {
    // The model changed or the worker restarted meanwhile; the next tick tries again.
  }
}

const saver = new store.Autosaver(AUTOSAVE_MS);
setInterval(() => {
  if (app.running) autosave(false);
}, 1000);

async function offerRestore() {
  const rec = await store.load();
  if (!rec || app.restoreDecided) return;
  app.restore = rec;
  const ago = Math.max(0, Math.round((Date.now() - rec.savedAt) / 60000));
  const when = ago < 1 ? 'less than a minute ago' : ago === 1 ? '1 minute ago' : ago < 120 ? `${ago} minutes ago` : `${new Date(rec.savedAt).toDateString()} ${clock(new Date(rec.savedAt))}`;
  $('restore-text').textContent = `Your last session left a ${CELL_NAMES[rec.cell] ?? rec.cell} model in this browser (step ${num(rec.step)}, ${num(charCount(rec.text))} characters of text, saved ${when}). Autosave is paused until you choose.`;
  $('restore').hidden = false;
}

async function restoreSaved() {
  const rec = app.restore;
  if (!rec) return;
  app.restore = null;
  app.restoreDecided = true;
  $('restore').hidden = true;
  if (app.running) pause();
  const state = { ...S.defaults(), ...rec.state };
  try {
    await loadModelBytes(rec.bytes.slice(), 'your autosaved model', { state, text: rec.text, trainingState: rec.trainingState?.slice() ?? null });
    app.textLabel = rec.textLabel || 'restored text';
    if (rec.losses && rec.losses.length) {
      app.hist = new LossHistory(rec.lossOffset ?? 0);
      app.hist.append(rec.lossOffset ?? 0, rec.losses);
    }
    app.lastSaveStep = rec.step;
    unsay('corpus'); // a warning about the link's text no longer applies
    markDirty('chart', 'controls', 'status');
  } catch (err) {
    say(`Could not restore the autosaved model: ${err.message}. Your current model is unchanged.`, 'error', 'restore');
  }
}

function discardSaved() {
  app.restore = null;
  app.restoreDecided = true;
  $('restore').hidden = true;
  store.clear();
}

// -----------------------------------------------------------------------------------------------------------------
// Text input

/**
 * Characters (Unicode scalar values, as the model counts them; not UTF-16 units) and distinct characters of `text`,
 * in one pass. The last answer is kept: redraws ask about the same text, which may be millions of characters long.
 * @param {string} text
 * @returns {{chars: number, distinct: number}}
 */
function textStats(text) {
  if (text !== textStats.text) {
    const seen = new Set();
    let chars = 0;
    for (const c of text) {
      chars++;
      seen.add(c);
    }
    textStats.text = text;
    textStats.stats = { chars, distinct: seen.size };
  }
  return textStats.stats;
}

function distinct(text) {
  return textStats(text).distinct;
}

function charCount(text) {
  return textStats(text).chars;
}

/** Why `text` cannot be trained on (a sentence), or null when it can. */
function textProblem(text) {
  if (text.length === 0) return 'The text is empty. Paste or type some text first — nothing was changed.';
  if (text.trim().length === 0) return 'The text is only whitespace; give it something to learn. Nothing was changed.';
  if (charCount(text) < 2) return 'The text needs at least two characters. Nothing was changed.';
  if (text.length > MAX_TEXT_CHARS) return `The text has ${num(text.length)} characters; the limit here is ${num(MAX_TEXT_CHARS)}. Nothing was changed.`;
  return null;
}

/** Make `text` the text being learnt: its label, its corpus name, and the link's copy of it when it fits. */
function setTextState(text, label, corpusName) {
  app.text = text;
  app.textLabel = label;
  app.st.corpus = corpusName;
  app.st.text = corpusName === 'custom' && text.length <= S.prop('text').maxLength ? text : '';
}

/** After a text change: say so when the link cannot carry the text. */
function noteShareableText(corpusName) {
  if (corpusName === 'custom' && !app.st.text) {
    say('This text is too long to put into a shareable link; a link to this page opens with the built-in text.', 'info', 'share-text');
  }
}

/**
 * Train on new text: a fresh model with the current settings (the vocabulary comes from the text).
 * Empty or too-short text is refused with a message and nothing changes.
 */
async function useText(text, label, corpusName) {
  const problem = textProblem(text);
  if (problem) {
    say(problem, 'error', 'text');
    return false;
  }
  // The new model is built with the settings in the form, edits not yet built included.
  const form = readModelForm();
  showFieldProblems(form.problems);
  if (!form.ok) {
    say(`Check the model settings first: ${form.problems.map((p) => p.message).join('; ')}. Nothing was changed.`, 'error', 'text');
    return false;
  }
  const prev = { text: app.text, label: app.textLabel, st: app.st };
  const wasRunning = app.running || !app.model;
  app.st = form.state;
  setTextState(text, label, corpusName);
  try {
    await buildModel({ start: wasRunning });
    unsay('text');
    noteShareableText(corpusName);
    markDirty('controls');
    return true;
  } catch (err) {
    app.text = prev.text;
    app.textLabel = prev.label;
    app.st = prev.st;
    say(`Could not train on this text: ${err.message}. The current model is unchanged.`, 'error', 'text');
    markDirty('controls');
    return false;
  }
}

/**
 * Keep training the current model, weights, optimizer and step as they are, on new text (the worker's set-text).
 * The text must use only characters the model knows; otherwise the message names the others and nothing changes.
 * Training starts (or goes on) when it succeeds.
 */
async function continueOnText(text, label, corpusName) {
  const problem = textProblem(text);
  if (problem) {
    say(problem, 'error', 'text');
    return false;
  }
  if (!app.model) {
    say('There is no model yet to keep training; “Train on this text” builds one.', 'error', 'text');
    return false;
  }
  const missing = missingChars(text, app.model.info.vocab);
  if (missing.length) {
    say(
      `This model does not know ${charList(missing)}, so it cannot learn this text as it is. Remove those characters, ` +
        'or use “Train on this text” for a new model whose vocabulary fits it. Nothing was changed.',
      'error',
      'text',
    );
    return false;
  }
  const generation = app.modelGeneration;
  try {
    await worker.request({ type: Cmd.SET_TEXT, text });
  } catch (err) {
    say(`Could not keep training on this text: ${err.message}. The model and its text are unchanged.`, 'error', 'text');
    return false;
  }
  if (generation !== app.modelGeneration) return false; // another model was put in place meanwhile
  setTextState(text, label, corpusName);
  S.writeState(app.st);
  unsay('text');
  unsay('loaded');
  say(`The ${CELL_NAMES[app.model.info.cell] ?? app.model.info.cell} model goes on from step ${num(app.step)} on ${label}.`, 'info', 'text');
  noteShareableText(corpusName);
  markDirty('controls', 'status');
  start();
  return true;
}

/** The distinct characters of `text` that are not in `vocab`, in order of appearance. */
function missingChars(text, vocab) {
  const known = new Set(vocab);
  const out = new Set();
  for (const c of text) if (!known.has(c)) out.add(c);
  return Array.from(out);
}

/**
 * A training text made only of the model's own characters (its vocabulary, repeated), just long enough for the
 * current sequence length, batch and validation share: what a loaded model is paired with when the visitor's
 * text uses characters it does not know.
 */
function standInText(vocab, st) {
  const need = Math.ceil((st.batch * (st.seqLen + 1) + 1) / (1 - st.valFraction)) + 1;
  return vocab.join('').repeat(Math.max(2, Math.ceil(need / vocab.length)));
}

/** Up to `max` characters, readable (named when invisible), for messages. */
function charList(chars, max = 12) {
  const shown = chars.slice(0, max).map(charName).join(', ');
  return chars.length > max ? `${shown} and ${chars.length - max} more` : shown;
}

/**
 * Load a model file the visitor chose or dropped. A model trains on (and is kept with) a text it can read. When
 * the current text uses characters the file's vocabulary lacks — a PyTorch model trained on other text, say — the
 * model still loads, paused, with a stand-in text made of its own characters, so the visitor can look inside it;
 * the message names the missing characters and says how to train it on real text.
 * @param {Uint8Array} bytes
 * @param {string} name the file's name
 */
async function loadModelFile(bytes, name) {
  // The worker reads the file as loading would (a copy: the bytes are still needed here), so a bad file is refused
  // with its reason before anything changes.
  const { vocab } = await worker.request({ type: Cmd.INSPECT, bytes });
  const missing = missingChars(app.text, vocab);
  // Before the first model there is no text yet: the stand-in serves then too.
  if (!missing.length && app.text) {
    await loadModelBytes(bytes, `“${name}”`);
    return;
  }
  const text = standInText(vocab, app.st);
  const state = { ...app.st, corpus: 'custom', text: text.length <= S.prop('text').maxLength ? text : '' };
  // The text box too: if it holds characters the model does not know, show it the ones it does.
  const probeMissing = missingChars(app.st.probe, vocab).length > 0;
  if (probeMissing) state.probe = vocab.filter((c) => c.codePointAt(0) >= 0x20 && c !== '\u007f').slice(0, 200).join('');
  const msg = await loadModelBytes(bytes, `“${name}”`, { quiet: true, state, text });
  app.textLabel = `stand-in text made of the characters “${name}” knows`;
  // renderControls leaves a focused box alone (the visitor may be typing); this change is the page's own.
  if (probeMissing) /** @type {HTMLInputElement} */ ($('probe-text')).value = app.st.probe;
  markDirty('controls');
  const info = msg.info;
  say(
    `Loaded “${name}”: ${CELL_NAMES[info.cell] ?? info.cell}, ${info.layers} × ${info.hidden} units, ` +
      `${info.vocab.length}-character vocabulary (${info.vocab.slice(0, 60).map(displayChar).join(' ')}${info.vocab.length > 60 ? ' …' : ''}), step ${info.step}. ` +
      (missing.length ? `It does not know ${charList(missing)} from the text it would have trained on, so it` : 'It') +
      ` waits, paused, with a stand-in text made of its own characters${probeMissing ? ', and “Text to look at” now holds the characters it knows' : ''}. ` +
      'Type in “Text to look at” to see what it predicts. To train it on real text, paste a text that uses only ' +
      'its characters under “Text to learn” and press “Keep training this model on it”.',
    'info',
    'loaded',
  );
}

/** Read a dropped or chosen file: a .safetensors model, or UTF-8 text. */
async function openFile(file, { as = 'auto' } = {}) {
  if (!file) return;
  if (file.size > MAX_FILE_BYTES) {
    say(`“${file.name}” is ${(file.size / 1048576).toFixed(1)} MB; files up to ${MAX_FILE_BYTES / 1048576} MB can be opened here.`, 'error', 'file');
    return;
  }
  let buf;
  try {
    buf = new Uint8Array(await file.arrayBuffer());
  } catch (err) {
    say(`Could not read “${file.name}”: ${err.message}`, 'error', 'file');
    return;
  }
  const isModel = as === 'model' || (as === 'auto' && /\.safetensors$/i.test(file.name));
  if (isModel) {
    try {
      await loadModelFile(buf, file.name);
      unsay('file');
    } catch (err) {
      say(`Could not load “${file.name}” as a model: ${err.message}. The current model is unchanged.`, 'error', 'file');
    }
    return;
  }
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    say(`“${file.name}” is not UTF-8 text, so it cannot be used as training text. (To load a model, use a .safetensors file.)`, 'error', 'file');
    return;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (await useText(text, `file “${file.name}”`, 'custom')) {
    unsay('file');
    /** @type {HTMLTextAreaElement} */ ($('paste')).value = text.length <= 100_000 ? text : '';
  }
}

// -----------------------------------------------------------------------------------------------------------------
// Model form

/** Read and validate the model form: {ok, state, problems: [{name, message}]}. */
function readModelForm() {
  const state = { ...app.st };
  const problems = [];
  for (const name of ['cell', 'nonlinearity', 'hidden', 'layers', 'seqLen', 'batch', 'optimizer', 'seed', 'valFraction']) {
    const el = /** @type {HTMLInputElement} */ ($(name));
    const r = S.validate(name, el.value);
    if (r.ok) state[name] = r.value;
    else problems.push({ name, message: r.message });
  }
  return { ok: problems.length === 0, state, problems };
}

function showFieldProblems(problems) {
  for (const name of ['cell', 'nonlinearity', 'hidden', 'layers', 'seqLen', 'batch', 'optimizer', 'seed', 'valFraction']) {
    const el = $(name);
    const p = problems.find((q) => q.name === name);
    if (p) {
      el.setAttribute('aria-invalid', 'true');
      el.title = p.message;
    } else {
      el.removeAttribute('aria-invalid');
      el.removeAttribute('title');
    }
  }
}

async function submitModelForm() {
  const form = readModelForm();
  showFieldProblems(form.problems);
  if (!form.ok) {
    say(`Check the model settings: ${form.problems.map((p) => p.message).join('; ')}.`, 'error', 'build');
    $(form.problems[0].name).focus();
    return;
  }
  const problems = S.sizeProblems(form.state, distinct(app.text));
  if (problems.length) {
    say(`That model is too big: ${problems.join('; ')}.`, 'error', 'build');
    return;
  }
  const prev = app.st;
  app.st = form.state;
  try {
    await buildModel({ start: true });
  } catch (err) {
    app.st = prev;
    say(`The model was not built: ${err.message}. The current model is unchanged.`, 'error', 'build');
  }
  markDirty('controls');
}

// -----------------------------------------------------------------------------------------------------------------
// Learning-rate slider (log scale)

function setLrControls(lr) {
  const range = /** @type {HTMLInputElement} */ ($('lr-range'));
  const num = /** @type {HTMLInputElement} */ ($('lr-num'));
  range.value = String(Math.log10(lr));
  range.setAttribute('aria-valuetext', `learning rate ${formatLr(lr)}`);
  if (document.activeElement !== num) num.value = String(lr);
  $('lr-out').textContent = formatLr(lr);
}

function formatLr(lr) {
  return lr >= 0.001 ? String(Number(lr.toPrecision(3))) : lr.toExponential(2);
}

function setLr(lr) {
  app.st.lr = lr;
  if (app.model) worker.send({ type: Cmd.SET_PARAMS, lr });
  setLrControls(lr);
  writeStateSoon();
}

let stateTimer = 0;
function writeStateSoon() {
  clearTimeout(stateTimer);
  stateTimer = setTimeout(() => S.writeState(app.st), 200);
}

// -----------------------------------------------------------------------------------------------------------------
// Wiring

function wire() {
  $('btn-run').addEventListener('click', () => (app.running ? pause() : start()));
  $('btn-step').addEventListener('click', (e) => {
    if (!app.model) return;
    app.running = false;
    worker.send({ type: Cmd.STEP, n: e.shiftKey ? 10 : 1 });
    markDirty('status');
  });
  $('btn-reset').addEventListener('click', async () => {
    try {
      await buildModel({ start: app.running });
    } catch (err) {
      say(`Could not reset: ${err.message}`, 'error', 'build');
    }
  });

  const range = /** @type {HTMLInputElement} */ ($('lr-range'));
  range.addEventListener('input', () => setLr(Number((10 ** Number(range.value)).toPrecision(3))));
  const num = /** @type {HTMLInputElement} */ ($('lr-num'));
  num.addEventListener('change', () => {
    const r = S.validate('lr', num.value);
    if (!r.ok || r.value <= 0) {
      num.setAttribute('aria-invalid', 'true');
      say(`Learning rate: ${r.ok ? 'must be above 0' : r.message}.`, 'error', 'lr');
      return;
    }
    num.removeAttribute('aria-invalid');
    unsay('lr');
    setLr(r.value);
  });
  const clip = /** @type {HTMLInputElement} */ ($('clip'));
  clip.addEventListener('change', () => {
    const r = S.validate('clip', clip.value);
    if (!r.ok) {
      clip.setAttribute('aria-invalid', 'true');
      say(`Clipping: ${r.message} (0 turns clipping off).`, 'error', 'clip');
      return;
    }
    clip.removeAttribute('aria-invalid');
    unsay('clip');
    app.st.clip = r.value;
    if (app.model) worker.send({ type: Cmd.SET_PARAMS, clip: r.value });
    writeStateSoon();
  });
  for (const r of document.querySelectorAll('input[name="units"]')) {
    r.addEventListener('change', (e) => {
      app.st.units = /** @type {HTMLInputElement} */ (e.target).value;
      writeStateSoon();
      markDirty('status', 'chart', 'compare');
    });
  }

  // Text to look at: every keystroke sends only the new characters (the worker's probe is incremental).
  const probe = /** @type {HTMLInputElement} */ ($('probe-text'));
  probe.addEventListener('input', () => {
    app.st.probe = probe.value;
    app.probe.pos = -1;
    requestProbe();
    writeStateSoon();
  });
  const pos = /** @type {HTMLInputElement} */ ($('predict-pos'));
  pos.addEventListener('input', () => {
    app.probe.pos = Number(pos.value);
    markDirty('guesses');
  });

  // Text to learn.
  const corpus = /** @type {HTMLSelectElement} */ ($('corpus'));
  corpus.addEventListener('change', async () => {
    const name = corpus.value;
    if (name === 'custom') {
      $('paste').focus();
      return;
    }
    try {
      const text = await corpusText(name);
      await useText(text, `built-in “${name}”`, name);
    } catch (err) {
      say(`Could not open “${name}”: ${err.message}`, 'error', 'text');
    }
  });
  $('btn-use-paste').addEventListener('click', () => {
    useText(/** @type {HTMLTextAreaElement} */ ($('paste')).value, 'your pasted text', 'custom');
  });
  $('btn-continue-paste').addEventListener('click', () => {
    continueOnText(/** @type {HTMLTextAreaElement} */ ($('paste')).value, 'your pasted text', 'custom');
  });
  const fileText = /** @type {HTMLInputElement} */ ($('file-text'));
  fileText.addEventListener('change', async () => {
    await openFile(fileText.files?.[0], { as: 'auto' });
    fileText.value = '';
  });
  const fileModel = /** @type {HTMLInputElement} */ ($('file-model'));
  fileModel.addEventListener('change', async () => {
    await openFile(fileModel.files?.[0], { as: 'model' });
    fileModel.value = '';
  });
  document.addEventListener('dragover', (e) => {
    if (e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files')) {
      e.preventDefault();
      document.body.classList.add('dragging');
    }
  });
  document.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) document.body.classList.remove('dragging');
  });
  document.addEventListener('drop', (e) => {
    document.body.classList.remove('dragging');
    const f = e.dataTransfer?.files?.[0];
    if (!f) return;
    e.preventDefault();
    openFile(f, { as: 'auto' });
  });

  // Model form.
  $('model-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submitModelForm();
  });
  $('model-form').addEventListener('input', () => {
    app.formEdited = true;
    app.formEdits++;
    /** @type {HTMLSelectElement} */ ($('nonlinearity')).disabled = /** @type {HTMLSelectElement} */ ($('cell')).value !== 'rnn';
    renderSizeHint();
  });
  $('btn-share').addEventListener('click', async () => {
    S.writeState(app.st);
    const url = location.href;
    try {
      await navigator.clipboard.writeText(url);
      say('Link copied. Opening it reproduces this setup: text, model, seed and settings.', 'info', 'share');
    } catch {
      say(`Copy this link to share the setup: ${url}`, 'info', 'share');
    }
  });

  // Inside view.
  for (const id of ['tensor', 'layer', 'colour-by']) $(id).addEventListener('change', () => markDirty('inside'));

  // Sampling.
  const temp = /** @type {HTMLInputElement} */ ($('temperature'));
  const argmax = /** @type {HTMLInputElement} */ ($('argmax'));
  temp.addEventListener('input', () => {
    app.st.temperature = Number(temp.value);
    markDirty('controls');
    writeStateSoon();
  });
  argmax.addEventListener('change', () => {
    app.st.temperature = argmax.checked ? 0 : Number(temp.value) || 0.8;
    markDirty('controls');
    writeStateSoon();
  });
  const bindField = (id, name) => {
    const el = /** @type {HTMLInputElement} */ ($(id));
    el.addEventListener('change', () => {
      const r = S.validate(name, el.value);
      if (!r.ok) {
        el.setAttribute('aria-invalid', 'true');
        say(`${r.message}.`, 'error', name);
        return;
      }
      el.removeAttribute('aria-invalid');
      unsay(name);
      app.st[name] = r.value;
      writeStateSoon();
    });
  };
  bindField('sample-len', 'sampleLen');
  bindField('topk', 'topK');
  bindField('prime', 'prime');
  $('prime').addEventListener('input', () => {
    app.st.prime = /** @type {HTMLInputElement} */ ($('prime')).value;
  });
  $('btn-sample').addEventListener('click', () => {
    for (const id of ['sample-len', 'topk']) {
      if ($(id).getAttribute('aria-invalid') === 'true') {
        say('Fix the sampling settings first.', 'error', 'sample');
        return;
      }
    }
    startSample();
  });
  $('btn-sample-stop').addEventListener('click', () => {
    worker.send({ type: Cmd.SAMPLE_CANCEL });
  });

  // Compare.
  $('btn-compare').addEventListener('click', startCompare);
  $('btn-compare-stop').addEventListener('click', () => stopCompare());

  // Keep.
  $('btn-download').addEventListener('click', async () => {
    try {
      const r = await worker.request({ type: Cmd.GET_BYTES });
      rememberLastGood(r);
      const info = app.model.info;
      const blob = new Blob([r.bytes], { type: 'application/octet-stream' });
      const a = /** @type {HTMLAnchorElement} */ ($('download-link'));
      const url = URL.createObjectURL(blob);
      a.href = url;
      a.download = `rnnscope-${info.cell}-${info.layers}x${info.hidden}-step${r.step}.safetensors`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      say(`Could not download the model: ${err.message}`, 'error', 'download');
    }
  });
  $('restore-yes').addEventListener('click', restoreSaved);
  $('restore-no').addEventListener('click', discardSaved);

  window.addEventListener('hashchange', () => {
    // A pasted link in the same tab: take its settings over (the visitor rebuilds with the button).
    const r = S.readState();
    for (const p of r.problems) say(p, 'warn', p);
    const modelChanged = S.PROPS.some((p) => p.model && r.state[p.name] !== app.st[p.name]);
    app.st = r.state;
    markDirty('controls', 'status', 'chart');
    if (modelChanged) say('The link describes a different setup; press “Build and train” to use it.', 'info', 'hash');
  });

  window.addEventListener('pagehide', () => {
    autosave(true);
  });
}

// -----------------------------------------------------------------------------------------------------------------
// Test hooks (read-only views of the state, for the browser tests and the curious)

window.rnnscope = {
  /** Per-step training losses (nats/char) recorded since the model was built, in step order. */
  lossHistory: () => app.hist.toArray(),
  /** The step the loss history starts after. */
  lossOffset: () => app.hist.offset,
  step: () => app.step,
  running: () => app.running,
  state: () => ({ ...app.st }),
  /** The model as it was put in place: shape, vocabulary, and its step then (`step()` is the live one). */
  info: () => (app.model ? { ...app.model.info } : null),
  /** Pieces in which the worker has sent the current sample so far. */
  sampleChunks: () => app.sample.chunks,
  /** The current probe (ProbeData) of the text box, or null. */
  probe: () => app.probe.data,
  /** Counts models put in place (build, load, restore, recovery). */
  modelGeneration: () => app.modelGeneration || 0,
  /** Counts probe results applied to the page. */
  probeGeneration: () => app.probe.generation || 0,
  /** Draw every part of the page on the next frame, on screen or not (before a full-page screenshot). */
  drawEverything: () =>
    new Promise((resolve) => {
      drawAll = true;
      for (const [name] of PARTS) dirty.add(name);
      cancelAnimationFrame(frame);
      frame = 0;
      requestAnimationFrame(() => {
        render();
        requestAnimationFrame(() => resolve(true));
      });
    }),
  /** What came back with the current model's training state (`{restored, note?}`), or null if none was given. */
  resumed: () => app.model?.resumed ?? null,
  /** True once a model exists and the text box has been probed with it. */
  ready: () => !!app.model && !!app.probe.data,
  /** Resolves once every change made so far is drawn, except in panels scrolled out of view (they draw when seen). */
  drawn: () => new Promise((resolve) => {
    const wanted = new Set(dirty.has('probe') ? [...dirty, ...PROBE_PARTS] : dirty);
    wanted.delete('probe');
    const since = new Map([...wanted].map((name) => [name, drawCount.get(name) ?? 0]));
    drawWaiters.push({ since, resolve });
    settleDrawWaiters();
  }),
};

// -----------------------------------------------------------------------------------------------------------------
// Start

for (const p of initial.problems) say(p, 'warn', p);
wire();
markDirty('controls', 'status', 'chart', 'probe', 'inside', 'sample', 'compare');
offerRestore();
