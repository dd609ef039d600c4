//! The `rnnscope` command line: one file per subcommand, this one for the argument grammar and the shared
//! plumbing (reading inputs, turning errors into messages and exit codes).
//!
//! Exit codes: 0 success; 1 a failure while running (training diverged, a file could not be written);
//! 2 bad usage or unusable input (unknown flag, missing or corrupt file, invalid setting, unusable text);
//! 130 training interrupted by Ctrl-C (the model was saved first).

mod ablate;
mod analysis;
mod cells;
mod connectivity;
mod errors;
mod eval;
mod probe;
mod sample;
mod saturation;
mod train;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use rnnscope::{corpus, model_file, Model};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bad usage or input.
pub(crate) const EXIT_USAGE: i32 = 2;
/// Something failed while running.
pub(crate) const EXIT_FAILURE: i32 = 1;
/// Stopped by Ctrl-C after saving.
pub(crate) const EXIT_INTERRUPTED: i32 = 130;

#[derive(Parser)]
#[command(
    name = "rnnscope",
    version,
    about = "Train, sample, evaluate and look inside vanilla RNN, LSTM and GRU character models",
    long_about = "Train, sample, evaluate and look inside vanilla RNN, LSTM and GRU character models.\n\n\
        Models are .safetensors files whose tensors are named like the state_dict of a PyTorch \
        CharModel (nn.RNN/nn.LSTM/nn.GRU + nn.Linear decoder); the numerics match PyTorch.",
    after_help = "Exit codes: 0 success, 1 failure while running (e.g. training diverged), \
        2 bad usage or unusable input, 130 interrupted by Ctrl-C (model saved).\n\n\
        Quick start:\n  rnnscope train                      # LSTM on the 'hello' toy, about a second\n  \
        rnnscope sample --model model.safetensors --prime he\n  \
        rnnscope train --corpus input.txt --hidden 128 --seq-len 64 --batch 16 --time 600"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a model on an embedded corpus or a text file and save it
    Train(train::TrainArgs),
    /// Generate text from a model
    Sample(sample::SampleArgs),
    /// Mean cross-entropy loss (and optionally its gradient) of a model on a text
    Eval(eval::EvalArgs),
    /// Per-character activations: hidden and cell states, gates, predictions
    Probe(probe::ProbeArgs),
    /// Find the units that track text features (brackets, quotes, line position, …), with a linear probe beside
    Cells(cells::CellsArgs),
    /// Per LSTM/GRU gate and unit, the fractions of characters left- and right-saturated
    Saturation(saturation::SaturationArgs),
    /// Where the model errs, beside an n-gram baseline, by the paper's oracles
    Errors(errors::ErrorsArgs),
    /// Hold units at values (0 ablates them) and show how the loss of each character changes
    Ablate(ablate::AblateArgs),
    /// How strongly one prediction depends on each earlier character: gradient norms with respect to the inputs
    Connectivity(connectivity::ConnectivityArgs),
    /// Print an embedded corpus (or list them)
    Corpus(CorpusArgs),
}

#[derive(Args)]
struct CorpusArgs {
    /// Name of the embedded corpus to print to stdout; without it, list the names
    name: Option<String>,
}

/// Why a command stopped: the message (printed as `error: <message>`) and the exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    /// Bad usage or unusable input (exit code 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }

    /// A failure while running (exit code 1).
    pub fn runtime(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_FAILURE,
            message: message.into(),
        }
    }
}

impl From<rnnscope::Error> for Failure {
    fn from(e: rnnscope::Error) -> Failure {
        let code = match e {
            rnnscope::Error::Diverged(_) => EXIT_FAILURE,
            _ => EXIT_USAGE,
        };
        Failure {
            code,
            message: e.to_string(),
        }
    }
}

/// What a command returns: the exit code on success (0, or 130 after an interrupted but saved run).
pub(crate) type Outcome = Result<i32, Failure>;

/// Parses the command line, runs the command and returns the process exit code.
pub fn run() -> i32 {
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            // Help and version go to stdout with code 0; usage errors to stderr with code 2.
            let _ = e.print();
            return e.exit_code();
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let sub = matches.subcommand().map(|(_, m)| m);
    let outcome = match cli.command {
        Command::Train(args) => match sub {
            Some(m) => train::run(args, m),
            None => Err(Failure::usage("missing subcommand arguments")),
        },
        Command::Sample(args) => sample::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Probe(args) => probe::run(args),
        Command::Cells(args) => cells::run(args),
        Command::Saturation(args) => saturation::run(args),
        Command::Errors(args) => errors::run(args),
        Command::Ablate(args) => ablate::run(args),
        Command::Connectivity(args) => connectivity::run(args),
        Command::Corpus(args) => corpus_command(args),
    };
    match outcome {
        Ok(code) => code,
        Err(f) => {
            eprintln!("error: {}", f.message);
            f.code
        }
    }
}

fn corpus_command(args: CorpusArgs) -> Outcome {
    let mut out = std::io::stdout().lock();
    let written = match args.name {
        None => corpus::NAMES.iter().try_for_each(|name| {
            let len = corpus::get(name).map_or(0, |t| t.chars().count());
            writeln!(out, "{name}\t{len} characters")
        }),
        Some(name) => {
            let text = corpus::get(&name).ok_or_else(|| {
                Failure::usage(format!(
                    "no embedded corpus named {name:?} (available: {})",
                    corpus::NAMES.join(", ")
                ))
            })?;
            out.write_all(text.as_bytes())
        }
    };
    finish_stdout(written.and_then(|()| out.flush()))
}

/// Maps the result of writing to stdout to an outcome; a closed pipe (`| head`) ends quietly.
pub(crate) fn finish_stdout(written: std::io::Result<()>) -> Outcome {
    match written {
        Ok(()) => Ok(0),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
        Err(e) => Err(Failure::runtime(format!("cannot write to stdout: {e}"))),
    }
}

/// Reads a text file as UTF-8 exactly as stored (no trimming, no newline conversion).
pub(crate) fn read_text_file(path: &Path) -> Result<String, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Failure::usage(format!(
            "{} is not valid UTF-8 (invalid byte sequence at byte offset {at})",
            path.display()
        ))
    })
}

/// Loads a model file, naming the file in any error.
pub(crate) fn load_model(path: &Path) -> Result<(Model, BTreeMap<String, String>), Failure> {
    if !path.exists() {
        return Err(Failure::usage(format!(
            "model file {} does not exist",
            path.display()
        )));
    }
    model_file::load(path).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
}

/// The text to evaluate or probe: a file (`--text`) or a literal (`--text-string`), exactly one.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub(crate) struct TextInput {
    /// File holding the text (read as UTF-8 exactly as stored: no trimming, no newline conversion)
    #[arg(long, value_name = "PATH")]
    pub text: Option<PathBuf>,
    /// The text itself, given on the command line
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub text_string: Option<String>,
}

impl TextInput {
    pub fn read(&self) -> Result<String, Failure> {
        match (&self.text, &self.text_string) {
            (Some(path), _) => read_text_file(path),
            (None, Some(s)) => Ok(s.clone()),
            (None, None) => Err(Failure::usage("give --text PATH or --text-string TEXT")),
        }
    }

    /// How to name the text in messages.
    pub fn describe(&self) -> String {
        match &self.text {
            Some(path) => path.display().to_string(),
            None => "--text-string".into(),
        }
    }
}

/// A character as a short, unambiguous label for tables (`'a'`, `'\n'`, `' '`).
pub(crate) fn char_label(c: char) -> String {
    format!("{c:?}")
}
