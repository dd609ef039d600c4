// A scope's training text: which text it learns (with a label and its counts), a fresh model on a new text, or the
// same model going on with a new text of its characters.

import * as S from './state.js';
import { CELL_NAMES } from './state.js';
import { Cmd } from '../engine/protocol.js';
import { Parts } from './parts.js';
import { textStats, textProblem, missingChars, charList, num } from './text.js';
import { fetchAsset } from './assets.js';

/** The UTF-8 text at `url` (a byte-order mark dropped); throws why it cannot be had. */
export async function fetchText(url) {
  const bytes = await fetchAsset(url, 'text');
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new Error(`${url} is not UTF-8 text`, { cause: err });
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export class TrainingText {
  /** @param {import('./scope.js').Scope} scope */
  constructor(scope) {
    this.scope = scope;
    /** The text the model learns ('' before the first). */
    this.value = '';
    /** Where it came from, for people ("built-in “hello”", "your pasted text"). */
    this.label = '';
    /** Its characters and distinct characters, counted as the model does. */
    this.info = { chars: 0, distinct: 0 };
    /**
     * Whether the model may train on it: false for the stand-in a model file gets when it came without a text of
     * its own (a few of its characters repeated: training on it would ruin the model), and before the first text.
     */
    this.trainable = false;
  }

  /** Make `text` the text being learnt: its label, its corpus name, and the link's copy of it when it fits. */
  set(text, label, corpusName) {
    const st = this.scope.st;
    this.value = text;
    this.info = textStats(text);
    this.label = label;
    this.trainable = true;
    this.scope.unsay('no-text');
    st.corpus = corpusName;
    st.text = corpusName === 'custom' && text.length <= S.prop('text').maxLength ? text : '';
  }

  /** The text, label and counts, to put back with `restore` when a change fails. */
  saved() {
    return { value: this.value, label: this.label, info: this.info, trainable: this.trainable };
  }

  restore({ value, label, info, trainable }) {
    Object.assign(this, { value, label, info, trainable });
  }

  /** Why the model cannot train now (a sentence), or null when it can. */
  untrainableReason() {
    if (this.trainable || !this.scope.model) return null;
    return 'This model came without a text to train on, so it waits, paused: type in “Text to look at” to see what it predicts. Give it its text (the element’s text-src or text, or “Text to learn”) to train it.';
  }

  /** After a text change: say so when the link cannot carry the text. */
  noteShareable(corpusName) {
    const s = this.scope;
    if (s.options.urlState && corpusName === 'custom' && !s.st.text) {
      s.say('This text is too long to put into a shareable link; a link to this page opens with the built-in text.', 'info', 'share-text');
    }
  }

  /**
   * Train on new text: a fresh model with the settings `state` (the vocabulary comes from the text). Empty or
   * too-short text is refused with a message and nothing changes. Answers whether it worked.
   */
  async use(text, label, corpusName, state = this.scope.st) {
    const s = this.scope;
    const problem = textProblem(text);
    if (problem) {
      s.say(problem, 'error', 'text');
      return false;
    }
    const prev = { text: this.saved(), st: s.st };
    const wasRunning = s.running || s.waitingForSlot || !s.model;
    s.st = { ...state };
    this.set(text, label, corpusName);
    try {
      await s.buildModel({ start: wasRunning });
      s.unsay('text');
      this.noteShareable(corpusName);
      s.changed(Parts.CONTROLS);
      return true;
    } catch (err) {
      this.restore(prev.text);
      s.st = prev.st;
      s.say(`Could not train on this text: ${err.message}. The current model is unchanged.`, 'error', 'text');
      s.changed(Parts.CONTROLS);
      return false;
    }
  }

  /**
   * The text at `url` (relative to the element's base, scope/assets.js), fetched as UTF-8: the text the model in
   * place keeps training on when it came from a model file and knows its characters, else a fresh model's.
   * Answers whether it worked; a text that cannot be fetched or read is named in a message and nothing changes.
   */
  async fromUrl(url) {
    const s = this.scope;
    let text;
    try {
      text = await fetchText(s.assetUrl(url));
    } catch (err) {
      s.say(`Could not fetch the training text “${url}”: ${err.message}. Nothing was changed.`, 'error', 'text');
      return false;
    }
    return this.learn(text, `“${decodeURIComponent(url.split('/').pop() || url)}”`);
  }

  /**
   * Train on `text` (the element's learn() and text-src): the model in place keeps training on it when it came
   * without a text of its own and knows its characters (a pretrained model given its text), else a fresh model
   * learns it. Answers whether it worked.
   */
  learn(text, label) {
    const s = this.scope;
    if (s.model && !this.trainable && !missingChars(text, s.model.info.vocab).length) return this.continueOn(text, label, 'custom');
    return this.use(text, label, 'custom');
  }

  /** Train on an embedded corpus. */
  async useCorpus(name, state = this.scope.st) {
    try {
      const text = await this.scope.corpusText(name);
      return await this.use(text, `built-in “${name}”`, name, state);
    } catch (err) {
      this.scope.say(`Could not open “${name}”: ${err.message}`, 'error', 'text');
      return false;
    }
  }

  /**
   * Keep training the current model, weights, optimizer and step as they are, on new text (the worker's set-text).
   * The text must use only characters the model knows; otherwise the message names the others and nothing changes.
   */
  async continueOn(text, label, corpusName) {
    const s = this.scope;
    const problem = textProblem(text);
    if (problem) {
      s.say(problem, 'error', 'text');
      return false;
    }
    if (!s.model) {
      s.say('There is no model yet to keep training; “Train on this text” builds one.', 'error', 'text');
      return false;
    }
    const missing = missingChars(text, s.model.info.vocab);
    if (missing.length) {
      s.say(
        `This model does not know ${charList(missing)}, so it cannot learn this text as it is. Remove those characters, ` +
          'or use “Train on this text” for a new model whose vocabulary fits it. Nothing was changed.',
        'error',
        'text',
      );
      return false;
    }
    const generation = s.modelGeneration;
    try {
      await s.client.request({ type: Cmd.SET_TEXT, text });
    } catch (err) {
      s.say(`Could not keep training on this text: ${err.message}. The model and its text are unchanged.`, 'error', 'text');
      return false;
    }
    if (generation !== s.modelGeneration) return false; // another model was put in place meanwhile
    this.set(text, label, corpusName);
    s.writeState();
    s.unsay('text');
    s.unsay('loaded');
    s.say(`The ${CELL_NAMES[s.model.info.cell] ?? s.model.info.cell} model goes on from step ${num(s.step)} on ${label}.`, 'info', 'text');
    this.noteShareable(corpusName);
    s.changed(Parts.CONTROLS, Parts.STATUS);
    s.start();
    return true;
  }
}
