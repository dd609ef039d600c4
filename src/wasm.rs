//! The only wasm-bindgen surface: a thin wrapper that converts between JavaScript values and the core's types.
//! Coarse calls, small results; bulk floats leave as `Float32Array` copies (never views into wasm memory);
//! every error becomes a JS `Error` carrying the Rust message. See `docs/wasm-api.md`.

use crate::analysis::request::{self, Cache, Request};
use crate::clamp::Clamp;
use crate::corpus;
use crate::error::Error;
use crate::model_file;
use crate::probe::Probe;
use crate::sampler::Sampler;
use crate::{CellKind, Model, Resumed, StepReport, TrainConfig, Trainer, Vocab};
use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use serde::Serialize;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

mod workers;
pub use workers::StepHelper;

mod convert;
use convert::{js_err, object, parse_settings, request_from, strings};

mod probing;
use probing::FreshProbe;

mod stepper;
pub use stepper::Stepper;

#[wasm_bindgen(js_name = corpusNames)]
pub fn corpus_names() -> Array {
    strings(corpus::NAMES.iter().map(|s| s.to_string()))
}

#[wasm_bindgen(js_name = corpusText)]
pub fn corpus_text(name: &str) -> Result<String, JsError> {
    corpus::get(name).ok_or_else(|| JsError::new(&format!("no embedded corpus named {name:?}")))
}

/// What a model file says of itself, after validating the whole file exactly as loading it would (so a file it
/// accepts loads, given a text that fits): `{vocab, corpus}`, the vocabulary in the file's order and the embedded
/// corpus its `train_config` names (`null` when it learnt another text, or the file does not say).
#[wasm_bindgen(js_name = modelFileInfo)]
pub fn model_file_info(bytes: &[u8]) -> Result<Object, JsError> {
    let (model, metadata) = model_file::from_bytes(bytes).map_err(js_err)?;
    /// The one field of a `train_config` read here (the others are ignored).
    #[derive(serde::Deserialize)]
    struct Learnt {
        corpus: Option<String>,
    }
    let corpus = metadata
        .get(model_file::KEY_TRAIN_CONFIG)
        .and_then(|json| serde_json::from_str::<Learnt>(json).ok())
        .and_then(|l| l.corpus)
        .filter(|name| corpus::NAMES.contains(&name.as_str()));
    Ok(object(&[
        (
            "vocab",
            strings(model.vocab.chars().iter().map(|c| c.to_string())).into(),
        ),
        (
            "corpus",
            corpus.map_or(JsValue::NULL, |c| JsValue::from_str(&c)),
        ),
    ]))
}

#[wasm_bindgen(js_name = gateNames)]
pub fn gate_names(cell: &str) -> Result<Array, JsError> {
    let cell = CellKind::parse(cell, None).map_err(|e| JsError::new(&e))?;
    Ok(strings(cell.gate_names().iter().map(|s| s.to_string())))
}

/// One model with its trainer, probe and sampler.
#[wasm_bindgen]
pub struct Session {
    trainer: Trainer,
    text: String,
    probe: Probe,
    /// The probe being built afresh from a snapshot of the weights, in slices (`probeFreshBegin`).
    fresh: Option<FreshProbe>,
    sampler: Option<Sampler>,
    /// Units held while probing and sampling (`setClamps`).
    clamps: Vec<Clamp>,
    cache: Cache,
}

impl Session {
    fn build(model: Model, text: String, config: TrainConfig) -> Result<Session, JsError> {
        let probe = Probe::new(&model);
        let trainer = Trainer::new(model, &text, config).map_err(js_err)?;
        Ok(Session {
            trainer,
            text,
            probe,
            fresh: None,
            sampler: None,
            clamps: Vec::new(),
            cache: Cache::default(),
        })
    }

    fn model(&self) -> &Model {
        self.trainer.model()
    }
}

