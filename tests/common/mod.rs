//! Helpers shared by the integration tests: fixture files, readable element-wise comparisons and the
//! finite-difference checker ([`gradient`]).
#![allow(dead_code)]

pub mod gradient;

use std::path::PathBuf;

/// The fixture cases written by `scripts/make_fixtures.py`.
pub const CASES: [&str; 6] = ["rnn_1", "rnn_relu_2", "lstm_1", "lstm_2", "gru_1", "gru_2"];

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture_bytes(name))
        .unwrap_or_else(|e| panic!("fixture {name} is not JSON: {e}"))
}

/// A JSON array of numbers (nested arrays are flattened, row-major).
pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    match v {
        serde_json::Value::Number(n) => vec![n.as_f64().expect("a number")],
        serde_json::Value::Array(items) => items.iter().flat_map(floats).collect(),
        other => panic!("expected numbers, found {other}"),
    }
}

/// Compares `got` with `expected` element by element (`|got - expected| <= tol`). On failure, pushes one line
/// to `failures` naming `what`, the number of bad elements, the worst one and the first few, with both values.
pub fn compare(what: &str, expected: &[f64], got: &[f32], tol: f64, failures: &mut Vec<String>) {
    if expected.len() != got.len() {
        failures.push(format!(
            "{what}: expected {} values, got {}",
            expected.len(),
            got.len()
        ));
        return;
    }
    let bad: Vec<(usize, f64, f32, f64)> = expected
        .iter()
        .zip(got)
        .enumerate()
        .map(|(i, (&e, &g))| (i, e, g, (f64::from(g) - e).abs()))
        .filter(|&(_, _, g, d)| d.is_nan() || d > tol || !g.is_finite())
        .collect();
    if bad.is_empty() {
        return;
    }
    let worst = bad
        .iter()
        .copied()
        .max_by(|a, b| a.3.total_cmp(&b.3))
        .expect("not empty");
    let first: Vec<String> = bad
        .iter()
        .take(4)
        .map(|(i, e, g, _)| format!("[{i}] expected {e:.7} got {g:.7}"))
        .collect();
    failures.push(format!(
        "{what}: {} of {} elements off by more than {tol:.1e}; worst [{}] expected {:.7} got {:.7} (diff {:.2e}); first: {}",
        bad.len(),
        expected.len(),
        worst.0,
        worst.1,
        worst.2,
        worst.3,
        first.join(", ")
    ));
}

pub fn max_abs(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Panics with every failure, one per line, if there is any.
pub fn assert_no_failures(context: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{context}: {} mismatch(es)\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// An LSTM trained until it has memorised the `hello` corpus ("hellohello…").
pub fn hello_model() -> rnnscope::Model {
    hello_trained(rnnscope::CellKind::Lstm)
}

/// A 16-unit model of `cell` after 300 Adam steps on the `hello` corpus.
pub fn hello_trained(cell: rnnscope::CellKind) -> rnnscope::Model {
    use rnnscope::{corpus, Model, OptimizerKind, TrainConfig, Trainer, Vocab};
    let text = corpus::get("hello").expect("hello corpus");
    let model = Model::new(cell, 16, 1, Vocab::from_text(&text).unwrap(), 1).unwrap();
    let config = TrainConfig {
        seq_len: 10,
        batch: 4,
        optimizer: OptimizerKind::Adam,
        lr: 2e-2,
        clip: 5.0,
        val_fraction: 0.0,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(model, &text, config).unwrap();
    for _ in 0..300 {
        trainer.step().unwrap();
    }
    trainer.into_model()
}
