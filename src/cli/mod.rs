//! The `rnnscope` command line: one file per subcommand, this one for the argument grammar, and `shared` for the
//! plumbing every subcommand uses (reading inputs, turning errors into messages and exit codes).
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
mod shared;
mod train;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use rnnscope::corpus;
use shared::{finish_stdout, Failure, Outcome};
use std::io::Write;

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
