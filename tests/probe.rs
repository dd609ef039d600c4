//! The probe: incremental equals recomputed, edits recompute only from the edit, unknown characters, and what a
//! memorised model predicts.
#![cfg(not(target_arch = "wasm32"))] // reads files or runs long numeric sweeps; tests/wasm.rs covers wasm

mod common;

use rnnscope::tape::{Tape, NONE};
use rnnscope::{CellKind, Model, Probe, ProbeStep, State, Vocab};

fn model(cell: CellKind) -> Model {
    let mut m = Model::new(
        cell,
        6,
        2,
        Vocab::from_chars("helowrd 日é\n".chars().collect()).unwrap(),
        8,
    )
    .unwrap();
    for p in &mut m.params {
        *p *= 2.0;
    }
    m
}

const CELLS: [CellKind; 3] = [
    CellKind::Rnn(rnnscope::cell::Activation::Tanh),
    CellKind::Lstm,
    CellKind::Gru,
];

fn fresh_steps(model: &Model, text: &str) -> Vec<ProbeStep> {
    let mut p = Probe::new(model);
    p.sync(model, text);
    p.steps().to_vec()
}

#[test]
fn pushing_one_character_at_a_time_equals_one_tape_pass() {
    let text = "hello wörld 日é\nhole";
    for cell in CELLS {
        let model = model(cell);
        let mut probe = Probe::new(&model);
        for ch in text.chars() {
            probe.push(&model, ch);
        }
        assert_eq!(probe.steps(), fresh_steps(&model, text).as_slice());
        // The same text in one multi-step forward pass (a different code path: whole-window products).
        let chars: Vec<char> = text.chars().collect();
        let mut tape = Tape::new(&model.config, chars.len(), 1).unwrap();
        for (t, &c) in chars.iter().enumerate() {
            tape.inputs[t] = model.vocab.index_of(c).unwrap_or(NONE);
        }
        let mut state = State::zeros(&model.config, 1);
        let _ = tape.forward(&model, &mut state, chars.len());
        for (t, step) in probe.steps().iter().enumerate() {
            let h: Vec<f32> = (0..2).flat_map(|l| tape.hidden(l, t, 0).to_vec()).collect();
            let c: Vec<f32> = (0..2)
                .flat_map(|l| tape.cell_state(l, t, 0).to_vec())
                .collect();
            let close = |a: &[f32], b: &[f32]| {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
            };
            assert!(
                close(&step.h, &h),
                "{cell:?} step {t} h: {:?} vs {h:?}",
                step.h
            );
            assert!(close(&step.c, &c), "{cell:?} step {t} c");
            assert!(
                close(&step.logits, tape.logits(t, 0)),
                "{cell:?} step {t} logits"
            );
        }
    }
}

#[test]
fn sync_recomputes_only_from_the_first_change() {
    for cell in CELLS {
        let model = model(cell);
        let mut probe = Probe::new(&model);
        assert_eq!(probe.sync(&model, "hello world"), 0);
        let before = probe.steps().to_vec();
        // An edit in the middle.
        assert_eq!(probe.sync(&model, "hello there"), 6);
        assert_eq!(probe.steps(), fresh_steps(&model, "hello there").as_slice());
        assert_eq!(&probe.steps()[..6], &before[..6]);
        // Appending recomputes only the new characters; an identical text recomputes nothing.
        assert_eq!(probe.sync(&model, "hello there 日"), 11);
        assert_eq!(probe.sync(&model, "hello there 日"), 13);
        // Deleting at the end and then in the middle.
        assert_eq!(probe.sync(&model, "hello"), 5);
        assert_eq!(probe.steps().len(), 5);
        assert_eq!(probe.steps(), fresh_steps(&model, "hello").as_slice());
        assert_eq!(probe.sync(&model, "helo"), 3);
        assert_eq!(probe.steps(), fresh_steps(&model, "helo").as_slice());
        // Multi-byte characters count as one position each.
        assert_eq!(probe.sync(&model, "日é日"), 0);
        assert_eq!(probe.sync(&model, "日éé"), 2);
        assert_eq!(probe.steps(), fresh_steps(&model, "日éé").as_slice());
        assert_eq!(probe.sync(&model, ""), 0);
        assert!(probe.steps().is_empty());
        // After emptying, the state is zero again.
        assert_eq!(probe.sync(&model, "hello"), 0);
        assert_eq!(probe.steps(), fresh_steps(&model, "hello").as_slice());
    }
}

#[test]
fn advancing_in_slices_computes_what_one_sync_does_towards_a_moving_text() {
    for cell in CELLS {
        let model = model(cell);
        let mut probe = Probe::new(&model);
        // Three characters at a time towards a text that is edited on the way.
        assert!(!probe.advance(&model, "hello world", 3));
        assert_eq!(probe.steps().len(), 3);
        assert!(!probe.advance(&model, "hello world", 3));
        assert!(!probe.advance(&model, "hello there", 3));
        assert_eq!(probe.steps().len(), 9);
        assert!(probe.advance(&model, "hello there", 3));
        assert_eq!(probe.steps(), fresh_steps(&model, "hello there").as_slice());
        // Done is done until the text changes; a shorter text is reached by truncating alone.
        assert!(probe.advance(&model, "hello there", 3));
        assert!(probe.advance(&model, "hello", 3));
        assert_eq!(probe.steps(), fresh_steps(&model, "hello").as_slice());
        assert!(!probe.advance(&model, "hello, 日é", 2));
        assert!(probe.advance(&model, "hello, 日é", 2));
        assert_eq!(probe.steps(), fresh_steps(&model, "hello, 日é").as_slice());
    }
}

