//! Where the model errs, after the error analysis of Karpathy, Johnson and Fei-Fei (2015), "Visualizing and
//! Understanding Recurrent Networks", section 4.4.
//!
//! A prediction is the model's distribution after reading `text[..=t]`, scored on `text[t+1]`, for
//! `t = 0..T−1`; below, `j = t + 1` is the position of the predicted character. The model **errs** at `j` when
//! it gives `text[j]` a probability below [`ERROR_BELOW`] (0.5). Each error goes to the first oracle, in this
//! order, that explains it:
//!
//! 1. **n-gram**: the n-gram baseline ([`super::ngram`]) gives `text[j]` a probability of at least 0.5;
//! 2. **dynamic memory**: the `memory` characters before `j` followed by `text[j]` (the string
//!    `text[j−memory..=j]`) already occurred earlier in the text, starting before `j − memory`;
//! 3. **rare word**: `text[j]` is in a word (a maximal run of letters and digits, read in the whole text) that
//!    occurs at most `rare` times as a word of the training text;
//! 4. **word start**: `text[j]` is a letter or digit and `text[j−1]` is not;
//! 5. **punctuation**: `text[j]` is punctuation (the class of [`super::features`]);
//! 6. **boost** (near miss): `text[j]` is among the model's `top` most likely characters (ties broken by
//!    vocabulary order, as `rnnscope probe` lists them);
//! 7. **other**: none of these.
//!
//! So the counts always add up to the number of errors. The defaults ([`Oracles::default`]) are
//! `memory = 4`, `rare = 5`, `top = 3`.
//!
//! The baseline must never be fitted on the characters it scores, or it looks far better than it is; when its
//! training text is the text analysed, [`fit_without`] says which of its characters are left to fit it on.
//!
//! The long-range data: for every closing bracket (matched to its opener of the same kind by a stack, as
//! the depth features count) and every closing quote (`"`, and `'` except apostrophes, as the quote
//! features decide), the distance to its opener and the probability the model and the n-gram gave it.

use super::features::{counts_as_single_quote, is_punctuation, BRACKETS};
use super::ngram::NGram;
use super::{check_text, ser_array1};
use crate::error::{Error, Result};
use crate::vocab::Vocab;
use ndarray::{Array1, ArrayView2};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// The model errs where it gives the actual next character less than this.
pub const ERROR_BELOW: f32 = 0.5;

/// The oracles' parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Oracles {
    /// Characters of history for the dynamic-memory oracle (≥ 1).
    pub memory: usize,
    /// A word occurring at most this often in the training text is rare.
    pub rare: usize,
    /// A near miss is within the model's `top` guesses (≥ 1).
    pub top: usize,
}

impl Default for Oracles {
    fn default() -> Self {
        Oracles {
            memory: 4,
            rare: 5,
            top: 3,
        }
    }
}

/// The oracle that explains an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    NGram,
    DynamicMemory,
    RareWord,
    WordStart,
    Punctuation,
    Boost,
    Other,
}

impl Category {
    /// Every category in oracle order.
    pub const ALL: [Category; 7] = [
        Category::NGram,
        Category::DynamicMemory,
        Category::RareWord,
        Category::WordStart,
        Category::Punctuation,
        Category::Boost,
        Category::Other,
    ];

    /// Its name in JSON and tables.
    pub fn name(self) -> &'static str {
        match self {
            Category::NGram => "n_gram",
            Category::DynamicMemory => "dynamic_memory",
            Category::RareWord => "rare_word",
            Category::WordStart => "word_start",
            Category::Punctuation => "punctuation",
            Category::Boost => "boost",
            Category::Other => "other",
        }
    }
}

/// One error of the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorAt {
    /// `j`: the position of the character the model failed to predict.
    pub position: usize,
    pub char: char,
    pub model_p: f32,
    pub ngram_p: f64,
    pub category: Category,
}

/// A closing bracket or quote: how far its opener is and what each model gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Closing {
    pub position: usize,
    pub char: char,
    pub opener: usize,
    /// `position − opener`.
    pub distance: usize,
    pub model_p: f32,
    pub ngram_p: f64,
}

/// Number of errors per category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryCount {
    pub category: Category,
    pub count: usize,
}

