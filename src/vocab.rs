//! Characters (Unicode scalar values) ↔ one-hot positions.

use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// The ordered set of characters a model reads and writes; index `i` is one-hot position `i`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocab {
    chars: Vec<char>,
    index: BTreeMap<char, u32>,
}

/// Largest vocabulary accepted (one-hot width); larger texts are almost certainly not meant as character data.
pub const MAX_VOCAB: usize = 4096;

impl Vocab {
    /// The distinct characters of `text`, sorted by code point, so the same corpus always gives the same order.
    pub fn from_text(text: &str) -> Result<Vocab> {
        let chars = crate::order::distinct_chars(text.chars());
        if chars.is_empty() {
            return Err(Error::Text("the text is empty".into()));
        }
        Vocab::from_chars(chars)
    }

    /// A vocabulary in exactly the given order (as stored in a model file). Duplicates are refused.
    pub fn from_chars(chars: Vec<char>) -> Result<Vocab> {
        if chars.is_empty() {
            return Err(Error::Text("the vocabulary is empty".into()));
        }
        if chars.len() > MAX_VOCAB {
            return Err(Error::Text(format!(
                "{} distinct characters; at most {MAX_VOCAB} are supported",
                chars.len()
            )));
        }
        let mut index = BTreeMap::new();
        for (i, &c) in chars.iter().enumerate() {
            if index.insert(c, i as u32).is_some() {
                return Err(Error::Text(format!(
                    "character {c:?} appears twice in the vocabulary"
                )));
            }
        }
        Ok(Vocab { chars, index })
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    pub fn index_of(&self, c: char) -> Option<u32> {
        self.index.get(&c).copied()
    }

    pub fn char_at(&self, i: usize) -> char {
        self.chars[i]
    }

    /// Every character of `text` as its index; refuses the text naming (up to five of) the unknown characters.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let mut out = Vec::with_capacity(text.len());
        let mut unknown: Vec<char> = Vec::new();
        for c in text.chars() {
            match self.index_of(c) {
                Some(i) => out.push(i),
                None => {
                    if !unknown.contains(&c) {
                        unknown.push(c);
                    }
                }
            }
        }
        if !unknown.is_empty() {
            let shown: Vec<String> = unknown.iter().take(5).map(|c| format!("{c:?}")).collect();
            let more = if unknown.len() > 5 {
                format!(" and {} more", unknown.len() - 5)
            } else {
                String::new()
            };
            return Err(Error::Text(format!(
                "characters not in the model's vocabulary: {}{more}",
                shown.join(", ")
            )));
        }
        Ok(out)
    }
}
