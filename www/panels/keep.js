// "Keep your work": download the model, load one, and what the autosave did last.

import { Panel } from './panel.js';
import { fetchAsset } from '../scope/assets.js';
import { Parts } from '../scope/parts.js';

export class KeepPanel extends Panel {
  static html = `
    <section id="keep" class="panel" aria-labelledby="keep-h" part="keep">
      <h2 id="keep-h">Keep your work</h2>
      <div class="row">
        <button type="button" id="btn-download" data-testid="download">Download model (.safetensors)</button>
        <label class="file-button" for="file-model">Load a model…
          <input id="file-model" type="file" accept=".safetensors,application/octet-stream" data-testid="file-model">
        </label>
      </div>
      <div class="row" id="pretrained-row" hidden>
        <label for="pretrained" class="grow">Or start from a trained model
          <select id="pretrained" data-testid="pretrained"></select>
        </label>
        <button type="button" id="btn-pretrained" data-testid="use-pretrained">Load it</button>
      </div>
      <p class="hint" id="pretrained-about" data-testid="pretrained-about"></p>
      <p class="hint">Models from the rnnscope command line and from PyTorch (<code>safetensors.torch.save_file</code>
        of an <code>nn.LSTM</code>/<code>nn.GRU</code>/<code>nn.RNN</code> plus decoder) load here. A model trains on
        text made of the characters it knows: if the current text has others, it loads paused with a stand-in text
        of its own characters, so you can still look inside it.</p>
      <p class="hint" id="autosave-info" data-testid="autosave-info">Autosave: your model is kept in this browser every few seconds while it trains.</p>
    </section>`;

  static parts = [
    [Parts.STATUS, 'renderButtons'],
    [Parts.AUTOSAVE, 'renderAutosave'],
  ];

  wire() {
    const s = this.scope;
    this.$('autosave-info').hidden = !s.keeper;
    this.$('btn-download').addEventListener('click', () => this.download());
    const fileModel = this.$('file-model');
    fileModel.addEventListener('change', async () => {
      await this.options.links?.textPanel?.openFile(fileModel.files?.[0], { as: 'model' });
      fileModel.value = '';
    });
    this.$('btn-pretrained').addEventListener('click', () => this.usePretrained());
    this.$('pretrained').addEventListener('change', () => this.describePretrained());
    this.listPretrained();
  }

  async download() {
    const s = this.scope;
    try {
      const r = await s.getBytes();
      const info = s.model.info;
      const blob = new Blob([r.bytes], { type: 'application/octet-stream' });
      const a = document.createElement('a');
      const url = URL.createObjectURL(blob);
      a.href = url;
      a.download = `rnnscope-${info.cell}-${info.layers}x${info.hidden}-step${r.step}.safetensors`;
      a.hidden = true;
      this.el.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      s.say(`Could not download the model: ${err.message}`, 'error', 'download');
    }
  }

  /** The shipped models (models/manifest.json beside the element's code), offered next to training from scratch. */
  async listPretrained() {
    let manifest;
    try {
      this.modelsUrl = this.scope.assetUrl('models/');
      const res = await fetch(new URL('manifest.json', this.modelsUrl));
      if (!res.ok) return;
      manifest = await res.json();
    } catch {
      return;
    }
    const models = Array.isArray(manifest?.models) ? manifest.models.filter((m) => typeof m.file === 'string') : [];
    if (!models.length) return;
    this.models = models;
    const sel = this.$('pretrained');
    sel.replaceChildren();
    for (const m of models) {
      const o = document.createElement('option');
      o.value = m.file;
      o.textContent = String(m.name ?? m.file);
      sel.append(o);
    }
    this.$('pretrained-row').hidden = false;
    this.describePretrained();
  }

  describePretrained() {
    const m = this.models?.find((x) => x.file === this.$('pretrained').value);
    this.$('pretrained-about').textContent = m ? String(m.description ?? '') : '';
  }

  /** Load the chosen trained model, with the built-in text it learnt when there is one (so it can train on). */
  async usePretrained() {
    const s = this.scope;
    const m = this.models?.find((x) => x.file === this.$('pretrained').value);
    if (!m) return;
    const url = new URL(m.file, this.modelsUrl).href;
    try {
      if (!s.corpora.includes(m.corpus)) {
        await s.files.load(url, { name: m.file });
        return;
      }
      const [text, bytes] = await Promise.all([s.corpusText(m.corpus), fetchAsset(url, 'model')]);
      await s.files.loadBytes(bytes, `the trained model “${m.name ?? m.file}”`, { text, state: { ...s.st, corpus: m.corpus, text: '' } });
      s.text.set(text, `built-in “${m.corpus}”`, m.corpus);
      s.changed(Parts.CONTROLS);
    } catch (err) {
      s.say(`Could not load the trained model “${m.file}”: ${err.message}. The current model is unchanged.`, 'error', 'load');
    }
  }

  renderButtons() {
    this.$('btn-download').disabled = !this.scope.model;
  }

  renderAutosave() {
    const info = this.scope.keeper?.info;
    if (info) this.$('autosave-info').textContent = info;
  }
}
