// Training throughput of the wasm build (pkg/, as the page's worker runs it) in characters per second, for the
// same cases as benches/train.rs, on tinyshakespeare read from ../shared/corpora/ (not shipped).
//
//   bash scripts/build-wasm.sh && node benches/wasm.mjs
//   node --experimental-wasm-relaxed-simd benches/wasm.mjs --relaxed     (the relaxed-SIMD build; Node 20 needs the flag)
//
// Node runs the module on the same V8 engine (with wasm SIMD) as Chromium does in the page's worker.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASES, CLIP } from './cases.mjs';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const { initSync, Session } = await import(join(ROOT, 'pkg', 'rnnscope.js'));
const RELAXED = process.argv.includes('--relaxed');
initSync({ module: readFileSync(join(ROOT, 'pkg', RELAXED ? 'rnnscope_relaxed_bg.wasm' : 'rnnscope_bg.wasm')) });
console.log(RELAXED ? 'relaxed-SIMD build' : 'SIMD128 build');
const text = readFileSync(join(ROOT, '..', 'shared', 'corpora', 'tinyshakespeare.txt'), 'utf8');

const ROUNDS = 5;
const ROUND_SECONDS = 1;

for (const c of CASES) {
  const session = new Session({ ...c, clip: CLIP, seed: 1, valFraction: 0 }, text);
  const charsPerStep = c.seqLen * c.batch;
  session.train(3); // warm up
  // Steps per round sized from a first timing, so each round takes about ROUND_SECONDS.
  let t0 = performance.now();
  session.train(1);
  const steps = Math.max(1, Math.round((ROUND_SECONDS * 1000) / Math.max(0.01, performance.now() - t0)));
  const rates = [];
  for (let r = 0; r < ROUNDS; r++) {
    t0 = performance.now();
    session.train(steps);
    rates.push((steps * charsPerStep) / ((performance.now() - t0) / 1000));
  }
  session.free();
  rates.sort((a, b) => a - b);
  const fmt = (x) => Math.round(x).toLocaleString('en');
  console.log(`${c.name.padEnd(28)} median ${fmt(rates[ROUNDS >> 1]).padStart(8)} chars/s  (min ${fmt(rates[0])}, max ${fmt(rates[ROUNDS - 1])})`);
}
