//! `rnnscope train`: truncated BPTT on a corpus with a progress display, validation, JSON-lines log,
//! checkpoints, resuming, and a save on Ctrl-C or divergence. Wall-clock time is measured here, never in the core.

use super::shared::{load_corpus, load_model, Failure, Outcome, EXIT_FAILURE, EXIT_INTERRUPTED};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use rnnscope::{corpus, model_file, sampler, Resumed, Settings, StepReport, Trainer, Vocab};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Steps run when neither `--steps` nor `--time` is given.
const DEFAULT_STEPS: u64 = 1000;
/// Temperature of the sample printed after training.
const SAMPLE_TEMPERATURE: f32 = 0.8;
/// Shortest interval between two plain progress lines (when stderr is not a terminal).
const PLAIN_EVERY: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Cell {
    /// Vanilla (Elman) RNN, like torch.nn.RNN
    Rnn,
    /// Long short-term memory, like torch.nn.LSTM (gates i, f, g, o)
    Lstm,
    /// Gated recurrent unit, like torch.nn.GRU (gates r, z, n)
    Gru,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Nonlinearity {
    Tanh,
    Relu,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Optim {
    /// Adam (β₁ 0.9, β₂ 0.999, ε 1e-8)
    Adam,
    /// RMSprop (α 0.99, ε 1e-8)
    Rmsprop,
    /// Adagrad (ε 1e-10)
    Adagrad,
    /// SGD with momentum 0.9
    Sgd,
}

impl Optim {
    fn name(self) -> &'static str {
        match self {
            Optim::Adam => "adam",
            Optim::Rmsprop => "rmsprop",
            Optim::Adagrad => "adagrad",
            Optim::Sgd => "sgd",
        }
    }
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    rnnscope train                                   # LSTM on the 'hello' toy, about a second\n  \
    rnnscope train --corpus brackets --hidden 64 --seq-len 64 --batch 8 --time 120\n  \
    rnnscope train --corpus input.txt --hidden 128 --layers 2 --log-jsonl log.jsonl --checkpoint-every 500\n  \
    rnnscope train --resume model.safetensors --steps 1000   # same corpus and settings, more steps\n\n\
    Ctrl-C saves the model before exiting (exit code 130). If the loss becomes NaN or explodes, the \
    parameters are rolled back to the last healthy step, saved, and the command exits with code 1.")]
pub struct TrainArgs {
    /// Training text: an embedded corpus (hello, brackets, about) or a UTF-8 text file.
    /// Embedded names win; write ./hello for a file called "hello"
    #[arg(long, value_name = "NAME_OR_PATH", default_value = corpus::DEFAULT)]
    corpus: String,

    /// Recurrent cell
    #[arg(long, value_enum, default_value_t = Cell::Lstm, conflicts_with = "resume")]
    cell: Cell,

    /// Nonlinearity of the vanilla RNN cell (rnn only) [default: tanh]
    #[arg(long, value_enum, conflicts_with = "resume")]
    nonlinearity: Option<Nonlinearity>,

    /// Hidden units per layer
    #[arg(
        long,
        value_name = "H",
        default_value_t = 32,
        conflicts_with = "resume"
    )]
    hidden: usize,

    /// Stacked recurrent layers
    #[arg(long, value_name = "L", default_value_t = 1, conflicts_with = "resume")]
    layers: usize,

    /// Characters per training window (truncated backpropagation length)
    #[arg(long, value_name = "T", default_value_t = 16)]
    seq_len: usize,

    /// Parallel streams per step (the text is cut into this many contiguous pieces)
    #[arg(long, value_name = "B", default_value_t = 4)]
    batch: usize,

    /// Update rule
    #[arg(long, value_enum, default_value_t = Optim::Adam)]
    optimizer: Optim,

    /// Learning rate
    #[arg(long, default_value_t = 2e-3, allow_negative_numbers = true)]
    lr: f32,

    /// Largest global gradient norm; larger gradients are scaled down (0 = no clipping)
    #[arg(long, default_value_t = 5.0, allow_negative_numbers = true)]
    clip: f32,

    /// Steps to run in this invocation [default: 1000 when --time is not given either]
    #[arg(long, value_name = "N")]
    steps: Option<u64>,

    /// Stop after this many seconds of training (combined with --steps, whichever comes first)
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    time: Option<f64>,

    /// Seed of the parameter initialisation and of the sample printed at the end
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// Threads for the batched steps, each taking a share of the batch's streams (the same count, the same run;
    /// counts agree to float rounding). Default: every core, for batches of 8 streams or more (one thread per 4
    /// streams at most); 1 otherwise
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Fraction of the text, at its end, held out for validation (0 to 0.5)
    #[arg(
        long,
        value_name = "F",
        default_value_t = 0.1,
        allow_negative_numbers = true
    )]
    val_fraction: f32,

    /// Compute the validation loss every N steps (0 = only at the end)
    #[arg(long, value_name = "N", default_value_t = 100)]
    val_every: u64,

    /// Validate on at most this many characters (the start of the held-out part)
    #[arg(long, value_name = "N", default_value_t = 4000)]
    val_chars: usize,

    /// Where to save the model [default: the --resume file if given, else model.safetensors]
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,

    /// Also save the model every N steps (0 = only at the end)
    #[arg(long, value_name = "N", default_value_t = 0)]
    checkpoint_every: u64,

    /// Continue training a saved model: its shape and vocabulary come from the file (so --cell,
    /// --nonlinearity, --hidden and --layers cannot be given), its step count continues, and the corpus and
    /// training settings saved in it are reused unless given here. The optimizer state, data position and
    /// recurrent state come from NAME.training.safetensors beside it (written with every save), so the run
    /// goes on exactly where it stopped
    #[arg(long, value_name = "PATH")]
    resume: Option<PathBuf>,

    /// Write one JSON object per step to this file: step, loss, smooth_loss, grad_norm, clipped,
    /// chars_per_sec, wrapped, and val_loss on validation steps
    #[arg(long, value_name = "PATH")]
    log_jsonl: Option<PathBuf>,

    /// Characters of sample text printed after training (0 = none)
    #[arg(long, value_name = "N", default_value_t = 200)]
    sample_length: usize,
}

