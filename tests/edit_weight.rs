//! Editing one weight (the figure view's "click a weight, change it"): the probe then gives exactly what a model
//! built with that weight gives, bad edits are refused and change nothing, and training goes on from the edit.
#![cfg(not(target_arch = "wasm32"))] // tests/wasm.rs covers the Session's parameters()/setParameter

use rnnscope::cell::Activation;
use rnnscope::optim::OptimizerKind;
use rnnscope::{CellKind, Error, Model, Probe, ProbeStep, TrainConfig, Trainer, Vocab};

const CELLS: [CellKind; 4] = [
    CellKind::Rnn(Activation::Tanh),
    CellKind::Rnn(Activation::Relu),
    CellKind::Lstm,
    CellKind::Gru,
];

const TEXT: &str = "hello world, hello there; hold the line. ";

fn model(cell: CellKind) -> Model {
    Model::new(cell, 5, 2, Vocab::from_text(TEXT).unwrap(), 11).unwrap()
}

fn probe(model: &Model, text: &str) -> Vec<ProbeStep> {
    let mut p = Probe::new(model);
    p.sync(model, text);
    p.steps().to_vec()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn config() -> TrainConfig {
    TrainConfig {
        seq_len: 8,
        batch: 2,
        lr: 0.01,
        val_fraction: 0.0,
        ..TrainConfig::default()
    }
}

/// The same model with element `index` of tensor `name` replaced, built from its parameters rather than edited.
fn built_with(m: &Model, name: &str, index: usize, value: f32) -> Model {
    let mut params = m.params.clone();
    params[m.layout.get(name).unwrap().range.start + index] = value;
    Model::from_params(m.config, m.vocab.clone(), params).unwrap()
}

#[test]
fn an_edited_weight_probes_exactly_like_a_model_built_with_it() {
    for cell in CELLS {
        let original = model(cell);
        let gh = cell.gates() * 5;
        // One element of every tensor of both layers and of the decoder, none of them the first or last.
        for t in &original.layout.tensors {
            let index = t.range.len() / 2 + 1;
            let value = 1.75;
            let mut edited = original.clone();
            let at = edited.set_parameter(&t.name, index, value).unwrap();
            assert_eq!(at, t.range.start + index, "{cell:?} {}", t.name);
            assert_eq!(edited.tensor(&t.name).unwrap()[index], value);
            let want = built_with(&original, &t.name, index, value);
            assert_eq!(bits(&edited.params), bits(&want.params));
            let (got, want, before) = (
                probe(&edited, TEXT),
                probe(&want, TEXT),
                probe(&original, TEXT),
            );
            assert_eq!(got, want, "{cell:?} {}[{index}]", t.name);
            // The text holds every character, so every column of rnn.weight_ih_l0 is used.
            let moved = |a: &[ProbeStep], b: &[ProbeStep]| {
                a.iter()
                    .zip(b)
                    .any(|(x, y)| bits(&x.logits) != bits(&y.logits))
            };
            // relu can zero a unit out entirely, so only require a change where one is certain to show.
            if !matches!(cell, CellKind::Rnn(Activation::Relu)) {
                assert!(
                    moved(&got, &before),
                    "{cell:?}: editing {}[{index}] changed no logit",
                    t.name
                );
            }
        }
        let w_ih = original.layout.get("rnn.weight_ih_l0").unwrap();
        assert_eq!(w_ih.shape, [gh, original.vocab.len()]);
    }
}

#[test]
fn bad_edits_are_refused_with_the_reason_and_change_nothing() {
    let mut m = model(CellKind::Lstm);
    let before = m.params.clone();
    let message = |e: Error| e.to_string();

    let e = message(m.set_parameter("rnn.weight_hh_l9", 0, 1.0).unwrap_err());
    assert!(e.contains("no tensor named \"rnn.weight_hh_l9\""), "{e}");
    assert!(
        e.contains("rnn.weight_ih_l0") && e.contains("decoder.bias"),
        "the names are listed: {e}"
    );

    // rnn.weight_hh_l0 is (4·5, 5): 100 elements, 0..=99.
    m.set_parameter("rnn.weight_hh_l0", 99, 0.5).unwrap();
    m.params.clone_from(&before);
    let e = message(m.set_parameter("rnn.weight_hh_l0", 100, 0.5).unwrap_err());
    assert!(
        e.contains("index 100 is outside rnn.weight_hh_l0")
            && e.contains("100 elements (shape 20×5)"),
        "{e}"
    );

    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let e = message(m.set_parameter("decoder.bias", 0, bad).unwrap_err());
        assert!(e.contains("must be a finite number"), "{e}");
    }
    assert!(m.tensor("nope").is_none());
    assert_eq!(
        bits(&m.params),
        bits(&before),
        "a refused edit changes nothing"
    );

    let mut trainer = Trainer::new(m.clone(), TEXT, config()).unwrap();
    assert!(trainer
        .set_parameter("decoder.weight", usize::MAX, 1.0)
        .is_err());
    assert!(trainer
        .set_parameter("decoder.weight", 0, f32::NAN)
        .is_err());
    assert_eq!(bits(&trainer.model().params), bits(&before));
}

