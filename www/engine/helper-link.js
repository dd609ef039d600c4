// The engine's side of one helper worker (helper.js): parts of steps go out with the weights, answers come back
// matched by sequence number. Once a part fails or the helper is reported gone, the link is lost for good: every
// pending and later part is refused with the reason, and the engine trains in one worker.

import { Part } from './protocol.js';

export class HelperLink {
  /** @param {MessagePort} port the helper's end is in helper.js */
  constructor(port) {
    this.port = port;
    this.seq = 0;
    /** @type {Map<number, {resolve: (a: any) => void, reject: (e: Error) => void}>} */
    this.pending = new Map();
    /** The model generation the helper holds the shape of. */
    this.generation = -1;
    /** Why the link was lost, or '' while it works. */
    this.lost = '';
    port.onmessage = (e) => this.receive(e.data);
  }

  /** Make sure the helper holds the shape of model `generation` (model-file bytes, taken). */
  model(generation, bytes) {
    if (this.lost || generation === this.generation) return;
    this.generation = generation;
    this.port.postMessage({ type: Part.MODEL, bytes }, [bytes.buffer]);
  }

  /**
   * One part of a step (`Session.shareBegin`'s `params` and one of its `parts`, taken): resolves with the answer
   * for `Session.shareFinish`, rejects when the part failed or the helper is gone.
   */
  run(params, part) {
    if (this.lost) return Promise.reject(new Error(this.lost));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      const buffers = [params.buffer, part.inputs.buffer, part.targets.buffer, part.h.buffer, part.c.buffer];
      this.port.postMessage({ type: Part.RUN, seq, params, part }, buffers);
    });
  }

  receive(msg) {
    const p = this.pending.get(msg?.seq);
    if (!p) return;
    this.pending.delete(msg.seq);
    if (msg.type === Part.DONE) p.resolve(msg.answer);
    else {
      p.reject(new Error(msg.message || 'a helper worker failed'));
      this.lose(`a helper worker failed: ${msg.message}`);
    }
  }

  /** Stop using the helper: refuse what is pending and everything later. */
  lose(why) {
    if (this.lost) return;
    this.lost = why;
    for (const p of this.pending.values()) p.reject(new Error(why));
    this.pending.clear();
    this.port.onmessage = null;
    this.port.close();
  }
}
