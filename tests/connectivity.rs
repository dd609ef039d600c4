//! Connectivity: the gradient of one score with respect to every one-hot input of a window, checked by finite
//! differences for each cell, with and without clamped units; and `analysis::connectivity` against it.
#![cfg(not(target_arch = "wasm32"))] // long numeric sweeps; tests/wasm.rs covers wasm

mod common;

use common::gradient;
use rnnscope::analysis::connectivity::{connectivity, Connectivity, MAX_WINDOW};
use rnnscope::cell::Activation;
use rnnscope::clamp::{Clamp, ClampedTensor};
use rnnscope::tape::{Tape, NONE};
use rnnscope::{CellKind, Model, State, Vocab};

const EPS: f32 = 2e-3;
/// Eight distinct characters: the input at every position of the window is the only one of its kind, so
/// moving its one-hot vector is moving one column of `W_ih` (see `score_with_input_moved`).
const TEXT: &str = "hcfadgbe";

fn model(cell: CellKind, layers: usize, seed: u64) -> Model {
    let vocab = Vocab::from_text("abcdefgh").unwrap();
    let mut model = Model::new(cell, 6, layers, vocab, seed).unwrap();
    for p in &mut model.params {
        *p *= 2.5; // larger weights than the default init make the nonlinearities do real work
    }
    model
}

/// The score of `class` after the window, with the one-hot input at step `t` moved from `e_x` to
/// `e_x + delta·e_j`. `W_ih x` is linear in `x` and character `x` occurs only at step `t`, so that is column
/// `x` of `W_ih` plus `delta` times column `j`.
fn score_with_input_moved(
    model: &Model,
    ids: &[u32],
    clamps: &[Clamp],
    t: usize,
    j: usize,
    delta: f32,
    class: usize,
) -> f32 {
    let mut m = model.clone();
    let v = m.config.vocab_size;
    let gh = m.config.cell.gates() * m.config.hidden;
    let (x, spec) = (
        ids[t] as usize,
        m.layout.get("rnn.weight_ih_l0").unwrap().range.clone(),
    );
    let w = &mut m.params[spec];
    for row in 0..gh {
        w[row * v + x] += delta * w[row * v + j];
    }
    let mut tape = Tape::new(&m.config, ids.len(), 1).unwrap();
    tape.set_clamps(clamps).unwrap();
    tape.inputs[..ids.len()].copy_from_slice(ids);
    let mut state = State::zeros(&m.config, 1);
    let _ = tape.forward(&m, &mut state, ids.len());
    tape.logits(ids.len() - 1, 0)[class]
}

fn check(cell: CellKind, layers: usize, seed: u64, clamps: &[Clamp]) {
    let model = model(cell, layers, seed);
    let ids: Vec<u32> = TEXT
        .chars()
        .map(|c| model.vocab.index_of(c).unwrap())
        .collect();
    let (window, class) = (&ids[..7], ids[7] as usize);
    let v = model.config.vocab_size;
    let mut tape = Tape::new(&model.config, window.len(), 1).unwrap();
    tape.set_clamps(clamps).unwrap();
    tape.inputs[..window.len()].copy_from_slice(window);
    tape.targets.fill(NONE);
    let mut state = State::zeros(&model.config, 1);
    let fwd = tape.forward(&model, &mut state, window.len());
    // The backward pass connectivity runs: without the parameters' gradients.
    tape.backward_score_inputs(&model, fwd, window.len() - 1, 0, class);
    let mut analytic = vec![0.0; window.len() * v];
    tape.input_grads(&model, window.len(), &mut analytic);
    // The same as the full backward pass's, bit for bit (nothing here is small enough to be flushed).
    let mut full = Tape::new(&model.config, window.len(), 1).unwrap();
    full.set_clamps(clamps).unwrap();
    full.inputs[..window.len()].copy_from_slice(window);
    full.targets.fill(NONE);
    let fwd = full.forward(&model, &mut State::zeros(&model.config, 1), window.len());
    let mut grads = vec![0.0; model.params.len()];
    full.backward_score(&model, fwd, window.len() - 1, 0, class, &mut grads);
    let mut with_weights = vec![0.0; window.len() * v];
    full.input_grads(&model, window.len(), &mut with_weights);
    assert_eq!(analytic, with_weights);

    let worst = gradient::check(EPS, &analytic, |k, delta| {
        score_with_input_moved(&model, window, clamps, k / v, k % v, delta, class)
    });
    assert!(
        worst.ok(),
        "{cell:?} L={layers} clamps {clamps:?}: d score / d x[{}][{}] numeric {:.6}, analytic {:.6}",
        worst.index / v,
        worst.index % v,
        worst.numeric,
        worst.analytic
    );
    // Zeros compared with zeros prove nothing: the early inputs must matter to the last score.
    assert!(
        analytic[..v].iter().any(|g| g.abs() > 1e-3),
        "{cell:?}: the first input has no influence"
    );
    println!(
        "{cell:?} L={layers} {} clamps: worst relative error {:.1e}",
        clamps.len(),
        worst.error
    );

    // analysis::connectivity gives the row norms of that gradient.
    let c = connectivity(&model, TEXT, 6, 16, clamps).unwrap();
    assert_eq!(
        (c.from, c.position, c.target),
        (0, 6, TEXT.chars().nth(7).unwrap())
    );
    for t in 0..window.len() {
        let row = &analytic[t * v..(t + 1) * v];
        let norm = row.iter().map(|g| g * g).sum::<f32>().sqrt();
        assert!(
            (c.norms[t] - norm).abs() <= 1e-5 * (1.0 + norm),
            "norm at {t}"
        );
    }
}

