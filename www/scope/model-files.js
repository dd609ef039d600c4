// A scope's model files: a model from a URL or bytes, checked by the engine before anything changes, and paired with
// a text it can read.

import * as S from './state.js';
import { CELL_NAMES } from './state.js';
import { Cmd, modelConfig } from '../engine/protocol.js';
import { Parts } from './parts.js';
import { textStats, missingChars, standInText, charList, printable } from './text.js';
import { displayChar } from '../views/format.js';
import { fetchAsset } from './assets.js';

/** What came back with a model's training state (the engine's `resumed`), as a sentence to append; '' without one. */
export function resumedSentence(resumed) {
  if (!resumed) return '';
  if (resumed.restored === 'exactly') return ' Training goes on exactly where it stopped: optimizer state, data position and recurrent state are restored.';
  if (resumed.restored === 'optimizer') return ` Its optimizer state is restored; the data starts from the beginning because ${resumed.note}.`;
  return ` Its saved optimizer state could not be used (${resumed.note}); the optimizer starts fresh.`;
}

export class ModelFiles {
  /** @param {import('./scope.js').Scope} scope */
  constructor(scope) {
    this.scope = scope;
  }

  /**
   * Replace the model by a model file: its URL or bytes. For `initial` loads (the element's `model` attribute) a
   * model whose vocabulary does not cover the text is paired with a stand-in text of its own characters, and the
   * text box, if it holds characters the model does not know, shows those it does.
   */
  async load(source, { initial = false, name = null } = {}) {
    const s = this.scope;
    let bytes = source;
    let label = name;
    if (typeof source === 'string') {
      label = label ?? decodeURIComponent(source.split('/').pop() || source);
      try {
        bytes = await fetchAsset(s.assetUrl(source), 'model');
      } catch (err) {
        s.say(`Could not fetch the model “${label}”: ${err.message}.${s.model ? ' The current model is unchanged.' : ''}`, 'error', 'load');
        throw err;
      }
    } else if (source instanceof ArrayBuffer) {
      bytes = new Uint8Array(source.slice(0));
    } else if (source instanceof Uint8Array) {
      bytes = source.slice(); // the caller keeps its array (ours travels to the engine)
    }
    if (!(bytes instanceof Uint8Array)) throw new TypeError('load() takes a URL or the bytes of a .safetensors file');
    try {
      await this.loadFile(bytes, label ?? 'the model file', { quietIfFits: initial });
      s.unsay('load');
    } catch (err) {
      s.say(`Could not load “${label ?? 'the model file'}” as a model: ${err.message}.${s.model ? ' The current model is unchanged.' : ''}`, 'error', 'load');
      throw err;
    }
  }

  /**
   * Replace the model by .safetensors bytes. On failure it throws why and the current model is unchanged.
   * @param {Uint8Array} bytes
   * @param {string} what a name for messages
   */
  async loadBytes(bytes, what, { quiet = false, keepHistory = false, state = null, text = null, trainableText = true, trainingState = null } = {}) {
    const s = this.scope;
    const st = state ?? s.st;
    const useText = text ?? s.text.value;
    const transfer = trainingState ? [bytes.buffer, trainingState.buffer] : [bytes.buffer];
    const edits = s.formEdits;
    const trainable = text === null ? s.text.trainable : trainableText;
    const msg = await s.client.request({ type: Cmd.LOAD, bytes, trainingState, config: modelConfig(st), text: useText, trainable }, transfer);
    if (state) s.st = state;
    if (text !== null) {
      s.text.value = text;
      s.text.info = textStats(text);
      s.text.trainable = trainableText;
    }
    // The file decides the shape: show it in the form and the URL.
    const info = msg.info;
    Object.assign(s.st, { cell: info.cell, hidden: info.hidden, layers: info.layers });
    if (info.nonlinearity) s.st.nonlinearity = info.nonlinearity;
    if (s.formEdits === edits) s.formEdited = false; // edits typed while it loaded stay
    s.adoptModel(msg, { keepHistory });
    s.autosamples = [];
    s.changed(Parts.AUTOSAMPLES, Parts.CONTROLS);
    s.writeState();
    if (!quiet) s.say(`Loaded ${what}: ${CELL_NAMES[info.cell] ?? info.cell}, ${info.layers} × ${info.hidden} units, ${info.vocab.length}-character vocabulary, step ${info.step}.${resumedSentence(msg.resumed)}`, 'info', 'loaded');
    return msg;
  }

  /**
   * Load a model file the visitor chose or dropped (or the author named). A model trains on (and is kept with) a
   * text it can read. When the current text uses characters the file's vocabulary lacks — a PyTorch model trained
   * on other text, say — the model still loads, paused, with a stand-in text made of its own characters, so the
   * visitor can look inside it; the message names the missing characters and says how to train it on real text.
   */
  async loadFile(bytes, name, { quietIfFits = false } = {}) {
    const s = this.scope;
    // The engine reads the file as loading would (a copy: the bytes are still needed here), so a bad file is
    // refused with its reason before anything changes.
    const { vocab, corpus } = await s.client.request({ type: Cmd.INSPECT, bytes: bytes.slice() });
    const missing = missingChars(s.text.value, vocab);
    // Before the first model there is no text yet: the stand-in serves then too.
    if (!missing.length && s.text.value) {
      await this.loadBytes(bytes, `“${name}”`, { quiet: quietIfFits });
      return;
    }
    // A model that learnt one of the embedded corpora (its train_config says which) gets that text back.
    const own = corpus ? await s.corpusText(corpus) : '';
    if (own && !missingChars(own, vocab).length) {
      const state = { ...s.st, corpus, text: '' };
      await this.loadBytes(bytes, `“${name}”`, { quiet: quietIfFits, state, text: own });
      s.text.label = `built-in “${corpus}”, the text “${name}” learnt`;
      s.changed(Parts.CONTROLS, Parts.STATUS);
      return;
    }
    const text = standInText(vocab, s.st);
    const state = { ...s.st, corpus: 'custom', text: text.length <= S.prop('text').maxLength ? text : '' };
    // The text box too: if it holds characters the model does not know, show it the ones it does.
    const probeMissing = missingChars(s.st.probe, vocab).length > 0;
    if (probeMissing) state.probe = printable(vocab);
    const msg = await this.loadBytes(bytes, `“${name}”`, { quiet: true, state, text, trainableText: false });
    s.text.label = `stand-in text made of the characters “${name}” knows (not trained on)`;
    s.probe.replaced = probeMissing;
    s.changed(Parts.CONTROLS, Parts.STATUS);
    if (quietIfFits) {
      s.say(s.text.untrainableReason(), 'info', 'no-text');
      return;
    }
    const info = msg.info;
    s.say(
      `Loaded “${name}”: ${CELL_NAMES[info.cell] ?? info.cell}, ${info.layers} × ${info.hidden} units, ` +
        `${info.vocab.length}-character vocabulary (${info.vocab.slice(0, 60).map(displayChar).join(' ')}${info.vocab.length > 60 ? ' …' : ''}), step ${info.step}. ` +
        (missing.length ? `It does not know ${charList(missing)} from the text it would have trained on, so it` : 'It') +
        ` waits, paused, with no text to train on${probeMissing ? ', and “Text to look at” now holds the characters it knows' : ''}. ` +
        'Type in “Text to look at” to see what it predicts. To train it on real text, paste a text that uses only ' +
        'its characters under “Text to learn” and press “Keep training this model on it”.',
      'info',
      'loaded',
    );
  }
}
