//! Instruments that explain a model from its activations over a text: per-character text features, the
//! statistics that compare a unit with a feature, the cell finder, gate saturation, an n-gram baseline and the
//! breakdown of the model's errors; and, from the model itself, the change in loss when units are ablated or
//! clamped ([`intervene`]) and the connectivity of a prediction to earlier inputs ([`connectivity`]).
//!
//! Everything here is on `ndarray` arrays and is deterministic (same inputs, same numbers, same order).
//!
//! # Shapes
//!
//! With the crate's legend (`T`, `H`, `L`, `V`, `G`), and `T` here the number of characters of the analysed
//! text (one probe step per character):
//!
//! | array | shape | row `t` |
//! |---|---|---|
//! | an activation tensor of one layer ([`Activations::view`]) | `(T, H)` | after reading character `t` |
//! | the output distribution ([`Activations::probs`]) | `(T, V)` | the prediction for character `t + 1` |
//! | a text feature ([`features::Feature::values`]) | `(T)` | after reading character `t` |
//! | per-unit results (correlations, saturation fractions) | `(H)` | unit `j` in column `j` |
//!
//! Step `t` of a probe is the state *after* the model has read character `t`; every feature at `t` is defined
//! the same way, from `text[..=t]` (the character itself included), unless its documentation says otherwise.
//!
//! # The one copy
//!
//! [`crate::Probe`] keeps one [`crate::ProbeStep`] per character, each with its own `(L, H)` vectors, so the
//! `(T, H)` arrays do not exist in memory as such. [`Activations::gather`] copies them, once, into three
//! row-major arrays: `h` and `c` as `(T, L·H)`, the gates as `(T, L·G·H)`, and the probabilities as `(T, V)`.
//! Every `(T, H)` tensor of every layer is then a view into those ([`Activations::view`]): a column block,
//! never another copy. All analyses take such views. [`Activations::of_text`] runs a fresh probe over a text
//! and gathers it, the way every front end starts.
//!
//! # Limits
//!
//! Texts are refused when empty or longer than [`MAX_CHARS`] characters; [`Activations::gather`] refuses
//! more than [`MAX_VALUES`] activation values. An analysis that reads only the predictions (the error
//! breakdown) takes them from [`predictions`], which keeps `T · V` values and so is held to [`MAX_CHARS`] only.

pub mod connectivity;
pub mod errors;
pub mod features;
pub mod finder;
pub mod intervene;
pub mod ngram;
pub mod request;
pub mod saturation;
pub mod stats;

use crate::cell::CellKind;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::model_config::ModelConfig;
use crate::probe::{Probe, ProbeStep};
use ndarray::{s, Array2, ArrayView2};

/// Longest text (in characters) any analysis accepts.
pub const MAX_CHARS: usize = 1_000_000;

/// Most activation values (`T · L · H · (2 + G)` plus `T · V`) that [`Activations::gather`] copies: 256 Mi
/// floats, 1 GiB.
pub const MAX_VALUES: usize = 256 << 20;

/// Refuses an empty text or one over [`MAX_CHARS`]; returns its characters.
pub fn check_text(text: &str) -> Result<Vec<char>> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Err(Error::Text("the text is empty".into()));
    }
    if chars.len() > MAX_CHARS {
        return Err(Error::Text(format!(
            "the text has {} characters; analyses accept at most {MAX_CHARS}",
            chars.len()
        )));
    }
    Ok(chars)
}

/// Which activation tensor of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tensor {
    /// The hidden state `h`.
    H,
    /// The LSTM cell state `c`.
    C,
    /// Gate block `k` in storage order (LSTM `i, f, g, o`; GRU `r, z, n`).
    Gate(usize),
}

