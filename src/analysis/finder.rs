//! The cell finder: for each feature, every unit of every layer and tensor ranked by how well it tracks it.
//!
//! A unit's score for a numeric feature is `|r|` (Pearson, see [`super::stats`]); for an on/off feature
//! `max(AUROC, 1 − AUROC)`, so a unit that is *low* inside quotes ranks as high as one that is high there. The
//! signed value (`r` or `AUROC`) is reported beside the score. Units whose statistic is undefined (a constant
//! unit, or a feature that is constant over the text) are not ranked. Ties keep the order layer, tensor (`h`,
//! `c`, then the gates in storage order), unit.
//!
//! For each feature, a ridge probe ([`super::stats::RidgeDesign`]) over the whole `(T, H)` tensor that holds
//! the top-ranked unit says how much of the feature the whole tensor captures, beside the best single unit:
//! R² for numeric features, accuracy for on/off ones, fitted on the first half of the text and scored on the
//! second.

use super::features::{Feature, FeatureKind};
use super::stats::{self, Centered, Metric, RidgeDesign};
use super::{Activations, Tensor};
use crate::error::{Error, Result};
use ndarray::{Array1, Array2, Axis, Zip};
use serde::Serialize;
use std::collections::btree_map::{BTreeMap, Entry};

/// Units gathered per pass down the rows of a tensor.
const UNITS_PER_PASS: usize = 16;

/// Most units listed per feature.
pub const MAX_TOP: usize = 1000;

/// One unit's score for one feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitScore {
    pub layer: usize,
    /// `h`, `c` or a gate's name.
    pub tensor: &'static str,
    pub unit: usize,
    /// `|r|` or `max(AUROC, 1 − AUROC)`: what units are ranked by.
    pub score: f64,
    /// Pearson's r, for numeric features.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r: Option<f64>,
    /// AUROC, for on/off features.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auroc: Option<f64>,
}

/// The ridge probe of one feature over a whole tensor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeScore {
    pub layer: usize,
    pub tensor: &'static str,
    pub metric: Metric,
    /// R² or accuracy on the second half (`None`: R² of a feature constant there).
    pub score: Option<f64>,
    pub lambda: f64,
    pub fit_rows: usize,
    pub eval_rows: usize,
}

/// What the finder found for one feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureCells {
    pub feature: String,
    pub kind: FeatureKind,
    /// The best units, best first (empty when the feature is constant over the text).
    pub top: Vec<UnitScore>,
    /// The probe over the tensor of `top[0]` (`None` when there is no top unit or the text is under 4
    /// characters).
    pub probe: Option<ProbeScore>,
}

/// The finder's result for every feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellReport {
    pub cell: &'static str,
    pub layers: usize,
    pub hidden: usize,
    /// `T`.
    pub chars: usize,
    /// Units ranked per feature: layers × tensors × hidden.
    pub units: usize,
    pub features: Vec<FeatureCells>,
}

/// A unit's `(score, r, auroc)` for one feature, `None` where its statistic is undefined.
type Scored = Option<(f64, Option<f64>, Option<f64>)>;

/// A unit's `(|r|, r)` against a numeric feature.
fn numeric_score(x: Option<&Centered>, y: Option<&Centered>) -> Result<Scored> {
    match (x, y) {
        (Some(x), Some(y)) => {
            let r = x.r(y)?;
            Ok(Some((r.abs(), Some(r), None)))
        }
        _ => Ok(None),
    }
}

/// A unit's `(max(a, 1 − a), a)` for its AUROC `a` on on/off labels, from its scores' ranks.
fn boolean_score(ranks: Option<&Array1<f64>>, labels: &Array1<bool>) -> Result<Scored> {
    let Some(ranks) = ranks else {
        return Ok(None);
    };
    Ok(stats::auroc_from_ranks(ranks.view(), labels.view())?
        .map(|a| (a.max(1.0 - a), None, Some(a))))
}

