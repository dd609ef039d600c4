//! Dense products on row-major `f32` slices.
//!
//! Large products go to ndarray's `general_mat_mul`; a single row (one stream, the recurrent step of
//! batch-1 training and of probing) uses the hand-written dot/axpy loops below, which the compiler
//! vectorises and which avoid the packing cost a general GEMM pays on a matrix-vector product.

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

const LANES: usize = 8;

/// `Σ a[i]·b[i]`, with eight independent partial sums so the loop vectorises.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; LANES];
    let (a8, a_tail) = a.split_at(a.len() / LANES * LANES);
    let (b8, b_tail) = b.split_at(a8.len());
    for (x, y) in a8.chunks_exact(LANES).zip(b8.chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    let mut sum = acc.iter().sum::<f32>();
    for (x, y) in a_tail.iter().zip(b_tail) {
        sum += x * y;
    }
    sum
}

/// `y += alpha · x`.
#[inline]
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += alpha * x;
    }
}

fn view(s: &[f32], rows: usize, cols: usize) -> ArrayView2<'_, f32> {
    ArrayView2::from_shape((rows, cols), s).expect("kernel shape")
}

fn view_mut(s: &mut [f32], rows: usize, cols: usize) -> ArrayViewMut2<'_, f32> {
    ArrayViewMut2::from_shape((rows, cols), s).expect("kernel shape")
}

/// `C (m, n) = A (m, k) · Bᵀ` where `B` is `(n, k)`; adds into `C` when `accumulate`.
pub fn gemm_nt(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    let (a, b, c) = (&a[..m * k], &b[..n * k], &mut c[..m * n]);
    if m <= 2 {
        for (a_row, c_row) in a.chunks_exact(k).zip(c.chunks_exact_mut(n)) {
            for (c, b_row) in c_row.iter_mut().zip(b.chunks_exact(k)) {
                let v = dot(a_row, b_row);
                *c = if accumulate { *c + v } else { v };
            }
        }
        return;
    }
    let beta = if accumulate { 1.0 } else { 0.0 };
    general_mat_mul(
        1.0,
        &view(a, m, k),
        &view(b, n, k).t(),
        beta,
        &mut view_mut(c, m, n),
    );
}

/// `C (m, n) = A (m, k) · B (k, n)`; adds into `C` when `accumulate`.
pub fn gemm_nn(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    accumulate: bool,
) {
    let (a, b, c) = (&a[..m * k], &b[..k * n], &mut c[..m * n]);
    if m <= 2 {
        for (a_row, c_row) in a.chunks_exact(k).zip(c.chunks_exact_mut(n)) {
            if !accumulate {
                c_row.fill(0.0);
            }
            for (&alpha, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
                if alpha != 0.0 {
                    axpy(alpha, b_row, c_row);
                }
            }
        }
        return;
    }
    let beta = if accumulate { 1.0 } else { 0.0 };
    general_mat_mul(
        1.0,
        &view(a, m, k),
        &view(b, k, n),
        beta,
        &mut view_mut(c, m, n),
    );
}

/// `C (m, n) += Aᵀ · B` where `A` is `(k, m)` and `B` is `(k, n)`: the weight-gradient product.
pub fn gemm_tn_acc(m: usize, n: usize, k: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    let (a, b, c) = (&a[..k * m], &b[..k * n], &mut c[..m * n]);
    if k <= 2 {
        for (a_row, b_row) in a.chunks_exact(m).zip(b.chunks_exact(n)) {
            for (&alpha, c_row) in a_row.iter().zip(c.chunks_exact_mut(n)) {
                if alpha != 0.0 {
                    axpy(alpha, b_row, c_row);
                }
            }
        }
        return;
    }
    general_mat_mul(
        1.0,
        &view(a, k, m).t(),
        &view(b, k, n),
        1.0,
        &mut view_mut(c, m, n),
    );
}

/// `out (n) += Σ_rows x (rows, n)`: bias gradients.
pub fn sum_rows_acc(x: &[f32], n: usize, out: &mut [f32]) {
    for row in x.chunks_exact(n) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}
