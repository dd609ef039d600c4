//! Units held at values in the tape (see [`crate::clamp`]): set on the tape, applied after every forward step, and
//! constants to backpropagation, which stops their gradients.

use super::{LayerTape, Tape};
use crate::cell::lstm;
use crate::clamp::{self, Clamp, ClampedTensor};
use crate::error::Result;
use crate::nonlinear::tanh;

impl Tape {
    /// Holds these units at their values in every later forward pass (and stops their gradients in backward);
    /// an empty list removes every clamp. Refuses clamps the model cannot have, keeping the previous ones.
    pub fn set_clamps(&mut self, clamps: &[Clamp]) -> Result<()> {
        clamp::check_all(clamps, &self.config)?;
        self.clamps = clamps.to_vec();
        // A clamped `c` sets its `h`, which an `h` clamp of the same unit then overrides.
        let h_last = |c: &Clamp| c.tensor != ClampedTensor::C;
        crate::order::sort_by(&mut self.clamps, |a, b| h_last(a).cmp(&h_last(b)));
        Ok(())
    }

    /// The clamps in force.
    pub fn clamps(&self) -> &[Clamp] {
        &self.clamps
    }
}

/// Holds layer `l`'s clamped units at step `t` of every stream (see [`crate::clamp`]); `c` clamps come first and
/// recompute their unit's `h = o · tanh(c)`.
pub(super) fn apply_clamps(
    clamps: &[Clamp],
    l: usize,
    lt: &mut LayerTape,
    t: usize,
    b: usize,
    h: usize,
) {
    for c in clamps.iter().filter(|c| c.layer == l) {
        for s in 0..b {
            let r = (t * b + s) * h + c.unit;
            match c.tensor {
                ClampedTensor::C => {
                    lt.c[r] = c.value;
                    lt.tanh_c[r] = tanh(c.value);
                    let o = lt.act[(t * b + s) * 4 * h + lstm::O * h + c.unit];
                    lt.h[r] = o * lt.tanh_c[r];
                }
                ClampedTensor::H => lt.h[r] = c.value,
            }
        }
    }
}

/// A clamped `h` is a constant: nothing flows back through it. Zeroes the gradient `d_h` `(B, H)` reaching layer
/// `l`'s clamped `h` units at one step.
pub(super) fn stop_at_clamped_h(clamps: &[Clamp], l: usize, d_h: &mut [f32], h: usize) {
    for c in clamps
        .iter()
        .filter(|c| c.layer == l && c.tensor == ClampedTensor::H)
    {
        for row in d_h.chunks_exact_mut(h) {
            row[c.unit] = 0.0;
        }
    }
}

/// A clamped `c` is a constant: only its output gate still gets a gradient. Zeroes, at one step of layer `l`, the
/// gradient `dc_next` `(B, H)` reaching the clamped `c` units from the step after and, in `dg` `(B, 4H)`, their
/// `i`, `f` and `g` gate gradients.
pub(super) fn stop_at_clamped_c(
    clamps: &[Clamp],
    l: usize,
    dc_next: &mut [f32],
    dg: &mut [f32],
    h: usize,
) {
    for c in clamps
        .iter()
        .filter(|c| c.layer == l && c.tensor == ClampedTensor::C)
    {
        for (dc, dg) in dc_next.chunks_exact_mut(h).zip(dg.chunks_exact_mut(4 * h)) {
            dc[c.unit] = 0.0;
            for k in [lstm::I, lstm::F, lstm::G] {
                dg[k * h + c.unit] = 0.0;
            }
        }
    }
}
