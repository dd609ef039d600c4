//! Per-character features of a text, computed from the text alone.
//!
//! Every feature is a `(T)` array with one value per character. The value at `t` describes the text *after
//! reading character `t`* (character `t` included), the moment at which the model's step `t` is taken. So an
//! opening bracket is already inside its bracket (depth 1 at `(`), a closing one already outside (depth 0 at
//! `)`), an opening quote is inside its quote and a closing quote outside.
//!
//! | name | kind | value at `t` |
//! |---|---|---|
//! | `depth_paren`, `depth_square`, `depth_curly` | numeric | openers minus closers of `( )`, `[ ]`, `{ }` in `text[..=t]`; a closer with nothing open is ignored, so it never goes below 0 |
//! | `depth` | numeric | the sum of the three |
//! | `in_double_quotes` | on/off | an odd number of `"` in `text[..=t]` |
//! | `in_single_quotes` | on/off | an odd number of quoting `'` in `text[..=t]`, where a `'` with a letter or digit on both sides (an apostrophe: `don't`) does not count |
//! | `line_position` | numeric | 0-based column of character `t` in its line (a `\n` is the last character of its line) |
//! | `word_position` | numeric | for a character in a word (a maximal run of letters and digits), its 1-based place in the word; 0 for every other character |
//! | `since_newline` | numeric | `t` minus the index of the last `\n` in `text[..=t]` (0 at a newline; `t + 1` when there is none) |
//! | `since_space` | numeric | the same for the last whitespace character (space, tab, newline, …) |
//! | `letter` | on/off | character `t` is alphabetic (Unicode) |
//! | `uppercase` | on/off | character `t` is uppercase (Unicode) |
//! | `digit` | on/off | character `t` is an ASCII digit `0`–`9` |
//! | `space` | on/off | character `t` is whitespace (Unicode; newlines included) |
//! | `punctuation` | on/off | character `t` is none of: alphanumeric, whitespace, control, so symbols such as `=` count |
//! | `vowel` | on/off | character `t` is one of `a e i o u`, either case |
//!
//! [`regex_feature`] adds "inside a match of `R`": on at `t` when character `t` lies inside one of the
//! leftmost-first, non-overlapping matches the `regex` crate finds in the whole text (so, unlike the others,
//! it may look ahead: the first character of a match is already inside it). Empty matches cover nothing. The
//! pattern is read in multi-line mode, as grep reads it: `^` and `$` match at the start and end of every line
//! (`\A` and `\z` still mean the whole text's).
//! On/off features hold `0.0` and `1.0`.

use super::check_text;
use crate::error::{Error, Result};
use ndarray::Array1;
use serde::Serialize;

/// Whether a feature is a number (compared with Pearson's r) or on/off (compared with AUROC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureKind {
    Numeric,
    /// Values are `0.0` (off) and `1.0` (on).
    Boolean,
}

/// One per-character feature of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub name: String,
    pub kind: FeatureKind,
    /// `(T)`: the value after reading character `t`.
    pub values: Array1<f64>,
}

/// The bracket pairs whose depth is tracked, with their feature names.
pub const BRACKETS: [(char, char, &str); 3] = [
    ('(', ')', "depth_paren"),
    ('[', ']', "depth_square"),
    ('{', '}', "depth_curly"),
];

/// Depth of one bracket kind after each character.
fn depth(chars: &[char], open: char, close: char) -> Array1<f64> {
    let mut d = 0usize;
    chars
        .iter()
        .map(|&ch| {
            if ch == open {
                d += 1;
            } else if ch == close {
                d = d.saturating_sub(1);
            }
            d as f64
        })
        .collect()
}

/// Inside a quote after each character: an odd number of counted quote characters so far.
fn inside(chars: &[char], counts: impl Fn(usize) -> bool) -> Array1<f64> {
    let mut open = false;
    (0..chars.len())
        .map(|t| {
            if counts(t) {
                open = !open;
            }
            f64::from(u8::from(open))
        })
        .collect()
}

/// Characters since the last one satisfying `is_mark` (0 on it; `t + 1` when none came before).
fn since(chars: &[char], is_mark: impl Fn(char) -> bool) -> Array1<f64> {
    let mut last: Option<usize> = None;
    chars
        .iter()
        .enumerate()
        .map(|(t, &ch)| {
            if is_mark(ch) {
                last = Some(t);
            }
            match last {
                Some(l) => (t - l) as f64,
                None => (t + 1) as f64,
            }
        })
        .collect()
}

fn in_word(ch: char) -> bool {
    ch.is_alphanumeric()
}

/// Whether `chars[t]` is a quoting `'`: a `'` without a letter or digit on both sides (those are
/// apostrophes, as in `don't`).
pub fn counts_as_single_quote(chars: &[char], t: usize) -> bool {
    let word_char_at = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_some_and(|&c| in_word(c));
    chars[t] == '\'' && !(word_char_at(t.checked_sub(1)) && word_char_at(Some(t + 1)))
}

/// The punctuation class: neither alphanumeric, whitespace nor control.
pub fn is_punctuation(ch: char) -> bool {
    !ch.is_alphanumeric() && !ch.is_whitespace() && !ch.is_control()
}

fn class(chars: &[char], test: impl Fn(char) -> bool) -> Array1<f64> {
    chars
        .iter()
        .map(|&c| f64::from(u8::from(test(c))))
        .collect()
}