impl Tensor {
    /// Its name: `h`, `c`, or the gate's (`i`, `f`, `g`, `o`, `r`, `z`, `n`).
    pub fn name(self, cell: CellKind) -> &'static str {
        match self {
            Tensor::H => "h",
            Tensor::C => "c",
            Tensor::Gate(k) => cell.gate_names().get(k).copied().unwrap_or("?"),
        }
    }

    /// The tensor of `cell` called `name`, if the cell has one.
    pub fn parse(cell: CellKind, name: &str) -> Option<Tensor> {
        match name {
            "h" => Some(Tensor::H),
            "c" if cell.has_cell_state() => Some(Tensor::C),
            _ => cell
                .gate_names()
                .iter()
                .position(|&g| g == name)
                .map(Tensor::Gate),
        }
    }

    /// Every tensor of `cell`, in the order analyses report them: `h`, `c` (LSTM), then the gates.
    pub fn all(cell: CellKind) -> Vec<Tensor> {
        let mut out = vec![Tensor::H];
        if cell.has_cell_state() {
            out.push(Tensor::C);
        }
        out.extend((0..cell.gate_names().len()).map(Tensor::Gate));
        out
    }
}

/// The activations of a text, gathered once from the probe's steps (see [the module docs](self)).
#[derive(Debug, Clone, PartialEq)]
pub struct Activations {
    pub config: ModelConfig,
    /// The characters, one per row.
    pub chars: Vec<char>,
    /// `(T, L·H)`: row `t` is `h` of every layer after character `t`, layer `l` in columns `l·H..(l+1)·H`.
    h: Array2<f32>,
    /// `(T, L·H)` for the LSTM, `(T, 0)` otherwise.
    c: Array2<f32>,
    /// `(T, L·G·H)` for the LSTM and GRU, `(T, 0)` for the RNN; layer `l`, gate `k` in columns
    /// `(l·G + k)·H..(l·G + k + 1)·H`.
    gates: Array2<f32>,
    /// `(T, V)`: row `t` is the distribution over the character after `t`.
    probs: Array2<f32>,
}

impl Activations {
    /// Copies the probe's per-step vectors into `(T, ·)` arrays: the one copy every analysis works from.
    /// Refuses no steps, more than [`MAX_CHARS`], more than [`MAX_VALUES`] values, and steps whose vectors do
    /// not have the sizes `config` says.
    pub fn gather(config: ModelConfig, steps: &[ProbeStep]) -> Result<Activations> {
        let t = steps.len();
        if t == 0 {
            return Err(Error::Text("the text is empty".into()));
        }
        if t > MAX_CHARS {
            return Err(Error::Text(format!(
                "the text has {t} characters; analyses accept at most {MAX_CHARS}"
            )));
        }
        let lh = config.layers * config.hidden;
        let c_width = if config.cell.has_cell_state() { lh } else { 0 };
        let g_width = if config.cell.gate_names().is_empty() {
            0
        } else {
            lh * config.cell.gates()
        };
        let per_step = 2 * lh + g_width + config.vocab_size;
        if t.saturating_mul(per_step) > MAX_VALUES {
            return Err(Error::Analysis(format!(
                "{t} characters × {per_step} values per character is more than {MAX_VALUES} values; use a shorter text"
            )));
        }
        let check = |what: &str, got: usize, want: usize, at: usize| {
            if got == want {
                Ok(())
            } else {
                Err(Error::Analysis(format!(
                    "step {at}: {what} has {got} values, the model's shape says {want}"
                )))
            }
        };
        for (i, s) in steps.iter().enumerate() {
            check("h", s.h.len(), lh, i)?;
            check("c", s.c.len(), c_width, i)?;
            check("the gates", s.gates.len(), g_width, i)?;
            check("the probabilities", s.probs.len(), config.vocab_size, i)?;
        }
        let rows = |part: fn(&ProbeStep) -> &[f32], width: usize| {
            Array2::from_shape_vec((t, width), steps.iter().flat_map(part).copied().collect())
                .expect("every row was checked to have `width` values")
        };
        Ok(Activations {
            config,
            chars: steps.iter().map(|s| s.ch).collect(),
            h: rows(|s| &s.h, lh),
            c: rows(|s| &s.c, c_width),
            gates: rows(|s| &s.gates, g_width),
            probs: rows(|s| &s.probs, config.vocab_size),
        })
    }

