// Ablation and clamping: hold units of h (or an LSTM's c) at a value while the model reads and writes. The diagram,
// the heatmap and sampling all see the held units; the text is coloured by how much harder (orange) or easier
// (blue) each character became to predict, beside the mean loss with and without.

import { InstrumentPanel, SHOWN_CHARS, colourStages, sourceControls } from './instrument.js';
import { ColoredText } from '../views/textcolor.js';
import { charName, fmt } from '../views/format.js';
import { Parts } from '../scope/parts.js';

export class ClampsPanel extends InstrumentPanel {
  static html = `
    <section id="clamps" class="panel wide" aria-labelledby="clamps-h" part="clamps">
      <h2 id="clamps-h">Hold a unit: ablation and clamping</h2>
      <p class="howto">Hold a unit at a value after every character (0 switches it off: an ablation). The diagram, the
        heatmap and samples then come from the model with that unit held, and the text below shows which characters
        became harder to predict (orange) or easier (blue), in nats.</p>
      <form id="clamps-form" class="row" data-testid="clamps-form" novalidate>
        <label for="clamps-layer">Layer <select id="clamps-layer" data-testid="clamps-layer"></select></label>
        <label for="clamps-tensor">State <select id="clamps-tensor" data-testid="clamps-tensor"></select></label>
        <label for="clamps-unit" class="narrow">Unit <input id="clamps-unit" type="number" min="0" step="1" value="0" inputmode="numeric" data-testid="clamps-unit"></label>
        <label for="clamps-value" class="narrow">Value <input id="clamps-value" type="number" step="0.1" value="0" data-testid="clamps-value"></label>
        <button type="submit" class="primary" id="clamps-hold" data-testid="clamps-hold">Hold</button>
        <button type="button" id="clamps-picked" data-testid="clamps-picked">Use the picked unit</button>
      </form>
      <ul id="clamps-list" class="chips" aria-label="Units held" data-testid="clamps-list"></ul>
      <div class="row">
        <button type="button" id="clamps-release" data-testid="clamps-release" disabled>Release all</button>
        <button type="button" id="clamps-sample" data-testid="clamps-sample">Sample with these units held</button>
      </div>
      ${sourceControls('clamps')}
      <p id="clamps-status" class="hint" role="status" data-testid="clamps-status"></p>
      <p id="clamps-summary" data-testid="clamps-summary"></p>
      <div id="clamps-text" class="textcolor-box" data-testid="clamps-text"></div>
    </section>`;

  static parts = [...InstrumentPanel.parts, [Parts.CONTROLS, 'renderControls'], [Parts.CLAMPS, 'renderList']];

  get id() {
    return 'clamps';
  }

