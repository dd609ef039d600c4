//! Loss of a model on a text, and its exact gradient.
//!
//! The loss is the mean softmax cross-entropy, in nats, of predicting `text[t+1]` from `text[..=t]` for
//! `t = 0..n-2`, starting from an all-zero state.

use crate::error::{Error, Result};
use crate::model::{Model, State};
use crate::tape::Tape;

/// Steps per chunk when only the loss is needed (the state is carried across chunks, so the result is
/// the same as one pass over the whole text).
const CHUNK: usize = 256;

fn encode_for_eval(model: &Model, text: &str) -> Result<Vec<u32>> {
    let ids = model.vocab.encode(text)?;
    if ids.len() < 2 {
        return Err(Error::Text(format!(
            "the text has {} character(s); at least 2 are needed to predict one from another",
            ids.len()
        )));
    }
    Ok(ids)
}

/// Mean cross-entropy of `ids` (already encoded, at least two) from a zero state.
pub fn loss_of_ids(model: &Model, ids: &[u32]) -> Result<f32> {
    let predictions = ids.len() - 1;
    let mut tape = Tape::new(&model.config, CHUNK.min(predictions), 1)?;
    let mut state = State::zeros(&model.config, 1);
    let mut total = 0.0f64;
    for start in (0..predictions).step_by(tape.capacity()) {
        let steps = tape.capacity().min(predictions - start);
        tape.inputs[..steps].copy_from_slice(&ids[start..start + steps]);
        tape.targets[..steps].copy_from_slice(&ids[start + 1..start + steps + 1]);
        let fwd = tape.forward(model, &mut state, steps);
        total += f64::from(fwd.loss) * steps as f64;
    }
    Ok((total / predictions as f64) as f32)
}

/// Mean cross-entropy of `text` under `model`.
pub fn loss(model: &Model, text: &str) -> Result<f32> {
    loss_of_ids(model, &encode_for_eval(model, text)?)
}

/// The loss and its gradient with respect to every parameter (layout of `model.params`), by
/// backpropagation through the whole text.
pub fn loss_and_grad(model: &Model, text: &str) -> Result<(f32, Vec<f32>)> {
    let ids = encode_for_eval(model, text)?;
    let steps = ids.len() - 1;
    let mut tape = Tape::new(&model.config, steps, 1)?;
    let mut state = State::zeros(&model.config, 1);
    tape.inputs[..steps].copy_from_slice(&ids[..steps]);
    tape.targets[..steps].copy_from_slice(&ids[1..]);
    let fwd = tape.forward(model, &mut state, steps);
    let loss = fwd.loss;
    let mut grads = vec![0.0; model.params.len()];
    tape.backward(model, fwd, &mut grads);
    Ok((loss, grads))
}
