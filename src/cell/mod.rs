//! The three cells behind one contract: per-step equations on one batch row, forward beside backward.
//!
//! Every cell of a layer sees, for each step and stream:
//! - `pre_ih` `(G·H)`: `W_ih x + b_ih`, computed for the whole window at once by the tape;
//! - `hh` `(G·H)`: `W_hh h_prev + b_hh`, computed step by step;
//!
//! and writes its gate activations `act` `(G·H)` and its new hidden state `h` `(H)` (plus `c` for the LSTM).
//! Backward takes the same saved values and `d`-prefixed gradients and returns the gradients of the
//! pre-activations `dgi = ∂loss/∂pre_ih` and `dgh = ∂loss/∂hh` (equal except for the GRU's `n` gate).

pub mod gru;
mod kind;
pub mod lstm;
pub mod rnn;

pub use kind::CellKind;
pub use rnn::Activation;

use std::ops::Range;

/// The rows of gate block `k` in a `(G·H)` vector or `(G·H, ·)` matrix.
pub fn block(k: usize, hidden: usize) -> Range<usize> {
    k * hidden..(k + 1) * hidden
}
