//! `rnnscope train`'s arguments, and the settings they make (with those saved in a resumed model).

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, ValueEnum};
use rnnscope::model_file::WeightType;
use rnnscope::{corpus, Settings};
use std::path::PathBuf;

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
    /// AdamW: Adam with decoupled weight decay (--weight-decay, 0.01 by default, as PyTorch's)
    Adamw,
    /// RMSprop (α 0.99, ε 1e-8)
    Rmsprop,
    /// Adagrad (ε 1e-10)
    Adagrad,
    /// SGD with momentum 0.9
    Sgd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Sched {
    /// The same rate throughout
    Constant,
    /// Half a cosine down to --min-lr
    Cosine,
    /// Times --gamma every --schedule-steps steps
    Step,
}

impl Optim {
    fn name(self) -> &'static str {
        match self {
            Optim::Adam => "adam",
            Optim::Adamw => "adamw",
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
    pub(super) corpus: String,

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
    pub(super) hidden: usize,

    /// Stacked recurrent layers
    #[arg(long, value_name = "L", default_value_t = 1, conflicts_with = "resume")]
    pub(super) layers: usize,

    /// Characters per training window (truncated backpropagation length)
    #[arg(long, value_name = "T", default_value_t = 16)]
    pub(super) seq_len: usize,

    /// Parallel streams per step (the text is cut into this many contiguous pieces)
    #[arg(long, value_name = "B", default_value_t = 4)]
    pub(super) batch: usize,

    /// Update rule
    #[arg(long, value_enum, default_value_t = Optim::Adam)]
    optimizer: Optim,

    /// Learning rate
    #[arg(long, default_value_t = 2e-3, allow_negative_numbers = true)]
    pub(super) lr: f32,

    /// Largest global gradient norm; larger gradients are scaled down (0 = no clipping)
    #[arg(long, default_value_t = 5.0, allow_negative_numbers = true)]
    pub(super) clip: f32,

    /// Weight decay: decoupled for adamw, an L2 penalty added to the gradient for the others (PyTorch's
    /// weight_decay) [default: 0.01 for adamw, 0 otherwise]
    #[arg(long, value_name = "F", allow_negative_numbers = true)]
    weight_decay: Option<f32>,

    /// Dropout: the probability of zeroing each value a layer passes up (to the next layer and the decoder) while
    /// training, as nn.LSTM(dropout=P) plus a dropout before the decoder [default: 0]
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    dropout: Option<f32>,

    /// Learning-rate schedule after the warm-up, as torch.optim.lr_scheduler's CosineAnnealingLR (down to
    /// --min-lr over --schedule-steps) or StepLR (times --gamma every --schedule-steps)
    #[arg(long, value_enum, default_value_t = Sched::Constant)]
    schedule: Sched,

    /// Steps of linear warm-up from 1% of --lr (LinearLR(start_factor=0.01)) [default: none]
    #[arg(long, value_name = "N")]
    warmup: Option<u64>,

    /// The cosine's length in steps, warm-up included [default: --steps], or the step decay's interval
    #[arg(long, value_name = "N")]
    schedule_steps: Option<u64>,

    /// The cosine's lowest learning rate [default: 0]
    #[arg(long, value_name = "LR", allow_negative_numbers = true)]
    min_lr: Option<f32>,

    /// The step decay's factor [default: 0.1]
    #[arg(long, allow_negative_numbers = true)]
    gamma: Option<f32>,

    /// Steps to run in this invocation [default: 1000 when --time is not given either]
    #[arg(long, value_name = "N")]
    pub(super) steps: Option<u64>,

    /// Stop after this many seconds of training (combined with --steps, whichever comes first)
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub(super) time: Option<f64>,

    /// Seed of the parameter initialisation and of the sample printed at the end
    #[arg(long, default_value_t = 42)]
    pub(super) seed: u64,

    /// Threads for the batched steps, each taking a share of the batch's streams (the same count, the same run;
    /// counts agree to float rounding). Default: every core, for batches of 8 streams or more (one thread per 4
    /// streams at most); 1 otherwise
    #[arg(long, value_name = "N")]
    pub(super) threads: Option<usize>,

    /// Fraction of the text, at its end, held out for validation (0 to 0.5)
    #[arg(
        long,
        value_name = "F",
        default_value_t = 0.1,
        allow_negative_numbers = true
    )]
    pub(super) val_fraction: f32,

    /// Compute the validation loss every N steps (0 = only at the end)
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub(super) val_every: u64,

    /// Validate on at most this many characters (the start of the held-out part)
    #[arg(long, value_name = "N", default_value_t = 4000)]
    pub(super) val_chars: usize,

    /// Where to save the model [default: the --resume file if given, else model.safetensors]
    #[arg(long, value_name = "PATH")]
    pub(super) out: Option<PathBuf>,

    /// How the saved model stores its weights: f32, or f16 / bf16 (half the size, as PyTorch's model.half() and
    /// model.bfloat16(); training stays f32, and a run resumed from such a file starts its optimizer afresh)
    #[arg(long, value_name = "TYPE", default_value = "f32", value_parser = parse_weight_type)]
    pub(super) dtype: WeightType,

    /// Also save the model every N steps (0 = only at the end)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(super) checkpoint_every: u64,

    /// Continue training a saved model: its shape and vocabulary come from the file (so --cell,
    /// --nonlinearity, --hidden and --layers cannot be given), its step count continues, and the corpus and
    /// training settings saved in it are reused unless given here. The optimizer state, data position and
    /// recurrent state come from NAME.training.safetensors beside it (written with every save), so the run
    /// goes on exactly where it stopped
    #[arg(long, value_name = "PATH")]
    pub(super) resume: Option<PathBuf>,

    /// Write one JSON object per step to this file: step, loss, smooth_loss, grad_norm, clipped,
    /// chars_per_sec, wrapped, and val_loss on validation steps
    #[arg(long, value_name = "PATH")]
    pub(super) log_jsonl: Option<PathBuf>,

    /// Characters of sample text printed after training (0 = none)
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub(super) sample_length: usize,
}

