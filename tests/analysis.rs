//! The analysis module: each text feature on hand-made texts, Pearson and AUROC against numpy, the ridge probe
//! on a planted signal and on noise, saturation fractions, n-gram probabilities worked out by hand, the error
//! breakdown of a hand-made case, and the cell finder on the shipped brackets LSTM.
#![cfg(not(target_arch = "wasm32"))] // reads model files; the module itself is checked for wasm by clippy

use ndarray::{array, Array1, Array2, ArrayView1};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use rnnscope::analysis::errors::{closing_pairs, error_breakdown, Category, Oracles};
use rnnscope::analysis::features::{regex_feature, text_features, Feature, FeatureKind};
use rnnscope::analysis::finder::find_cells;
use rnnscope::analysis::ngram::NGram;
use rnnscope::analysis::saturation::gate_saturation;
use rnnscope::analysis::stats::{
    auroc, cholesky, cholesky_solve, pearson, ridge_probe, saturation_fractions, Metric,
};
use rnnscope::analysis::{Activations, Tensor, MAX_CHARS};
use rnnscope::{corpus, model_file, trainer, Error, Probe, Vocab};
use std::path::Path;
use std::time::Instant;

fn feature<'a>(features: &'a [Feature], name: &str) -> &'a Feature {
    features
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no feature {name}"))
}

fn values(text: &str, name: &str) -> Vec<f64> {
    feature(&text_features(text).unwrap(), name).values.to_vec()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

// ---------------------------------------------------------------------------------------------------------
// Features

#[test]
fn bracket_depths_count_after_reading_each_character() {
    let t = "a(b[c]d)e";
    assert_eq!(
        values(t, "depth_paren"),
        [0., 1., 1., 1., 1., 1., 1., 0., 0.]
    );
    assert_eq!(
        values(t, "depth_square"),
        [0., 0., 0., 1., 1., 0., 0., 0., 0.]
    );
    assert_eq!(values(t, "depth_curly"), [0.; 9]);
    assert_eq!(values(t, "depth"), [0., 1., 1., 2., 2., 1., 1., 0., 0.]);
    // A closer with nothing open is ignored; kinds are counted apart.
    assert_eq!(values(")({]}", "depth_paren"), [0., 1., 1., 1., 1.]);
    assert_eq!(values(")({]}", "depth_curly"), [0., 0., 1., 1., 0.]);
    assert_eq!(values(")({]}", "depth"), [0., 1., 2., 2., 1.]);
    let f = text_features(t).unwrap();
    assert_eq!(feature(&f, "depth").kind, FeatureKind::Numeric);
}

#[test]
fn quotes_open_on_the_opener_and_close_on_the_closer() {
    let t = "a\"b c\"d 'e' don't";
    assert_eq!(
        values(t, "in_double_quotes"),
        [0., 1., 1., 1., 1., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0.]
    );
    // The apostrophe of don't (a letter on both sides) does not open a quote.
    assert_eq!(
        values(t, "in_single_quotes"),
        [0., 0., 0., 0., 0., 0., 0., 0., 1., 1., 0., 0., 0., 0., 0., 0., 0.]
    );
    let f = text_features(t).unwrap();
    assert_eq!(feature(&f, "in_double_quotes").kind, FeatureKind::Boolean);
}

#[test]
fn positions_in_lines_and_words() {
    let t = "ab cd\nx";
    assert_eq!(values(t, "line_position"), [0., 1., 2., 3., 4., 5., 0.]);
    assert_eq!(values(t, "since_newline"), [1., 2., 3., 4., 5., 0., 1.]);
    assert_eq!(values(t, "word_position"), [1., 2., 0., 1., 2., 0., 1.]);
    assert_eq!(values(t, "since_space"), [1., 2., 0., 1., 2., 0., 1.]);
    // Multi-byte characters are one position each; digits belong to words.
    assert_eq!(values("日é 42", "word_position"), [1., 2., 0., 1., 2.]);
    assert_eq!(values("\n\na", "line_position"), [0., 0., 0.]);
}

#[test]
fn character_classes() {
    let t = "aB3 ,é\t=";
    assert_eq!(values(t, "letter"), [1., 1., 0., 0., 0., 1., 0., 0.]);
    assert_eq!(values(t, "uppercase"), [0., 1., 0., 0., 0., 0., 0., 0.]);
    assert_eq!(values(t, "digit"), [0., 0., 1., 0., 0., 0., 0., 0.]);
    assert_eq!(values(t, "space"), [0., 0., 0., 1., 0., 0., 1., 0.]);
    assert_eq!(values(t, "punctuation"), [0., 0., 0., 0., 1., 0., 0., 1.]);
    assert_eq!(values(t, "vowel"), [1., 0., 0., 0., 0., 0., 0., 0.]);
    let names: Vec<String> = text_features(t)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names.len(), 16);
}

