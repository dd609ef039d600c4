//! The training-state file: everything besides the weights that a run needs to go on exactly where it
//! stopped, so that training N steps, saving, and resuming for M more gives the same weights as N + M steps
//! in one go.
//!
//! It is a `.safetensors` file of f32 tensors beside the model file (the model file itself stays a plain
//! PyTorch `state_dict`):
//!
//! - `{buffer}.{parameter}`: the optimizer's per-parameter buffers, named as `torch.optim` names them
//!   (`exp_avg` and `exp_avg_sq` for Adam, `square_avg` for RMSprop, `sum` for Adagrad, `momentum_buffer`
//!   for SGD), each with its parameter's shape;
//! - `state.h` `(L, B, H)` and, for an LSTM, `state.c` `(L, B, H)`: the recurrent state carried into the next
//!   window of each of the B streams.
//!
//! The metadata holds the optimizer, its update count, the step, the data position, the smoothed loss, the
//! window shape, and fingerprints of the weights and of the text, so that a state is only ever applied to the
//! weights it was saved with, and the data position only to the same text cut the same way.

use super::fingerprint::fingerprint;
use super::Trainer;
use crate::error::{Error, Result};
use crate::model_file::{copy_f32, parse, tensors_to_bytes};
use crate::params::Layout;
use safetensors::tensor::Dtype;
use std::collections::BTreeMap;

const FORMAT: &str = "rnnscope training state";
const VERSION: &str = "1";

/// What [`Trainer::resume`] brought back.
#[derive(Debug, Clone, PartialEq)]
pub enum Resumed {
    /// Optimizer state, data position, recurrent state and smoothed loss: the run goes on exactly.
    Exactly,
    /// The optimizer state only; the data starts from its beginning, for the reason given (another text, or
    /// another batch or window length).
    OptimizerOnly(String),
}

fn bad(msg: impl Into<String>) -> Error {
    Error::TrainingState(msg.into())
}

impl Trainer {
    fn params_fingerprint(&self) -> u64 {
        fingerprint(self.model.params.iter().map(|p| p.to_bits()))
    }

    /// The tensors of a training-state file for this run, in file order.
    fn state_layout(&self) -> Layout {
        let c = &self.model.config;
        let mut shapes = Vec::new();
        for &(buffer, _) in self.optimizer.kind.buffers() {
            for t in &self.model.layout.tensors {
                shapes.push((format!("{buffer}.{}", t.name), t.shape.clone()));
            }
        }
        let state_shape = vec![c.layers, self.config.batch, c.hidden];
        shapes.push(("state.h".into(), state_shape.clone()));
        if c.cell.has_cell_state() {
            shapes.push(("state.c".into(), state_shape));
        }
        Layout::from_shapes(shapes)
    }

    /// The training state (see the module docs) as `.safetensors` bytes; [`Trainer::resume`] reads it back.
    pub fn training_state(&self) -> Vec<u8> {
        let layout = self.state_layout();
        let mut values = Vec::with_capacity(layout.total);
        for &(_, which) in self.optimizer.kind.buffers() {
            values.extend_from_slice(self.optimizer.buffer(which));
        }
        values.extend_from_slice(&self.state.h);
        values.extend_from_slice(&self.state.c);
        // Inserted one by one: `BTreeMap::from` sorts, with a copy of the sort of its own.
        let mut metadata = BTreeMap::new();
        for (k, v) in [
            ("format".to_string(), FORMAT.to_string()),
            ("version".into(), VERSION.into()),
            ("optimizer".into(), self.optimizer.kind.name().into()),
            (
                "optimizer_updates".into(),
                self.optimizer.updates().to_string(),
            ),
            ("step".into(), self.step.to_string()),
            ("position".into(), self.pos.to_string()),
            ("smooth_loss".into(), self.smooth_loss.to_string()),
            ("batch".into(), self.config.batch.to_string()),
            ("seq_len".into(), self.config.seq_len.to_string()),
            (
                "params_fnv1a64".into(),
                format!("{:016x}", self.params_fingerprint()),
            ),
            (
                "text_fnv1a64".into(),
                format!("{:016x}", self.text_fingerprint),
            ),
        ] {
            metadata.insert(k, v);
        }
        tensors_to_bytes(&layout, &values, metadata)
    }