impl TrainArgs {
    /// The settings as typed (or defaulted) on the command line.
    pub(super) fn settings(&self) -> Settings {
        Settings {
            cell: match self.cell {
                Cell::Rnn => "rnn",
                Cell::Lstm => "lstm",
                Cell::Gru => "gru",
            }
            .into(),
            nonlinearity: self.nonlinearity.map(|n| {
                match n {
                    Nonlinearity::Tanh => "tanh",
                    Nonlinearity::Relu => "relu",
                }
                .into()
            }),
            hidden: self.hidden,
            layers: self.layers,
            seq_len: self.seq_len,
            batch: self.batch,
            optimizer: self.optimizer.name().into(),
            lr: self.lr,
            clip: self.clip,
            weight_decay: self.weight_decay,
            schedule: (self.schedule != Sched::Constant).then(|| {
                match self.schedule {
                    Sched::Constant => "constant",
                    Sched::Cosine => "cosine",
                    Sched::Step => "step",
                }
                .into()
            }),
            warmup: self.warmup,
            schedule_steps: self.schedule_steps.or(match self.schedule {
                Sched::Cosine => self.steps,
                _ => None,
            }),
            min_lr: self.min_lr,
            gamma: self.gamma,
            dropout: self.dropout,
            seed: self.seed,
            val_fraction: self.val_fraction,
            corpus: Some(self.corpus.clone()),
        }
    }
}

/// Was this argument typed on the command line (rather than left at its default)?
fn explicit(matches: &ArgMatches, id: &str) -> bool {
    matches.value_source(id) == Some(ValueSource::CommandLine)
}

/// Fills the settings not typed on the command line from those saved in a resumed model.
pub(super) fn apply_saved(
    settings: &mut Settings,
    saved: &serde_json::Value,
    matches: &ArgMatches,
) {
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
    if !explicit(matches, "weight_decay") {
        if let Some(v) = num("weightDecay") {
            settings.weight_decay = Some(v as f32);
        }
    }
    if !explicit(matches, "schedule") {
        if let Some(v) = text("schedule") {
            settings.schedule = Some(v.to_string());
        }
    }
    let count = |key: &str| saved.get(key).and_then(serde_json::Value::as_u64);
    for (id, key, slot) in [
        ("warmup", "warmup", &mut settings.warmup),
        (
            "schedule_steps",
            "scheduleSteps",
            &mut settings.schedule_steps,
        ),
    ] {
        if !explicit(matches, id) {
            if let Some(v) = count(key) {
                *slot = Some(v);
            }
        }
    }
    for (id, key, slot) in [
        ("min_lr", "minLr", &mut settings.min_lr),
        ("gamma", "gamma", &mut settings.gamma),
        ("dropout", "dropout", &mut settings.dropout),
    ] {
        if !explicit(matches, id) {
            if let Some(v) = num(key) {
                *slot = Some(v as f32);
            }
        }
    }
    if !explicit(matches, "val_fraction") {
        if let Some(v) = num("valFraction") {
            settings.val_fraction = v as f32;
        }
    }
}

fn parse_weight_type(name: &str) -> Result<WeightType, String> {
    WeightType::parse(name).map_err(|e| e.to_string())
}
