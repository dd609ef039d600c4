//! Dense products on row-major `f32` slices, hand-written because measurement said so.
//!
//! A general GEMM (ndarray's `matrixmultiply`, used at first) packs both operands on every call; in a
//! recurrence that repacks `W_hh` at every time step, which took a quarter of the training time at batch 32.
//! Here the right-hand matrix is packed once ([`PackedB`]) and reused for all steps of a window, and a
//! register-tiled micro-kernel (up to [`MAX_MR`] rows × `NR` columns of accumulators) streams it. Products with
//! very few rows (one stream while probing or sampling) skip packing: plain dot products and `axpy`s are cheaper.
//!
//! The micro-kernel comes in variants ([`Kernels`]): on x86-64, AVX-512 and AVX2+FMA intrinsics (`x86.rs`),
//! chosen at run time; elsewhere safe Rust the compiler vectorises (SIMD128 in the browser), and in the second
//! browser build, with relaxed SIMD (`-C target-feature=+relaxed-simd`, see `scripts/build-wasm.sh`),
//! `f32x4.relaxed_madd` (`relaxed.rs`), which the browser may fuse into one FMA, as native builds do (plain
//! SIMD128 has no fused multiply-add). Every variant computes each output element as the same chain of fused
//! multiply-adds over `k`, in order, from zero: the variants agree bit for bit wherever the plain one is built
//! with FMA (native builds, `target-cpu=native`), whatever the row grouping or thread split.

/// Columns per panel of a [`PackedB`]: one or two vector registers wide.
const NR: usize = 32;
/// Rows of `A` handled together by the plain micro-kernel (and the AVX2 one).
const MR: usize = 4;
/// The most rows any micro-kernel handles together (AVX-512 has registers for eight rows of accumulators).
const MAX_MR: usize = 8;
/// Products with fewer rows than this use the unpacked loops.
const PACK_FROM_ROWS: usize = MR;

pub use variants::Kernels;

/// Whether a product over `rows` rows of `A` is worth packing `B` for: the one place this is decided, by the
/// kernels below and by callers that pack a matrix once for many products.
pub fn worth_packing(rows: usize) -> bool {
    rows >= PACK_FROM_ROWS
}

const LANES: usize = 8;

/// `a·b + c`, fused where the target has FMA (native builds), plain elsewhere (a library call would be slow).
#[inline(always)]
fn fma(a: f32, b: f32, c: f32) -> f32 {
    #[cfg(target_feature = "fma")]
    {
        a.mul_add(b, c)
    }
    #[cfg(not(target_feature = "fma"))]
    {
        a * b + c
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
mod relaxed;
mod variants;
#[cfg(target_arch = "x86_64")]
mod x86;

/// `Σ a[i]·b[i]`, with eight independent partial sums so the loop vectorises.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
    {
        let whole = a.len() / LANES * LANES;
        let mut sum = relaxed::dot8(&a[..whole], &b[..whole]);
        for (x, y) in a[whole..].iter().zip(&b[whole..]) {
            sum += x * y;
        }
        return sum;
    }
    #[allow(unreachable_code)]
    dot_plain(a, b)
}

#[inline(always)]
fn dot_plain(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; LANES];
    let (a8, a_tail) = a.split_at(a.len() / LANES * LANES);
    let (b8, b_tail) = b.split_at(a8.len());
    for (x, y) in a8.chunks_exact(LANES).zip(b8.chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] = fma(x[l], y[l], acc[l]);
        }
    }
    let mut sum = acc.iter().sum::<f32>();
    for (x, y) in a_tail.iter().zip(b_tail) {
        sum = fma(*x, *y, sum);
    }
    sum
}

/// `y += alpha · x`.
#[inline]
pub fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
    let (x, y) = {
        let n = x.len().min(y.len()) / 4 * 4;
        let (y4, y_tail) = y.split_at_mut(n);
        relaxed::axpy4(alpha, &x[..n], y4);
        (&x[n..], y_tail)
    };
    for (y, &x) in y.iter_mut().zip(x) {
        *y = fma(alpha, x, *y);
    }
}

/// A right-hand matrix `B (k, n)` rearranged into column panels `NR` wide (`[panel][k][NR]`, zero padded).
/// Sized once for the largest `k` it will hold.
pub struct PackedB {
    k: usize,
    n: usize,
    panels: Vec<f32>,
    /// Scratch for up to `MAX_MR` rows of the left-hand matrix, interleaved (`[k][rows]`), so the micro-kernel reads
    /// both operands as contiguous streams whatever the left-hand layout.
    a_panel: Vec<f32>,
}

