// Quality per minute, the figure visitors feel: the served page trains on tinyshakespeare (read from
// ../shared/corpora/, not shipped; opened with "Open a text file…", validation share 0.1) for MINUTES minutes of
// wall time, as a visitor gets it (Workers: auto), and the model it has after one minute and at the end is scored by
// the CLI on the first 100,000 held-out characters (`rnnscope eval --val-fraction 0.1 --val-chars 100000`), the
// characters benches/pytorch_bench.py --quality scores PyTorch on.
//
//   bash scripts/build-dist.sh && cargo build --release && node benches/quality.mjs [--minutes 5] [--setups S2,L2x128]
//
// One JSON object per setup on stdout ({tool: 'quality-page', setup, val_1min, val_end, …}); progress on stderr.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launch, openPage, ROOT, startServer, trainOnFile, waitReady } from '../tests/browser/helpers.mjs';

const CORPUS = join(ROOT, '..', 'shared', 'corpora', 'tinyshakespeare.txt');
const SETUPS = {
  // The S2 case of the throughput table.
  S2: { cell: 'lstm', hidden: 256, layers: 2, seqLen: 64, batch: 32, optimizer: 'adam', lr: 2e-3, valFraction: 0.1 },
  // A smaller model that learns faster per second on two cores.
  L2x128: { cell: 'lstm', hidden: 128, layers: 2, seqLen: 64, batch: 32, optimizer: 'adam', lr: 3e-3, valFraction: 0.1 },
};

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const MINUTES = Number(opt('minutes', '5'));
const WANT = opt('setups', 'S2,L2x128').split(',');
const log = (...a) => console.error('quality:', ...a);

/** The element's model file now, as bytes. */
async function modelBytes(page) {
  const b64 = await page.evaluate(async () => {
    const bytes = await document.querySelector('rnn-scope').exportModel();
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  return Buffer.from(b64, 'base64');
}

async function score(file) {
  const args = ['eval', '--model', file, '--text', CORPUS, '--val-fraction', '0.1', '--val-chars', '100000', '--json'];
  const { stdout } = await promisify(execFile)(join(ROOT, 'target', 'release', 'rnnscope'), args, { maxBuffer: 16 << 20 });
  return JSON.parse(stdout).loss;
}

const server = await startServer();
const browser = await launch();
const dir = mkdtempSync(join(tmpdir(), 'rnnscope-quality-'));
try {
  for (const name of WANT) {
    const setup = SETUPS[name];
    const { page, context, problems } = await openPage(browser, server.origin);
    await page.goto(server.url);
    await waitReady(page);
    await trainOnFile(page, setup, CORPUS);
    const t0 = Date.now();
    log(`${name}: training for ${MINUTES} min`);
    const files = [];
    for (const [label, at] of [['1min', 1], ['end', MINUTES]]) {
      await page.waitForTimeout(Math.max(0, at * 60_000 - (Date.now() - t0))); // wall time is what is measured
      const file = join(dir, `${name}-${label}.safetensors`);
      writeFileSync(file, await modelBytes(page));
      files.push(file);
    }
    const step = await page.evaluate(() => window.rnnscope.step());
    const workers = await page.evaluate(() => window.rnnscope.workers());
    await context.close();
    const [val1, valEnd] = [await score(files[0]), await score(files[1])];
    const out = { tool: 'quality-page', setup: name, ...setup, minutes: MINUTES, workers, steps: step, val_1min: val1, val_end: valEnd, problems };
    log(`${name}: ${val1.toFixed(3)} nats/char after 1 min, ${valEnd.toFixed(3)} after ${MINUTES} (${step} steps on ${workers} worker(s))`);
    console.log(JSON.stringify(out));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await browser.close();
  await server.stop();
}
