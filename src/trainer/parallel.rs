//! Data-parallel training steps on native threads: the `B` streams of a batch are cut into contiguous groups,
//! each group runs forward and backward on its own tape, on its own thread, and the gradients are summed in group
//! order, each weighted by its share of the predictions. The same thread count gives the same numbers every time;
//! different counts agree to float rounding (the products are the same, summed in another order).
//!
//! Where there are no threads (the page: one wasm instance per Web Worker), the same groups are computed by other
//! workers: [`crate::Trainer::begin_shared_step`] hands out a [`PartWork`] per group but the first, a
//! [`PartRunner`] holding the model's shape computes it anywhere, and its [`PartDone`] goes back to
//! [`crate::Trainer::finish_shared_step`]. The numbers are those of as many threads, bit for bit.
//!
//! A trainer runs on one thread unless told otherwise ([`crate::Trainer::set_threads`]); the command line asks for
//! [`default_threads`], every core for batches of at least `2 ×` [`MIN_STREAMS`] streams, where a thread's start is
//! small beside its share of the work.

use crate::error::{Error, Result};
use crate::model::{Model, State};
use crate::tape::{MaskDraw, Tape};
use std::ops::Range;

/// Fewest streams per thread [`default_threads`] plans for: below this, a thread's start costs more than it saves.
pub const MIN_STREAMS: usize = 4;

/// Most threads a trainer uses.
pub const MAX_THREADS: usize = 64;

/// The threads the command line uses for a batch of `batch` streams unless told: every core this process may use
/// (at most one per [`MIN_STREAMS`] streams), and 1 for smaller batches and in wasm.
pub fn default_threads(batch: usize) -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = batch;
        1
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS));
        if batch >= 2 * MIN_STREAMS {
            cores.min(batch / MIN_STREAMS)
        } else {
            1
        }
    }
}

/// The streams of each group when `batch` streams are split for `threads` threads: as even as possible, the first
/// groups one stream longer, never more groups than streams.
pub fn groups(batch: usize, threads: usize) -> Vec<Range<usize>> {
    let n = threads.clamp(1, batch.max(1));
    let (base, extra) = (batch / n, batch % n);
    let mut start = 0;
    (0..n)
        .map(|k| {
            let len = base + usize::from(k < extra);
            let r = start..start + len;
            start += len;
            r
        })
        .collect()
}

/// One group: its streams, its tape, its state and its gradient.
pub(crate) struct Group {
    pub streams: Range<usize>,
    pub tape: Tape,
    pub state: State,
    pub grads: Vec<f32>,
    pub loss: f32,
    /// The dropout masks of the step in the tape.
    pub draw: MaskDraw,
}

impl Group {
    pub fn new(model: &Model, seq_len: usize, streams: Range<usize>) -> Result<Group> {
        let b = streams.len();
        Ok(Group {
            tape: Tape::new(&model.config, seq_len, b)?,
            state: State::zeros(&model.config, b),
            grads: vec![0.0; model.params.len()],
            loss: f32::NAN,
            draw: MaskDraw {
                p: 0.0,
                seed: 0,
                step: 0,
                first_stream: streams.start,
            },
            streams,
        })
    }

    /// Copies this group's streams of `full` (`(L, B, H)`) into its own state (`(L, b, H)`), or back.
    pub fn exchange(&mut self, full: &mut State, batch: usize, hidden: usize, into_group: bool) {
        let b = self.streams.len();
        let rows = self.streams.start * hidden..self.streams.end * hidden;
        let layers = self.state.h.len() / (b * hidden);
        for (mine, all) in [
            (&mut self.state.h, &mut full.h),
            (&mut self.state.c, &mut full.c),
        ] {
            if mine.is_empty() {
                continue;
            }
            for l in 0..layers {
                let g = &mut mine[l * b * hidden..(l + 1) * b * hidden];
                let f = &mut all[l * batch * hidden + rows.start..l * batch * hidden + rows.end];
                if into_group {
                    g.copy_from_slice(f);
                } else {
                    f.copy_from_slice(g);
                }
            }
        }
    }

    /// What another worker needs to compute this group over `steps` steps (tape and state filled in).
    pub fn work(&self, steps: usize) -> PartWork {
        let n = steps * self.streams.len();
        PartWork {
            streams: self.streams.len(),
            steps,
            inputs: self.tape.inputs[..n].to_vec(),
            targets: self.tape.targets[..n].to_vec(),
            h: self.state.h.clone(),
            c: self.state.c.clone(),
            dropout: self.draw,
        }
    }

    /// Takes another worker's answer for this group as if [`Group::run`] had computed it here.
    pub fn accept(&mut self, done: &PartDone) -> Result<()> {
        if done.grads.len() != self.grads.len()
            || done.h.len() != self.state.h.len()
            || done.c.len() != self.state.c.len()
        {
            return Err(Error::Config(format!(
                "a worker's answer does not fit this model ({} gradients, {} + {} state values; {} + {} + {} expected)",
                done.grads.len(),
                done.h.len(),
                done.c.len(),
                self.grads.len(),
                self.state.h.len(),
                self.state.c.len()
            )));
        }
        self.loss = done.loss;
        self.grads.copy_from_slice(&done.grads);
        self.state.h.copy_from_slice(&done.h);
        self.state.c.copy_from_slice(&done.c);
        Ok(())
    }

