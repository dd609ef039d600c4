//! A keystroke's probe computed in the page's own thread. The engine's worker answers a keystroke within a few
//! milliseconds, but its answer then waits on the page's thread behind the frame the keystroke started (layout,
//! paint, the text box's own work), so the new column showed a frame or two late. A `Stepper` holds the weights
//! of the probe the diagram shows (those of its last answer from position 0, which carries them) and computes the
//! new characters from the state at that probe's last character: one recurrent step each, with the same code
//! (and so the same numbers) as the engine's probe.

use super::js_err;
use super::probing::answer;
use crate::model_config::ModelConfig;
use crate::probe::Probe;
use crate::{CellKind, Model, Vocab};
use js_sys::Object;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Stepper {
    model: Model,
    probe: Probe,
}

#[wasm_bindgen]
impl Stepper {
    /// A model of `cell` (`"rnn"` with `nonlinearity` `"tanh"` or `"relu"`, `"lstm"`, `"gru"`), `hidden` units,
    /// `layers`, the characters of `vocab` in their order, and `params`, the flat weights (as an answer of
    /// `Session.probe` from position 0 carries them). Refuses a shape, vocabulary or weights that do not fit.
    #[wasm_bindgen(constructor)]
    pub fn new(
        cell: &str,
        nonlinearity: Option<String>,
        hidden: u32,
        layers: u32,
        vocab: &str,
        params: Vec<f32>,
    ) -> Result<Stepper, JsError> {
        let cell = CellKind::parse(cell, nonlinearity.as_deref()).map_err(|m| JsError::new(&m))?;
        let vocab = Vocab::from_chars(vocab.chars().collect()).map_err(js_err)?;
        let config = ModelConfig {
            cell,
            vocab_size: vocab.len(),
            hidden: hidden as usize,
            layers: layers as usize,
        };
        let model = Model::from_params(config, vocab, params).map_err(js_err)?;
        let probe = Probe::new(&model);
        Ok(Stepper { model, probe })
    }

    /// Replaces the weights with `params` (as many as the model has; every one finite), or refuses and keeps them.
    #[wasm_bindgen(js_name = setParams)]
    pub fn set_params(&mut self, params: &[f32]) -> Result<(), JsError> {
        if params.len() != self.model.params.len() {
            return Err(JsError::new(&format!(
                "{} weights given; this model has {}",
                params.len(),
                self.model.params.len()
            )));
        }
        if params.iter().any(|v| !v.is_finite()) {
            return Err(JsError::new("the weights hold a value that is not finite"));
        }
        self.model.params.copy_from_slice(params);
        Ok(())
    }

    /// The activations of the characters of `text` fed after the state `h` and `c` (a probe's `h` and `c` at its
    /// last character: `L·H` values each, layer after layer; `c` empty for cells without one), answered as
    /// `Session.probe` answers, as positions `from` on. Refuses a state that does not fit this model.
    pub fn step(&mut self, h: &[f32], c: &[f32], text: &str, from: u32) -> Result<Object, JsError> {
        self.probe
            .continue_from(&self.model, h, c)
            .map_err(js_err)?;
        for ch in text.chars() {
            self.probe.push(&self.model, ch);
        }
        Ok(answer(
            self.probe.steps(),
            &self.model.config,
            from as usize,
            None,
        ))
    }
}
