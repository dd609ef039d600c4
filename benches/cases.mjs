// The four training cases every rnnscope benchmark measures (benches/cases.json, which benches/train.rs,
// benches/pytorch_bench.py and scripts/bench.sh read too), as the wasm Session's settings: { id, name, label, cell,
// hidden, layers, seqLen, batch, optimizer, lr }. BENCHMARKS.md calls them S1–S4.

import { readFileSync } from 'node:fs';

const FILE = JSON.parse(readFileSync(new URL('./cases.json', import.meta.url), 'utf8'));

export const CASES = Object.freeze(FILE.cases.map((c) => Object.freeze({ ...c })));
/** The gradient clip every case trains with. */
export const CLIP = FILE.clip;
