// The post's "hell" figure, computed for real (views/figure.js draws it): input one-hot, hidden state, output
// scores, the weights on the arrows, a step control, and weights a visitor can edit. Only for models small enough
// to read; otherwise it says so and offers the diagram view.

import { Panel } from './panel.js';
import { Parts } from '../scope/parts.js';

const WEIGHTS_EVERY_MS = 400; // while training, fetch the weights again at most this often

export class FigurePanel extends Panel {
  static html = `
    <section id="figure" class="panel wide" aria-labelledby="figure-h" part="figure">
      <h2 id="figure-h">The figure, computed</h2>
      <p class="howto" id="figure-howto">The input layer is the one-hot vector of each character, the hidden layer its
        state, the output layer the scores the model gives each next character (bold green: the character that
        really comes next). Step through the text, and click a weight label to edit its numbers.</p>
      <p class="hint" id="figure-too-big" data-testid="figure-too-big" hidden></p>
      <button type="button" id="figure-to-diagram" hidden>Show the diagram view instead</button>
      <div id="figure-box" class="figure-box" data-testid="figure"></div>
    </section>`;

  static parts = [[Parts.FIGURE, 'render']];

  wire() {
    this.cursor = -1;
    // The figure's code loads with the first figure on the page, not with every element.
    import('../views/figure.js').then(
      (mod) => {
        this.figureFits = mod.figureFits;
        this.makeView(mod.FigureView);
        this.dirty(Parts.FIGURE);
      },
      (err) => this.scope.say(`The figure could not be drawn: ${err.message}`, 'error', 'figure'),
    );
    this.$('figure-to-diagram').addEventListener('click', () => {
      this.root.host.setAttribute('view', 'diagram');
    });
    this.lastFetch = 0;
  }

  makeView(FigureView) {
    this.view = new FigureView(this.$('figure-box'), {
      onEdit: (name, index, value) => this.scope.weights.set(name, index, value).catch(() => {}),
      onCursor: (t) => {
        this.cursor = t;
        this.dirty(Parts.FIGURE);
      },
    });
  }

  render() {
    const s = this.scope;
    const info = s.model?.info;
    const d = s.probe.data;
    if (!this.view) return;
    if (!info || !d) {
      this.view.clear();
      return;
    }
    const tooBig = this.figureFits({ hidden: info.hidden, vocab: info.vocab.length, layers: info.layers });
    this.$('figure-too-big').hidden = !tooBig;
    this.$('figure-to-diagram').hidden = !tooBig;
    this.$('figure-too-big').textContent = tooBig ?? '';
    this.$('figure-box').hidden = Boolean(tooBig);
    if (tooBig) return;
    // The weights: once per model, after an edit, and every so often while training.
    const w = s.weights.current;
    const stale = !w || w.generation !== s.modelGeneration || (w.step !== s.step && performance.now() - this.lastFetch > WEIGHTS_EVERY_MS);
    if (stale && !this.fetching) {
      this.fetching = true;
      this.lastFetch = performance.now();
      s.weights.fetch()
        .catch(() => null)
        .finally(() => {
          this.fetching = false;
        });
    }
    if (!w || w.generation !== s.modelGeneration) return;
    if (this.cursor >= d.steps) this.cursor = d.steps - 1;
    this.view.render({
      cell: info.cell,
      nonlinearity: info.nonlinearity ?? 'tanh',
      vocab: info.vocab,
      chars: d.chars,
      layers: info.layers,
      hidden: info.hidden,
      gateNames: info.gateNames,
      weights: w.tensors,
      probe: d,
      cursor: this.cursor,
    });
  }

  destroy() {
    this.view?.destroy();
  }
}
