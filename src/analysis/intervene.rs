//! What the model does differently when units are held at values: ablation and clamping ([`crate::clamp`]),
//! measured as the change in per-character loss over a text.
//!
//! Prediction `j` (for `j = 1..T`) is the model's distribution after reading `text[..j]`, scored on `text[j]`,
//! from a zero state, exactly as [`crate::eval::loss`] scores a text. Characters outside the vocabulary are
//! fed as all-zero inputs and have no loss (`NaN` in the arrays, left out of every mean).

use super::{check_text, ser_f32s};
use crate::clamp::Clamp;
use crate::error::{Error, Result};
use crate::eval::{inputs_of, run_chunks};
use crate::model::{Model, State};
use crate::tape::NONE;
use ndarray::Array1;
use serde::Serialize;

/// `(T − 1)` losses in nats: entry `j − 1` is `−ln p(text[j])` of prediction `j`, `NaN` where `text[j]` is
/// outside the vocabulary.
pub fn char_losses(model: &Model, text: &str, clamps: &[Clamp]) -> Result<Array1<f32>> {
    let chars = check_text(text)?;
    if chars.len() < 2 {
        return Err(Error::Text(
            "the text has 1 character; at least 2 are needed to predict one from another".into(),
        ));
    }
    let inputs = inputs_of(model, &chars);
    let mut losses = Array1::from_elem(chars.len() - 1, f32::NAN);
    let mut state = State::zeros(&model.config, 1);
    run_chunks(
        model,
        &inputs[..chars.len() - 1],
        None,
        clamps,
        &mut state,
        |chunk| {
            for t in 0..chunk.steps {
                let next = inputs[chunk.start + t + 1];
                if next != NONE {
                    let p = chunk.tape.probs(t, 0)[next as usize];
                    losses[chunk.start + t] = -(p.max(f32::MIN_POSITIVE)).ln();
                }
            }
        },
    )?;
    Ok(losses)
}

/// The mean loss of one predicted character, without and with the clamps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CharChange {
    pub ch: char,
    /// Predictions of this character in the text.
    pub count: usize,
    pub base: f64,
    pub clamped: f64,
}

/// Per-character losses of a text without and with clamps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AblationReport {
    pub clamps: Vec<Clamp>,
    /// `(T − 1)` losses without the clamps (see [`char_losses`]).
    #[serde(serialize_with = "ser_f32s")]
    pub base: Array1<f32>,
    /// `(T − 1)` losses with the clamps.
    #[serde(serialize_with = "ser_f32s")]
    pub clamped: Array1<f32>,
    /// Mean of `base` over the scored predictions.
    pub mean_base: f64,
    /// Mean of `clamped` over the scored predictions.
    pub mean_clamped: f64,
    /// Per predicted character, the largest increase first (ties in vocabulary order).
    pub by_char: Vec<CharChange>,
}

impl AblationReport {
    /// Mean losses (without, with the clamps) over the scored predictions `j` (of `text[j]`, `j ≥ 1`) for which
    /// `pick(j)` is true, `None` when there is none.
    pub fn mean_where(&self, pick: impl Fn(usize) -> bool) -> Option<(f64, f64)> {
        let (mut n, mut a, mut b) = (0usize, 0.0f64, 0.0f64);
        for j in 0..self.base.len() {
            if self.base[j].is_finite() && pick(j + 1) {
                n += 1;
                a += f64::from(self.base[j]);
                b += f64::from(self.clamped[j]);
            }
        }
        (n > 0).then(|| (a / n as f64, b / n as f64))
    }
}

/// The loss of every prediction of `text` without and with `clamps` (at least one).
pub fn ablation(model: &Model, text: &str, clamps: &[Clamp]) -> Result<AblationReport> {
    if clamps.is_empty() {
        return Err(Error::Analysis(
            "name at least one unit to ablate or clamp".into(),
        ));
    }
    crate::clamp::check_all(clamps, &model.config)?;
    let base = char_losses(model, text, &[])?;
    let clamped = char_losses(model, text, clamps)?;
    let chars: Vec<char> = text.chars().collect();
    let v = model.config.vocab_size;
    let mut sums = vec![(0usize, 0.0f64, 0.0f64); v];
    for j in 0..base.len() {
        if let Some(x) = model.vocab.index_of(chars[j + 1]) {
            let e = &mut sums[x as usize];
            e.0 += 1;
            e.1 += f64::from(base[j]);
            e.2 += f64::from(clamped[j]);
        }
    }
    let scored: usize = sums.iter().map(|e| e.0).sum();
    let total = |k: fn(&(usize, f64, f64)) -> f64| {
        if scored == 0 {
            f64::NAN
        } else {
            sums.iter().map(k).sum::<f64>() / scored as f64
        }
    };
    let (mean_base, mean_clamped) = (total(|e| e.1), total(|e| e.2));
    let mut by_char: Vec<CharChange> = sums
        .iter()
        .enumerate()
        .filter(|(_, e)| e.0 > 0)
        .map(|(i, e)| CharChange {
            ch: model.vocab.char_at(i),
            count: e.0,
            base: e.1 / e.0 as f64,
            clamped: e.2 / e.0 as f64,
        })
        .collect();
    crate::order::sort_by(&mut by_char, |a, b| {
        (b.clamped - b.base).total_cmp(&(a.clamped - a.base))
    });
    Ok(AblationReport {
        clamps: clamps.to_vec(),
        base,
        clamped,
        mean_base,
        mean_clamped,
        by_char,
    })
}
