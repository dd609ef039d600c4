//! The embedded corpora and the structured generator's guarantees: determinism, balanced and properly nested
//! brackets, quotes closed on their line, line length, indentation that follows depth.
#![cfg(not(target_arch = "wasm32"))] // reads files or runs long numeric sweeps; tests/wasm.rs covers wasm

use rnnscope::corpus::{self, structured, MAX_LINE};
use rnnscope::Vocab;

fn opener(c: char) -> Option<char> {
    match c {
        ')' => Some('('),
        ']' => Some('['),
        '}' => Some('{'),
        _ => None,
    }
}

/// Checks every guarantee of `text`, panicking with the line number and line on the first violation.
fn check_structure(text: &str) {
    let mut stack: Vec<char> = Vec::new();
    let mut in_quote = false;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let n = n + 1;
        assert!(line.ends_with('\n'), "line {n} is not terminated: {line:?}");
        let body = &line[..line.len() - 1];
        assert!(
            body.chars().count() <= MAX_LINE,
            "line {n} has {} characters (max {MAX_LINE}): {body:?}",
            body.chars().count()
        );
        assert!(!in_quote);
        // Indentation: two spaces per bracket open at the start of the line; a line that starts by closing a
        // bracket is indented like the bracket's own line.
        let indent = body.chars().take_while(|&c| c == ' ').count();
        let first = body.chars().nth(indent);
        let depth = stack.len() - usize::from(first.and_then(opener).is_some());
        assert_eq!(
            indent,
            (2 * depth).min(MAX_LINE / 2),
            "line {n} indentation for depth {depth}: {body:?}"
        );
        if stack.is_empty() {
            assert!(
                first.is_some_and(|c| c.is_ascii_lowercase()),
                "line {n}: a statement starts with a name: {body:?}"
            );
        }
        for c in body.chars() {
            if in_quote {
                assert!(
                    !"()[]{};".contains(c),
                    "line {n}: {c:?} inside quotes: {body:?}"
                );
                in_quote = c != '"';
                continue;
            }
            match c {
                '"' => in_quote = true,
                '(' | '[' | '{' => stack.push(c),
                ')' | ']' | '}' => {
                    let open = stack.pop();
                    assert_eq!(open, opener(c), "line {n}: {c:?} closes {open:?}: {body:?}");
                }
                ';' => assert!(
                    stack.is_empty(),
                    "line {n}: statement ends inside brackets: {body:?}"
                ),
                _ => {}
            }
        }
        assert!(!in_quote, "line {n}: a quote is left open: {body:?}");
        if body.ends_with(';') {
            assert!(stack.is_empty());
        } else {
            assert!(
                !stack.is_empty() || body.is_empty(),
                "line {n}: a statement continues at depth 0: {body:?}"
            );
        }
    }
    assert!(stack.is_empty(), "brackets left open at the end: {stack:?}");
    assert!(text.ends_with(";\n"), "the text ends at a statement end");
}

#[test]
fn structured_text_is_reproducible_per_seed() {
    assert_eq!(structured(5, 3000), structured(5, 3000));
    assert_ne!(structured(5, 3000), structured(6, 3000));
    let t = structured(5, 3000);
    assert!(
        t.len() >= 3000 && t.len() < 3000 + 4 * MAX_LINE + 8,
        "{}",
        t.len()
    );
    // A shorter request is a prefix of a longer one from the same seed.
    assert!(structured(5, 10_000).starts_with(&t));
}

#[test]
fn structured_text_keeps_every_promise_for_many_seeds() {
    for seed in 0..200 {
        let text = structured(seed, 4000);
        std::panic::catch_unwind(|| check_structure(&text))
            .unwrap_or_else(|_| panic!("seed {seed} broke a guarantee (see above)"));
    }
}

#[test]
fn structured_text_really_nests_and_wraps() {
    // The checks above must have something to check.
    let text = structured(1, 20_000);
    assert!(
        text.lines().any(|l| l.starts_with("      ")),
        "no line at depth ≥ 3"
    );
    assert!(text.contains('"') && text.contains('{') && text.contains('[') && text.contains('('));
    assert!(text.lines().any(|l| l.chars().count() > MAX_LINE - 8));
}

#[test]
fn embedded_corpora() {
    assert_eq!(corpus::DEFAULT, "hello");
    for name in corpus::NAMES {
        let text = corpus::get(name).unwrap_or_else(|| panic!("{name} is listed but missing"));
        assert!(
            text.chars().count() > 500,
            "{name} is too short to train on"
        );
    }
    assert_eq!(corpus::get("nope"), None);
    // The toy of the post's first figure: vocabulary h, e, l, o, nothing else.
    let hello = corpus::get("hello").unwrap();
    assert_eq!(
        Vocab::from_text(&hello).unwrap().chars(),
        ['e', 'h', 'l', 'o']
    );
    assert!(hello.starts_with("hellohello"));
    assert_eq!(
        corpus::get("brackets").unwrap(),
        structured(corpus::BRACKETS_SEED, corpus::BRACKETS_LEN)
    );
    check_structure(&corpus::get("brackets").unwrap());
}
