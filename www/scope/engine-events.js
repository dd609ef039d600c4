// What a scope's engine reports (engine/protocol.js `Evt`), taken into the scope: progress, probes and samples to
// their parts, refusals and crashes to messages (a crashed worker is restarted with the last good model), and, when
// the engine is first ready, the first model: the author's model file, text or corpus.

import { Cmd, Evt, ErrorKind } from '../engine/protocol.js';
import { trainingSlots } from '../engine/client.js';
import { Parts } from './parts.js';
import { resumedSentence } from './model-files.js';
import { onProgress } from './history.js';
import { textProblem, num } from './text.js';
import { fetchText } from './training-text.js';

export class EngineEvents {
  /** @param {import('./scope.js').Scope} scope */
  constructor(scope) {
    this.scope = scope;
  }

  handle(msg) {
    const s = this.scope;
    if (s.closed) return;
    switch (msg.type) {
      case 'main-thread':
        s.engineMode = 'main-thread';
        s.say('This page does not allow background workers here, so the model runs in this page itself, in short slices.', 'info', 'main-thread');
        break;
      case Evt.READY:
        s.engineMode = s.client.mode;
        this.ready(msg);
        break;
      case Evt.MODEL:
        // Unprompted MODEL = the worker rebuilt itself after a trap.
        s.adoptModel(msg, { keepHistory: true });
        if (msg.recovered) s.say(`Recovered: the last good model (step ${msg.info.step}) is back.${resumedSentence(msg.resumed)} Press Resume to go on training.`, 'warn', 'recovered');
        break;
      case Evt.STATUS:
        s.running = msg.running;
        s.step = msg.step;
        if (msg.workers) s.workers = msg.workers;
        if (msg.note) s.say(`${msg.note[0].toUpperCase()}${msg.note.slice(1)}.`, 'info', 'workers');
        if (!msg.running) {
          s.charsPerSec = 0;
          trainingSlots().release(s);
          s.probe.stopped();
          if (msg.reason === 'paused' || msg.reason === 'done') s.autosave(true);
        }
        s.changed(Parts.STATUS);
        break;
      case Evt.PROGRESS:
        onProgress(s, msg);
        s.changed(Parts.STATUS, Parts.CHART);
        s.emit('progress', { step: msg.step, loss: msg.loss, smoothLoss: msg.smoothLoss, valLoss: msg.valLoss });
        break;
      case Evt.AUTOSAMPLE:
        s.autosamples.unshift({ step: msg.step, prime: msg.prime, text: msg.text });
        if (s.autosamples.length > 4) s.autosamples.length = 4;
        s.changed(Parts.AUTOSAMPLES);
        break;
      case Evt.PROBE:
        s.probe.answered(msg);
        break;
      case Evt.SAMPLE:
        s.sample.received(msg);
        break;
      case Evt.ERROR:
        this.error(msg);
        break;
      case 'crash':
        this.crash(msg);
        break;
      case 'awake':
        // A resting model's engine is up again (rest.js): what waited for it goes now.
        s.probe.request();
        s.changed(Parts.STATUS);
        break;
      default:
        break;
    }
  }

  error(msg) {
    const s = this.scope;
    if (msg.op === Cmd.PROBE) {
      s.probe.failed(msg);
      return;
    }
    if (msg.op === Cmd.SAMPLE) {
      s.sample.failed(msg.message);
      return;
    }
    s.emit('error', { kind: msg.kind, message: msg.message });
    if (msg.kind === ErrorKind.DIVERGED) {
      const m = msg.message.replace(/^training stopped:\s*/i, '');
      s.say(`Training paused: ${m}. Resume continues from the last good step.`, 'error', 'diverged');
      return;
    }
    if (msg.kind === ErrorKind.INTERNAL) {
      s.say(`The model code hit an internal error (${msg.message}). Training is paused.`, 'error', 'internal');
      return;
    }
    if (msg.kind === ErrorKind.FATAL) {
      s.error = 'fatal';
      s.say(`The model code could not start: ${msg.message}`, 'error', 'fatal');
      s.changed(Parts.STATUS);
      return;
    }
    s.say(msg.message, 'error', msg.op || 'worker');
  }

