//! The model file: one `.safetensors` file of tensors named as the `state_dict` of PyTorch's `CharModel` (see the
//! README), with the cell and the vocabulary in the header's `__metadata__`; the `KEY_` constants are every metadata
//! key rnnscope reads or writes. Tensors are `F32`, or `F16` / `BF16` as PyTorch's `model.half()` and
//! `model.bfloat16()` write them ([`WeightType`]); they are read into `f32`, and computation stays `f32`.

use crate::cell::{Activation, CellKind};
use crate::error::{Error, Result};
use crate::float16;
use crate::model::Model;
use crate::model_config::ModelConfig;
use crate::params::Layout;
use crate::vocab::Vocab;
use safetensors::tensor::Dtype;
use safetensors::SafeTensors;
use std::collections::BTreeMap;

/// Metadata key of the cell: `rnn`, `lstm` or `gru` (required).
pub const KEY_CELL: &str = "cell";
/// Metadata key of the vocabulary: a JSON array of one-character strings, in one-hot order (required).
pub const KEY_VOCAB: &str = "vocab";
/// Metadata key of the RNN's nonlinearity, written only for `relu` (optional; `tanh` when absent).
pub const KEY_NONLINEARITY: &str = "nonlinearity";
/// Metadata key of the number of training steps behind the weights (optional).
pub const KEY_STEP: &str = "step";
/// Metadata key of the training settings, as the JSON of [`crate::Settings`] (optional; the CLI writes it, and
/// `train --resume` and `errors` read it).
pub const KEY_TRAIN_CONFIG: &str = "train_config";

/// How a file stores its weights: `F32` (what rnnscope writes unless asked), or a 16-bit float, half the size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightType {
    F32,
    /// IEEE binary16, PyTorch's `float16` (`model.half()`): about 3 decimal digits, at most ±65504.
    F16,
    /// bfloat16, PyTorch's `bfloat16`: about 2 decimal digits, the range of `f32`.
    BF16,
}

impl WeightType {
    /// From the command line's `f32`, `f16` or `bf16` (any case).
    pub fn parse(name: &str) -> Result<WeightType> {
        match name.to_ascii_lowercase().as_str() {
            "f32" | "float32" => Ok(WeightType::F32),
            "f16" | "float16" | "half" => Ok(WeightType::F16),
            "bf16" | "bfloat16" => Ok(WeightType::BF16),
            other => Err(Error::Config(format!(
                "unknown weight type {other:?} (expected f32, f16 or bf16)"
            ))),
        }
    }

    fn of(dtype: Dtype) -> Option<WeightType> {
        match dtype {
            Dtype::F32 => Some(WeightType::F32),
            Dtype::F16 => Some(WeightType::F16),
            Dtype::BF16 => Some(WeightType::BF16),
            _ => None,
        }
    }

    /// The safetensors name of the type.
    pub fn name(self) -> &'static str {
        match self {
            WeightType::F32 => "F32",
            WeightType::F16 => "F16",
            WeightType::BF16 => "BF16",
        }
    }

    fn bytes(self) -> usize {
        if self == WeightType::F32 {
            4
        } else {
            2
        }
    }

    fn push(self, v: f32, out: &mut Vec<u8>) {
        match self {
            WeightType::F32 => out.extend_from_slice(&v.to_le_bytes()),
            WeightType::F16 => out.extend_from_slice(&float16::f32_to_f16(v).to_le_bytes()),
            WeightType::BF16 => out.extend_from_slice(&float16::f32_to_bf16(v).to_le_bytes()),
        }
    }
}

/// Writes named tensors (layout order) and metadata as safetensors bytes of `f32`.
///
/// Written by hand rather than with `safetensors::serialize` so that the same model always gives
/// the same bytes: the header's keys are sorted (`__metadata__` first) instead of following a
/// `HashMap`'s iteration order. The header is padded with spaces to 8 bytes, as the format asks.
pub fn tensors_to_bytes(
    layout: &Layout,
    values: &[f32],
    metadata: BTreeMap<String, String>,
) -> Vec<u8> {
    tensors_to_bytes_as(layout, values, metadata, WeightType::F32)
}

