// Setting up a model: the text to learn (built-in corpora, pasted text, a file, dropped files) and the model form
// (cell, sizes, optimizer, regularisation, schedule, seed, validation share), with the size check and the shareable link.

import { Panel } from './panel.js';
import * as S from '../scope/state.js';
import { num } from '../scope/text.js';
import { Parts } from '../scope/parts.js';
import { settingApplies } from '../engine/protocol.js';

const MAX_FILE_BYTES = 50 * 1024 * 1024;
const FORM_FIELDS = ['cell', 'nonlinearity', 'hidden', 'layers', 'seqLen', 'batch', 'optimizer', 'weightDecay', 'dropout', 'schedule', 'warmup', 'scheduleSteps', 'minLr', 'gamma', 'seed', 'valFraction'];

export class TextPanel extends Panel {
  static html = `
    <section id="text" class="panel" aria-labelledby="text-h" part="text">
      <h2 id="text-h">Text to learn</h2>
      <div class="row">
        <label for="corpus" class="grow">Built-in text
          <select id="corpus" data-testid="corpus"></select>
        </label>
      </div>
      <label for="paste">Or paste your own
        <textarea id="paste" rows="5" spellcheck="false" data-testid="paste" placeholder="Paste any text here, then “Train on this text”."></textarea>
      </label>
      <div class="row">
        <button type="button" id="btn-use-paste" data-testid="use-paste" title="A new model, built with the settings under “Model”">Train on this text</button>
        <button type="button" id="btn-continue-paste" data-testid="continue-paste" title="The same weights and step, now learning this text">Keep training this model on it</button>
        <label class="file-button" for="file-text">Open a text file…
          <input id="file-text" type="file" accept=".txt,.md,.csv,.json,.js,.py,.rs,.html,.tex,text/*" data-testid="file-text">
        </label>
      </div>
      <div id="drop" class="drop" tabindex="-1">…or drop a UTF-8 text file (or a .safetensors model) anywhere on the page.</div>
      <p class="hint" id="text-info" data-testid="text-info"></p>
    </section>`;

  static parts = [[Parts.CONTROLS, 'render']];

  wire() {
    const s = this.scope;
    const corpus = /** @type {HTMLSelectElement} */ (this.$('corpus'));
    corpus.addEventListener('change', async () => {
      const name = corpus.value;
      if (name === 'custom') {
        this.$('paste').focus();
        return;
      }
      const form = this.options.links?.modelForm?.read();
      if (form && !form.ok) {
        s.say(`Check the model settings first: ${form.problems.map((p) => p.message).join('; ')}. Nothing was changed.`, 'error', 'text');
        return;
      }
      await s.text.useCorpus(name, form?.state ?? s.st);
    });
    this.$('btn-use-paste').addEventListener('click', () => this.useText(this.$('paste').value, 'your pasted text'));
    this.$('btn-continue-paste').addEventListener('click', () => s.text.continueOn(this.$('paste').value, 'your pasted text', 'custom'));
    const fileText = /** @type {HTMLInputElement} */ (this.$('file-text'));
    fileText.addEventListener('change', async () => {
      await this.openFile(fileText.files?.[0], { as: 'auto' });
      fileText.value = '';
    });
  }

  /** A new model on `text` with the settings in the model form, edits not yet built included. */
  async useText(text, label) {
    const form = this.options.links?.modelForm?.read();
    if (form) {
      this.options.links?.modelForm.showProblems(form.problems);
      if (!form.ok) {
        this.scope.say(`Check the model settings first: ${form.problems.map((p) => p.message).join('; ')}. Nothing was changed.`, 'error', 'text');
        return false;
      }
    }
    return this.scope.text.use(text, label, 'custom', form?.state ?? this.scope.st);
  }

