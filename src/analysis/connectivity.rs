//! Connectivity, after Distill's "Memorization in RNNs" (Madsen, 2019): how strongly the prediction at one
//! position depends on each earlier input character.
//!
//! For a chosen position `t̃` (the model has read `text[..=t̃]` and predicts `text[t̃ + 1]`), the connectivity
//! at an earlier position `t ≤ t̃` is the Euclidean norm of `∂ z / ∂ x_t`, where `z` is the score (logit, before
//! the softmax) of the character that really comes next and `x_t` is the one-hot input vector of character `t`.
//! One backward pass through time over the window gives all of them ([`Tape::backward_score_inputs`]: without the
//! parameters' gradients, and with what falls below 1e-30 on the way back flushed to zero, as subnormal arithmetic
//! made a 256-character window ten times slower and no norm shown depends on it).
//!
//! The window is the last `window` positions up to `t̃` (at most [`MAX_WINDOW`]); the state entering it comes
//! from a forward pass over the text before it and is held constant, as in truncated backpropagation. That pass is
//! kept ([`PrefixStates`]: the state after every whole chunk of [`CHUNK`] characters, for one text, set of weights
//! and clamps), so pointing at another position of the same text costs a forward pass of less than a chunk and
//! one pass over the window, not a pass over everything before it.
//! Clamped units ([`crate::clamp`]) are constants, so no gradient flows through them.

use super::{check_text, ser_f32s};
use crate::clamp::{Clamp, ClampedTensor};
use crate::error::{Error, Result};
use crate::eval::{inputs_of, run_chunks, CHUNK};
use crate::model::{Model, State};
use crate::tape::{Tape, NONE};
use ndarray::{Array1, ArrayView2, Axis};
use serde::Serialize;

/// Longest window of earlier characters connectivity goes back through.
pub const MAX_WINDOW: usize = 4096;

/// The connectivity of one prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Connectivity {
    /// `t̃`: the prediction made after reading `text[..=position]`.
    pub position: usize,
    /// `text[position + 1]`, whose score is differentiated.
    pub target: char,
    /// The probability the model gave `target`.
    pub prob: f32,
    /// First position of the window.
    pub from: usize,
    /// `(position − from + 1)`: entry `k` is the gradient norm at input position `from + k`.
    #[serde(serialize_with = "ser_f32s")]
    pub norms: Array1<f32>,
}

/// The connectivity of the prediction after `text[..=position]`, over at most `window` positions back.
/// Refuses a position without a next character, a next character outside the vocabulary, and a window of
/// 0 or over [`MAX_WINDOW`].
pub fn connectivity(
    model: &Model,
    text: &str,
    position: usize,
    window: usize,
    clamps: &[Clamp],
) -> Result<Connectivity> {
    connectivity_with(
        &mut PrefixStates::default(),
        model,
        text,
        position,
        window,
        clamps,
    )
}

/// [`connectivity`], with the states of the text before the window taken from (and kept in) `prefix`. The answer
/// is the same bit for bit: the states are those of the same chunks run from the start.
pub fn connectivity_with(
    prefix: &mut PrefixStates,
    model: &Model,
    text: &str,
    position: usize,
    window: usize,
    clamps: &[Clamp],
) -> Result<Connectivity> {
    let chars = check_text(text)?;
    if position + 1 >= chars.len() {
        return Err(Error::Analysis(format!(
            "position {position} has no next character; the text has {} characters, so positions 0..={} predict one",
            chars.len(),
            chars.len().saturating_sub(2)
        )));
    }
    if window == 0 || window > MAX_WINDOW {
        return Err(Error::Analysis(format!(
            "window {window} is outside 1..={MAX_WINDOW}"
        )));
    }
    let target = chars[position + 1];
    let class = model.vocab.index_of(target).ok_or_else(|| {
        Error::Analysis(format!(
            "the character after position {position}, {target:?}, is not in the model's vocabulary"
        ))
    })?;
    let inputs = inputs_of(model, &chars);
    let from = (position + 1).saturating_sub(window);
    let mut state = prefix.state_after(model, &inputs, clamps, from)?;
    let steps = position + 1 - from;
    let mut tape = Tape::new(&model.config, steps, 1)?;
    tape.set_clamps(clamps)?;
    tape.inputs[..steps].copy_from_slice(&inputs[from..=position]);
    tape.targets[..steps].fill(NONE);
    let fwd = tape.forward(model, &mut state, steps);
    let prob = tape.probs(steps - 1, 0)[class as usize];
    tape.backward_score_inputs(model, fwd, steps - 1, 0, class as usize);
    let v = model.config.vocab_size;
    let mut d_inputs = vec![0.0; steps * v];
    tape.input_grads(model, steps, &mut d_inputs);
    let d_inputs = ArrayView2::from_shape((steps, v), &d_inputs).expect("(steps, V) values");
    let norms = d_inputs.map_axis(Axis(1), |row| row.dot(&row).sqrt());
    Ok(Connectivity {
        position,
        target,
        prob,
        from,
        norms,
    })
}

/// The states a text reaches after each whole chunk of [`CHUNK`] characters (`states[k]` after the first
/// `k · CHUNK`), for the weights, text and clamps they were computed with; a request with others starts afresh.
/// The state after any prefix is then a forward pass of less than one chunk from one of them, over the same chunks a
/// run from the start takes, so it is the same bit for bit.
#[derive(Default)]
pub struct PrefixStates {
    key: Option<u64>,
    states: Vec<State>,
}

impl PrefixStates {
    /// The state after `inputs[..from]`, starting from zero.
    pub fn state_after(
        &mut self,
        model: &Model,
        inputs: &[u32],
        clamps: &[Clamp],
        from: usize,
    ) -> Result<State> {
        let key = fingerprint(model, inputs, clamps);
        if self.key != Some(key) {
            self.key = Some(key);
            self.states = vec![State::zeros(&model.config, 1)];
        }
        let k = from / CHUNK;
        while self.states.len() <= k {
            let j = self.states.len() - 1;
            let mut state = self.states[j].clone();
            run_chunks(
                model,
                &inputs[j * CHUNK..(j + 1) * CHUNK],
                None,
                clamps,
                &mut state,
                |_| {},
            )?;
            self.states.push(state);
        }
        let mut state = self.states[k].clone();
        run_chunks(
            model,
            &inputs[k * CHUNK..from],
            None,
            clamps,
            &mut state,
            |_| {},
        )?;
        Ok(state)
    }

    /// How many chunk states are kept (for tests).
    pub fn kept(&self) -> usize {
        self.states.len()
    }
}

/// A fingerprint of everything the states depend on: the cell and shape, the weights (bit for bit), the inputs
/// and the clamps.
fn fingerprint(model: &Model, inputs: &[u32], clamps: &[Clamp]) -> u64 {
    let shape = format!("{:?}", model.config).into_bytes();
    let clamps = clamps.iter().flat_map(|c| {
        let tensor = u32::from(c.tensor == ClampedTensor::C);
        [c.layer as u32, tensor, c.unit as u32, c.value.to_bits()]
    });
    crate::trainer::fingerprint::fingerprint(
        shape
            .into_iter()
            .map(u32::from)
            .chain(model.params.iter().map(|p| p.to_bits()))
            .chain(std::iter::once(u32::MAX))
            .chain(inputs.iter().copied())
            .chain(clamps),
    )
}
