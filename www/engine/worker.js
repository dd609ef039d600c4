// The training worker: a thin home for one Engine (engine.js), the only code that touches the wasm core. The page
// compiles the core once and posts the `WebAssembly.Module` as the first message (`{type: 'init', module}`); every
// later message is a request of protocol.js, answered through postMessage with its typed arrays transferred.

import { Engine } from './engine.js';
import { transferables } from './protocol.js';

/** @type {Engine|null} */
let engine = null;
const early = [];

self.onmessage = (e) => {
  const msg = e.data;
  if (!engine) {
    if (msg && msg.type === 'init' && msg.module instanceof WebAssembly.Module) {
      engine = new Engine(msg.module, (m) => self.postMessage(m, transferables(m)));
      for (const m of early.splice(0)) engine.receive(m);
    } else {
      early.push(msg);
    }
    return;
  }
  engine.receive(msg);
};
