//! The session's probes of the diagram's text. `probe` answers at once from the probe the diagram shows,
//! computing only the characters after the common prefix with the text it last probed. A probe of the whole text
//! with newer weights is built beside it, double-buffered: `probeFreshBegin` snapshots the weights, each
//! `probeFreshAdvance` computes a slice of characters (so the worker can answer keystrokes between slices), and
//! `probeFreshSwap` makes it the probe the diagram shows once it has reached the end of the text.

use super::{js_err, object, Session};
use crate::model_config::ModelConfig;
use crate::probe::{Probe, ProbeStep};
use crate::Model;
use js_sys::{Float32Array, Int32Array, Object};
use wasm_bindgen::prelude::*;

/// A probe being built from a snapshot of the weights, which training does not touch.
pub(super) struct FreshProbe {
    model: Model,
    probe: Probe,
    /// Whether the last `probeFreshAdvance` reached the end of the text it was given.
    done: bool,
}

/// `{from, steps, vocab, layers, hidden, gates, input, h, c, gate, logits, probs}`: `steps`, the characters from
/// position `from` on, each part flattened step after step; and `params` (the flat weights they were computed
/// with) when given: an answer from position 0 carries them, so that the page can go on from it by itself
/// (`Stepper`, stepper.rs).
pub(super) fn answer(
    steps: &[ProbeStep],
    config: &ModelConfig,
    from: usize,
    params: Option<&[f32]>,
) -> Object {
    let flat = |part: fn(&ProbeStep) -> &Vec<f32>| -> Float32Array {
        let v: Vec<f32> = steps.iter().flat_map(|s| part(s).iter().copied()).collect();
        Float32Array::from(v.as_slice())
    };
    let input: Vec<i32> = steps
        .iter()
        .map(|s| s.input.map_or(-1, |i| i as i32))
        .collect();
    let gates = config.cell.gate_names().len();
    let has_c = config.cell.has_cell_state();
    let or_null = |present: bool, part: fn(&ProbeStep) -> &Vec<f32>| -> JsValue {
        if present {
            flat(part).into()
        } else {
            JsValue::NULL
        }
    };
    object(&[
        ("from", JsValue::from(from as u32)),
        ("steps", JsValue::from(steps.len() as u32)),
        ("vocab", JsValue::from(config.vocab_size as u32)),
        ("layers", JsValue::from(config.layers as u32)),
        ("hidden", JsValue::from(config.hidden as u32)),
        ("gates", JsValue::from(gates as u32)),
        ("input", Int32Array::from(input.as_slice()).into()),
        ("h", flat(|s| &s.h).into()),
        ("c", or_null(has_c, |s| &s.c)),
        ("gate", or_null(gates > 0, |s| &s.gates)),
        ("logits", flat(|s| &s.logits).into()),
        ("probs", flat(|s| &s.probs).into()),
        (
            "params",
            params.map_or(JsValue::NULL, |p| Float32Array::from(p).into()),
        ),
    ])
}

/// `answer` for the steps of `probe` from `from` on, with the weights when `from` is 0.
fn answer_from(probe: &Probe, model: &Model, from: usize) -> Object {
    let params = (from == 0).then_some(model.params.as_slice());
    answer(&probe.steps()[from..], &model.config, from, params)
}

#[wasm_bindgen]
impl Session {
    /// Activations of `text`, computed only from the first character that differs from the previous call's.
    pub fn probe(&mut self, text: &str) -> Object {
        let model = self.trainer.model();
        let from = self.probe.sync(model, text);
        answer_from(&self.probe, model, from)
    }

    /// Forgets the probe's positions from `n` on (keeping the state after the first `n`): the page holds only
    /// the first `n` of the text last probed (it deleted the rest itself), so the next `probe` must not answer
    /// from further on.
    #[wasm_bindgen(js_name = probeKeep)]
    pub fn probe_keep(&mut self, n: u32) {
        if (n as usize) < self.probe.steps().len() {
            self.probe.truncate(n as usize);
        }
    }

    #[wasm_bindgen(js_name = probeReset)]
    pub fn probe_reset(&mut self) {
        self.probe.reset();
    }

    /// Starts a fresh probe from a snapshot of the weights as they are now, with the clamps in force (replacing
    /// one on its way). The probe the diagram shows is untouched until `probeFreshSwap`.
    #[wasm_bindgen(js_name = probeFreshBegin)]
    pub fn probe_fresh_begin(&mut self) -> Result<(), JsError> {
        let model = self.trainer.model().clone();
        let mut probe = Probe::new(&model);
        probe.set_clamps(&model, &self.clamps).map_err(js_err)?;
        self.fresh = Some(FreshProbe {
            model,
            probe,
            done: false,
        });
        Ok(())
    }

    /// Computes up to `most` more characters of the fresh probe towards `text` (the text the diagram shows now;
    /// what it has in common with the text given before is kept). Answers whether the fresh probe now holds all
    /// of `text`. Refuses when no fresh probe was begun.
    #[wasm_bindgen(js_name = probeFreshAdvance)]
    pub fn probe_fresh_advance(&mut self, text: &str, most: u32) -> Result<bool, JsError> {
        let fresh = self
            .fresh
            .as_mut()
            .ok_or_else(|| JsError::new("no fresh probe was begun (probeFreshBegin)"))?;
        fresh.done = fresh
            .probe
            .advance(&fresh.model, text, (most as usize).max(1));
        Ok(fresh.done)
    }

    /// Makes the fresh probe, which must have reached the end of its text, the probe the diagram shows, and
    /// answers all of it as `probe` answers (from 0). Later `probe` calls go on from it with the weights as they
    /// are then. Refuses when there is none or it is not finished, and keeps the probe shown.
    #[wasm_bindgen(js_name = probeFreshSwap)]
    pub fn probe_fresh_swap(&mut self) -> Result<Object, JsError> {
        match self.fresh.take() {
            Some(fresh) if fresh.done => {
                self.probe = fresh.probe;
                Ok(answer_from(&self.probe, &fresh.model, 0))
            }
            Some(unfinished) => {
                self.fresh = Some(unfinished);
                Err(JsError::new(
                    "the fresh probe has not reached the end of its text",
                ))
            }
            None => Err(JsError::new("no fresh probe was begun (probeFreshBegin)")),
        }
    }
}
