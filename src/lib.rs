//! rnnscope: vanilla RNN, LSTM and GRU character models that train and can be looked inside.
//!
//! The numerics follow PyTorch's `nn.RNN`, `nn.LSTM` and `nn.GRU` exactly (gate order, two bias vectors
//! per layer, GRU reset-after), so a model file moves freely between rnnscope and PyTorch.
//!
//! # Example
//!
//! Train an LSTM on the "hello" toy, look at what it expects after "hell", and sample from it:
//!
//! ```
//! use rnnscope::{corpus, sampler, CellKind, Model, Probe, TrainConfig, Trainer, Vocab};
//!
//! let text = corpus::get("hello").unwrap(); // "hellohello…"
//! let vocab = Vocab::from_text(&text)?; // sorted: e, h, l, o
//! let model = Model::new(CellKind::Lstm, 32, 1, vocab, 42)?;
//! let config = TrainConfig { seq_len: 16, batch: 4, lr: 0.01, ..TrainConfig::default() };
//! let mut trainer = Trainer::new(model, &text, config)?;
//! for _ in 0..200 {
//!     trainer.step()?; // a StepReport: loss, smooth loss, gradient norm, clipped, wrapped
//! }
//! let model = trainer.model();
//!
//! // Probing is incremental: each character pushed costs one recurrent step.
//! let mut probe = Probe::new(model);
//! probe.sync(model, "hell");
//! let after_hell = probe.steps().last().unwrap();
//! let (p_o, loss) = after_hell.score(model.vocab.index_of('o').unwrap());
//! assert!(p_o > 0.9, "p(o | hell) = {p_o}, loss {loss} nats");
//!
//! // Temperature 0 is argmax.
//! assert_eq!(sampler::sample(model, "he", 8, 0.0, 0, 1)?, "llohello");
//! # Ok::<(), rnnscope::Error>(())
//! ```
//!
//! # Symbols used in shape comments
//!
//! | symbol | meaning |
//! |---|---|
//! | `T` | time steps in a window (`seq_len`) |
//! | `B` | parallel streams in a batch |
//! | `V` | vocabulary size (one-hot input width and number of output scores) |
//! | `H` | hidden units per layer |
//! | `L` | stacked layers |
//! | `G` | gate blocks of a cell: 1 for RNN, 4 for LSTM (`i, f, g, o`), 3 for GRU (`r, z, n`) |
//! | `In` | input width of a layer: `V` for layer 0, `H` above |
//!
//! Matrices are row-major. A buffer described as `(T·B, H)` holds row `t*B + b` for step `t`, stream `b`.
//!
//! # Map of the crate
//!
//! - [`vocab`]: characters ↔ one-hot positions, built sorted from a corpus.
//! - [`corpus`]: the embedded corpora and the seeded generator of structured text.
//! - [`nonlinear`]: `eˣ`, `σ`, `tanh` (with their derivatives from saved outputs) and the softmax.
//! - [`cell`]: the per-step equations of each cell, forward beside backward.
//! - [`model_config`]: the shape of a model (cell, `V`, `H`, `L`), its limits and its parameter count.
//! - [`params`]: every parameter tensor by its PyTorch name, in one flat buffer.
//! - [`model`]: the stacked model and its recurrent state.
//! - [`tape`]: the batched forward pass over a window, the values it keeps, and backpropagation through time.
//! - [`optim`]: Adam, AdamW, RMSProp, Adagrad, SGD with momentum, weight decay, and gradient clipping.
//! - [`schedule`]: learning-rate warm-up and cosine or step decay, as `torch.optim.lr_scheduler`.
//! - [`trainer`]: truncated BPTT over a corpus with health checks.
//! - [`eval`]: loss (and its gradient) of a model on a text.
//! - [`sampler`]: temperature and top-k sampling.
//! - [`probe`]: per-character activations, incremental.
//! - [`model_file`]: the `.safetensors` model file.
//! - [`analysis`]: what the activations mean: text features, Pearson / AUROC / ridge probes, the cell finder,
//!   gate saturation, an n-gram baseline and the breakdown of the model's errors; `(T, H)` `ndarray` views
//!   per layer and tensor (row `t`: after reading character `t`).
//! - [`settings`]: a run's settings as one object, shared by the browser and the CLI's saved `train_config`.

pub mod analysis;
pub mod cell;
pub mod clamp;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod float16;
mod kernels;
pub mod model;
pub mod model_config;
pub mod model_file;
pub mod nonlinear;
pub mod optim;
mod order;
pub mod params;
pub mod probe;
pub mod sampler;
pub mod schedule;
pub mod settings;
pub mod tape;
pub mod trainer;
pub mod vocab;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use cell::CellKind;
pub use error::Error;
pub use kernels::Kernels;
pub use model::{Model, State};
pub use model_config::ModelConfig;
pub use optim::OptimizerKind;
pub use probe::{Probe, ProbeStep};
pub use settings::Settings;
pub use trainer::{Resumed, StepReport, TrainConfig, Trainer};
pub use vocab::Vocab;
