//! The batched forward pass over a window of `T` steps × `B` streams, the values it keeps, and
//! backpropagation through time over them.
//!
//! Work is arranged layer by layer, as cuDNN does: the input products `W_ih x` of a whole window are one
//! large product (a column gather for the one-hot layer 0), only `W_hh h` runs step by step, and every
//! weight gradient is one large product after the backward sweep. All buffers are sized when the tape is
//! built; a forward or backward pass allocates nothing.
//!
//! Backward needs the values of the forward pass that filled the tape, so it takes the [`Forward`] token
//! that only [`Tape::forward`] returns: backward without forward does not compile.
//!
//! This file holds the buffers and what reads them; `forward.rs` the forward pass, `backward.rs` backpropagation
//! (of the loss, or of one score with the gradients of the inputs), `clamps.rs` the units held at values in both;
//! `dropout.rs` the masks of dropout.

mod backward;
mod clamps;
mod dropout;
mod forward;

pub use dropout::{check_dropout, MaskDraw, MAX_DROPOUT};

use crate::cell::CellKind;
use crate::clamp::Clamp;
use crate::error::{Error, Result};
use crate::kernels::PackedB;
use crate::model_config::ModelConfig;

/// Marks an input position with no character (an all-zero one-hot vector) or a step with no target.
pub const NONE: u32 = u32::MAX;

/// Largest tape accepted, in f32 values (1 Gi floats, 4 GiB).
#[cfg(target_pointer_width = "64")]
pub const MAX_TAPE_FLOATS: usize = 1 << 30;
/// Largest tape accepted where memory is a 32-bit space (WebAssembly), in f32 values (512 MiB).
#[cfg(not(target_pointer_width = "64"))]
pub const MAX_TAPE_FLOATS: usize = 1 << 27;

/// Floats to whole MiB, without overflow on 32-bit targets.
fn mib(floats: usize) -> usize {
    floats / (1 << 18)
}

/// Proof that [`Tape::forward`] ran over `steps` steps; consumed by [`Tape::backward`].
#[must_use]
pub struct Forward {
    steps: usize,
    /// Mean cross-entropy in nats over the steps that have a target (NaN when none has).
    pub loss: f32,
}

/// What one layer keeps from the forward pass.
struct LayerTape {
    /// `(B, H)` state entering the window.
    h0: Vec<f32>,
    /// `(B, H)` cell state entering the window (LSTM; empty otherwise).
    c0: Vec<f32>,
    /// `(T·B, G·H)` `W_ih x + b_ih`.
    pre_ih: Vec<f32>,
    /// `(T·B, G·H)` `W_hh h_prev + b_hh`.
    hh: Vec<f32>,
    /// `(T·B, G·H)` gate activations (empty for the RNN, whose activation is `h`).
    act: Vec<f32>,
    /// `(T·B, H)` cell state (LSTM; empty otherwise).
    c: Vec<f32>,
    /// `(T·B, H)` `tanh(c)` (LSTM; empty otherwise).
    tanh_c: Vec<f32>,
    /// `(T·B, H)` hidden state after each step.
    h: Vec<f32>,
    /// `(T·B, H)` dropout mask of `h` (empty until dropout is first used; see `dropout.rs`).
    mask: Vec<f32>,
    /// `(T·B, H)` `h ⊙ mask`, what the layer passes up under dropout.
    dropped: Vec<f32>,
}

impl LayerTape {
    /// `(T·B, H)`: what this layer passes up (to the next layer or the decoder): `h`, or `h ⊙ mask` under dropout.
    fn output(&self, dropout: bool) -> &[f32] {
        if dropout {
            &self.dropped
        } else {
            &self.h
        }
    }
}

/// Buffers for one window of `T` steps of `B` streams through a model of one shape.
pub struct Tape {
    config: ModelConfig,
    capacity: usize,
    batch: usize,
    /// `(T·B)` input character indices, [`NONE`] for an all-zero input.
    pub inputs: Vec<u32>,
    /// `(T·B)` target character indices, [`NONE`] where there is no target.
    pub targets: Vec<u32>,
    layers: Vec<LayerTape>,
    /// `(T·B, V)` decoder scores.
    logits: Vec<f32>,
    /// `(T·B, V)` softmax of `logits`.
    probs: Vec<f32>,
    // Backward scratch.
    /// `(T·B, V)`.
    d_logits: Vec<f32>,
    /// `(T·B, H)` gradient reaching the current layer's `h` from above.
    d_h: Vec<f32>,
    /// `(T·B, H)` gradient the current layer sends to the layer below.
    d_below: Vec<f32>,
    /// `(T·B, G·H)` gradient of `pre_ih` (GRU only; the other cells use `dg_hh`).
    dg_ih: Vec<f32>,
    /// `(T·B, G·H)` gradient of `hh`.
    dg_hh: Vec<f32>,
    /// `(B, H)` gradient reaching `h` of the previous step.
    dh_next: Vec<f32>,
    /// `(B, H)` gradient reaching `c` of the previous step (LSTM).
    dc_next: Vec<f32>,
    /// `(B, H)` GRU's direct path `z * dh`.
    dh_direct: Vec<f32>,
    // Packed right-hand operands, named by their shape `(k, n)`; each is reused for every product of its shape.
    /// `W_hhᵀ` (and `W_ih ᵀ` above layer 0): `(H, G·H)`.
    pack_h_gh: PackedB,
    /// `W_hh` (and `W_ih` above layer 0): `(G·H, H)`.
    pack_gh_h: PackedB,
    /// The hidden states a weight gradient is summed against: `(T·B, H)`.
    pack_rows_h: PackedB,
    /// `decoder.weightᵀ`: `(H, V)`.
    pack_h_v: PackedB,
    /// `decoder.weight`: `(V, H)`.
    pack_v_h: PackedB,
    /// Units held at a value after every step, `c` clamps first (see [`crate::clamp`]).
    clamps: Vec<Clamp>,
    /// Forward drops values of every layer's output by its mask (see `dropout.rs`).
    dropout: bool,
}

