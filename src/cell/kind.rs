//! Which cell a model uses, and what each cell has: its gate blocks, their names, a cell state or not.

use super::rnn::{self, Activation};
use super::{gru, lstm};

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
            CellKind::Rnn(_) => rnn::GATES,
            CellKind::Lstm => lstm::GATES,
            CellKind::Gru => gru::GATES,
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
