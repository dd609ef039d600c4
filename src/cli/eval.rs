//! `rnnscope eval`: the mean cross-entropy of a model on a text, optionally its gradient as safetensors.

use super::shared::{finish_stdout, load_model, Failure, Outcome, TextInput};
use clap::Args;
use rnnscope::{eval, model_file, trainer};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(
    after_help = "The loss is the mean softmax cross-entropy, in nats, of predicting text[t+1] from \
    text[..=t] for t = 0..n-2, starting from an all-zero state. Every character of the text must be in the \
    model's vocabulary.\n\n\
    With --val-fraction F only the held-out part is evaluated: the last ⌊chars · F⌋ characters, the ones \
    `train --val-fraction F` validates on (with --val-chars N, the first N of them); chars and predictions \
    then count that part.\n\n\
    With --json, stdout holds exactly one JSON object: {\"loss\", \"bits_per_char\", \"chars\", \"predictions\"}.\n\n\
    Examples:\n  \
    rnnscope eval --model model.safetensors --text valid.txt\n  \
    rnnscope eval --model model.safetensors --text input.txt --val-fraction 0.1 --val-chars 100000 --json\n  \
    rnnscope eval --model model.safetensors --text valid.txt --json --grad-out grads.safetensors"
)]
pub struct EvalArgs {
    /// Model file (.safetensors)
    #[arg(long, value_name = "PATH")]
    model: PathBuf,

    #[command(flatten)]
    text: TextInput,

    /// Evaluate only the part of the text that `train --val-fraction F` holds out for validation: its last
    /// ⌊chars · F⌋ characters
    #[arg(long, value_name = "F", allow_negative_numbers = true)]
    val_fraction: Option<f32>,

    /// With --val-fraction: only the first N characters of the held-out part (as `train --val-chars N`)
    #[arg(long, value_name = "N", requires = "val_fraction")]
    val_chars: Option<usize>,

    /// Print one JSON object on stdout instead of a sentence
    #[arg(long)]
    json: bool,

    /// Also write the gradient of the mean loss with respect to every parameter (same tensor names and
    /// shapes as the model, f32) to this .safetensors file
    #[arg(long, value_name = "PATH")]
    grad_out: Option<PathBuf>,
}

#[derive(Serialize)]
struct Report {
    /// Mean cross-entropy, nats per predicted character.
    loss: f32,
    bits_per_char: f64,
    /// Characters in the text.
    chars: usize,
    /// Characters predicted (`chars - 1`).
    predictions: usize,
}

/// The characters of `text` that training with validation fraction `f` holds out (the first `max_chars` of
/// them when given), exactly as the trainer cuts them.
fn held_out_part(text: &str, f: f32, max_chars: Option<usize>) -> Result<String, String> {
    if !(0.0..=0.5).contains(&f) {
        return Err(format!(
            "--val-fraction {f} is outside [0, 0.5], the range train accepts"
        ));
    }
    let chars: Vec<char> = text.chars().collect();
    let held = trainer::held_out(chars.len(), f);
    let n = held.len().min(max_chars.unwrap_or(usize::MAX));
    if n < 2 {
        return Err(format!(
            "the part held out by --val-fraction {f}{} has {n} character(s) of {}; at least 2 are needed",
            max_chars.map_or(String::new(), |m| format!(" and --val-chars {m}")),
            chars.len()
        ));
    }
    Ok(chars[held.start..held.start + n].iter().collect())
}

pub fn run(args: EvalArgs) -> Outcome {
    let (model, _) = load_model(&args.model)?;
    let text = args.text.read()?;
    let name = args.text.describe();
    let text = match args.val_fraction {
        None => text,
        Some(f) => held_out_part(&text, f, args.val_chars)
            .map_err(|m| Failure::usage(format!("{name}: {m}")))?,
    };
    let in_text = |e: rnnscope::Error| -> Failure {
        match e {
            rnnscope::Error::Text(m) => Failure::usage(format!("{name}: {m}")),
            e => e.into(),
        }
    };
    let chars = text.chars().count();

    // The gradient first: it is the step that can refuse (memory), so it fails before the long pass.
    if let Some(path) = &args.grad_out {
        let (grad_loss, grads) = eval::loss_and_grad(&model, &text).map_err(|e| match e {
            rnnscope::Error::Config(m) => Failure::usage(format!(
                "--grad-out: {name} is too long to backpropagate through in one pass ({m})"
            )),
            e => in_text(e),
        })?;
        let metadata = BTreeMap::from([
            ("kind".to_string(), "gradient".to_string()),
            (
                "of".to_string(),
                "mean cross-entropy (nats) of the text from an all-zero state".to_string(),
            ),
            ("loss".to_string(), grad_loss.to_string()),
            ("predictions".to_string(), (chars - 1).to_string()),
        ]);
        let bytes = model_file::tensors_to_bytes(&model.layout, &grads, metadata);
        model_file::save(path, &bytes).map_err(|e| {
            Failure::runtime(format!(
                "cannot write the gradient to {}: {e}",
                path.display()
            ))
        })?;
        eprintln!("gradient written to {}", path.display());
    }
    let loss = eval::loss(&model, &text).map_err(in_text)?;

    let report = Report {
        loss,
        bits_per_char: f64::from(loss) / std::f64::consts::LN_2,
        chars,
        predictions: chars - 1,
    };
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_writer(&mut out, &report)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        writeln!(
            out,
            "loss {:.4} nats/char ({:.4} bits/char, perplexity {:.3}) over {} predictions in {} characters",
            report.loss,
            report.bits_per_char,
            f64::from(loss).exp(),
            report.predictions,
            report.chars
        )
    };
    finish_stdout(written.and_then(|()| out.flush()))
}
