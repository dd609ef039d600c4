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
pub mod lstm;
pub mod rnn;

use std::ops::Range;

/// The nonlinearity of the vanilla RNN cell (PyTorch's `nonlinearity` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Tanh,
    Relu,
}

/// Which recurrent cell a model uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// `h' = act(W_ih x + b_ih + W_hh h + b_hh)`.
    Rnn(Activation),
    /// PyTorch `nn.LSTM`: blocks `i, f, g, o`.
    Lstm,
    /// PyTorch `nn.GRU`: blocks `r, z, n`, reset applied after the `W_hh` product.
    Gru,
}

impl CellKind {
    /// Gate blocks `G` stacked in the weight matrices.
    pub fn gates(self) -> usize {
        match self {
            CellKind::Rnn(_) => 1,
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        }
    }

    /// Names of the gate blocks in storage order (empty for the RNN, whose only block is `h` itself).
    pub fn gate_names(self) -> &'static [&'static str] {
        match self {
            CellKind::Rnn(_) => &[],
            CellKind::Lstm => &lstm::GATE_NAMES,
            CellKind::Gru => &gru::GATE_NAMES,
        }
    }

    /// Whether the cell carries a cell state `c` besides `h`.
    pub fn has_cell_state(self) -> bool {
        matches!(self, CellKind::Lstm)
    }

    /// The name used in model files and on the command line: `rnn`, `lstm` or `gru`.
    pub fn name(self) -> &'static str {
        match self {
            CellKind::Rnn(_) => "rnn",
            CellKind::Lstm => "lstm",
            CellKind::Gru => "gru",
        }
    }

    /// Parses a cell name and an optional RNN nonlinearity (`tanh` when absent).
    pub fn parse(name: &str, nonlinearity: Option<&str>) -> Result<CellKind, String> {
        let activation = match nonlinearity.unwrap_or("tanh") {
            "tanh" => Activation::Tanh,
            "relu" => Activation::Relu,
            other => {
                return Err(format!(
                    "unknown nonlinearity {other:?} (expected \"tanh\" or \"relu\")"
                ))
            }
        };
        match name {
            "rnn" => Ok(CellKind::Rnn(activation)),
            "lstm" if activation == Activation::Tanh => Ok(CellKind::Lstm),
            "gru" if activation == Activation::Tanh => Ok(CellKind::Gru),
            "lstm" | "gru" => Err(format!("the {name} cell has no nonlinearity option")),
            other => Err(format!(
                "unknown cell {other:?} (expected \"rnn\", \"lstm\" or \"gru\")"
            )),
        }
    }
}

/// The rows of gate block `k` in a `(G·H)` vector or `(G·H, ·)` matrix.
pub fn block(k: usize, hidden: usize) -> Range<usize> {
    k * hidden..(k + 1) * hidden
}

/// `σ(x)`, computed without overflow for large `|x|`.
#[inline]
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// `σ'(x)` from the saved output `y = σ(x)`.
#[inline]
pub(crate) fn sigmoid_grad_from_output(y: f32) -> f32 {
    y * (1.0 - y)
}

/// `tanh'(x)` from the saved output `y = tanh(x)`.
#[inline]
pub(crate) fn tanh_grad_from_output(y: f32) -> f32 {
    1.0 - y * y
}
