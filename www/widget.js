// An anywidget entry (`export default { render({ model, el }) }`), so MyST / Jupyter Book 2 pages can show an
// <rnn-scope> with their {anywidget} directive, and Jupyter through anywidget (the Python package, python/). The
// widget's model holds the element's attributes by name (`view`, `model`, `corpus`, `probe`, `hidden-size` or
// `hidden_size`, `seq-len` or `seq_len`, …); a change to one of them changes the attribute. Besides them:
//
//   text          a training text (the element's content)
//   model_bytes   a .safetensors model as bytes (Python sends them; no server URL is involved)
//
// and, where the model has them (the Python widget's traits; a static page's model has none), what the element
// reports back: `step`, `loss` (the last training loss, nats/char), `guesses` (the top five next characters after
// the text shown, `[[char, p], …]`), `info` (the model in place: `{cell, nonlinearity, hidden, layers, vocab, params}`),
// and `exported` with `exported_step` (the model's bytes, refreshed when training pauses or stops and every EXPORT_MS
// while it trains).

import './rnn-scope.js';

const ATTRIBUTES = customElements.get('rnn-scope').observedAttributes.filter((a) => a !== 'url-state' && a !== 'autosave');
/** Older spellings of an attribute a widget model may still use. */
const ALIASES = { 'hidden-size': ['hidden'] };
/** How often the element's reports are read, ms. */
const REPORT_MS = 500;
/** How often the model is exported while it trains, ms. */
const EXPORT_MS = 10_000;

/** The widget model's value for an attribute, under its own name, with underscores, or an older spelling. */
function valueOf(model, attr) {
  for (const name of [attr, attr.replace(/-/g, '_'), ...(ALIASES[attr] ?? [])]) {
    const v = model.get(name);
    if (v !== undefined && v !== null && v !== '') return String(v);
  }
  return null;
}

/** Bytes from what a widget model holds for a binary trait (a DataView, an ArrayBuffer, a typed array), or null. */
function bytesOf(v) {
  if (v instanceof DataView || ArrayBuffer.isView(v)) return v.byteLength ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice() : null;
  if (v instanceof ArrayBuffer) return v.byteLength ? new Uint8Array(v.slice(0)) : null;
  return null;
}

/** What the widget model's `info` holds: the model in place, without what changes as it trains. */
function modelInfo(info) {
  const { cell, nonlinearity = null, hidden, layers, vocab, params } = info;
  return { cell, nonlinearity, hidden, layers, vocab: [...vocab], params };
}

/** The top five next characters after the last position of a probe, `[[char, p], …]`. */
function topGuesses(d) {
  if (!d || d.steps === 0) return [];
  const V = d.vocab.length;
  const t = d.steps - 1;
  const order = Array.from({ length: V }, (_, v) => v).sort((a, b) => d.probs[t * V + b] - d.probs[t * V + a]);
  return order.slice(0, 5).map((v) => [d.vocab[v], Number(d.probs[t * V + v].toFixed(4))]);
}

export default {
  render({ model, el }) {
    const scope = document.createElement('rnn-scope');
    const sync = () => {
      for (const attr of ATTRIBUTES) {
        const v = valueOf(model, attr);
        if (v === null) scope.removeAttribute(attr);
        else if (scope.getAttribute(attr) !== v) scope.setAttribute(attr, v);
      }
    };
    sync();
    const text = model.get('text');
    if (typeof text === 'string' && text) scope.textContent = text;
    el.append(scope);
    const loadBytes = () => {
      const bytes = bytesOf(model.get('model_bytes'));
      if (bytes) scope.load(bytes).catch(() => {}); // the element says why a file is refused
    };
    loadBytes();
    const names = [...ATTRIBUTES.flatMap((attr) => [attr, attr.replace(/-/g, '_'), ...(ALIASES[attr] ?? [])]), 'text', 'model_bytes'];
    const off = [...new Set(names)].map((name) => {
      const handler = name === 'model_bytes' ? loadBytes : name === 'text' ? () => model.get('text') && scope.learn(model.get('text')) : sync;
      model.on(`change:${name}`, handler);
      return () => model.off(`change:${name}`, handler);
    });

    // What the element reports, into the model's traits, where it has them.
    const reports = typeof model.save_changes === 'function' && model.get('step') !== undefined;
    const infoReported = reports && model.get('info') !== undefined;
    let timer = 0;
    if (reports) {
      let shown = '';
      let exportedAt = -1;
      let lastExport = 0;
      let exporting = false;
      timer = setInterval(async () => {
        const h = scope.hooks;
        if (!h.info()) return;
        const step = h.step();
        const losses = h.lossHistory();
        const report = { step, loss: losses.length ? losses[losses.length - 1] : null, guesses: topGuesses(h.probe()) };
        if (infoReported) report.info = modelInfo(h.info());
        const key = JSON.stringify(report);
        if (key !== shown) {
          shown = key;
          for (const [k, v] of Object.entries(report)) model.set(k, v);
          model.save_changes();
        }
        const due = !h.running() || performance.now() - lastExport > EXPORT_MS;
        if (step !== exportedAt && due && !exporting) {
          exporting = true;
          try {
            const bytes = await scope.exportModel();
            exportedAt = step;
            lastExport = performance.now();
            model.set('exported', new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
            model.set('exported_step', step);
            model.save_changes();
          } catch {
            // the element was removed, or its model is being replaced: the next turn tries again
          } finally {
            exporting = false;
          }
        }
      }, REPORT_MS);
    }
    return () => {
      clearInterval(timer);
      for (const f of off) f();
      scope.remove();
    };
  },
};
