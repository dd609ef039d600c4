//! The statistics that compare units with features, on `ndarray` views.
//!
//! Conventions:
//!
//! - **Pearson's r** is `Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² · Σ(y−ȳ)²)`, in `f64` whatever the input type. It is `None`
//!   when it is undefined: fewer than two values, a series that is constant (every value equal), or a
//!   non-finite value in either. It never returns NaN.
//! - **AUROC** of a score against an on/off label is the probability that a random positive scores higher
//!   than a random negative, ties counting one half: `(R₊ − n₊(n₊+1)/2) / (n₊·n₋)`, with `R₊` the sum of the
//!   positives' 1-based ranks among all scores and tied scores sharing their average rank (Mann–Whitney).
//!   `None` when every label is the same, or a score is non-finite.
//! - **Ridge probe**: the rows are split in time, the first `⌊T/2⌋` to fit and the rest to evaluate. Columns
//!   are standardised with the fitting half's mean and standard deviation (a constant column becomes 0), the
//!   target is centred on the fitting half's mean (the intercept, not penalised), and the weights solve
//!   `(ZᵀZ + λI) w = Zᵀ(y − ȳ)` by a Cholesky factorisation, with `λ = `[`RIDGE_LAMBDA`]` · n_fit` (so
//!   `λ/n_fit` is the penalty on the mean squared error). Numeric targets are scored by `R² = 1 − SS_res/SS_tot`
//!   on the evaluation half (`SS_tot` about that half's own mean; `None` when it is constant; it can be
//!   negative); on/off targets by accuracy, predicting on when `ŷ ≥ 0.5`.
//! - **Saturation**: a value is left-saturated when `< `[`LEFT_SATURATED`] and right-saturated when
//!   `> `[`RIGHT_SATURATED`] (strictly); fractions are over the rows.

use super::features::FeatureKind;
use crate::error::{Error, Result};
use ndarray::{linalg::general_mat_mul, s, Array1, Array2, ArrayView1, ArrayView2, Axis, Zip};
use serde::Serialize;

/// Below this a sigmoid gate is left-saturated.
pub const LEFT_SATURATED: f64 = 0.1;
/// Above this a sigmoid gate is right-saturated.
pub const RIGHT_SATURATED: f64 = 0.9;
/// The ridge penalty per fitting row on standardised columns: `λ = RIDGE_LAMBDA · n_fit`.
pub const RIDGE_LAMBDA: f64 = 1e-3;

fn same_len(a: usize, b: usize, what: &str) -> Result<()> {
    if a == b {
        Ok(())
    } else {
        Err(Error::Analysis(format!(
            "{what}: the two series have different lengths ({a} and {b})"
        )))
    }
}

/// A series minus its mean, with the norm of the result: the half of Pearson's r that belongs to one series,
/// so that one series can be correlated with many at the cost of a dot product each.
#[derive(Debug, Clone, PartialEq)]
pub struct Centered {
    /// `(T)`: `x − x̄`.
    pub values: Array1<f64>,
    /// `‖x − x̄‖`, above 0.
    pub norm: f64,
}

impl Centered {
    /// `None` where r would be undefined: fewer than two values, all equal, or one non-finite.
    pub fn new<A: Copy + Into<f64>>(x: ArrayView1<A>) -> Option<Centered> {
        let x = x.mapv(Into::into);
        let first = *x.first()?;
        if x.len() < 2 || !x.iter().all(|v| v.is_finite()) || x.iter().all(|&v| v == first) {
            return None;
        }
        let values = &x - x.sum() / x.len() as f64;
        let norm = values.dot(&values).sqrt();
        (norm > 0.0 && norm.is_finite()).then_some(Centered { values, norm })
    }

    /// Pearson's r with another centred series of the same length: `(x − x̄)·(y − ȳ) / (‖x − x̄‖ ‖y − ȳ‖)`.
    pub fn r(&self, other: &Centered) -> Result<f64> {
        same_len(self.values.len(), other.values.len(), "Pearson's r")?;
        let r = self.values.dot(&other.values) / (self.norm * other.norm);
        Ok(r.clamp(-1.0, 1.0))
    }
}

/// Pearson's r of `x` and `y` (see the module docs); refuses series of different lengths.
pub fn pearson<A, B>(x: ArrayView1<A>, y: ArrayView1<B>) -> Result<Option<f64>>
where
    A: Copy + Into<f64>,
    B: Copy + Into<f64>,
{
    same_len(x.len(), y.len(), "Pearson's r")?;
    match (Centered::new(x), Centered::new(y)) {
        (Some(x), Some(y)) => x.r(&y).map(Some),
        _ => Ok(None),
    }
}

