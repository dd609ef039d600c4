//! The forward pass over a window: layer by layer, the input products of the whole window at once, the recurrence
//! step by step, then the decoder and the softmax of every row.

use super::clamps::apply_clamps;
use super::dropout::drop_values;
use super::{Forward, Tape, NONE};
use crate::cell::{gru, lstm, rnn, CellKind};
use crate::kernels::{gemm_nt, gemm_packed, worth_packing};
use crate::model::{Model, State};
use crate::nonlinear::softmax;

impl Tape {
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
                    &below[l - 1].output(self.dropout)[..rows * h],
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
            if self.dropout {
                drop_values(&lt.h[..rows * h], &lt.mask, &mut lt.dropped);
            }
        }
        // Decoder and softmax.
        let (w_d, b_d) = sizes.decoder(&model.params);
        let top = &self.layers[self.config.layers - 1].output(self.dropout)[..rows * h];
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
}
