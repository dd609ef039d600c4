//! What `rnnscope train` tells while it runs: the line describing the run, the live progress (a bar on a terminal,
//! periodic lines otherwise) and the `--log-jsonl` file.

use super::files::check_writable_target;
use crate::cli::shared::Failure;
use indicatif::{ProgressBar, ProgressStyle};
use rnnscope::schedule::Schedule;
use rnnscope::{Settings, Trainer};
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Steps run when neither `--steps` nor `--time` is given.
const DEFAULT_STEPS: u64 = 1000;
/// Shortest interval between two plain progress lines (when stderr is not a terminal).
const PLAIN_EVERY: Duration = Duration::from_secs(2);

pub(super) fn human_rate(chars_per_sec: f64) -> String {
    if chars_per_sec >= 1e6 {
        format!("{:.2}M chars/s", chars_per_sec / 1e6)
    } else if chars_per_sec >= 1e3 {
        format!("{:.1}k chars/s", chars_per_sec / 1e3)
    } else {
        format!("{chars_per_sec:.0} chars/s")
    }
}

pub(super) fn human_duration(secs: f64) -> String {
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
pub(super) enum Progress {
    Bar(ProgressBar),
    Plain { last: Option<Instant> },
}

/// When the run stops (whichever comes first), and how far along it is, for the bar and the ETA.
pub(super) struct Limits {
    pub(super) steps: Option<u64>,
    pub(super) time: Option<f64>,
}

impl Limits {
    /// `--steps` and `--time`: [`DEFAULT_STEPS`] when neither is given. Refuses a time that is not a positive number.
    pub(super) fn new(steps: Option<u64>, time: Option<f64>) -> Result<Limits, Failure> {
        if let Some(t) = time {
            if !(t.is_finite() && t > 0.0) {
                return Err(Failure::usage(format!(
                    "--time {t} must be a positive number of seconds"
                )));
            }
        }
        Ok(Limits {
            steps: match (steps, time) {
                (None, None) => Some(DEFAULT_STEPS),
                (steps, _) => steps,
            },
            time,
        })
    }

    /// Whether a run that has taken `steps_run` steps in `elapsed` seconds is done.
    pub(super) fn reached(&self, steps_run: u64, elapsed: f64) -> bool {
        self.steps.is_some_and(|n| steps_run >= n) || self.time.is_some_and(|t| elapsed >= t)
    }

    /// Fraction done in `[0, 1]`, by whichever limit is closer.
    pub(super) fn fraction(&self, steps_run: u64, elapsed: f64) -> f64 {
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
    pub(super) fn new() -> Progress {
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

    pub(super) fn update(&mut self, line: &str, fraction: f64, eta: Option<f64>, force: bool) {
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
    pub(super) fn println(&self, line: &str) {
        match self {
            Progress::Bar(bar) => bar.suspend(|| eprintln!("{line}")),
            Progress::Plain { .. } => eprintln!("{line}"),
        }
    }

    pub(super) fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// One line saying what is about to be trained on what.
pub(super) fn describe_run(
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
    let mut how = String::new();
    if let Ok(config) = settings.train_config() {
        if config.weight_decay > 0.0 {
            how += &format!(" weight decay {}", config.weight_decay);
        }
        if config.dropout > 0.0 {
            how += &format!(" dropout {}", config.dropout);
        }
        if config.schedule != Schedule::default() {
            how += &format!(" ({})", config.schedule);
        }
    }
    eprintln!(
        "corpus {corpus_name:?}: {chars} characters ({} train, {val} validation); seq_len {}, batch {}, {} lr {}{how}, clip {}; {limit}",
        chars - val,
        settings.seq_len,
        settings.batch,
        settings.optimizer,
        settings.lr,
        settings.clip
    );
}

/// One line of `--log-jsonl`.
#[derive(Serialize)]
pub(super) struct LogLine {
    pub(super) step: u64,
    pub(super) loss: f32,
    pub(super) smooth_loss: f32,
    pub(super) grad_norm: f32,
    pub(super) clipped: bool,
    pub(super) chars_per_sec: f64,
    pub(super) wrapped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) val_loss: Option<f32>,
}

/// The `--log-jsonl` file, one [`LogLine`] per step.
pub(super) struct Log {
    writer: BufWriter<File>,
    path: PathBuf,
}

impl Log {
    /// Creates (or empties) the file, refusing a path that cannot be written.
    pub(super) fn create(path: &Path) -> Result<Log, Failure> {
        check_writable_target(path, "--log-jsonl")?;
        let file = File::create(path)
            .map_err(|e| Failure::usage(format!("cannot create {}: {e}", path.display())))?;
        Ok(Log {
            writer: BufWriter::new(file),
            path: path.to_path_buf(),
        })
    }

    pub(super) fn write(&mut self, line: &LogLine) -> Result<(), Failure> {
        serde_json::to_writer(&mut self.writer, line)
            .map_err(std::io::Error::from)
            .and_then(|()| self.writer.write_all(b"\n"))
            .map_err(|e| self.failed(e))
    }

    pub(super) fn flush(&mut self) -> Result<(), Failure> {
        self.writer.flush().map_err(|e| self.failed(e))
    }

    fn failed(&self, e: std::io::Error) -> Failure {
        Failure::runtime(format!("cannot write {}: {e}", self.path.display()))
    }
}
