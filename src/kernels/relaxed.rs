//! The kernels' inner loops with `f32x4.relaxed_madd`.
use super::NR;
use core::arch::wasm32::{
    f32x4, f32x4_add, f32x4_extract_lane, f32x4_relaxed_madd, f32x4_splat, v128,
};

/// Vectors of four across a panel.
const V: usize = NR / 4;

#[inline(always)]
pub fn load(x: &[f32]) -> v128 {
    f32x4(x[0], x[1], x[2], x[3])
}

#[inline(always)]
pub fn lanes(v: v128) -> [f32; 4] {
    [
        f32x4_extract_lane::<0>(v),
        f32x4_extract_lane::<1>(v),
        f32x4_extract_lane::<2>(v),
        f32x4_extract_lane::<3>(v),
    ]
}

/// `Σ a[i]·b[i]` over whole groups of eight, two vector accumulators.
#[inline(always)]
pub fn dot8(a: &[f32], b: &[f32]) -> f32 {
    let (mut s0, mut s1) = (f32x4_splat(0.0), f32x4_splat(0.0));
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        s0 = f32x4_relaxed_madd(load(&x[..4]), load(&y[..4]), s0);
        s1 = f32x4_relaxed_madd(load(&x[4..]), load(&y[4..]), s1);
    }
    lanes(f32x4_add(s0, s1)).iter().sum()
}

/// `y += alpha · x` over whole groups of four.
#[inline(always)]
pub fn axpy4(alpha: f32, x: &[f32], y: &mut [f32]) {
    let a = f32x4_splat(alpha);
    for (y, x) in y.chunks_exact_mut(4).zip(x.chunks_exact(4)) {
        y.copy_from_slice(&lanes(f32x4_relaxed_madd(a, load(x), load(y))));
    }
}

/// The micro-kernel: `R` rows × `NR` columns of vector accumulators, written into `acc` at the end.
#[inline(always)]
pub fn micro<const R: usize>(a_panel: &[f32], panel: &[f32], acc: &mut [[f32; NR]; R]) {
    let mut v = [[f32x4_splat(0.0); V]; R];
    for (x, b) in a_panel.chunks_exact(R).zip(panel.chunks_exact(NR)) {
        let b: [v128; V] = core::array::from_fn(|l| load(&b[4 * l..4 * l + 4]));
        for r in 0..R {
            let xr = f32x4_splat(x[r]);
            for l in 0..V {
                v[r][l] = f32x4_relaxed_madd(xr, b[l], v[r][l]);
            }
        }
    }
    for r in 0..R {
        for l in 0..V {
            acc[r][4 * l..4 * l + 4].copy_from_slice(&lanes(v[r][l]));
        }
    }
}