fn clamp_for(cell: CellKind) -> Vec<Clamp> {
    let mut out = vec![Clamp {
        layer: 0,
        tensor: ClampedTensor::H,
        unit: 2,
        value: 0.5,
    }];
    if cell == CellKind::Lstm {
        out.push(Clamp::ablate(0, ClampedTensor::C, 4));
    }
    out
}

#[test]
fn rnn_input_gradient() {
    let cell = CellKind::Rnn(Activation::Tanh);
    check(cell, 2, 1, &[]);
    check(cell, 1, 2, &clamp_for(cell));
}

#[test]
fn lstm_input_gradient() {
    check(CellKind::Lstm, 2, 3, &[]);
    check(CellKind::Lstm, 1, 4, &clamp_for(CellKind::Lstm));
}

#[test]
fn gru_input_gradient() {
    check(CellKind::Gru, 2, 5, &[]);
    check(CellKind::Gru, 1, 6, &clamp_for(CellKind::Gru));
}

/// A window shorter than the text starts from the state the text before it leaves (held constant): its norms
/// are those of a tape run from the state after the prefix.
#[test]
fn a_window_starts_from_the_prefix_state() {
    let model = model(CellKind::Lstm, 1, 7);
    let ids: Vec<u32> = TEXT
        .chars()
        .map(|c| model.vocab.index_of(c).unwrap())
        .collect();
    let c = connectivity(&model, TEXT, 6, 3, &[]).unwrap();
    assert_eq!((c.from, c.norms.len()), (4, 3));
    let mut state = State::zeros(&model.config, 1);
    let mut prefix = Tape::new(&model.config, 4, 1).unwrap();
    prefix.inputs[..4].copy_from_slice(&ids[..4]);
    let _ = prefix.forward(&model, &mut state, 4);
    let mut tape = Tape::new(&model.config, 3, 1).unwrap();
    tape.inputs[..3].copy_from_slice(&ids[4..7]);
    let fwd = tape.forward(&model, &mut state, 3);
    let mut grads = vec![0.0; model.params.len()];
    tape.backward_score(&model, fwd, 2, 0, ids[7] as usize, &mut grads);
    let mut d = vec![0.0; 3 * 8];
    tape.input_grads(&model, 3, &mut d);
    for t in 0..3 {
        let norm = d[t * 8..(t + 1) * 8]
            .iter()
            .map(|g| g * g)
            .sum::<f32>()
            .sqrt();
        assert!((c.norms[t] - norm).abs() <= 1e-6 * (1.0 + norm));
    }
}

#[test]
fn refuses_what_it_cannot_compute() {
    let model = model(CellKind::Gru, 1, 8);
    let err = |r: rnnscope::error::Result<Connectivity>| r.unwrap_err().to_string();
    assert!(err(connectivity(&model, TEXT, 7, 8, &[])).contains("no next character"));
    assert!(err(connectivity(&model, "", 0, 8, &[])).contains("empty"));
    assert!(err(connectivity(&model, "abz", 1, 8, &[])).contains("not in the model's vocabulary"));
    assert!(err(connectivity(&model, TEXT, 3, 0, &[])).contains("window"));
    assert!(err(connectivity(&model, TEXT, 3, MAX_WINDOW + 1, &[])).contains("window"));
    let bad = [Clamp::ablate(0, ClampedTensor::C, 0)];
    assert!(err(connectivity(&model, TEXT, 3, 8, &bad)).contains("no cell state"));
    // An unknown character as input is an all-zero vector, not an error.
    assert!(connectivity(&model, "azb", 1, 8, &[]).is_ok());
}

