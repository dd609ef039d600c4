// The Scope's model files (scope.js installs these methods on Scope.prototype): a model from a URL or bytes, checked
// by the engine before anything changes, paired with a text it can read.

import * as S from './state.js';
import { CELL_NAMES } from './state.js';
import { Cmd } from './protocol.js';
import { textStats, missingChars, standInText, charList, printable } from './text.js';
import { displayChar } from './views/format.js';

/** What came back with a model's training state (the engine's `resumed`), as a sentence to append; '' without one. */
export function resumedSentence(resumed) {
  if (!resumed) return '';
  if (resumed.restored === 'exactly') return ' Training goes on exactly where it stopped: optimizer state, data position and recurrent state are restored.';
  if (resumed.restored === 'optimizer') return ` Its optimizer state is restored; the data starts from the beginning because ${resumed.note}.`;
  return ` Its saved optimizer state could not be used (${resumed.note}); the optimizer starts fresh.`;
}

/** @this {import('./scope.js').Scope} */
export class FileMethods {
  /**
   * Replace the model by a model file: its URL or bytes. For `initial` loads (the element's `model` attribute) a
   * model whose vocabulary does not cover the text is paired with a stand-in text of its own characters, and the
   * text box, if it holds characters the model does not know, shows those it does.
   */
  async load(source, { initial = false, name = null } = {}) {
    let bytes = source;
    let label = name;
    if (typeof source === 'string') {
      label = label ?? decodeURIComponent(source.split('/').pop() || source);
      try {
        const res = await fetch(new URL(source, document.baseURI));
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        bytes = new Uint8Array(await res.arrayBuffer());
      } catch (err) {
        this.say(`Could not fetch the model “${label}”: ${err.message}.${this.model ? ' The current model is unchanged.' : ''}`, 'error', 'load');
        throw err;
      }
    } else if (source instanceof ArrayBuffer) {
      bytes = new Uint8Array(source.slice(0));
    } else if (source instanceof Uint8Array) {
      bytes = source.slice(); // the caller keeps its array (ours travels to the engine)
    }
    if (!(bytes instanceof Uint8Array)) throw new TypeError('load() takes a URL or the bytes of a .safetensors file');
    try {
      await this.loadModelFile(bytes, label ?? 'the model file', { quietIfFits: initial });
      this.unsay('load');
    } catch (err) {
      this.say(`Could not load “${label ?? 'the model file'}” as a model: ${err.message}.${this.model ? ' The current model is unchanged.' : ''}`, 'error', 'load');
      throw err;
    }
  }

  /**
   * Replace the model by .safetensors bytes. On failure it throws why and the current model is unchanged.
   * @param {Uint8Array} bytes
   * @param {string} what a name for messages
   */
  async loadModelBytes(bytes, what, { quiet = false, keepHistory = false, state = null, text = null, trainingState = null } = {}) {
    const st = state ?? this.st;
    const useText = text ?? this.text;
    const transfer = trainingState ? [bytes.buffer, trainingState.buffer] : [bytes.buffer];
    const edits = this.formEdits;
    const msg = await this.client.request({ type: Cmd.LOAD, bytes, trainingState, config: S.modelConfig(st), text: useText }, transfer);
    if (state) this.st = state;
    if (text !== null) {
      this.text = text;
      this.textInfo = textStats(text);
    }
    // The file decides the shape: show it in the form and the URL.
    const info = msg.info;
    this.st.cell = info.cell;
    this.st.hidden = info.hidden;
    this.st.layers = info.layers;
    if (info.nonlinearity) this.st.nonlinearity = info.nonlinearity;
    if (this.formEdits === edits) this.formEdited = false; // edits typed while it loaded stay
    this.adoptModel(msg, { keepHistory });
    this.autosamples = [];
    this.changed('autosamples', 'controls');
    this.writeState();
    if (!quiet) this.say(`Loaded ${what}: ${CELL_NAMES[info.cell] ?? info.cell}, ${info.layers} × ${info.hidden} units, ${info.vocab.length}-character vocabulary, step ${info.step}.${resumedSentence(msg.resumed)}`, 'info', 'loaded');
    return msg;
  }

  /**
   * Load a model file the visitor chose or dropped (or the author named). A model trains on (and is kept with) a
   * text it can read. When the current text uses characters the file's vocabulary lacks — a PyTorch model trained
   * on other text, say — the model still loads, paused, with a stand-in text made of its own characters, so the
   * visitor can look inside it; the message names the missing characters and says how to train it on real text.
   */
  async loadModelFile(bytes, name, { quietIfFits = false } = {}) {
    // The engine reads the file as loading would (a copy: the bytes are still needed here), so a bad file is
    // refused with its reason before anything changes.
    const { vocab } = await this.client.request({ type: Cmd.INSPECT, bytes: bytes.slice() });
    const missing = missingChars(this.text, vocab);
    // Before the first model there is no text yet: the stand-in serves then too.
    if (!missing.length && this.text) {
      await this.loadModelBytes(bytes, `“${name}”`, { quiet: quietIfFits });
      return;
    }
    const text = standInText(vocab, this.st);
    const state = { ...this.st, corpus: 'custom', text: text.length <= S.prop('text').maxLength ? text : '' };
    // The text box too: if it holds characters the model does not know, show it the ones it does.
    const probeMissing = missingChars(this.st.probe, vocab).length > 0;
    if (probeMissing) state.probe = printable(vocab);
    const msg = await this.loadModelBytes(bytes, `“${name}”`, { quiet: true, state, text });
    this.textLabel = `stand-in text made of the characters “${name}” knows`;
    this.probeTextChanged = probeMissing;
    this.changed('controls');
    if (quietIfFits) return;
    const info = msg.info;
    this.say(
      `Loaded “${name}”: ${CELL_NAMES[info.cell] ?? info.cell}, ${info.layers} × ${info.hidden} units, ` +
        `${info.vocab.length}-character vocabulary (${info.vocab.slice(0, 60).map(displayChar).join(' ')}${info.vocab.length > 60 ? ' …' : ''}), step ${info.step}. ` +
        (missing.length ? `It does not know ${charList(missing)} from the text it would have trained on, so it` : 'It') +
        ` waits, paused, with a stand-in text made of its own characters${probeMissing ? ', and “Text to look at” now holds the characters it knows' : ''}. ` +
        'Type in “Text to look at” to see what it predicts. To train it on real text, paste a text that uses only ' +
        'its characters under “Text to learn” and press “Keep training this model on it”.',
      'info',
      'loaded',
    );
  }
}