/// The breakdown of the model's errors on a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorReport {
    /// `T − 1`.
    pub predictions: usize,
    /// Positions where `p < ERROR_BELOW`.
    pub errors: usize,
    /// One entry per category, in oracle order; the counts add up to `errors`.
    pub counts: Vec<CategoryCount>,
    pub ngram_order: usize,
    pub memory: usize,
    pub rare: usize,
    pub top: usize,
    /// Mean loss in nats per character of the model and of the n-gram over the same predictions.
    pub model_loss: f64,
    pub ngram_loss: f64,
    /// `(T − 1)`: the model's loss on `text[t+1]`, nats.
    #[serde(serialize_with = "ser_array1")]
    pub model_losses: Array1<f64>,
    /// `(T − 1)`: the n-gram's loss on `text[t+1]`, nats.
    #[serde(serialize_with = "ser_array1")]
    pub ngram_losses: Array1<f64>,
    pub errors_at: Vec<ErrorAt>,
    pub long_range: Vec<Closing>,
}

/// The characters `fit` of a baseline's training text left once the characters `scored` of that same text are
/// taken out, so that the baseline is never fitted on what it scores: those of `fit` before `scored`, or, when
/// `scored` starts at or before the start of `fit`, those after it; `None` when none is left.
pub fn fit_without(fit: Range<usize>, scored: &Range<usize>) -> Option<Range<usize>> {
    let left = if scored.start > fit.start {
        fit.start..fit.end.min(scored.start)
    } else {
        fit.start.max(scored.end)..fit.end
    };
    (!left.is_empty()).then_some(left)
}

/// The pairs (opener, closer) of brackets of each kind (a stack per kind; an unmatched closer is skipped)
/// and of quotes, sorted by closer.
pub fn closing_pairs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut stacks: [Vec<usize>; 3] = Default::default();
    let mut open_double: Option<usize> = None;
    let mut open_single: Option<usize> = None;
    for (j, &ch) in chars.iter().enumerate() {
        for (k, &(open, close, _)) in BRACKETS.iter().enumerate() {
            if ch == open {
                stacks[k].push(j);
            } else if ch == close {
                if let Some(o) = stacks[k].pop() {
                    pairs.push((o, j));
                }
            }
        }
        let toggle = |slot: &mut Option<usize>, pairs: &mut Vec<(usize, usize)>| match slot.take() {
            Some(o) => pairs.push((o, j)),
            None => *slot = Some(j),
        };
        if ch == '"' {
            toggle(&mut open_double, &mut pairs);
        } else if counts_as_single_quote(chars, j) {
            toggle(&mut open_single, &mut pairs);
        }
    }
    pairs
}

/// The words (maximal runs of letters and digits) of `chars` and how often each occurs.
fn word_counts(chars: &[char]) -> HashMap<&[char], usize> {
    let mut counts = HashMap::new();
    for word in chars
        .split(|c| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *counts.entry(word).or_insert(0) += 1;
    }
    counts
}

/// The word around position `j`, if `chars[j]` is in one.
fn word_at(chars: &[char], j: usize) -> Option<&[char]> {
    if !chars[j].is_alphanumeric() {
        return None;
    }
    let start = chars[..j]
        .iter()
        .rposition(|c| !c.is_alphanumeric())
        .map_or(0, |i| i + 1);
    let end = chars[j..]
        .iter()
        .position(|c| !c.is_alphanumeric())
        .map_or(chars.len(), |i| j + i);
    Some(&chars[start..end])
}

