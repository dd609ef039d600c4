//! rnnscope against PyTorch: loss, gradient of every parameter, and per-step activations over a whole text
//! (12–19 steps) for the tanh RNN, a 2-layer relu RNN, the LSTM and the GRU, 1 and 2 layers, with vocabularies
//! in deliberately unsorted file order that include multi-byte characters and "\n".
//!
//! The fixtures come from `scripts/make_fixtures.py` (run it to regenerate them). Its relevant part:
//!
//! ```python
//! model = CharModel(V, H, L, cell, nonlinearity)          # torch.manual_seed(seed) first; weights ×2
//! save_file({k: v.float() for k, v in model.state_dict().items()}, f"{name}.safetensors",
//!           {"cell": cell, "vocab": json.dumps(vocab, ensure_ascii=False), ...})
//! ref = model.double()                                      # reference in float64 from the f32 weights
//! ids = [vocab.index(c) for c in text]
//! logits, _ = ref(onehot(ids[:-1], V))                      # [T, 1, V], zero initial state
//! loss = F.cross_entropy(logits[:, 0, :], torch.tensor(ids[1:]))
//! loss.backward()                                           # → f"{name}.grad.safetensors" (f32, same names)
//! state = None
//! for i in ids:                                             # one character at a time, carrying the state
//!     out, state = ref.rnn(onehot([i], V), state)
//!     steps.append({"h": h_n[:, 0, :], "c": c_n[:, 0, :] (LSTM), "logits": ref.decoder(out)[0, 0]})
//! ```
#![cfg(not(target_arch = "wasm32"))] // reads files or runs long numeric sweeps; tests/wasm.rs covers wasm

mod common;

use common::{assert_no_failures, compare, fixture_bytes, fixture_json, floats, max_abs, CASES};
use rnnscope::{eval, model_file, Model, Probe};
use safetensors::SafeTensors;

fn load(case: &str) -> (Model, serde_json::Value) {
    let (model, _) = model_file::from_bytes(&fixture_bytes(&format!("{case}.safetensors")))
        .unwrap_or_else(|e| panic!("{case}: the PyTorch-written model does not load: {e}"));
    (model, fixture_json(&format!("{case}.json")))
}

fn text(reference: &serde_json::Value) -> &str {
    reference["text"].as_str().expect("text")
}

#[test]
fn loss_matches_pytorch() {
    let mut failures = Vec::new();
    for case in CASES {
        let (model, reference) = load(case);
        let expected = reference["loss"].as_f64().unwrap();
        let got = eval::loss(&model, text(&reference)).unwrap();
        let (got_with_grad, _) = eval::loss_and_grad(&model, text(&reference)).unwrap();
        for (what, got) in [("eval::loss", got), ("eval::loss_and_grad", got_with_grad)] {
            let rel = (f64::from(got) - expected).abs() / expected.abs();
            if rel.is_nan() || rel > 1e-4 {
                failures.push(format!(
                    "{case} {what}: expected {expected:.7}, got {got:.7} (relative error {rel:.1e})"
                ));
            }
        }
    }
    assert_no_failures("loss vs PyTorch", &failures);
}

#[test]
fn gradient_of_every_parameter_matches_pytorch() {
    let mut failures = Vec::new();
    for case in CASES {
        let (model, reference) = load(case);
        let grad_bytes = fixture_bytes(&format!("{case}.grad.safetensors"));
        let expected_grads = SafeTensors::deserialize(&grad_bytes).unwrap();
        let (_, grads) = eval::loss_and_grad(&model, text(&reference)).unwrap();
        assert_eq!(
            expected_grads.len(),
            model.layout.tensors.len(),
            "{case}: the gradient file and the model disagree on the number of tensors"
        );
        for spec in &model.layout.tensors {
            let t = expected_grads
                .tensor(&spec.name)
                .unwrap_or_else(|_| panic!("{case}: no gradient for {}", spec.name));
            assert_eq!(t.shape(), spec.shape.as_slice(), "{case} {}", spec.name);
            let expected: Vec<f64> = t
                .data()
                .chunks_exact(4)
                .map(|b| f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
                .collect();
            let scale = max_abs(&expected);
            // A comparison of zeros with zeros proves nothing.
            assert!(
                scale > 1e-4,
                "{case} {}: the reference gradient is all ~0",
                spec.name
            );
            compare(
                &format!("{case} d{}", spec.name),
                &expected,
                &grads[spec.range.clone()],
                1e-3 * scale,
                &mut failures,
            );
        }
    }
    assert_no_failures("gradients vs PyTorch", &failures);
}

#[test]
fn activations_at_every_step_match_pytorch() {
    let mut failures = Vec::new();
    for case in CASES {
        let (model, reference) = load(case);
        let steps = reference["steps"].as_array().unwrap();
        let chars: Vec<char> = text(&reference).chars().collect();
        assert_eq!(steps.len(), chars.len());
        assert!(
            steps.len() >= 7,
            "{case}: too few steps to see the state advance"
        );
        let lstm = model.config.cell.has_cell_state();
        let mut probe = Probe::new(&model);
        for (t, (&ch, expected)) in chars.iter().zip(steps).enumerate() {
            let got = probe.push(&model, ch).clone();
            assert!(got.input.is_some(), "{case}: {ch:?} is in the vocabulary");
            // h of every layer, flattened (L, H); the top layer is the last H values.
            compare(
                &format!("{case} step {t} ({ch:?}) h"),
                &floats(&expected["h"]),
                &got.h,
                1e-5,
                &mut failures,
            );
            if lstm {
                compare(
                    &format!("{case} step {t} ({ch:?}) c"),
                    &floats(&expected["c"]),
                    &got.c,
                    1e-5,
                    &mut failures,
                );
            } else {
                assert!(got.c.is_empty(), "{case}: only the LSTM has a cell state");
            }
            compare(
                &format!("{case} step {t} ({ch:?}) logits"),
                &floats(&expected["logits"]),
                &got.logits,
                1e-5,
                &mut failures,
            );
        }
        // The state really advances: the last step differs from the first (guards against a stuck state).
        let first = floats(&steps[0]["h"]);
        let last = floats(&steps[steps.len() - 1]["h"]);
        assert!(first.iter().zip(&last).any(|(a, b)| (a - b).abs() > 1e-3));
    }
    assert_no_failures("activations vs PyTorch", &failures);
}

/// `eval::loss` works in chunks of 256 steps, carrying the state; on a long text it must equal the one-pass
/// loss of `eval::loss_and_grad`.
#[test]
fn chunked_loss_equals_one_pass_loss() {
    for case in ["lstm_2", "gru_1", "rnn_relu_2"] {
        let (model, reference) = load(case);
        let long = text(&reference).repeat(60); // > 256 characters, several chunks
        assert!(long.chars().count() > 3 * 256);
        let chunked = eval::loss(&model, &long).unwrap();
        let (one_pass, _) = eval::loss_and_grad(&model, &long).unwrap();
        assert!(
            (chunked - one_pass).abs() <= 1e-5 * one_pass.abs(),
            "{case}: chunked loss {chunked} vs one-pass {one_pass}"
        );
    }
}
