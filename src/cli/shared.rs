//! What every subcommand shares: failures and their exit codes, reading the inputs (text files, model files, a text
//! given either way), writing to stdout.

use clap::Args;
use rnnscope::{corpus, model_file, Model};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bad usage or input.
pub(crate) const EXIT_USAGE: i32 = 2;
/// Something failed while running.
pub(crate) const EXIT_FAILURE: i32 = 1;
/// Stopped by Ctrl-C after saving.
pub(crate) const EXIT_INTERRUPTED: i32 = 130;

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

/// The training text: an embedded corpus by name, else a file.
pub(crate) fn load_corpus(name_or_path: &str) -> Result<String, Failure> {
    if let Some(text) = corpus::get(name_or_path) {
        return Ok(text);
    }
    let path = Path::new(name_or_path);
    if !path.exists() {
        return Err(Failure::usage(format!(
            "--corpus {name_or_path:?} is neither an embedded corpus ({}) nor an existing file",
            corpus::NAMES.join(", ")
        )));
    }
    read_text_file(path)
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