    /// Forward and backward over the first `steps` steps of the tape (inputs and targets filled in).
    pub fn run(&mut self, model: &Model, steps: usize) {
        let fwd = self.tape.forward(model, &mut self.state, steps);
        self.loss = fwd.loss;
        self.tape.backward(model, fwd, &mut self.grads);
    }
}

/// One group's share of a step, for another worker: `steps × streams` inputs and targets (time-major), the
/// `(L, streams, H)` recurrent state entering the window (`c` empty for cells without one) and where its dropout
/// masks come from.
#[derive(Debug, Clone, PartialEq)]
pub struct PartWork {
    pub streams: usize,
    pub steps: usize,
    pub inputs: Vec<u32>,
    pub targets: Vec<u32>,
    pub h: Vec<f32>,
    pub c: Vec<f32>,
    pub dropout: MaskDraw,
}

/// A worker's answer to a [`PartWork`]: the group's mean loss, its gradient (the parameters' layout) and the state
/// leaving the window.
#[derive(Debug, Clone, PartialEq)]
pub struct PartDone {
    pub loss: f32,
    pub grads: Vec<f32>,
    pub h: Vec<f32>,
    pub c: Vec<f32>,
}

/// Computes parts of shared steps for a model of one shape, on the weights each part is sent with.
pub struct PartRunner {
    model: Model,
    group: Option<Group>,
}

impl PartRunner {
    /// A runner for models shaped as `model` (its weights are replaced by each part's).
    pub fn new(model: Model) -> PartRunner {
        PartRunner { model, group: None }
    }

    /// Forward and backward of `work` with the weights `params`, as [`Group::run`] does in the trainer. Refuses
    /// weights or work that do not fit the model, or an index outside the vocabulary.
    pub fn run(&mut self, params: &[f32], work: &PartWork) -> Result<PartDone> {
        let config = &self.model.config;
        let state_len = config.layers * work.streams * config.hidden;
        let c_len = if config.cell.has_cell_state() {
            state_len
        } else {
            0
        };
        let n = work.steps * work.streams;
        if params.len() != self.model.params.len()
            || work.streams == 0
            || work.steps == 0
            || work.inputs.len() != n
            || work.targets.len() != n
            || work.h.len() != state_len
            || work.c.len() != c_len
        {
            return Err(Error::Config(format!(
                "a part of a step does not fit this model: {} weights for {}, {} × {} windows of {} inputs and {} targets, {} + {} state values for {state_len} + {c_len}",
                params.len(),
                self.model.params.len(),
                work.streams,
                work.steps,
                work.inputs.len(),
                work.targets.len(),
                work.h.len(),
                work.c.len()
            )));
        }
        let v = config.vocab_size as u32;
        if let Some(&bad) = work
            .inputs
            .iter()
            .chain(&work.targets)
            .find(|&&i| i >= v && i != crate::tape::NONE)
        {
            return Err(Error::Config(format!(
                "character index {bad} is outside the vocabulary of {v}"
            )));
        }
        self.model.params.copy_from_slice(params);
        let fits = self
            .group
            .as_ref()
            .is_some_and(|g| g.streams.len() == work.streams && g.tape.inputs.len() >= n);
        if !fits {
            self.group = Some(Group::new(&self.model, work.steps, 0..work.streams)?);
        }
        let g = self.group.as_mut().expect("made above");
        g.tape.inputs[..n].copy_from_slice(&work.inputs);
        g.tape.targets[..n].copy_from_slice(&work.targets);
        g.state.h.copy_from_slice(&work.h);
        g.state.c.copy_from_slice(&work.c);
        g.tape.set_dropout(work.dropout, work.steps)?;
        g.run(&self.model, work.steps);
        Ok(PartDone {
            loss: g.loss,
            grads: g.grads.clone(),
            h: g.state.h.clone(),
            c: g.state.c.clone(),
        })
    }
}

/// Runs every group, the first on this thread and the others on threads of their own, and waits for all.
pub(crate) fn run_all(groups: &mut [Group], model: &Model, steps: usize) {
    let Some((first, rest)) = groups.split_first_mut() else {
        return;
    };
    #[cfg(target_arch = "wasm32")]
    {
        first.run(model, steps);
        for g in rest {
            g.run(model, steps);
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::scope(|scope| {
        for g in rest.iter_mut() {
            scope.spawn(move || g.run(model, steps));
        }
        first.run(model, steps);
    });
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // one group of every stream is the expected answer
mod tests {
    use super::groups;

    #[test]
    fn groups_are_contiguous_even_and_never_too_small() {
        assert_eq!(groups(32, 2), [0..16, 16..32]);
        assert_eq!(groups(10, 3), [0..4, 4..7, 7..10]);
        assert_eq!(groups(7, 2), [0..4, 4..7]);
        assert_eq!(groups(1, 8), vec![0..1]);
        assert_eq!(groups(32, 0), vec![0..32]);
        assert_eq!(groups(3, 16), [0..1, 1..2, 2..3]);
    }
}