impl PackedB {
    /// Room for a `(k, n)` matrix, or any `(k', n)` with `k' ≤ k`.
    pub fn new(k: usize, n: usize) -> PackedB {
        PackedB {
            k,
            n,
            panels: vec![0.0; n.div_ceil(NR) * k * NR],
            a_panel: vec![0.0; k * MAX_MR],
        }
    }

    /// Packs `B = Wᵀ` where `w` is `(n, k)` row-major.
    pub fn pack_transposed(&mut self, w: &[f32], k: usize) {
        self.k = k;
        let n = self.n;
        let len = n.div_ceil(NR) * k * NR;
        for (p, panel) in self.panels[..len].chunks_exact_mut(k * NR).enumerate() {
            for (l, col) in (p * NR..p * NR + NR).enumerate() {
                if col < n {
                    for (kk, &x) in w[col * k..(col + 1) * k].iter().enumerate() {
                        panel[kk * NR + l] = x;
                    }
                } else {
                    for kk in 0..k {
                        panel[kk * NR + l] = 0.0;
                    }
                }
            }
        }
    }

    /// Packs `B` given `(k, n)` row-major.
    pub fn pack(&mut self, b: &[f32], k: usize) {
        self.k = k;
        let n = self.n;
        let len = n.div_ceil(NR) * k * NR;
        for (p, panel) in self.panels[..len].chunks_exact_mut(k * NR).enumerate() {
            let cols = p * NR..(p * NR + NR).min(n);
            let width = cols.len();
            for (kk, dst) in panel.chunks_exact_mut(NR).enumerate() {
                dst[..width].copy_from_slice(&b[kk * n + cols.start..kk * n + cols.end]);
                dst[width..].fill(0.0);
            }
        }
    }
}

/// How to read element `(r, p)` of the left-hand matrix: `a[r·row_stride + p·col_stride]`.
#[derive(Clone, Copy)]
struct Strides {
    row: usize,
    col: usize,
}

/// A micro-kernel: `R` interleaved rows of `A` (`[k][R]`) times one packed panel (`[k][NR]`), written into
/// `R × NR` accumulators, each the chain of fused multiply-adds over `k` from zero.
trait Micro {
    /// Whether it has registers for `MAX_MR` rows at once (else `MR`).
    const WIDE: bool;
    fn micro<const R: usize>(a_panel: &[f32], panel: &[f32], acc: &mut [[f32; NR]; R]);
}

/// The compiler-vectorised micro-kernel (relaxed SIMD's in that browser build).
struct Plain;

impl Micro for Plain {
    const WIDE: bool = false;

    #[inline(always)]
    fn micro<const R: usize>(a_panel: &[f32], panel: &[f32], acc: &mut [[f32; NR]; R]) {
        #[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
        return relaxed::micro::<R>(a_panel, panel, acc);
        #[allow(unreachable_code)]
        {
            *acc = [[0.0; NR]; R];
            for (x, b) in a_panel.chunks_exact(R).zip(panel.chunks_exact(NR)) {
                let x: &[f32; R] = x.try_into().expect("row group");
                let b: &[f32; NR] = b.try_into().expect("panel width");
                for r in 0..R {
                    for l in 0..NR {
                        acc[r][l] = fma(x[r], b[l], acc[r][l]);
                    }
                }
            }
        }
    }
}

#[inline(always)]
fn rows_times_packed<M: Micro, const R: usize>(
    a: &[f32],
    s: Strides,
    r0: usize,
    bp: &mut PackedB,
    c: &mut [f32],
    accumulate: bool,
) {
    let (k, n) = (bp.k, bp.n);
    let a_panel = &mut bp.a_panel[..k * R];
    for (p, x) in a_panel.chunks_exact_mut(R).enumerate() {
        for (r, x) in x.iter_mut().enumerate() {
            *x = a[(r0 + r) * s.row + p * s.col];
        }
    }
    let panels = bp.panels[..n.div_ceil(NR) * k * NR].chunks_exact(k * NR);
    let mut acc = [[0.0f32; NR]; R];
    for (p, panel) in panels.enumerate() {
        M::micro::<R>(&bp.a_panel[..k * R], panel, &mut acc);
        let cols = p * NR..(p * NR + NR).min(n);
        for (r, acc) in acc.iter().enumerate() {
            let out = &mut c[(r0 + r) * n + cols.start..(r0 + r) * n + cols.end];
            for (o, &v) in out.iter_mut().zip(acc) {
                *o = if accumulate { *o + v } else { v };
            }
        }
    }
}