/// The states kept between requests give the same answers bit for bit as computing each from the start: for
/// positions in any order, windows that start before, at and after a chunk boundary, and after the weights or
/// the clamps change (the kept states are then dropped).
#[test]
fn kept_prefix_states_answer_as_a_run_from_the_start() {
    use rnnscope::analysis::connectivity::{connectivity_with, PrefixStates};
    use rnnscope::eval::{inputs_of, run_chunks, CHUNK};
    let text: String = rnnscope::corpus::get("brackets")
        .unwrap()
        .chars()
        .take(3 * CHUNK + 100)
        .collect();
    let vocab = Vocab::from_text(&text).unwrap();
    let mut model = Model::new(CellKind::Lstm, 12, 2, vocab, 5).unwrap();
    let chars: Vec<char> = text.chars().collect();
    let inputs = inputs_of(&model, &chars);

    // The state after any prefix, as one run from the start computes it.
    let mut prefix = PrefixStates::default();
    for from in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7, 2 * CHUNK] {
        let mut state = State::zeros(&model.config, 1);
        run_chunks(&model, &inputs[..from], None, &[], &mut state, |_| {}).unwrap();
        assert_eq!(
            prefix.state_after(&model, &inputs, &[], from).unwrap(),
            state,
            "from {from}"
        );
    }
    assert_eq!(
        prefix.kept(),
        4,
        "a state per whole chunk before 3·CHUNK + 7, and zero"
    );

    // Connectivity through the kept states is connectivity computed afresh, position after position.
    let mut kept = PrefixStates::default();
    let clamp = [Clamp::ablate(0, ClampedTensor::H, 3)];
    for (position, window, clamps) in [
        (3 * CHUNK + 50, 64, &[][..]),
        (CHUNK + 10, 300, &[][..]),
        (2 * CHUNK - 1, 256, &[][..]),
        (40, 16, &[][..]),
        (3 * CHUNK + 50, 64, &clamp[..]),
    ] {
        assert_eq!(
            connectivity_with(&mut kept, &model, &text, position, window, clamps).unwrap(),
            connectivity(&model, &text, position, window, clamps).unwrap(),
            "position {position}, window {window}, clamps {clamps:?}"
        );
    }
    // New weights: the states kept for the old ones are not used for them. (The window starts one character after
    // a kept state: further on, this model's state forgets where it started within f32 precision.)
    let (position, window) = (2 * CHUNK + 64, 64);
    connectivity_with(&mut kept, &model, &text, position, window, &[]).unwrap();
    for p in &mut model.params {
        *p *= 1.01;
    }
    assert_eq!(
        connectivity_with(&mut kept, &model, &text, position, window, &[]).unwrap(),
        connectivity(&model, &text, position, window, &[]).unwrap()
    );
}

#[test]
fn a_gradient_too_small_to_show_is_flushed_to_zero_not_carried_as_subnormals() {
    // Back in time the gradient of one score shrinks step after step; subnormal floats made the backward pass
    // of a 256-character window ten times slower, so the pass without the weights' gradients flushes what falls
    // below 1e-30. What it gives differs from the full pass by less than that.
    for cell in [
        CellKind::Lstm,
        CellKind::Gru,
        CellKind::Rnn(Activation::Tanh),
    ] {
        let mut model = model(cell, 2, 4);
        for p in &mut model.params {
            *p *= 0.12; // a contracting model: the gradient shrinks by orders of magnitude a step
        }
        let v = model.config.vocab_size;
        let n = 300;
        let ids: Vec<u32> = (0..n).map(|i| ((i * 5 + i / 3) % v) as u32).collect();
        let grads_of = |weights: bool| {
            let mut tape = Tape::new(&model.config, n, 1).unwrap();
            tape.inputs[..n].copy_from_slice(&ids);
            tape.targets.fill(NONE);
            let fwd = tape.forward(&model, &mut State::zeros(&model.config, 1), n);
            if weights {
                let mut grads = vec![0.0; model.params.len()];
                tape.backward_score(&model, fwd, n - 1, 0, 1, &mut grads);
            } else {
                tape.backward_score_inputs(&model, fwd, n - 1, 0, 1);
            }
            let mut d = vec![0.0; n * v];
            tape.input_grads(&model, n, &mut d);
            d
        };
        let (full, fast) = (grads_of(true), grads_of(false));
        assert!(
            full.iter()
                .any(|&g| g != 0.0 && g.abs() < f32::MIN_POSITIVE),
            "{cell:?}: the full pass reaches subnormal values (else this test shows nothing)"
        );
        assert!(
            fast.iter()
                .all(|g| *g == 0.0 || g.abs() >= f32::MIN_POSITIVE),
            "{cell:?}: no subnormal left"
        );
        let worst = full
            .iter()
            .zip(&fast)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 1e-29, "{cell:?}: differs by {worst}");
        assert_eq!(
            &full[(n - 3) * v..],
            &fast[(n - 3) * v..],
            "{cell:?}: the last steps are the same bit for bit"
        );
    }
}
