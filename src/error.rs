//! One error type for everything a user can get wrong; every message names the problem.

use std::fmt;

/// What went wrong, in words meant for the person who supplied the input.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A hyperparameter or size is out of the supported range.
    Config(String),
    /// The text cannot be used (empty, too short, characters outside the vocabulary…).
    Text(String),
    /// A model file is corrupt, truncated, or does not describe a valid model.
    ModelFile(String),
    /// A training-state file (optimizer moments, data position) is corrupt or belongs to another run.
    TrainingState(String),
    /// Training stopped because the loss became non-finite or exploded; parameters were rolled back.
    Diverged(String),
    /// An edit of one weight was refused (unknown tensor, index outside it, non-finite value).
    Parameter(String),
    /// An analysis was asked for something that does not exist or cannot be computed (a unit or layer
    /// outside the model, a bad regular expression, arrays of mismatched lengths).
    Analysis(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(m) => write!(f, "invalid setting: {m}"),
            Error::Text(m) => write!(f, "unusable text: {m}"),
            Error::ModelFile(m) => write!(f, "bad model file: {m}"),
            Error::TrainingState(m) => write!(f, "unusable training state: {m}"),
            Error::Diverged(m) => write!(f, "training stopped: {m}"),
            Error::Parameter(m) => write!(f, "cannot set parameter: {m}"),
            Error::Analysis(m) => write!(f, "cannot analyse: {m}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
