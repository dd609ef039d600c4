// A helper training worker: it holds no session, only the model's shape (a `StepHelper` of the wasm core), and
// computes one part of each step for the engine's worker, which owns the model (see `Part` in protocol.js and
// `trainer::parallel` in the core). The page posts `{type: 'init', module, port}` once; from then on every message
// arrives on `port`, answered there with its buffers transferred. A part that fails (a trap included) is answered
// with `FAILED`, and the engine goes on in one worker.

import { instantiate } from './instance.js';
import { Part } from './protocol.js';

/** @type {any} the wasm module namespace once loaded */
let wasm = null;
/** @type {any} the StepHelper for the current model */
let helper = null;
let broken = '';

function handle(port, msg) {
  if (msg?.type === Part.MODEL) {
    try {
      helper?.free();
    } catch {
      // a helper of a trapped instance cannot be freed; it goes with it
    }
    helper = null;
    if (!wasm.StepHelper) return; // the code did not load: `broken` says why
    try {
      helper = new wasm.StepHelper(msg.bytes);
    } catch (err) {
      broken = err instanceof Error ? err.message : String(err);
    }
    return;
  }
  if (msg?.type !== Part.RUN) return;
  try {
    if (!helper) throw new Error(broken || 'the helper worker has no model');
    const answer = helper.run(msg.params, msg.part);
    port.postMessage({ type: Part.DONE, seq: msg.seq, answer }, [answer.grads.buffer, answer.h.buffer, answer.c.buffer]);
  } catch (err) {
    const trap = err instanceof WebAssembly.RuntimeError;
    if (trap) helper = null;
    port.postMessage({ type: Part.FAILED, seq: msg.seq, trap, message: err instanceof Error ? err.message : String(err) });
  }
}

self.onmessage = async (e) => {
  const msg = e.data;
  if (!(msg && msg.type === 'init' && msg.module instanceof WebAssembly.Module && msg.port)) return;
  const port = msg.port;
  const early = [];
  port.onmessage = (ev) => (wasm ? handle(port, ev.data) : early.push(ev.data));
  try {
    ({ wasm } = await instantiate(msg.module, 0));
  } catch (err) {
    broken = `the helper worker could not load the model code: ${err instanceof Error ? err.message : String(err)}`;
    wasm = { StepHelper: null };
  }
  for (const m of early.splice(0)) handle(port, m);
};
