//! The training loop of `rnnscope train`: steps until a limit, Ctrl-C or a divergence, validating, logging,
//! checkpointing and showing progress as it goes.

use super::args::TrainArgs;
use super::files::save;
use super::progress::{human_rate, Limits, Log, LogLine, Progress};
use crate::cli::shared::{Failure, EXIT_INTERRUPTED};
use rnnscope::{Settings, StepReport, Trainer};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// How a run ended.
pub(super) enum End {
    Done,
    Interrupted,
    Diverged(rnnscope::Error),
}

/// What a run did.
pub(super) struct Ran {
    pub(super) end: End,
    /// Characters trained on.
    pub(super) chars: u64,
    /// Seconds of training.
    pub(super) elapsed: f64,
    /// Steps taken.
    pub(super) steps: u64,
    /// The last step's report, if a step ran.
    pub(super) last: Option<StepReport>,
}

/// A flag the first Ctrl-C raises, asking the loop to save and stop; a second Ctrl-C exits at once.
fn stop_on_ctrl_c() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let raised = Arc::clone(&stop);
    let installed = ctrlc::set_handler(move || {
        if raised.swap(true, Ordering::SeqCst) {
            std::process::exit(EXIT_INTERRUPTED);
        }
    });
    if let Err(e) = installed {
        eprintln!("warning: Ctrl-C will not save the model ({e})");
    }
    stop
}

/// Trains until `limits` (counted from the step the trainer is at), Ctrl-C or a divergence, saving a checkpoint to
/// `out` every `--checkpoint-every` steps; finishes `progress` at the end.
pub(super) fn train(
    trainer: &mut Trainer,
    args: &TrainArgs,
    settings: &Settings,
    out: &Path,
    limits: &Limits,
    log: &mut Option<Log>,
    progress: &mut Progress,
) -> Result<Ran, Failure> {
    let stop = stop_on_ctrl_c();
    let start_step = trainer.steps_done();
    let start = Instant::now();
    let mut chars = 0u64;
    let mut last: Option<StepReport> = None;
    let mut last_val: Option<f32> = None;
    let end = loop {
        if limits.reached(
            trainer.steps_done() - start_step,
            start.elapsed().as_secs_f64(),
        ) {
            break End::Done;
        }
        if stop.load(Ordering::SeqCst) {
            break End::Interrupted;
        }
        let report = match trainer.step() {
            Ok(r) => r,
            Err(e) => break End::Diverged(e),
        };
        chars += report.chars as u64;
        let elapsed = start.elapsed().as_secs_f64();
        let rate = chars as f64 / elapsed.max(1e-9);
        let val_loss = if args.val_every > 0 && report.step % args.val_every == 0 {
            trainer.validation_loss(args.val_chars)
        } else {
            None
        };
        if val_loss.is_some() {
            last_val = val_loss;
        }
        if let Some(log) = log {
            log.write(&LogLine {
                step: report.step,
                loss: report.loss,
                smooth_loss: report.smooth_loss,
                grad_norm: report.grad_norm,
                clipped: report.clipped,
                chars_per_sec: rate,
                wrapped: report.wrapped,
                val_loss,
            })?;
        }
        if args.checkpoint_every > 0 && report.step % args.checkpoint_every == 0 {
            save(trainer, settings, out, args.dtype)?;
        }
        let run_steps = report.step - start_step;
        let fraction = limits.fraction(run_steps, elapsed);
        let eta = (fraction > 0.0).then(|| elapsed * (1.0 - fraction) / fraction);
        let total = limits
            .steps
            .map_or(String::new(), |n| format!("/{}", start_step + n));
        let val = last_val.map_or(String::new(), |v| format!("  val {v:.4}"));
        let line = format!(
            "step {}{total}  loss {:.4}  smooth {:.4}{val}  {}",
            report.step,
            report.loss,
            report.smooth_loss,
            human_rate(rate)
        );
        progress.update(&line, fraction, eta, run_steps == 1 || val_loss.is_some());
        last = Some(report);
    };
    progress.finish();
    Ok(Ran {
        end,
        chars,
        elapsed: start.elapsed().as_secs_f64(),
        steps: trainer.steps_done() - start_step,
        last,
    })
}