    /// The activations of `model` over `text`, from a zero state: one probe step per character (a character
    /// outside the vocabulary is read as an all-zero input), gathered into the arrays every analysis reads.
    /// Refuses what [`Activations::gather`] refuses.
    pub fn of_text(model: &Model, text: &str) -> Result<Activations> {
        let mut probe = Probe::new(model);
        probe.sync(model, text);
        Activations::gather(model.config, probe.steps())
    }

    /// `T`.
    pub fn steps(&self) -> usize {
        self.chars.len()
    }

    /// `(T, H)` view of `tensor` in `layer`. Refuses a layer or tensor the model does not have.
    pub fn view(&self, layer: usize, tensor: Tensor) -> Result<ArrayView2<'_, f32>> {
        let (cell, hidden, layers) = (self.config.cell, self.config.hidden, self.config.layers);
        if layer >= layers {
            return Err(Error::Analysis(format!(
                "layer {layer} does not exist; the model has {layers} layer(s), 0..={}",
                layers - 1
            )));
        }
        let block = |k: usize| s![.., k * hidden..(k + 1) * hidden];
        match tensor {
            Tensor::H => Ok(self.h.slice(block(layer))),
            Tensor::C if cell.has_cell_state() => Ok(self.c.slice(block(layer))),
            Tensor::Gate(k) if k < cell.gate_names().len() => {
                Ok(self.gates.slice(block(layer * cell.gates() + k)))
            }
            _ => Err(Error::Analysis(format!(
                "a {} model has no tensor {}; it has {}",
                cell.name(),
                match tensor {
                    Tensor::C => "c".to_string(),
                    Tensor::Gate(k) => format!("gate {k}"),
                    Tensor::H => "h".to_string(),
                },
                Tensor::all(cell)
                    .iter()
                    .map(|t| t.name(cell))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// `(T)` view of one unit: column `unit` of [`Activations::view`]. Refuses a unit outside `0..H`.
    pub fn unit(
        &self,
        layer: usize,
        tensor: Tensor,
        unit: usize,
    ) -> Result<ndarray::ArrayView1<'_, f32>> {
        let hidden = self.config.hidden;
        if unit >= hidden {
            return Err(Error::Analysis(format!(
                "unit {unit} does not exist; layers have {hidden} units, 0..={}",
                hidden - 1
            )));
        }
        Ok(self
            .view(layer, tensor)?
            .index_axis_move(ndarray::Axis(1), unit))
    }

    /// `(T, V)`: row `t` is the model's distribution over the character after character `t`.
    pub fn probs(&self) -> ArrayView2<'_, f32> {
        self.probs.view()
    }
}

/// `(T, V)`: the distribution after each character of `text`, from a zero state (a character outside the
/// vocabulary is read as an all-zero input), as [`Activations::probs`] but without keeping any other activation:
/// the text runs forward in chunks of [`crate::eval::CHUNK`] steps. Refuses an empty text and one over
/// [`MAX_CHARS`].
pub fn predictions(model: &Model, text: &str) -> Result<Array2<f32>> {
    let chars = check_text(text)?;
    let v = model.config.vocab_size;
    let mut probs = Array2::zeros((chars.len(), v));
    let mut state = crate::model::State::zeros(&model.config, 1);
    crate::eval::run_chunks(
        model,
        &crate::eval::inputs_of(model, &chars),
        None,
        &[],
        &mut state,
        |chunk| {
            for t in 0..chunk.steps {
                probs
                    .row_mut(chunk.start + t)
                    .as_slice_mut()
                    .expect("a row of a standard-layout array is contiguous")
                    .copy_from_slice(chunk.tape.probs(t, 0));
            }
        },
    )?;
    Ok(probs)
}

/// Serialises an `(N)` array of `f32` as a plain JSON list, values that are not finite as `null` (JSON has no NaN).
pub(crate) fn ser_f32s<S: serde::Serializer>(
    a: &ndarray::Array1<f32>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(a.iter().map(|&x| x.is_finite().then_some(x)))
}

/// Serialises an `(N)` array as a plain JSON list (ndarray's own serde format wraps it in an object).
pub(crate) fn ser_array1<S: serde::Serializer>(
    a: &ndarray::Array1<f64>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(a.iter())
}
