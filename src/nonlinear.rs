//! The element-wise functions of the cells, the decoder and the sampler: `eˣ`, `σ` and `tanh` written so that loops
//! over gates vectorise, their derivatives from saved outputs, and the softmax.

/// `eˣ` without a library call, so loops over gates vectorise. Range reduction `x = n·ln2 + r`,
/// `|r| ≤ ln2/2`, then a degree-7 Taylor polynomial (truncation error below 3e-9 relative) and `2ⁿ` built
/// from the exponent bits. Inputs are clamped to the finite range of `f32`; accuracy is within a few ulp,
/// like the vectorised `exp` PyTorch uses on CPU.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + 0.5).floor();
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.0 / 5040.0;
    let p = p * r + 1.0 / 720.0;
    let p = p * r + 1.0 / 120.0;
    let p = p * r + 1.0 / 24.0;
    let p = p * r + 1.0 / 6.0;
    let p = p * r + 0.5;
    let p = p * r + 1.0;
    let p = p * r + 1.0;
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// `σ(x) = 1 / (1 + e⁻ˣ)`; saturates cleanly to 0 and 1.
#[inline(always)]
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// `tanh(x)`: `1 - 2/(e²ˣ + 1)` away from zero, where it is accurate to a few ulp, and the odd Taylor series
/// through `x¹¹` for `|x| < 0.3`, where the first form would cancel (series error below 1e-9 relative).
#[inline(always)]
pub(crate) fn tanh(x: f32) -> f32 {
    let far = {
        let t = 1.0 - 2.0 / (exp(2.0 * x.abs()) + 1.0);
        t.copysign(x)
    };
    let x2 = x * x;
    let near = x
        * (1.0
            + x2 * (-1.0 / 3.0
                + x2 * (2.0 / 15.0
                    + x2 * (-17.0 / 315.0 + x2 * (62.0 / 2835.0 + x2 * (-1382.0 / 155_925.0))))));
    if x.abs() < 0.3 {
        near
    } else {
        far
    }
}

/// `σ'(x)` from the saved output `y = σ(x)`.
#[inline]
pub(crate) fn sigmoid_grad_from_output(y: f32) -> f32 {
    y * (1.0 - y)
}

/// `tanh'(x)` from the saved output `y = tanh(x)`.
#[inline]
pub(crate) fn tanh_grad_from_output(y: f32) -> f32 {
    1.0 - y * y
}

/// Writes `softmax(row)` to `probs` (subtracting the maximum first) and returns `log Σ exp(row)`.
pub fn softmax(row: &[f32], probs: &mut [f32]) -> f32 {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for (p, &x) in probs.iter_mut().zip(row) {
        *p = (x - max).exp();
        sum += *p;
    }
    let inv = 1.0 / sum;
    for p in probs.iter_mut() {
        *p *= inv;
    }
    max + sum.ln()
}

#[cfg(test)]
mod tests {
    /// The vectorisable `exp`, `σ` and `tanh` against the standard library over a dense sweep.
    #[test]
    fn fast_functions_match_std() {
        let mut worst = [0.0f64; 3];
        let mut x = -30.0f32;
        while x < 30.0 {
            let e = super::exp(x.min(80.0)) as f64;
            let e_ref = (x.min(80.0) as f64).exp();
            worst[0] = worst[0].max((e - e_ref).abs() / e_ref);
            let s_ref = 1.0 / (1.0 + (-x as f64).exp());
            worst[1] = worst[1].max((super::sigmoid(x) as f64 - s_ref).abs());
            let t_ref = (x as f64).tanh();
            let rel = (super::tanh(x) as f64 - t_ref).abs() / t_ref.abs().max(1e-30);
            worst[2] = worst[2].max(if t_ref.abs() < 1e-30 { 0.0 } else { rel });
            x += 0.000_37;
        }
        assert!(worst[0] < 1e-6, "exp max relative error {:e}", worst[0]);
        assert!(worst[1] < 2e-7, "sigmoid max absolute error {:e}", worst[1]);
        assert!(worst[2] < 1e-6, "tanh max relative error {:e}", worst[2]);
        assert_eq!(super::tanh(0.0), 0.0);
        assert!(super::sigmoid(-200.0) < 1e-37);
        assert_eq!(super::sigmoid(200.0), 1.0);
        assert_eq!(super::tanh(200.0), 1.0);
        assert_eq!(super::tanh(-200.0), -1.0);
    }
}
