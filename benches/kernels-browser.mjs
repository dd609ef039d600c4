// The two browser builds of the core side by side in Debian's headless Chromium: training characters per second
// of the plain SIMD128 build and of the relaxed-SIMD build (fused multiply-add), for the cases of benches/wasm.mjs,
// on tinyshakespeare (read from ../shared/corpora/, not shipped). Runs in a dedicated worker of a page served
// from dist/, as the page's engine does; median of 5 rounds of about 1 s after a warm-up, the builds alternating.
//
//   bash scripts/build-dist.sh && node benches/kernels-browser.mjs

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASES, CLIP } from './cases.mjs';
import { launch, openPage, ROOT, startServer } from '../tests/browser/helpers.mjs';

const text = readFileSync(join(ROOT, '..', 'shared', 'corpora', 'tinyshakespeare.txt'), 'utf8');

// The worker: loads one build, trains one case, answers rates per round.
const WORKER = `
self.onmessage = async (e) => {
  const { glue, wasm, c, text } = e.data;
  const m = await import(glue);
  m.initSync({ module: await WebAssembly.compile(await (await fetch(wasm)).arrayBuffer()) });
  const s = new m.Session({ ...c, seed: 1, valFraction: 0 }, text);
  s.train(3);
  let t0 = performance.now();
  s.train(1);
  const steps = Math.max(1, Math.round(1000 / Math.max(0.01, performance.now() - t0)));
  const rates = [];
  for (let r = 0; r < 5; r++) {
    t0 = performance.now();
    s.train(steps);
    rates.push((steps * c.seqLen * c.batch) / ((performance.now() - t0) / 1000));
  }
  s.free();
  self.postMessage(rates);
};`;

const server = await startServer();
const browser = await launch();
try {
  const { page, context } = await openPage(browser, server.origin);
  // The worker is served from the page's origin, as the page's CSP wants (worker-src 'self').
  await context.route(`${server.origin}/bench-worker.js`, (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: WORKER }));
  await page.goto(server.url);
  const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
  console.log(`Chromium ${browser.version()}, a dedicated worker per run`);
  console.log('| case | SIMD128 | relaxed SIMD | ratio |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const c of CASES) {
    const rates = {};
    for (const build of ['rnnscope_bg.wasm', 'rnnscope_relaxed_bg.wasm']) {
      rates[build] = median(await page.evaluate(
        ({ glue, wasm, c, text }) =>
          new Promise((resolve, reject) => {
            const w = new Worker('/bench-worker.js', { type: 'module' });
            w.onmessage = (e) => { w.terminate(); resolve(e.data); };
            w.onerror = (e) => reject(new Error(e.message));
            w.postMessage({ glue, wasm, c, text });
          }),
        { glue: `${server.origin}/pkg/rnnscope.js`, wasm: `${server.origin}/pkg/${build}`, c: { ...c, clip: CLIP }, text },
      ));
    }
    const [a, b] = [rates['rnnscope_bg.wasm'], rates['rnnscope_relaxed_bg.wasm']];
    console.log(`| ${c.name} | ${Math.round(a).toLocaleString('en')} | ${Math.round(b).toLocaleString('en')} | ${(b / a).toFixed(2)}× |`);
  }
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
