// "Look across the text": a units × characters heatmap of h, c or a gate, and the text coloured by a picked unit,
// by the loss per character, or with the top-5 guesses under each character.

import { Panel } from './panel.js';
import { Heatmap } from '../views/heatmap.js';
import { ColoredText } from '../views/textcolor.js';
import { displayChar, fmt } from '../views/format.js';
import { Parts } from '../scope/parts.js';

/** Whether gate `name` of `cell` is a tanh (−1..1) rather than a sigmoid (0..1). */
function gateIsTanh(cell, name) {
  return (cell === 'lstm' && name === 'g') || (cell === 'gru' && name === 'n');
}

function tensorLabel(which, d) {
  if (which === 'c') return 'cell state';
  if (which.startsWith('gate:')) return `gate ${d.gateNames[Number(which.slice(5))]}`;
  return 'hidden state';
}

export class InsidePanel extends Panel {
  static html = `
    <section id="inside" class="panel wide" aria-labelledby="inside-h" part="heatmap">
      <h2 id="inside-h">Look across the text</h2>
      <p class="howto">Units × characters for the text above. Pick a unit (click a row or press Enter on it) to colour
        the text by that unit’s activation, or colour it by how surprised the model was by each character.</p>
      <div class="row">
        <label for="tensor">Show
          <select id="tensor" data-testid="tensor"></select>
        </label>
        <label for="layer">Layer
          <select id="layer" data-testid="layer"></select>
        </label>
        <label for="colour-by">Colour the text by
          <select id="colour-by" data-testid="colour-by">
            <option value="loss">surprise (loss per character)</option>
            <option value="unit">the picked unit</option>
            <option value="topk">top-5 guesses under each character</option>
          </select>
        </label>
      </div>
      <div id="heatmap" class="heatmap-box" data-testid="heatmap"></div>
      <div id="textcolor" class="textcolor-box" data-testid="textcolor"></div>
    </section>`;

  static parts = [
    [Parts.CONTROLS, 'renderOptions'],
    [Parts.INSIDE, 'render'],
  ];

  wire() {
    this.heatmap = new Heatmap(this.$('heatmap'), { label: 'activations' });
    this.textColor = new ColoredText(this.$('textcolor'));
    this.heatmap.onPick((row) => this.pick(row));
    for (const id of ['tensor', 'layer', 'colour-by']) this.$(id).addEventListener('change', () => this.dirty(Parts.INSIDE));
  }

  /** Pick unit `j` (the element's API: colour the text by it). */
  pick(j) {
    this.$('colour-by').value = 'unit';
    this.scope.instruments.chooseUnit(j);
  }

  /** The tensors the heatmap can show for the current model. */
  tensorOptions() {
    const info = this.scope.model?.info;
    if (!info) return [];
    const opts = [{ value: 'h', label: 'hidden state h' }];
    if (info.cell === 'lstm') opts.push({ value: 'c', label: 'cell state c' });
    info.gateNames.forEach((g, i) => opts.push({ value: `gate:${i}`, label: `gate ${g}` }));
    return opts;
  }

  renderOptions() {
    const sel = this.$('tensor');
    const opts = this.tensorOptions();
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
    const layerSel = this.$('layer');
    const L = this.scope.model?.info.layers ?? 1;
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
    // Here, not in render(): controls are drawn even while the panel is out of view, and a pick brings it into view.
    this.applyPick();
  }

  /** An instrument asked to show a unit: its layer and tensor in the selects, the text coloured by it. */
  applyPick() {
    const pick = this.scope.instruments.unitPick;
    if (!pick || pick.seq === this.appliedPick) return;
    this.appliedPick = pick.seq;
    const tensor = this.$('tensor');
    if (Array.from(tensor.options).some((o) => o.value === pick.tensor)) tensor.value = pick.tensor;
    const layer = this.$('layer');
    if (pick.layer < layer.options.length) layer.value = String(pick.layer);
    this.$('colour-by').value = 'unit';
    this.el.scrollIntoView?.({ block: 'nearest' });
  }

  render() {
    const s = this.scope;
    const d = s.probe.data;
    if (!d || d.steps === 0) {
      this.heatmap.render(new Float32Array(0), 0, 0);
      this.textColor.render([], [], { scale: 'sequential', label: 'nothing to show yet' });
      return;
    }
    const L = d.layers;
    const H = d.hidden;
    const G = d.gateNames.length;
    const layer = Math.min(L - 1, Math.max(0, Number(this.$('layer').value) || 0));
    const which = this.$('tensor').value || 'h';
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
    this.heatmap.render(values, H, d.steps, { accessor, scale, min, max, colLabel, rowLabel });
    const picked = s.instruments.unit < H ? s.instruments.unit : -1;
    this.heatmap.select(picked);
    const mode = this.$('colour-by').value;
    if (mode === 'unit' && picked >= 0) {
      const j = picked;
      const unitVals = new Float32Array(d.steps);
      for (let t = 0; t < d.steps; t++) unitVals[t] = values[accessor(j, t)];
      this.textColor.render(d.chars, unitVals, { scale, min, max, label: `${tensorLabel(which, d)}, unit ${j}, layer ${layer + 1}` });
    } else if (mode === 'topk') {
      this.textColor.renderTopK(d.chars, d.probs, d.vocab.length, d.vocab, 5);
    } else {
      const maxLoss = Math.max(1, Math.ceil(Math.log(d.vocab.length) + 1));
      this.textColor.render(d.chars, d.loss, {
        scale: 'sequential',
        min: 0,
        max: maxLoss,
        label: mode === 'unit' ? 'surprise at the next character, nats (pick a unit in the map to colour by it)' : 'surprise at the next character (loss, nats)',
        format: (v) => `${fmt(v, 2)} nats`,
      });
    }
  }
}
