//! The settings of a training run as one serialisable object, with field names in camelCase: what the
//! browser passes to `Session` and what the CLI saves under `train_config` in a model file, so that each
//! can read the other's.

use crate::error::{Error, Result};
use crate::schedule::Schedule;
use crate::{CellKind, Model, OptimizerKind, TrainConfig, Vocab};
use serde::{Deserialize, Serialize};

/// Every field of [`Settings`] as JavaScript and `train_config` spell it (camelCase); the wasm surface refuses any
/// other.
pub const FIELDS: [&str; 19] = [
    "cell",
    "nonlinearity",
    "hidden",
    "layers",
    "seqLen",
    "batch",
    "optimizer",
    "lr",
    "clip",
    "seed",
    "valFraction",
    "weightDecay",
    "schedule",
    "warmup",
    "scheduleSteps",
    "minLr",
    "gamma",
    "dropout",
    "corpus",
];

/// The fields of [`FIELDS`] every settings object has.
pub const REQUIRED: [&str; 10] = [
    "cell",
    "hidden",
    "layers",
    "seqLen",
    "batch",
    "optimizer",
    "lr",
    "clip",
    "seed",
    "valFraction",
];

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
    /// `"adam"`, `"adamw"`, `"rmsprop"`, `"adagrad"` or `"sgd"`.
    pub optimizer: String,
    pub lr: f32,
    pub clip: f32,
    pub seed: u64,
    pub val_fraction: f32,
    /// Weight decay (see [`TrainConfig::weight_decay`]); unset: PyTorch's default for the optimizer (0.01 for
    /// AdamW, none for the others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_decay: Option<f32>,
    /// The learning-rate schedule (see [`crate::schedule`]): `"constant"` (unset), `"cosine"` or `"step"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// Steps of linear warm-up (unset: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<u64>,
    /// The cosine's length in steps (the warm-up included), or the step decay's interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_steps: Option<u64>,
    /// The cosine's floor (unset: 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_lr: Option<f32>,
    /// The step decay's factor (unset: 0.1, as `StepLR`'s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gamma: Option<f32>,
    /// Dropout while training (see [`TrainConfig::dropout`]; unset: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dropout: Option<f32>,
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
        let optimizer = OptimizerKind::parse(&self.optimizer)?;
        let schedule = Schedule::parse(
            self.schedule.as_deref().unwrap_or("constant"),
            self.warmup.unwrap_or(0),
            self.schedule_steps,
            self.min_lr.unwrap_or(0.0),
            self.gamma.unwrap_or(0.1),
        )?;
        let config = TrainConfig {
            seq_len: self.seq_len,
            batch: self.batch,
            optimizer,
            lr: self.lr,
            clip: self.clip,
            val_fraction: self.val_fraction,
            weight_decay: self
                .weight_decay
                .unwrap_or_else(|| optimizer.default_weight_decay()),
            schedule,
            dropout: self.dropout.unwrap_or(0.0),
            seed: self.seed,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_names_every_field_of_the_settings() {
        let every = Settings {
            cell: "rnn".into(),
            nonlinearity: Some("relu".into()),
            hidden: 1,
            layers: 1,
            seq_len: 1,
            batch: 1,
            optimizer: "adamw".into(),
            lr: 0.1,
            clip: 1.0,
            seed: 1,
            val_fraction: 0.1,
            weight_decay: Some(0.1),
            schedule: Some("cosine".into()),
            warmup: Some(1),
            schedule_steps: Some(2),
            min_lr: Some(0.0),
            gamma: Some(0.5),
            dropout: Some(0.1),
            corpus: Some("hello".into()),
        };
        let json = serde_json::to_value(&every).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut fields = FIELDS.to_vec();
        keys.sort_unstable();
        fields.sort_unstable();
        assert_eq!(keys, fields);
    }
}
