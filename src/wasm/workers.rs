//! Training on more than one Web Worker: the worker that owns the session shares each step with helpers (see
//! `trainer::parallel`). The session hands out every group's work with the weights (`shareBegin`), computes the
//! first group itself (`shareRunFirst`) or leaves it to a helper too, and sums the answers (`shareFinish`); a
//! [`StepHelper`] in each other worker answers one part at a time. Everything crosses as typed-array copies.

use super::{js_err, object, Session, Steps};
use crate::model_file;
use crate::tape::MaskDraw;
use crate::trainer::parallel::{PartDone, PartRunner, PartWork};
use js_sys::{Array, Float32Array, Object, Reflect, Uint32Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn field(obj: &JsValue, key: &str) -> Result<JsValue, JsError> {
    let v = Reflect::get(obj, &JsValue::from_str(key))
        .map_err(|_| JsError::new(&format!("a part of a step has no readable {key:?}")))?;
    if v.is_undefined() {
        return Err(JsError::new(&format!("a part of a step has no {key:?}")));
    }
    Ok(v)
}

fn floats(obj: &JsValue, key: &str) -> Result<Vec<f32>, JsError> {
    field(obj, key)?
        .dyn_into::<Float32Array>()
        .map(|a| a.to_vec())
        .map_err(|_| {
            JsError::new(&format!(
                "{key:?} of a part of a step is not a Float32Array"
            ))
        })
}

fn count(obj: &JsValue, key: &str) -> Result<usize, JsError> {
    let v = field(obj, key)?.as_f64().unwrap_or(f64::NAN);
    if !(v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64) {
        return Err(JsError::new(&format!(
            "{key:?} of a part of a step must be a whole number"
        )));
    }
    Ok(v as usize)
}

fn work_to_js(w: &PartWork) -> Object {
    object(&[
        ("streams", JsValue::from(w.streams as u32)),
        ("steps", JsValue::from(w.steps as u32)),
        ("inputs", Uint32Array::from(w.inputs.as_slice()).into()),
        ("targets", Uint32Array::from(w.targets.as_slice()).into()),
        ("h", Float32Array::from(w.h.as_slice()).into()),
        ("c", Float32Array::from(w.c.as_slice()).into()),
        (
            "dropout",
            Uint32Array::from(&draw_words(&w.dropout)[..]).into(),
        ),
    ])
}

/// Where a part's dropout masks come from, as six words a worker passes on unread: `p`'s bits, then the seed and
/// the step (low word first), then the first stream.
fn draw_words(d: &MaskDraw) -> [u32; 6] {
    let (seed, step) = (d.seed, d.step);
    [
        d.p.to_bits(),
        seed as u32,
        (seed >> 32) as u32,
        step as u32,
        (step >> 32) as u32,
        d.first_stream as u32,
    ]
}

fn draw_from_words(w: &[u32]) -> Result<MaskDraw, JsError> {
    let [p, seed_lo, seed_hi, step_lo, step_hi, first] = w else {
        return Err(JsError::new(
            "\"dropout\" of a part of a step is not six words",
        ));
    };
    let wide = |lo: u32, hi: u32| u64::from(lo) | u64::from(hi) << 32;
    Ok(MaskDraw {
        p: f32::from_bits(*p),
        seed: wide(*seed_lo, *seed_hi),
        step: wide(*step_lo, *step_hi),
        first_stream: *first as usize,
    })
}

fn work_from_js(v: &JsValue) -> Result<PartWork, JsError> {
    let ids = |key: &str| -> Result<Vec<u32>, JsError> {
        field(v, key)?
            .dyn_into::<Uint32Array>()
            .map(|a| a.to_vec())
            .map_err(|_| JsError::new(&format!("{key:?} of a part of a step is not a Uint32Array")))
    };
    Ok(PartWork {
        streams: count(v, "streams")?,
        steps: count(v, "steps")?,
        inputs: ids("inputs")?,
        targets: ids("targets")?,
        h: floats(v, "h")?,
        c: floats(v, "c")?,
        dropout: draw_from_words(&ids("dropout")?)?,
    })
}

fn done_to_js(d: &PartDone) -> Object {
    object(&[
        ("loss", JsValue::from_f64(d.loss.into())),
        ("grads", Float32Array::from(d.grads.as_slice()).into()),
        ("h", Float32Array::from(d.h.as_slice()).into()),
        ("c", Float32Array::from(d.c.as_slice()).into()),
    ])
}

fn done_from_js(v: &JsValue) -> Result<PartDone, JsError> {
    let loss = field(v, "loss")?
        .as_f64()
        .ok_or_else(|| JsError::new("\"loss\" of a part of a step is not a number"))?;
    Ok(PartDone {
        loss: loss as f32,
        grads: floats(v, "grads")?,
        h: floats(v, "h")?,
        c: floats(v, "c")?,
    })
}

#[wasm_bindgen]
impl Session {
    /// Splits each step's streams into `n` groups, one per worker (1 = no split); answers how many groups a step
    /// really has (never more than the batch has streams). Without helpers the groups run one after another here:
    /// the numbers are the same. Drops a shared step in flight.
    #[wasm_bindgen(js_name = setWorkers)]
    pub fn set_workers(&mut self, n: u32) -> Result<u32, JsError> {
        self.trainer.set_threads(n as usize).map_err(js_err)?;
        Ok(self.trainer.groups_used() as u32)
    }

    /// Groups (workers) a step is split into.
    pub fn workers(&self) -> u32 {
        self.trainer.groups_used() as u32
    }

    /// Starts a step shared with helpers: `{params, parts}`, the weights and one part per group (`{streams, steps,
    /// inputs, targets, h, c, dropout}`), for [`StepHelper::run`]. Refuses when the step is not split.
    #[wasm_bindgen(js_name = shareBegin)]
    pub fn share_begin(&mut self) -> Result<Object, JsError> {
        let works = self.trainer.begin_shared_step().map_err(js_err)?;
        let parts: Array = works.iter().map(work_to_js).collect();
        Ok(object(&[
            (
                "params",
                Float32Array::from(self.trainer.model().params.as_slice()).into(),
            ),
            ("parts", parts.into()),
        ]))
    }

    /// Whether the shared step begun last still waits for its answers: false once a change dropped it (a new
    /// text, a weight edit, `setWorkers`, `train`, `resume`) or it finished.
    #[wasm_bindgen(js_name = shareInFlight)]
    pub fn share_in_flight(&self) -> bool {
        self.trainer.shared_step_in_flight()
    }

    /// Computes the first part of the shared step in flight here (then `shareFinish` takes the others' answers).
    #[wasm_bindgen(js_name = shareRunFirst)]
    pub fn share_run_first(&mut self) -> Result<(), JsError> {
        self.trainer.run_first_part().map_err(js_err)
    }

    /// Finishes the shared step in flight with the helpers' answers, in the order of the parts (all of them, or
    /// all but the first after `shareRunFirst`), and answers as `train(1)` does. Refuses answers that do not fit,
    /// and a step dropped since it began (nothing changes).
    #[wasm_bindgen(js_name = shareFinish)]
    pub fn share_finish(&mut self, answers: Array) -> Result<Object, JsError> {
        let done = answers
            .iter()
            .map(|a| done_from_js(&a))
            .collect::<Result<Vec<_>, _>>()?;
        let r = self.trainer.finish_shared_step(&done).map_err(js_err)?;
        let mut steps = Steps::with_capacity(1);
        steps.add(r);
        Ok(steps.report(&self.trainer))
    }
}

/// The helper side of a shared step: a model's shape, computing parts on the weights each is sent with.
#[wasm_bindgen]
pub struct StepHelper {
    runner: PartRunner,
}

#[wasm_bindgen]
impl StepHelper {
    /// A helper for models shaped as the one in `bytes` (a model file, as `Session.modelBytes` gives).
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<StepHelper, JsError> {
        let (model, _) = model_file::from_bytes(bytes).map_err(js_err)?;
        Ok(StepHelper {
            runner: PartRunner::new(model),
        })
    }

    /// Forward and backward of one part (`{streams, steps, inputs, targets, h, c, dropout}`) with the weights `params`:
    /// `{loss, grads, h, c}` for `Session.shareFinish`. Refuses a part or weights that do not fit the model.
    pub fn run(&mut self, params: &[f32], part: JsValue) -> Result<Object, JsError> {
        let work = work_from_js(&part)?;
        let done = self.runner.run(params, &work).map_err(js_err)?;
        Ok(done_to_js(&done))
    }
}
