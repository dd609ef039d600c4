//! Truncated backpropagation through time over a corpus, with health checks.
//!
//! The training part of the text is cut into `B` contiguous streams (as char-rnn does); each step reads the
//! next window of `T` characters of every stream, carrying the recurrent state from the previous window.
//! When a stream has no full window left, every stream starts again from its beginning with a zero state,
//! and the step says so (`wrapped`).

use crate::error::{Error, Result};
use crate::eval::loss_of_ids;
use crate::model::{Model, State};
use crate::optim::{clip_grad_norm, Optimizer, OptimizerKind};
use crate::tape::Tape;

pub mod parallel;
mod resume;
pub use resume::Resumed;

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
        }
    }
}

fn check_lr(lr: f32) -> Result<()> {
    if !(lr.is_finite() && lr > 0.0 && lr <= 10.0) {
        return Err(Error::Config(format!(
            "learning rate {lr} must be in (0, 10]"
        )));
    }
    Ok(())
}

fn check_clip(clip: f32) -> Result<()> {
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
        let mut trainer = Trainer {
            optimizer: Optimizer::new(config.optimizer, config.lr, n),
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
        self.text_fingerprint = resume::text_fingerprint(&self.train_ids, &self.val_ids);
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

    /// One optimizer step on the next window. On a non-finite or exploding loss (or gradient, or update) the
    /// parameters are rolled back to the last healthy ones, the optimizer state and recurrent state are reset,
    /// and the error says what happened; the trainer stays usable (e.g. with a lower learning rate).
    pub fn step(&mut self) -> Result<StepReport> {
        self.shared_step = None;
        let (b, t) = (self.config.batch, self.config.seq_len);
        let mut wrapped = false;
        if self.pos + t >= self.stream_len {
            self.pos = 0;
            self.state.reset();
            wrapped = true;
        }
        if !self.groups.is_empty() {
            return self.step_in_groups(wrapped);
        }
        for s in 0..b {
            let stream = &self.train_ids[s * self.stream_len..(s + 1) * self.stream_len];
            for k in 0..t {
                self.tape.inputs[k * b + s] = stream[self.pos + k];
                self.tape.targets[k * b + s] = stream[self.pos + k + 1];
            }
        }
        let fwd = self.tape.forward(&self.model, &mut self.state, t);
        let loss = fwd.loss;
        self.check_health(loss)?;
        self.tape.backward(&self.model, fwd, &mut self.grads);
        self.finish_step(loss, wrapped)
    }

    /// A step whose streams are split into groups, each forward and backward on its own thread.
    fn step_in_groups(&mut self, wrapped: bool) -> Result<StepReport> {
        self.fill_groups();
        parallel::run_all(&mut self.groups, &self.model, self.config.seq_len);
        self.reduce_groups(wrapped)
    }

    /// Writes each group's windows into its tape and its streams of the recurrent state into its own.
    fn fill_groups(&mut self) {
        let (b, t, h) = (
            self.config.batch,
            self.config.seq_len,
            self.model.config.hidden,
        );
        for g in &mut self.groups {
            let gb = g.streams.len();
            for (local, s) in g.streams.clone().enumerate() {
                let stream = &self.train_ids[s * self.stream_len..(s + 1) * self.stream_len];
                for k in 0..t {
                    g.tape.inputs[k * gb + local] = stream[self.pos + k];
                    g.tape.targets[k * gb + local] = stream[self.pos + k + 1];
                }
            }
            g.exchange(&mut self.state, b, h, true);
        }
    }

    /// Sums the groups' losses and gradients in group order, takes their states back, and finishes the step.
    fn reduce_groups(&mut self, wrapped: bool) -> Result<StepReport> {
        let (b, h) = (self.config.batch, self.model.config.hidden);
        // Every prediction counts once: group k's mean loss and gradient weigh by its share of the streams.
        let mut loss = 0.0f64;
        self.grads.fill(0.0);
        for g in &mut self.groups {
            let w = g.streams.len() as f32 / b as f32;
            loss += f64::from(g.loss) * f64::from(w);
            for (d, &x) in self.grads.iter_mut().zip(&g.grads) {
                *d += w * x;
            }
            g.exchange(&mut self.state, b, h, false);
        }
        let loss = loss as f32;
        self.check_health(loss)?;
        self.finish_step(loss, wrapped)
    }

    /// Starts a step whose groups (see [`Trainer::set_threads`]) are computed by other workers, for a host without
    /// threads (the page, with one Web Worker per group): answers the work of every group, in order. Either all of
    /// it is computed elsewhere, or the first group here ([`Trainer::run_first_part`]) and the others elsewhere;
    /// the answers, in group order, go to [`Trainer::finish_shared_step`], which sums them exactly as
    /// [`Trainer::step`] sums its threads' work: the run is the one `step` makes on as many threads, bit for bit.
    /// Any change to the model, its text or its groups in between drops the step in flight. Refuses when the step
    /// is not split.
    pub fn begin_shared_step(&mut self) -> Result<Vec<parallel::PartWork>> {
        if self.groups.is_empty() {
            return Err(Error::Config(
                "this step is not split: set two or more threads (workers) for a batch of two or more streams"
                    .into(),
            ));
        }
        let t = self.config.seq_len;
        let mut wrapped = false;
        if self.pos + t >= self.stream_len {
            self.pos = 0;
            self.state.reset();
            wrapped = true;
        }
        self.fill_groups();
        self.shared_step = Some(SharedStep {
            wrapped,
            first_done: false,
        });
        Ok(self.groups.iter().map(|g| g.work(t)).collect())
    }

    /// Whether a step begun by [`Trainer::begin_shared_step`] is waiting for its answers (a change since it
    /// began drops it).
    pub fn shared_step_in_flight(&self) -> bool {
        self.shared_step.is_some()
    }

    /// Forward and backward of the first group of the step begun by [`Trainer::begin_shared_step`], here.
    pub fn run_first_part(&mut self) -> Result<()> {
        let Some(step) = self.shared_step.as_mut() else {
            return Err(Error::Config("no shared step is in flight".into()));
        };
        step.first_done = true;
        self.groups[0].run(&self.model, self.config.seq_len);
        Ok(())
    }

    /// Completes the shared step in flight with the answers computed elsewhere (in group order, as
    /// [`parallel::PartRunner::run`] gives them): one per group, or one per group but the first when
    /// [`Trainer::run_first_part`] computed that one. Updates the parameters. Refuses answers that do not fit, and
    /// refuses when no step is in flight because something changed since it began.
    pub fn finish_shared_step(&mut self, parts: &[parallel::PartDone]) -> Result<StepReport> {
        let Some(step) = self.shared_step else {
            return Err(Error::Config(
                "no shared step is in flight (the model, its text or its workers changed since it began)".into(),
            ));
        };
        let here = usize::from(step.first_done);
        if parts.len() + here != self.groups.len() {
            return Err(Error::Config(format!(
                "{} answers for a step split in {} parts, {here} of them computed here",
                parts.len(),
                self.groups.len()
            )));
        }
        for (g, done) in self.groups[here..].iter_mut().zip(parts) {
            g.accept(done)?;
        }
        self.shared_step = None;
        self.reduce_groups(step.wrapped)
    }

    /// Refuses (rolling back) a loss that is not finite or has exploded.
    fn check_health(&mut self, loss: f32) -> Result<()> {
        let smooth_loss = 0.99 * self.smooth_loss + 0.01 * loss;
        // One noisy window may spike (Adagrad's first steps do); a catastrophic spike or a smoothed loss that
        // stays far above a uniform guess is an explosion.
        if !loss.is_finite() {
            return Err(self.roll_back(format!("the loss became {loss}")));
        }
        if loss > 10.0 * self.healthy_below || smooth_loss > self.healthy_below {
            return Err(self.roll_back(format!(
                "the loss exploded (this window {loss:.3}, smoothed {smooth_loss:.3} nats/char; a uniform guess is {:.3})",
                self.healthy_below / 3.0
            )));
        }
        Ok(())
    }

    /// Clips `grads`, updates the parameters and reports the step (the loss was found healthy).
    fn finish_step(&mut self, loss: f32, wrapped: bool) -> Result<StepReport> {
        let (b, t) = (self.config.batch, self.config.seq_len);
        let smooth_loss = 0.99 * self.smooth_loss + 0.01 * loss;
        let (norm, clipped) = clip_grad_norm(&mut self.grads, self.config.clip);
        if !norm.is_finite() {
            return Err(self.roll_back(format!("the gradient norm became {norm}")));
        }
        if loss <= self.healthy_below {
            self.last_good.copy_from_slice(&self.model.params);
        }
        self.optimizer.update(&mut self.model.params, &self.grads);
        if !self.model.params.iter().all(|p| p.is_finite()) {
            return Err(self.roll_back("an update made a parameter infinite or NaN".into()));
        }
        self.pos += t;
        self.step += 1;
        self.smooth_loss = smooth_loss;
        Ok(StepReport {
            step: self.step,
            loss,
            smooth_loss,
            grad_norm: norm as f32,
            clipped,
            chars: b * t,
            wrapped,
        })
    }

    fn roll_back(&mut self, what: String) -> Error {
        self.model.params.copy_from_slice(&self.last_good);
        self.optimizer.reset();
        self.state.reset();
        self.smooth_loss = self.smooth_loss.min(self.healthy_below / 3.0);
        Error::Diverged(format!(
            "{what} at step {}; the parameters were rolled back to the last healthy step — try a lower learning rate (now {}) or stronger clipping",
            self.step + 1,
            self.config.lr
        ))
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

    /// Replaces the model (for example with one loaded from a file), keeping the text and settings; the
    /// optimizer and recurrent state start fresh. Refuses a model whose vocabulary cannot encode the text.
    pub fn replace_model(&mut self, model: Model, text: &str) -> Result<()> {
        let mut next = Trainer::new(model, text, self.config)?;
        next.set_threads(self.threads)?;
        next.step = 0;
        *self = next;
        Ok(())
    }
}
