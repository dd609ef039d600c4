//! The model file: one `.safetensors` file of f32 tensors named as the `state_dict` of PyTorch's
//! `CharModel` (see the README), with the cell and the vocabulary in the header's `__metadata__`; the `KEY_`
//! constants are every metadata key rnnscope reads or writes.

use crate::cell::{Activation, CellKind};
use crate::error::{Error, Result};
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

/// Writes named tensors (layout order) and metadata as safetensors bytes.
///
/// Written by hand rather than with `safetensors::serialize` so that the same model always gives
/// the same bytes: the header's keys are sorted (`__metadata__` first) instead of following a
/// `HashMap`'s iteration order. The header is padded with spaces to 8 bytes, as the format asks.
pub fn tensors_to_bytes(
    layout: &Layout,
    values: &[f32],
    metadata: BTreeMap<String, String>,
) -> Vec<u8> {
    let mut header: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    header.insert("__metadata__".into(), serde_json::json!(metadata));
    let mut offset = 0;
    for t in &layout.tensors {
        let end = offset + 4 * t.range.len();
        header.insert(
            t.name.clone(),
            serde_json::json!({ "dtype": "F32", "shape": t.shape, "data_offsets": [offset, end] }),
        );
        offset = end;
    }
    let mut json = serde_json::to_vec(&header).expect("a map of strings and numbers serialises");
    json.resize(json.len().next_multiple_of(8), b' ');

    let mut out = Vec::with_capacity(8 + json.len() + offset);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    for t in &layout.tensors {
        out.extend(values[t.range.clone()].iter().flat_map(|v| v.to_le_bytes()));
    }
    out
}

/// The model as a `.safetensors` file, with `extra` metadata (e.g. training step, settings) added.
pub fn to_bytes(model: &Model, extra: &BTreeMap<String, String>) -> Vec<u8> {
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
    tensors_to_bytes(&model.layout, &model.params, metadata)
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
        if t.dtype() != Dtype::F32 {
            return Err(bad(format!(
                "tensor {} has dtype {:?}; only F32 is supported",
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
        copy_f32(t, &mut params[spec.range.clone()]);
    }
    let mut extra: Vec<&String> = names.iter().filter(|n| layout.get(n).is_none()).collect();
    if !extra.is_empty() {
        extra.sort();
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
    let metadata = header
        .metadata()
        .as_ref()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    Ok((tensors, metadata))
}

/// Copies an F32 tensor's little-endian data (already checked to hold `out.len()` values) into `out`.
pub(crate) fn copy_f32(t: &safetensors::tensor::TensorView<'_>, out: &mut [f32]) {
    for (o, chunk) in out.iter_mut().zip(t.data().chunks_exact(4)) {
        *o = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
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
