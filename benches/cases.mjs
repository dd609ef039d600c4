// The four training cases every rnnscope benchmark measures, as the wasm Session's settings (benches/train.rs has
// the same cases for criterion; BENCHMARKS.md calls them S1–S4).
export const CASES = [
  { name: 'lstm_1x128_seq25_b1', cell: 'lstm', hidden: 128, layers: 1, seqLen: 25, batch: 1, optimizer: 'adam', lr: 2e-3 },
  { name: 'lstm_2x256_seq64_b32', cell: 'lstm', hidden: 256, layers: 2, seqLen: 64, batch: 32, optimizer: 'adam', lr: 2e-3 },
  { name: 'rnn_1x100_seq25_b1_adagrad', cell: 'rnn', hidden: 100, layers: 1, seqLen: 25, batch: 1, optimizer: 'adagrad', lr: 0.1 },
  { name: 'gru_1x128_seq25_b1', cell: 'gru', hidden: 128, layers: 1, seqLen: 25, batch: 1, optimizer: 'adam', lr: 2e-3 },
];
