// "Train": start, pause, step and reset; the learning rate (log slider) and clipping, which act at once; the loss
// chart in the chosen units; the run's numbers; and the short samples the model writes as it learns.

import { Panel, wireRunButtons, renderRunButtons } from './panel.js';
import { LossChart } from '../views/linechart.js';
import { chartSeries, converter } from '../scope/history.js';
import { SERIES_STYLE } from '../views/palette.js';
import { fmt, fmtAuto } from '../views/format.js';
import { num } from '../scope/text.js';
import { Parts } from '../scope/parts.js';

function formatLr(lr) {
  return lr >= 0.001 ? String(Number(lr.toPrecision(3))) : lr.toExponential(2);
}

export class TrainPanel extends Panel {
  static html = `
    <section id="train" class="panel" aria-labelledby="train-h" part="train">
      <h2 id="train-h">Train</h2>
      <div class="row buttons" role="group" aria-label="Training">
        <button type="button" id="btn-run" class="primary" data-testid="run">Pause</button>
        <button type="button" id="btn-step" data-testid="step-once">Step</button>
        <button type="button" id="btn-reset" data-testid="reset">Reset</button>
      </div>
      <div class="row">
        <label for="lr-range" class="grow">Learning rate <output id="lr-out" for="lr-range lr-num"></output>
          <input id="lr-range" type="range" min="-5" max="0" step="0.01" aria-describedby="lr-hint">
        </label>
        <label for="lr-num" class="narrow">exact
          <input id="lr-num" type="number" min="0.000001" max="10" step="any" inputmode="decimal" data-testid="lr">
        </label>
      </div>
      <p class="hint" id="lr-hint">Log scale; changes take effect immediately, even while training.</p>
      <div class="row">
        <label for="clip" class="narrow">Clip gradient norm at
          <input id="clip" type="number" min="0" step="any" inputmode="decimal" data-testid="clip">
        </label>
        <label for="workers" class="narrow">Workers
          <select id="workers" data-testid="workers-setting" aria-describedby="workers-hint">
            <option value="auto">auto</option>
            <option value="1">1</option>
            <option value="2">2</option>
          </select>
        </label>
        <fieldset class="units">
          <legend>Loss shown in</legend>
          <label><input type="radio" name="units" value="nats" checked> nats/char</label>
          <label><input type="radio" name="units" value="bits"> bits/char</label>
          <label><input type="radio" name="units" value="ppl"> perplexity</label>
        </fieldset>
      </div>
      <p class="hint" id="workers-hint">Two workers share each step of a batch between two cores: auto uses them for
        models big enough to gain. A change applies from the next start.</p>
      <div id="loss-chart" class="chart-box" data-testid="loss-chart"></div>
      <dl class="stats">
        <div><dt>validation</dt><dd><output id="stat-val" data-testid="val-loss">–</output></dd></div>
        <div><dt>smoothed</dt><dd><output id="stat-smooth">–</output></dd></div>
        <div><dt>grad norm</dt><dd><output id="stat-grad">–</output></dd></div>
        <div><dt>parameters</dt><dd><output id="stat-params">–</output></dd></div>
      </dl>
      <h3 class="small">What it writes as it learns</h3>
      <ol id="autosamples" class="autosamples" data-testid="autosamples" aria-live="off"></ol>
    </section>`;

  static parts = [
    [Parts.STATUS, 'renderStatus'],
    [Parts.CONTROLS, 'renderControls'],
    [Parts.CHART, 'renderChart'],
    [Parts.AUTOSAMPLES, 'renderAutosamples'],
  ];

  wire() {
    const s = this.scope;
    this.chart = new LossChart(this.$('loss-chart'), { yLabel: 'loss', height: 220 });
    wireRunButtons(s, this.$('btn-run'), this.$('btn-step'), this.$('btn-reset'));
    const range = /** @type {HTMLInputElement} */ (this.$('lr-range'));
    range.addEventListener('input', () => s.set('lr', Number((10 ** Number(range.value)).toPrecision(3))));
    const lrNum = /** @type {HTMLInputElement} */ (this.$('lr-num'));
    lrNum.addEventListener('change', () => {
      const r = s.set('lr', lrNum.value);
      if (!r.ok) {
        lrNum.setAttribute('aria-invalid', 'true');
        s.say(`Learning rate: ${r.message}.`, 'error', 'lr');
        return;
      }
      lrNum.removeAttribute('aria-invalid');
      s.unsay('lr');
    });
    const clip = /** @type {HTMLInputElement} */ (this.$('clip'));
    clip.addEventListener('change', () => {
      const r = s.set('clip', clip.value);
      if (!r.ok) {
        clip.setAttribute('aria-invalid', 'true');
        s.say(`Clipping: ${r.message} (0 turns clipping off).`, 'error', 'clip');
        return;
      }
      clip.removeAttribute('aria-invalid');
      s.unsay('clip');
    });
    const workers = /** @type {HTMLSelectElement} */ (this.$('workers'));
    workers.addEventListener('change', () => s.set('workers', workers.value));
    for (const r of this.el.querySelectorAll('input[name="units"]')) {
      r.addEventListener('change', (e) => s.set('units', /** @type {HTMLInputElement} */ (e.target).value));
    }
  }

  renderStatus() {
    const s = this.scope;
    const conv = converter(s.st.units);
    const last = s.last;
    this.$('stat-smooth').textContent = last ? fmt(conv(last.smoothLoss), 3) : '–';
    this.$('stat-grad').textContent = last ? fmtAuto(last.gradNorm) : '–';
    const v = s.val[s.val.length - 1];
    this.$('stat-val').textContent = v ? fmt(conv(v.y), 3) : s.st.valFraction > 0 ? '…' : 'off';
    this.$('stat-params').textContent = s.model ? num(s.model.info.params) : '–';
    renderRunButtons(s, this.$('btn-run'), this.$('btn-step'), this.$('btn-reset'));
  }

  renderControls() {
    const st = this.scope.st;
    const range = /** @type {HTMLInputElement} */ (this.$('lr-range'));
    const lrNum = /** @type {HTMLInputElement} */ (this.$('lr-num'));
    /** @type {HTMLSelectElement} */ (this.$('workers')).value = st.workers;
    range.value = String(Math.log10(st.lr));
    range.setAttribute('aria-valuetext', `learning rate ${formatLr(st.lr)}`);
    if (!this.focused(lrNum)) lrNum.value = String(st.lr);
    this.$('lr-out').textContent = formatLr(st.lr);
    const clip = /** @type {HTMLInputElement} */ (this.$('clip'));
    if (!this.focused(clip)) clip.value = String(st.clip);
    for (const r of this.el.querySelectorAll('input[name="units"]')) {
      /** @type {HTMLInputElement} */ (r).checked = /** @type {HTMLInputElement} */ (r).value === st.units;
    }
  }

  renderChart() {
    const s = this.scope;
    this.chart.setUnit(s.st.units);
    const tr = chartSeries(s.hist);
    this.chart.setSeries('training', tr.points, { ...SERIES_STYLE.training, smooth: tr.smooth });
    this.chart.setSeries('validation', s.val.length ? s.val.map((p) => [p.x, p.y]) : null, SERIES_STYLE.validation);
    this.chart.render();
  }

  renderAutosamples() {
    const ol = this.$('autosamples');
    const items = this.scope.autosamples;
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
    items.forEach((a, i) => {
      const li = ol.children[i];
      li.children[0].textContent = `step ${a.step}`;
      li.children[1].textContent = a.prime + a.text;
    });
  }
}
