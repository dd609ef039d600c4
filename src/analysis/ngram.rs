//! An n-gram character model, the baseline the model's errors are compared with.
//!
//! **Smoothing: interpolated Witten–Bell.** For a history whose last `k` characters are the context `h`
//! (`k = 0..order−1`; `h'` is `h` without its first character):
//!
//! ```text
//! P_-1(c)   = 1 / |A|                                        (uniform over the alphabet A)
//! P_k(c | h) = (C(h c) + N(h) · P_k-1(c | h')) / (C(h) + N(h))   when C(h) > 0,
//!            = P_k-1(c | h')                                  when h never occurred in training,
//! ```
//!
//! with `C(h c)` the times `c` followed `h` in the training text, `C(h) = Σ_c C(h c)` and `N(h)` the number of
//! distinct characters that followed `h`. The model's probability is `P_k` for the longest context
//! available: `order − 1` characters, fewer at the start of a text, and only the characters after the last
//! one outside the alphabet. The alphabet is the training text's characters plus any extra ones the caller
//! gives (a model's vocabulary), so every character of it gets a probability above zero; a character outside
//! it cannot be scored and is refused. Counting is exact (integers) and the result does not depend on hash
//! order: the same texts give the same probabilities, bit for bit.

use super::{check_text, MAX_CHARS};
use crate::error::{Error, Result};
use crate::vocab::MAX_VOCAB;
use ndarray::Array1;
use std::collections::HashMap;

/// Longest training text accepted, in characters (the counts of order 9 on 2 M characters take about 1 GiB).
pub const MAX_TRAIN_CHARS: usize = 2_000_000;

/// Highest order accepted (contexts of up to 8 characters).
pub const MAX_ORDER: usize = 9;

/// The order the CLI uses unless told otherwise. Witten–Bell's estimates of long contexts seen once or twice
/// are overconfident, so on small texts high orders lose to middle ones: on the held-out tenth of the
/// `brackets` corpus, fitted on the rest, orders 1, 2, 3, 4, 5, 7 and 9 give 3.15, 1.65, 1.51, 1.51, 1.57,
/// 1.84 and 2.02 nats/char.
pub const DEFAULT_ORDER: usize = 5;

/// Bits per alphabet index in a packed context (`MAX_VOCAB` = 4096 = 2¹²).
const BITS: u32 = 12;

/// A context of up to `MAX_ORDER − 1` alphabet indices packed with its length: `len | i₀ << 4 | i₁ << 16 …`.
fn pack(context: &[u32]) -> u128 {
    context
        .iter()
        .enumerate()
        .fold(context.len() as u128, |key, (k, &i)| {
            key | (u128::from(i) << (4 + BITS * k as u32))
        })
}

/// A fitted interpolated Witten–Bell n-gram model.
#[derive(Debug, Clone)]
pub struct NGram {
    order: usize,
    alphabet: Vec<char>,
    index: HashMap<char, u32>,
    /// Per context: `C(h)` and `N(h)`.
    contexts: HashMap<u128, (u32, u32)>,
    /// Per context and next character: `C(h c)`.
    counts: HashMap<(u128, u32), u32>,
}

/// Refuses an order outside `1..=`[`MAX_ORDER`].
pub fn check_order(order: usize) -> Result<()> {
    if !(1..=MAX_ORDER).contains(&order) {
        return Err(Error::Analysis(format!(
            "n-gram order {order} is outside 1..={MAX_ORDER}"
        )));
    }
    Ok(())
}

impl NGram {
    /// Counts every context of up to `order − 1` characters in `train`. Refuses an order outside
    /// `1..=`[`MAX_ORDER`], a training text that is empty or over [`MAX_TRAIN_CHARS`], and an alphabet over
    /// [`MAX_VOCAB`] characters.
    pub fn fit(train: &str, order: usize, extra: &[char]) -> Result<NGram> {
        check_order(order)?;
        let chars: Vec<char> = train.chars().collect();
        if chars.is_empty() || chars.len() > MAX_TRAIN_CHARS {
            return Err(Error::Text(format!(
                "the n-gram's training text has {} characters; it must have 1 to {MAX_TRAIN_CHARS}",
                chars.len()
            )));
        }
        let alphabet = crate::order::distinct_chars(chars.iter().chain(extra).copied());
        if alphabet.len() > MAX_VOCAB {
            return Err(Error::Analysis(format!(
                "the n-gram's alphabet would have {} characters; at most {MAX_VOCAB} are supported",
                alphabet.len()
            )));
        }
        let index: HashMap<char, u32> = alphabet
            .iter()
            .enumerate()
            .map(|(i, &c)| (c, i as u32))
            .collect();
        let ids: Vec<u32> = chars.iter().map(|c| index[c]).collect();
        let mut contexts: HashMap<u128, (u32, u32)> = HashMap::new();
        let mut counts: HashMap<(u128, u32), u32> = HashMap::new();
        for (j, &next) in ids.iter().enumerate() {
            for k in 0..order.min(j + 1) {
                let key = pack(&ids[j - k..j]);
                let n = counts.entry((key, next)).or_insert(0);
                *n += 1;
                let stats = contexts.entry(key).or_insert((0, 0));
                stats.0 += 1;
                stats.1 += u32::from(*n == 1);
            }
        }
        Ok(NGram {
            order,
            alphabet,
            index,
            contexts,
            counts,
        })
    }

