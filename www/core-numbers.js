// Numbers the page shares with the core. GENERATED from the Rust constants by tests/core_numbers.rs, which
// fails when this file differs from what it renders; do not edit by hand. After changing a constant, run
//   RNNSCOPE_BLESS=1 cargo test --test core_numbers

/** Streams per worker below which a second one does not pay (src/trainer/parallel.rs). */
export const MIN_STREAMS = 4;
/** Most patterns one cell-finder run takes (src/analysis/request.rs). */
export const MAX_PATTERNS = 8;
/** Longest pattern, in UTF-8 bytes (src/analysis/features.rs). */
export const MAX_PATTERN_BYTES = 1000;
/** A gate below this is saturated shut (src/analysis/stats.rs). */
export const SATURATION_SHUT = 0.1;
/** A gate above this is saturated open (src/analysis/stats.rs). */
export const SATURATION_OPEN = 0.9;
/** A character the model gives less than this probability is an error (src/analysis/errors.rs). */
export const ERROR_BELOW = 0.5;
/** The sampler's default temperature (src/sampler.rs). */
export const DEFAULT_TEMPERATURE = 0.8;
/** Gate blocks stacked in each cell's weight matrices (src/cell/). */
export const GATE_BLOCKS = Object.freeze({ rnn: 1, lstm: 4, gru: 3 });
/** Parameter counts of some shapes, by ModelConfig::param_count (src/model_config.rs). */
export const PARAM_COUNT_EXAMPLES = Object.freeze([
  { cell: 'rnn', hidden: 8, layers: 1, vocab: 5, params: 165 },
  { cell: 'rnn', hidden: 100, layers: 3, vocab: 65, params: 63665 },
  { cell: 'lstm', hidden: 32, layers: 1, vocab: 27, params: 8699 },
  { cell: 'lstm', hidden: 128, layers: 2, vocab: 65, params: 240321 },
  { cell: 'lstm', hidden: 512, layers: 3, vocab: 96, params: 5501024 },
  { cell: 'gru', hidden: 64, layers: 2, vocab: 40, params: 47912 },
  { cell: 'gru', hidden: 1024, layers: 1, vocab: 200, params: 3971272 },
]);
