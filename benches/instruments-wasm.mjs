// The cost of each instrument in the wasm build (pkg/, as the page's worker runs it), for the same LSTM 2 × 256 and
// 10,000 characters of tinyshakespeare (read from ../shared/corpora/, not shipped) as benches/instruments.rs:
// Session.analyse, the call the worker makes. Median of 5 runs after one warm-up, in milliseconds (connectivity: 5
// new positions, one character apart, 10,000 characters in, after a first request there).
//
//   bash scripts/build-wasm.sh && node benches/instruments-wasm.mjs

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const { initSync, Session } = await import(join(ROOT, 'pkg', 'rnnscope.js'));
initSync({ module: readFileSync(join(ROOT, 'pkg', 'rnnscope_bg.wasm')) });
const train = readFileSync(join(ROOT, '..', 'shared', 'corpora', 'tinyshakespeare.txt'), 'utf8');
const CHARS = 10_000;
const text = Array.from(train).slice(-CHARS).join('');
const session = new Session({ cell: 'lstm', hidden: 256, layers: 2, seqLen: 64, batch: 32, optimizer: 'adam', lr: 2e-3, clip: 5, seed: 1, valFraction: 0 }, train);
const REQUESTS = [
  ['cells', { kind: 'cells', text, top: 5 }],
  ['saturation', { kind: 'saturation', text }],
  ['errors', { kind: 'errors', text }],
  ['connectivity_window256', { kind: 'connectivity', text, position: CHARS - 2, window: 256 }],
  ['ablation', { kind: 'ablation', text, clamps: [{ layer: 1, tensor: 'c', unit: 7, value: 0 }] }],
];
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
console.log(`instrument, LSTM 2 × 256, ${CHARS} characters, wasm (Node ${process.version})`);
console.log('| instrument | median ms |');
console.log('| --- | ---: |');
for (const [name, request] of REQUESTS) {
  session.analyse(request); // warm-up (and, for errors, the n-gram fit; for connectivity, the states before the window)
  const times = [];
  for (let i = 0; i < 5; i++) {
    // Connectivity is pointed along the text: each run a new position (one character back), as a hovering visitor.
    const r = request.kind === 'connectivity' ? { ...request, position: request.position - 1 - i } : request;
    const t0 = performance.now();
    session.analyse(r);
    times.push(performance.now() - t0);
  }
  console.log(`| ${name} | ${median(times).toFixed(0)} |`);
}
session.free();
