//! Every instrument behind one request type, for front ends that pass requests as data: the page's worker
//! (through the wasm surface) sends `{kind, text, …}` objects and gets each report back as a plain object, and
//! the command line's `cells`, `saturation`, `errors`, `ablate` and `connectivity` build the same requests.
//!
//! | `kind` | fields besides `text` | report |
//! |---|---|---|
//! | `cells` | `top` (default 5), `regex` (patterns, each one more on/off feature; multi-line: `^` and `$` match at line boundaries; not in the wasm build), `matched` ([`Matched`]: patterns the caller matched itself, as the page does with the browser's `RegExp`) | [`finder::CellReport`] |
//! | `saturation` | – | [`saturation::SaturationReport`] |
//! | `errors` | `order` (n-gram, default [`ngram::DEFAULT_ORDER`]), `memory`, `rare`, `top` (the oracles, defaults [`errors::Oracles::default`]) | [`errors::ErrorReport`] |
//! | `connectivity` | `position`, `window` (default 256), `clamps` (default none) | [`connectivity::Connectivity`] |
//! | `ablation` | `clamps` ([`Clamp`]s, at least one) | [`intervene::AblationReport`] |
//!
//! Every analysis sees the model as it is, without the clamps a front end may have set for probing and
//! sampling; `ablation` and `connectivity` take their own. How much one request may ask for is a [`Limits`]:
//! [`run`] keeps to the page's, [`run_within`] to any.

use super::{connectivity, errors, features, finder, intervene, ngram, saturation, Activations};
use crate::clamp::Clamp;
use crate::error::{Error, Result};
use crate::model::Model;
use serde::{Deserialize, Serialize};

/// Longest text a request may carry, in characters: a few passes over it stay well under a second for the
/// models the page trains.
pub const MAX_REQUEST_CHARS: usize = 20_000;

/// Most regular-expression features of one `cells` request.
pub const MAX_PATTERNS: usize = 8;

/// How much one request may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest text, in characters.
    pub chars: usize,
    /// Most regular-expression features of a `cells` request.
    pub patterns: usize,
}

impl Limits {
    /// The page's, which answers requests in its worker between training chunks: [`MAX_REQUEST_CHARS`]
    /// characters and [`MAX_PATTERNS`] patterns.
    pub const PAGE: Limits = Limits {
        chars: MAX_REQUEST_CHARS,
        patterns: MAX_PATTERNS,
    };
    /// The command line's, which runs one request at a time: as long a text as the analyses accept
    /// ([`super::MAX_CHARS`] characters) and any number of patterns.
    pub const COMMAND_LINE: Limits = Limits {
        chars: super::MAX_CHARS,
        patterns: usize::MAX,
    };
}

fn default_top() -> usize {
    5
}

fn default_window() -> usize {
    256
}

/// Each kind's fields, as its variant of [`Request`] declares them. The wasm surface refuses any other field:
/// serde-wasm-bindgen reads only the fields a struct declares, so `deny_unknown_fields` never sees the others
/// there. A test keeps this table and the variants in step.
pub const FIELDS: [(&str, &[&str]); 5] = [
    ("cells", &["text", "top", "regex", "matched"]),
    ("saturation", &["text"]),
    ("errors", &["text", "order", "memory", "rare", "top"]),
    ("connectivity", &["text", "position", "window", "clamps"]),
    ("ablation", &["text", "clamps"]),
];

/// One instrument to run on `text` (see [the module docs](self)). Deserialised externally tagged
/// (`{"cells": {"text": …}}`); the wasm surface turns the page's `{kind, text, …}` into that form.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Request {
    Cells {
        text: String,
        #[serde(default = "default_top")]
        top: usize,
        /// Patterns read line by line: `^` and `$` match at the start and end of every line (see
        /// [`features::regex_feature`]).
        #[serde(default)]
        regex: Vec<String>,
        /// Patterns matched by the caller, each one more on/off feature.
        #[serde(default)]
        matched: Vec<Matched>,
    },
    Saturation {
        text: String,
    },
    Errors {
        text: String,
        #[serde(default)]
        order: Option<usize>,
        /// [`errors::Oracles::memory`].
        #[serde(default)]
        memory: Option<usize>,
        /// [`errors::Oracles::rare`].
        #[serde(default)]
        rare: Option<usize>,
        /// [`errors::Oracles::top`].
        #[serde(default)]
        top: Option<usize>,
    },
    Connectivity {
        text: String,
        position: usize,
        #[serde(default = "default_window")]
        window: usize,
        #[serde(default)]
        clamps: Vec<Clamp>,
    },
    Ablation {
        text: String,
        clamps: Vec<Clamp>,
    },
}

impl Request {
    pub fn text(&self) -> &str {
        match self {
            Request::Cells { text, .. }
            | Request::Saturation { text }
            | Request::Errors { text, .. }
            | Request::Connectivity { text, .. }
            | Request::Ablation { text, .. } => text,
        }
    }
}

/// A pattern the caller matched itself (the page, with the browser's `RegExp`, so that the wasm carries no
/// regular-expression engine): the characters inside its matches, as `[from, to)` character ranges.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matched {
    pub pattern: String,
    pub ranges: Vec<[usize; 2]>,
}

/// What a request returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Report {
    Cells(finder::CellReport),
    Saturation(saturation::SaturationReport),
    Errors(errors::ErrorReport),
    Connectivity(connectivity::Connectivity),
    Ablation(intervene::AblationReport),
}

/// What requests keep for the next one: the n-gram baseline of a training text (fitting it reads the whole
/// training text), and the states of the text connectivity was last asked about (see
/// [`connectivity::PrefixStates`]). Each is made again when what it was computed from changes.
#[derive(Default)]
pub struct Cache {
    key: Option<(usize, usize, u64)>,
    ngram: Option<ngram::NGram>,
    prefix: connectivity::PrefixStates,
}