  /** Read a dropped or chosen file: a .safetensors model, or UTF-8 text. */
  async openFile(file, { as = 'auto' } = {}) {
    const s = this.scope;
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      s.say(`“${file.name}” is ${(file.size / 1048576).toFixed(1)} MB; files up to ${MAX_FILE_BYTES / 1048576} MB can be opened here.`, 'error', 'file');
      return;
    }
    let buf;
    try {
      buf = new Uint8Array(await file.arrayBuffer());
    } catch (err) {
      s.say(`Could not read “${file.name}”: ${err.message}`, 'error', 'file');
      return;
    }
    const isModel = as === 'model' || (as === 'auto' && /\.safetensors$/i.test(file.name));
    if (isModel) {
      try {
        await s.files.loadFile(buf, file.name);
        s.unsay('file');
      } catch (err) {
        s.say(`Could not load “${file.name}” as a model: ${err.message}. The current model is unchanged.`, 'error', 'file');
      }
      return;
    }
    let text;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      s.say(`“${file.name}” is not UTF-8 text, so it cannot be used as training text. (To load a model, use a .safetensors file.)`, 'error', 'file');
      return;
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (await this.useText(text, `file “${file.name}”`)) {
      s.unsay('file');
      this.$('paste').value = text.length <= 100_000 ? text : '';
    }
  }

  render() {
    const s = this.scope;
    const sel = /** @type {HTMLSelectElement} */ (this.$('corpus'));
    const want = [...s.corpora, 'custom'];
    const have = Array.from(sel.options).map((o) => o.value);
    if (want.join('\n') !== have.join('\n')) {
      sel.replaceChildren();
      for (const name of want) {
        const o = document.createElement('option');
        o.value = name;
        o.textContent = name === 'custom' ? 'your own text' : name;
        sel.append(o);
      }
    }
    sel.value = s.corpora.includes(s.st.corpus) ? s.st.corpus : 'custom';
    const t = s.text;
    this.$('text-info').textContent = t.value ? `${t.label}: ${num(t.info.chars)} characters, ${t.info.distinct} distinct` : '';
  }
}

export class ModelPanel extends Panel {
  static html = `
    <section id="model" class="panel" aria-labelledby="model-h" part="model">
      <h2 id="model-h">Model</h2>
      <form id="model-form" novalidate>
        <div class="grid2">
          <label for="cell">Cell
            <select id="cell" name="cell" data-testid="cell">
              <option value="rnn">vanilla RNN</option>
              <option value="lstm">LSTM</option>
              <option value="gru">GRU</option>
            </select>
          </label>
          <label for="nonlinearity">RNN nonlinearity
            <select id="nonlinearity" name="nonlinearity">
              <option value="tanh">tanh</option>
              <option value="relu">ReLU</option>
            </select>
          </label>
          <label for="hidden">Hidden units
            <input id="hidden" name="hidden" type="number" min="1" max="2048" step="1" inputmode="numeric" data-testid="hidden">
          </label>
          <label for="layers">Layers
            <input id="layers" name="layers" type="number" min="1" max="8" step="1" inputmode="numeric" data-testid="layers">
          </label>
          <label for="seqLen">Sequence length
            <input id="seqLen" name="seqLen" type="number" min="1" max="2048" step="1" inputmode="numeric" data-testid="seqLen">
          </label>
          <label for="batch">Batch size
            <input id="batch" name="batch" type="number" min="1" max="1024" step="1" inputmode="numeric" data-testid="batch">
          </label>
          <label for="optimizer">Optimizer
            <select id="optimizer" name="optimizer" data-testid="optimizer">
              <option value="adam">Adam</option>
              <option value="adamw">AdamW</option>
              <option value="rmsprop">RMSProp</option>
              <option value="adagrad">Adagrad</option>
              <option value="sgd">SGD (momentum)</option>
            </select>
          </label>
          <label for="weightDecay">Weight decay (AdamW)
            <input id="weightDecay" name="weightDecay" type="number" min="0" max="1" step="any" inputmode="decimal" data-testid="weightDecay">
          </label>
          <label for="dropout">Dropout
            <input id="dropout" name="dropout" type="number" min="0" max="0.9" step="0.05" inputmode="decimal" data-testid="dropout">
          </label>
          <label for="schedule">Learning-rate schedule
            <select id="schedule" name="schedule" data-testid="schedule">
              <option value="constant">constant</option>
              <option value="cosine">cosine decay</option>
              <option value="step">step decay</option>
            </select>
          </label>
          <label for="warmup">Warm-up steps
            <input id="warmup" name="warmup" type="number" min="0" step="1" inputmode="numeric" data-testid="warmup">
          </label>
          <label for="scheduleSteps">Decay steps
            <input id="scheduleSteps" title="Cosine: the steps from the peak rate to the lowest. Step: the steps between two decays." name="scheduleSteps" type="number" min="1" step="1" inputmode="numeric" data-testid="scheduleSteps">
          </label>
          <label for="minLr">Lowest rate (cosine)
            <input id="minLr" name="minLr" type="number" min="0" step="any" inputmode="decimal" data-testid="minLr">
          </label>
          <label for="gamma">Decay factor (step)
            <input id="gamma" name="gamma" type="number" min="0" max="1" step="any" inputmode="decimal" data-testid="gamma">
          </label>
          <label for="seed">Seed
            <input id="seed" name="seed" type="number" min="0" max="4294967295" step="1" inputmode="numeric" data-testid="seed">
          </label>
          <label for="valFraction">Validation share
            <input id="valFraction" name="valFraction" type="number" min="0" max="0.5" step="0.05" inputmode="decimal" data-testid="valFraction">
          </label>
        </div>
        <p class="hint" id="model-size" aria-live="polite"></p>
        <div class="row">
          <button type="submit" id="btn-build" class="primary" data-testid="build">Build and train</button>
          <button type="button" id="btn-share" data-testid="share" hidden>Copy link to this setup</button>
        </div>
      </form>
    </section>`;

