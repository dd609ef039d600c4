// What both kinds of worker need from the compiled core (the engine's worker, engine/worker.js, and a helper,
// engine/helper.js): a fresh instance of it, and how to read what its calls throw. Nothing else, so a helper worker
// loads only this and its own code.

import { freshGlue } from './carried.js';

/** Target duration of one chunk of work between two turns of a worker's event loop, ms. */
export const CHUNK_MS = 20;

/**
 * A fresh instance of the compiled core: wasm-bindgen's glue caches one instance per module, so each generation
 * takes a glue of its own (from the folder, pkg/rnnscope.js imported under a URL of its own; in the single file, which
 * carries the glue as a function, a call of it) and instantiates the shared `WebAssembly.Module` synchronously.
 * @param {WebAssembly.Module} module
 * @param {number} generation
 * @returns {Promise<{wasm: any, exports: any}>}
 */
export async function instantiate(module, generation) {
  const wasm = freshGlue
    ? freshGlue()
    : await import(new URL(generation === 0 ? '../pkg/rnnscope.js' : `../pkg/rnnscope.js?instance=${generation}`, import.meta.url).href);
  const exports = wasm.initSync({ module });
  return { wasm, exports };
}

/** The message of anything a wasm call threw. */
export function errorMessage(err) {
  if (err instanceof Error) return err.message || String(err);
  return String(err);
}

/** Whether a wasm call trapped: its instance can no longer be trusted. */
export function isTrap(err) {
  return err instanceof WebAssembly.RuntimeError;
}
