// A comparison: RNN, LSTM and GRU trained at once on the same text, settings and seed, one engine each. It counts
// as one training of the page (it is one thing the visitor asked for); its curves stay on screen after it stops.

import { Cmd, Evt, modelConfig } from '../engine/protocol.js';
import { EngineClient } from '../engine/client.js';
import { CELLS } from './state.js';
import { LossHistory, onProgress } from './history.js';
import { Parts } from './parts.js';

export class Comparison {
  /**
   * @param {import('./scope.js').Scope} scope whose text and settings are compared, and which is told of changes
   * @param {boolean} resumeMain whether the scope's own model goes on training when this stops
   */
  constructor(scope, resumeMain) {
    this.scope = scope;
    this.resumeMain = resumeMain;
    this.live = true;
    const config = modelConfig(scope.st);
    /** @type {Record<string, object>} per cell: `{cell, model, step, hist, val, last, sample, error, charsPerSec, client}` */
    this.runs = {};
    for (const cell of CELLS) {
      const run = { cell, model: null, step: 0, hist: new LossHistory(), val: [], last: null, sample: '', error: null, charsPerSec: 0 };
      run.config = { ...config, cell };
      run.text = scope.text.value;
      run.client = new EngineClient((msg, client) => this.onEvent(run, msg, client));
      this.runs[cell] = run;
    }
    scope.changed(Parts.COMPARE);
  }

  onEvent(run, msg, client) {
    if (!this.live) return;
    switch (msg.type) {
      case Evt.READY:
        client
          .request({ type: Cmd.CREATE, config: run.config, text: run.text })
          .then((m) => {
            run.model = { info: m.info };
            client.send({ type: Cmd.START });
            this.scope.changed(Parts.COMPARE);
          })
          .catch((err) => {
            run.error = err.message;
            this.scope.changed(Parts.COMPARE);
          });
        return;
      case Evt.PROGRESS:
        onProgress(run, msg);
        break;
      case Evt.AUTOSAMPLE:
        run.sample = msg.prime + msg.text;
        break;
      case Evt.ERROR:
        run.error = msg.message;
        break;
      case 'crash':
        run.error = `worker crashed: ${msg.message}`;
        break;
      default:
        return;
    }
    this.scope.changed(Parts.COMPARE);
  }

  /** Stop the three engines; the curves stay. */
  stop() {
    if (!this.live) return;
    this.live = false;
    for (const cell of CELLS) {
      this.runs[cell].client.terminate();
      this.runs[cell].client = null;
    }
    this.scope.changed(Parts.COMPARE);
  }
}
