//! How to train, apart from the model's shape: the window, the streams, the optimizer and its settings, the
//! held-out share; with the limits each must keep within.

use crate::error::{Error, Result};
use crate::optim::OptimizerKind;
use crate::schedule::Schedule;

/// Longest window accepted.
pub const MAX_SEQ_LEN: usize = 4096;
/// Most parallel streams accepted.
pub const MAX_BATCH: usize = 1024;

/// The characters of a text of `len` characters that training holds out for validation: the last
/// `⌊len · val_fraction⌋` (the product taken in `f64`). The trainer trains on everything before them and
/// validates on them, from a zero state, when there are at least two.
pub fn held_out(len: usize, val_fraction: f32) -> std::ops::Range<usize> {
    let n_val = (len as f64 * f64::from(val_fraction)) as usize;
    len - n_val.min(len)..len
}

/// How to train (the model's shape lives in [`crate::ModelConfig`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    /// `T`: characters per window.
    pub seq_len: usize,
    /// `B`: parallel streams.
    pub batch: usize,
    pub optimizer: OptimizerKind,
    pub lr: f32,
    /// Maximum global gradient norm; `0` disables clipping.
    pub clip: f32,
    /// Fraction of the text (at its end) held out for validation, in `[0, 0.5]`.
    pub val_fraction: f32,
    /// AdamW's decoupled weight decay, or the L2 penalty of the other rules (see [`crate::optim::Optimizer`]); in
    /// `[0, 1]`.
    pub weight_decay: f32,
    /// How the learning rate moves from `lr` over the steps.
    pub schedule: Schedule,
    /// Probability of dropping each value a layer passes up while training (see [`crate::tape::MaskDraw`]); in
    /// `[0, 0.9]`, 0 for none.
    pub dropout: f32,
    /// Seeds the dropout masks (the model's own seed when built from [`crate::Settings`]).
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            seq_len: 25,
            batch: 1,
            optimizer: OptimizerKind::Adam,
            lr: 2e-3,
            clip: 5.0,
            val_fraction: 0.1,
            weight_decay: 0.0,
            schedule: Schedule::default(),
            dropout: 0.0,
            seed: 0,
        }
    }
}

pub(super) fn check_lr(lr: f32) -> Result<()> {
    if !(lr.is_finite() && lr > 0.0 && lr <= 10.0) {
        return Err(Error::Config(format!(
            "learning rate {lr} must be in (0, 10]"
        )));
    }
    Ok(())
}

pub(super) fn check_clip(clip: f32) -> Result<()> {
    if !(clip.is_finite() && clip >= 0.0) {
        return Err(Error::Config(format!(
            "clip {clip} must be a finite number ≥ 0 (0 turns clipping off)"
        )));
    }
    Ok(())
}

impl TrainConfig {
    pub fn validate(&self) -> Result<()> {
        if self.seq_len == 0 || self.seq_len > MAX_SEQ_LEN {
            return Err(Error::Config(format!(
                "seq_len {} is outside 1..={MAX_SEQ_LEN}",
                self.seq_len
            )));
        }
        if self.batch == 0 || self.batch > MAX_BATCH {
            return Err(Error::Config(format!(
                "batch {} is outside 1..={MAX_BATCH}",
                self.batch
            )));
        }
        check_lr(self.lr)?;
        check_clip(self.clip)?;
        if !(0.0..=0.5).contains(&self.val_fraction) {
            return Err(Error::Config(format!(
                "validation fraction {} is outside [0, 0.5]",
                self.val_fraction
            )));
        }
        if !(self.weight_decay.is_finite() && (0.0..=1.0).contains(&self.weight_decay)) {
            return Err(Error::Config(format!(
                "weight decay {} is outside [0, 1]",
                self.weight_decay
            )));
        }
        self.schedule.validate(self.lr)?;
        crate::tape::check_dropout(self.dropout)?;
        if let OptimizerKind::Sgd { momentum } = self.optimizer {
            if !(0.0..1.0).contains(&momentum) {
                return Err(Error::Config(format!(
                    "momentum {momentum} is outside [0, 1)"
                )));
            }
        }
        Ok(())
    }
}