/// [`tensors_to_bytes`], storing the values as `dtype` (rounded to nearest, ties to even).
pub fn tensors_to_bytes_as(
    layout: &Layout,
    values: &[f32],
    metadata: BTreeMap<String, String>,
    dtype: WeightType,
) -> Vec<u8> {
    let mut header: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    header.insert("__metadata__".into(), serde_json::json!(metadata));
    let mut offset = 0;
    for t in &layout.tensors {
        let end = offset + dtype.bytes() * t.range.len();
        header.insert(
            t.name.clone(),
            serde_json::json!({ "dtype": dtype.name(), "shape": t.shape, "data_offsets": [offset, end] }),
        );
        offset = end;
    }
    let mut json = serde_json::to_vec(&header).expect("a map of strings and numbers serialises");
    json.resize(json.len().next_multiple_of(8), b' ');

    let mut out = Vec::with_capacity(8 + json.len() + offset);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    for t in &layout.tensors {
        for &v in &values[t.range.clone()] {
            dtype.push(v, &mut out);
        }
    }
    out
}

/// The model as a `.safetensors` file, with `extra` metadata (e.g. training step, settings) added.
pub fn to_bytes(model: &Model, extra: &BTreeMap<String, String>) -> Vec<u8> {
    to_bytes_as(model, extra, WeightType::F32).expect("every f32 weight fits in F32")
}

/// [`to_bytes`] with the weights stored as `dtype`. Refuses, naming the tensor, a weight beyond ±65504 for `F16`
/// (it would be stored as infinity, which no model file may hold).
pub fn to_bytes_as(
    model: &Model,
    extra: &BTreeMap<String, String>,
    dtype: WeightType,
) -> Result<Vec<u8>> {
    if dtype == WeightType::F16 {
        for t in &model.layout.tensors {
            if let Some((i, v)) = model.params[t.range.clone()]
                .iter()
                .enumerate()
                .find(|(_, v)| float16::f16_to_f32(float16::f32_to_f16(**v)).is_infinite())
            {
                return Err(bad(format!(
                    "{} [{i}] is {v}, beyond the ±65504 an F16 holds: save it as f32 or bf16",
                    t.name
                )));
            }
        }
    }
    let mut metadata = extra.clone();
    metadata.insert(KEY_CELL.into(), model.config.cell.name().into());
    if let CellKind::Rnn(Activation::Relu) = model.config.cell {
        metadata.insert(KEY_NONLINEARITY.into(), "relu".into());
    }
    let vocab: Vec<String> = model.vocab.chars().iter().map(|c| c.to_string()).collect();
    metadata.insert(
        KEY_VOCAB.into(),
        serde_json::to_string(&vocab).expect("strings serialise"),
    );
    Ok(tensors_to_bytes_as(
        &model.layout,
        &model.params,
        metadata,
        dtype,
    ))
}

fn bad(msg: impl Into<String>) -> Error {
    Error::ModelFile(msg.into())
}

