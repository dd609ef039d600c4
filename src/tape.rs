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

use crate::cell::{gru, lstm, rnn, CellKind};
use crate::clamp::{self, Clamp, ClampedTensor};
use crate::error::{Error, Result};
use crate::kernels::{
    gemm_nn, gemm_nt, gemm_packed, gemm_tn_acc, sum_rows_acc, worth_packing, PackedB,
};
use crate::model::{Model, State};
use crate::model_config::ModelConfig;
use crate::nonlinear::softmax;

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
        })
    }

    /// Holds these units at their values in every later forward pass (and stops their gradients in backward);
    /// an empty list removes every clamp. Refuses clamps the model cannot have, keeping the previous ones.
    pub fn set_clamps(&mut self, clamps: &[Clamp]) -> Result<()> {
        clamp::check_all(clamps, &self.config)?;
        self.clamps = clamps.to_vec();
        // A clamped `c` sets its `h`, which an `h` clamp of the same unit then overrides.
        self.clamps.sort_by_key(|c| c.tensor != ClampedTensor::C);
        Ok(())
    }

    /// The clamps in force.
    pub fn clamps(&self) -> &[Clamp] {
        &self.clamps
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Runs `steps` steps (≤ capacity) from `state`, leaving the final state in `state`.
    /// Reads `inputs` and `targets` for the first `steps·B` rows.
    pub fn forward(&mut self, model: &Model, state: &mut State, steps: usize) -> Forward {
        assert!(
            steps <= self.capacity && model.config == self.config,
            "tape does not fit"
        );
        let sizes = model.sizes();
        let (b, h, gh, v) = (self.batch, sizes.h, sizes.gh, sizes.v);
        let rows = steps * b;
        let cell = self.config.cell;
        for l in 0..self.config.layers {
            let p = sizes.layer(&model.params, l);
            let (below, rest) = self.layers.split_at_mut(l);
            let lt = &mut rest[0];
            lt.h0.copy_from_slice(&state.h[l * b * h..(l + 1) * b * h]);
            if cell.has_cell_state() {
                lt.c0.copy_from_slice(&state.c[l * b * h..(l + 1) * b * h]);
            }
            // Input products for the whole window.
            let pre_ih = &mut lt.pre_ih[..rows * gh];
            if l == 0 {
                for (row, &x) in pre_ih.chunks_exact_mut(gh).zip(&self.inputs[..rows]) {
                    row.copy_from_slice(p.b_ih);
                    if x != NONE {
                        let x = x as usize;
                        for (j, r) in row.iter_mut().enumerate() {
                            *r += p.w_ih[j * v + x];
                        }
                    }
                }
            } else {
                gemm_nt(
                    rows,
                    h,
                    &below[l - 1].h[..rows * h],
                    p.w_ih,
                    &mut self.pack_h_gh,
                    pre_ih,
                    false,
                );
                for row in pre_ih.chunks_exact_mut(gh) {
                    for (r, &bias) in row.iter_mut().zip(p.b_ih) {
                        *r += bias;
                    }
                }
            }
            // The recurrence.
            // Wide batches pack W_hhᵀ once for all steps; one or a few streams use unpacked dot products.
            let packed = worth_packing(b);
            if packed {
                self.pack_h_gh.pack_transposed(p.w_hh, h);
            }
            for t in 0..steps {
                let (done, now) = lt.h.split_at_mut(t * b * h);
                let h_prev: &[f32] = if t == 0 {
                    &lt.h0
                } else {
                    &done[(t - 1) * b * h..]
                };
                let h_now = &mut now[..b * h];
                let hh = &mut lt.hh[t * b * gh..(t + 1) * b * gh];
                if packed {
                    gemm_packed(b, h_prev, &mut self.pack_h_gh, hh, false);
                } else {
                    gemm_nt(b, h, h_prev, p.w_hh, &mut self.pack_h_gh, hh, false);
                }
                for row in hh.chunks_exact_mut(gh) {
                    for (r, &bias) in row.iter_mut().zip(p.b_hh) {
                        *r += bias;
                    }
                }
                let pre = &lt.pre_ih[t * b * gh..(t + 1) * b * gh];
                match cell {
                    CellKind::Rnn(a) => {
                        for ((pre, hh), h_row) in pre
                            .chunks_exact(gh)
                            .zip(hh.chunks_exact(gh))
                            .zip(h_now.chunks_exact_mut(h))
                        {
                            rnn::forward(a, pre, hh, h_row);
                        }
                    }
                    CellKind::Lstm => {
                        let (c_done, c_now) = lt.c.split_at_mut(t * b * h);
                        let c_prev: &[f32] = if t == 0 {
                            &lt.c0
                        } else {
                            &c_done[(t - 1) * b * h..]
                        };
                        let act = &mut lt.act[t * b * gh..(t + 1) * b * gh];
                        let tanh_c = &mut lt.tanh_c[t * b * h..(t + 1) * b * h];
                        for s in 0..b {
                            let r = s * h..(s + 1) * h;
                            let rg = s * gh..(s + 1) * gh;
                            lstm::forward(
                                &pre[rg.clone()],
                                &hh[rg.clone()],
                                &c_prev[r.clone()],
                                &mut act[rg],
                                &mut c_now[r.clone()],
                                &mut tanh_c[r.clone()],
                                &mut h_now[r],
                            );
                        }
                    }
                    CellKind::Gru => {
                        let act = &mut lt.act[t * b * gh..(t + 1) * b * gh];
                        for s in 0..b {
                            let r = s * h..(s + 1) * h;
                            let rg = s * gh..(s + 1) * gh;
                            gru::forward(
                                &pre[rg.clone()],
                                &hh[rg.clone()],
                                &h_prev[r.clone()],
                                &mut act[rg],
                                &mut h_now[r],
                            );
                        }
                    }
                }
                apply_clamps(&self.clamps, l, lt, t, b, h);
            }
            let last = (steps - 1) * b * h..steps * b * h;
            state.h[l * b * h..(l + 1) * b * h].copy_from_slice(&lt.h[last.clone()]);
            if cell.has_cell_state() {
                state.c[l * b * h..(l + 1) * b * h].copy_from_slice(&lt.c[last]);
            }
        }
        // Decoder and softmax.
        let (w_d, b_d) = sizes.decoder(&model.params);
        let top = &self.layers[self.config.layers - 1].h[..rows * h];
        let logits = &mut self.logits[..rows * v];
        gemm_nt(rows, h, top, w_d, &mut self.pack_h_v, logits, false);
        let mut total = 0.0f64;
        let mut counted = 0usize;
        for ((row, probs), &y) in logits
            .chunks_exact_mut(v)
            .zip(self.probs.chunks_exact_mut(v))
            .zip(&self.targets[..rows])
        {
            for (r, &bias) in row.iter_mut().zip(b_d) {
                *r += bias;
            }
            let log_z = softmax(row, probs);
            if y != NONE {
                total += f64::from(log_z - row[y as usize]);
                counted += 1;
            }
        }
        let loss = if counted == 0 {
            f32::NAN
        } else {
            (total / counted as f64) as f32
        };
        Forward { steps, loss }
    }

    /// Gradient of the mean loss of `fwd` with respect to every parameter, written (not added) to `grads`
    /// (same layout as `model.params`). The state entering the window is treated as a constant
    /// (truncated backpropagation through time).
    pub fn backward(&mut self, model: &Model, fwd: Forward, grads: &mut [f32]) {
        self.seed_loss(fwd.steps);
        self.backprop(model, fwd.steps, grads);
    }

    /// Gradient of one score, `logits[t][s][class]` of the last forward pass, with respect to every parameter
    /// (written to `grads`, as [`Tape::backward`] does) and, through [`Tape::input_grads`], to every one-hot
    /// input of the window: the connectivity of Distill's "Memorization in RNNs".
    pub fn backward_score(
        &mut self,
        model: &Model,
        fwd: Forward,
        t: usize,
        s: usize,
        class: usize,
        grads: &mut [f32],
    ) {
        let v = self.config.vocab_size;
        assert!(
            t < fwd.steps && s < self.batch && class < v,
            "score outside the window"
        );
        let rows = fwd.steps * self.batch;
        self.d_logits[..rows * v].fill(0.0);
        self.d_logits[(t * self.batch + s) * v + class] = 1.0;
        self.backprop(model, fwd.steps, grads);
    }

    /// After a backward pass over `steps` steps: the `(T·B, V)` gradient with respect to the one-hot input
    /// of every step and stream (`W_ihᵀ` times the gradient of layer 0's input pre-activations), written to
    /// `out`. Defined at inputs that were [`NONE`] too (the gradient with respect to the zero vector).
    pub fn input_grads(&self, model: &Model, steps: usize, out: &mut [f32]) {
        let sizes = model.sizes();
        let (gh, v) = (sizes.gh, sizes.v);
        let rows = steps * self.batch;
        let dg = if self.config.cell == CellKind::Gru {
            &self.dg_ih[..rows * gh]
        } else {
            &self.dg_hh[..rows * gh]
        };
        let w_ih = sizes.layer(&model.params, 0).w_ih;
        let mut pack = PackedB::new(gh, v);
        gemm_nn(rows, gh, dg, w_ih, &mut pack, &mut out[..rows * v], false);
    }

    /// `d_logits = (p − onehot(y)) / N` over the steps that have a target.
    fn seed_loss(&mut self, steps: usize) {
        let v = self.config.vocab_size;
        let rows = steps * self.batch;
        let counted = self.targets[..rows]
            .iter()
            .filter(|&&y| y != NONE)
            .count()
            .max(1);
        let scale = 1.0 / counted as f32;
        let d_logits = &mut self.d_logits[..rows * v];
        for ((d, p), &y) in d_logits
            .chunks_exact_mut(v)
            .zip(self.probs.chunks_exact(v))
            .zip(&self.targets[..rows])
        {
            if y == NONE {
                d.fill(0.0);
                continue;
            }
            for (d, &p) in d.iter_mut().zip(p) {
                *d = p * scale;
            }
            d[y as usize] -= scale;
        }
    }

    /// Backpropagation through time from the `d_logits` of the first `steps` steps.
    fn backprop(&mut self, model: &Model, steps: usize, grads: &mut [f32]) {
        let sizes = model.sizes();
        let (b, h, gh, v) = (self.batch, sizes.h, sizes.gh, sizes.v);
        let rows = steps * b;
        let cell = self.config.cell;
        grads.fill(0.0);
        let d_logits = &self.d_logits[..rows * v];
        let top = &self.layers[self.config.layers - 1].h[..rows * h];
        {
            let (dw_d, db_d) = sizes.decoder_mut(grads);
            gemm_tn_acc(v, rows, d_logits, top, &mut self.pack_rows_h, dw_d);
            sum_rows_acc(d_logits, v, db_d);
        }
        let (w_d, _) = sizes.decoder(&model.params);
        gemm_nn(
            rows,
            v,
            d_logits,
            w_d,
            &mut self.pack_v_h,
            &mut self.d_h[..rows * h],
            false,
        );

        for l in (0..self.config.layers).rev() {
            let p = sizes.layer(&model.params, l);
            let lt = &self.layers[l];
            self.dh_next.fill(0.0);
            self.dc_next.fill(0.0);
            let packed = worth_packing(b);
            if packed {
                self.pack_gh_h.pack(p.w_hh, gh);
            }
            for t in (0..steps).rev() {
                let d_h = &mut self.d_h[t * b * h..(t + 1) * b * h];
                for (d, &n) in d_h.iter_mut().zip(&self.dh_next) {
                    *d += n;
                }
                // A clamped `h` is a constant: nothing flows back through it.
                for c in self.clamps.iter().filter(|c| c.layer == l) {
                    if c.tensor == ClampedTensor::H {
                        for s in 0..b {
                            d_h[s * h + c.unit] = 0.0;
                        }
                    }
                }
                let dg_hh = &mut self.dg_hh[t * b * gh..(t + 1) * b * gh];
                let h_prev: &[f32] = if t == 0 {
                    &lt.h0
                } else {
                    &lt.h[(t - 1) * b * h..t * b * h]
                };
                match cell {
                    CellKind::Rnn(a) => {
                        rnn::backward(a, &lt.h[t * b * h..(t + 1) * b * h], d_h, dg_hh);
                    }
                    CellKind::Lstm => {
                        let c_prev: &[f32] = if t == 0 {
                            &lt.c0
                        } else {
                            &lt.c[(t - 1) * b * h..t * b * h]
                        };
                        for s in 0..b {
                            let r = s * h..(s + 1) * h;
                            let rg = (t * b + s) * gh..(t * b + s + 1) * gh;
                            let rt = (t * b + s) * h..(t * b + s + 1) * h;
                            lstm::backward(
                                &lt.act[rg],
                                &c_prev[r.clone()],
                                &lt.tanh_c[rt],
                                &d_h[r.clone()],
                                &mut self.dc_next[r.clone()],
                                &mut dg_hh[s * gh..(s + 1) * gh],
                            );
                        }
                        // A clamped `c` is a constant: only its output gate still gets a gradient.
                        for c in self.clamps.iter().filter(|c| c.layer == l) {
                            if c.tensor == ClampedTensor::C {
                                for s in 0..b {
                                    self.dc_next[s * h + c.unit] = 0.0;
                                    for k in [lstm::I, lstm::F, lstm::G] {
                                        dg_hh[s * gh + k * h + c.unit] = 0.0;
                                    }
                                }
                            }
                        }
                    }
                    CellKind::Gru => {
                        let dg_ih = &mut self.dg_ih[t * b * gh..(t + 1) * b * gh];
                        for s in 0..b {
                            let r = s * h..(s + 1) * h;
                            let rg = (t * b + s) * gh..(t * b + s + 1) * gh;
                            let local = s * gh..(s + 1) * gh;
                            gru::backward(
                                &lt.act[rg.clone()],
                                &lt.hh[rg],
                                &h_prev[r.clone()],
                                &d_h[r.clone()],
                                &mut dg_ih[local.clone()],
                                &mut dg_hh[local],
                                &mut self.dh_direct[r],
                            );
                        }
                    }
                }
                if packed {
                    gemm_packed(b, dg_hh, &mut self.pack_gh_h, &mut self.dh_next, false);
                } else {
                    gemm_nn(
                        b,
                        gh,
                        dg_hh,
                        p.w_hh,
                        &mut self.pack_gh_h,
                        &mut self.dh_next,
                        false,
                    );
                }
                if cell == CellKind::Gru {
                    for (d, &x) in self.dh_next.iter_mut().zip(&self.dh_direct) {
                        *d += x;
                    }
                }
            }
            let dg_hh = &self.dg_hh[..rows * gh];
            let dg_ih = if cell == CellKind::Gru {
                &self.dg_ih[..rows * gh]
            } else {
                dg_hh
            };
            let g = sizes.layer_mut(grads, l);
            // dW_hh = Σ_t dgh_tᵀ h_{t-1}: step 0 pairs with h0, the rest with h shifted by one step.
            gemm_tn_acc(
                gh,
                b,
                &dg_hh[..b * gh],
                &lt.h0,
                &mut self.pack_rows_h,
                g.w_hh,
            );
            if steps > 1 {
                gemm_tn_acc(
                    gh,
                    rows - b,
                    &dg_hh[b * gh..],
                    &lt.h[..(rows - b) * h],
                    &mut self.pack_rows_h,
                    g.w_hh,
                );
            }
            sum_rows_acc(dg_hh, gh, g.b_hh);
            sum_rows_acc(dg_ih, gh, g.b_ih);
            if l == 0 {
                // One-hot input: column x of W_ih receives the gate gradient.
                for (dg, &x) in dg_ih.chunks_exact(gh).zip(&self.inputs[..rows]) {
                    if x != NONE {
                        let x = x as usize;
                        for (j, &d) in dg.iter().enumerate() {
                            g.w_ih[j * v + x] += d;
                        }
                    }
                }
            } else {
                let below = &self.layers[l - 1].h[..rows * h];
                gemm_tn_acc(gh, rows, dg_ih, below, &mut self.pack_rows_h, g.w_ih);
                gemm_nn(
                    rows,
                    gh,
                    dg_ih,
                    p.w_ih,
                    &mut self.pack_gh_h,
                    &mut self.d_below[..rows * h],
                    false,
                );
                std::mem::swap(&mut self.d_h, &mut self.d_below);
            }
        }
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

/// Holds layer `l`'s clamped units at step `t` of every stream (see [`crate::clamp`]); `c` clamps come first and
/// recompute their unit's `h = o · tanh(c)`.
fn apply_clamps(clamps: &[Clamp], l: usize, lt: &mut LayerTape, t: usize, b: usize, h: usize) {
    for c in clamps.iter().filter(|c| c.layer == l) {
        for s in 0..b {
            let r = (t * b + s) * h + c.unit;
            match c.tensor {
                ClampedTensor::C => {
                    lt.c[r] = c.value;
                    lt.tanh_c[r] = crate::nonlinear::tanh(c.value);
                    let o = lt.act[(t * b + s) * 4 * h + lstm::O * h + c.unit];
                    lt.h[r] = o * lt.tanh_c[r];
                }
                ClampedTensor::H => lt.h[r] = c.value,
            }
        }
    }
}
