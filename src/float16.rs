//! The two 16-bit float formats model files may hold, converted to and from `f32` exactly as PyTorch does
//! (`tensor.half()`, `tensor.bfloat16()`): IEEE 754 binary16 (`F16`: 1 sign, 5 exponent, 10 fraction bits) and
//! bfloat16 (`BF16`: the top 16 bits of an `f32`), rounding to nearest, ties to even. Computation stays `f32`.

/// The `f32` an `F16` holds (every one is exact in `f32`).
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let frac = u32::from(h & 0x3ff);
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: frac · 2⁻²⁴, normalised for f32.
            let shift = frac.leading_zeros() - 21; // brings the top set bit to bit 10
            let frac = (frac << shift) & 0x3ff;
            sign | ((127 - 15 + 1 - shift) << 23) | (frac << 13)
        }
        (0x1f, 0) => sign | 0x7f80_0000,
        (0x1f, _) => sign | 0x7fc0_0000 | (frac << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (frac << 13),
    };
    f32::from_bits(bits)
}

/// The nearest `F16` to `x` (ties to even); beyond ±65504 (the largest `F16`) it rounds to ±infinity, as
/// PyTorch does, and NaN stays NaN.
pub fn f32_to_f16(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let frac = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if frac != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15; // the F16 exponent, before rounding
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        // Subnormal (or zero) in F16: the 24-bit significand shifted right, rounded.
        if e < -10 {
            return sign;
        }
        let m = frac | 0x80_0000;
        let shift = (14 - e) as u32; // 13 fraction bits dropped, plus 1 - e for the exponent
        return sign | round_shift(m, shift) as u16;
    }
    // Normal: 13 fraction bits dropped; a carry out of the fraction bumps the exponent (possibly to infinity).
    sign | round_shift((e as u32) << 23 | frac, 13) as u16
}

/// The `f32` a `BF16` holds.
pub fn bf16_to_f32(b: u16) -> f32 {
    f32::from_bits(u32::from(b) << 16)
}

/// The nearest `BF16` to `x` (ties to even); NaN stays NaN.
pub fn f32_to_bf16(x: f32) -> u16 {
    let bits = x.to_bits();
    if x.is_nan() {
        return ((bits >> 16) as u16) | 0x40;
    }
    round_shift(bits, 16) as u16
}

/// `v >> shift`, rounded to nearest, ties to even.
fn round_shift(v: u32, shift: u32) -> u32 {
    let kept = v >> shift;
    let rest = v & ((1 << shift) - 1);
    let half = 1 << (shift - 1);
    if rest > half || (rest == half && kept & 1 == 1) {
        kept + 1
    } else {
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_f16_values() {
        for (x, h) in [
            (0.0f32, 0x0000u16),
            (-0.0, 0x8000),
            (1.0, 0x3c00),
            (-2.0, 0xc000),
            (0.5, 0x3800),
            (65504.0, 0x7bff),
            (2f32.powi(-14), 0x0400),          // smallest normal
            (2f32.powi(-24), 0x0001),          // smallest subnormal
            (1023.0 * 2f32.powi(-24), 0x03ff), // largest subnormal
            (f32::INFINITY, 0x7c00),
            (f32::NEG_INFINITY, 0xfc00),
        ] {
            assert_eq!(f32_to_f16(x), h, "{x}");
            assert_eq!(f16_to_f32(h).to_bits(), x.to_bits(), "{h:#06x}");
        }
        assert_eq!(f32_to_f16(0.1), 0x2e66);
        assert_eq!(
            f32_to_f16(65520.0),
            0x7c00,
            "halfway to the next power rounds to infinity"
        );
        assert_eq!(f32_to_f16(65519.0), 0x7bff);
        assert!(f16_to_f32(f32_to_f16(f32::NAN)).is_nan());
    }

    #[test]
    fn f16_rounds_to_nearest_even() {
        // 1 + 2⁻¹¹ lies halfway between 1 and 1 + 2⁻¹⁰: ties go to the even one (1); a hair above goes up.
        assert_eq!(f32_to_f16(1.0 + 2f32.powi(-11)), 0x3c00);
        assert_eq!(f32_to_f16(1.0 + 3.0 * 2f32.powi(-11)), 0x3c02);
        assert_eq!(
            f32_to_f16(f32::from_bits((1.0f32 + 2f32.powi(-11)).to_bits() + 1)),
            0x3c01
        );
        // Every F16 survives the round trip, and each f32 goes to the nearer of its two F16 neighbours.
        for h in (0..=0xffffu16).filter(|h| h & 0x7c00 != 0x7c00) {
            let x = f16_to_f32(h);
            assert_eq!(f32_to_f16(x), h, "{h:#06x}");
        }
        let mut state = 0x1234_5678u32;
        for _ in 0..100_000 {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let x = f32::from_bits(state & 0x477f_ffff); // |x| < 65536
            if x.abs() > 65504.0 {
                continue; // rounds to infinity, as checked above
            }
            let h = f32_to_f16(x);
            let got = f64::from(f16_to_f32(h));
            let err = (got - f64::from(x)).abs();
            for n in [h.wrapping_sub(1), h.wrapping_add(1)] {
                let other = f64::from(f16_to_f32(n));
                if other.is_finite() && (n ^ h) & 0x8000 == 0 {
                    assert!(
                        err <= (other - f64::from(x)).abs(),
                        "{x}: {h:#06x} but {n:#06x} is nearer"
                    );
                }
            }
        }
    }

    #[test]
    fn bf16_is_the_rounded_top_half() {
        assert_eq!(f32_to_bf16(1.0), 0x3f80);
        assert_eq!(f32_to_bf16(-2.5), 0xc020);
        assert_eq!(
            f32_to_bf16(f32::from_bits(0x3f80_8000)),
            0x3f80,
            "a tie goes to even"
        );
        assert_eq!(
            f32_to_bf16(f32::from_bits(0x3f81_8000)),
            0x3f82,
            "a tie goes to even"
        );
        assert_eq!(f32_to_bf16(f32::from_bits(0x3f80_8001)), 0x3f81);
        assert!(bf16_to_f32(f32_to_bf16(f32::NAN)).is_nan());
        for b in [0x0000u16, 0x8000, 0x3f80, 0x7f7f, 0x0001] {
            assert_eq!(f32_to_bf16(bf16_to_f32(b)), b);
        }
    }
}
