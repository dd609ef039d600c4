// The Scope's training text (scope.js installs these methods on Scope.prototype): which text it learns, a fresh
// model on a new text, or the same model going on with a new text of its characters.

import * as S from './state.js';
import { CELL_NAMES } from './state.js';
import { Cmd } from './protocol.js';
import { textStats, textProblem, missingChars, charList, num } from './text.js';

/** @this {import('./scope.js').Scope} */
export class TextMethods {

  /** Make `text` the text being learnt: its label, its corpus name, and the link's copy of it when it fits. */
  setText(text, label, corpusName) {
    this.text = text;
    this.textInfo = textStats(text);
    this.textLabel = label;
    this.st.corpus = corpusName;
    this.st.text = corpusName === 'custom' && text.length <= S.prop('text').maxLength ? text : '';
  }

  /** After a text change: say so when the link cannot carry the text. */
  noteShareableText(corpusName) {
    if (this.options.urlState && corpusName === 'custom' && !this.st.text) {
      this.say('This text is too long to put into a shareable link; a link to this page opens with the built-in text.', 'info', 'share-text');
    }
  }

  /**
   * Train on new text: a fresh model with the settings `state` (the vocabulary comes from the text). Empty or
   * too-short text is refused with a message and nothing changes. Answers whether it worked.
   */
  async useText(text, label, corpusName, state = this.st) {
    const problem = textProblem(text);
    if (problem) {
      this.say(problem, 'error', 'text');
      return false;
    }
    const prev = { text: this.text, label: this.textLabel, st: this.st, info: this.textInfo };
    const wasRunning = this.running || this.waitingForSlot || !this.model;
    this.st = { ...state };
    this.setText(text, label, corpusName);
    try {
      await this.buildModel({ start: wasRunning });
      this.unsay('text');
      this.noteShareableText(corpusName);
      this.changed('controls');
      return true;
    } catch (err) {
      this.text = prev.text;
      this.textLabel = prev.label;
      this.textInfo = prev.info;
      this.st = prev.st;
      this.say(`Could not train on this text: ${err.message}. The current model is unchanged.`, 'error', 'text');
      this.changed('controls');
      return false;
    }
  }

  /** Train on an embedded corpus. */
  async useCorpus(name, state = this.st) {
    try {
      const text = await this.corpusText(name);
      return await this.useText(text, `built-in “${name}”`, name, state);
    } catch (err) {
      this.say(`Could not open “${name}”: ${err.message}`, 'error', 'text');
      return false;
    }
  }

  /**
   * Keep training the current model, weights, optimizer and step as they are, on new text (the worker's set-text).
   * The text must use only characters the model knows; otherwise the message names the others and nothing changes.
   */
  async continueOnText(text, label, corpusName) {
    const problem = textProblem(text);
    if (problem) {
      this.say(problem, 'error', 'text');
      return false;
    }
    if (!this.model) {
      this.say('There is no model yet to keep training; “Train on this text” builds one.', 'error', 'text');
      return false;
    }
    const missing = missingChars(text, this.model.info.vocab);
    if (missing.length) {
      this.say(
        `This model does not know ${charList(missing)}, so it cannot learn this text as it is. Remove those characters, ` +
          'or use “Train on this text” for a new model whose vocabulary fits it. Nothing was changed.',
        'error',
        'text',
      );
      return false;
    }
    const generation = this.modelGeneration;
    try {
      await this.client.request({ type: Cmd.SET_TEXT, text });
    } catch (err) {
      this.say(`Could not keep training on this text: ${err.message}. The model and its text are unchanged.`, 'error', 'text');
      return false;
    }
    if (generation !== this.modelGeneration) return false; // another model was put in place meanwhile
    this.setText(text, label, corpusName);
    this.writeState();
    this.unsay('text');
    this.unsay('loaded');
    this.say(`The ${CELL_NAMES[this.model.info.cell] ?? this.model.info.cell} model goes on from step ${num(this.step)} on ${label}.`, 'info', 'text');
    this.noteShareableText(corpusName);
    this.changed('controls', 'status');
    this.start();
    return true;
  }
}
