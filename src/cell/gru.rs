//! GRU cell, PyTorch's equations (reset applied after the `W_hh` product) and block order `r, z, n`:
//!
//! ```text
//! gi = W_ih x + b_ih   gh = W_hh h + b_hh                       (3H each)
//! r = σ(gi_r + gh_r)   z = σ(gi_z + gh_z)   n = tanh(gi_n + r * gh_n)
//! h' = (1 - z) * n + z * h
//! ```

use super::block;
use crate::nonlinear::{sigmoid, sigmoid_grad_from_output, tanh, tanh_grad_from_output};

pub const GATE_NAMES: [&str; 3] = ["r", "z", "n"];
/// Gate blocks stacked in the weight matrices.
pub const GATES: usize = GATE_NAMES.len();
const R: usize = 0;
const Z: usize = 1;
const N: usize = 2;

/// Forward one row.
/// - `pre_ih` = `gi`, `hh` = `gh`: `(3H)`; `h_prev`: `(H)`;
/// - writes `act` `(3H)` = `[r, z, n]` and `h` `(H)`.
pub fn forward(pre_ih: &[f32], hh: &[f32], h_prev: &[f32], act: &mut [f32], h: &mut [f32]) {
    let n = h.len();
    let (r, rest) = act.split_at_mut(n);
    let (z, nn) = rest.split_at_mut(n);
    let (gi_r, gi_z, gi_n) = (
        &pre_ih[block(R, n)],
        &pre_ih[block(Z, n)],
        &pre_ih[block(N, n)],
    );
    let (gh_r, gh_z, gh_n) = (&hh[block(R, n)], &hh[block(Z, n)], &hh[block(N, n)]);
    for j in 0..n {
        r[j] = sigmoid(gi_r[j] + gh_r[j]);
        z[j] = sigmoid(gi_z[j] + gh_z[j]);
        nn[j] = tanh(gi_n[j] + r[j] * gh_n[j]);
        h[j] = (1.0 - z[j]) * nn[j] + z[j] * h_prev[j];
    }
}

/// Backward one row.
/// - saved: `act` `(3H)`, `hh` = `gh` `(3H)`, `h_prev` `(H)`; `dh` `(H)` reaching `h'`;
/// - writes `dgi` `(3H)` = ∂loss/∂gi, `dgh` `(3H)` = ∂loss/∂gh, and `dh_prev` `(H)` = the direct path `z * dh`
///   (the path through `W_hh` is added by the caller from `dgh`).
pub fn backward(
    act: &[f32],
    hh: &[f32],
    h_prev: &[f32],
    dh: &[f32],
    dgi: &mut [f32],
    dgh: &mut [f32],
    dh_prev: &mut [f32],
) {
    let n = dh.len();
    let (r, z, nn) = (&act[block(R, n)], &act[block(Z, n)], &act[block(N, n)]);
    let gh_n = &hh[block(N, n)];
    for j in 0..n {
        let dn = dh[j] * (1.0 - z[j]);
        let dz = dh[j] * (h_prev[j] - nn[j]);
        let dan = dn * tanh_grad_from_output(nn[j]);
        let dar = dan * gh_n[j] * sigmoid_grad_from_output(r[j]);
        let daz = dz * sigmoid_grad_from_output(z[j]);
        dgi[R * n + j] = dar;
        dgi[Z * n + j] = daz;
        dgi[N * n + j] = dan;
        dgh[R * n + j] = dar;
        dgh[Z * n + j] = daz;
        dgh[N * n + j] = dan * r[j];
        dh_prev[j] = dh[j] * z[j];
    }
}
