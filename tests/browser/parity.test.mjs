// Same seed and settings give the same loss curve natively (the CLI) and in the browser (the wasm build in the
// page's worker): the first 100 per-step losses agree to 1e-3 relative. Once on one worker and one thread, once
// with a batch shared by two workers (the page) and two threads (the CLI), which split it the same way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WAIT, cli, serverAndBrowser, visit } from './helpers.mjs';

const STEPS = 100;
const ONE = { corpus: 'hello', cell: 'lstm', hidden: 32, layers: 1, seqLen: 8, batch: 2, optimizer: 'adam', lr: 0.01, clip: 5, seed: 7, valFraction: 0, workers: '1' };
const TWO = { ...ONE, corpus: 'brackets', batch: 8, seqLen: 16, workers: '2' };

const env = serverAndBrowser();

async function nativeLosses(SETUP) {
  const dir = mkdtempSync(join(tmpdir(), 'rnnscope-parity-'));
  const log = join(dir, 'log.jsonl');
  const out = join(dir, 'model.safetensors');
  // prettier-ignore
  const args = ['train',
    '--corpus', SETUP.corpus, '--cell', SETUP.cell, '--hidden', String(SETUP.hidden), '--layers', String(SETUP.layers),
    '--seq-len', String(SETUP.seqLen), '--batch', String(SETUP.batch), '--optimizer', SETUP.optimizer,
    '--lr', String(SETUP.lr), '--clip', String(SETUP.clip), '--seed', String(SETUP.seed),
    '--val-fraction', String(SETUP.valFraction), '--threads', SETUP.workers, '--steps', String(STEPS), '--log-jsonl', log, '--out', out];
  await cli(args);
  const rows = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  return rows.sort((a, b) => a.step - b.step).map((r) => r.loss);
}

async function browserLosses(SETUP) {
  const hash = '#' + new URLSearchParams(Object.entries(SETUP).map(([k, v]) => [k, String(v)])).toString();
  const { page, problems, context } = await visit(env, null, { hash });
  await page.waitForFunction((n) => window.rnnscope.lossHistory().length >= n, STEPS, { timeout: WAIT });
  const losses = await page.evaluate(() => window.rnnscope.lossHistory());
  const offset = await page.evaluate(() => window.rnnscope.lossOffset());
  const info = await page.evaluate(() => window.rnnscope.info());
  const workers = await page.evaluate(() => window.rnnscope.workers());
  await context.close();
  assert.equal(workers, Number(SETUP.workers));
  assert.deepEqual(problems, []);
  assert.equal(offset, 0, 'the loss history does not start at step 1');
  assert.equal(info.cell, SETUP.cell);
  assert.equal(info.hidden, SETUP.hidden);
  return losses.slice(0, STEPS);
}

for (const SETUP of [ONE, TWO]) {
  const on = `${SETUP.workers} worker(s) and thread(s), batch ${SETUP.batch}`;
  test(`the first ${STEPS} losses match the CLI's to 1e-3 relative, on ${on}`, { timeout: 40 * 60_000 }, () => parity(SETUP));
}

async function parity(SETUP) {
  const [native, web] = await Promise.all([nativeLosses(SETUP), browserLosses(SETUP)]);
  assert.equal(native.length, STEPS, `the CLI logged ${native.length} steps`);
  assert.equal(web.length, STEPS);
  const bad = [];
  for (let i = 0; i < STEPS; i++) {
    const rel = Math.abs(native[i] - web[i]) / Math.max(Math.abs(native[i]), 1e-6);
    if (!(rel <= 1e-3)) bad.push(`step ${i + 1}: native ${native[i]} browser ${web[i]} (rel ${rel.toExponential(2)})`);
  }
  assert.deepEqual(bad, [], bad.slice(0, 10).join('\n'));
  assert.ok(web[STEPS - 1] < web[0], 'the loss did not fall');
}
