//! The settings of a training run as one serialisable object, with field names in camelCase: what the
//! browser passes to `Session` and what the CLI saves under `train_config` in a model file, so that each
//! can read the other's.

use crate::error::{Error, Result};
use crate::{CellKind, Model, OptimizerKind, TrainConfig, Vocab};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// `"rnn"`, `"lstm"` or `"gru"`.
    pub cell: String,
    /// `"tanh"` (the default) or `"relu"`, for the RNN only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonlinearity: Option<String>,
    pub hidden: usize,
    pub layers: usize,
    pub seq_len: usize,
    pub batch: usize,
    /// `"adam"`, `"rmsprop"`, `"adagrad"` or `"sgd"`.
    pub optimizer: String,
    pub lr: f32,
    pub clip: f32,
    pub seed: u64,
    pub val_fraction: f32,
    /// The training text as the CLI names it: an embedded corpus or a file path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corpus: Option<String>,
}

impl Settings {
    pub fn cell_kind(&self) -> Result<CellKind> {
        CellKind::parse(&self.cell, self.nonlinearity.as_deref()).map_err(Error::Config)
    }

    /// The training half, checked.
    pub fn train_config(&self) -> Result<TrainConfig> {
        let config = TrainConfig {
            seq_len: self.seq_len,
            batch: self.batch,
            optimizer: OptimizerKind::parse(&self.optimizer)?,
            lr: self.lr,
            clip: self.clip,
            val_fraction: self.val_fraction,
        };
        config.validate()?;
        Ok(config)
    }

    /// A freshly initialised model of this shape and seed over `vocab`.
    pub fn new_model(&self, vocab: Vocab) -> Result<Model> {
        Model::new(
            self.cell_kind()?,
            self.hidden,
            self.layers,
            vocab,
            self.seed,
        )
    }
}
