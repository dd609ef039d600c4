//! Truncated backpropagation through time over a corpus, with health checks.
//!
//! The training part of the text is cut into `B` contiguous streams (as char-rnn does); each step reads the
//! next window of `T` characters of every stream, carrying the recurrent state from the previous window.
//! When a stream has no full window left, every stream starts again from its beginning with a zero state,
//! and the step says so (`wrapped`).
//!
//! [`config`] holds [`TrainConfig`]; `step.rs` the step on one tape or on threads, with its health checks;
//! `shared.rs` the step shared with other workers ([`parallel`]); `resume.rs` the training-state file.

mod config;
pub(crate) mod fingerprint;
pub mod parallel;
mod resume;
mod shared;
mod step;

pub use config::{held_out, TrainConfig, MAX_BATCH, MAX_SEQ_LEN};
pub use resume::Resumed;

use crate::error::{Error, Result};
use crate::eval::loss_of_ids;
use crate::model::{Model, State};
use crate::optim::Optimizer;
use crate::tape::Tape;
use config::{check_clip, check_lr};

/// What one optimizer step did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepReport {
    /// Steps completed, this one included.
    pub step: u64,
    /// Mean cross-entropy of the window, nats per character.
    pub loss: f32,
    /// Exponential moving average of `loss`, starting at `ln V` (the loss of a uniform guess).
    pub smooth_loss: f32,
    /// Global gradient norm before clipping.
    pub grad_norm: f32,
    pub clipped: bool,
    /// Characters predicted this step (`T·B`).
    pub chars: usize,
    /// The data wrapped before this step: every stream restarted from its beginning with a zero state.
    pub wrapped: bool,
}

/// A step shared with other workers, in flight.
#[derive(Debug, Clone, Copy)]
struct SharedStep {
    /// The data wrapped before it.
    wrapped: bool,
    /// [`Trainer::run_first_part`] computed the first group here.
    first_done: bool,
}

/// A model, its optimizer and its data, ready to step.
pub struct Trainer {
    model: Model,
    config: TrainConfig,
    optimizer: Optimizer,
    tape: Tape,
    state: State,
    /// Gradient buffer, same layout as the parameters.
    grads: Vec<f32>,
    /// Parameters of the last step whose loss was healthy (at most `healthy_below`).
    last_good: Vec<f32>,
    train_ids: Vec<u32>,
    val_ids: Vec<u32>,
    /// Characters per stream.
    stream_len: usize,
    /// Offset of the next window inside every stream.
    pos: usize,
    /// Fingerprint of the training and validation ids (see `resume`), computed when the text is set.
    text_fingerprint: u64,
    step: u64,
    smooth_loss: f32,
    /// A window loss up to this is healthy: three times the loss of a uniform guess (`ln V`, at least 1).
    healthy_below: f32,
    /// Threads asked for ([`Trainer::set_threads`]).
    threads: usize,
    /// The stream groups of a data-parallel step; empty when the step runs on one tape.
    groups: Vec<parallel::Group>,
    /// A step begun by [`Trainer::begin_shared_step`] and not yet finished.
    shared_step: Option<SharedStep>,
}

impl Trainer {
    /// Prepares to train `model` on `text` (whose characters must all be in the model's vocabulary).
    pub fn new(model: Model, text: &str, config: TrainConfig) -> Result<Trainer> {
        config.validate()?;
        let tape = Tape::new(&model.config, config.seq_len, config.batch)?;
        let n = model.params.len();
        let ln_v = (model.config.vocab_size as f32).ln();
        let mut optimizer = Optimizer::new(config.optimizer, config.lr, n);
        optimizer.weight_decay = config.weight_decay;
        let mut trainer = Trainer {
            optimizer,
            tape,
            state: State::zeros(&model.config, config.batch),
            grads: vec![0.0; n],
            last_good: model.params.clone(),
            train_ids: Vec::new(),
            val_ids: Vec::new(),
            stream_len: 0,
            pos: 0,
            text_fingerprint: 0,
            step: 0,
            smooth_loss: ln_v,
            healthy_below: 3.0 * ln_v.max(1.0),
            threads: 1,
            groups: Vec::new(),
            shared_step: None,
            model,
            config,
        };
        trainer.set_text(text)?;
        Ok(trainer)
    }