#[test]
fn training_goes_on_from_the_edited_weight() {
    for cell in CELLS {
        let (name, index, value) = ("rnn.weight_hh_l1", 7, -1.25);
        let original = model(cell);

        // Edited inside the trainer before any step ≡ a trainer built on the edited model: same losses, same
        // weights after, bit for bit.
        let mut edited = Trainer::new(original.clone(), TEXT, config()).unwrap();
        edited.set_parameter(name, index, value).unwrap();
        let mut fresh =
            Trainer::new(built_with(&original, name, index, value), TEXT, config()).unwrap();
        let mut untouched = Trainer::new(original.clone(), TEXT, config()).unwrap();
        let mut differs = false;
        for step in 0..10 {
            let (a, b, c) = (
                edited.step().unwrap(),
                fresh.step().unwrap(),
                untouched.step().unwrap(),
            );
            assert_eq!(a.loss.to_bits(), b.loss.to_bits(), "{cell:?} step {step}");
            differs |= a.loss.to_bits() != c.loss.to_bits();
        }
        // (Under relu the unit this weight reads can stay at 0 all along, and then the weight does nothing.)
        if !matches!(cell, CellKind::Rnn(Activation::Relu)) {
            assert!(differs, "{cell:?}: the edit shows in the losses");
        }
        assert_eq!(bits(&edited.model().params), bits(&fresh.model().params));

        // Edited in the middle of a run: the next Adam step moves the weight from the edited value (by at most
        // about lr), not from the old one.
        let mut mid = Trainer::new(original.clone(), TEXT, config()).unwrap();
        for _ in 0..5 {
            mid.step().unwrap();
        }
        mid.set_parameter(name, index, 2.0).unwrap();
        mid.step().unwrap();
        let now = mid.model().tensor(name).unwrap()[index];
        assert!((now - 2.0).abs() <= 0.011 && now != 2.0, "{cell:?}: {now}");
    }
}

/// A rollback after divergence undoes training steps, not the visitor's edit.
#[test]
fn a_rollback_keeps_the_edit() {
    let config = TrainConfig {
        optimizer: OptimizerKind::Sgd { momentum: 0.0 },
        ..config()
    };
    let mut trainer = Trainer::new(model(CellKind::Gru), TEXT, config).unwrap();
    for _ in 0..3 {
        trainer.step().unwrap();
    }
    // A huge score for one character makes every other target cost ~1e6 nats: the loss explodes.
    trainer.set_parameter("decoder.bias", 0, 1e6).unwrap();
    let e = trainer.step().unwrap_err();
    assert!(matches!(e, Error::Diverged(_)), "{e}");
    assert_eq!(trainer.model().tensor("decoder.bias").unwrap()[0], 1e6);
    trainer.set_parameter("decoder.bias", 0, 0.0).unwrap();
    trainer
        .step()
        .expect("trains again once the weight is sane");
}
