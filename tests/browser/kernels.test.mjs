// The plain SIMD128 build of the core, which a browser without relaxed SIMD gets: client.js picks the build on the
// main thread by validating a one-function relaxed-SIMD module, and posts the compiled module to the workers (which
// never choose). Here an init script makes that probe fail (only that module), and the page must fetch the plain
// file dist/ ships (wasm-opt'd by scripts/build-wasm.sh), never the relaxed one, say so, and train with it.
// Chromium's own choice, the relaxed build, is checked in instruments.test.mjs.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, WAIT, openPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();
const collected = [];

before(async () => {
  await env.ready;
});

test('where relaxed SIMD does not validate, the page fetches the plain build dist/ ships, never the relaxed one, and trains with it', async () => {
  const p = await openPage(env.browser, env.server.origin, { width: 900, height: 800 });
  collected.push(p.problems);
  const { page, context, requests } = p;
  await context.addInitScript(() => {
    // f32x4.relaxed_madd is 0xfd 0x85 0x02; the probe is a module of a few dozen bytes that uses it.
    const validate = WebAssembly.validate;
    window.__probesRefused = 0;
    WebAssembly.validate = function (bytes, ...rest) {
      const b = ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
      const relaxed = b.length < 128 && b.some((x, i) => x === 0xfd && b[i + 1] === 0x85 && b[i + 2] === 0x02);
      if (relaxed) {
        window.__probesRefused++;
        return false;
      }
      return validate.call(this, bytes, ...rest);
    };
  });
  const plain = `${env.server.origin}/pkg/rnnscope_bg.wasm`;
  const response = page.waitForResponse(plain, { timeout: WAIT });
  await page.goto(`${env.server.url}embed.html#view=diagram&corpus=hello&cell=lstm&hidden=16&probe=hel`);
  await page.waitForFunction(() => window.rnnscope?.ready(), null, { timeout: WAIT });
  assert.equal(await page.evaluate(() => window.__probesRefused), 1, 'the relaxed-SIMD probe was not asked once');
  assert.equal(await page.evaluate(() => customElements.get('rnn-scope').stats().kernels), 'simd128');
  assert.equal(await page.evaluate(() => window.rnnscope.engineMode()), 'worker');
  // It trains (no model attribute: at once), and the loss falls.
  await page.waitForFunction(() => window.rnnscope.lossHistory().length >= 150, null, { timeout: WAIT });
  const losses = await page.evaluate(() => window.rnnscope.lossHistory());
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(losses.every(Number.isFinite), 'a loss is not finite');
  assert.ok(mean(losses.slice(-20)) < mean(losses.slice(0, 20)) - 0.5, `the loss did not fall: ${mean(losses.slice(0, 20))} → ${mean(losses.slice(-20))}`);
  const wasm = requests.filter((u) => u.endsWith('.wasm'));
  assert.deepEqual(wasm, [plain], 'the core fetched other than once, plain');
  const res = await response;
  assert.equal(res.status(), 200);
  assert.equal((await res.body()).length, statSync(join(ROOT, 'dist', 'pkg', 'rnnscope_bg.wasm')).size);
  await context.close();
});

test('no page above had an uncaught error, a console error or a request off its origin', () => {
  assert.deepEqual(collected.flat(), []);
});
