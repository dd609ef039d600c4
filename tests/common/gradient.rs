//! The one finite-difference checker every gradient test uses: parameters (`tests/gradcheck.rs`), one-hot inputs
//! (`tests/connectivity.rs`) and both again in wasm arithmetic (`tests/wasm.rs`).

/// Largest relative error accepted between a numeric and an analytic derivative (see [`relative_error`]).
pub const TOLERANCE: f32 = 2e-2;

/// `|numeric − analytic| / (0.01 + max(|numeric|, |analytic|))`: relative where the derivative is large, absolute
/// (in hundredths) where both are near zero, so f32 rounding in tiny derivatives does not fail a check.
pub fn relative_error(numeric: f32, analytic: f32) -> f32 {
    (numeric - analytic).abs() / (1e-2 + numeric.abs().max(analytic.abs()))
}

/// The worst element of a check.
#[derive(Debug, Clone, Copy, Default)]
pub struct Worst {
    pub index: usize,
    pub numeric: f32,
    pub analytic: f32,
    pub error: f32,
}

impl Worst {
    pub fn ok(&self) -> bool {
        self.error < TOLERANCE
    }
}

/// Compares `analytic[i]` with the central difference `(f(i, +eps) − f(i, −eps)) / 2·eps` for every `i`, where
/// `f(i, delta)` is the function's value with input `i` moved by `delta` (and put back before it returns).
/// Answers the worst element.
pub fn check(eps: f32, analytic: &[f32], mut f: impl FnMut(usize, f32) -> f32) -> Worst {
    let mut worst = Worst::default();
    for (index, &a) in analytic.iter().enumerate() {
        let numeric = (f(index, eps) - f(index, -eps)) / (2.0 * eps);
        let error = relative_error(numeric, a);
        if error > worst.error || error.is_nan() {
            worst = Worst {
                index,
                numeric,
                analytic: a,
                error,
            };
        }
    }
    worst
}