#[test]
fn a_regular_expression_marks_the_characters_of_its_matches() {
    let f = regex_feature("ab12cd345", "[0-9]+").unwrap();
    assert_eq!(f.values.to_vec(), [0., 0., 1., 1., 0., 0., 1., 1., 1.]);
    assert_eq!(f.kind, FeatureKind::Boolean);
    assert_eq!(f.name, "match:[0-9]+");
    // Character positions, not bytes.
    let f = regex_feature("日12é3", r"\d").unwrap();
    assert_eq!(f.values.to_vec(), [0., 1., 1., 0., 1.]);
    // Empty matches cover nothing.
    assert_eq!(regex_feature("abc", "x*").unwrap().values.sum(), 0.0);
    let bad = regex_feature("abc", "(unclosed").unwrap_err();
    assert!(
        matches!(&bad, Error::Analysis(m) if m.contains("invalid regular expression")),
        "{bad}"
    );
}

/// Patterns read line by line, as grep reads them: `^` and `$` match at the start and end of every line, not only
/// of the whole text (a line-anchored pattern once matched only the first line, and `cells` reported it "constant").
#[test]
fn a_regular_expression_anchors_at_every_line() {
    let text = "a\n  b\n\tc d\ne";
    let indent = regex_feature(text, "^[ \t]+").unwrap();
    assert_eq!(
        indent.values.to_vec(),
        [0., 0., 1., 1., 0., 0., 1., 0., 0., 0., 0., 0.],
        "the indentation of the second and third lines"
    );
    let last = regex_feature(text, "[a-z]$").unwrap();
    assert_eq!(
        last.values.to_vec(),
        [1., 0., 0., 0., 1., 0., 0., 0., 0., 1., 0., 1.],
        "the last letter of every line"
    );
    // The page's path: a cells request ranks units for the pattern instead of finding it constant.
    use rnnscope::analysis::request::{run, Cache, Report, Request};
    let model = brackets_lstm();
    let code = "f(a);\n  g(b);\n  h(c);\nk(d);\n".repeat(20);
    let request = Request::Cells {
        text: code.clone(),
        top: 3,
        regex: vec!["^ +".into()],
        matched: vec![],
    };
    let cells = |request: &Request| match run(&model, "", &mut Cache::default(), request) {
        Ok(Report::Cells(report)) => report,
        other => panic!("a cells request answers with a cells report: {other:?}"),
    };
    let report = cells(&request);
    let indent = report
        .features
        .iter()
        .find(|f| f.feature == "match:^ +")
        .unwrap();
    assert_eq!(indent.top.len(), 3, "{indent:?}");
    // The page matches the pattern itself (the wasm has no regex engine) and sends the ranges: the same report.
    let ranges = regex_feature(&code, "^ +")
        .unwrap()
        .values
        .iter()
        .enumerate()
        .filter(|&(_, &v)| v == 1.0)
        .map(|(t, _)| [t, t + 1])
        .collect();
    let matched = Request::Cells {
        text: code.clone(),
        top: 3,
        regex: vec![],
        matched: vec![rnnscope::analysis::request::Matched {
            pattern: "^ +".into(),
            ranges,
        }],
    };
    assert_eq!(cells(&matched), report);
    let outside = Request::Cells {
        text: code,
        top: 3,
        regex: vec![],
        matched: vec![rnnscope::analysis::request::Matched {
            pattern: "x".into(),
            ranges: vec![[0, 10_000]],
        }],
    };
    let e = run(&model, "", &mut Cache::default(), &outside).unwrap_err();
    assert!(e.to_string().contains("outside the text"), "{e}");
}