/// Ranks every unit of `acts` for every feature and keeps the `top_k` best (1..=[`MAX_TOP`]). Refuses a
/// feature whose length is not the text's.
pub fn find_cells(acts: &Activations, features: &[Feature], top_k: usize) -> Result<CellReport> {
    if top_k == 0 || top_k > MAX_TOP {
        return Err(Error::Analysis(format!(
            "top {top_k}: list between 1 and {MAX_TOP} units per feature"
        )));
    }
    let t = acts.steps();
    if let Some(f) = features.iter().find(|f| f.values.len() != t) {
        return Err(Error::Analysis(format!(
            "feature {} has {} values but the text has {t} characters",
            f.name,
            f.values.len()
        )));
    }
    let cell = acts.config.cell;
    let labels: Vec<Option<Array1<bool>>> = features
        .iter()
        .map(|f| (f.kind == FeatureKind::Boolean).then(|| f.values.mapv(|v| v > 0.5)))
        .collect();
    // Each numeric feature centred once, for every unit.
    let centred: Vec<Option<Centered>> = features
        .iter()
        .map(|f| match f.kind {
            FeatureKind::Numeric => Centered::new(f.values.view()),
            FeatureKind::Boolean => None,
        })
        .collect();
    let mut ranked: Vec<Vec<UnitScore>> = vec![Vec::new(); features.len()];
    let tensors = Tensor::all(cell);
    for layer in 0..acts.config.layers {
        for &tensor in &tensors {
            let view = acts.view(layer, tensor)?;
            for (chunk_at, chunk) in view.axis_chunks_iter(Axis(1), UNITS_PER_PASS).enumerate() {
                // (units, T): each unit of this chunk contiguous, gathered in one pass down the rows (reading
                // a column at a time would stride across the whole buffer once per unit).
                let mut units = Array2::<f64>::zeros((chunk.ncols(), t));
                Zip::from(units.columns_mut())
                    .and(chunk.rows())
                    .for_each(|mut dst, src| dst.zip_mut_with(&src, |d, &v| *d = f64::from(v)));
                for (k, x) in units.rows().into_iter().enumerate() {
                    let unit = chunk_at * UNITS_PER_PASS + k;
                    let x_centred = Centered::new(x.view());
                    let ranks = labels
                        .iter()
                        .any(Option::is_some)
                        .then(|| stats::average_ranks(x.view()))
                        .flatten();
                    for ((label, y), out) in labels.iter().zip(&centred).zip(&mut ranked) {
                        let scored = match label {
                            None => numeric_score(x_centred.as_ref(), y.as_ref())?,
                            Some(label) => boolean_score(ranks.as_ref(), label)?,
                        };
                        let Some((score, r, auroc)) = scored else {
                            continue; // undefined for this unit: not ranked
                        };
                        out.push(UnitScore {
                            layer,
                            tensor: tensor.name(cell),
                            unit,
                            score,
                            r,
                            auroc,
                        });
                    }
                }
            }
        }
    }
    let mut designs: BTreeMap<(usize, Tensor), Option<RidgeDesign<f32>>> = BTreeMap::new();
    let mut out = Vec::with_capacity(features.len());
    for (f, mut units) in features.iter().zip(ranked) {
        // Stable: ties keep layer, tensor, unit order.
        crate::order::sort_by(&mut units, |a, b| b.score.total_cmp(&a.score));
        units.truncate(top_k);
        let probe = match units.first() {
            None => None,
            Some(best) => {
                let tensor =
                    Tensor::parse(cell, best.tensor).expect("the finder named this tensor");
                let key = (best.layer, tensor);
                if let Entry::Vacant(slot) = designs.entry(key) {
                    slot.insert(RidgeDesign::new(acts.view(best.layer, tensor)?).ok());
                }
                match &designs[&key] {
                    None => None,
                    Some(design) => {
                        let fit = design.probe(f.values.view(), f.kind)?;
                        Some(ProbeScore {
                            layer: best.layer,
                            tensor: best.tensor,
                            metric: fit.metric,
                            score: fit.score,
                            lambda: fit.lambda,
                            fit_rows: fit.fit_rows,
                            eval_rows: fit.eval_rows,
                        })
                    }
                }
            }
        };
        out.push(FeatureCells {
            feature: f.name.clone(),
            kind: f.kind,
            top: units,
            probe,
        });
    }
    Ok(CellReport {
        cell: cell.name(),
        layers: acts.config.layers,
        hidden: acts.config.hidden,
        chars: t,
        units: acts.config.layers * tensors.len() * acts.config.hidden,
        features: out,
    })
}
