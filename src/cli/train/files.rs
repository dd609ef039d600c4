//! What `rnnscope train` reads and writes besides its corpus: the model file and the training state beside it, saved
//! together, and a resumed model with its settings and step.

use super::args::apply_saved;
use crate::cli::shared::{load_model, Failure};
use clap::ArgMatches;
use rnnscope::model_file::WeightType;
use rnnscope::{model_file, Model, Resumed, Settings, Trainer};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Loads the model to resume, with its step; the settings not typed on the command line come from those saved in
/// it, and its shape always does.
pub(super) fn load_resumed(
    path: &Path,
    settings: &mut Settings,
    matches: &ArgMatches,
) -> Result<(Model, u64), Failure> {
    let (model, metadata) = load_model(path)?;
    if let Some(saved) = metadata
        .get(model_file::KEY_TRAIN_CONFIG)
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
    {
        apply_saved(settings, &saved, matches);
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
    Ok((model, step))
}

pub(super) fn save(
    trainer: &Trainer,
    settings: &Settings,
    path: &Path,
    dtype: WeightType,
) -> Result<(), Failure> {
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
    let bytes = model_file::to_bytes_as(trainer.model(), &extra, dtype)
        .map_err(|e| Failure::runtime(format!("cannot save the model as {}: {e}", dtype.name())))?;
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
pub(super) fn resume_training_state(trainer: &mut Trainer, model_path: &Path) {
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
pub(super) fn check_writable_target(path: &Path, what: &str) -> Result<(), Failure> {
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