#[test]
fn features_refuse_empty_and_over_long_text() {
    assert!(matches!(text_features(""), Err(Error::Text(m)) if m.contains("empty")));
    let long = "a".repeat(MAX_CHARS + 1);
    let e = text_features(&long).unwrap_err();
    assert!(e.to_string().contains("at most 1000000"), "{e}");
    assert!(regex_feature("", "a").is_err());
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

#[test]
fn pearson_matches_numpy() {
    // import numpy as np
    // np.corrcoef([1,2,3,4,5,6,7], [2,1,4,3,7,8,6])[0,1]                       # 0.8485483171719466
    // np.corrcoef([0.5,-1.25,3,2,0,-0.75,1.5,4], [1,0,-2,0.5,0.25,3,-1,-1.5])[0,1]  # -0.7154388045178782
    let r = pearson(
        array![1., 2., 3., 4., 5., 6., 7.].view(),
        array![2., 1., 4., 3., 7., 8., 6.].view(),
    )
    .unwrap()
    .unwrap();
    assert!(close(r, 0.848_548_317_171_946_6, 1e-12), "{r}");
    let x = array![0.5f32, -1.25, 3.0, 2.0, 0.0, -0.75, 1.5, 4.0];
    let y = array![1.0, 0.0, -2.0, 0.5, 0.25, 3.0, -1.0, -1.5];
    let r = pearson(x.view(), y.view()).unwrap().unwrap();
    assert!(close(r, -0.715_438_804_517_878_2, 1e-7), "{r}");
    // Perfect, and perfectly reversed.
    let a = array![1., 2., 3.];
    assert!(close(
        pearson(a.view(), (&a * 2.0 + 1.0).view()).unwrap().unwrap(),
        1.0,
        1e-12
    ));
    assert!(close(
        pearson(a.view(), (-&a).view()).unwrap().unwrap(),
        -1.0,
        1e-12
    ));
}

#[test]
fn pearson_is_none_where_undefined_and_refuses_mismatched_lengths() {
    let constant = array![0.3f32, 0.3, 0.3, 0.3];
    let y = array![1., 2., 3., 4.];
    assert_eq!(pearson(constant.view(), y.view()).unwrap(), None);
    assert_eq!(pearson(y.view(), constant.view()).unwrap(), None);
    assert_eq!(pearson(array![1.].view(), array![2.].view()).unwrap(), None);
    assert_eq!(
        pearson(array![1., f64::NAN, 3.].view(), array![1., 2., 3.].view()).unwrap(),
        None
    );
    let e = pearson(array![1., 2.].view(), array![1., 2., 3.].view()).unwrap_err();
    assert!(e.to_string().contains("different lengths (2 and 3)"), "{e}");
}

#[test]
fn auroc_matches_the_pairwise_definition_with_ties() {
    // import numpy as np
    // s = np.array([0.1,0.4,0.35,0.8,0.4,0.7,0.2]); l = np.array([0,0,1,1,1,0,0], bool)
    // np.mean([(p > n) + 0.5*(p == n) for p in s[l] for n in s[~l]])   # 0.7083333333333334 (= 8.5 / 12)
    let s = array![0.1f32, 0.4, 0.35, 0.8, 0.4, 0.7, 0.2];
    let l = array![false, false, true, true, true, false, false];
    let a = auroc(s.view(), l.view()).unwrap().unwrap();
    assert!(close(a, 8.5 / 12.0, 1e-12), "{a}");
    // Separable: 1, reversed: 0, all tied: 0.5, one class: None.
    let s = array![1., 2., 3., 4.];
    let l = array![false, false, true, true];
    assert_eq!(auroc(s.view(), l.view()).unwrap(), Some(1.0));
    assert_eq!(auroc((-&s).view(), l.view()).unwrap(), Some(0.0));
    assert_eq!(
        auroc(array![5., 5., 5., 5.].view(), l.view()).unwrap(),
        Some(0.5)
    );
    assert_eq!(
        auroc(s.view(), array![true, true, true, true].view()).unwrap(),
        None
    );
    assert!(auroc(s.view(), array![true].view()).is_err());
}

/// `(n, k)` values uniform in (-1, 1) from a seed.
fn random(n: usize, k: usize, seed: u64) -> Array2<f64> {
    let mut rng = Pcg64::seed_from_u64(seed);
    Array2::from_shape_fn((n, k), |_| rng.random_range(-1.0..1.0))
}

#[test]
fn the_ridge_probe_recovers_a_planted_signal_and_not_noise() {
    let x = random(600, 8, 1).mapv(|v| v as f32);
    let xf = x.mapv(f64::from);
    let planted: Array1<f64> =
        xf.column(0).mapv(|v| 2.0 * v) - xf.column(3) + xf.column(5).mapv(|v| 0.5 * v + 3.0);
    let fit = ridge_probe(x.view(), planted.view(), FeatureKind::Numeric).unwrap();
    assert_eq!(fit.metric, Metric::R2);
    assert_eq!((fit.fit_rows, fit.eval_rows), (300, 300));
    let r2 = fit.score.unwrap();
    assert!(r2 > 0.99, "planted R² {r2}");

    let noise = random(600, 1, 2).column(0).to_owned();
    let r2 = ridge_probe(x.view(), noise.view(), FeatureKind::Numeric)
        .unwrap()
        .score
        .unwrap();
    assert!(r2 < 0.1, "noise R² {r2}");

    // On/off: a linear boundary is found, coin flips are not.
    let on = (xf.column(1).to_owned() + xf.column(2).mapv(|v| 0.5 * v))
        .mapv(|v| f64::from(u8::from(v > 0.0)));
    let fit = ridge_probe(x.view(), on.view(), FeatureKind::Boolean).unwrap();
    assert_eq!(fit.metric, Metric::Accuracy);
    assert!(fit.score.unwrap() > 0.85, "accuracy {:?}", fit.score);
    let coins = noise.mapv(|v| f64::from(u8::from(v > 0.0)));
    let acc = ridge_probe(x.view(), coins.view(), FeatureKind::Boolean)
        .unwrap()
        .score
        .unwrap();
    assert!(acc < 0.62, "coin accuracy {acc}");

    // A constant column is harmless; too few rows and mismatched lengths are refused.
    let mut with_constant = x.clone();
    with_constant.column_mut(7).fill(0.25);
    assert!(
        ridge_probe(with_constant.view(), planted.view(), FeatureKind::Numeric)
            .unwrap()
            .score
            .unwrap()
            > 0.99
    );
    assert!(ridge_probe(
        x.slice(ndarray::s![..3, ..]),
        planted.slice(ndarray::s![..3]),
        FeatureKind::Numeric
    )
    .is_err());
    assert!(ridge_probe(
        x.view(),
        planted.slice(ndarray::s![..10]),
        FeatureKind::Numeric
    )
    .is_err());
}

#[test]
fn cholesky_of_a_known_matrix() {
    // The textbook example: [[4,12,-16],[12,37,-43],[-16,-43,98]] = L Lᵀ, L = [[2,0,0],[6,1,0],[-8,5,3]].
    let a = array![[4., 12., -16.], [12., 37., -43.], [-16., -43., 98.]];
    let l = cholesky(a.view()).unwrap();
    assert_eq!(l, array![[2., 0., 0.], [6., 1., 0.], [-8., 5., 3.]]);
    let w = array![1., -2., 0.5];
    let b = a.dot(&w);
    let solved = cholesky_solve(l.view(), b.view());
    assert!((solved - &w).iter().all(|d| d.abs() < 1e-9));
    assert!(cholesky(array![[1., 2.], [2., 1.]].view()).is_none());
}

#[test]
fn saturation_fractions_of_hand_made_gates() {
    // Three units over five characters; exactly 0.1 and 0.9 are not saturated (strict inequalities).
    let gates = array![
        [0.05f32, 0.95, 0.1],
        [0.01, 0.5, 0.9],
        [0.5, 0.99, 0.0],
        [0.95, 0.91, 1.0],
        [0.09, 0.2, 0.5],
    ];
    let s = saturation_fractions(gates.view()).unwrap();
    assert_eq!(s.left.to_vec(), [0.6, 0.0, 0.2]);
    assert_eq!(s.right.to_vec(), [0.2, 0.6, 0.2]);
    assert!(saturation_fractions(Array2::<f32>::zeros((0, 3)).view()).is_err());
}

// ---------------------------------------------------------------------------------------------------------
// The n-gram baseline

#[test]
fn witten_bell_probabilities_worked_by_hand() {
    // Training text "abab", order 2, alphabet {a, b}: C(a) = C(b) = 2 of 4, 2 types, so
    // P0(a) = (2 + 2·½)/(4 + 2) = ½. After "a": b twice (C = 2, N = 1): P(b|a) = (2 + ½)/3 = 5/6,
    // P(a|a) = ½/3 = 1/6. After "b": a once (C = 1, N = 1): P(a|b) = (1 + ½)/2 = ¾.
    let m = NGram::fit("abab", 2, &[]).unwrap();
    assert!(close(m.prob(&[], 'a').unwrap(), 0.5, 1e-15));
    assert!(close(m.prob(&['a'], 'b').unwrap(), 5.0 / 6.0, 1e-15));
    assert!(close(m.prob(&['b', 'a'], 'a').unwrap(), 1.0 / 6.0, 1e-15));
    assert!(close(m.prob(&['b'], 'a').unwrap(), 0.75, 1e-15));
    // On "aab": p(a | a) = 1/6, p(b | a) = 5/6; losses ln 6 and ln 6/5.
    let losses = m.losses("aab").unwrap();
    assert!(
        close(losses[0], 6f64.ln(), 1e-12) && close(losses[1], 1.2f64.ln(), 1e-12),
        "{losses}"
    );

    // With an extra character c (never seen): P-1 = 1/3, P0(a) = (2 + 2/3)/6 = 4/9, P0(c) = (2/3)/6 = 1/9,
    // P(c|a) = (1/9)/3 = 1/27, P(b|a) = (2 + 4/9)/3 = 22/27.
    let m = NGram::fit("abab", 2, &['c']).unwrap();
    assert_eq!(m.alphabet(), ['a', 'b', 'c']);
    assert!(close(m.prob(&[], 'c').unwrap(), 1.0 / 9.0, 1e-15));
    assert!(close(m.prob(&['a'], 'c').unwrap(), 1.0 / 27.0, 1e-15));
    assert!(close(m.prob(&['a'], 'b').unwrap(), 22.0 / 27.0, 1e-15));
    // A context never seen ("c") backs off to the unigram.
    assert!(close(m.prob(&['c'], 'a').unwrap(), 4.0 / 9.0, 1e-15));
    assert_eq!(m.prob(&['a'], 'x'), None);
    assert!(m.losses("abx").is_err());
    assert!(m.losses("a").is_err());
}

#[test]
fn ngram_distributions_sum_to_one_at_every_order() {
    let train = corpus::get("about").unwrap();
    let train: String = train.chars().take(5000).collect();
    for order in 1..=9 {
        let m = NGram::fit(&train, order, &[]).unwrap();
        for history in ["", "t", "the ", "xq", "ing the qu"] {
            let h: Vec<char> = history.chars().collect();
            let total: f64 = m.alphabet().iter().map(|&c| m.prob(&h, c).unwrap()).sum();
            assert!(
                close(total, 1.0, 1e-12),
                "order {order}, {history:?}: {total}"
            );
        }
    }
    assert!(NGram::fit("abc", 0, &[]).is_err());
    assert!(NGram::fit("abc", 10, &[]).is_err());
    assert!(NGram::fit("", 3, &[]).is_err());
}

// ---------------------------------------------------------------------------------------------------------
// Errors

#[test]
fn each_error_goes_to_the_first_oracle_that_explains_it() {
    // Vocabulary ' ' . a b z; a model that is uniform (0.2 each), so every prediction is an error and the
    // near misses are ' ', '.', 'a' (ties broken by vocabulary order). The n-gram is a bigram fitted on
    // "ab ab ab zz.": P(b|a) = P(' '|b) = (3 + 4/17)/4 ≈ 0.81; P(a|' ') = (2 + 2·4/17)/5 ≈ 0.494;
    // P(z|' ') ≈ 0.27, P(z|z) ≈ 0.34, P(.|z) ≈ 0.31; "." is never a context, so P(' '|.) = P0(' ') = 4/17.
    let vocab = Vocab::from_chars(vec![' ', '.', 'a', 'b', 'z']).unwrap();
    let train = "ab ab ab zz.";
    let ngram = NGram::fit(train, 2, vocab.chars()).unwrap();
    let text = "ab zz. ab zz";
    let probs = Array2::<f32>::from_elem((12, 5), 0.2);
    let oracles = Oracles {
        memory: 2,
        rare: 1,
        top: 3,
    };
    let r = error_breakdown(text, probs.view(), &vocab, &ngram, train, &oracles).unwrap();
    use Category as C;
    let by_position: Vec<Category> = r.errors_at.iter().map(|e| e.category).collect();
    assert_eq!(
        by_position,
        [
            C::NGram,         // 1 'b' after 'a'
            C::NGram,         // 2 ' ' after 'b'
            C::RareWord,      // 3 'z' of "zz", once in training
            C::RareWord,      // 4
            C::Punctuation,   // 5 '.'
            C::Boost,         // 6 ' ': the model's first guess by vocabulary order
            C::WordStart,     // 7 'a' after ' ' (the bigram gives it 0.494)
            C::NGram,         // 8
            C::NGram,         // 9
            C::DynamicMemory, // 10 'z': "b z" occurred at 1..=3
            C::DynamicMemory, // 11 'z': " zz" occurred at 2..=4
        ]
    );
    assert_eq!((r.predictions, r.errors), (11, 11));
    let counts: Vec<(Category, usize)> = r.counts.iter().map(|c| (c.category, c.count)).collect();
    assert_eq!(
        counts,
        [
            (C::NGram, 4),
            (C::DynamicMemory, 2),
            (C::RareWord, 2),
            (C::WordStart, 1),
            (C::Punctuation, 1),
            (C::Boost, 1),
            (C::Other, 0)
        ]
    );
    assert!(close(r.model_loss, 5f64.ln(), 1e-6));

    // "other": a mid-word letter of a common word that the model ranks fourth.
    let ngram = NGram::fit("ba ba ba ba", 1, vocab.chars()).unwrap();
    let probs = array![[0.3f32, 0.3, 0.05, 0.3, 0.05], [0.2, 0.2, 0.2, 0.2, 0.2]];
    let r = error_breakdown("ba", probs.view(), &vocab, &ngram, "ba ba ba ba", &oracles).unwrap();
    assert_eq!(
        r.errors_at.iter().map(|e| e.category).collect::<Vec<_>>(),
        [C::Other]
    );
    // A confident right prediction is no error.
    let probs = array![[0.0f32, 0.0, 0.9, 0.1, 0.0], [0.2, 0.2, 0.2, 0.2, 0.2]];
    let r = error_breakdown("ba", probs.view(), &vocab, &ngram, "ba ba ba ba", &oracles).unwrap();
    assert_eq!(r.errors, 0);
    assert_eq!(r.counts.iter().map(|c| c.count).sum::<usize>(), 0);

    // Refusals: wrong shape, characters outside the vocabulary, too short, zero oracle sizes.
    assert!(error_breakdown(
        "ba",
        probs.slice(ndarray::s![..1, ..]),
        &vocab,
        &ngram,
        "ba",
        &oracles
    )
    .is_err());
    assert!(error_breakdown("bq", probs.view(), &vocab, &ngram, "ba", &oracles).is_err());
    assert!(error_breakdown(
        "b",
        probs.slice(ndarray::s![..1, ..]),
        &vocab,
        &ngram,
        "ba",
        &oracles
    )
    .is_err());
    let zero = Oracles {
        memory: 0,
        ..oracles
    };
    assert!(error_breakdown("ba", probs.view(), &vocab, &ngram, "ba", &zero).is_err());
}

/// The page's `errors` requests: the n-gram's training text is the part the model trains on, never the held-out
/// characters the instruments read, nor the start of the text when that is what they read (nothing held out).
#[test]
fn the_pages_ngram_is_never_fitted_on_the_characters_it_scores() {
    use rnnscope::analysis::request::{run, training_text, Cache, Request};
    let text = "ab(c)d\"e\"f";
    assert_eq!(
        training_text(text, 0.25, "\"e\"f"),
        "ab(c)d\"e",
        "the held-out tail"
    );
    assert_eq!(training_text(text, 0.25, "xy"), "ab(c)d\"e", "another text");
    assert_eq!(training_text(text, 0.0, "ab(c"), ")d\"e\"f", "the start");
    assert_eq!(
        training_text("日本語のテキスト", 0.0, "日本"),
        "語のテキスト",
        "characters, not bytes"
    );
    assert_eq!(training_text(text, 0.0, text), "", "everything");
    let model = brackets_lstm();
    let request = Request::Errors {
        text: "(a b)".into(),
        order: None,
        memory: None,
        rare: None,
        top: None,
    };
    let e = run(&model, "", &mut Cache::default(), &request).unwrap_err();
    assert!(e.to_string().contains("no training text left"), "{e}");
}

#[test]
fn closing_brackets_and_quotes_are_paired_with_their_openers() {
    let chars: Vec<char> = "a(b\"c\")[d] don't 'x'".chars().collect();
    assert_eq!(closing_pairs(&chars), [(3, 5), (1, 6), (7, 9), (17, 19)]);
    let chars: Vec<char> = "))([{]}".chars().collect();
    // Unmatched closers are skipped, an unclosed opener pairs with nothing, and each kind has its own stack.
    assert_eq!(closing_pairs(&chars), [(3, 5), (4, 6)]);
}

// ---------------------------------------------------------------------------------------------------------
// The shipped brackets LSTM

fn brackets_lstm() -> rnnscope::Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/brackets-lstm.safetensors");
    model_file::load(&path).unwrap().0
}

