//! Finite-difference gradient checks for every parameter of every cell, 1 and 2 layers, T = 6 steps,
//! B = 2 streams, starting from a non-zero state (so the paths through `h0`/`c0` are exercised too); and the same
//! with units clamped and ablated (`rnnscope::clamp`), whose values are constants that stop the gradient.
#![cfg(not(target_arch = "wasm32"))] // reads files or runs long numeric sweeps; tests/wasm.rs covers wasm

mod common;

use common::gradient;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use rnnscope::cell::Activation;
use rnnscope::clamp::{Clamp, ClampedTensor};
use rnnscope::tape::{Tape, NONE};
use rnnscope::{CellKind, Model, State, Vocab};

const T: usize = 6;
const B: usize = 2;
const EPS: f32 = 4e-3;

fn window_loss(model: &Model, tape: &mut Tape, state0: &State) -> f32 {
    let mut state = state0.clone();
    tape.forward(model, &mut state, T).loss
}

fn check(cell: CellKind, layers: usize, seed: u64) {
    check_clamped(cell, layers, seed, &[]);
}

fn check_clamped(cell: CellKind, layers: usize, seed: u64, clamps: &[Clamp]) {
    let vocab = Vocab::from_text("abcde").unwrap();
    let mut model = Model::new(cell, 5, layers, vocab, seed).unwrap();
    // Larger weights than the default init make the nonlinearities do real work.
    for p in &mut model.params {
        *p *= 2.5;
    }
    let mut rng = Pcg64::seed_from_u64(seed + 100);
    let mut tape = Tape::new(&model.config, T, B).unwrap();
    tape.set_clamps(clamps).unwrap();
    for r in 0..T * B {
        tape.inputs[r] = rng.random_range(0..5);
        // One missing target and one all-zero input, to check both are handled.
        tape.targets[r] = if r == 3 { NONE } else { rng.random_range(0..5) };
    }
    tape.inputs[5] = NONE;
    let mut state0 = State::zeros(&model.config, B);
    for x in state0.h.iter_mut().chain(state0.c.iter_mut()) {
        *x = rng.random_range(-0.8..0.8);
    }

    let mut state = state0.clone();
    let fwd = tape.forward(&model, &mut state, T);
    let mut grads = vec![0.0; model.params.len()];
    tape.backward(&model, fwd, &mut grads);

    let mut report = Vec::new();
    let mut failed = false;
    for spec in model.layout.tensors.clone() {
        let range = spec.range.clone();
        let worst = gradient::check(EPS, &grads[range.clone()], |k, delta| {
            let i = range.start + k;
            let orig = model.params[i];
            model.params[i] = orig + delta;
            let loss = window_loss(&model, &mut tape, &state0);
            model.params[i] = orig;
            loss
        });
        failed |= !worst.ok();
        report.push(format!(
            "{:>22} {} max rel err {:.2e} (element {}: numeric {:.6}, analytic {:.6})",
            spec.name,
            if worst.ok() { "OK    " } else { "NOT OK" },
            worst.error,
            worst.index,
            worst.numeric,
            worst.analytic
        ));
    }
    assert!(
        !failed,
        "{cell:?} L={layers} clamps {clamps:?}:\n{}",
        report.join("\n")
    );
    // A check that compares zeros with zeros proves nothing: the gradient must be substantial.
    assert!(grads.iter().filter(|g| g.abs() > 1e-4).count() > grads.len() / 2);
}

#[test]
fn rnn_tanh_one_layer() {
    check(CellKind::Rnn(Activation::Tanh), 1, 1);
}

#[test]
fn rnn_tanh_two_layers() {
    check(CellKind::Rnn(Activation::Tanh), 2, 2);
}

#[test]
fn rnn_relu_two_layers() {
    check(CellKind::Rnn(Activation::Relu), 2, 3);
}

#[test]
fn lstm_one_layer() {
    check(CellKind::Lstm, 1, 4);
}

#[test]
fn lstm_two_layers() {
    check(CellKind::Lstm, 2, 5);
}

#[test]
fn gru_one_layer() {
    check(CellKind::Gru, 1, 6);
}

#[test]
fn gru_two_layers() {
    check(CellKind::Gru, 2, 7);
}

/// Clamps in both layers: an ablated `h` (and `c` for the LSTM) below, a unit held at a non-zero value above.
fn clamps(cell: CellKind) -> Vec<Clamp> {
    let mut out = vec![
        Clamp::ablate(0, ClampedTensor::H, 1),
        Clamp {
            layer: 1,
            tensor: ClampedTensor::H,
            unit: 3,
            value: 0.7,
        },
    ];
    if cell == CellKind::Lstm {
        out.push(Clamp {
            layer: 0,
            tensor: ClampedTensor::C,
            unit: 2,
            value: -0.4,
        });
        out.push(Clamp::ablate(1, ClampedTensor::C, 0));
    }
    out
}

#[test]
fn rnn_clamped() {
    let cell = CellKind::Rnn(Activation::Tanh);
    check_clamped(cell, 2, 8, &clamps(cell));
}

#[test]
fn lstm_clamped() {
    check_clamped(CellKind::Lstm, 2, 9, &clamps(CellKind::Lstm));
}

#[test]
fn gru_clamped() {
    check_clamped(CellKind::Gru, 2, 10, &clamps(CellKind::Gru));
}
