//! One optimizer step on the next window: on one tape, or split into groups of streams on threads ([`super::parallel`]);
//! its health checks, and the rollback when the loss or an update is not healthy.

use super::{parallel, StepReport, Trainer};
use crate::error::{Error, Result};
use crate::optim::clip_grad_norm;
use crate::tape::MaskDraw;

impl Trainer {
    /// One optimizer step on the next window. On a non-finite or exploding loss (or gradient, or update) the
    /// parameters are rolled back to the last healthy ones, the optimizer state and recurrent state are reset,
    /// and the error says what happened; the trainer stays usable (e.g. with a lower learning rate).
    pub fn step(&mut self) -> Result<StepReport> {
        self.shared_step = None;
        let (b, t) = (self.config.batch, self.config.seq_len);
        let wrapped = self.wrap_if_done();
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
        let draw = self.mask_draw(0);
        self.tape.set_dropout(draw, t)?;
        let fwd = self.tape.forward(&self.model, &mut self.state, t);
        let loss = fwd.loss;
        self.check_health(loss)?;
        self.tape.backward(&self.model, fwd, &mut self.grads);
        self.finish_step(loss, wrapped)
    }

    /// The dropout masks of this step for the streams from `first_stream` on.
    pub(super) fn mask_draw(&self, first_stream: usize) -> MaskDraw {
        MaskDraw {
            p: self.config.dropout,
            seed: self.config.seed,
            step: self.step,
            first_stream,
        }
    }

    /// Starts every stream again from its beginning with a zero state when one has no full window left; says
    /// whether it did.
    pub(super) fn wrap_if_done(&mut self) -> bool {
        if self.pos + self.config.seq_len < self.stream_len {
            return false;
        }
        self.pos = 0;
        self.state.reset();
        true
    }

    /// A step whose streams are split into groups, each forward and backward on its own thread.
    fn step_in_groups(&mut self, wrapped: bool) -> Result<StepReport> {
        self.fill_groups()?;
        parallel::run_all(&mut self.groups, &self.model, self.config.seq_len);
        self.reduce_groups(wrapped)
    }

    /// Writes each group's windows into its tape (with its dropout masks) and its streams of the recurrent state
    /// into its own.
    pub(super) fn fill_groups(&mut self) -> Result<()> {
        let draw = self.mask_draw(0);
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
            g.draw = MaskDraw {
                first_stream: g.streams.start,
                ..draw
            };
            g.tape.set_dropout(g.draw, t)?;
        }
        Ok(())
    }

    /// Sums the groups' losses and gradients in group order, takes their states back, and finishes the step.
    pub(super) fn reduce_groups(&mut self, wrapped: bool) -> Result<StepReport> {
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

    /// Refuses (rolling back) a loss that is not finite or has exploded.
    fn check_health(&mut self, loss: f32) -> Result<()> {
        let smooth_loss = 0.99 * self.smooth_loss + 0.01 * loss;
        // One noisy window may spike (Adagrad's first steps do); a catastrophic spike or a smoothed loss that
        // stays far above a uniform guess is an explosion.
        if !loss.is_finite() {
            return Err(self.roll_back(format!("the loss became {loss}")));
        }
        if loss > 10.0 * self.healthy_below || smooth_loss > self.healthy_below {
            // Rounded by hand: `{:.3}` would bring a second float formatter (8 KB) into the wasm.
            let milli = |x: f32| (f64::from(x) * 1000.0).round() / 1000.0;
            return Err(self.roll_back(format!(
                "the loss exploded (this window {}, smoothed {} nats/char; a uniform guess is {})",
                milli(loss),
                milli(smooth_loss),
                milli(self.healthy_below / 3.0)
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
        self.optimizer.lr = self.config.schedule.lr(self.config.lr, self.step);
        self.optimizer
            .update(&mut self.model.params, &mut self.grads);
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
}
