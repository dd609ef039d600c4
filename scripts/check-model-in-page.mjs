// Opens a model file in the built page as a course author's element would (`<rnn-scope model=…>`, under the
// folder's strict CSP) and checks that it computes what `rnnscope probe` does: every probability after each
// character of a text, within 1e-4. For files rnnscope did not write itself (scripts/train_pytorch.py's).
//
//   bash scripts/build-dist.sh && node scripts/check-model-in-page.mjs MODEL.safetensors "some text"
//
// Exits 1 with what differs; prints one line when it agrees. Not run by the tests or CI.

import { readFileSync } from 'node:fs';
import { cliJson, launch, openPage, startServer, WAIT } from '../tests/browser/helpers.mjs';
import { CSP } from './serve.mjs';

const [file, text] = process.argv.slice(2);
if (!file || !text) {
  console.error('usage: node scripts/check-model-in-page.mjs MODEL.safetensors "text"');
  process.exit(2);
}
const bytes = readFileSync(file);
const server = await startServer();
const browser = await launch();
let failed = false;
try {
  const { page, context, problems } = await openPage(browser, server.origin);
  await context.route(`${server.origin}/checked.safetensors`, (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: bytes }));
  await context.route(`${server.origin}/check.html`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: { 'Content-Security-Policy': CSP },
      body: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>check</title><script type="module" src="rnn-scope.js"></script></head>' +
        '<body><rnn-scope id="m" view="diagram" model="checked.safetensors" autoplay="false" loading="eager"></rnn-scope></body></html>',
    }),
  );
  await page.goto(`${server.origin}/check.html`);
  await page.waitForFunction(() => document.querySelector('#m').hooks.ready(), null, { timeout: WAIT });
  const shown = await page.evaluate(async (t) => {
    const d = await document.querySelector('#m').probe(t);
    const V = d.vocab.length;
    return { vocab: d.vocab, probs: Array.from({ length: d.steps }, (_, i) => Array.from(d.probs.subarray(i * V, (i + 1) * V))) };
  }, text);
  const want = await cliJson(['probe', '--model', file, '--text-string', text]);
  let worst = 0;
  want.positions.forEach((p, t) =>
    p.probs.forEach((q, v) => {
      const got = shown.probs[t]?.[shown.vocab.indexOf(want.vocab[v])];
      const diff = Math.abs(got - q);
      if (!(diff <= 1e-4)) failed = true;
      worst = Math.max(worst, Number.isFinite(diff) ? diff : Infinity);
    }),
  );
  if (problems.length) {
    failed = true;
    console.error('check-model-in-page: the page reported', problems);
  }
  console.log(`check-model-in-page: ${file} ${failed ? 'DIFFERS' : 'opens in the page'}: ${want.positions.length} positions, largest difference of a probability ${worst.toExponential(2)}`);
} finally {
  await browser.close();
  await server.stop();
}
process.exit(failed ? 1 : 0);
