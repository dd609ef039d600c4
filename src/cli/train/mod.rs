//! `rnnscope train`: truncated BPTT on a corpus with a progress display, validation, JSON-lines log,
//! checkpoints, resuming, and a save on Ctrl-C or divergence. Wall-clock time is measured here, never in the core.
//!
//! [`args`] holds the arguments and the settings they make, [`files`] the model and training-state files,
//! [`progress`] what is shown while training, [`steps`] the training loop; [`run`] puts them together.

mod args;
mod files;
mod progress;
mod steps;

pub use args::TrainArgs;

use crate::cli::shared::{load_corpus, Failure, Outcome, EXIT_FAILURE, EXIT_INTERRUPTED};
use clap::ArgMatches;
use files::{check_writable_target, load_resumed, resume_training_state, save};
use progress::{describe_run, human_duration, human_rate, Limits, Log, Progress};
use rnnscope::{sampler, Trainer, Vocab};
use std::path::PathBuf;
use steps::End;

pub fn run(args: TrainArgs, matches: &ArgMatches) -> Outcome {
    // Settings: command line, or (for what was not typed) those saved in a resumed model.
    let mut settings = args.settings();
    let resumed = match &args.resume {
        None => None,
        Some(path) => Some(load_resumed(path, &mut settings, matches)?),
    };
    let config = settings.train_config()?;
    let limits = Limits::new(args.steps, args.time)?;
    let out = args
        .out
        .clone()
        .or_else(|| args.resume.clone())
        .unwrap_or_else(|| PathBuf::from("model.safetensors"));
    check_writable_target(&out, "--out")?;

    let corpus_name = settings
        .corpus
        .clone()
        .unwrap_or_else(|| args.corpus.clone());
    let text = load_corpus(&corpus_name)?;
    let (model, start_step) = match resumed {
        Some((model, step)) => (model, step),
        None => (settings.new_model(Vocab::from_text(&text)?)?, 0),
    };
    let mut trainer = Trainer::new(model, &text, config).map_err(|e| match (&args.resume, e) {
        (Some(path), rnnscope::Error::Text(m)) => Failure::usage(format!(
            "the corpus {corpus_name:?} cannot continue training {}: {m}",
            path.display()
        )),
        (_, e) => e.into(),
    })?;
    trainer.set_steps_done(start_step);
    trainer.set_threads(
        args.threads
            .unwrap_or_else(|| rnnscope::trainer::parallel::default_threads(config.batch)),
    )?;
    let mut log = args.log_jsonl.as_deref().map(Log::create).transpose()?;

    describe_run(
        &trainer,
        &settings,
        &corpus_name,
        &text,
        start_step,
        &limits,
    );
    if let Some(path) = &args.resume {
        resume_training_state(&mut trainer, path);
    }
    let mut progress = Progress::new();
    let ran = steps::train(
        &mut trainer,
        &args,
        &settings,
        &out,
        &limits,
        &mut log,
        &mut progress,
    )?;
    if let Some(log) = &mut log {
        log.flush()?;
    }

    save(&trainer, &settings, &out, args.dtype)?;
    match ran.end {
        End::Diverged(e) => {
            return Err(Failure {
                code: EXIT_FAILURE,
                message: format!(
                    "{e}\nthe model as of step {} was saved to {}",
                    trainer.steps_done(),
                    out.display()
                ),
            })
        }
        End::Interrupted => {
            eprintln!(
                "interrupted after {} steps; the model (step {}) was saved to {}",
                ran.steps,
                trainer.steps_done(),
                out.display()
            );
            return Ok(EXIT_INTERRUPTED);
        }
        End::Done => {}
    }

    let val = trainer.validation_loss(args.val_chars);
    let mut summary = format!(
        "trained {} steps in {} ({})",
        ran.steps,
        human_duration(ran.elapsed),
        human_rate(ran.chars as f64 / ran.elapsed.max(1e-9))
    );
    if let Some(r) = ran.last {
        summary += &format!("; loss {:.4}, smooth loss {:.4}", r.loss, r.smooth_loss);
    }
    if let Some(v) = val {
        summary += &format!(", validation loss {v:.4}");
    }
    progress.println(&summary);
    eprintln!("saved {} (step {})", out.display(), trainer.steps_done());
    if args.sample_length > 0 {
        // Primed with the corpus's first character, so the sample starts where the text does.
        let prime: String = text.chars().take(1).collect();
        let sample = sampler::sample(
            trainer.model(),
            &prime,
            args.sample_length,
            sampler::DEFAULT_TEMPERATURE,
            0,
            settings.seed,
        )?;
        eprintln!(
            "sample (temperature {}):\n{prime}{sample}",
            sampler::DEFAULT_TEMPERATURE
        );
    }
    Ok(0)
}