  wire() {
    super.wire();
    this.textColor = new ColoredText(this.$('clamps-text'));
    this.textColor.stickToEnd = false; // it grows in stages: stay at its start
    this.$('clamps-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.hold();
    });
    this.$('clamps-picked').addEventListener('click', () => {
      const pick = this.scope.instruments.unitPick;
      if (pick && (pick.tensor === 'h' || pick.tensor === 'c')) {
        this.$('clamps-layer').value = String(pick.layer);
        this.$('clamps-tensor').value = pick.tensor;
      }
      if (this.scope.instruments.unit >= 0) this.$('clamps-unit').value = String(this.scope.instruments.unit);
    });
    this.$('clamps-release').addEventListener('click', () => this.apply([]));
    this.$('clamps-sample').addEventListener('click', () => this.scope.sample.start());
  }

  renderControls() {
    const info = this.scope.model?.info;
    const L = info?.layers ?? 1;
    const layer = this.$('clamps-layer');
    if (layer.options.length !== L) {
      layer.replaceChildren(...Array.from({ length: L }, (_, l) => new Option(String(l + 1), String(l))));
    }
    const tensors = info?.cell === 'lstm' ? ['h', 'c'] : ['h'];
    const tensor = this.$('clamps-tensor');
    if (tensor.options.length !== tensors.length) {
      tensor.replaceChildren(...tensors.map((t) => new Option(t === 'h' ? 'hidden h' : 'cell c', t)));
    }
    this.$('clamps-unit').max = String(Math.max(0, (info?.hidden ?? 1) - 1));
    this.$('clamps-picked').disabled = !(this.scope.instruments.unit >= 0);
  }

  renderList() {
    const list = this.$('clamps-list');
    const clamps = this.scope.instruments.clamps;
    const layers = this.scope.model?.info.layers ?? 1;
    list.replaceChildren(...clamps.map((c, i) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'quiet';
      const name = `${c.tensor}[${c.unit}]${layers > 1 ? ` layer ${c.layer + 1}` : ''}`;
      b.textContent = `${name} = ${c.value} ×`;
      b.setAttribute('aria-label', `Release ${name}`);
      b.addEventListener('click', () => this.apply(clamps.filter((_, j) => j !== i)));
      li.append(b);
      return li;
    }));
    this.$('clamps-release').disabled = clamps.length === 0;
    if (clamps.length === 0) {
      this.report = null;
      this.$('clamps-summary').textContent = '';
      this.textColor.render([], [], { scale: 'diverging', label: 'hold a unit to see which characters it matters for' });
      this.setStatus('No unit is held.', 'ok');
    }
  }

  /** Hold the unit the form names. */
  hold() {
    const unit = Number(this.$('clamps-unit').value);
    const value = Number(this.$('clamps-value').value);
    const hidden = this.scope.model?.info.hidden ?? 0;
    if (!Number.isInteger(unit) || unit < 0 || unit >= hidden) {
      this.setStatus(`The unit must be a whole number from 0 to ${hidden - 1}.`, 'bad');
      return;
    }
    if (!Number.isFinite(value)) {
      this.setStatus('The value must be a number.', 'bad');
      return;
    }
    const c = { layer: Number(this.$('clamps-layer').value) || 0, tensor: this.$('clamps-tensor').value || 'h', unit, value };
    const rest = this.scope.instruments.clamps.filter((d) => !(d.layer === c.layer && d.tensor === c.tensor && d.unit === c.unit));
    this.apply([...rest, c]);
  }

  async apply(clamps) {
    try {
      await this.scope.instruments.setClamps(clamps);
      if (clamps.length) this.run();
    } catch (err) {
      this.setStatus(String(err?.message ?? err), 'bad');
    }
  }

  get auto() {
    return this.scope.instruments.clamps.length > 0;
  }

  request(text) {
    const clamps = this.scope.instruments.clamps;
    return clamps.length ? { kind: 'ablation', text, clamps } : null;
  }

  show(r, text) {
    const all = Array.from(text);
    const chars = all.slice(0, SHOWN_CHARS);
    const part = all.length > chars.length ? `; the first ${chars.length.toLocaleString('en')} of ${all.length.toLocaleString('en')} characters` : '';
    // Loss j−1 is that of predicting character j: colour character j by its change.
    const change = new Float32Array(chars.length).fill(NaN);
    for (let j = 1; j < chars.length; j++) {
      const a = r.base[j - 1];
      const b = r.clamped[j - 1];
      if (a !== null && b !== null) change[j] = b - a;
    }
    const stages = colourStages(this.textColor, chars, change, {
      scale: 'diverging',
      min: -2,
      max: 2,
      label: `change in loss with the units held, nats (orange: harder to predict)${part}`,
      format: (v) => `${v > 0 ? '+' : ''}${fmt(v, 3)} nats`,
    });
    const worst = r.by_char.slice(0, 3).map((c) => `${charName(c.ch)} ${c.clamped - c.base >= 0 ? '+' : ''}${fmt(c.clamped - c.base, 2)} (${c.count}×)`);
    this.$('clamps-summary').textContent =
      `Mean loss ${fmt(r.mean_base, 3)} → ${fmt(r.mean_clamped, 3)} nats per character. Most affected: ${worst.join(', ')}.`;
    return stages;
  }
}