  crash(msg) {
    const s = this.scope;
    const wasRunning = s.running;
    s.running = false;
    trainingSlots().release(s);
    s.say(`The training worker crashed (${msg.message}). Restarting it with the last good model…`, 'error', 'crash');
    s.recoverAfterCrash = { wasRunning, reason: msg.message };
    s.probe.lost();
    s.sample.lost();
    s.client.respawn();
    s.changed(Parts.STATUS, Parts.SAMPLE);
  }

  async ready(msg) {
    const s = this.scope;
    s.corpora = msg.corpora;
    s.changed(Parts.CONTROLS);
    if (s.recoverAfterCrash) {
      const { wasRunning, reason } = s.recoverAfterCrash;
      s.recoverAfterCrash = null;
      try {
        if (s.lastBytes && s.model) {
          await s.files.loadBytes(s.lastBytes.slice(), 'the last good model', {
            quiet: true,
            keepHistory: true,
            trainingState: s.lastTrainingState?.slice() ?? null,
          });
        } else {
          await s.buildModel({ start: false });
        }
        s.say(`The training worker crashed (${reason}); it was restarted with the last good model, from step ${num(s.step)}.`, 'warn', 'crash');
        if (wasRunning) s.start();
      } catch (err) {
        s.say(`The worker was restarted, but the model could not be rebuilt: ${err.message}`, 'error', 'crash');
      }
      return;
    }
    await this.firstModel();
  }

  /** The first model: a model file given by the author, else a fresh model on the author's text or a corpus. */
  async firstModel() {
    const s = this.scope;
    const { model, text: authorText, textSrc, textGiven } = s.options;
    try {
      // With a model file, a text only when the author named one (else the model brings a stand-in of its own).
      let text = null;
      let label;
      if (authorText) {
        text = authorText;
        label = 'the text of this page';
        s.st.corpus = 'custom';
      } else if (textSrc) {
        try {
          text = await fetchText(s.assetUrl(textSrc));
          label = `“${decodeURIComponent(textSrc.split('/').pop() || textSrc)}”`;
          s.st.corpus = 'custom';
        } catch (err) {
          s.say(`Could not fetch the training text “${textSrc}”: ${err.message}.`, 'error', 'text');
          if (!model) throw err;
        }
      } else if (model && !textGiven) {
        text = null;
      } else if (s.st.corpus === 'custom' && s.st.text) {
        text = s.st.text;
        label = 'text from the link';
      } else {
        if (s.st.corpus === 'custom') {
          // A link made while training on a text too long to travel in it.
          s.say(`This link does not hold its text (it was too long to travel in a link); using the built-in “${s.corpora[0]}”.`, 'warn', 'corpus');
          s.st.corpus = s.corpora[0];
        } else if (!s.corpora.includes(s.st.corpus)) {
          s.say(`There is no built-in text called “${s.st.corpus}”; using “${s.corpora[0]}”.`, 'warn', 'corpus');
          s.st.corpus = s.corpora[0];
        }
        label = `built-in “${s.st.corpus}”`;
        text = await s.corpusText(s.st.corpus);
      }
      // A model put in place meanwhile (the autosave restored, or a model file opened, before the model code was
      // ready) is what the visitor chose: keep it rather than replacing it by a fresh one.
      if (s.model) return;
      if (text !== null) {
        const problem = textProblem(text);
        if (problem) throw new Error(problem.replace(/ Nothing was changed\.$|— nothing was changed\.$/, ''));
        s.text.set(text, label, s.st.corpus);
        s.changed(Parts.CONTROLS);
      }
      if (model) {
        await s.files.load(model, { initial: true });
        if (s.options.autoplay && s.model) s.start();
        return;
      }
      await s.buildModel({ start: s.options.autoplay });
    } catch (err) {
      if (!model) s.say(`Could not build the model: ${err.message}`, 'error', 'build');
    }
  }
}