/// One line of `--log-jsonl`.
#[derive(Serialize)]
struct LogLine {
    step: u64,
    loss: f32,
    smooth_loss: f32,
    grad_norm: f32,
    clipped: bool,
    chars_per_sec: f64,
    wrapped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    val_loss: Option<f32>,
}

/// Was this argument typed on the command line (rather than left at its default)?
fn explicit(matches: &ArgMatches, id: &str) -> bool {
    matches.value_source(id) == Some(ValueSource::CommandLine)
}

/// Fills the settings not typed on the command line from those saved in a resumed model.
fn apply_saved(settings: &mut Settings, saved: &serde_json::Value, matches: &ArgMatches) {
    let num = |key: &str| saved.get(key).and_then(serde_json::Value::as_f64);
    let text = |key: &str| saved.get(key).and_then(serde_json::Value::as_str);
    if !explicit(matches, "corpus") {
        if let Some(c) = text("corpus") {
            settings.corpus = Some(c.to_string());
        }
    }
    if !explicit(matches, "seq_len") {
        if let Some(v) = num("seqLen") {
            settings.seq_len = v as usize;
        }
    }
    if !explicit(matches, "batch") {
        if let Some(v) = num("batch") {
            settings.batch = v as usize;
        }
    }
    if !explicit(matches, "optimizer") {
        if let Some(v) = text("optimizer") {
            settings.optimizer = v.to_string();
        }
    }
    if !explicit(matches, "lr") {
        if let Some(v) = num("lr") {
            settings.lr = v as f32;
        }
    }
    if !explicit(matches, "clip") {
        if let Some(v) = num("clip") {
            settings.clip = v as f32;
        }
    }
    if !explicit(matches, "val_fraction") {
        if let Some(v) = num("valFraction") {
            settings.val_fraction = v as f32;
        }
    }
}

