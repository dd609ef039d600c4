//! LSTM cell, PyTorch's equations and block order `i, f, g, o`:
//!
//! ```text
//! i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)      a = W_ih x + b_ih + W_hh h + b_hh   (4H)
//! c' = f * c + i * g
//! h' = o * tanh(c')
//! ```

use super::block;
use crate::nonlinear::{sigmoid, sigmoid_grad_from_output, tanh, tanh_grad_from_output};

pub const GATE_NAMES: [&str; 4] = ["i", "f", "g", "o"];
/// Gate blocks stacked in the weight matrices.
pub const GATES: usize = GATE_NAMES.len();
pub(crate) const I: usize = 0;
pub(crate) const F: usize = 1;
pub(crate) const G: usize = 2;
pub(crate) const O: usize = 3;

/// Forward one row.
/// - `pre_ih`, `hh`: `(4H)` pre-activation parts; `c_prev`: `(H)`.
/// - writes `act` `(4H)` = `[i, f, g, o]`, `c` `(H)`, `tanh_c` `(H)` (kept for backward), `h` `(H)`.
pub fn forward(
    pre_ih: &[f32],
    hh: &[f32],
    c_prev: &[f32],
    act: &mut [f32],
    c: &mut [f32],
    tanh_c: &mut [f32],
    h: &mut [f32],
) {
    let n = h.len();
    for (a, (&x, &y)) in act.iter_mut().zip(pre_ih.iter().zip(hh)) {
        *a = x + y;
    }
    for a in &mut act[block(I, n)] {
        *a = sigmoid(*a);
    }
    for a in &mut act[block(F, n)] {
        *a = sigmoid(*a);
    }
    for a in &mut act[block(G, n)] {
        *a = tanh(*a);
    }
    for a in &mut act[block(O, n)] {
        *a = sigmoid(*a);
    }
    let (i, rest) = act.split_at(n);
    let (f, rest) = rest.split_at(n);
    let (g, o) = rest.split_at(n);
    for j in 0..n {
        c[j] = f[j] * c_prev[j] + i[j] * g[j];
        tanh_c[j] = tanh(c[j]);
        h[j] = o[j] * tanh_c[j];
    }
}

/// Backward one row.
/// - saved: `act` `(4H)`, `c_prev` `(H)`, `tanh_c` `(H)`;
/// - `dh` `(H)`: gradient reaching `h'`; `dc` `(H)`: in, gradient reaching `c'` from the next step;
///   out, gradient reaching `c_prev`;
/// - writes `dg` `(4H)`: gradient of the pre-activations `a`.
pub fn backward(
    act: &[f32],
    c_prev: &[f32],
    tanh_c: &[f32],
    dh: &[f32],
    dc: &mut [f32],
    dg: &mut [f32],
) {
    let n = dh.len();
    let (i, rest) = act.split_at(n);
    let (f, rest) = rest.split_at(n);
    let (g, o) = rest.split_at(n);
    let (dai, rest) = dg.split_at_mut(n);
    let (daf, rest) = rest.split_at_mut(n);
    let (dag, dao) = rest.split_at_mut(n);
    for j in 0..n {
        let d_o = dh[j] * tanh_c[j];
        let dc_total = dc[j] + dh[j] * o[j] * tanh_grad_from_output(tanh_c[j]);
        dai[j] = dc_total * g[j] * sigmoid_grad_from_output(i[j]);
        daf[j] = dc_total * c_prev[j] * sigmoid_grad_from_output(f[j]);
        dag[j] = dc_total * i[j] * tanh_grad_from_output(g[j]);
        dao[j] = d_o * sigmoid_grad_from_output(o[j]);
        dc[j] = dc_total * f[j];
    }
}
