// Numbers the core and the page both use, in one place on the page's side. They mirror Rust constants, not yet
// generated from them (issue 14 asks for that: a test that fails when the two differ): MIN_STREAMS
// (src/trainer/parallel.rs), MAX_PATTERNS (src/analysis/request.rs), MAX_PATTERN_BYTES (src/analysis/features.rs), ERROR_BELOW (src/analysis/errors.rs), the
// saturation thresholds (src/analysis/saturation.rs), the default temperature (sampler and CLI), the gate blocks
// per cell (src/cell/). Change both sides together.

export const MIN_STREAMS = 4;
export const MAX_PATTERNS = 8;
export const MAX_PATTERN_BYTES = 1000;
export const SATURATION_SHUT = 0.1;
export const SATURATION_OPEN = 0.9;
export const ERROR_BELOW = 0.5;
export const DEFAULT_TEMPERATURE = 0.8;
export const GATE_BLOCKS = Object.freeze({ rnn: 1, lstm: 4, gru: 3 });
export const PARAM_COUNT_EXAMPLES = Object.freeze([]);
