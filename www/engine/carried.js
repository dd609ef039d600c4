// What the code carries with it. In the folder (dist/) nothing: the workers, the core and the styles are files beside
// this one, fetched by URL. In the single-file build (scripts/build-single.mjs) this module is replaced by one that
// carries them all as text, so the one file works copied alone, imported from a blob URL or inlined by a tool.

/**
 * `null` in the folder; in the single file `{worker, helper, wasm: string (gzip, base64), styles: string[]}`: the two
 * workers' code, the compiled core and the element's stylesheets.
 * @type {{worker: string, helper: string, wasm: string, styles: string[]}|null}
 */
export const carried = null;

/**
 * `null` in the folder (the glue is pkg/rnnscope.js); in the single file (the page's code and each worker's) a
 * function that makes a fresh copy of wasm-bindgen's glue, whose exports it answers.
 * @type {(() => any)|null}
 */
export const freshGlue = null;

/**
 * The folder the code was loaded from (its models/ are there), or null when it came from a blob: or data: URL and
 * so has no folder.
 */
export const CODE_ROOT = /^(https?|file):/.test(import.meta.url) ? new URL('../', import.meta.url).href : null;
