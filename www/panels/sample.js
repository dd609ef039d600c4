// "Sample": a prime, a length, a temperature (0 = argmax) and top-k; the text streams in.

import { Panel } from './panel.js';
import { DEFAULT_TEMPERATURE } from '../core-numbers.js';
import { fmt } from '../views/format.js';
import { Parts } from '../scope/parts.js';

export class SamplePanel extends Panel {
  static html = `
    <section id="sample" class="panel" aria-labelledby="sample-h" part="sample">
      <h2 id="sample-h">Sample</h2>
      <div class="grid2">
        <label for="prime">Start with
          <input id="prime" type="text" autocomplete="off" spellcheck="false" maxlength="500" data-testid="prime">
        </label>
        <label for="sample-len">Length
          <input id="sample-len" type="number" min="1" max="20000" step="1" inputmode="numeric" data-testid="sample-len">
        </label>
        <label for="temperature">Temperature <output id="temp-out" for="temperature"></output>
          <input id="temperature" type="range" min="0.05" max="2" step="0.05" data-testid="temperature">
        </label>
        <label for="topk">Top-k (0 = all)
          <input id="topk" type="number" min="0" step="1" inputmode="numeric">
        </label>
      </div>
      <label class="inline"><input id="argmax" type="checkbox" data-testid="argmax"> always take the most likely character (temperature 0)</label>
      <div class="row">
        <button type="button" id="btn-sample" class="primary" data-testid="sample-go">Sample</button>
        <button type="button" id="btn-sample-stop" disabled>Stop</button>
      </div>
      <pre id="sample-out" class="sample-out" data-testid="sample-out" tabindex="0" role="region" aria-label="Sampled text"></pre>
    </section>`;

  static parts = [
    [Parts.STATUS, 'renderButton'],
    [Parts.CONTROLS, 'renderControls'],
    [Parts.SAMPLE, 'render'],
  ];

  wire() {
    const s = this.scope;
    const temp = this.$('temperature');
    const argmax = this.$('argmax');
    temp.addEventListener('input', () => s.set('temperature', temp.value));
    argmax.addEventListener('change', () => s.set('temperature', argmax.checked ? 0 : Number(temp.value) || DEFAULT_TEMPERATURE));
    const bindField = (id, name) => {
      const el = this.$(id);
      el.addEventListener('change', () => {
        const r = s.set(name, el.value);
        if (!r.ok) {
          el.setAttribute('aria-invalid', 'true');
          s.say(`${r.message}.`, 'error', name);
          return;
        }
        el.removeAttribute('aria-invalid');
        s.unsay(name);
      });
    };
    bindField('sample-len', 'sampleLen');
    bindField('topk', 'topK');
    bindField('prime', 'prime');
    this.$('prime').addEventListener('input', () => s.set('prime', this.$('prime').value));
    this.$('btn-sample').addEventListener('click', () => {
      for (const id of ['sample-len', 'topk']) {
        if (this.$(id).getAttribute('aria-invalid') === 'true') {
          s.say('Fix the sampling settings first.', 'error', 'sample');
          return;
        }
      }
      s.sample.start().catch(() => {});
    });
    this.$('btn-sample-stop').addEventListener('click', () => s.sample.cancel());
  }

  renderButton() {
    this.$('btn-sample').disabled = !this.scope.model;
  }

  renderControls() {
    const st = this.scope.st;
    const temp = this.$('temperature');
    const argmax = this.$('argmax');
    argmax.checked = st.temperature === 0;
    temp.disabled = argmax.checked;
    if (st.temperature > 0) temp.value = String(st.temperature);
    this.$('temp-out').textContent = st.temperature === 0 ? '0 (argmax)' : fmt(st.temperature, 2);
    for (const [id, key] of [['topk', 'topK'], ['sample-len', 'sampleLen']]) {
      const el = this.$(id);
      if (!this.focused(el)) el.value = String(st[key]);
    }
    const prime = this.$('prime');
    if (!this.focused(prime)) prime.value = st.prime;
  }

  render() {
    const out = this.$('sample-out');
    if (!out.firstChild) {
      const p = document.createElement('span');
      p.className = 'prime';
      const g = document.createElement('span');
      g.className = 'gen';
      out.append(p, g);
    }
    out.children[0].textContent = this.scope.sample.prime;
    out.children[1].textContent = this.scope.sample.text;
    this.$('btn-sample-stop').disabled = !this.scope.sample.active;
  }
}
