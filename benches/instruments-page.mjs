// Main-thread smoothness of the full page while the instruments compute in the worker: an LSTM 2 × 256 (seq 64,
// batch 32) trains on tinyshakespeare (read from ../shared/corpora/, not shipped) in headless Chromium, and each
// instrument panel in turn is scrolled into view, where it refreshes by itself every few seconds on up to 5,000
// held-out characters. Per panel: how many reports it drew, the main-thread tasks over 50 ms, the longest one.
//
//   bash scripts/build-dist.sh && node benches/instruments-page.mjs     (it serves dist/, as the tests do)
//   DEBUG=1 … also prints the drawing parts over 6 ms and the long tasks of each window.

import { join } from 'node:path';
import { launch, openPage, ROOT, startServer, trainOnFile, waitReady } from '../tests/browser/helpers.mjs';

const CORPUS = join(ROOT, '..', 'shared', 'corpora', 'tinyshakespeare.txt');
const SETUP = { cell: 'lstm', hidden: 256, layers: 2, seqLen: 64, batch: 32, lr: 0.002 };
const PANELS = ['finder', 'saturation', 'errors', 'connectivity'];
const WINDOW_MS = 20_000;

const server = await startServer();
const browser = await launch();
try {
  const { page, context } = await openPage(browser, server.origin);
  await page.goto(server.url);
  await waitReady(page);
  await trainOnFile(page, SETUP, CORPUS);
  console.log(`LSTM ${SETUP.layers} × ${SETUP.hidden}, seq ${SETUP.seqLen}, batch ${SETUP.batch}, training on tinyshakespeare; ${WINDOW_MS / 1000} s per panel in view`);
  console.log('| panel in view | reports drawn | training steps | tasks > 50 ms | longest task |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const id of PANELS) {
    const statusSel = `#${id}-status`;
    await page.evaluate(([id, sel]) => {
      const root = document.querySelector('rnn-scope').shadowRoot;
      window.__reports = 0;
      new MutationObserver(() => {
        if (/^after step/.test(root.querySelector(sel).textContent)) window.__reports++;
      }).observe(root.querySelector(sel), { childList: true, characterData: true, subtree: true });
      root.getElementById(id).scrollIntoView();
    }, [id, statusSel]);
    if (id === 'connectivity') {
      // A visitor pointing along the text shown: a new position every 300 ms.
      const chars = page.locator(`#connectivity-text .rs-ctext-ch`);
      const n = await chars.count();
      for (let i = 0; i < Math.min(n - 1, WINDOW_MS / 300); i++) await chars.nth(i % (n - 1)).hover();
    }
    const from = await page.evaluate(() => performance.now());
    const step0 = await page.evaluate(() => window.rnnscope.step());
    await page.waitForTimeout(WINDOW_MS); // a measuring window, not a synchronisation
    const tasks = (await page.evaluate(() => window.__longtasks)).filter((t) => t.start >= from);
    const steps = (await page.evaluate(() => window.rnnscope.step())) - step0;
    const reports = await page.evaluate(() => window.__reports);
    const longest = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
    if (process.env.DEBUG) console.log(JSON.stringify(await page.evaluate((f) => window.__renderTimes.filter((r) => r.at >= f), from)), JSON.stringify(tasks));
    console.log(`| ${id} | ${reports} | ${steps} | ${tasks.length} | ${tasks.length ? `${Math.round(longest)} ms` : '–'} |`);
  }
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