    /// Replaces the training text, keeping the model and optimizer; refuses text the vocabulary cannot encode
    /// or that is too short for one window of every stream.
    pub fn set_text(&mut self, text: &str) -> Result<()> {
        if text.is_empty() {
            return Err(Error::Text("the text is empty".into()));
        }
        let ids = self.model.vocab.encode(text)?;
        let (train, val) = ids.split_at(held_out(ids.len(), self.config.val_fraction).start);
        let (b, t) = (self.config.batch, self.config.seq_len);
        let need = b * (t + 1);
        if train.len() < need {
            return Err(Error::Text(format!(
                "the training part of the text has {} characters, but batch {b} × (seq_len {t} + 1) = {need} are needed; use a smaller batch or seq_len, or more text",
                train.len()
            )));
        }
        self.stream_len = train.len() / b;
        self.train_ids = train.to_vec();
        self.val_ids = if val.len() >= 2 {
            val.to_vec()
        } else {
            Vec::new()
        };
        self.text_fingerprint = fingerprint::text_fingerprint(&self.train_ids, &self.val_ids);
        self.shared_step = None;
        self.pos = 0;
        self.state.reset();
        Ok(())
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn into_model(self) -> Model {
        self.model
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn steps_done(&self) -> u64 {
        self.step
    }

    /// Continues the step count of a resumed model.
    pub fn set_steps_done(&mut self, step: u64) {
        self.step = step;
    }

    pub fn smooth_loss(&self) -> f32 {
        self.smooth_loss
    }

    /// Sets one weight of the model being trained (see [`Model::set_parameter`], which refuses the same
    /// things). The next step trains from the edited weights with the optimizer state it has; the edit is also
    /// made in the rollback copy, so a later divergence undoes training steps, not the edit.
    pub fn set_parameter(&mut self, name: &str, index: usize, value: f32) -> Result<()> {
        let at = self.model.set_parameter(name, index, value)?;
        self.last_good[at] = value;
        self.shared_step = None;
        Ok(())
    }

    /// Takes effect at the next step.
    pub fn set_lr(&mut self, lr: f32) -> Result<()> {
        check_lr(lr)?;
        self.config.lr = lr;
        self.optimizer.lr = lr;
        Ok(())
    }

    pub fn set_clip(&mut self, clip: f32) -> Result<()> {
        check_clip(clip)?;
        self.config.clip = clip;
        Ok(())
    }

    /// Train on up to `threads` threads (see [`parallel`]), one group of streams each; 1 (the default) runs every
    /// step on this thread, on one tape. The same count gives the same run bit for bit; counts agree to float
    /// rounding. Refuses 0 and more than [`parallel::MAX_THREADS`].
    pub fn set_threads(&mut self, threads: usize) -> Result<()> {
        if threads == 0 || threads > parallel::MAX_THREADS {
            return Err(Error::Config(format!(
                "{threads} threads is outside 1..={}",
                parallel::MAX_THREADS
            )));
        }
        let groups = parallel::groups(self.config.batch, threads);
        self.groups = if groups.len() > 1 {
            groups
                .into_iter()
                .map(|streams| parallel::Group::new(&self.model, self.config.seq_len, streams))
                .collect::<Result<_>>()?
        } else {
            Vec::new()
        };
        self.threads = threads;
        self.shared_step = None;
        Ok(())
    }

    /// Threads asked for; [`Trainer::groups_used`] says how many a step really uses.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Groups of streams (threads) a batched step runs on: 1 unless the batch is split.
    pub fn groups_used(&self) -> usize {
        self.groups.len().max(1)
    }

    /// Mean loss on (the first `max_chars` characters of) the validation part, from a zero state;
    /// `None` when there is no validation part.
    pub fn validation_loss(&self, max_chars: usize) -> Option<f32> {
        let n = self.val_ids.len().min(max_chars.max(2));
        if n < 2 {
            return None;
        }
        loss_of_ids(&self.model, &self.val_ids[..n]).ok()
    }
}
