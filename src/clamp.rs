//! Interventions: units of the recurrent state held at a value while the model runs. Ablation is the clamp
//! to 0.
//!
//! A clamp replaces one unit of `h` (any cell) or of the LSTM's `c` after every step, before anything reads
//! it: the same step's layer above and decoder, and the next step's recurrence. Clamping `c` also recomputes
//! that unit's `h = o · tanh(c)`, as the cell would have. Backpropagation treats a clamped value as a constant
//! (its gradient stops there), so the gradients through a clamped model are exact; the tests check them by
//! finite differences.
//!
//! The textual form, used by the command line, is `LAYER:TENSOR:UNIT` for an ablation and
//! `LAYER:TENSOR:UNIT=VALUE` for a clamp, e.g. `0:c:57` or `1:h:3=0.9`.

use crate::error::{Error, Result};
use crate::model_config::ModelConfig;
use serde::{Deserialize, Serialize};

/// Largest magnitude a clamp may hold a unit at. `h` lives in (−1, 1) for tanh cells, `c` grows with the
/// text; beyond this the model only produces saturated nonsense, and huge values would overflow.
pub const MAX_CLAMP: f32 = 1000.0;

/// Which state a clamp holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClampedTensor {
    /// The hidden state `h`.
    H,
    /// The LSTM cell state `c`.
    C,
}

/// One unit held at `value` (0 for an ablation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Clamp {
    pub layer: usize,
    pub tensor: ClampedTensor,
    pub unit: usize,
    #[serde(default)]
    pub value: f32,
}

impl Clamp {
    /// The ablation of `unit`: held at 0.
    pub fn ablate(layer: usize, tensor: ClampedTensor, unit: usize) -> Clamp {
        Clamp {
            layer,
            tensor,
            unit,
            value: 0.0,
        }
    }

    /// Parses `LAYER:TENSOR:UNIT` or `LAYER:TENSOR:UNIT=VALUE` (see [the module docs](self)).
    pub fn parse(spec: &str) -> Result<Clamp> {
        let bad = |why: &str| {
            Error::Config(format!(
                "clamp {spec:?}: {why} (expected LAYER:TENSOR:UNIT or LAYER:TENSOR:UNIT=VALUE, e.g. 0:c:57 or 0:h:3=0.5)"
            ))
        };
        let (target, value) = match spec.split_once('=') {
            Some((t, v)) => (
                t,
                v.trim()
                    .parse::<f32>()
                    .map_err(|_| bad("the value is not a number"))?,
            ),
            None => (spec, 0.0),
        };
        let parts: Vec<&str> = target.trim().split(':').collect();
        let [layer, tensor, unit] = parts[..] else {
            return Err(bad("it needs three parts separated by ':'"));
        };
        let layer = layer
            .parse()
            .map_err(|_| bad("the layer is not a number"))?;
        let unit = unit.parse().map_err(|_| bad("the unit is not a number"))?;
        let tensor = match tensor {
            "h" => ClampedTensor::H,
            "c" => ClampedTensor::C,
            _ => return Err(bad("the tensor must be h or c")),
        };
        Ok(Clamp {
            layer,
            tensor,
            unit,
            value,
        })
    }

    /// Refuses a clamp the model cannot have: a missing layer, unit or `c`, or a value that is not finite or
    /// beyond ±[`MAX_CLAMP`].
    pub fn check(&self, config: &ModelConfig) -> Result<()> {
        let describe = self.to_string();
        if self.layer >= config.layers {
            return Err(Error::Config(format!(
                "clamp {describe}: the model has {} layer(s), 0..={}",
                config.layers,
                config.layers - 1
            )));
        }
        if self.unit >= config.hidden {
            return Err(Error::Config(format!(
                "clamp {describe}: layers have {} units, 0..={}",
                config.hidden,
                config.hidden - 1
            )));
        }
        if self.tensor == ClampedTensor::C && !config.cell.has_cell_state() {
            return Err(Error::Config(format!(
                "clamp {describe}: a {} model has no cell state c",
                config.cell.name()
            )));
        }
        if !self.value.is_finite() || self.value.abs() > MAX_CLAMP {
            return Err(Error::Config(format!(
                "clamp {describe}: the value must be a finite number within ±{MAX_CLAMP}"
            )));
        }
        Ok(())
    }
}

impl std::fmt::Display for Clamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tensor = match self.tensor {
            ClampedTensor::H => "h",
            ClampedTensor::C => "c",
        };
        write!(f, "{}:{tensor}:{}={}", self.layer, self.unit, self.value)
    }
}

/// Checks every clamp against `config` and refuses the same unit clamped twice.
pub fn check_all(clamps: &[Clamp], config: &ModelConfig) -> Result<()> {
    for (i, c) in clamps.iter().enumerate() {
        c.check(config)?;
        if clamps[..i]
            .iter()
            .any(|d| (d.layer, d.tensor, d.unit) == (c.layer, c.tensor, c.unit))
        {
            return Err(Error::Config(format!(
                "clamp {c}: that unit is already clamped"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell::CellKind;

    #[test]
    fn parses_ablations_and_clamps() {
        assert_eq!(
            Clamp::parse("0:c:57").unwrap(),
            Clamp::ablate(0, ClampedTensor::C, 57)
        );
        let c = Clamp::parse("1:h:3=-0.5").unwrap();
        assert_eq!(
            (c.layer, c.tensor, c.unit, c.value),
            (1, ClampedTensor::H, 3, -0.5)
        );
        for bad in ["", "0:c", "0:x:1", "a:h:1", "0:h:1=abc", "0:h:-1"] {
            assert!(Clamp::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn refuses_what_the_model_lacks() {
        let config = ModelConfig {
            cell: CellKind::Gru,
            hidden: 8,
            layers: 2,
            vocab_size: 5,
        };
        assert!(Clamp::parse("1:h:7").unwrap().check(&config).is_ok());
        for bad in ["2:h:0", "0:h:8", "0:c:0", "0:h:0=1e9", "0:h:0=NaN"] {
            let err = Clamp::parse(bad).unwrap().check(&config).unwrap_err();
            assert!(err.to_string().contains("clamp"), "{bad}: {err}");
        }
        let twice = [
            Clamp::parse("0:h:1").unwrap(),
            Clamp::parse("0:h:1=1").unwrap(),
        ];
        assert!(check_all(&twice, &config).is_err());
    }
}