impl Cache {
    fn ngram(&mut self, model: &Model, train: &str, order: usize) -> Result<&ngram::NGram> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        train.hash(&mut h);
        model.vocab.chars().hash(&mut h);
        let key = Some((order, train.len(), h.finish()));
        if self.key != key || self.ngram.is_none() {
            self.ngram = Some(ngram::NGram::fit(train, order, model.vocab.chars())?);
            self.key = key;
        }
        Ok(self.ngram.as_ref().expect("just fitted"))
    }
}

/// The `train` of a request from a front end that trains on `text`, holding out its last `val_fraction` (as
/// [`crate::trainer::held_out`] counts): the characters the model trains on, which the instruments read by
/// default, the held-out ones, never overlap; and when `scored` (the request's text) is the start of `text` (the
/// instruments read the start when nothing is held out), the characters after it. Empty when nothing is left.
pub fn training_text<'a>(text: &'a str, val_fraction: f32, scored: &str) -> &'a str {
    let chars = text.chars().count();
    let fit = 0..crate::trainer::held_out(chars, val_fraction).start;
    let left = if text.starts_with(scored) {
        errors::fit_without(fit, &(0..scored.chars().count()))
    } else {
        Some(fit)
    };
    let Some(left) = left else {
        return "";
    };
    let byte = |c: usize| text.char_indices().nth(c).map_or(text.len(), |(b, _)| b);
    &text[byte(left.start)..byte(left.end)]
}

/// Runs `request` on `model` within the page's [`Limits`]; `train` is the text the model was trained on (for the
/// n-gram and rare words), without the characters the request scores (see [`training_text`]).
pub fn run(model: &Model, train: &str, cache: &mut Cache, request: &Request) -> Result<Report> {
    run_within(Limits::PAGE, model, train, cache, request)
}

/// Runs `request` on `model`, refusing what asks for more than `limits`; `train` is the text the model was trained
/// on (for the n-gram and rare words), without the characters the request scores.
pub fn run_within(
    limits: Limits,
    model: &Model,
    train: &str,
    cache: &mut Cache,
    request: &Request,
) -> Result<Report> {
    let text = request.text();
    let n = super::check_text(text)?.len();
    if n > limits.chars {
        return Err(Error::Text(format!(
            "the text has {n} characters; the instruments accept at most {} per request",
            limits.chars
        )));
    }
    let activations = || Activations::of_text(model, text);
    Ok(match request {
        Request::Cells {
            top,
            regex,
            matched,
            ..
        } => {
            let patterns = regex.len() + matched.len();
            if patterns > limits.patterns {
                return Err(Error::Analysis(format!(
                    "{patterns} regular expressions; at most {} at once",
                    limits.patterns
                )));
            }
            let mut feats = features::text_features(text)?;
            for pattern in regex {
                feats.push(features::regex_feature(text, pattern)?);
            }
            for m in matched {
                feats.push(features::matched_feature(n, &m.pattern, &m.ranges)?);
            }
            Report::Cells(finder::find_cells(&activations()?, &feats, *top)?)
        }
        Request::Saturation { .. } => {
            Report::Saturation(saturation::gate_saturation(&activations()?)?)
        }
        Request::Errors {
            order,
            memory,
            rare,
            top,
            ..
        } => {
            let defaults = errors::Oracles::default();
            let oracles = errors::Oracles {
                memory: memory.unwrap_or(defaults.memory),
                rare: rare.unwrap_or(defaults.rare),
                top: top.unwrap_or(defaults.top),
            };
            let order = order.unwrap_or(ngram::DEFAULT_ORDER);
            ngram::check_order(order)?;
            if train.is_empty() {
                return Err(Error::Analysis(
                    "the n-gram has no training text left apart from the characters it would score"
                        .into(),
                ));
            }
            let ngram = cache.ngram(model, train, order)?;
            Report::Errors(errors::error_breakdown(
                text,
                super::predictions(model, text)?.view(),
                &model.vocab,
                ngram,
                train,
                &oracles,
            )?)
        }
        Request::Connectivity {
            position,
            window,
            clamps,
            ..
        } => Report::Connectivity(connectivity::connectivity_with(
            &mut cache.prefix,
            model,
            text,
            *position,
            *window,
            clamps,
        )?),
        Request::Ablation { clamps, .. } => {
            Report::Ablation(intervene::ablation(model, text, clamps)?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in serde's "expected one of `a`, `b`" for this JSON's unknown variant or field.
    fn expected(json: &str) -> Vec<String> {
        let err = serde_json::from_str::<Request>(json)
            .unwrap_err()
            .to_string();
        // "expected one of `a`, `b` at line …", or "expected `a` at line …" for a single name.
        let list = err
            .split(", expected ")
            .nth(1)
            .unwrap_or_else(|| panic!("{err}"));
        let list = list
            .trim_start_matches("one of ")
            .split(" at line")
            .next()
            .unwrap();
        // Two names read "`a` or `b`"; more, "`a`, `b`, `c`".
        list.split(", ")
            .flat_map(|s| s.split(" or "))
            .map(|s| s.trim_matches('`').to_string())
            .collect()
    }

    #[test]
    fn the_field_table_is_what_the_variants_declare() {
        let kinds: Vec<&str> = FIELDS.iter().map(|(k, _)| *k).collect();
        assert_eq!(expected(r#"{"no such kind": {}}"#), kinds);
        for (kind, fields) in FIELDS {
            assert_eq!(
                expected(&format!(r#"{{"{kind}": {{"no such field": 0}}}}"#)),
                fields,
                "{kind}"
            );
        }
    }
}
