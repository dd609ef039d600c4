// "Compare RNN, LSTM and GRU": the three cells trained at once on the same text, settings and seed, one engine
// each, their training losses overlaid.

import { Panel } from './panel.js';
import { LossChart } from '../views/linechart.js';
import { chartSeries, converter, UNIT_LABEL } from '../scope/history.js';
import { CELLS, CELL_NAMES } from '../scope/state.js';
import { SERIES_STYLE } from '../views/palette.js';
import { fmt } from '../views/format.js';
import { num } from '../scope/text.js';
import { Parts } from '../scope/parts.js';

export class ComparePanel extends Panel {
  static html = `
    <section id="compare" class="panel" aria-labelledby="compare-h" part="compare">
      <h2 id="compare-h">Compare RNN, LSTM and GRU</h2>
      <p class="howto">Trains all three cells at once on the same text with the same settings and seed, each in its
        own worker, and overlays their training loss.</p>
      <div class="row">
        <button type="button" id="btn-compare" data-testid="compare">Start comparison</button>
        <button type="button" id="btn-compare-stop" disabled>Stop</button>
      </div>
      <div id="compare-chart" class="chart-box" data-testid="compare-chart"></div>
      <ul id="compare-list" class="compare-list" data-testid="compare-list"></ul>
    </section>`;

  static parts = [[Parts.COMPARE, 'render']];

  wire() {
    this.chart = new LossChart(this.$('compare-chart'), { yLabel: 'loss', height: 200 });
    this.$('btn-compare').addEventListener('click', () => this.scope.startCompare());
    this.$('btn-compare-stop').addEventListener('click', () => this.scope.stopCompare());
  }

  render() {
    const s = this.scope;
    const c = s.compare;
    const list = this.$('compare-list');
    const live = Boolean(c?.live);
    this.$('btn-compare-stop').disabled = !live;
    this.$('btn-compare').textContent = live ? 'Restart comparison' : 'Start comparison';
    this.chart.setUnit(s.st.units);
    if (!c) {
      this.chart.render();
      return;
    }
    const conv = converter(s.st.units);
    for (const cell of CELLS) {
      const tr = chartSeries(c.runs[cell].hist);
      this.chart.setSeries(CELL_NAMES[cell], tr.points, { ...SERIES_STYLE[cell], smooth: tr.smooth });
    }
    this.chart.render();
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
      const status = r.error ? `error: ${r.error}` : r.model ? `step ${r.step}, smoothed loss ${loss} ${UNIT_LABEL[s.st.units]}, ${num(r.model.info.params)} parameters` : 'starting…';
      li.children[0].textContent = `${CELL_NAMES[cell]} — ${status}`;
      li.children[1].textContent = r.sample;
      // The same numbers for the tests (and the curious): steps, smoothed loss in nats/char, state.
      li.dataset.step = String(r.step);
      li.dataset.loss = r.last ? String(r.last.smoothLoss) : '';
      li.dataset.state = r.error ? 'error' : !r.model ? 'starting' : c.live ? 'training' : 'stopped';
    });
  }
}