/// The part of the brackets corpus its trainer held out (val_fraction 0.1, the last 6,000 characters).
fn held_out_brackets() -> (String, String) {
    let chars: Vec<char> = corpus::get("brackets").unwrap().chars().collect();
    let held = trainer::held_out(chars.len(), 0.1);
    (
        chars[..held.start].iter().collect(),
        chars[held].iter().collect(),
    )
}

#[test]
fn the_finder_ranks_first_the_depth_and_quote_units_of_the_brackets_lstm() {
    let start = Instant::now();
    let model = brackets_lstm();
    let (train, text) = held_out_brackets();
    let mut probe = Probe::new(&model);
    probe.sync(&model, &text);
    let acts = Activations::gather(model.config, probe.steps()).unwrap();
    assert_eq!(
        acts.view(0, Tensor::C).unwrap().dim(),
        (text.chars().count(), 64)
    );
    let features = text_features(&text).unwrap();
    let report = find_cells(&acts, &features, 3).unwrap();
    assert_eq!(
        report,
        find_cells(&acts, &features, 3).unwrap(),
        "deterministic"
    );
    let of = |name: &str| report.features.iter().find(|f| f.feature == name).unwrap();
    let depth = &of("depth").top[0];
    let quotes = &of("in_double_quotes").top[0];
    println!(
        "depth: layer {} {}[{}] |r| {:.3} (r {:+.3}); probe {:?}",
        depth.layer,
        depth.tensor,
        depth.unit,
        depth.score,
        depth.r.unwrap(),
        of("depth").probe.as_ref().map(|p| p.score)
    );
    println!(
        "in_double_quotes: layer {} {}[{}] AUROC {:.3}",
        quotes.layer,
        quotes.tensor,
        quotes.unit,
        quotes.auroc.unwrap()
    );
    // The README's figures: c[57] for depth (r = −0.83), h[56] for inside double quotes (AUROC 0.91).
    assert_eq!(
        (depth.layer, depth.tensor, depth.unit),
        (0, "c", 57),
        "{depth:?}"
    );
    assert!(close(depth.r.unwrap(), -0.83, 0.005), "{depth:?}");
    assert_eq!(
        (quotes.layer, quotes.tensor, quotes.unit),
        (0, "h", 56),
        "{quotes:?}"
    );
    assert!(close(quotes.auroc.unwrap(), 0.91, 0.005), "{quotes:?}");
    // Ranked best first, scores consistent with the signed values, the probe at least as good as chance.
    for f in &report.features {
        assert!(
            f.top.windows(2).all(|w| w[0].score >= w[1].score),
            "{}",
            f.feature
        );
        for u in &f.top {
            match f.kind {
                FeatureKind::Numeric => assert!(close(u.score, u.r.unwrap().abs(), 1e-12)),
                FeatureKind::Boolean => {
                    let a = u.auroc.unwrap();
                    assert!(close(u.score, a.max(1.0 - a), 1e-12));
                }
            }
            // The score is the statistic of that very unit.
            let x = acts
                .unit(
                    u.layer,
                    Tensor::parse(model.config.cell, u.tensor).unwrap(),
                    u.unit,
                )
                .unwrap();
            let values = &feature(&features, &f.feature).values;
            if let Some(r) = u.r {
                assert!(close(pearson(x, values.view()).unwrap().unwrap(), r, 1e-12));
            }
        }
    }
    assert!(
        of("uppercase").top.is_empty(),
        "the brackets corpus has no capitals"
    );
    let probe = of("depth").probe.as_ref().unwrap();
    assert!(
        probe.score.unwrap() >= depth.score * depth.score - 0.05,
        "{probe:?}"
    );

    // Saturation over the same text: fractions of 64 units for i, f, o, each in [0, 1], left + right ≤ 1.
    let sat = gate_saturation(&acts).unwrap();
    assert_eq!(
        sat.gates.iter().map(|g| g.gate).collect::<Vec<_>>(),
        ["i", "f", "o"]
    );
    for g in &sat.gates {
        assert_eq!(g.left.len(), 64);
        assert!((&g.left + &g.right)
            .iter()
            .all(|&s| (0.0..=1.0).contains(&s)));
    }

    // The error breakdown adds up, with the n-gram fitted on the training part.
    let ngram = NGram::fit(&train, 5, model.vocab.chars()).unwrap();
    let r = error_breakdown(
        &text,
        acts.probs(),
        &model.vocab,
        &ngram,
        &train,
        &Oracles::default(),
    )
    .unwrap();
    assert_eq!(r.counts.iter().map(|c| c.count).sum::<usize>(), r.errors);
    assert_eq!(r.errors, r.errors_at.len());
    let model_loss = rnnscope::eval::loss(&model, &text).unwrap();
    assert!(
        close(r.model_loss, f64::from(model_loss), 1e-4),
        "{} vs {model_loss}",
        r.model_loss
    );
    assert!(!r.long_range.is_empty());
    println!(
        "{} errors of {} ({:?}); model {:.3} vs 5-gram {:.3} nats/char; {:?}",
        r.errors,
        r.predictions,
        r.counts
            .iter()
            .map(|c| (c.category.name(), c.count))
            .collect::<Vec<_>>(),
        r.model_loss,
        r.ngram_loss,
        start.elapsed()
    );
}

