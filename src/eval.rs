//! Loss of a model on a text, and its exact gradient; and the one way to run a text through the tape in chunks.
//!
//! The loss is the mean softmax cross-entropy, in nats, of predicting `text[t+1]` from `text[..=t]` for
//! `t = 0..n-2`, starting from an all-zero state.

use crate::clamp::Clamp;
use crate::error::{Error, Result};
use crate::model::{Model, State};
use crate::tape::{Tape, NONE};

/// Steps per chunk when a text runs forward only (the state is carried across chunks, so the result is the
/// same as one pass over the whole text).
pub const CHUNK: usize = 256;

/// The inputs of `chars`: vocabulary indices, [`NONE`] (an all-zero input) for a character outside the vocabulary.
pub fn inputs_of(model: &Model, chars: &[char]) -> Vec<u32> {
    chars
        .iter()
        .map(|&c| model.vocab.index_of(c).unwrap_or(NONE))
        .collect()
}

/// One chunk of [`run_chunks`], just computed.
pub struct Chunk<'a> {
    /// The tape holding the chunk's values: step `t` of the tape is input position `start + t`.
    pub tape: &'a Tape,
    /// The chunk's first input position.
    pub start: usize,
    /// Its number of steps.
    pub steps: usize,
    /// Mean cross-entropy over the chunk's steps that have a target (NaN when none has).
    pub loss: f32,
}

/// Runs `inputs` through `model` from `state`, in chunks of up to [`CHUNK`] steps on one tape of one stream,
/// with `clamps` held (see [`crate::clamp`]); step `t` is scored on `targets[t]` when `targets` is given (as
/// long as `inputs`, [`NONE`] for no target). After each chunk, calls `each` with it; leaves the state after
/// the last input in `state`. Refuses clamps the model cannot have and targets of another length.
pub fn run_chunks(
    model: &Model,
    inputs: &[u32],
    targets: Option<&[u32]>,
    clamps: &[Clamp],
    state: &mut State,
    mut each: impl FnMut(Chunk<'_>),
) -> Result<()> {
    if targets.is_some_and(|t| t.len() != inputs.len()) {
        return Err(Error::Config(format!(
            "{} inputs but {} targets",
            inputs.len(),
            targets.map_or(0, <[u32]>::len)
        )));
    }
    if inputs.is_empty() {
        return Ok(());
    }
    let mut tape = Tape::new(&model.config, CHUNK.min(inputs.len()), 1)?;
    tape.set_clamps(clamps)?;
    for start in (0..inputs.len()).step_by(tape.capacity()) {
        let steps = tape.capacity().min(inputs.len() - start);
        tape.inputs[..steps].copy_from_slice(&inputs[start..start + steps]);
        match targets {
            Some(t) => tape.targets[..steps].copy_from_slice(&t[start..start + steps]),
            None => tape.targets[..steps].fill(NONE),
        }
        let loss = tape.forward(model, state, steps).loss;
        each(Chunk {
            tape: &tape,
            start,
            steps,
            loss,
        });
    }
    Ok(())
}

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
    let mut state = State::zeros(&model.config, 1);
    let mut total = 0.0f64;
    run_chunks(
        model,
        &ids[..predictions],
        Some(&ids[1..]),
        &[],
        &mut state,
        |chunk| total += f64::from(chunk.loss) * chunk.steps as f64,
    )?;
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