/// The error breakdown and long-range data of a model on `text` (see the module docs).
///
/// `probs` `(T, V)` holds the model's distribution after each character (as [`super::Activations::probs`]),
/// columns in `vocab`'s order; `ngram` is the baseline fitted on `train`, whose words decide rarity. Refuses
/// a text under 2 or over [`super::MAX_CHARS`] characters, a character outside `vocab` or the n-gram's
/// alphabet, `probs` of another shape, and oracle parameters of 0.
pub fn error_breakdown(
    text: &str,
    probs: ArrayView2<f32>,
    vocab: &Vocab,
    ngram: &NGram,
    train: &str,
    oracles: &Oracles,
) -> Result<ErrorReport> {
    let chars = check_text(text)?;
    if chars.len() < 2 {
        return Err(Error::Text(
            "the text has 1 character; at least 2 are needed to predict one from another".into(),
        ));
    }
    if probs.dim() != (chars.len(), vocab.len()) {
        return Err(Error::Analysis(format!(
            "the probabilities are {}×{}, but the text has {} characters and the vocabulary {}",
            probs.nrows(),
            probs.ncols(),
            chars.len(),
            vocab.len()
        )));
    }
    if oracles.memory == 0 || oracles.top == 0 {
        return Err(Error::Analysis(
            "the dynamic-memory history and the near-miss top must be at least 1".into(),
        ));
    }
    let ids = vocab.encode(text)?;
    let train_chars: Vec<char> = train.chars().collect();
    let train_words = word_counts(&train_chars);
    let ngram_p = ngram.next_probs(text)?;

    let predictions = chars.len() - 1;
    let model_p: Array1<f32> = (1..chars.len())
        .map(|j| probs[[j - 1, ids[j] as usize]])
        .collect();
    let model_losses = model_p.mapv(|p| -f64::from(p.max(f32::MIN_POSITIVE)).ln());
    let ngram_losses = ngram_p.mapv(|p| -p.ln());

    // Dynamic memory: (memory + 1)-grams seen so far, each starting before the current one.
    let m = oracles.memory;
    let mut seen: HashSet<&[char]> = HashSet::new();
    let mut errors_at = Vec::new();
    let mut counts: HashMap<Category, usize> = HashMap::new();
    for j in 1..chars.len() {
        let remembered = if j >= m {
            let gram = &chars[j - m..=j];
            let before = seen.contains(gram);
            seen.insert(gram);
            before
        } else {
            false
        };
        let p = model_p[j - 1];
        if p >= ERROR_BELOW {
            continue;
        }
        let ch = chars[j];
        let pn = ngram_p[j - 1];
        let row = probs.row(j - 1);
        let actual = ids[j] as usize;
        // Rank: characters more likely than the actual one, or as likely and earlier in the vocabulary.
        let rank = row
            .iter()
            .enumerate()
            .filter(|&(i, &q)| q > p || (q == p && i < actual))
            .count();
        let category = if pn >= 0.5 {
            Category::NGram
        } else if remembered {
            Category::DynamicMemory
        } else if word_at(&chars, j)
            .is_some_and(|w| train_words.get(w).copied().unwrap_or(0) <= oracles.rare)
        {
            Category::RareWord
        } else if ch.is_alphanumeric() && !chars[j - 1].is_alphanumeric() {
            Category::WordStart
        } else if is_punctuation(ch) {
            Category::Punctuation
        } else if rank < oracles.top {
            Category::Boost
        } else {
            Category::Other
        };
        *counts.entry(category).or_insert(0) += 1;
        errors_at.push(ErrorAt {
            position: j,
            char: ch,
            model_p: p,
            ngram_p: pn,
            category,
        });
    }
    let long_range = closing_pairs(&chars)
        .into_iter()
        .map(|(opener, j)| Closing {
            position: j,
            char: chars[j],
            opener,
            distance: j - opener,
            model_p: model_p[j - 1],
            ngram_p: ngram_p[j - 1],
        })
        .collect();
    Ok(ErrorReport {
        predictions,
        errors: errors_at.len(),
        counts: Category::ALL
            .iter()
            .map(|&category| CategoryCount {
                category,
                count: counts.get(&category).copied().unwrap_or(0),
            })
            .collect(),
        ngram_order: ngram.order(),
        memory: oracles.memory,
        rare: oracles.rare,
        top: oracles.top,
        model_loss: model_losses.mean().expect("at least one prediction"),
        ngram_loss: ngram_losses.mean().expect("at least one prediction"),
        model_losses,
        ngram_losses,
        errors_at,
        long_range,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_baseline_keeps_only_what_it_does_not_score() {
        assert_eq!(
            fit_without(0..90, &(90..100)),
            Some(0..90),
            "the held-out tail"
        );
        assert_eq!(fit_without(0..90, &(80..100)), Some(0..80), "a longer tail");
        assert_eq!(fit_without(0..90, &(30..40)), Some(0..30), "a middle part");
        assert_eq!(fit_without(0..90, &(0..10)), Some(10..90), "the start");
        assert_eq!(fit_without(0..90, &(0..100)), None, "everything");
        assert_eq!(fit_without(10..90, &(0..5)), Some(10..90), "before the fit");
    }

    #[test]
    fn the_word_around_a_position() {
        let chars: Vec<char> = "ab cd, e".chars().collect();
        assert_eq!(word_at(&chars, 0), Some(&chars[0..2]));
        assert_eq!(word_at(&chars, 4), Some(&chars[3..5]));
        assert_eq!(word_at(&chars, 5), None);
        assert_eq!(word_at(&chars, 7), Some(&chars[7..8]));
        let counts = word_counts(&chars);
        assert_eq!(counts.len(), 3);
        assert_eq!(counts[&chars[3..5]], 1);
    }
}
