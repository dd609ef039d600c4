// Builds dist/rnnscope.js: one ES module that holds the element, the engine, both workers' code, wasm-bindgen's glue,
// the compiled core (the SIMD128 build, gzip by zopfli, base64: the browser decompresses it) and the element's
// styles. It works copied alone to any folder, imported from a blob URL or inlined by a tool (anywidget, MyST,
// notebook front ends): its workers start from the code it carries (blob URLs), and where they cannot (an opaque
// origin, a CSP without blob: workers) the engine runs on the main thread. It needs no script but itself, so a CSP
// of `script-src 'self' 'wasm-unsafe-eval'` is enough. Bundled with esbuild; www/engine/carried.js is replaced by a
// module that carries the rest (and, in each worker's code, by one that reads the glue the page hands it).
//
//   node scripts/build-single.mjs [--out dist/rnnscope.js]     (after scripts/build-wasm.sh has built pkg/)

import { build, transform } from 'esbuild';
import { gzipAsync } from '@gfx/zopfli';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : join(ROOT, 'dist', 'rnnscope.js');
const BROWSERS = ['chrome100', 'firefox113', 'safari16.4'];

/** One file of ESM text from `entry` and what it imports (a worker's whole code). */
async function bundleText(entry, plugins = []) {
  const r = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    format: 'esm',
    minify: true,
    write: false,
    target: BROWSERS,
    logLevel: 'silent',
    plugins,
  });
  return r.outputFiles[0].text;
}

const read = (p) => readFileSync(join(ROOT, p));

/** wasm-bindgen's glue as a function expression that makes a fresh copy of it (its own module-level state). */
async function glueFactory() {
  const r = await build({ entryPoints: [join(ROOT, 'pkg', 'rnnscope.js')], bundle: true, format: 'iife', globalName: '__glue', minify: true, write: false, target: BROWSERS, logLevel: 'error' });
  const iife = r.outputFiles[0].text.trim();
  const m = /^var __glue=(\(\(\)=>\{[\s\S]*\}\))\(\);$/.exec(iife);
  if (!m) throw new Error('build-single: the glue did not bundle into the expected (()=>{…})() form');
  return m[1];
}

/** A plugin that gives the bundle `contents` for www/engine/carried.js. */
const carry = (contents) => ({
  name: 'carry',
  setup(b) {
    b.onResolve({ filter: /\/carried\.js$/ }, () => ({ path: 'carried', namespace: 'carried' }));
    b.onLoad({ filter: /.*/, namespace: 'carried' }, () => ({ contents, loader: 'js' }));
  },
});

const glue = await glueFactory();
// The glue goes into the file once: each worker's code reads it as `__rnnscopeGlue`, a declaration that codeUrls()
// in www/engine/client.js puts in front of that code, made from the page's own copy's source text.
const forWorkers = carry(`export const carried = null;\nexport const freshGlue = __rnnscopeGlue;\nexport const CODE_ROOT = null;\n`);
const worker = await bundleText('www/engine/worker.js', [forWorkers]);
const helper = await bundleText('www/engine/helper.js', [forWorkers]);
// Zopfli writes a gzip stream that any gunzip (here the browser's DecompressionStream) reads, 5 % smaller than
// zlib's best: 207 KB instead of 219 for the core, in about 2 s; more iterations than 5 gain under 0.1 KB.
const wasm = Buffer.from(await gzipAsync(read('pkg/rnnscope_bg.wasm'), { numiterations: 5 })).toString('base64');
const styles = [];
for (const css of ['www/views/views.css', 'www/rnn-scope.css']) styles.push((await transform(read(css).toString(), { loader: 'css', minify: true })).code);

// The page's www/engine/carried.js carries the rest; CODE_ROOT is the folder of the one file (models/ may sit there).
const main = await bundleText('www/single.js', [carry(`export const carried = ${JSON.stringify({ worker, helper, wasm, styles })};
export const freshGlue = ${glue};
export const CODE_ROOT = /^(https?|file):/.test(import.meta.url) ? new URL('./', import.meta.url).href : null;
`)]);
const banner = '// rnnscope: <rnn-scope>, a character RNN, LSTM or GRU that trains in the page, in one file (MIT).\n';
writeFileSync(out, banner + main);
const size = (n) => `${(n / 1024).toFixed(0)} KiB`;
const bytes = Buffer.byteLength(banner + main);
console.log(`build-single: ${out} (${size(bytes)}, ${size(gzipSync(banner + main, { level: 9 }).length)} gzipped)`);
