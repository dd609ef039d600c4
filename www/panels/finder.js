// The cell finder: for each text feature (bracket depth, inside quotes, position in the line, character classes,
// and patterns the visitor adds), the units that track it best (Pearson |r| or AUROC) and how much of it a linear
// probe over the whole tensor recovers. Picking a unit colours the text by it and selects it in the heatmap.

import { InstrumentPanel, sourceControls } from './instrument.js';
import { fmt } from '../views/format.js';
import { MAX_PATTERNS } from '../core-numbers.js';

/** Words for the core's feature names. */
const FEATURE_LABELS = {
  depth_paren: 'depth of ( )',
  depth_square: 'depth of [ ]',
  depth_curly: 'depth of { }',
  depth: 'bracket depth, all kinds',
  in_double_quotes: 'inside "double quotes"',
  in_single_quotes: "inside 'single quotes'",
  line_position: 'position in the line',
  word_position: 'position in the word',
  since_newline: 'characters since the last newline',
  since_space: 'characters since the last space',
  letter: 'is a letter',
  uppercase: 'is uppercase',
  digit: 'is a digit',
  space: 'is a space or newline',
  punctuation: 'is punctuation',
  vowel: 'is a vowel',
};

/** A feature's name in words. */
export function featureLabel(name) {
  if (name.startsWith('match:')) return `inside a match of /${name.slice(6)}/`;
  return FEATURE_LABELS[name] ?? name;
}

/** The heatmap's name for a tensor of the report ('h', 'c' or a gate's name). */
export function heatmapTensor(name, gateNames) {
  if (name === 'h' || name === 'c') return name;
  const k = gateNames.indexOf(name);
  return k >= 0 ? `gate:${k}` : 'h';
}

export class FinderPanel extends InstrumentPanel {
  static html = `
    <section id="finder" class="panel wide" aria-labelledby="finder-h" part="finder">
      <h2 id="finder-h">Which units track what</h2>
      <p class="howto">For each feature of the text, the units whose activation follows it best: |r| (Pearson) for
        numbers such as bracket depth, AUROC for on/off features such as "inside quotes" (1 = perfectly separated, 0.5 =
        chance). “Whole tensor” is a linear probe over all units of that tensor, fitted on the first half of the text and
        scored on the second (R² or accuracy). Pick a unit to colour the text by it.</p>
      ${sourceControls('finder')}
      <form id="finder-form" class="row" data-testid="finder-form">
        <label for="finder-regex" class="grow">Also look for characters inside a match of (regular expression)
          <input id="finder-regex" type="text" autocomplete="off" spellcheck="false" maxlength="200" placeholder="e.g. [0-9]+ or \\bthe\\b" data-testid="finder-regex">
        </label>
        <button type="submit" id="finder-add">Add</button>
      </form>
      <ul id="finder-patterns" class="chips" aria-label="Patterns added"></ul>
      <p id="finder-status" class="hint" role="status" data-testid="finder-status"></p>
      <div id="finder-results">
      <table id="finder-table" class="results" data-testid="finder-table">
        <caption class="muted">Best units per feature</caption>
        <thead><tr><th scope="col">feature</th><th scope="col">best units</th><th scope="col">whole tensor</th></tr></thead>
        <tbody></tbody>
      </table>
      </div>
    </section>`;

  get id() {
    return 'finder';
  }

  wire() {
    super.wire();
    this.patterns = [];
    this.$('finder-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const input = this.$('finder-regex');
      const p = input.value;
      if (!p || this.patterns.includes(p)) return;
      if (this.patterns.length >= MAX_PATTERNS) {
        this.setStatus(`At most ${MAX_PATTERNS} patterns at once; remove one first.`, 'bad');
        return;
      }
      this.patterns.push(p);
      input.value = '';
      this.renderPatterns();
      this.run();
    });
  }

  request(text) {
    return { kind: 'cells', text, top: 3, regex: this.patterns };
  }

  failed(err) {
    // A bad pattern is the visitor's last addition: take it back, say why, keep the rest.
    if (/regular expression/.test(String(err?.message)) && this.patterns.length) {
      const bad = this.patterns.pop();
      this.renderPatterns();
      this.$('finder-regex').value = bad;
      this.$('finder-regex').setAttribute('aria-invalid', 'true');
    }
  }

  renderPatterns() {
    const list = this.$('finder-patterns');
    list.replaceChildren();
    for (const p of this.patterns) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'quiet';
      b.textContent = `/${p}/ ×`;
      b.setAttribute('aria-label', `Remove the pattern ${p}`);
      b.addEventListener('click', () => {
        this.patterns = this.patterns.filter((q) => q !== p);
        this.renderPatterns();
        this.run();
      });
      li.append(b);
      list.append(li);
    }
    this.$('finder-regex').removeAttribute('aria-invalid');
  }

  show(report) {
    const body = this.$('finder-table').tBodies[0];
    const gateNames = this.scope.model?.info.gateNames ?? [];
    const layers = report.layers;
    const rows = [];
    for (const f of report.features) {
      const tr = document.createElement('tr');
      tr.dataset.feature = f.feature;
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = featureLabel(f.feature);
      const units = document.createElement('td');
      if (f.top.length === 0) {
        units.className = 'muted';
        units.textContent = 'constant over this text';
      }
      for (const u of f.top) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'unit-pick';
        b.dataset.testid = 'finder-unit';
        b.dataset.layer = String(u.layer);
        b.dataset.tensor = u.tensor;
        b.dataset.unit = String(u.unit);
        const where = layers > 1 ? ` L${u.layer + 1}` : '';
        const stat = u.r !== undefined ? `r ${fmt(u.r, 2)}` : `AUROC ${fmt(u.auroc, 2)}`;
        b.textContent = `${u.tensor}[${u.unit}]${where} ${stat}`;
        b.title = `Colour the text by ${u.tensor}[${u.unit}] of layer ${u.layer + 1} and show it in the heatmap`;
        b.addEventListener('click', () => this.scope.instruments.pickUnit(u.layer, heatmapTensor(u.tensor, gateNames), u.unit));
        units.append(b);
      }
      const probe = document.createElement('td');
      if (f.probe && f.probe.score !== null) {
        const name = f.probe.metric === 'r2' ? 'R²' : 'accuracy';
        probe.textContent = `${name} ${fmt(f.probe.score, 2)} (${f.probe.tensor}${layers > 1 ? ` L${f.probe.layer + 1}` : ''})`;
      } else {
        probe.textContent = '–';
        probe.className = 'muted';
      }
      tr.append(th, units, probe);
      rows.push(tr);
    }
    body.replaceChildren(...rows);
  }
}