  static parts = [[Parts.CONTROLS, 'render']];

  wire() {
    const s = this.scope;
    const form = this.$('model-form');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    form.addEventListener('input', () => {
      s.formEdited = true;
      s.formEdits++;
      this.greyOut();
      this.renderSizeHint();
    });
    const share = this.$('btn-share');
    share.hidden = !s.options.urlState;
    share.addEventListener('click', async () => {
      S.writeState(s.st);
      const url = location.href;
      try {
        await navigator.clipboard.writeText(url);
        s.say('Link copied. Opening it reproduces this setup: text, model, seed and settings.', 'info', 'share');
      } catch {
        s.say(`Copy this link to share the setup: ${url}`, 'info', 'share');
      }
    });
  }

  /** Read and validate the form: {ok, state, problems: [{name, message}]}. */
  read() {
    const state = { ...this.scope.st };
    const problems = [];
    for (const name of FORM_FIELDS) {
      const r = S.validate(name, this.$(name).value);
      if (r.ok) state[name] = r.value;
      else problems.push({ name, message: r.message });
    }
    return { ok: problems.length === 0, state, problems };
  }

  showProblems(problems) {
    for (const name of FORM_FIELDS) {
      const el = this.$(name);
      const p = problems.find((q) => q.name === name);
      if (p) {
        el.setAttribute('aria-invalid', 'true');
        el.title = p.message;
      } else {
        el.removeAttribute('aria-invalid');
        el.removeAttribute('title');
      }
    }
  }

  async submit() {
    const form = this.read();
    this.showProblems(form.problems);
    if (!form.ok) {
      this.scope.say(`Check the model settings: ${form.problems.map((p) => p.message).join('; ')}.`, 'error', 'build');
      this.$(form.problems[0].name).focus();
      return;
    }
    await this.scope.rebuild(form.state);
  }

  render() {
    const s = this.scope;
    for (const name of FORM_FIELDS) {
      const el = this.$(name);
      if (!this.focused(el) && !s.formEdited) el.value = String(s.st[name]);
    }
    this.greyOut();
    this.renderSizeHint();
  }

  /** Disables the fields the chosen cell, optimizer and schedule do not read. */
  greyOut() {
    const chosen = { cell: this.$('cell').value, optimizer: this.$('optimizer').value, schedule: this.$('schedule').value };
    for (const name of FORM_FIELDS) this.$(name).disabled = !settingApplies(name, chosen);
  }

  renderSizeHint() {
    const form = this.read();
    const out = this.$('model-size');
    if (!form.ok) {
      out.textContent = '';
      return;
    }
    const V = this.scope.text.value ? this.scope.text.info.distinct : 5;
    const n = S.paramCount(form.state.cell, form.state.hidden, form.state.layers, V);
    const problems = S.sizeProblems(form.state, V);
    out.textContent = problems.length ? problems.join('; ') : `${num(n)} parameters with this text's ${V}-character vocabulary.`;
    out.classList.toggle('bad', problems.length > 0);
  }
}
