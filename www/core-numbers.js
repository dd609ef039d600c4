// Generated from the Rust crate (src/shared_numbers.rs) by `RNNSCOPE_BLESS=1 cargo test --test core_numbers`;
// tests/core_numbers.rs fails when this file and the crate differ. Do not edit by hand.

export const MIN_STREAMS = 4;
export const MAX_PATTERNS = 8;
export const SATURATION_SHUT = 0.1;
export const SATURATION_OPEN = 0.9;
export const ERROR_BELOW = 0.5;
export const DEFAULT_TEMPERATURE = 0.8;
export const GATE_BLOCKS = Object.freeze({ rnn: 1, lstm: 4, gru: 3 });
export const PARAM_COUNT_EXAMPLES = Object.freeze([]);
