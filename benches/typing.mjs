// Typing while a model trains: the time from a keystroke in "Text to look at" to the repainted diagram that shows
// the new character (p50, p95, max), for the S2 model (LSTM 2 × 256, seq 64, batch 32) training on tinyshakespeare
// (read from ../shared/corpora/, not shipped) in the served page as a visitor gets it (Workers: auto), with 1,000
// characters in the box (--shown N for another length); and the main thread's tasks over 50 ms meanwhile
// (PerformanceObserver long tasks).
//
//   bash scripts/build-dist.sh && node benches/typing.mjs [--keys 40] [--shown 1000] [--workers auto|1|2] [--hidden 256]
//                                                    [--instruments]
//
// `--instruments`: the window as tall as the page, so that every instrument panel is on screen beside the diagram
// (each refreshes by itself while in view: the cell finder, saturation, errors, connectivity at a pointed position).
//
// One JSON object on stdout ({tool: 'typing', p50_ms, p95_ms, …}); progress on stderr. Each key is pressed once the
// previous one is on screen, and then after a pause of a typing visitor's pace (200 ms).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, ROOT, startServer, trainOnFile, waitReady } from '../tests/browser/helpers.mjs';

const CORPUS = join(ROOT, '..', 'shared', 'corpora', 'tinyshakespeare.txt');
const SETUP = { cell: 'lstm', hidden: 256, layers: 2, seqLen: 64, batch: 32, optimizer: 'adam', lr: 2e-3, valFraction: 0.1 };
const PACE_MS = 200;

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const KEYS = Number(opt('keys', '40'));
SETUP.hidden = Number(opt('hidden', String(SETUP.hidden))); // --hidden 512: the 2 × 512 LSTM instead of S2
const SHOWN = Number(opt('shown', '1000'));
const WORKERS = opt('workers', 'auto');
const INSTRUMENTS = argv.includes('--instruments');
const log = (...a) => console.error('typing:', ...a);
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const server = await startServer();
const browser = await launch();
try {
  const { page, problems } = await openPage(browser, server.origin);
  await page.goto(server.url);
  await waitReady(page);
  await page.getByTestId('workers-setting').selectOption(WORKERS);
  await trainOnFile(page, SETUP, CORPUS);
  log('training');
  await page.waitForFunction(() => window.rnnscope.step() > 2, null, { timeout: 300_000 });
  const text = readFileSync(CORPUS, 'utf8').replace(/\s+/g, ' '); // whitespace as spaces: each key typed is one printable character
  const chars = Array.from(text);
  const box = page.getByLabel('Text to look at');
  await box.fill(chars.slice(0, SHOWN - KEYS).join(''));
  log('filled');
  await page.evaluate(() => window.scrollTo(0, 0)); // the diagram in view, as a visitor watching it has it
  // The box's text probed and drawn once before the first key.
  await page.waitForFunction((n) => window.rnnscope.probe()?.steps === n, SHOWN - KEYS, { timeout: 300_000 });
  await page.evaluate(() => window.rnnscope.drawn());
  log('drawn');
  if (INSTRUMENTS) {
    // Every panel on screen at once: the viewport as tall as the page. Connectivity shades from a pointed character.
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: 1280, height: Math.min(height, 8000) });
    await page.evaluate(() => window.scrollTo(0, 0));
    const ch = page.locator('#connectivity-text .rs-ctext-ch');
    await ch.first().waitFor({ timeout: 300_000 });
    await ch.nth(Math.min(40, (await ch.count()) - 1)).hover();
    // Give the panels' first runs (the finder's on this model among them) up to two minutes before the keys; which
    // of them had reported by the end is in the output.
    await page.waitForFunction(() => {
      const root = document.querySelector('rnn-scope').shadowRoot;
      return ['finder', 'saturation', 'errors', 'connectivity'].every((id) => /^after step/.test(root.querySelector(`#${id}-status`)?.textContent ?? ''));
    }, null, { timeout: 120_000 }).catch(() => log('not every instrument reported within 2 minutes'));
    log(`viewport 1280 × ${Math.min(height, 8000)}`);
  }
  // Timed in the page, from the keydown event to the end of the frame that drew the new character (the draw's
  // drawn() promise): what Playwright's own round trips take is not counted. The bench arms the measurement with the
  // length the text will have, then presses the key.
  await page.evaluate(() => {
    document.addEventListener(
      'keydown',
      () => {
        const arm = window.__arm;
        if (!arm) return;
        window.__arm = null;
        const at = performance.now();
        const h = window.rnnscope;
        const poll = async () => {
          if (h.probe()?.steps !== arm.n) return requestAnimationFrame(poll);
          const data = performance.now() - at;
          await h.drawn();
          arm.resolve([performance.now() - at, data]);
        };
        requestAnimationFrame(poll);
      },
      true,
    );
  });
  await box.focus();
  await box.press('End');
  const from = await page.evaluate(() => performance.now());
  if (process.env.TRACE) await browser.startTracing(page, { path: process.env.TRACE, categories: (process.env.TRACE_CATEGORIES ?? 'devtools.timeline,disabled-by-default-devtools.timeline').split(',') });
  const times = [];
  const dataTimes = []; // keystroke to the probe's answer on the main thread (seen at the next animation frame)
  for (let k = 0; k < KEYS; k++) {
    const want = SHOWN - KEYS + k + 1;
    await page.evaluate((n) => {
      window.__done = new Promise((resolve) => (window.__arm = { n, resolve }));
    }, want);
    await page.keyboard.type(chars[SHOWN - KEYS + k] === ' ' ? ' ' : chars[SHOWN - KEYS + k]);
    const [ms, dataMs] = await page.evaluate(() => window.__done);
    times.push(ms);
    dataTimes.push(dataMs);
    log(`key ${k + 1}: ${ms.toFixed(1)} ms (the probe's answer in after ${dataMs.toFixed(1)} ms)`);
    await page.waitForTimeout(PACE_MS); // a typing visitor's pace, not a synchronisation
  }
  if (process.env.TRACE) await browser.stopTracing();
  const tasks = (await page.evaluate(() => window.__longtasks)).filter((t) => t.start >= from);
  if (process.env.DEBUG) {
    const parts = (await page.evaluate(() => window.__renderTimes)).filter((r) => r.at >= from);
    log('slow parts (over 6 ms):', JSON.stringify(parts.map((r) => [r.part, Math.round(r.ms), Math.round(r.at - from)])));
    log('long tasks:', JSON.stringify(tasks.map((t) => [Math.round(t.start - from), Math.round(t.duration)])));
  }
  const out = {
    tool: 'typing',
    case: SETUP.hidden === 256 ? 'S2' : `LSTM 2 × ${SETUP.hidden}`,
    shown: SHOWN,
    instruments: INSTRUMENTS
      ? await page.evaluate(() => {
          const root = document.querySelector('rnn-scope').shadowRoot;
          return Object.fromEntries(['finder', 'saturation', 'errors', 'connectivity'].map((id) => [id, root.querySelector(`#${id}-status`)?.textContent ?? null]));
        })
      : false,
    keys: KEYS,
    workers: await page.evaluate(() => window.rnnscope.workers()),
    p50_ms: quantile(times, 0.5),
    p95_ms: quantile(times, 0.95),
    max_ms: Math.max(...times),
    probe_p50_ms: quantile(dataTimes, 0.5),
    probe_p95_ms: quantile(dataTimes, 0.95),
    local_probes: await page.evaluate(() => window.rnnscope.localProbes?.() ?? null), // null before 8c38fb3
    long_tasks: tasks.length,
    longest_task_ms: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
    steps: await page.evaluate(() => window.rnnscope.step()),
    problems,
  };
  log(`p50 ${out.p50_ms.toFixed(1)} ms, p95 ${out.p95_ms.toFixed(1)} ms, max ${out.max_ms.toFixed(1)} ms on ${out.workers} worker(s); ${tasks.length} tasks over 50 ms (longest ${out.longest_task_ms.toFixed(0)} ms)`);
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
  await server.stop();
}