impl Tape {
    /// Buffers for windows of up to `steps` steps of `batch` streams.
    pub fn new(config: &ModelConfig, steps: usize, batch: usize) -> Result<Tape> {
        if steps == 0 || batch == 0 {
            return Err(Error::Config(
                "a window needs at least one step and one stream".into(),
            ));
        }
        let (v, h, g) = (config.vocab_size, config.hidden, config.cell.gates());
        let rows = steps
            .checked_mul(batch)
            .ok_or_else(|| Error::Config("window too large".into()))?;
        let lstm = config.cell.has_cell_state();
        let per_row_layer = 3 * g * h + h + if lstm { 2 * h } else { 0 };
        let per_row = per_row_layer * config.layers + 3 * v + 2 * h + 2 * g * h;
        let floats = rows.saturating_mul(per_row);
        if floats > MAX_TAPE_FLOATS {
            return Err(Error::Config(format!(
                "seq_len {steps} × batch {batch} needs {} MiB of activations for this model; the limit is {} MiB — reduce seq_len, batch or the model size",
                mib(floats),
                mib(MAX_TAPE_FLOATS)
            )));
        }
        let gh = g * h;
        let layers = (0..config.layers)
            .map(|_| LayerTape {
                h0: vec![0.0; batch * h],
                c0: vec![0.0; if lstm { batch * h } else { 0 }],
                pre_ih: vec![0.0; rows * gh],
                hh: vec![0.0; rows * gh],
                act: vec![0.0; if g > 1 { rows * gh } else { 0 }],
                c: vec![0.0; if lstm { rows * h } else { 0 }],
                tanh_c: vec![0.0; if lstm { rows * h } else { 0 }],
                h: vec![0.0; rows * h],
                mask: Vec::new(),
                dropped: Vec::new(),
            })
            .collect();
        let gru = config.cell == CellKind::Gru;
        Ok(Tape {
            config: *config,
            capacity: steps,
            batch,
            inputs: vec![NONE; rows],
            targets: vec![NONE; rows],
            layers,
            logits: vec![0.0; rows * v],
            probs: vec![0.0; rows * v],
            d_logits: vec![0.0; rows * v],
            d_h: vec![0.0; rows * h],
            d_below: vec![0.0; rows * h],
            dg_ih: vec![0.0; if gru { rows * gh } else { 0 }],
            dg_hh: vec![0.0; rows * gh],
            dh_next: vec![0.0; batch * h],
            dc_next: vec![0.0; batch * h],
            dh_direct: vec![0.0; if gru { batch * h } else { 0 }],
            pack_h_gh: PackedB::new(h, gh),
            pack_gh_h: PackedB::new(gh, h),
            pack_rows_h: PackedB::new(rows, h),
            pack_h_v: PackedB::new(h, v),
            pack_v_h: PackedB::new(v, h),
            clamps: Vec::new(),
            dropout: false,
        })
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn batch(&self) -> usize {
        self.batch
    }

    /// `(V)` scores of step `t`, stream `s`, from the last forward pass.
    pub fn logits(&self, t: usize, s: usize) -> &[f32] {
        let v = self.config.vocab_size;
        let r = t * self.batch + s;
        &self.logits[r * v..(r + 1) * v]
    }

    /// `(V)` probabilities of step `t`, stream `s`.
    pub fn probs(&self, t: usize, s: usize) -> &[f32] {
        let v = self.config.vocab_size;
        let r = t * self.batch + s;
        &self.probs[r * v..(r + 1) * v]
    }

    /// `(H)` hidden state of layer `l` after step `t`, stream `s`.
    pub fn hidden(&self, l: usize, t: usize, s: usize) -> &[f32] {
        let h = self.config.hidden;
        let r = t * self.batch + s;
        &self.layers[l].h[r * h..(r + 1) * h]
    }

    /// `(H)` LSTM cell state of layer `l` after step `t`, stream `s` (empty for other cells).
    pub fn cell_state(&self, l: usize, t: usize, s: usize) -> &[f32] {
        let lt = &self.layers[l];
        if lt.c.is_empty() {
            return &[];
        }
        let h = self.config.hidden;
        let r = t * self.batch + s;
        &lt.c[r * h..(r + 1) * h]
    }

    /// `(G·H)` gate activations of layer `l` at step `t`, stream `s` (empty for the RNN).
    pub fn gates(&self, l: usize, t: usize, s: usize) -> &[f32] {
        let lt = &self.layers[l];
        if lt.act.is_empty() {
            return &[];
        }
        let gh = self.config.cell.gates() * self.config.hidden;
        let r = t * self.batch + s;
        &lt.act[r * gh..(r + 1) * gh]
    }
}
