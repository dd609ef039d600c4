//! The sampler: `pick` on edge cases (ties, top-k, rounding, NaN/inf, V = 1), its frequencies, and `sample`.
#![cfg(not(target_arch = "wasm32"))] // reads files or runs long numeric sweeps; tests/wasm.rs covers wasm

mod common;

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use rnnscope::sampler::{pick, sample, Sampler};
use rnnscope::{CellKind, Error, Model, Vocab};

const ALMOST_ONE: f32 = 1.0 - f32::EPSILON / 2.0; // the largest f32 below 1

fn pick1(logits: &[f32], temperature: f32, top_k: usize, coin: f32) -> usize {
    let mut scratch = vec![0.0; logits.len()];
    pick(logits, temperature, top_k, coin, &mut scratch)
}

#[test]
fn temperature_zero_is_the_argmax_first_on_ties() {
    let logits = [1.0, 3.0, -2.0, 3.0, 2.5];
    for coin in [0.0, 0.3, ALMOST_ONE] {
        for t in [0.0, -1.0, f32::NAN, -0.0] {
            assert_eq!(
                pick1(&logits, t, 0, coin),
                1,
                "temperature {t}, coin {coin}"
            );
        }
    }
    assert_eq!(pick1(&[2.0, 2.0, 2.0], 0.0, 0, 0.9), 0);
}

#[test]
fn top_k_one_is_the_argmax() {
    let logits = [0.5, 0.1, 0.7, 0.69, -3.0];
    for coin in [0.0, 0.25, 0.5, 0.75, ALMOST_ONE] {
        for t in [0.5, 1.0, 100.0] {
            assert_eq!(pick1(&logits, t, 1, coin), 2);
        }
    }
}

#[test]
fn top_k_never_returns_a_character_outside_the_k_best() {
    let logits = [5.0, 1.0, 4.0, 3.0, 4.5];
    let mut rng = Pcg64::seed_from_u64(3);
    for _ in 0..2000 {
        let i = pick1(&logits, 3.0, 2, rng.random());
        assert!(i == 0 || i == 4, "top-2 picked {i}");
    }
    // Even the rounding fallback (a coin of exactly 1, outside the contract) stays among the candidates.
    assert_eq!(pick1(&logits, 3.0, 2, 1.0), 4);
    assert_eq!(pick1(&logits, 3.0, 3, 1.0), 4);
}

#[test]
fn all_probability_on_one_character_always_returns_it() {
    let inf = f32::NEG_INFINITY;
    for logits in [
        vec![inf, inf, 0.0, inf],
        vec![-1e4, -1e4, 0.0, -1e4],
        vec![0.0, 0.0, 1e4, 0.0],
    ] {
        for coin in [0.0, 1e-30, 0.5, ALMOST_ONE, 1.0] {
            for top_k in [0, 2, 4] {
                assert_eq!(
                    pick1(&logits, 1.0, top_k, coin),
                    2,
                    "{logits:?} coin {coin}"
                );
            }
        }
    }
}

#[test]
fn coins_at_the_edges_give_valid_indices() {
    let logits = [0.3, 1.2, -0.4, 0.9];
    assert_eq!(pick1(&logits, 1.0, 0, 0.0), 0);
    assert_eq!(pick1(&logits, 1.0, 0, ALMOST_ONE), 3);
    // A coin of 1 (as if rounding pushed the target past the total): the last candidate, no loop, no panic.
    assert_eq!(pick1(&logits, 1.0, 0, 1.0), 3);
    assert_eq!(pick1(&[0.3, 1.2, -0.4, f32::NEG_INFINITY], 1.0, 0, 1.0), 2);
    for coin in [f32::NAN, 2.0, -1.0, f32::INFINITY] {
        assert!(pick1(&logits, 1.0, 0, coin) < 4, "coin {coin}");
    }
}

#[test]
fn non_finite_logits_never_panic_and_give_valid_indices() {
    let (nan, inf) = (f32::NAN, f32::INFINITY);
    let cases: [&[f32]; 8] = [
        &[nan, 1.0, 2.0],
        &[nan, nan, nan],
        &[inf, 1.0, 2.0],
        &[1.0, inf, inf],
        &[-inf, -inf, -inf],
        &[nan, inf, -inf],
        &[f32::MAX, f32::MAX, 0.0],
        &[f32::MIN, 0.0, f32::MAX],
    ];
    let mut rng = Pcg64::seed_from_u64(5);
    for logits in cases {
        for t in [0.0, 1e-30, 0.7, 1.0, 1e30, inf] {
            for top_k in [0, 1, 2, 3, 10] {
                for _ in 0..5 {
                    let i = pick1(logits, t, top_k, rng.random());
                    assert!(i < logits.len(), "{logits:?} t {t} k {top_k}: {i}");
                }
            }
        }
    }
    // A +inf score is the argmax and wins outright.
    assert_eq!(pick1(&[1.0, inf, 2.0], 1.0, 0, 0.0), 1);
    // NaN never wins the argmax.
    assert_eq!(pick1(&[nan, 1.0, 2.0], 0.0, 0, 0.0), 2);
}

