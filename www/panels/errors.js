// Where the model errs, after Karpathy, Johnson and Fei-Fei (2015), section 4.4: the model beside an n-gram fitted on
// the training text (mean loss, and per character: orange where the model does worse), its errors (the actual next
// character got p < ERROR_BELOW) by the first oracle that explains them, as a bar with counts, and the probability it gives
// a closing bracket or quote against the distance to its opener, model and n-gram.

import { InstrumentPanel, SHOWN_CHARS, colourStages, sourceControls } from './instrument.js';
import { ColoredText } from '../views/textcolor.js';
import { scatterPlot, stackedBar } from '../views/plots.js';
import { fmt } from '../views/format.js';
import { SERIES_COLORS } from '../views/palette.js';
import { ERROR_BELOW } from '../core-numbers.js';

const [MODEL_COLOR, NGRAM_COLOR] = SERIES_COLORS;

const CATEGORY_LABELS = {
  n_gram: 'the n-gram gets it',
  dynamic_memory: 'seen earlier in the text',
  rare_word: 'rare word',
  word_start: 'start of a word',
  punctuation: 'punctuation',
  boost: 'near miss (in the top 3)',
  other: 'other',
};

/** Mean of `points`' y per log-spaced bin of x, as a line. */
function binnedMeans(points) {
  const bins = new Map();
  for (const p of points) {
    const b = Math.floor(Math.log2(Math.max(1, p.x)) * 2);
    const e = bins.get(b) ?? { x: 0, y: 0, n: 0 };
    e.x += p.x;
    e.y += p.y;
    e.n++;
    bins.set(b, e);
  }
  return [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => ({ x: e.x / e.n, y: e.y / e.n, title: `mean of ${e.n}: ${fmt(e.y / e.n, 3)}` }));
}

export class ErrorsPanel extends InstrumentPanel {
  static html = `
    <section id="errors" class="panel wide" aria-labelledby="errors-h" part="errors">
      <h2 id="errors-h">Where the model errs</h2>
      <p class="howto">An error is a character the model gave a probability below ${ERROR_BELOW}. Each error is put in the first
        group that explains it: an n-gram model (fitted on the training text) would have got it; the same few characters
        and their continuation appeared earlier in the text; a rare word of the training text; the start of a word;
        punctuation; the right character was among the model’s top 3; or none of these. The text is coloured by how
        much worse (orange) or better (blue) the model did than the n-gram on each character.</p>
      ${sourceControls('errors')}
      <p id="errors-status" class="hint" role="status" data-testid="errors-status"></p>
      <p id="errors-summary" data-testid="errors-summary"></p>
      <div id="errors-bar" data-testid="errors-bar"></div>
      <div id="errors-range" class="plots" data-testid="errors-range"></div>
      <div id="errors-text" class="textcolor-box" data-testid="errors-text"></div>
    </section>`;

  get id() {
    return 'errors';
  }

  wire() {
    super.wire();
    this.textColor = new ColoredText(this.$('errors-text'));
    this.textColor.stickToEnd = false; // it grows in stages: stay at its start
  }

  request(text) {
    return { kind: 'errors', text };
  }

  show(r, text) {
    return [() => this.showCounts(r), () => this.showRange(r), ...this.textStages(r, text)];
  }

  showCounts(r) {
    this.$('errors-summary').textContent =
      `${r.errors.toLocaleString('en')} errors in ${r.predictions.toLocaleString('en')} predictions. Mean loss: the model ` +
      `${fmt(r.model_loss, 3)} nats per character, a ${r.ngram_order}-gram ${fmt(r.ngram_loss, 3)}.`;
    const parts = r.counts.map((c) => ({ key: c.category, name: CATEGORY_LABELS[c.category] ?? c.category, count: c.count }));
    this.$('errors-bar').replaceChildren(stackedBar({ title: 'The errors, by what explains them', parts, testid: 'errors-breakdown' }));
  }

  showRange(r) {
    const model = r.long_range.map((c) => ({ x: c.distance, y: c.model_p, title: `${c.char} at ${c.position}, ${c.distance} after its opener: model ${fmt(c.model_p, 3)}` }));
    const ngram = r.long_range.map((c) => ({ x: c.distance, y: c.ngram_p, title: `${c.char} at ${c.position}, ${c.distance} after its opener: n-gram ${fmt(c.ngram_p, 3)}` }));
    const range = this.$('errors-range');
    if (r.long_range.length === 0) {
      range.replaceChildren();
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = 'No closing bracket or quote in this text, so no long-range plot.';
      range.append(p);
    } else {
      const xMax = Math.max(10, ...model.map((p) => p.x));
      range.replaceChildren(scatterPlot({
        title: 'Probability of each closing bracket or quote, by distance to its opener',
        xLabel: 'characters since the opener',
        yLabel: 'probability',
        xMax,
        yMax: 1,
        width: 480,
        series: [
          { name: 'model', points: model, color: MODEL_COLOR },
          { name: `${r.ngram_order}-gram`, points: ngram, color: NGRAM_COLOR },
          { name: 'model, mean by distance', points: binnedMeans(model), line: true, color: MODEL_COLOR },
          { name: `${r.ngram_order}-gram, mean by distance`, points: binnedMeans(ngram), line: true, color: NGRAM_COLOR },
        ],
        testid: 'errors-long-range',
      }));
    }
  }

  textStages(r, text) {
    const all = Array.from(text);
    const chars = all.slice(0, SHOWN_CHARS);
    const part = all.length > chars.length ? `; the first ${chars.length.toLocaleString('en')} of ${all.length.toLocaleString('en')} characters` : '';
    const diff = new Float32Array(chars.length).fill(NaN);
    for (let j = 1; j < chars.length; j++) diff[j] = r.model_losses[j - 1] - r.ngram_losses[j - 1];
    return colourStages(this.textColor, chars, diff, {
      scale: 'diverging',
      min: -3,
      max: 3,
      label: `model loss minus n-gram loss, nats (orange: the model does worse)${part}`,
      format: (v) => `${v > 0 ? '+' : ''}${fmt(v, 3)} nats`,
    });
  }
}