/// 1-based ranks of `x`, ties sharing their average rank; `None` if a value is non-finite.
pub fn average_ranks<A: Copy + Into<f64>>(x: ArrayView1<A>) -> Option<Array1<f64>> {
    let x = x.mapv(Into::into);
    if !x.iter().all(|v| v.is_finite()) {
        return None;
    }
    // (value, position), sorted by value; tied values get the same rank whatever their order.
    let order: Vec<(f64, usize)> =
        crate::order::stable_order(x.len(), &|a, b| x[a].total_cmp(&x[b]))
            .into_iter()
            .map(|i| (x[i], i))
            .collect();
    let mut ranks = Array1::zeros(x.len());
    let mut start = 0;
    while start < order.len() {
        let value = order[start].0;
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&(v, _)| v == value)
                .count();
        // Ranks start+1 ..= end share their mean.
        let shared = (start + 1 + end) as f64 / 2.0;
        for &(_, i) in &order[start..end] {
            ranks[i] = shared;
        }
        start = end;
    }
    Some(ranks)
}

/// AUROC from the scores' average ranks (see [`average_ranks`]): `(R₊ − n₊(n₊+1)/2) / (n₊·n₋)`.
pub fn auroc_from_ranks(ranks: ArrayView1<f64>, labels: ArrayView1<bool>) -> Result<Option<f64>> {
    same_len(ranks.len(), labels.len(), "AUROC")?;
    let (positives, rank_sum) =
        Zip::from(&ranks)
            .and(&labels)
            .fold(
                (0usize, 0.0),
                |(n, sum), &r, &on| {
                    if on {
                        (n + 1, sum + r)
                    } else {
                        (n, sum)
                    }
                },
            );
    let negatives = labels.len() - positives;
    if positives == 0 || negatives == 0 {
        return Ok(None);
    }
    let (p, q) = (positives as f64, negatives as f64);
    Ok(Some((rank_sum - p * (p + 1.0) / 2.0) / (p * q)))
}

/// AUROC of `scores` for `labels` (see the module docs); refuses series of different lengths.
pub fn auroc<A: Copy + Into<f64>>(
    scores: ArrayView1<A>,
    labels: ArrayView1<bool>,
) -> Result<Option<f64>> {
    same_len(scores.len(), labels.len(), "AUROC")?;
    match average_ranks(scores) {
        Some(ranks) => auroc_from_ranks(ranks.view(), labels),
        None => Ok(None),
    }
}

/// Fractions of the rows on which each column is left- and right-saturated: two `(H)` arrays.
#[derive(Debug, Clone, PartialEq)]
pub struct Saturation {
    /// `(H)`: fraction of rows `< LEFT_SATURATED`.
    pub left: Array1<f64>,
    /// `(H)`: fraction of rows `> RIGHT_SATURATED`.
    pub right: Array1<f64>,
}

/// Saturation fractions of each column of `x` `(T, H)`; refuses `T = 0`.
pub fn saturation_fractions<A: Copy + Into<f64>>(x: ArrayView2<A>) -> Result<Saturation> {
    let (t, h) = x.dim();
    if t == 0 {
        return Err(Error::Analysis(
            "saturation of no values is undefined".into(),
        ));
    }
    let mut left = Array1::<f64>::zeros(h);
    let mut right = Array1::<f64>::zeros(h);
    for row in x.rows() {
        Zip::from(&mut left)
            .and(&mut right)
            .and(&row)
            .for_each(|l, r, &v| {
                let v: f64 = v.into();
                *l += f64::from(u8::from(v < LEFT_SATURATED));
                *r += f64::from(u8::from(v > RIGHT_SATURATED));
            });
    }
    Ok(Saturation {
        left: left / t as f64,
        right: right / t as f64,
    })
}

/// How a probe was scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Coefficient of determination, for numeric targets.
    R2,
    /// Fraction predicted right, for on/off targets.
    Accuracy,
}

/// A fitted probe and its score on the evaluation half.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeFit {
    pub metric: Metric,
    /// R² or accuracy on the evaluation half (`None`: R² of a constant evaluation target).
    pub score: Option<f64>,
    /// `(H)` weights on the standardised columns.
    pub weights: Array1<f64>,
    /// The fitting half's mean of the target.
    pub intercept: f64,
    pub lambda: f64,
    /// Rows fitted on, rows evaluated on.
    pub fit_rows: usize,
    pub eval_rows: usize,
}

/// Rows standardised per block when forming `ZᵀZ`.
const BLOCK: usize = 256;

