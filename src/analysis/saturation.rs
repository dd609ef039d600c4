//! Gate saturation, as in Karpathy, Johnson and Fei-Fei (2015): per sigmoid gate and unit, the fraction of
//! the text's characters on which the gate is left-saturated (`< 0.1`, nearly closed) and right-saturated
//! (`> 0.9`, nearly open). The gates are the LSTM's `i, f, o` and the GRU's `r, z` (the `g` and `n` blocks are
//! tanh candidates, not gates). A vanilla RNN has none and is refused.

use super::stats::{saturation_fractions, LEFT_SATURATED, RIGHT_SATURATED};
use super::{ser_array1, Activations, Tensor};
use crate::cell::CellKind;
use crate::error::{Error, Result};
use ndarray::Array1;
use serde::Serialize;

/// The sigmoid gates of a cell, by name.
pub fn sigmoid_gates(cell: CellKind) -> &'static [&'static str] {
    match cell {
        CellKind::Lstm => &["i", "f", "o"],
        CellKind::Gru => &["r", "z"],
        CellKind::Rnn(_) => &[],
    }
}

/// One gate of one layer over a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateSaturation {
    pub layer: usize,
    pub gate: &'static str,
    /// `(H)`: per unit, the fraction of characters with the gate `< 0.1`.
    #[serde(serialize_with = "ser_array1")]
    pub left: Array1<f64>,
    /// `(H)`: per unit, the fraction of characters with the gate `> 0.9`.
    #[serde(serialize_with = "ser_array1")]
    pub right: Array1<f64>,
}

/// Every sigmoid gate of every layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SaturationReport {
    pub cell: &'static str,
    pub layers: usize,
    pub hidden: usize,
    /// `T`.
    pub chars: usize,
    pub left_below: f64,
    pub right_above: f64,
    /// Layer by layer, gates in storage order.
    pub gates: Vec<GateSaturation>,
}

/// Saturation of every sigmoid gate of `acts`; refuses a model without gates.
pub fn gate_saturation(acts: &Activations) -> Result<SaturationReport> {
    let cell = acts.config.cell;
    let names = sigmoid_gates(cell);
    if names.is_empty() {
        return Err(Error::Analysis(format!(
            "a vanilla {} model has no gates to saturate (use an LSTM or GRU)",
            cell.name()
        )));
    }
    let mut gates = Vec::with_capacity(acts.config.layers * names.len());
    for layer in 0..acts.config.layers {
        for &gate in names {
            let tensor = Tensor::parse(cell, gate).expect("a sigmoid gate of this cell");
            let sat = saturation_fractions(acts.view(layer, tensor)?)?;
            gates.push(GateSaturation {
                layer,
                gate,
                left: sat.left,
                right: sat.right,
            });
        }
    }
    Ok(SaturationReport {
        cell: cell.name(),
        layers: acts.config.layers,
        hidden: acts.config.hidden,
        chars: acts.steps(),
        left_below: LEFT_SATURATED,
        right_above: RIGHT_SATURATED,
        gates,
    })
}