fn save(trainer: &Trainer, settings: &Settings, path: &Path) -> Result<(), Failure> {
    let mut extra = BTreeMap::new();
    extra.insert(
        model_file::KEY_STEP.to_string(),
        trainer.steps_done().to_string(),
    );
    extra.insert(
        model_file::KEY_TRAIN_CONFIG.to_string(),
        serde_json::to_string(settings).expect("settings serialise"),
    );
    // The training state first: it names the weights it belongs to, so a model file saved without it (an
    // interrupted save) is recognised as not matching rather than resumed with stale moments.
    let state_path = training_state_path(path);
    model_file::save(&state_path, &trainer.training_state()).map_err(|e| {
        Failure::runtime(format!(
            "cannot save the training state to {}: {e}",
            state_path.display()
        ))
    })?;
    let bytes = model_file::to_bytes(trainer.model(), &extra);
    model_file::save(path, &bytes)
        .map_err(|e| Failure::runtime(format!("cannot save the model to {}: {e}", path.display())))
}

/// Where the training state of the model file `model` lives: beside it, `NAME.safetensors` →
/// `NAME.training.safetensors`.
fn training_state_path(model: &Path) -> PathBuf {
    let stem = model.file_stem().unwrap_or_default().to_string_lossy();
    model.with_file_name(format!("{stem}.training.safetensors"))
}

/// Brings back the optimizer state (and, for the same text and windows, the data position) saved beside a
/// resumed model, saying on stderr what was restored; without a usable state file the optimizer starts fresh.
fn resume_training_state(trainer: &mut Trainer, model_path: &Path) {
    let path = training_state_path(model_path);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "note: no training state beside the model ({} is missing); the optimizer starts fresh",
                path.display()
            );
            return;
        }
        Err(e) => {
            eprintln!(
                "warning: cannot read {}: {e}; the optimizer starts fresh",
                path.display()
            );
            return;
        }
    };
    match trainer.resume(&bytes) {
        Ok(Resumed::Exactly) => eprintln!(
            "resuming exactly: optimizer state, data position and recurrent state from {}",
            path.display()
        ),
        Ok(Resumed::OptimizerOnly(why)) => eprintln!(
            "resuming the optimizer state from {}; the data starts from its beginning because {why}",
            path.display()
        ),
        Err(e) => eprintln!(
            "warning: {}: {e}; the optimizer starts fresh",
            path.display()
        ),
    }
}

