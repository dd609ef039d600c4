//! The shape of a model: its cell, vocabulary size, hidden size and number of layers, the limits they must keep
//! within, and the number of parameters they make.

use crate::cell::CellKind;
use crate::error::{Error, Result};

/// Largest hidden size accepted.
pub const MAX_HIDDEN: usize = 4096;
/// Largest number of stacked layers accepted.
pub const MAX_LAYERS: usize = 16;
/// Largest number of parameters accepted (64 Mi floats, 256 MiB).
pub const MAX_PARAMS: usize = 64 << 20;

/// The shape of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelConfig {
    pub cell: CellKind,
    /// `V`.
    pub vocab_size: usize,
    /// `H`.
    pub hidden: usize,
    /// `L`.
    pub layers: usize,
}

impl ModelConfig {
    /// Refuses sizes the library cannot or should not build, saying why.
    pub fn validate(&self) -> Result<()> {
        if self.hidden == 0 || self.hidden > MAX_HIDDEN {
            return Err(Error::Config(format!(
                "hidden size {} is outside 1..={MAX_HIDDEN}",
                self.hidden
            )));
        }
        if self.layers == 0 || self.layers > MAX_LAYERS {
            return Err(Error::Config(format!(
                "{} layers is outside 1..={MAX_LAYERS}",
                self.layers
            )));
        }
        if self.vocab_size == 0 || self.vocab_size > crate::vocab::MAX_VOCAB {
            return Err(Error::Config(format!(
                "vocabulary of {} characters is outside 1..={}",
                self.vocab_size,
                crate::vocab::MAX_VOCAB
            )));
        }
        let params = self.param_count();
        if params > MAX_PARAMS {
            return Err(Error::Config(format!(
                "this model would have {params} parameters ({} MiB); the limit is {MAX_PARAMS} ({} MiB) — use a smaller hidden size or fewer layers",
                params / (1 << 18),
                MAX_PARAMS / (1 << 18)
            )));
        }
        Ok(())
    }

    /// Number of f32 parameters (computed without overflow for any sizes that pass the range checks).
    pub fn param_count(&self) -> usize {
        let (v, h, gh) = (
            self.vocab_size,
            self.hidden,
            self.cell.gates() * self.hidden,
        );
        let first = gh * v + gh * h + 2 * gh;
        let above = gh * h + gh * h + 2 * gh;
        first + (self.layers - 1) * above + v * h + v
    }
}
