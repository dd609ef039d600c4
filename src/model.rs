//! The stacked character model: `L` recurrent layers fed one-hot characters, and a linear decoder to `V` scores.

use crate::cell::CellKind;
use crate::error::{Error, Result};
use crate::model_config::ModelConfig;
use crate::params::{Layout, Sizes};
use crate::vocab::Vocab;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

/// A character model: its shape, vocabulary and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub config: ModelConfig,
    pub vocab: Vocab,
    /// Where each named tensor sits in `params`.
    pub layout: Layout,
    /// All parameters, flat, in `layout` order.
    pub params: Vec<f32>,
}

impl Model {
    /// A freshly initialised model: every parameter uniform in `(-1/√H, 1/√H)`, PyTorch's default for
    /// `nn.RNN`/`nn.LSTM`/`nn.GRU` and (with fan-in `H`) for the `nn.Linear` decoder, drawn in layout order
    /// from a PCG-64 generator seeded with `seed`.
    pub fn new(
        cell: CellKind,
        hidden: usize,
        layers: usize,
        vocab: Vocab,
        seed: u64,
    ) -> Result<Model> {
        let config = ModelConfig {
            cell,
            vocab_size: vocab.len(),
            hidden,
            layers,
        };
        config.validate()?;
        let layout = Layout::new(&config);
        let bound = 1.0 / (hidden as f32).sqrt();
        let mut rng = Pcg64::seed_from_u64(seed);
        let params = (0..layout.total)
            .map(|_| rng.random_range(-bound..bound))
            .collect();
        Ok(Model {
            config,
            vocab,
            layout,
            params,
        })
    }

    /// A model with the given parameters (checked for length and for NaN/Inf, which name their tensor).
    pub fn from_params(config: ModelConfig, vocab: Vocab, params: Vec<f32>) -> Result<Model> {
        config.validate()?;
        if vocab.len() != config.vocab_size {
            return Err(Error::ModelFile(format!(
                "vocabulary has {} characters but the weights expect {}",
                vocab.len(),
                config.vocab_size
            )));
        }
        let layout = Layout::new(&config);
        if params.len() != layout.total {
            return Err(Error::ModelFile(format!(
                "{} parameters given, {} expected",
                params.len(),
                layout.total
            )));
        }
        if let Some(i) = params.iter().position(|v| !v.is_finite()) {
            let t = layout
                .tensors
                .iter()
                .find(|t| t.range.contains(&i))
                .expect("the layout covers every parameter");
            return Err(Error::ModelFile(format!(
                "tensor {} holds a non-finite value ({}) at element {}",
                t.name,
                params[i],
                i - t.range.start
            )));
        }
        Ok(Model {
            config,
            vocab,
            layout,
            params,
        })
    }

    /// The named tensor's values, row-major, or `None` for a name the model does not have.
    pub fn tensor(&self, name: &str) -> Option<&[f32]> {
        self.layout.get(name).map(|t| &self.params[t.range.clone()])
    }

    /// Sets element `index` (row-major) of the tensor `name` to `value` and returns its position in
    /// `params`. Refuses, changing nothing, a name the model does not have, an index outside the tensor and a
    /// value that is NaN or infinite.
    pub fn set_parameter(&mut self, name: &str, index: usize, value: f32) -> Result<usize> {
        let Some(t) = self.layout.get(name) else {
            let names: Vec<&str> = self
                .layout
                .tensors
                .iter()
                .map(|t| t.name.as_str())
                .collect();
            return Err(Error::Parameter(format!(
                "this model has no tensor named {name:?}; it has {}",
                names.join(", ")
            )));
        };
        if index >= t.range.len() {
            let shape: Vec<String> = t.shape.iter().map(usize::to_string).collect();
            return Err(Error::Parameter(format!(
                "index {index} is outside {name}, which has {} elements (shape {})",
                t.range.len(),
                shape.join("×")
            )));
        }
        if !value.is_finite() {
            return Err(Error::Parameter(format!(
                "{name}[{index}] must be a finite number, not {value}"
            )));
        }
        let at = t.range.start + index;
        self.params[at] = value;
        Ok(at)
    }

    pub(crate) fn sizes(&self) -> Sizes {
        Sizes::new(&self.config)
    }
}

/// The recurrent state of every layer for `B` streams: `h` `(L, B, H)` and, for the LSTM, `c` `(L, B, H)`
/// (empty for other cells). "No state" is [`State::zeros`]; both run the same code.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub h: Vec<f32>,
    pub c: Vec<f32>,
}

impl State {
    pub fn zeros(config: &ModelConfig, batch: usize) -> State {
        let n = config.layers * batch * config.hidden;
        let c = if config.cell.has_cell_state() { n } else { 0 };
        State {
            h: vec![0.0; n],
            c: vec![0.0; c],
        }
    }

    pub fn reset(&mut self) {
        self.h.fill(0.0);
        self.c.fill(0.0);
    }
}
