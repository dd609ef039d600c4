// Training throughput in the browser, in characters per second, for the four cases of benches/cases.json, in one
// headless Debian Chromium session:
//
//   - "page": rnnscope as a visitor runs it: the served dist/ page, the model form set as a visitor sets it, the
//     tinyshakespeare file opened (read from ../shared/corpora/, not shipped), and the page's own worker training.
//     The rate is the page's step counter (window.rnnscope.step()) over a measuring window × seq × batch; both ends
//     of the window are taken when the counter changes, so the worker's progress reports do not blur it.
//   - "tfjs": TensorFlow.js (wasm backend, from node_modules, served on 127.0.0.1) training the same model with
//     model.trainOnBatch; see benches/tfjs/bench.js for the model.
//
//   bash scripts/build-dist.sh && node benches/page-train.mjs [--quick] [--only page|tfjs] [--cases S1,S3]
//
// With `--against DIR` (another built folder, e.g. an older commit's dist/) it compares the two pages instead, in
// alternating order (ABBA…, `--pairs N` of them, 3 by default), and reports each build's median and the ratio: one
// build varies by 5–10 % between runs on a 2-core machine, so a before/after needs both sides under the same noise.
//
// scripts/bench.sh runs it and turns its output into the table. One JSON object per line on stdout
// ({tool, case, chars_per_sec, rates, …}); progress on stderr. Each measurement: a warm-up, then the median of a few
// rounds.

import { join } from 'node:path';
import { launch, openPage, ROOT, startServer, trainOnFile, waitReady } from '../tests/browser/helpers.mjs';
import { measureTfjs, startTfjsServer } from './tfjs/run.mjs';
import { CASES, CLIP } from './cases.mjs';

const CORPUS = join(ROOT, '..', 'shared', 'corpora', 'tinyshakespeare.txt');


const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : null;
};
const QUICK = argv.includes('--quick');
const ONLY = (opt('only') ?? 'page,tfjs').split(',');
const WANT = opt('cases')?.split(',') ?? CASES.map((c) => c.id);
const TIMING = QUICK
  ? { warmupSeconds: 1, rounds: 3, roundSeconds: 1.5 }
  : { warmupSeconds: 3, rounds: 5, roundSeconds: 3 };

const log = (...a) => console.error('page-train:', ...a);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Train case `c` in the real page (dist/) with the Workers setting `workers` ('auto', as a visitor gets it, or '1')
 * and answer its per-round rates and the workers it trained on.
 */
async function measurePage(browser, server, c, workers = 'auto') {
  const { page, context, problems } = await openPage(browser, server.origin);
  try {
    await page.goto(server.url);
    await waitReady(page);
    await page.getByTestId('workers-setting').selectOption(workers);
    // The model form as a visitor fills it (every character trains, as in benches/train.rs), then the file.
    await trainOnFile(page, { ...c, nonlinearity: 'tanh', valFraction: 0 }, CORPUS);
    await page.waitForFunction(() => window.rnnscope.step() > 0, null, { timeout: 120_000 });
    const st = await page.evaluate(() => window.rnnscope.state());
    for (const [k, want] of [['seqLen', c.seqLen], ['batch', c.batch], ['optimizer', c.optimizer], ['lr', c.lr], ['clip', CLIP], ['valFraction', 0]]) {
      if (st[k] !== want) throw new Error(`${c.id}: the page trains with ${k} ${st[k]}, not ${want}`);
    }
    const engine = await page.evaluate(() => window.rnnscope.engineMode());
    // One window: from a change of the step counter to the first change after `ms` (a measuring window).
    const window_ = (ms) =>
      page.evaluate(async (ms) => {
        const h = window.rnnscope;
        const change = () =>
          new Promise((resolve) => {
            const s = h.step();
            const poll = () => (h.step() !== s ? resolve([performance.now(), h.step()]) : requestAnimationFrame(poll));
            poll();
          });
        const [t0, s0] = await change();
        await new Promise((r) => setTimeout(r, ms));
        const [t1, s1] = await change();
        return { steps: s1 - s0, seconds: (t1 - t0) / 1000 };
      }, ms);
    await window_(TIMING.warmupSeconds * 1000);
    const rates = [];
    for (let r = 0; r < TIMING.rounds; r++) {
      const w = await window_(TIMING.roundSeconds * 1000);
      rates.push((w.steps * c.seqLen * c.batch) / w.seconds);
    }
    if (!(await page.evaluate(() => window.rnnscope.running()))) throw new Error(`${c.id}: the page stopped training`);
    return { rates, engine, workers: await page.evaluate(() => window.rnnscope.workers()), problems };
  } finally {
    await context.close();
  }
}