#[test]
fn activations_refuse_layers_units_and_tensors_that_do_not_exist() {
    let model = brackets_lstm();
    let mut probe = Probe::new(&model);
    probe.sync(&model, "a = (1);\n");
    let acts = Activations::gather(model.config, probe.steps()).unwrap();
    assert_eq!(acts.steps(), 9);
    assert_eq!(acts.probs().dim(), (9, model.vocab.len()));
    let e = acts.view(1, Tensor::H).unwrap_err();
    assert!(e.to_string().contains("layer 1 does not exist"), "{e}");
    let e = acts.unit(0, Tensor::H, 64).unwrap_err();
    assert!(e.to_string().contains("unit 64 does not exist"), "{e}");
    assert!(acts.view(0, Tensor::Gate(4)).is_err());
    // The gate views are the probe's numbers, column block by column block.
    let f = acts.view(0, Tensor::Gate(1)).unwrap();
    let at: ArrayView1<f32> = f.row(3);
    assert_eq!(at.to_vec(), probe.steps()[3].gates[64..128].to_vec());
    assert!(Activations::gather(model.config, &[]).is_err());
    let features = text_features("a = (1);\n").unwrap();
    assert!(find_cells(&acts, &features, 0).is_err());
    let short = text_features("a").unwrap();
    let e = find_cells(&acts, &short, 3).unwrap_err();
    assert!(
        e.to_string().contains("has 1 values but the text has 9"),
        "{e}"
    );
}