/// All `m` rows, in groups as wide as the micro-kernel has registers for, then fours, then one at a time.
#[inline(always)]
fn gemm_rows<M: Micro>(
    m: usize,
    a: &[f32],
    s: Strides,
    bp: &mut PackedB,
    c: &mut [f32],
    accumulate: bool,
) {
    let mut r = 0;
    if M::WIDE {
        while r + MAX_MR <= m {
            rows_times_packed::<M, MAX_MR>(a, s, r, bp, c, accumulate);
            r += MAX_MR;
        }
    }
    while r + MR <= m {
        rows_times_packed::<M, MR>(a, s, r, bp, c, accumulate);
        r += MR;
    }
    while r < m {
        rows_times_packed::<M, 1>(a, s, r, bp, c, accumulate);
        r += 1;
    }
}

fn gemm_packed_strided(
    m: usize,
    a: &[f32],
    s: Strides,
    bp: &mut PackedB,
    c: &mut [f32],
    accumulate: bool,
) {
    gemm_packed_with(Kernels::chosen(), m, a, s, bp, c, accumulate)
}

/// The packed product on a given variant; `Kernels::chosen()` caps it at what the CPU has.
fn gemm_packed_with(
    kernels: Kernels,
    m: usize,
    a: &[f32],
    s: Strides,
    bp: &mut PackedB,
    c: &mut [f32],
    accumulate: bool,
) {
    #[cfg(target_arch = "x86_64")]
    match kernels {
        // SAFETY: `Kernels::chosen` and the tests only pick a variant `Kernels::best` found on this CPU.
        Kernels::Avx512 => return unsafe { x86::gemm_avx512(m, a, s, bp, c, accumulate) },
        Kernels::Avx2 => return unsafe { x86::gemm_avx2(m, a, s, bp, c, accumulate) },
        Kernels::Plain => {}
    }
    let _ = kernels;
    gemm_rows::<Plain>(m, a, s, bp, c, accumulate)
}

/// `C (m, n) = A (m, k) · B` with `B` packed; adds into `C` when `accumulate`.
pub fn gemm_packed(m: usize, a: &[f32], bp: &mut PackedB, c: &mut [f32], accumulate: bool) {
    let s = Strides { row: bp.k, col: 1 };
    gemm_packed_strided(m, a, s, bp, c, accumulate);
}

/// `C (m, n) = A (m, k) · Wᵀ` where `W` is `(n, k)`; adds into `C` when `accumulate`. `pack` must have room
/// for `(k, n)`; it is used when `m` is large enough to pay for packing.
pub fn gemm_nt(
    m: usize,
    k: usize,
    a: &[f32],
    w: &[f32],
    pack: &mut PackedB,
    c: &mut [f32],
    accumulate: bool,
) {
    let n = pack.n;
    if worth_packing(m) {
        pack.pack_transposed(w, k);
        return gemm_packed(m, a, pack, c, accumulate);
    }
    for (a_row, c_row) in a[..m * k].chunks_exact(k).zip(c.chunks_exact_mut(n)) {
        for (c, w_row) in c_row.iter_mut().zip(w.chunks_exact(k)) {
            let v = dot(a_row, w_row);
            *c = if accumulate { *c + v } else { v };
        }
    }
}

/// `C (m, n) = A (m, k) · B` where `B` is `(k, n)`; adds into `C` when `accumulate`. `pack` must have room
/// for `(k, n)`.
pub fn gemm_nn(
    m: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
    pack: &mut PackedB,
    c: &mut [f32],
    accumulate: bool,
) {
    let n = pack.n;
    if worth_packing(m) {
        pack.pack(b, k);
        return gemm_packed(m, a, pack, c, accumulate);
    }
    for (a_row, c_row) in a[..m * k].chunks_exact(k).zip(c.chunks_exact_mut(n)) {
        if !accumulate {
            c_row.fill(0.0);
        }
        for (&alpha, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
            axpy(alpha, b_row, c_row);
        }
    }
}

/// `C (m, n) += Aᵀ · B` where `A` is `(k, m)` and `B` is `(k, n)`: the weight-gradient product, summed over
/// the `k` rows of a window. `pack` must have room for `(k, n)`.
pub fn gemm_tn_acc(m: usize, k: usize, a: &[f32], b: &[f32], pack: &mut PackedB, c: &mut [f32]) {
    let n = pack.n;
    if worth_packing(k) && worth_packing(m) {
        pack.pack(b, k);
        return gemm_packed_strided(m, a, Strides { row: 1, col: m }, pack, c, true);
    }
    for (a_row, b_row) in a[..k * m].chunks_exact(m).zip(b.chunks_exact(n)) {
        for (&alpha, c_row) in a_row.iter().zip(c.chunks_exact_mut(n)) {
            axpy(alpha, b_row, c_row);
        }
    }
}