    /// Goes on from a training state saved by [`Trainer::training_state`] with these same weights.
    ///
    /// The optimizer state and step are restored when the file fits the weights and the optimizer; the data
    /// position, recurrent state and smoothed loss too when the text, batch and window length are also the same
    /// (then the run continues exactly). A file that is corrupt, saved with other weights, or for another
    /// optimizer is refused with the reason, and the trainer is left as it was.
    pub fn resume(&mut self, bytes: &[u8]) -> Result<Resumed> {
        self.shared_step = None;
        let (tensors, meta) = parse(bytes).map_err(bad)?;
        let get = |key: &str| {
            meta.get(key)
                .map(String::as_str)
                .ok_or_else(|| bad(format!("the metadata has no {key:?} entry")))
        };
        let number = |key: &str| -> Result<u64> {
            let s = get(key)?;
            s.parse()
                .map_err(|_| bad(format!("metadata {key:?} is {s:?}, not a whole number")))
        };
        if get("format")? != FORMAT {
            return Err(bad(format!(
                "metadata \"format\" is {:?}, not {FORMAT:?}",
                get("format")?
            )));
        }
        if get("version")? != VERSION {
            return Err(bad(format!(
                "version {:?} is not one this rnnscope reads ({VERSION})",
                get("version")?
            )));
        }
        if get("params_fnv1a64")? != format!("{:016x}", self.params_fingerprint()) {
            return Err(bad(
                "it was saved with other weights than this model's (from another run, or the model file was replaced)",
            ));
        }
        let optimizer = get("optimizer")?;
        if optimizer != self.optimizer.kind.name() {
            return Err(bad(format!(
                "it holds {optimizer} state, but this run uses {}",
                self.optimizer.kind.name()
            )));
        }
        let updates = number("optimizer_updates")?;
        let step = number("step")?;

        // Read every optimizer buffer before changing anything.
        let layout = self.state_layout();
        let mut values = vec![0.0f32; layout.total];
        let buffers = self.optimizer.kind.buffers().len();
        let n_params = self.model.layout.tensors.len();
        let read = |spec: &crate::params::TensorSpec, out: &mut [f32]| -> Result<()> {
            let t = tensors
                .tensor(&spec.name)
                .map_err(|_| bad(format!("missing tensor {}", spec.name)))?;
            if t.dtype() != Dtype::F32 || t.shape() != spec.shape.as_slice() {
                return Err(bad(format!(
                    "tensor {} is {:?} {:?}, expected F32 {:?}",
                    spec.name,
                    t.dtype(),
                    t.shape(),
                    spec.shape
                )));
            }
            copy_f32(&t, out);
            Ok(())
        };
        for spec in &layout.tensors[..buffers * n_params] {
            read(spec, &mut values[spec.range.clone()])?;
        }
        if !values.iter().all(|v| v.is_finite()) {
            return Err(bad("an optimizer buffer holds NaN or infinity"));
        }

        // The data position only means something for the same text cut into the same windows.
        let same_text = get("text_fnv1a64")? == format!("{:016x}", self.text_fingerprint);
        let same_windows = number("batch")? == self.config.batch as u64
            && number("seq_len")? == self.config.seq_len as u64;
        let position = number("position")?;
        let why_not_exact = if !same_text {
            Some("the text (or its validation share) is not the one it was saved with".to_string())
        } else if !same_windows {
            Some(format!(
                "it was saved with batch {} and seq_len {}, this run uses {} and {}",
                get("batch")?,
                get("seq_len")?,
                self.config.batch,
                self.config.seq_len
            ))
        } else if position >= self.stream_len as u64 {
            Some(format!(
                "its data position {position} is past the end of the streams"
            ))
        } else {
            None
        };
        let mut smooth_loss = self.smooth_loss;
        if why_not_exact.is_none() {
            for spec in &layout.tensors[buffers * n_params..] {
                read(spec, &mut values[spec.range.clone()])?;
            }
            let s = get("smooth_loss")?;
            smooth_loss = s
                .parse::<f32>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    bad(format!(
                        "metadata \"smooth_loss\" is {s:?}, not a finite number"
                    ))
                })?;
            if !values.iter().all(|v| v.is_finite()) {
                return Err(bad("the recurrent state holds NaN or infinity"));
            }
        }

        // Everything is read and checked: apply it.
        let mut at = 0;
        for &(_, which) in self.optimizer.kind.buffers() {
            let buf = self.optimizer.buffer_mut(which);
            buf.copy_from_slice(&values[at..at + buf.len()]);
            at += buf.len();
        }
        self.optimizer.set_updates(updates);
        self.step = step;
        Ok(match why_not_exact {
            Some(why) => {
                self.pos = 0;
                self.state.reset();
                Resumed::OptimizerOnly(why)
            }
            None => {
                let (h, c) = values[at..].split_at(self.state.h.len());
                self.state.h.copy_from_slice(h);
                self.state.c.copy_from_slice(c);
                self.pos = position as usize;
                self.smooth_loss = smooth_loss;
                Resumed::Exactly
            }
        })
    }
}