#[wasm_bindgen]
impl Session {
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue, text: String) -> Result<Session, JsError> {
        let s = parse_settings(settings)?;
        let config = s.train_config().map_err(js_err)?;
        let vocab = Vocab::from_text(&text).map_err(js_err)?;
        let model = s.new_model(vocab).map_err(js_err)?;
        Session::build(model, text, config)
    }

    #[wasm_bindgen(js_name = fromModel)]
    pub fn from_model(bytes: &[u8], settings: JsValue, text: String) -> Result<Session, JsError> {
        let config = parse_settings(settings)?.train_config().map_err(js_err)?;
        let (model, metadata) = model_file::from_bytes(bytes).map_err(js_err)?;
        let mut session = Session::build(model, text, config)?;
        if let Some(step) = metadata
            .get(model_file::KEY_STEP)
            .and_then(|s| s.parse().ok())
        {
            session.trainer.set_steps_done(step);
        }
        Ok(session)
    }

    #[wasm_bindgen(js_name = setText)]
    pub fn set_text(&mut self, text: String) -> Result<(), JsError> {
        self.trainer.set_text(&text).map_err(js_err)?;
        self.text = text;
        Ok(())
    }

    /// Trains exactly `n` steps.
    pub fn train(&mut self, n: u32) -> Result<Object, JsError> {
        self.train_until(n, None)
    }

    /// Trains for about `ms` milliseconds of wall time (at least one step, at most `max_steps`), timing itself with
    /// the global `performance` clock (the worker's, the page's or Node's), so the caller need not guess how many
    /// steps fit in a slice of its event loop.
    #[wasm_bindgen(js_name = trainFor)]
    pub fn train_for(&mut self, ms: f64, max_steps: u32) -> Result<Object, JsError> {
        if !(ms.is_finite() && ms >= 0.0) {
            return Err(JsError::new(&format!(
                "invalid setting: trainFor needs a time ≥ 0 ms, not {ms}"
            )));
        }
        let clock: web_sys::Performance =
            Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
                .ok()
                .filter(|p| !p.is_undefined())
                .ok_or_else(|| JsError::new("this environment has no performance clock"))?
                .unchecked_into();
        let deadline = clock.now() + ms;
        self.train_until(max_steps.max(1), Some((clock, deadline)))
    }
}

impl Session {
    /// Up to `n` steps, stopping after the step that reaches `deadline` on `clock` when one is given.
    fn train_until(
        &mut self,
        n: u32,
        deadline: Option<(web_sys::Performance, f64)>,
    ) -> Result<Object, JsError> {
        let mut steps = Steps::with_capacity(n.min(4096) as usize);
        for _ in 0..n {
            steps.add(self.trainer.step().map_err(js_err)?);
            if deadline
                .as_ref()
                .is_some_and(|(clock, at)| clock.now() >= *at)
            {
                break;
            }
        }
        Ok(steps.report(&self.trainer))
    }
}

/// The steps of one training call, reported as `{step, loss, meanLoss, smoothLoss, gradNorm, clipped, chars,
/// wrapped, losses}` (see `docs/wasm-api.md`).
struct Steps {
    losses: Vec<f32>,
    clipped: u32,
    chars: usize,
    wrapped: bool,
    last: Option<StepReport>,
}

impl Steps {
    fn with_capacity(n: usize) -> Steps {
        Steps {
            losses: Vec::with_capacity(n),
            clipped: 0,
            chars: 0,
            wrapped: false,
            last: None,
        }
    }

    fn add(&mut self, r: StepReport) {
        self.losses.push(r.loss);
        self.clipped += u32::from(r.clipped);
        self.chars += r.chars;
        self.wrapped |= r.wrapped;
        self.last = Some(r);
    }

