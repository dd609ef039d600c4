//! What `cells`, `saturation` and `errors` share: the text to analyse, the model's activations over it, and how a
//! report is printed.

use super::shared::{finish_stdout, load_model, read_text_file, Failure, Outcome};
use clap::Args;
use rnnscope::analysis::{self, Activations};
use rnnscope::{corpus, trainer, Model};
use std::collections::BTreeMap;
use std::io::{BufWriter, StdoutLock, Write};
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

/// The part of `text` that `part` selects, counted in characters.
fn part_of(text: &str, part: &TextPart) -> Result<String, Failure> {
    let chars: Vec<char> = text.chars().collect();
    let mut range = 0..chars.len();
    if let Some(f) = part.val_fraction {
        if !(f > 0.0 && f <= 1.0) {
            return Err(Failure::usage(format!(
                "--val-fraction {f} is outside (0, 1]"
            )));
        }
        range = trainer::held_out(chars.len(), f);
    }
    if let Some(n) = part.chars {
        if n == 0 {
            return Err(Failure::usage("--chars must be at least 1"));
        }
        range.end = range.end.min(range.start + n);
    }
    Ok(chars[range].iter().collect())
}

/// A model, its file's metadata, the text and the model's activations over it.
pub(crate) struct Analysed {
    pub model: Model,
    pub metadata: BTreeMap<String, String>,
    pub text: String,
    pub acts: Activations,
}

/// Loads the model and reads the text, refusing empty, over-long and out-of-vocabulary text.
pub(crate) fn model_and_text(
    input: &AnalysisInput,
) -> Result<(Model, BTreeMap<String, String>, String), Failure> {
    let (model, metadata) = load_model(&input.model)?;
    let (whole, name) = input.text.read()?;
    let text = part_of(&whole, &input.part)?;
    analysis::check_text(&text).map_err(|e| Failure::usage(format!("{name}: {e}")))?;
    model
        .vocab
        .encode(&text)
        .map_err(|e| Failure::usage(format!("{name}: {e}")))?;
    Ok((model, metadata, text))
}

/// [`model_and_text`], and the model's activations over the text.
pub(crate) fn analyse(input: &AnalysisInput) -> Result<Analysed, Failure> {
    let (model, metadata, text) = model_and_text(input)?;
    let acts = Activations::of_text(&model, &text)?;
    Ok(Analysed {
        model,
        metadata,
        text,
        acts,
    })
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