/// Refuses an output path that cannot be written, before any training time is spent.
fn check_writable_target(path: &Path, what: &str) -> Result<(), Failure> {
    if path.is_dir() {
        return Err(Failure::usage(format!(
            "{what} {} is a directory",
            path.display()
        )));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent {
        if !dir.is_dir() {
            return Err(Failure::usage(format!(
                "{what} {}: directory {} does not exist",
                path.display(),
                dir.display()
            )));
        }
    }
    Ok(())
}

fn human_rate(chars_per_sec: f64) -> String {
    if chars_per_sec >= 1e6 {
        format!("{:.2}M chars/s", chars_per_sec / 1e6)
    } else if chars_per_sec >= 1e3 {
        format!("{:.1}k chars/s", chars_per_sec / 1e3)
    } else {
        format!("{chars_per_sec:.0} chars/s")
    }
}

fn human_duration(secs: f64) -> String {
    if secs >= 3600.0 {
        format!(
            "{}h{:02}m",
            (secs / 3600.0) as u64,
            ((secs % 3600.0) / 60.0) as u64
        )
    } else if secs >= 60.0 {
        format!("{}m{:02}s", (secs / 60.0) as u64, (secs % 60.0) as u64)
    } else {
        format!("{secs:.1}s")
    }
}

/// The live display: an indicatif bar on a terminal, plain periodic lines otherwise.
enum Progress {
    Bar(ProgressBar),
    Plain { last: Option<Instant> },
}

/// How far along the run is, for the bar and the ETA.
struct Limits {
    steps: Option<u64>,
    time: Option<f64>,
}

impl Limits {
    /// Fraction done in `[0, 1]`, by whichever limit is closer.
    fn fraction(&self, steps_run: u64, elapsed: f64) -> f64 {
        let by_steps = self.steps.map_or(0.0, |n| {
            if n == 0 {
                1.0
            } else {
                steps_run as f64 / n as f64
            }
        });
        let by_time = self.time.map_or(0.0, |t| elapsed / t);
        by_steps.max(by_time).min(1.0)
    }
}

const BAR_LEN: u64 = 1000;

impl Progress {
    fn new() -> Progress {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(BAR_LEN);
            let style = ProgressStyle::with_template(
                "{bar:24.cyan/blue} {percent:>3}% {msg} [{elapsed_precise} < {eta}]",
            )
            .expect("valid template")
            .progress_chars("█▉▊▋▌▍▎▏ ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            Progress::Bar(bar)
        } else {
            Progress::Plain { last: None }
        }
    }

    fn update(&mut self, line: &str, fraction: f64, eta: Option<f64>, force: bool) {
        match self {
            Progress::Bar(bar) => {
                bar.set_position((fraction * BAR_LEN as f64) as u64);
                bar.set_message(line.to_string());
            }
            Progress::Plain { last } => {
                let due = last.is_none_or(|t| t.elapsed() >= PLAIN_EVERY);
                if due || force {
                    let eta = eta.map_or(String::new(), |s| format!("  ETA {}", human_duration(s)));
                    eprintln!("{line}{eta}");
                    *last = Some(Instant::now());
                }
            }
        }
    }

    /// Prints a line without tearing the bar.
    fn println(&self, line: &str) {
        match self {
            Progress::Bar(bar) => bar.suspend(|| eprintln!("{line}")),
            Progress::Plain { .. } => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// How a run ended.
enum End {
    Done,
    Interrupted,
    Diverged(rnnscope::Error),
}

pub fn run(args: TrainArgs, matches: &ArgMatches) -> Outcome {
    // Settings: command line, or (for what was not typed) those saved in a resumed model.
    let mut settings = Settings {
        cell: match args.cell {
            Cell::Rnn => "rnn",
            Cell::Lstm => "lstm",
            Cell::Gru => "gru",
        }
        .into(),
        nonlinearity: args.nonlinearity.map(|n| {
            match n {
                Nonlinearity::Tanh => "tanh",
                Nonlinearity::Relu => "relu",
            }
            .into()
        }),
        hidden: args.hidden,
        layers: args.layers,
        seq_len: args.seq_len,
        batch: args.batch,
        optimizer: args.optimizer.name().into(),
        lr: args.lr,
        clip: args.clip,
        seed: args.seed,
        val_fraction: args.val_fraction,
        corpus: Some(args.corpus.clone()),
    };
    let resumed = match &args.resume {
        None => None,
        Some(path) => {
            let (model, metadata) = load_model(path)?;
            if let Some(saved) = metadata
                .get(model_file::KEY_TRAIN_CONFIG)
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
            {
                apply_saved(&mut settings, &saved, matches);
            }
            settings.cell = model.config.cell.name().into();
            settings.nonlinearity = metadata.get(model_file::KEY_NONLINEARITY).cloned();
            settings.hidden = model.config.hidden;
            settings.layers = model.config.layers;
            let step: u64 = match metadata.get(model_file::KEY_STEP) {
                None => 0,
                Some(s) => s.parse().map_err(|_| {
                    Failure::usage(format!(
                        "{}: metadata \"step\" is {s:?}, not a step count",
                        path.display()
                    ))
                })?,
            };
            Some((model, step))
        }
    };

    let config = settings.train_config()?;
    if let Some(t) = args.time {
        if !(t.is_finite() && t > 0.0) {
            return Err(Failure::usage(format!(
                "--time {t} must be a positive number of seconds"
            )));
        }
    }
    let limits = Limits {
        steps: match (args.steps, args.time) {
            (None, None) => Some(DEFAULT_STEPS),
            (steps, _) => steps,
        },
        time: args.time,
    };
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

    let mut log = match &args.log_jsonl {
        None => None,
        Some(path) => {
            check_writable_target(path, "--log-jsonl")?;
            let file = File::create(path)
                .map_err(|e| Failure::usage(format!("cannot create {}: {e}", path.display())))?;
            Some((BufWriter::new(file), path.clone()))
        }
    };

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
    // The training state's step counts (it belongs to these very weights, whatever the model file says).
    let start_step = trainer.steps_done();

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        let installed = ctrlc::set_handler(move || {
            // The first Ctrl-C asks the loop to save and stop; a second one exits at once.
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(EXIT_INTERRUPTED);
            }
        });
        if let Err(e) = installed {
            eprintln!("warning: Ctrl-C will not save the model ({e})");
        }
    }

    let mut progress = Progress::new();
    let start = Instant::now();
    let mut chars = 0u64;
    let mut last: Option<StepReport> = None;
    let mut last_val: Option<f32> = None;
    let end = loop {
        let run_steps = trainer.steps_done() - start_step;
        if limits.steps.is_some_and(|n| run_steps >= n)
            || limits
                .time
                .is_some_and(|t| start.elapsed().as_secs_f64() >= t)
        {
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
        if let Some((w, path)) = &mut log {
            let line = LogLine {
                step: report.step,
                loss: report.loss,
                smooth_loss: report.smooth_loss,
                grad_norm: report.grad_norm,
                clipped: report.clipped,
                chars_per_sec: rate,
                wrapped: report.wrapped,
                val_loss,
            };
            serde_json::to_writer(&mut *w, &line)
                .map_err(std::io::Error::from)
                .and_then(|()| w.write_all(b"\n"))
                .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", path.display())))?;
        }
        if args.checkpoint_every > 0 && report.step % args.checkpoint_every == 0 {
            save(&trainer, &settings, &out)?;
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
    let elapsed = start.elapsed().as_secs_f64();
    if let Some((w, path)) = &mut log {
        w.flush()
            .map_err(|e| Failure::runtime(format!("cannot write {}: {e}", path.display())))?;
    }

    save(&trainer, &settings, &out)?;
    let steps_run = trainer.steps_done() - start_step;
    match end {
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
                "interrupted after {steps_run} steps; the model (step {}) was saved to {}",
                trainer.steps_done(),
                out.display()
            );
            return Ok(EXIT_INTERRUPTED);
        }
        End::Done => {}
    }

    let val = trainer.validation_loss(args.val_chars);
    let mut summary = format!(
        "trained {steps_run} steps in {} ({})",
        human_duration(elapsed),
        human_rate(chars as f64 / elapsed.max(1e-9))
    );
    if let Some(r) = last {
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
            SAMPLE_TEMPERATURE,
            0,
            settings.seed,
        )?;
        eprintln!("sample (temperature {SAMPLE_TEMPERATURE}):\n{prime}{sample}");
    }
    Ok(0)
}

/// One line saying what is about to be trained on what.
fn describe_run(
    trainer: &Trainer,
    settings: &Settings,
    corpus_name: &str,
    text: &str,
    start_step: u64,
    limits: &Limits,
) {
    let model = trainer.model();
    let c = &model.config;
    let cell = match &settings.nonlinearity {
        Some(n) if c.cell.name() == "rnn" => format!("rnn ({n})"),
        _ => c.cell.name().to_string(),
    };
    let chars = text.chars().count();
    let val = (chars as f64 * f64::from(settings.val_fraction)) as usize;
    let resumed = if start_step > 0 {
        format!(", resuming at step {start_step}")
    } else {
        String::new()
    };
    let limit = match (limits.steps, limits.time) {
        (Some(n), Some(t)) => format!("{n} steps or {t} s"),
        (Some(n), None) => format!("{n} steps"),
        (None, Some(t)) => format!("{t} s"),
        (None, None) => "until interrupted".into(),
    };
    let threads = match trainer.groups_used() {
        1 => String::new(),
        n => format!("; {n} threads"),
    };
    eprintln!(
        "{cell}: {} layer(s) × {} hidden, {} characters in the vocabulary, {} parameters{resumed}{threads}",
        c.layers,
        c.hidden,
        c.vocab_size,
        model.params.len()
    );
    eprintln!(
        "corpus {corpus_name:?}: {chars} characters ({} train, {val} validation); seq_len {}, batch {}, {} lr {}, clip {}; {limit}",
        chars - val,
        settings.seq_len,
        settings.batch,
        settings.optimizer,
        settings.lr,
        settings.clip
    );
}