    fn report(&self, trainer: &Trainer) -> Object {
        let mean = if self.losses.is_empty() {
            f32::NAN
        } else {
            self.losses.iter().sum::<f32>() / self.losses.len() as f32
        };
        let (loss, grad_norm) = self
            .last
            .map_or((f32::NAN, f32::NAN), |r| (r.loss, r.grad_norm));
        object(&[
            ("step", JsValue::from_f64(trainer.steps_done() as f64)),
            ("loss", JsValue::from_f64(loss.into())),
            ("meanLoss", JsValue::from_f64(mean.into())),
            (
                "smoothLoss",
                JsValue::from_f64(trainer.smooth_loss().into()),
            ),
            ("gradNorm", JsValue::from_f64(grad_norm.into())),
            ("clipped", JsValue::from(self.clipped)),
            ("chars", JsValue::from_f64(self.chars as f64)),
            ("wrapped", JsValue::from_bool(self.wrapped)),
            ("losses", Float32Array::from(self.losses.as_slice()).into()),
        ])
    }
}

#[wasm_bindgen]
impl Session {
    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, lr: f32) -> Result<(), JsError> {
        self.trainer.set_lr(lr).map_err(js_err)
    }

    #[wasm_bindgen(js_name = setClip)]
    pub fn set_clip(&mut self, clip: f32) -> Result<(), JsError> {
        self.trainer.set_clip(clip).map_err(js_err)
    }

    #[wasm_bindgen(js_name = validationLoss)]
    pub fn validation_loss(&self, max_chars: u32) -> f32 {
        self.trainer
            .validation_loss(max_chars as usize)
            .unwrap_or(f32::NAN)
    }

    #[wasm_bindgen(js_name = sampleBegin)]
    pub fn sample_begin(
        &mut self,
        prime: &str,
        temperature: f32,
        top_k: u32,
        seed: u64,
    ) -> Result<(), JsError> {
        let sampler = Sampler::with_clamps(
            self.model(),
            prime,
            temperature,
            top_k as usize,
            seed,
            &self.clamps,
        )
        .map_err(js_err)?;
        self.sampler = Some(sampler);
        Ok(())
    }

    #[wasm_bindgen(js_name = sampleNext)]
    pub fn sample_next(&mut self, n: u32) -> Result<String, JsError> {
        let model = self.trainer.model();
        let sampler = self
            .sampler
            .as_mut()
            .ok_or_else(|| JsError::new("call sampleBegin before sampleNext"))?;
        Ok((0..n).map(|_| sampler.next_char(model)).collect())
    }

    /// Every parameter tensor as `{name, shape: number[], data: Float32Array}` (copies), in the model file's
    /// (PyTorch `state_dict`) order.
    pub fn parameters(&self) -> Array {
        let m = self.model();
        m.layout
            .tensors
            .iter()
            .map(|t| {
                let shape: Array = t.shape.iter().map(|&n| JsValue::from(n as u32)).collect();
                object(&[
                    ("name", JsValue::from_str(&t.name)),
                    ("shape", shape.into()),
                    (
                        "data",
                        Float32Array::from(&m.params[t.range.clone()]).into(),
                    ),
                ])
            })
            .collect()
    }

    /// Sets element `index` (row-major) of the tensor `name` to `value`; the trainer goes on from the edited
    /// weights and the next probe recomputes from the first character. See `Model::set_parameter`.
    #[wasm_bindgen(js_name = setParameter)]
    pub fn set_parameter(&mut self, name: &str, index: f64, value: f64) -> Result<(), JsError> {
        // JavaScript numbers are doubles: refuse what would not survive the conversion instead of rounding it.
        if !(index >= 0.0 && index.fract() == 0.0 && index <= f64::from(u32::MAX)) {
            return Err(js_err(Error::Parameter(format!(
                "index {index} of {name} is not a whole number ≥ 0"
            ))));
        }
        let single = value as f32;
        if value.is_finite() && !single.is_finite() {
            return Err(js_err(Error::Parameter(format!(
                "{name}[{index}] = {value} is beyond the range of a 32-bit float"
            ))));
        }
        self.trainer
            .set_parameter(name, index as usize, single)
            .map_err(js_err)?;
        self.probe.reset();
        Ok(())
    }

    /// The model as a `.safetensors` file, with its step and, when given, `trainConfig` (the JSON of the settings it
    /// trains with, as the CLI's `train --resume` reads them) as its `train_config`.
    #[wasm_bindgen(js_name = modelBytes)]
    pub fn model_bytes(&self, train_config: Option<String>) -> Uint8Array {
        let mut extra = BTreeMap::new();
        extra.insert(
            model_file::KEY_STEP.to_string(),
            self.trainer.steps_done().to_string(),
        );
        if let Some(json) = train_config {
            extra.insert(model_file::KEY_TRAIN_CONFIG.to_string(), json);
        }
        let bytes = model_file::to_bytes(self.model(), &extra);
        Uint8Array::from(bytes.as_slice())
    }

    /// The training state (optimizer moments, data position, recurrent state) as `.safetensors` bytes; see
    /// `Trainer::training_state`.
    #[wasm_bindgen(js_name = trainingState)]
    pub fn training_state(&self) -> Uint8Array {
        Uint8Array::from(self.trainer.training_state().as_slice())
    }

    /// Goes on from a training state saved with these same weights. Answers `{exact, note}`: `exact` when the
    /// data position and recurrent state came back too; otherwise `note` says why only the optimizer state did.
    /// Throws, changing nothing, for a corrupt state or one saved with other weights or another optimizer.
    pub fn resume(&mut self, bytes: &[u8]) -> Result<Object, JsError> {
        let (exact, note) = match self.trainer.resume(bytes).map_err(js_err)? {
            Resumed::Exactly => (true, String::new()),
            Resumed::OptimizerOnly(why) => (false, why),
        };
        Ok(object(&[
            ("exact", JsValue::from_bool(exact)),
            ("note", JsValue::from_str(&note)),
        ]))
    }

    /// Holds units at values while probing and sampling (`[{layer, tensor: "h"|"c", unit, value}]`; an empty
    /// list releases them). The next probe starts afresh. Refuses clamps the model cannot have, keeping the
    /// previous ones.
    #[wasm_bindgen(js_name = setClamps)]
    pub fn set_clamps(&mut self, clamps: JsValue) -> Result<(), JsError> {
        let clamps: Vec<Clamp> = serde_wasm_bindgen::from_value(clamps)
            .map_err(|e| JsError::new(&format!("invalid clamp: {e}")))?;
        let model = self.trainer.model();
        self.probe.set_clamps(model, &clamps).map_err(js_err)?;
        self.clamps = clamps;
        self.sampler = None;
        // A fresh probe on its way was computed without the new clamps: it starts again with them.
        if self.fresh.is_some() {
            self.probe_fresh_begin()?;
        }
        Ok(())
    }

    /// Runs one instrument (`{kind, text, …}`, see `analysis::request`) on the model as it is now, and returns
    /// its report as a plain object.
    pub fn analyse(&mut self, request: JsValue) -> Result<JsValue, JsError> {
        let request: Request = request_from(request)?;
        let train = request::training_text(
            &self.text,
            self.trainer.config().val_fraction,
            request.text(),
        );
        let report =
            request::run(self.trainer.model(), train, &mut self.cache, &request).map_err(js_err)?;
        report
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| JsError::new(&format!("cannot return the report: {e}")))
    }

    pub fn info(&self) -> Object {
        let m = self.model();
        let nonlinearity = match m.config.cell {
            CellKind::Rnn(crate::cell::Activation::Relu) => "relu",
            _ => "tanh",
        };
        object(&[
            ("cell", JsValue::from_str(m.config.cell.name())),
            ("nonlinearity", JsValue::from_str(nonlinearity)),
            ("hidden", JsValue::from(m.config.hidden as u32)),
            ("layers", JsValue::from(m.config.layers as u32)),
            (
                "vocab",
                strings(m.vocab.chars().iter().map(|c| c.to_string())).into(),
            ),
            ("params", JsValue::from(m.params.len() as u32)),
            ("step", JsValue::from_f64(self.trainer.steps_done() as f64)),
        ])
    }
}
