//! The training-state file: saving and resuming goes on bit for bit; a state for another text or window shape
//! brings back the optimizer only; a corrupt or foreign state is refused and changes nothing.

use rnnscope::cell::Activation;
use rnnscope::{
    corpus, model_file, CellKind, Error, Model, OptimizerKind, Resumed, TrainConfig, Trainer, Vocab,
};
use std::collections::BTreeMap;

const OPTIMIZERS: [OptimizerKind; 4] = [
    OptimizerKind::Adam,
    OptimizerKind::RmsProp,
    OptimizerKind::Adagrad,
    OptimizerKind::Sgd { momentum: 0.9 },
];

/// About 1200 characters of the project's own prose: with batch 4 and seq_len 16 the data wraps every 16 steps.
fn text() -> String {
    corpus::get("about").unwrap().chars().take(1200).collect()
}

fn config(optimizer: OptimizerKind) -> TrainConfig {
    TrainConfig {
        seq_len: 16,
        batch: 4,
        optimizer,
        lr: 3e-3,
        clip: 1.0,
        val_fraction: 0.1,
        ..TrainConfig::default()
    }
}

fn model(cell: CellKind, text: &str) -> Model {
    Model::new(cell, 12, 2, Vocab::from_text(text).unwrap(), 5).unwrap()
}

fn steps(trainer: &mut Trainer, n: usize) -> Vec<f32> {
    (0..n).map(|_| trainer.step().unwrap().loss).collect()
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// A trainer for the model in `bytes` (a model file), as a resumed run builds it.
fn reload(bytes: &[u8], text: &str, config: TrainConfig) -> Trainer {
    let (model, _) = model_file::from_bytes(bytes).unwrap();
    Trainer::new(model, text, config).unwrap()
}

#[test]
fn saving_and_resuming_goes_on_bit_for_bit_for_every_cell_and_optimizer() {
    let text = text();
    let cells = [
        CellKind::Rnn(Activation::Tanh),
        CellKind::Lstm,
        CellKind::Gru,
    ];
    for cell in cells {
        for optimizer in OPTIMIZERS {
            let what = format!("{} with {}", cell.name(), optimizer.name());
            let config = config(optimizer);
            // 25 steps, then 25 more: the break falls mid-pass (not on a wrap) and the second half wraps.
            let mut whole = Trainer::new(model(cell, &text), &text, config).unwrap();
            let want = steps(&mut whole, 50);

            let mut first = Trainer::new(model(cell, &text), &text, config).unwrap();
            let mut got = steps(&mut first, 25);
            let model_bytes = model_file::to_bytes(first.model(), &BTreeMap::new());
            let state = first.training_state();
            let smooth_loss = first.smooth_loss();
            drop(first);

            let mut resumed = reload(&model_bytes, &text, config);
            assert_eq!(resumed.resume(&state), Ok(Resumed::Exactly), "{what}");
            assert_eq!(resumed.steps_done(), 25, "{what}");
            assert_eq!(
                resumed.smooth_loss().to_bits(),
                smooth_loss.to_bits(),
                "{what}"
            );
            got.extend(steps(&mut resumed, 25));
            assert_eq!(bits(&got), bits(&want), "{what}: losses");
            assert_eq!(
                bits(&resumed.model().params),
                bits(&whole.model().params),
                "{what}: weights after 50 steps"
            );

            // Without the state the same weights go elsewhere: the state is what makes the run the same.
            let mut fresh_optimizer = reload(&model_bytes, &text, config);
            steps(&mut fresh_optimizer, 25);
            assert_ne!(
                bits(&fresh_optimizer.model().params),
                bits(&whole.model().params),
                "{what}"
            );
        }
    }
}

/// A trainer after `n` Adam steps on [`text`], with its model file and training state as they were then.
fn trained(cell: CellKind, n: usize) -> (Trainer, Vec<u8>, Vec<u8>) {
    let text = text();
    let mut trainer = Trainer::new(model(cell, &text), &text, config(OptimizerKind::Adam)).unwrap();
    steps(&mut trainer, n);
    let model_bytes = model_file::to_bytes(trainer.model(), &BTreeMap::new());
    let state = trainer.training_state();
    (trainer, model_bytes, state)
}

#[test]
fn another_text_or_window_shape_brings_back_the_optimizer_only() {
    let (text, config) = (text(), config(OptimizerKind::Adam));
    let (_, model_bytes, state) = trained(CellKind::Lstm, 10);

    let other_text: String = text.chars().rev().collect();
    let mut on_other_text = reload(&model_bytes, &other_text, config);
    match on_other_text.resume(&state) {
        Ok(Resumed::OptimizerOnly(why)) => assert!(why.contains("text"), "{why}"),
        other => panic!("another text: {other:?}"),
    }
    assert_eq!(on_other_text.steps_done(), 10);

    let wider = TrainConfig { batch: 2, ..config };
    let mut with_other_batch = reload(&model_bytes, &text, wider);
    match with_other_batch.resume(&state) {
        Ok(Resumed::OptimizerOnly(why)) => {
            assert!(why.contains("batch 4") && why.contains("2"), "{why}")
        }
        other => panic!("another batch: {other:?}"),
    }
    // The optimizer state is the saved one: the next step differs from a fresh optimizer's.
    let mut fresh = reload(&model_bytes, &text, wider);
    with_other_batch.step().unwrap();
    fresh.step().unwrap();
    assert_ne!(
        bits(&with_other_batch.model().params),
        bits(&fresh.model().params)
    );
}

#[test]
fn a_corrupt_or_foreign_state_is_refused_with_the_reason_and_changes_nothing() {
    let (text, config) = (text(), config(OptimizerKind::Adam));
    let (mut trainer, model_bytes, state) = trained(CellKind::Gru, 5);
    steps(&mut trainer, 1);
    let later_state = trainer.training_state();
    let sgd_state = {
        let sgd = TrainConfig {
            optimizer: OptimizerKind::Sgd { momentum: 0.9 },
            ..config
        };
        reload(&model_bytes, &text, sgd).training_state()
    };

    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("empty", Vec::new(), "not a readable safetensors file"),
        (
            "truncated",
            state[..state.len() / 2].to_vec(),
            "not a readable safetensors file",
        ),
        ("a model file", model_bytes.clone(), "no \"format\" entry"),
        ("saved after one more step", later_state, "other weights"),
        (
            "for SGD",
            sgd_state,
            "holds sgd state, but this run uses adam",
        ),
    ];
    for (what, bytes, needle) in cases {
        let mut resumed = reload(&model_bytes, &text, config);
        match resumed.resume(&bytes) {
            Err(Error::TrainingState(m)) => assert!(m.contains(needle), "{what}: {m}"),
            other => panic!("{what}: {other:?}"),
        }
        // Unchanged: it steps exactly as a trainer that never saw the file.
        let mut untouched = reload(&model_bytes, &text, config);
        assert_eq!(resumed.steps_done(), 0, "{what}");
        assert_eq!(
            bits(&steps(&mut resumed, 3)),
            bits(&steps(&mut untouched, 3)),
            "{what}"
        );
        assert_eq!(
            bits(&resumed.model().params),
            bits(&untouched.model().params),
            "{what}"
        );
    }
    // And the right file still works after all that.
    assert_eq!(
        reload(&model_bytes, &text, config).resume(&state),
        Ok(Resumed::Exactly)
    );
}