/// Every built-in feature of `text`, in the order of the table in the module docs. Refuses an empty text
/// and one over [`super::MAX_CHARS`] characters.
pub fn text_features(text: &str) -> Result<Vec<Feature>> {
    let chars = check_text(text)?;
    let numeric = |name: &str, values| Feature {
        name: name.into(),
        kind: FeatureKind::Numeric,
        values,
    };
    let boolean = |name: &str, values| Feature {
        name: name.into(),
        kind: FeatureKind::Boolean,
        values,
    };
    let mut out: Vec<Feature> = BRACKETS
        .iter()
        .map(|&(open, close, name)| numeric(name, depth(&chars, open, close)))
        .collect();
    let total = out
        .iter()
        .fold(Array1::zeros(chars.len()), |acc, f| acc + &f.values);
    out.push(numeric("depth", total));

    out.push(boolean(
        "in_double_quotes",
        inside(&chars, |t| chars[t] == '"'),
    ));
    out.push(boolean(
        "in_single_quotes",
        inside(&chars, |t| counts_as_single_quote(&chars, t)),
    ));

    let since_newline = since(&chars, |c| c == '\n');
    // The column is the distance from the line's first character: one less than `since_newline`, except on
    // the newline itself, which ends its line.
    let mut col = 0usize;
    let line_position = chars
        .iter()
        .map(|&c| {
            let here = col as f64;
            col = if c == '\n' { 0 } else { col + 1 };
            here
        })
        .collect();
    out.push(numeric("line_position", line_position));
    let mut run = 0usize;
    let word_position = chars
        .iter()
        .map(|&c| {
            run = if in_word(c) { run + 1 } else { 0 };
            run as f64
        })
        .collect();
    out.push(numeric("word_position", word_position));
    out.push(numeric("since_newline", since_newline));
    out.push(numeric("since_space", since(&chars, char::is_whitespace)));

    out.push(boolean("letter", class(&chars, char::is_alphabetic)));
    out.push(boolean("uppercase", class(&chars, char::is_uppercase)));
    out.push(boolean("digit", class(&chars, |c| c.is_ascii_digit())));
    out.push(boolean("space", class(&chars, char::is_whitespace)));
    out.push(boolean("punctuation", class(&chars, is_punctuation)));
    out.push(boolean(
        "vowel",
        class(&chars, |c| "aeiouAEIOU".contains(c)),
    ));
    Ok(out)
}

/// Longest regular expression accepted, in bytes.
pub const MAX_PATTERN: usize = 1000;

/// "Inside a match of `pattern`" (see the module docs; `^` and `$` at line boundaries), named `match:<pattern>`.
/// Refuses an invalid or over-long pattern and the texts [`text_features`] refuses. Native only: the wasm build
/// carries no regular-expression engine, and the page matches with the browser's own (see [`matched_feature`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn regex_feature(text: &str, pattern: &str) -> Result<Feature> {
    let chars = check_text(text)?;
    check_pattern(pattern)?;
    let re = regex::RegexBuilder::new(pattern)
        .multi_line(true)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| Error::Analysis(format!("invalid regular expression {pattern:?}: {e}")))?;
    // Byte offsets of the matches → character positions: walk both in order.
    let starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    let ranges: Vec<[usize; 2]> = re
        .find_iter(text)
        .map(|m| {
            [
                starts.partition_point(|&b| b < m.start()),
                starts.partition_point(|&b| b < m.end()),
            ]
        })
        .collect();
    matched_feature(chars.len(), pattern, &ranges)
}

/// In the wasm build a pattern comes matched by the page: refused with the reason.
#[cfg(target_arch = "wasm32")]
pub fn regex_feature(_text: &str, pattern: &str) -> Result<Feature> {
    Err(Error::Analysis(format!(
        "the regular expression {pattern:?} cannot be matched here: the wasm build has no regular-expression \
         engine; send it matched, as `matched: [{{pattern, ranges}}]`"
    )))
}

fn check_pattern(pattern: &str) -> Result<()> {
    if pattern.len() > MAX_PATTERN {
        return Err(Error::Analysis(format!(
            "the regular expression is {} bytes long; at most {MAX_PATTERN} are accepted",
            pattern.len()
        )));
    }
    Ok(())
}

/// "Inside a match of `pattern`" for a text of `chars` characters from the matches found elsewhere: on inside
/// each `[from, to)` character range, named `match:<pattern>`. Refuses a range outside the text or backwards.
pub fn matched_feature(chars: usize, pattern: &str, ranges: &[[usize; 2]]) -> Result<Feature> {
    check_pattern(pattern)?;
    let mut values = Array1::zeros(chars);
    for &[from, to] in ranges {
        if from > to || to > chars {
            return Err(Error::Analysis(format!(
                "the match {from}..{to} of {pattern:?} lies outside the text's {chars} characters"
            )));
        }
        values.slice_mut(ndarray::s![from..to]).fill(1.0);
    }
    Ok(Feature {
        name: format!("match:{pattern}"),
        kind: FeatureKind::Boolean,
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_since_a_mark() {
        let chars: Vec<char> = "ab\nc\n".chars().collect();
        assert_eq!(since(&chars, |c| c == '\n').to_vec(), [1., 2., 0., 1., 0.]);
        assert_eq!(depth(&chars, 'a', 'b').to_vec(), [1., 0., 0., 0., 0.]);
    }

    #[test]
    fn apostrophes_are_not_quotes() {
        let chars: Vec<char> = "'it's'".chars().collect();
        let counted: Vec<bool> = (0..chars.len())
            .map(|t| counts_as_single_quote(&chars, t))
            .collect();
        assert_eq!(counted, [true, false, false, false, false, true]);
    }
}