    pub fn order(&self) -> usize {
        self.order
    }

    /// The characters the model gives a probability to, sorted.
    pub fn alphabet(&self) -> &[char] {
        &self.alphabet
    }

    /// `P(next | history)` (see the module docs), `None` when `next` is outside the alphabet.
    pub fn prob(&self, history: &[char], next: char) -> Option<f64> {
        let next = *self.index.get(&next)?;
        let keep = self.order - 1;
        let tail = &history[history.len().saturating_sub(keep)..];
        let known = tail
            .iter()
            .rposition(|c| !self.index.contains_key(c))
            .map_or(0, |i| i + 1);
        let context: Vec<u32> = tail[known..].iter().map(|c| self.index[c]).collect();
        Some(self.prob_ids(&context, next))
    }

    fn prob_ids(&self, context: &[u32], next: u32) -> f64 {
        let mut p = 1.0 / self.alphabet.len() as f64;
        for k in 0..=context.len() {
            let key = pack(&context[context.len() - k..]);
            let Some(&(total, types)) = self.contexts.get(&key) else {
                break; // a longer context containing this one never occurred either
            };
            let count = self.counts.get(&(key, next)).copied().unwrap_or(0);
            p = (f64::from(count) + f64::from(types) * p) / f64::from(total + types);
        }
        p
    }

    /// `(T − 1)`: `P(text[t+1] | text[..=t])` for `t = 0..T−1`, the same positions as the model's loss.
    /// Refuses a text under 2 or over [`MAX_CHARS`] characters, and a character outside the alphabet.
    pub fn next_probs(&self, text: &str) -> Result<Array1<f64>> {
        let chars = check_text(text)?;
        if chars.len() < 2 {
            return Err(Error::Text(
                "the text has 1 character; at least 2 are needed to predict one from another"
                    .into(),
            ));
        }
        debug_assert!(chars.len() <= MAX_CHARS);
        (1..chars.len())
            .map(|j| {
                self.prob(&chars[..j], chars[j]).ok_or_else(|| {
                    Error::Text(format!(
                        "character {:?} at position {j} never occurs in the n-gram's training text or alphabet",
                        chars[j]
                    ))
                })
            })
            .collect()
    }

    /// `(T − 1)`: the per-character loss `−ln P(text[t+1] | text[..=t])` in nats (see [`NGram::next_probs`]).
    pub fn losses(&self, text: &str) -> Result<Array1<f64>> {
        Ok(self.next_probs(text)?.mapv(|p| -p.ln()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_contexts_differ_by_length_and_content() {
        let keys = [
            pack(&[]),
            pack(&[0]),
            pack(&[0, 0]),
            pack(&[1]),
            pack(&[0, 1]),
            pack(&[1, 0]),
            pack(&[4095; 8]),
        ];
        let distinct: std::collections::BTreeSet<u128> = keys.iter().copied().collect();
        assert_eq!(distinct.len(), keys.len());
        // The widest context fits: 4 + 8 · 12 = 100 bits.
        assert!(pack(&[4095; 8]) < 1u128 << 100);
    }

    #[test]
    fn a_history_is_cut_at_a_character_outside_the_alphabet() {
        let m = NGram::fit("abab", 3, &[]).unwrap();
        // "xa": the x cannot be a context, so this is P(b | a).
        assert_eq!(m.prob(&['x', 'a'], 'b'), m.prob(&['a'], 'b'));
        assert_eq!(m.prob(&['a', 'x'], 'b'), m.prob(&[], 'b'));
    }
}
