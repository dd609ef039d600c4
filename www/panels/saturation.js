// Gate saturation, as in Karpathy, Johnson and Fei-Fei (2015), figure 3: for each unit of each sigmoid gate (LSTM
// i, f, o; GRU r, z), the fraction of characters on which it is nearly closed (below SATURATION_SHUT, across) against
// nearly open (above SATURATION_OPEN, up): the core's thresholds. One plot per layer; a dot near the top-left corner is a gate that is almost always open.

import { InstrumentPanel, sourceControls } from './instrument.js';
import { scatterPlot } from '../views/plots.js';
import { fmt } from '../views/format.js';
import { SATURATION_OPEN, SATURATION_SHUT } from '../core-numbers.js';

export class SaturationPanel extends InstrumentPanel {
  static html = `
    <section id="saturation" class="panel wide" aria-labelledby="saturation-h" part="saturation">
      <h2 id="saturation-h">How often the gates are shut or open</h2>
      <p class="howto">Each dot is one unit of one gate: across, the fraction of characters on which the gate was almost
        shut (below ${SATURATION_SHUT}); up, almost fully open (above ${SATURATION_OPEN}). Dots on the diagonal are always one or the other, like a
        switch; dots near the corner at the bottom left work in between. A forget gate up at the top remembers across
        the whole text.</p>
      ${sourceControls('saturation')}
      <p id="saturation-status" class="hint" role="status" data-testid="saturation-status"></p>
      <div id="saturation-plots" class="plots" data-testid="saturation-plots"></div>
    </section>`;

  get id() {
    return 'saturation';
  }

  request(text) {
    if (this.scope.model?.info.cell === 'rnn') {
      this.setStatus('A vanilla RNN has no gates; build an LSTM or a GRU to see this.', 'ok');
      this.$('saturation-plots').replaceChildren();
      return null;
    }
    return { kind: 'saturation', text };
  }

  show(r) {
    const box = this.$('saturation-plots');
    // One plot per layer, each drawn in a frame of its own.
    const stages = [];
    for (let layer = 0; layer < r.layers; layer++) {
      stages.push(() => {
        const gates = r.gates.filter((g) => g.layer === layer);
        const series = gates.map((g) => ({
          name: `gate ${g.gate}`,
          points: g.left.map((x, j) => ({ x, y: g.right[j], title: `${g.gate}[${j}]: shut ${fmt(x * 100, 0)}%, open ${fmt(g.right[j] * 100, 0)}%` })),
        }));
        const plot = scatterPlot({
          title: r.layers > 1 ? `Layer ${layer + 1}` : 'Gate saturation',
          xLabel: `fraction shut (< ${SATURATION_SHUT})`,
          yLabel: `fraction open (> ${SATURATION_OPEN})`,
          xMax: 1,
          yMax: 1,
          simplex: true,
          series,
          testid: 'saturation-plot',
        });
        if (box.children[layer]) box.children[layer].replaceWith(plot);
        else box.append(plot);
      });
    }
    stages.push(() => {
      while (box.children.length > r.layers) box.lastChild.remove();
    });
    return stages;
  }
}