/// Ablating the unit the finder ranks first for "inside double quotes" hurts the prediction of closing quotes
/// more than that of the other characters. (The depth unit, c[57], is no such switch: zeroing it helps closing
/// brackets a little, because 0 is not "depth 0" for it.)
#[test]
fn ablating_the_quote_unit_of_the_brackets_lstm_hurts_closing_quotes_most() {
    use rnnscope::analysis::intervene::ablation;
    use rnnscope::clamp::{Clamp, ClampedTensor};
    let model = brackets_lstm();
    let (_, text) = held_out_brackets();
    let mut probe = Probe::new(&model);
    probe.sync(&model, &text);
    let acts = Activations::gather(model.config, probe.steps()).unwrap();
    let report = find_cells(&acts, &text_features(&text).unwrap(), 1).unwrap();
    let quotes = report
        .features
        .iter()
        .find(|f| f.feature == "in_double_quotes")
        .unwrap();
    let best = &quotes.top[0];
    assert!(best.score >= 0.9, "{best:?}");
    let tensor = match best.tensor {
        "h" => ClampedTensor::H,
        "c" => ClampedTensor::C,
        gate => panic!("the best unit is gate {gate}, which cannot be clamped"),
    };
    let r = ablation(
        &model,
        &text,
        &[Clamp::ablate(best.layer, tensor, best.unit)],
    )
    .unwrap();
    let chars: Vec<char> = text.chars().collect();
    let closers: std::collections::HashSet<usize> = closing_pairs(&chars)
        .into_iter()
        .filter(|&(_, close)| chars[close] == '"')
        .map(|(_, close)| close)
        .collect();
    assert!(closers.len() > 50, "{} closing quotes", closers.len());
    let (close_before, close_after) = r.mean_where(|j| closers.contains(&j)).unwrap();
    let (other_before, other_after) = r.mean_where(|j| !closers.contains(&j)).unwrap();
    println!(
        "ablating {}[{}] (AUROC {:.3} for in_double_quotes): {} closing quotes {close_before:.3} → \
         {close_after:.3} nats, other characters {other_before:.3} → {other_after:.3}",
        best.tensor,
        best.unit,
        best.auroc.unwrap(),
        closers.len()
    );
    // The README's figures: closing quotes 1.46 → 3.85 nats, the other characters 1.269 → 1.277.
    assert_eq!((best.layer, best.tensor, best.unit), (0, "h", 56));
    assert!(close(close_before, 1.46, 0.005) && close(close_after, 3.85, 0.005));
    assert!(close(other_before, 1.269, 0.0005) && close(other_after, 1.277, 0.0005));
    assert!(
        close_after - close_before > other_after - other_before,
        "closing quotes {:+.3}, others {:+.3}",
        close_after - close_before,
        other_after - other_before
    );
    // Without clamps the losses are the model's: their mean is eval's loss.
    let eval = rnnscope::eval::loss(&model, &text).unwrap();
    assert!(
        close(r.mean_base, f64::from(eval), 1e-4),
        "{} vs {eval}",
        r.mean_base
    );
    // The characters most hurt come first.
    assert!(r
        .by_char
        .windows(2)
        .all(|w| w[0].clamped - w[0].base >= w[1].clamped - w[1].base));
}

#[test]
fn predictions_alone_are_the_probe_s_probabilities() {
    let model = brackets_lstm();
    let (_, text) = held_out_brackets();
    let text: String = text.chars().take(700).collect(); // more than two chunks of the forward pass
    let probs = rnnscope::analysis::predictions(&model, &text).unwrap();
    let acts = Activations::of_text(&model, &text).unwrap();
    assert_eq!(probs.dim(), acts.probs().dim());
    for (a, b) in probs.iter().zip(acts.probs().iter()) {
        assert!((a - b).abs() <= 1e-6, "{a} vs {b}");
    }
    let empty = rnnscope::analysis::predictions(&model, "").unwrap_err();
    assert!(empty.to_string().contains("empty"), "{empty}");
}
