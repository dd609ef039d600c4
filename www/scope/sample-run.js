// A scope's sample: one stream at a time from the engine, its text growing chunk by chunk, and a promise for the
// whole of it (the element's sample() method).

import { Cmd } from '../engine/protocol.js';
import { Parts } from './parts.js';

export class SampleRun {
  /** @param {import('./scope.js').Scope} scope */
  constructor(scope) {
    this.scope = scope;
    /** The engine's id of the stream, 0 before the first. */
    this.id = 0;
    this.prime = '';
    /** What has come so far, after the prime. */
    this.text = '';
    this.active = false;
    /** Chunks received (the browser tests count them). */
    this.chunks = 0;
    /** Samples started so far: with the seed setting, the seed of the next one. */
    this.seq = 0;
    /** @type {((text: string) => void)|null} */
    this.resolve = null;
    /** @type {((err: Error) => void)|null} */
    this.reject = null;
  }

  /** Stream a sample; resolves with its text when done. */
  start({ prime, length, temperature, topK, seed } = {}) {
    const s = this.scope;
    if (!s.model) return Promise.reject(new Error('there is no model yet'));
    this.reject?.(new Error('another sample started'));
    const st = s.st;
    const id = s.client.id();
    this.seq++;
    const coin = seed ?? (st.seed * 7919 + this.seq) >>> 0;
    const done = new Promise((resolve, reject) => {
      Object.assign(this, { id, prime: prime ?? st.prime, text: '', active: true, chunks: 0, resolve, reject });
    });
    done.catch(() => {});
    s.client.send({
      type: Cmd.SAMPLE,
      id,
      prime: this.prime,
      length: length ?? st.sampleLen,
      temperature: temperature ?? st.temperature,
      topK: topK ?? st.topK,
      seed: coin,
    });
    s.unsay('sample');
    s.changed(Parts.SAMPLE);
    return done;
  }

  cancel() {
    this.scope.client.send({ type: Cmd.SAMPLE_CANCEL });
  }

  /** The next characters (`Evt.SAMPLE`). */
  received(msg) {
    if (msg.id !== this.id) return;
    this.text += msg.text;
    this.chunks++;
    if (msg.done) {
      this.active = false;
      this.scope.emit('sample', { prime: this.prime, text: this.text });
      this.resolve?.(this.text);
    }
    this.scope.changed(Parts.SAMPLE);
  }

  /** The engine refused or lost the sample. */
  failed(message) {
    this.active = false;
    this.reject?.(new Error(message));
    this.scope.changed(Parts.SAMPLE);
    this.scope.say(`Sampling failed: ${message}`, 'error', 'sample');
  }

  /** The worker crashed: nothing more will come. */
  lost() {
    this.active = false;
  }
}
