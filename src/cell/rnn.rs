//! Vanilla RNN cell: `h' = act(W_ih x + b_ih + W_hh h + b_hh)` with `act` = tanh (default) or relu.

use crate::nonlinear::{tanh, tanh_grad_from_output};

/// The nonlinearity of the vanilla RNN cell (PyTorch's `nonlinearity` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Tanh,
    Relu,
}

/// Gate blocks: one, the pre-activation of `h` itself.
pub const GATES: usize = 1;

/// Forward one row. `pre_ih`, `hh`: `(H)`; writes `h` `(H)` (the cell's only "gate" is `h` itself).
pub fn forward(activation: Activation, pre_ih: &[f32], hh: &[f32], h: &mut [f32]) {
    for ((h, &a), &b) in h.iter_mut().zip(pre_ih).zip(hh) {
        let x = a + b;
        *h = match activation {
            Activation::Tanh => tanh(x),
            Activation::Relu => x.max(0.0),
        };
    }
}

/// Backward one row from the saved output `h` `(H)` and `dh` `(H)`; writes `dg = ∂loss/∂(pre-activation)` `(H)`.
pub fn backward(activation: Activation, h: &[f32], dh: &[f32], dg: &mut [f32]) {
    for ((dg, &h), &dh) in dg.iter_mut().zip(h).zip(dh) {
        *dg = match activation {
            Activation::Tanh => dh * tanh_grad_from_output(h),
            Activation::Relu => {
                if h > 0.0 {
                    dh
                } else {
                    0.0
                }
            }
        };
    }
}
