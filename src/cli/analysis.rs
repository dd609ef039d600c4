//! What `cells`, `saturation`, `errors`, `ablate` and `connectivity` share: the model and the text to analyse, the
//! `analysis::request` each builds and runs as the page's worker does, and how a report is printed.

use super::shared::{finish_stdout, load_model, read_text_file, Failure, Outcome};
use clap::Args;
use rnnscope::analysis;
use rnnscope::analysis::request::{self, Cache, Limits, Report, Request};
use rnnscope::{corpus, trainer, Model};
use std::collections::BTreeMap;
use std::io::{BufWriter, StdoutLock, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// What every analysis command reads and how it answers: the model, the text (and which part of it), and `--json`.
#[derive(Args, Debug)]
pub(crate) struct AnalysisInput {
    /// Model file (.safetensors)
    #[arg(long, value_name = "PATH")]
    pub model: PathBuf,

    #[command(flatten)]
    pub text: AnalysedText,

    #[command(flatten)]
    pub part: TextPart,

    /// Print one JSON object instead of a table
    #[arg(long)]
    pub json: bool,
}

/// The text to analyse: a file, a literal or an embedded corpus, exactly one.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub(crate) struct AnalysedText {
    /// File holding the text (read as UTF-8 exactly as stored)
    #[arg(long, value_name = "PATH")]
    pub text: Option<PathBuf>,
    /// The text itself, given on the command line
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub text_string: Option<String>,
    /// An embedded corpus by name (hello, brackets, about)
    #[arg(long, value_name = "NAME")]
    pub corpus: Option<String>,
}

/// Which part of the text: the held-out tail and/or a prefix.
#[derive(Args, Debug)]
pub(crate) struct TextPart {
    /// Analyse only the part of the text that `train --val-fraction F` holds out: its last ⌊chars · F⌋
    /// characters
    #[arg(long, value_name = "F", allow_negative_numbers = true)]
    pub val_fraction: Option<f32>,
    /// Analyse only the first N characters (of the held-out part, with --val-fraction)
    #[arg(long, value_name = "N")]
    pub chars: Option<usize>,
}

impl AnalysedText {
    fn read(&self) -> Result<(String, String), Failure> {
        match (&self.text, &self.text_string, &self.corpus) {
            (Some(path), _, _) => Ok((read_text_file(path)?, path.display().to_string())),
            (_, Some(s), _) => Ok((s.clone(), "--text-string".into())),
            (_, _, Some(name)) => corpus::get(name)
                .map(|t| (t, format!("corpus {name}")))
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "no embedded corpus named {name:?} (available: {})",
                        corpus::NAMES.join(", ")
                    ))
                }),
            _ => Err(Failure::usage(
                "give --text PATH, --text-string TEXT or --corpus NAME",
            )),
        }
    }
}

/// The characters of a text of `len` characters that `part` selects.
fn part_of(len: usize, part: &TextPart) -> Result<Range<usize>, Failure> {
    let mut range = 0..len;
    if let Some(f) = part.val_fraction {
        if !(f > 0.0 && f <= 1.0) {
            return Err(Failure::usage(format!(
                "--val-fraction {f} is outside (0, 1]"
            )));
        }
        range = trainer::held_out(len, f);
    }
    if let Some(n) = part.chars {
        if n == 0 {
            return Err(Failure::usage("--chars must be at least 1"));
        }
        range.end = range.end.min(range.start + n);
    }
    Ok(range)
}

/// What an analysis command reads: the model, its file's metadata, and the part of the text it analyses.
pub(crate) struct Analysed {
    pub model: Model,
    pub metadata: BTreeMap<String, String>,
    /// The whole text read (`--text`, `--text-string` or `--corpus`).
    pub whole: String,
    /// The characters of `whole` that `--val-fraction` and `--chars` select.
    pub part: Range<usize>,
    /// Those characters: the text analysed.
    pub text: String,
}

/// Loads the model and reads the text, refusing empty, over-long and out-of-vocabulary text.
pub(crate) fn read_input(input: &AnalysisInput) -> Result<Analysed, Failure> {
    let (model, metadata) = load_model(&input.model)?;
    let (whole, name) = input.text.read()?;
    let chars: Vec<char> = whole.chars().collect();
    let part = part_of(chars.len(), &input.part)?;
    let text: String = chars[part.clone()].iter().collect();
    analysis::check_text(&text).map_err(|e| Failure::usage(format!("{name}: {e}")))?;
    model
        .vocab
        .encode(&text)
        .map_err(|e| Failure::usage(format!("{name}: {e}")))?;
    Ok(Analysed {
        model,
        metadata,
        whole,
        part,
        text,
    })
}

/// Runs `request` on `model` as the page's worker does, within the command line's [`Limits`]; `train` is the
/// n-gram's training text (read by `errors` only).
pub(crate) fn run_request(
    model: &Model,
    train: &str,
    request: &Request,
) -> Result<Report, Failure> {
    let mut cache = Cache::default();
    Ok(request::run_within(
        Limits::COMMAND_LINE,
        model,
        train,
        &mut cache,
        request,
    )?)
}

/// A model's name for a table heading: its file name.
pub(crate) fn model_label(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Print a report on stdout: exactly one JSON object (`json`, with `--json`), or the command's readable `table`.
pub(crate) fn print_report(
    json: Option<&impl serde::Serialize>,
    table: impl FnOnce(&mut BufWriter<StdoutLock<'static>>) -> std::io::Result<()>,
) -> Outcome {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let written = match json {
        Some(j) => serde_json::to_writer(&mut out, j)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
        None => table(&mut out),
    };
    finish_stdout(written.and_then(|()| out.flush()))
}