const AGAINST = opt('against');
if (AGAINST) {
  await compareBuilds(AGAINST, Number(opt('pairs') ?? 3));
  process.exit(process.exitCode ?? 0);
}

/** `--against`: this dist/ and `other`, alternating, `pairs` measurements of each per case and worker setting. */
async function compareBuilds(other, pairs) {
  const servers = { this: await startServer(), other: await startServer({ root: other }) };
  const browser = await launch();
  try {
    log(`Chromium ${browser.version()}; dist/ against ${other}, ${pairs} pairs, timing ${JSON.stringify(TIMING)}`);
    for (const c of CASES.filter((k) => WANT.includes(k.id))) {
      for (const workers of c.batch > 1 ? ['auto', '1'] : ['auto']) {
        const got = { this: [], other: [] };
        for (let i = 0; i < pairs; i++) {
          const order = i % 2 === 0 ? ['other', 'this'] : ['this', 'other'];
          for (const side of order) got[side].push(median((await measurePage(browser, servers[side], c, workers)).rates));
        }
        const m = { this: median(got.this), other: median(got.other) };
        const out = { tool: 'page-compare', case: c.id, workers, against: other, this: m.this, other: m.other, ratio: m.this / m.other, runs: got };
        log(`${c.id} workers=${workers}: this ${Math.round(m.this)}, other ${Math.round(m.other)} chars/s (${((out.ratio - 1) * 100).toFixed(1)} %); runs ${JSON.stringify(got, (k, v) => (typeof v === 'number' ? Math.round(v) : v))}`);
        console.log(JSON.stringify(out));
      }
    }
  } finally {
    await browser.close();
    await servers.this.stop();
    await servers.other.stop();
  }
}

const server = ONLY.includes('page') ? await startServer() : null;
const tfServer = ONLY.includes('tfjs') ? await startTfjsServer() : null;
const browser = await launch();
let failed = false;
try {
  const chromium = browser.version();
  log(`Chromium ${chromium}; ${QUICK ? 'quick' : 'full'} timing ${JSON.stringify(TIMING)}`);
  for (const c of CASES.filter((k) => WANT.includes(k.id))) {
    const spec = { cell: c.cell, hidden: c.hidden, layers: c.layers, seqLen: c.seqLen, batch: c.batch, optimizer: c.optimizer, lr: c.lr };
    // A batch can be shared between two workers: the page as a visitor gets it ('auto') and on one worker.
    const tools = ['page', c.batch > 1 ? 'page-1-worker' : null, 'tfjs'].filter((t) => t && ONLY.includes(t.replace('-1-worker', '')));
    for (const tool of tools) {
      try {
        const r =
          tool === 'tfjs' ? await measureTfjs(browser, tfServer, spec, TIMING) : await measurePage(browser, server, c, tool === 'page' ? 'auto' : '1');
        const out = { tool, case: c.id, name: c.name, chars_per_sec: median(r.rates), ...r, chromium };
        log(`${c.id} ${tool}: ${Math.round(out.chars_per_sec)} chars/s (rounds ${r.rates.map(Math.round).join(', ')})`);
        console.log(JSON.stringify(out));
      } catch (err) {
        failed = true;
        log(`${c.id} ${tool} failed: ${err.message}`);
        console.log(JSON.stringify({ tool, case: c.id, name: c.name, error: err.message.split('\n')[0], chromium }));
      }
    }
  }
} finally {
  await browser.close();
  await server?.stop();
  await tfServer?.stop();
}
process.exitCode = failed ? 1 : 0;
