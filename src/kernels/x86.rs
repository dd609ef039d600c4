//! The x86-64 micro-kernels: AVX-512F and AVX2+FMA intrinsics, each behind a `#[target_feature]` entry point so
//! one binary carries both and `Kernels::chosen` picks at run time (`is_x86_feature_detected!`).
//!
//! Both compute what the plain kernel computes, in the same order: for each output element one chain of fused
//! multiply-adds over `k`, from zero. Only the register tiling differs.

use super::{gemm_rows, Micro, PackedB, Strides, NR};
use core::arch::x86_64::{
    __m256, __m512, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_set1_ps, _mm256_setzero_ps,
    _mm256_storeu_ps, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_set1_ps, _mm512_setzero_ps,
    _mm512_storeu_ps,
};

// Both kernels cover a panel with whole vectors.
const _: () = assert!(NR == 32);

/// 16 lanes: a panel is two vectors per row, so eight rows take 16 of the 32 registers.
struct Avx512;

impl Micro for Avx512 {
    const WIDE: bool = true;

    #[inline(always)]
    fn micro<const R: usize>(a_panel: &[f32], panel: &[f32], acc: &mut [[f32; NR]; R]) {
        // SAFETY: only inlined into `gemm_avx512`, which runs where AVX-512F was detected; every load and store
        // is of 16 floats inside a slice of `NR` = 32.
        unsafe {
            let mut v: [[__m512; 2]; R] = [[_mm512_setzero_ps(); 2]; R];
            for (x, b) in a_panel.chunks_exact(R).zip(panel.chunks_exact(NR)) {
                let x: &[f32; R] = x.try_into().expect("row group");
                let b0 = _mm512_loadu_ps(b.as_ptr());
                let b1 = _mm512_loadu_ps(b.as_ptr().add(16));
                for r in 0..R {
                    let xr = _mm512_set1_ps(x[r]);
                    v[r][0] = _mm512_fmadd_ps(xr, b0, v[r][0]);
                    v[r][1] = _mm512_fmadd_ps(xr, b1, v[r][1]);
                }
            }
            for (out, v) in acc.iter_mut().zip(&v) {
                _mm512_storeu_ps(out.as_mut_ptr(), v[0]);
                _mm512_storeu_ps(out.as_mut_ptr().add(16), v[1]);
            }
        }
    }
}

/// 8 lanes and 16 registers: a panel in two halves of 16 columns, four rows × two vectors each.
struct Avx2;

impl Micro for Avx2 {
    const WIDE: bool = false;

    #[inline(always)]
    fn micro<const R: usize>(a_panel: &[f32], panel: &[f32], acc: &mut [[f32; NR]; R]) {
        // SAFETY: only inlined into `gemm_avx2`, which runs where AVX2 and FMA were detected; every load and
        // store is of 8 floats at offsets up to 24 inside a slice of `NR` = 32.
        unsafe {
            for half in [0, 16] {
                let mut v: [[__m256; 2]; R] = [[_mm256_setzero_ps(); 2]; R];
                for (x, b) in a_panel.chunks_exact(R).zip(panel.chunks_exact(NR)) {
                    let x: &[f32; R] = x.try_into().expect("row group");
                    let b0 = _mm256_loadu_ps(b.as_ptr().add(half));
                    let b1 = _mm256_loadu_ps(b.as_ptr().add(half + 8));
                    for r in 0..R {
                        let xr = _mm256_set1_ps(x[r]);
                        v[r][0] = _mm256_fmadd_ps(xr, b0, v[r][0]);
                        v[r][1] = _mm256_fmadd_ps(xr, b1, v[r][1]);
                    }
                }
                for (out, v) in acc.iter_mut().zip(&v) {
                    _mm256_storeu_ps(out.as_mut_ptr().add(half), v[0]);
                    _mm256_storeu_ps(out.as_mut_ptr().add(half + 8), v[1]);
                }
            }
        }
    }
}

/// The packed product with the AVX-512 micro-kernel.
///
/// # Safety
/// The CPU must have AVX-512F (and AVX2 and FMA, which every AVX-512 CPU has).
#[target_feature(enable = "avx512f,avx2,fma")]
pub unsafe fn gemm_avx512(
    m: usize,
    a: &[f32],
    s: Strides,
    bp: &mut PackedB,
    c: &mut [f32],
    accumulate: bool,
) {
    gemm_rows::<Avx512>(m, a, s, bp, c, accumulate)
}

/// The packed product with the AVX2 micro-kernel.
///
/// # Safety
/// The CPU must have AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
pub unsafe fn gemm_avx2(
    m: usize,
    a: &[f32],
    s: Strides,
    bp: &mut PackedB,
    c: &mut [f32],
    accumulate: bool,
) {
    gemm_rows::<Avx2>(m, a, s, bp, c, accumulate)
}
