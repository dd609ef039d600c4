//! Dropout on the output of every layer, as `nn.LSTM(dropout=p)` between stacked layers plus an `nn.Dropout(p)`
//! before the decoder: each value of `h` a layer passes up (to the next layer or the decoder) is kept and scaled
//! by `1 / (1 − p)`, or zeroed; the recurrent path inside a layer keeps the whole `h`. PyTorch multiplies by the
//! same mask (`bernoulli(1 − p) / (1 − p)`), so given the same masks both compute the same numbers.
//!
//! Off unless masks are set ([`Tape::set_dropout`] draws them, [`Tape::dropout_mask_mut`] takes them from
//! elsewhere). A mask value is a function of `(seed, step, layer, t, stream, unit)` only, so a run is the same bit
//! for bit on any thread or worker split: each group draws its own streams' masks.

use super::Tape;
use crate::error::{Error, Result};

/// Largest dropout probability accepted.
pub const MAX_DROPOUT: f32 = 0.9;

/// Where a window's masks come from: the run's seed, its step, and the first of this tape's streams in the batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaskDraw {
    /// Probability of zeroing a value, in `[0, MAX_DROPOUT]`.
    pub p: f32,
    pub seed: u64,
    pub step: u64,
    pub first_stream: usize,
}

/// Refuses a dropout probability outside `[0, MAX_DROPOUT]`.
pub fn check_dropout(p: f32) -> Result<()> {
    if p.is_finite() && (0.0..=MAX_DROPOUT).contains(&p) {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "dropout {p} is outside [0, {MAX_DROPOUT}]"
        )))
    }
}

/// SplitMix64's finaliser: a bijection of `u64` whose outputs look independent for consecutive inputs.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Tape {
    /// Draws dropout masks for the next `steps` steps from `draw` (`p = 0` turns dropout off). Forward then drops
    /// values and backward stops their gradients, until [`Tape::clear_dropout`].
    pub fn set_dropout(&mut self, draw: MaskDraw, steps: usize) -> Result<()> {
        check_dropout(draw.p)?;
        if draw.p == 0.0 {
            self.clear_dropout();
            return Ok(());
        }
        let (b, h) = (self.batch, self.config.hidden);
        let scale = 1.0 / (1.0 - draw.p);
        // Kept when 24 random bits fall below (1 − p)·2²⁴.
        let keep_below = (f64::from(1.0 - draw.p) * f64::from(1u32 << 24)).round() as u64;
        let run = mix(draw.seed ^ 0x6a09_e667_f3bc_c908).wrapping_add(mix(draw.step));
        for l in 0..self.config.layers {
            let mask = self.dropout_mask_mut(l);
            for (r, row) in mask[..steps * b * h].chunks_exact_mut(h).enumerate() {
                let (t, s) = ((r / b) as u64, (r % b + draw.first_stream) as u64);
                let base = mix(run ^ mix((l as u64) << 48 ^ t << 24 ^ s));
                for (unit, m) in row.iter_mut().enumerate() {
                    let bits = mix(base.wrapping_add(unit as u64)) >> 40;
                    *m = if bits < keep_below { scale } else { 0.0 };
                }
            }
        }
        Ok(())
    }

    /// Layer `l`'s `(T·B, H)` mask, to be filled by the caller (its values multiply `h`: `1 / (1 − p)` or 0);
    /// turns dropout on. Every layer's mask starts at 1 (nothing dropped).
    pub fn dropout_mask_mut(&mut self, l: usize) -> &mut [f32] {
        if !self.dropout {
            let n = self.layers[0].h.len();
            for lt in &mut self.layers {
                lt.mask.clear();
                lt.mask.resize(n, 1.0);
                lt.dropped.resize(n, 0.0);
            }
            self.dropout = true;
        }
        &mut self.layers[l].mask
    }

    /// Turns dropout off (the buffers stay for the next masks).
    pub fn clear_dropout(&mut self) {
        self.dropout = false;
    }

    /// Whether forward drops values.
    pub fn has_dropout(&self) -> bool {
        self.dropout
    }
}

/// `out = h ⊙ mask`, what a layer passes up under dropout.
pub(super) fn drop_values(h: &[f32], mask: &[f32], out: &mut [f32]) {
    for ((o, &x), &m) in out.iter_mut().zip(h).zip(mask) {
        *o = x * m;
    }
}

/// `d ⊙= mask`: the gradient reaching a layer's `h` through its dropped output.
pub(super) fn drop_grads(d: &mut [f32], mask: &[f32]) {
    for (d, &m) in d.iter_mut().zip(mask) {
        *d *= m;
    }
}
