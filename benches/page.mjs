// Main-thread smoothness of the served page while it trains, in Debian's headless Chromium: for a 2 × 128 LSTM
// on tinyshakespeare (read from ../shared/corpora/, not shipped) and texts of growing length pasted into "Text to
// look at", the number of main-thread tasks over 50 ms (PerformanceObserver long tasks) and the longest one, per
// measuring window, after the paste.
//
//   bash scripts/build-dist.sh && node benches/page.mjs      (it serves dist/, as the tests do)
//
// Every column of the "hell" diagram changes with every training step, so a long text is the page's heaviest
// drawing load; the page brings a few columns up to date per frame to keep each frame short.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, ROOT, startServer, trainOnFile, waitReady } from '../tests/browser/helpers.mjs';

const CORPUS = join(ROOT, '..', 'shared', 'corpora', 'tinyshakespeare.txt');
const SETUP = { cell: 'lstm', hidden: 128, layers: 2, seqLen: 64, batch: 32, lr: 0.003 };
const PROBES = [5, 46, 200, 600];
const WINDOW_MS = 15_000;

const server = await startServer();
const browser = await launch();
try {
  const { page, context } = await openPage(browser, server.origin);
  await page.goto(server.url);
  await waitReady(page);
  await trainOnFile(page, SETUP, CORPUS);
  const text = readFileSync(CORPUS, 'utf8');
  console.log(`LSTM ${SETUP.layers} × ${SETUP.hidden}, seq ${SETUP.seqLen}, batch ${SETUP.batch}, on tinyshakespeare; ${WINDOW_MS / 1000} s per row`);
  console.log('| text shown | steps | tasks > 50 ms | longest task |');
  console.log('| --- | --- | --- | --- |');
  for (const n of PROBES) {
    const probe = Array.from(text.replace(/\n/g, ' ')).slice(0, n).join(''); // the box is one line
    const from = await page.evaluate(() => performance.now());
    const step0 = await page.evaluate(() => window.rnnscope.step());
    await page.getByLabel('Text to look at').fill(probe);
    await page.evaluate(() => window.scrollTo(0, 0)); // the diagram in view, as a visitor watching it has it
    await page.waitForTimeout(WINDOW_MS); // a measuring window, not a synchronisation
    const tasks = (await page.evaluate(() => window.__longtasks)).filter((t) => t.start >= from);
    const steps = (await page.evaluate(() => window.rnnscope.step())) - step0;
    const longest = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
    console.log(`| ${n} characters | ${steps} | ${tasks.length} | ${tasks.length ? `${Math.round(longest)} ms` : '–'} |`);
  }
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