/// Reads and validates a model file; returns the model and all of its metadata.
pub fn from_bytes(bytes: &[u8]) -> Result<(Model, BTreeMap<String, String>)> {
    if bytes.is_empty() {
        return Err(bad("the file is empty"));
    }
    let (tensors, metadata) = parse(bytes).map_err(bad)?;

    let cell_name = metadata
        .get(KEY_CELL)
        .ok_or_else(|| bad("the metadata has no \"cell\" entry (rnn, lstm or gru)"))?;
    let cell = CellKind::parse(
        cell_name,
        metadata.get(KEY_NONLINEARITY).map(String::as_str),
    )
    .map_err(|e| bad(format!("metadata \"cell\": {e}")))?;
    let vocab_json = metadata
        .get(KEY_VOCAB)
        .ok_or_else(|| bad("the metadata has no \"vocab\" entry"))?;
    let vocab_strings: Vec<String> = serde_json::from_str(vocab_json).map_err(|e| {
        bad(format!(
            "metadata \"vocab\" is not a JSON array of strings: {e}"
        ))
    })?;
    let mut chars = Vec::with_capacity(vocab_strings.len());
    for (i, s) in vocab_strings.iter().enumerate() {
        let mut it = s.chars();
        match (it.next(), it.next()) {
            (Some(c), None) => chars.push(c),
            _ => {
                return Err(bad(format!(
                    "vocab entry {i} ({s:?}) is not exactly one character"
                )))
            }
        }
    }
    let vocab = Vocab::from_chars(chars).map_err(|e| match e {
        Error::Text(m) => bad(format!("vocab: {m}")),
        other => other,
    })?;

    // Shape from the tensors: H from weight_hh_l0 (G·H, H), L from the consecutive weight_ih_l{k}.
    let names: Vec<String> = tensors.names().into_iter().map(str::to_string).collect();
    let hh0 = tensors
        .tensor("rnn.weight_hh_l0")
        .map_err(|_| bad("missing tensor rnn.weight_hh_l0"))?;
    let hidden = *hh0
        .shape()
        .get(1)
        .ok_or_else(|| bad("rnn.weight_hh_l0 is not a matrix"))?;
    let layers = (0..)
        .take_while(|k| names.iter().any(|n| *n == format!("rnn.weight_ih_l{k}")))
        .count();
    let config = ModelConfig {
        cell,
        vocab_size: vocab.len(),
        hidden,
        layers,
    };
    config
        .validate()
        .map_err(|e| bad(format!("the tensors describe an unusable model: {e}")))?;

    let layout = Layout::new(&config);
    // Every tensor is checked before the parameter buffer is allocated: zero-element tensors let a tiny file
    // claim a model of millions of parameters.
    let mut views = Vec::with_capacity(layout.tensors.len());
    for spec in &layout.tensors {
        let t = tensors
            .tensor(&spec.name)
            .map_err(|_| bad(format!("missing tensor {}", spec.name)))?;
        if WeightType::of(t.dtype()).is_none() {
            return Err(bad(format!(
                "tensor {} has dtype {:?}; F32, F16 and BF16 are supported",
                spec.name,
                t.dtype()
            )));
        }
        if t.shape() != spec.shape.as_slice() {
            let hint = if spec.name.starts_with("decoder") || spec.name == "rnn.weight_ih_l0" {
                format!(" (the vocabulary has {} characters)", vocab.len())
            } else {
                String::new()
            };
            return Err(bad(format!(
                "tensor {} has shape {:?}, expected {:?} for a {}-layer {} with {hidden} hidden units{hint}",
                spec.name,
                t.shape(),
                spec.shape,
                layers,
                cell.name()
            )));
        }
        views.push(t);
    }
    let mut params = vec![0.0f32; layout.total];
    for (spec, t) in layout.tensors.iter().zip(&views) {
        copy_floats(t, &mut params[spec.range.clone()]);
    }
    let mut extra: Vec<&String> = names.iter().filter(|n| layout.get(n).is_none()).collect();
    if !extra.is_empty() {
        crate::order::sort_by(&mut extra, |a, b| a.cmp(b));
        let shown: Vec<&str> = extra.iter().take(5).map(|s| s.as_str()).collect();
        return Err(bad(format!(
            "unexpected tensor(s) {} for a {layers}-layer {} model",
            shown.join(", "),
            cell.name()
        )));
    }
    let model = Model::from_params(config, vocab, params)?;
    Ok((model, metadata))
}

/// The tensors and the `__metadata__` of a `.safetensors` file, or why the bytes are not a readable one.
pub(crate) fn parse(
    bytes: &[u8],
) -> std::result::Result<(SafeTensors<'_>, BTreeMap<String, String>), String> {
    let unreadable = |e: safetensors::SafeTensorError| {
        format!("not a readable safetensors file (truncated or corrupt?): {e}")
    };
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(unreadable)?;
    let tensors = SafeTensors::deserialize(bytes).map_err(unreadable)?;
    // Inserted one by one: collecting into a BTreeMap sorts, with a copy of the sort of its own.
    let mut metadata = BTreeMap::new();
    for (k, v) in header.metadata().iter().flatten() {
        metadata.insert(k.clone(), v.clone());
    }
    Ok((tensors, metadata))
}

/// Copies an F32 tensor's little-endian data (already checked to hold `out.len()` values) into `out`.
pub(crate) fn copy_f32(t: &safetensors::tensor::TensorView<'_>, out: &mut [f32]) {
    for (o, chunk) in out.iter_mut().zip(t.data().chunks_exact(4)) {
        *o = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
}

/// Copies an F32, F16 or BF16 tensor (already checked to hold `out.len()` values) into `out` as `f32`.
fn copy_floats(t: &safetensors::tensor::TensorView<'_>, out: &mut [f32]) {
    let half: fn(u16) -> f32 = match WeightType::of(t.dtype()) {
        Some(WeightType::F16) => float16::f16_to_f32,
        Some(WeightType::BF16) => float16::bf16_to_f32,
        _ => return copy_f32(t, out),
    };
    for (o, chunk) in out.iter_mut().zip(t.data().chunks_exact(2)) {
        *o = half(u16::from_le_bytes([chunk[0], chunk[1]]));
    }
}

/// Reads a model file from disk.
#[cfg(not(target_arch = "wasm32"))]
pub fn load(path: &std::path::Path) -> Result<(Model, BTreeMap<String, String>)> {
    let bytes =
        std::fs::read(path).map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
    from_bytes(&bytes)
}

/// Writes a model file atomically (to a temporary file beside it, then renamed), so an interrupted save never
/// destroys the previous file.
#[cfg(not(target_arch = "wasm32"))]
pub fn save(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("safetensors.tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