/// The part of a ridge probe that does not depend on the target: the standardisation and the Cholesky factor
/// of `ZᵀZ + λI` of one `(T, H)` design, so that many targets can be probed on it at the cost of one pass each.
pub struct RidgeDesign<'a, A> {
    x: ArrayView2<'a, A>,
    fit_rows: usize,
    /// `(H)` column means and `1/σ` (0 for a constant column) on the fitting half.
    mean: Array1<f64>,
    inv_std: Array1<f64>,
    /// `(H, H)` lower-triangular `L` with `L Lᵀ = ZᵀZ + λI`.
    chol: Array2<f64>,
    lambda: f64,
}

impl<'a, A: Copy + Into<f64>> RidgeDesign<'a, A> {
    /// Standardises and factorises `x` `(T, H)`; refuses fewer than 4 rows, no columns, or a non-finite value.
    pub fn new(x: ArrayView2<'a, A>) -> Result<RidgeDesign<'a, A>> {
        let (t, h) = x.dim();
        if t < 4 || h == 0 {
            return Err(Error::Analysis(format!(
                "a ridge probe needs at least 4 rows and 1 column (2 to fit, 2 to evaluate); this design is {t}×{h}"
            )));
        }
        let fit_rows = t / 2;
        let fit = x.slice(s![..fit_rows, ..]);
        let mut mean = Array1::<f64>::zeros(h);
        for row in fit.rows() {
            Zip::from(&mut mean)
                .and(&row)
                .for_each(|m, &v| *m += v.into());
        }
        mean /= fit_rows as f64;
        let mut var = Array1::<f64>::zeros(h);
        for row in fit.rows() {
            Zip::from(&mut var)
                .and(&row)
                .and(&mean)
                .for_each(|s, &v, &m| *s += (v.into() - m).powi(2));
        }
        if !mean.iter().chain(&var).all(|v| v.is_finite()) {
            return Err(Error::Analysis(
                "the design holds a non-finite value".into(),
            ));
        }
        let inv_std = var.mapv(|s| {
            let sd = (s / fit_rows as f64).sqrt();
            if sd > 1e-12 {
                1.0 / sd
            } else {
                0.0
            }
        });
        // ZᵀZ over blocks of standardised rows (one scratch block, reused).
        let mut gram = Array2::<f64>::zeros((h, h));
        let mut z = Array2::<f64>::zeros((BLOCK.min(fit_rows), h));
        for start in (0..fit_rows).step_by(BLOCK) {
            let rows = BLOCK.min(fit_rows - start);
            let mut zb = z.slice_mut(s![..rows, ..]);
            Zip::from(zb.rows_mut())
                .and(fit.slice(s![start..start + rows, ..]).rows())
                .for_each(|mut zr, xr| {
                    Zip::from(&mut zr)
                        .and(&xr)
                        .and(&mean)
                        .and(&inv_std)
                        .for_each(|z, &v, &m, &k| *z = (v.into() - m) * k);
                });
            let zb = z.slice(s![..rows, ..]);
            general_mat_mul(1.0, &zb.t(), &zb, 1.0, &mut gram);
        }
        let lambda = RIDGE_LAMBDA * fit_rows as f64;
        gram.diag_mut().mapv_inplace(|d| d + lambda);
        let chol = cholesky(gram.view())
            .ok_or_else(|| Error::Analysis("the ridge system is not positive definite".into()))?;
        Ok(RidgeDesign {
            x,
            fit_rows,
            mean,
            inv_std,
            chol,
            lambda,
        })
    }

    /// Fits `y` `(T)` on the first half and scores it on the second (see the module docs).
    pub fn probe<B: Copy + Into<f64>>(
        &self,
        y: ArrayView1<B>,
        kind: FeatureKind,
    ) -> Result<ProbeFit> {
        let t = self.x.nrows();
        same_len(t, y.len(), "ridge probe")?;
        let y = y.mapv(Into::into);
        if !y.iter().all(|v| v.is_finite()) {
            return Err(Error::Analysis(
                "the target holds a non-finite value".into(),
            ));
        }
        let (y_fit, y_eval) = y.view().split_at(Axis(0), self.fit_rows);
        let intercept = y_fit.mean().expect("at least 2 fitting rows");
        // Zᵀ(y − ȳ) = D⁻¹ Xᵀ(y − ȳ), since Σ(y − ȳ) = 0 over the fitting half.
        let mut xty = Array1::<f64>::zeros(self.mean.len());
        for (row, &yt) in self.x.rows().into_iter().zip(y_fit) {
            let d = yt - intercept;
            Zip::from(&mut xty)
                .and(&row)
                .for_each(|a, &v| *a += d * v.into());
        }
        let rhs = xty * &self.inv_std;
        let weights = cholesky_solve(self.chol.view(), rhs.view());
        // ŷ = ȳ + Σ_j w_j (x_j − μ_j)/σ_j = ȳ − μ·w' + x·w', with w' = w/σ.
        let w_raw = &weights * &self.inv_std;
        let offset = intercept - self.mean.dot(&w_raw);
        let predictions: Array1<f64> = self
            .x
            .slice(s![self.fit_rows.., ..])
            .rows()
            .into_iter()
            .map(|row| {
                offset
                    + Zip::from(&row)
                        .and(&w_raw)
                        .fold(0.0, |acc, &v, &w| acc + v.into() * w)
            })
            .collect();
        let (metric, score) = match kind {
            FeatureKind::Numeric => {
                let mean = y_eval.mean().expect("at least 2 evaluation rows");
                let ss_tot = y_eval.fold(0.0, |acc, &v| acc + (v - mean).powi(2));
                let ss_res = Zip::from(&y_eval)
                    .and(&predictions)
                    .fold(0.0, |acc, &v, &p| acc + (v - p).powi(2));
                (Metric::R2, (ss_tot > 0.0).then(|| 1.0 - ss_res / ss_tot))
            }
            FeatureKind::Boolean => {
                let right = Zip::from(&y_eval)
                    .and(&predictions)
                    .fold(0usize, |n, &v, &p| n + usize::from((p >= 0.5) == (v > 0.5)));
                (Metric::Accuracy, Some(right as f64 / y_eval.len() as f64))
            }
        };
        Ok(ProbeFit {
            metric,
            score,
            weights,
            intercept,
            lambda: self.lambda,
            fit_rows: self.fit_rows,
            eval_rows: y_eval.len(),
        })
    }
}

/// A ridge probe of `y` on `x` `(T, H)` in one call (see [`RidgeDesign`] to probe many targets on one design).
pub fn ridge_probe<A, B>(x: ArrayView2<A>, y: ArrayView1<B>, kind: FeatureKind) -> Result<ProbeFit>
where
    A: Copy + Into<f64>,
    B: Copy + Into<f64>,
{
    same_len(x.nrows(), y.len(), "ridge probe")?;
    RidgeDesign::new(x)?.probe(y, kind)
}

/// Lower-triangular `L` with `L Lᵀ = a` for a symmetric positive-definite `a` `(n, n)` (only its lower
/// triangle is read); `None` when a pivot is not positive.
pub fn cholesky(a: ArrayView2<f64>) -> Option<Array2<f64>> {
    let n = a.nrows();
    let mut l = Array2::<f64>::zeros((n, n));
    for j in 0..n {
        // L_jj = √(a_jj − Σ_k<j L_jk²); L_ij = (a_ij − Σ_k<j L_ik L_jk) / L_jj for i > j.
        let (done, _) = l.view().split_at(Axis(1), j);
        let row_j = done.row(j).to_owned();
        let pivot = a[[j, j]] - row_j.dot(&row_j);
        if pivot.is_nan() || pivot <= 0.0 || pivot.is_infinite() {
            return None;
        }
        let d = pivot.sqrt();
        l[[j, j]] = d;
        for i in j + 1..n {
            let v = (a[[i, j]] - l.slice(s![i, ..j]).dot(&row_j)) / d;
            l[[i, j]] = v;
        }
    }
    Some(l)
}

/// Solves `L Lᵀ w = b` by forward then back substitution.
pub fn cholesky_solve(l: ArrayView2<f64>, b: ArrayView1<f64>) -> Array1<f64> {
    let n = b.len();
    let mut y = Array1::<f64>::zeros(n);
    for i in 0..n {
        y[i] = (b[i] - l.slice(s![i, ..i]).dot(&y.slice(s![..i]))) / l[[i, i]];
    }
    let mut w = Array1::<f64>::zeros(n);
    for i in (0..n).rev() {
        w[i] = (y[i] - l.slice(s![i + 1.., i]).dot(&w.slice(s![i + 1..]))) / l[[i, i]];
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn tied_values_share_their_average_rank() {
        // By hand: 1 is rank 1, 2 is rank 2, the three 3s share ranks 3, 4, 5, so each gets 4.
        let r = average_ranks(array![3.0f32, 1.0, 3.0, 2.0, 3.0].view()).unwrap();
        assert_eq!(r.to_vec(), [4.0, 1.0, 4.0, 2.0, 4.0]);
        assert!(average_ranks(array![1.0, f64::INFINITY].view()).is_none());
    }
}
