// Shared JSDoc types of the views (no runtime code).

/**
 * What the panels pass to the views: one probe of the model over the visitor's text.
 * Symbols: T steps (characters), L layers, H hidden units, G gates per layer, V vocabulary size.
 * @typedef {{
 *   cell: 'rnn'|'lstm'|'gru',
 *   layers: number,          // L
 *   hidden: number,          // H
 *   gateNames: string[],     // G names: lstm ['i','f','g','o'], gru ['r','z','n'], rnn []
 *   vocab: string[],         // V characters; index = one-hot position
 *   steps: number,           // T
 *   chars: string[],         // T characters of the text
 *   input: Int32Array,       // (T) vocabulary index of chars[t], or -1 if unknown
 *   h: Float32Array,         // (T, L, H) index (t*L + l)*H + j
 *   c: Float32Array|null,    // (T, L, H) LSTM cell state, same index; null otherwise
 *   gate: Float32Array|null, // (T, L, G, H) index ((t*L + l)*G + g)*H + j; null for rnn
 *   logits: Float32Array,    // (T, V)
 *   probs: Float32Array,     // (T, V) step t predicts character t+1
 *   nextProb: Float32Array,  // (T) probs[t*V + input[t+1]]; NaN for the last step or an unknown next char
 *   loss: Float32Array,      // (T) −ln nextProb
 *   seq?: number,            // counts the probes folded into these buffers
 *   changedSince?: (seq: number) => number, // the first position that may differ from what ProbeData `seq` held
 * }} ProbeData
 */

export {};
