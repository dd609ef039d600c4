//! A step shared with other workers, for a host without threads (the page: one Web Worker per group of streams): the
//! same groups and sums as the threaded step, bit for bit.

use super::{parallel, SharedStep, StepReport, Trainer};
use crate::error::{Error, Result};

impl Trainer {
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
        let wrapped = self.wrap_if_done();
        self.fill_groups()?;
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
}
