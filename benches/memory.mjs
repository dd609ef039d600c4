// What elements cost in memory: a page of our own (under the folder's origin and CSP) with 0, 1 and 10 `<rnn-scope>`
// elements, each the diagram of the shipped Shakespeare LSTM (2 × 256) as a course page embeds it, in headless
// Chromium. For each, once every element is ready and drawn: the resident memory of the page's renderer process
// (its workers are threads of it, so their wasm memories count), the main thread's JS heap, and the workers the
// page runs (customElements.get('rnn-scope').stats()); then again once every element rests (www/scope/rest.js),
// and after a key typed into one of them.
//
//   bash scripts/build-dist.sh && node benches/memory.mjs [--counts 0,1,10]
//
// One JSON object per line on stdout ({tool: 'memory', elements, renderer_rss_mb, …}); a markdown table on stderr.

import { readFileSync } from 'node:fs';
import { launch, openPage, startServer } from '../tests/browser/helpers.mjs';
import { CSP } from '../scripts/serve.mjs';

const argv = process.argv.slice(2);
const at = argv.indexOf('--counts');
const COUNTS = (at >= 0 ? argv[at + 1] : '0,1,10').split(',').map(Number);
const log = (...a) => console.error(...a);

/** Resident and proportional set size of process `pid`, MB (Linux /proc). */
function residentMb(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
  return { rss: kb('Rss') / 1024, pss: kb('Pss') / 1024 };
}

const server = await startServer();
const browser = await launch();
const cdp = await browser.newBrowserCDPSession();
const renderers = async () => (await cdp.send('SystemInfo.getProcessInfo')).processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
try {
  log('| elements | when | renderer RSS | PSS | main-thread JS heap | engine workers | resting | helper / analysis workers |');
  log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of COUNTS) {
    const before = new Set(await renderers());
    const { page, context } = await openPage(browser, server.origin, { width: 1200, height: 1400 });
    const items = Array.from({ length: n }, (_, i) =>
      `<rnn-scope id="e${i}" view="diagram" loading="eager" model="models/shakespeare-lstm.safetensors" probe="ROMEO:" height="120"></rnn-scope>`).join('\n');
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>memory</title><script type="module" src="rnn-scope.js"></script></head><body>${items}</body></html>`;
    await context.route(`${server.origin}/memory.html`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': CSP }, body: html }));
    await page.goto(`${server.origin}/memory.html`);
    await page.waitForFunction(() => customElements.get('rnn-scope') !== undefined, null, { timeout: 120_000 });
    await page.waitForFunction(() => [...document.querySelectorAll('rnn-scope')].every((el) => el.hooks.ready()), null, { timeout: 300_000 });
    await page.evaluate(() => Promise.all([...document.querySelectorAll('rnn-scope')].map((el) => el.hooks.drawn())));
    const session = await context.newCDPSession(page);
    await session.send('Performance.enable');
    const mine = (await renderers()).filter((pid) => !before.has(pid));
    const measure = async (phase) => {
      await session.send('HeapProfiler.collectGarbage');
      const heap = (await session.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
      const stats = await page.evaluate(() => customElements.get('rnn-scope').stats());
      const mem = mine.map(residentMb).reduce((a, b) => ({ rss: a.rss + b.rss, pss: a.pss + b.pss }), { rss: 0, pss: 0 });
      const out = {
        tool: 'memory', phase, elements: n, renderer_rss_mb: +mem.rss.toFixed(1), renderer_pss_mb: +mem.pss.toFixed(1),
        js_heap_mb: +(heap / 2 ** 20).toFixed(1), engines: stats.workers - stats.analysis, resting: stats.resting ?? 0,
        helpers: stats.helpers, analysis: stats.analysis, renderers: mine.length,
      };
      console.log(JSON.stringify(out));
      log(`| ${n} | ${phase} | ${out.renderer_rss_mb} MB | ${out.renderer_pss_mb} MB | ${out.js_heap_mb} MB | ${out.engines} | ${out.resting} | ${out.helpers} / ${out.analysis} |`);
      return out;
    };
    await measure('drawn');
    if (n > 0) {
      // Every element at rest (what each does by itself after REST_AFTER_MS untouched), then a key typed into one:
      // computed in the page, no worker wakes.
      await page.evaluate(() => Promise.all([...document.querySelectorAll('rnn-scope')].map((el) => el.hooks.rest())));
      // A stopped worker's memory goes back to the system as its isolate is torn down: until PSS stops falling.
      let last = Infinity;
      for (let i = 0; i < 20; i++) {
        const pss = mine.map(residentMb).reduce((a, b) => a + b.pss, 0);
        if (pss > last - 1) break;
        last = pss;
        await new Promise((r) => setTimeout(r, 500));
      }
      await measure('resting');
      const box = page.locator('#e0').getByLabel('Text to look at');
      await box.press('End');
      await box.pressSequentially(' I');
      await page.waitForFunction(() => document.querySelector('#e0').hooks.probe()?.chars.join('') === 'ROMEO: I', null, { timeout: 60_000 });
      await measure('resting, typed into one');
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