#[test]
fn continuing_from_a_probes_last_state_computes_what_the_whole_probe_does() {
    // The page computes a keystroke itself from the state at the last character of the probe it shows
    // (src/wasm/stepper.rs): that must give the engine's numbers exactly.
    let (shown, typed) = ("hello wörld", " 日é\nho");
    for cell in CELLS {
        let model = model(cell);
        let whole = fresh_steps(&model, &format!("{shown}{typed}"));
        let n = shown.chars().count();
        let last = &whole[n - 1];
        let mut probe = Probe::new(&model);
        probe.sync(&model, "something else");
        probe.continue_from(&model, &last.h, &last.c).unwrap();
        assert!(
            probe.steps().is_empty(),
            "{cell:?}: the steps before are forgotten"
        );
        for ch in typed.chars() {
            probe.push(&model, ch);
        }
        assert_eq!(probe.steps(), &whole[n..], "{cell:?}");
        // A state of another size, or not finite, is refused and the probe keeps its steps.
        let short = &last.h[1..];
        let err = probe.continue_from(&model, short, &last.c).unwrap_err();
        assert!(err.to_string().contains("hidden"), "{err}");
        let mut nan = last.h.clone();
        nan[0] = f32::NAN;
        assert!(probe.continue_from(&model, &nan, &last.c).is_err());
        assert_eq!(probe.steps(), &whole[n..], "{cell:?}: kept");
    }
}

#[test]
fn unknown_characters_are_fed_as_zero_vectors() {
    for cell in CELLS {
        let model = model(cell);
        let mut probe = Probe::new(&model);
        probe.sync(&model, "heXlo?");
        let steps = probe.steps();
        assert_eq!(steps.len(), 6);
        assert_eq!(steps[2].input, None);
        assert_eq!(steps[5].input, None);
        assert_eq!(steps[0].input, model.vocab.index_of('h'));
        assert_eq!(steps[2].ch, 'X');
        // The same as an all-zero input on the tape.
        let mut tape = Tape::new(&model.config, 3, 1).unwrap();
        tape.inputs[..3].copy_from_slice(&[
            model.vocab.index_of('h').unwrap(),
            model.vocab.index_of('e').unwrap(),
            NONE,
        ]);
        let mut state = State::zeros(&model.config, 1);
        let _ = tape.forward(&model, &mut state, 3);
        let last = (model.config.layers - 1) * model.config.hidden;
        for (a, b) in steps[2].h[last..].iter().zip(tape.hidden(1, 2, 0)) {
            assert!((a - b).abs() < 1e-6);
        }
        // And the state still moves.
        assert_ne!(steps[2].h, steps[1].h);
    }
}

#[test]
fn probabilities_are_a_softmax_that_sums_to_one() {
    for cell in CELLS {
        let model = model(cell);
        for step in fresh_steps(&model, "hello wörld 日é\n") {
            let total: f32 = step.probs.iter().sum();
            assert!((total - 1.0).abs() < 1e-5, "{cell:?}: sum {total}");
            assert!(step.probs.iter().all(|&p| p > 0.0 && p <= 1.0));
            let max = step
                .logits
                .iter()
                .copied()
                .fold(f32::NEG_INFINITY, f32::max);
            let z: f32 = step.logits.iter().map(|l| (l - max).exp()).sum();
            for (p, l) in step.probs.iter().zip(&step.logits) {
                assert!((p - (l - max).exp() / z).abs() < 1e-6);
            }
            let (p, loss) = step.score(3);
            assert_eq!(p, step.probs[3]);
            assert!((loss + p.ln()).abs() < 1e-6);
            let gates = model.config.cell.gates() * model.config.hidden * model.config.layers;
            let expected_gates = if cell.gate_names().is_empty() {
                0
            } else {
                gates
            };
            assert_eq!(step.gates.len(), expected_gates);
        }
    }
}

#[test]
fn a_model_that_memorised_hello_predicts_the_next_letter() {
    let model = common::hello_model();
    let mut probe = Probe::new(&model);
    let top = |step: &ProbeStep| {
        let i = step
            .probs
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap()
            .0;
        model.vocab.char_at(i)
    };
    probe.sync(&model, "hel");
    assert_eq!(top(&probe.steps()[2]), 'l', "after \"hel\"");
    assert!(probe.steps()[2].probs[model.vocab.index_of('l').unwrap() as usize] > 0.9);
    probe.sync(&model, "hell");
    assert_eq!(top(&probe.steps()[3]), 'o', "after \"hell\"");
    probe.sync(&model, "hello");
    assert_eq!(top(&probe.steps()[4]), 'h', "after \"hello\"");
    probe.sync(&model, "h");
    assert_eq!(top(&probe.steps()[0]), 'e', "after \"h\"");
}