#[test]
fn a_vocabulary_of_one_always_gives_zero() {
    for t in [0.0, 1.0, 5.0] {
        for coin in [0.0, 0.5, ALMOST_ONE, 1.0] {
            assert_eq!(pick1(&[0.3], t, 0, coin), 0);
            assert_eq!(pick1(&[f32::NAN], t, 3, coin), 0);
        }
    }
    let model = Model::new(CellKind::Gru, 4, 1, Vocab::from_text("a").unwrap(), 1).unwrap();
    assert_eq!(sample(&model, "aa", 5, 1.0, 0, 1).unwrap(), "aaaaa");
}

/// Frequencies over 200 000 seeded draws against the exact distribution (the standard error of each
/// frequency is about 0.001; the tolerance is 0.006).
#[test]
fn sampling_frequencies_match_the_distribution() {
    let probs = [0.1f64, 0.2, 0.3, 0.4, 0.0];
    let logits: Vec<f32> = probs.iter().map(|&p| (p as f32).ln()).collect();
    let draws = 200_000;
    let frequencies = |temperature: f32, top_k: usize| {
        let mut rng = Pcg64::seed_from_u64(2026);
        let mut counts = [0usize; 5];
        for _ in 0..draws {
            counts[pick1(&logits, temperature, top_k, rng.random())] += 1;
        }
        counts.map(|c| c as f64 / draws as f64)
    };
    let check = |got: [f64; 5], want: [f64; 5], what: &str| {
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                (g - w).abs() < 6e-3,
                "{what}: index {i} drawn {g:.4} of the time, expected {w:.4}"
            );
        }
    };
    check(
        frequencies(1.0, 0),
        [0.1, 0.2, 0.3, 0.4, 0.0],
        "temperature 1",
    );
    check(
        frequencies(1.0, 2),
        [0.0, 0.0, 3.0 / 7.0, 4.0 / 7.0, 0.0],
        "top-2",
    );
    // Temperature 2: p^(1/2), renormalised.
    let sqrt: Vec<f64> = probs.iter().map(|p| p.sqrt()).collect();
    let total: f64 = sqrt.iter().sum();
    let want = [0, 1, 2, 3, 4].map(|i| sqrt[i] / total);
    check(frequencies(2.0, 0), want, "temperature 2");
}

#[test]
fn sample_lengths_seeds_and_refusals() {
    let model = Model::new(
        CellKind::Lstm,
        8,
        2,
        Vocab::from_text("abcdé日\n").unwrap(),
        3,
    )
    .unwrap();
    assert_eq!(sample(&model, "ab", 0, 1.0, 0, 1).unwrap(), "");
    let a = sample(&model, "ab", 200, 1.0, 0, 42).unwrap();
    assert_eq!(a.chars().count(), 200);
    assert_eq!(a, sample(&model, "ab", 200, 1.0, 0, 42).unwrap());
    assert_ne!(a, sample(&model, "ab", 200, 1.0, 0, 43).unwrap());
    // Every sampled character is from the vocabulary; an empty prime works.
    let b = sample(&model, "", 50, 1.5, 3, 7).unwrap();
    assert_eq!(b.chars().count(), 50);
    assert!(b.chars().all(|c| model.vocab.index_of(c).is_some()));
    match sample(&model, "abZ", 5, 1.0, 0, 1) {
        Err(Error::Text(m)) => assert!(m.contains("'Z'"), "{m}"),
        other => panic!("expected Error::Text, got {other:?}"),
    }
    for t in [-0.5, f32::NAN, f32::NEG_INFINITY] {
        match sample(&model, "ab", 5, t, 0, 1) {
            Err(Error::Config(m)) => assert!(m.contains("temperature"), "{m}"),
            other => panic!("temperature {t}: expected Error::Config, got {other:?}"),
        }
    }
    // Greedy sampling ignores the seed.
    assert_eq!(
        sample(&model, "ab", 30, 0.0, 0, 1).unwrap(),
        sample(&model, "ab", 30, 0.0, 0, 99).unwrap()
    );
    // The next-character probabilities after priming sum to 1.
    let s = Sampler::new(&model, "abc", 1.0, 0, 1).unwrap();
    let total: f32 = s.next_probs().iter().sum();
    assert!((total - 1.0).abs() < 1e-5);
}

#[test]
fn a_model_that_memorised_hello_continues_it() {
    let model = common::hello_model();
    assert_eq!(
        sample(&model, "hel", 12, 0.0, 0, 1).unwrap(),
        "lohellohello"
    );
    assert_eq!(
        sample(&model, "hel", 12, 1.0, 1, 5).unwrap(),
        "lohellohello"
    );
    // Even at temperature 1 the memorised sequence dominates.
    let s = sample(&model, "h", 20, 1.0, 0, 5).unwrap();
    assert!(s.starts_with("ello"), "{s:?}");
}
