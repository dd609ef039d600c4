//! Dropout (src/tape/dropout.rs): against PyTorch with the same masks on both sides, through the finite-difference
//! checker, and in the trainer: off at p = 0, reproducible, the same on any split of the batch, and never in
//! evaluation.
#![cfg(not(target_arch = "wasm32"))] // reads files or runs long numeric sweeps; tests/wasm.rs covers wasm

mod common;

use common::{assert_no_failures, compare, fixture_bytes, fixture_json, floats, gradient, max_abs};
use rnnscope::cell::Activation;
use rnnscope::tape::{MaskDraw, Tape};
use rnnscope::trainer::{held_out, parallel::PartRunner};
use rnnscope::{eval, model_file, CellKind, Model, State, TrainConfig, Trainer, Vocab};

fn ids(v: &serde_json::Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

/// A tape and state filled as the fixture's window: its inputs, targets, entering state and masks.
fn window(model: &Model, case: &serde_json::Value) -> (Tape, State) {
    let (t, b) = (
        case["steps"].as_u64().unwrap() as usize,
        case["batch"].as_u64().unwrap() as usize,
    );
    let mut tape = Tape::new(&model.config, t, b).unwrap();
    tape.inputs.copy_from_slice(&ids(&case["inputs"]));
    tape.targets.copy_from_slice(&ids(&case["targets"]));
    for (l, mask) in case["masks"].as_array().unwrap().iter().enumerate() {
        let mask: Vec<f32> = floats(mask).iter().map(|&x| x as f32).collect();
        tape.dropout_mask_mut(l).copy_from_slice(&mask);
    }
    let mut state = State::zeros(&model.config, b);
    let to_f32 =
        |v: &serde_json::Value| -> Vec<f32> { floats(v).iter().map(|&x| x as f32).collect() };
    state.h.copy_from_slice(&to_f32(&case["h0"]));
    state.c.copy_from_slice(&to_f32(&case["c0"]));
    (tape, state)
}

#[test]
fn dropout_with_the_same_masks_matches_pytorch() {
    let mut failures = Vec::new();
    let cases = fixture_json("dropout.json");
    for case in cases.as_array().unwrap() {
        let name = case["case"].as_str().unwrap();
        let (model, _) =
            model_file::from_bytes(&fixture_bytes(&format!("{name}.safetensors"))).unwrap();
        let (mut tape, mut state) = window(&model, case);
        assert!(tape.has_dropout());
        let t = tape.capacity();
        let fwd = tape.forward(&model, &mut state, t);
        let expected = case["loss"].as_f64().unwrap();
        let rel = (f64::from(fwd.loss) - expected).abs() / expected;
        if rel.is_nan() || rel > 1e-5 {
            failures.push(format!("{name}: loss {} for {expected}", fwd.loss));
        }
        let mut grads = vec![0.0; model.params.len()];
        tape.backward(&model, fwd, &mut grads);
        for spec in &model.layout.tensors {
            let expected = floats(&case["grads"][&spec.name]);
            let scale = max_abs(&expected);
            assert!(scale > 1e-4, "{name} {}: a zero reference", spec.name);
            compare(
                &format!("{name} d{}", spec.name),
                &expected,
                &grads[spec.range.clone()],
                1e-4 * scale,
                &mut failures,
            );
        }
    }
    assert_no_failures("dropout vs PyTorch", &failures);
}

#[test]
fn gradients_through_dropout_match_finite_differences() {
    const EPS: f32 = 4e-3;
    let cases = fixture_json("dropout.json");
    let mut failures = Vec::new();
    for case in cases.as_array().unwrap() {
        let name = case["case"].as_str().unwrap();
        if name.starts_with("rnn_relu") {
            // At these weights a step of EPS crosses ReLU's kink in some unit: finite differences are not
            // derivatives there (the PyTorch check above covers it; gradcheck.rs has ReLU away from kinks).
            continue;
        }
        let (mut model, _) =
            model_file::from_bytes(&fixture_bytes(&format!("{name}.safetensors"))).unwrap();
        let (mut tape, state0) = window(&model, case);
        let t = tape.capacity();
        let mut state = state0.clone();
        let fwd = tape.forward(&model, &mut state, t);
        let mut grads = vec![0.0; model.params.len()];
        tape.backward(&model, fwd, &mut grads);
        for spec in model.layout.tensors.clone() {
            let range = spec.range.clone();
            let worst = gradient::check(EPS, &grads[range.clone()], |k, delta| {
                let i = range.start + k;
                let orig = model.params[i];
                model.params[i] = orig + delta;
                let mut state = state0.clone();
                let loss = tape.forward(&model, &mut state, t).loss;
                model.params[i] = orig;
                loss
            });
            if !worst.ok() {
                failures.push(format!(
                    "{name} {}: relative error {:.2e} at {} (numeric {}, analytic {})",
                    spec.name, worst.error, worst.index, worst.numeric, worst.analytic
                ));
            }
        }
    }
    assert_no_failures("dropout vs finite differences", &failures);
}

fn model(cell: CellKind, layers: usize) -> Model {
    Model::new(cell, 24, layers, Vocab::from_text(TEXT).unwrap(), 3).unwrap()
}

const TEXT: &str = "the quick brown fox jumps over the lazy dog; a stitch in time saves nine, \
    and every cloud has a silver lining. ";

fn config(dropout: f32) -> TrainConfig {
    TrainConfig {
        seq_len: 8,
        batch: 6,
        lr: 0.01,
        val_fraction: 0.2,
        dropout,
        seed: 5,
        ..TrainConfig::default()
    }
}

/// The losses and final weights of `steps` steps on `threads` threads.
fn run(model: Model, cfg: TrainConfig, threads: usize, steps: usize) -> (Vec<f32>, Vec<f32>) {
    let mut trainer = Trainer::new(model, &TEXT.repeat(4), cfg).unwrap();
    trainer.set_threads(threads).unwrap();
    let losses = (0..steps).map(|_| trainer.step().unwrap().loss).collect();
    (losses, trainer.into_model().params)
}

#[test]
fn dropout_zero_is_no_dropout_and_a_run_repeats_bit_for_bit() {
    for cell in [CellKind::Lstm, CellKind::Gru] {
        let none = run(model(cell, 2), config(0.0), 1, 12);
        let mut tape = Tape::new(&model(cell, 2).config, 4, 2).unwrap();
        tape.set_dropout(
            MaskDraw {
                p: 0.0,
                seed: 1,
                step: 0,
                first_stream: 0,
            },
            4,
        )
        .unwrap();
        assert!(!tape.has_dropout(), "p = 0 draws no masks");
        let cfg = TrainConfig {
            seed: 99,
            ..config(0.0)
        };
        assert_eq!(
            run(model(cell, 2), cfg, 1, 12),
            none,
            "{cell:?}: the seed matters only to dropout"
        );

        let dropped = run(model(cell, 2), config(0.3), 1, 12);
        assert_ne!(dropped.0, none.0, "{cell:?}: dropout changes the run");
        assert_eq!(
            run(model(cell, 2), config(0.3), 1, 12),
            dropped,
            "{cell:?}: same seed, same run"
        );
        let other_seed = TrainConfig {
            seed: 6,
            ..config(0.3)
        };
        assert_ne!(run(model(cell, 2), other_seed, 1, 12).0, dropped.0);
    }
}

#[test]
fn the_masks_are_the_same_on_any_split_of_the_batch() {
    for (cell, layers) in [(CellKind::Lstm, 2), (CellKind::Rnn(Activation::Tanh), 1)] {
        let (one, w_one) = run(model(cell, layers), config(0.5), 1, 10);
        for threads in [2, 3] {
            let (many, w_many) = run(model(cell, layers), config(0.5), threads, 10);
            for (a, b) in one.iter().zip(&many).chain(w_one.iter().zip(&w_many)) {
                assert!(
                    (a - b).abs() <= 1e-4 * a.abs().max(1.0),
                    "{cell:?} on {threads} threads: {a} vs {b}"
                );
            }
        }
        // Shared with another worker: the threaded run, bit for bit.
        let (threaded, w_threaded) = run(model(cell, layers), config(0.5), 2, 10);
        let mut trainer = Trainer::new(model(cell, layers), &TEXT.repeat(4), config(0.5)).unwrap();
        trainer.set_threads(2).unwrap();
        let mut helper = PartRunner::new(model(cell, layers));
        let mut losses = Vec::new();
        for _ in 0..10 {
            let work = trainer.begin_shared_step().unwrap();
            assert!(work[1].dropout.p == 0.5 && work[1].dropout.first_stream == 3);
            let params = trainer.model().params.clone();
            let done = [helper.run(&params, &work[1]).unwrap()];
            trainer.run_first_part().unwrap();
            losses.push(trainer.finish_shared_step(&done).unwrap().loss);
        }
        assert_eq!(losses, threaded);
        assert_eq!(trainer.into_model().params, w_threaded);
    }
}

#[test]
fn the_masks_drop_about_p_and_scale_the_rest() {
    let m = model(CellKind::Lstm, 2);
    let mut tape = Tape::new(&m.config, 50, 4).unwrap();
    for p in [0.1f32, 0.5, 0.9] {
        let draw = MaskDraw {
            p,
            seed: 8,
            step: 3,
            first_stream: 0,
        };
        tape.set_dropout(draw, 50).unwrap();
        let mask = tape.dropout_mask_mut(1).to_vec();
        let dropped = mask.iter().filter(|&&x| x == 0.0).count() as f32 / mask.len() as f32;
        assert!((dropped - p).abs() < 0.03, "p {p}: {dropped} dropped");
        assert!(mask.iter().all(|&x| x == 0.0 || x == 1.0 / (1.0 - p)));
        tape.set_dropout(MaskDraw { step: 4, ..draw }, 50).unwrap();
        assert_ne!(
            tape.dropout_mask_mut(1),
            mask.as_slice(),
            "a new step, new masks"
        );
    }
    for bad in [-0.1f32, 0.95, f32::NAN] {
        let draw = MaskDraw {
            p: bad,
            seed: 0,
            step: 0,
            first_stream: 0,
        };
        let err = tape.set_dropout(draw, 50).unwrap_err().to_string();
        assert!(err.contains("dropout"), "{err}");
        let cfg = config(bad);
        assert!(Trainer::new(m.clone(), &TEXT.repeat(4), cfg).is_err());
    }
}

#[test]
fn evaluation_never_drops() {
    let mut trainer = Trainer::new(model(CellKind::Lstm, 2), &TEXT.repeat(4), config(0.5)).unwrap();
    for _ in 0..5 {
        trainer.step().unwrap();
    }
    let val = trainer.validation_loss(10_000).unwrap();
    let text = TEXT.repeat(4);
    let chars: Vec<char> = text.chars().collect();
    let held: String = chars[held_out(chars.len(), 0.2)].iter().collect();
    let exact = eval::loss(trainer.model(), &held).unwrap();
    assert!((val - exact).abs() < 1e-6, "{val} vs {exact}");
}