/// `out (n) += Σ_rows x (rows, n)`: bias gradients.
pub fn sum_rows_acc(x: &[f32], n: usize, out: &mut [f32]) {
    for row in x.chunks_exact(n) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(
        m: usize,
        n: usize,
        k: usize,
        a: impl Fn(usize, usize) -> f32,
        b: impl Fn(usize, usize) -> f32,
    ) -> Vec<f32> {
        let mut c = vec![0.0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a(i, p) as f64 * b(p, j) as f64).sum::<f64>() as f32;
            }
        }
        c
    }

    fn close(x: &[f32], y: &[f32]) {
        for (i, (a, b)) in x.iter().zip(y).enumerate() {
            assert!(
                (a - b).abs() <= 1e-4 * (1.0 + b.abs()),
                "element {i}: {a} vs {b}"
            );
        }
    }

    /// Every product, packed and unpacked, against a naive triple loop, on sizes that leave remainders.
    #[test]
    fn products_match_naive() {
        let val = |i: usize| ((i * 7919 % 1000) as f32 / 500.0) - 1.0;
        for &(m, n, k) in &[(1, 5, 3), (3, 33, 7), (4, 32, 16), (9, 70, 37), (13, 3, 65)] {
            let a: Vec<f32> = (0..m * k).map(val).collect();
            let w: Vec<f32> = (0..n * k).map(|i| val(i + 11)).collect(); // (n, k)
            let b: Vec<f32> = (0..k * n).map(|i| val(i + 23)).collect(); // (k, n)
            let at: Vec<f32> = (0..k * m).map(|i| val(i + 5)).collect(); // (k, m)
            let mut pack = PackedB::new(k, n);
            let mut c = vec![1.0f32; m * n];
            gemm_nt(m, k, &a, &w, &mut pack, &mut c, false);
            close(
                &c,
                &naive(m, n, k, |i, p| a[i * k + p], |p, j| w[j * k + p]),
            );
            gemm_nn(m, k, &a, &b, &mut pack, &mut c, false);
            close(
                &c,
                &naive(m, n, k, |i, p| a[i * k + p], |p, j| b[p * n + j]),
            );
            let mut c = vec![0.5f32; m * n];
            gemm_tn_acc(m, k, &at, &b, &mut pack, &mut c);
            let want: Vec<f32> = naive(m, n, k, |i, p| at[p * m + i], |p, j| b[p * n + j])
                .iter()
                .map(|v| v + 0.5)
                .collect();
            close(&c, &want);
        }
    }

    /// Every micro-kernel this CPU runs agrees with the plain one bit for bit (native builds have FMA), on row
    /// counts that use every row grouping, transposed and not, written and accumulated.
    #[test]
    fn every_variant_matches_the_plain_kernel() {
        let val = |i: usize| ((i * 7919 % 1013) as f32 / 337.0) - 1.5;
        let variants: Vec<Kernels> = [Kernels::Avx2, Kernels::Avx512]
            .into_iter()
            .filter(|&k| k <= Kernels::best())
            .collect();
        for &(m, n, k) in &[(4, 32, 16), (13, 70, 37), (32, 96, 65), (9, 5, 3)] {
            let a: Vec<f32> = (0..m * k).map(val).collect();
            let b: Vec<f32> = (0..k * n).map(|i| val(i + 23)).collect();
            let mut pack = PackedB::new(k, n);
            pack.pack(&b, k);
            for (s, accumulate) in [
                (Strides { row: k, col: 1 }, false),
                (Strides { row: 1, col: m }, true),
            ] {
                let start: Vec<f32> = (0..m * n).map(|i| val(i + 3)).collect();
                let mut plain = start.clone();
                gemm_packed_with(Kernels::Plain, m, &a, s, &mut pack, &mut plain, accumulate);
                let want = naive(
                    m,
                    n,
                    k,
                    |i, p| a[i * s.row + p * s.col],
                    |p, j| b[p * n + j],
                );
                let base: Vec<f32> = if accumulate {
                    start.clone()
                } else {
                    vec![0.0; m * n]
                };
                let want: Vec<f32> = want.iter().zip(&base).map(|(w, b)| w + b).collect();
                close(&plain, &want);
                for &kernels in &variants {
                    let mut c = start.clone();
                    gemm_packed_with(kernels, m, &a, s, &mut pack, &mut c, accumulate);
                    if cfg!(target_feature = "fma") {
                        let same = c
                            .iter()
                            .zip(&plain)
                            .all(|(x, y)| x.to_bits() == y.to_bits());
                        assert!(
                            same,
                            "{} differs from plain at ({m}, {n}, {k})",
                            kernels.name()
                        );
                    } else {
                        close(&c, &want);
                    }
                }
            }
        }
    }
}
