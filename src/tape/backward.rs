//! Backpropagation through time over the window a forward pass filled: from the loss ([`Tape::backward`]) or from
//! one score ([`Tape::backward_score`]), with the gradients of the one-hot inputs after it ([`Tape::input_grads`]).

use super::clamps::{stop_at_clamped_c, stop_at_clamped_h};
use super::dropout::drop_grads;
use super::{Forward, Tape, NONE};
use crate::cell::{gru, lstm, rnn, CellKind};
use crate::kernels::{gemm_nn, gemm_packed, gemm_tn_acc, sum_rows_acc, worth_packing, PackedB};
use crate::model::Model;

impl Tape {
    /// Gradient of the mean loss of `fwd` with respect to every parameter, written (not added) to `grads`
    /// (same layout as `model.params`). The state entering the window is treated as a constant
    /// (truncated backpropagation through time).
    pub fn backward(&mut self, model: &Model, fwd: Forward, grads: &mut [f32]) {
        self.seed_loss(fwd.steps);
        self.backprop(model, fwd.steps, Some(grads));
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
        let steps = fwd.steps;
        self.seed_score(fwd, t, s, class);
        self.backprop(model, steps, Some(grads));
    }

    /// [`Tape::backward_score`] without the parameters' gradients: only what [`Tape::input_grads`] reads after it
    /// (connectivity needs no more, and the weight-gradient products were most of a backward pass at batch 1).
    pub fn backward_score_inputs(
        &mut self,
        model: &Model,
        fwd: Forward,
        t: usize,
        s: usize,
        class: usize,
    ) {
        let steps = fwd.steps;
        self.seed_score(fwd, t, s, class);
        self.backprop(model, steps, None);
    }

    /// `d_logits` of one score: 1 at `logits[t][s][class]`, 0 elsewhere.
    fn seed_score(&mut self, fwd: Forward, t: usize, s: usize, class: usize) {
        let v = self.config.vocab_size;
        assert!(
            t < fwd.steps && s < self.batch && class < v,
            "score outside the window"
        );
        let rows = fwd.steps * self.batch;
        self.d_logits[..rows * v].fill(0.0);
        self.d_logits[(t * self.batch + s) * v + class] = 1.0;
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

    /// Backpropagation through time from the `d_logits` of the first `steps` steps, with the parameters'
    /// gradients written to `grads` when given.
    fn backprop(&mut self, model: &Model, steps: usize, mut grads: Option<&mut [f32]>) {
        let sizes = model.sizes();
        let (b, h, gh, v) = (self.batch, sizes.h, sizes.gh, sizes.v);
        let rows = steps * b;
        let cell = self.config.cell;
        // Without the parameters' gradients (connectivity), the gradient carried back through time is flushed to
        // zero once it is below FLUSH_BELOW: it shrinks step after step, and arithmetic on subnormal floats is
        // tens of times slower on x86 (natively and in wasm); what is lost is below what the norms can show.
        let flush = grads.is_none();
        let d_logits = &self.d_logits[..rows * v];
        let top_layer = &self.layers[self.config.layers - 1];
        let top = &top_layer.output(self.dropout)[..rows * h];
        if let Some(grads) = grads.as_deref_mut() {
            grads.fill(0.0);
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
        if self.dropout {
            drop_grads(&mut self.d_h[..rows * h], &top_layer.mask);
        }

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
                stop_at_clamped_h(&self.clamps, l, d_h, h);
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
                        stop_at_clamped_c(&self.clamps, l, &mut self.dc_next, dg_hh, h);
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
                if flush {
                    flush_tiny(&mut self.dh_next);
                    flush_tiny(&mut self.dc_next);
                }
            }
            let dg_hh = &self.dg_hh[..rows * gh];
            let dg_ih = if cell == CellKind::Gru {
                &self.dg_ih[..rows * gh]
            } else {
                dg_hh
            };
            if let Some(grads) = grads.as_deref_mut() {
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
                    let below_out = &self.layers[l - 1].output(self.dropout)[..rows * h];
                    gemm_tn_acc(gh, rows, dg_ih, below_out, &mut self.pack_rows_h, g.w_ih);
                }
            }
            if l > 0 {
                let below = &self.layers[l - 1];
                gemm_nn(
                    rows,
                    gh,
                    dg_ih,
                    p.w_ih,
                    &mut self.pack_gh_h,
                    &mut self.d_below[..rows * h],
                    false,
                );
                if self.dropout {
                    drop_grads(&mut self.d_below[..rows * h], &below.mask);
                }
                std::mem::swap(&mut self.d_h, &mut self.d_below);
            }
        }
    }
}

/// Magnitudes below this are flushed to zero in a backward pass without the parameters' gradients: far above the
/// subnormal range (1.2e-38), far below any gradient norm connectivity reports.
const FLUSH_BELOW: f32 = 1e-30;

fn flush_tiny(xs: &mut [f32]) {
    for x in xs {
        if x.abs() < FLUSH_BELOW {
            *x = 0.0;
        }
    }
}
