//! Training: determinism, the starting loss, overfitting a toy, every optimizer (and its update rule against
//! PyTorch), divergence handling, refused settings, data wrap and validation.
#![cfg(not(target_arch = "wasm32"))] // reads files or runs long numeric sweeps; tests/wasm.rs covers wasm

mod common;

use common::{assert_no_failures, compare, fixture_bytes, fixture_json, floats};
use rnnscope::cell::Activation;
use rnnscope::optim::{clip_grad_norm, Optimizer};
use rnnscope::schedule::{Decay, Schedule};
use rnnscope::trainer::parallel::{PartDone, PartRunner};
use rnnscope::{
    corpus, eval, model_file, CellKind, Error, Model, OptimizerKind, StepReport, TrainConfig,
    Trainer, Vocab,
};

/// Each rule of the PyTorch fixtures (scripts/make_fixtures.py, `OPTIMIZERS`) with its weight decay.
const OPTIMIZERS: [(&str, OptimizerKind, f32); 6] = [
    ("adam", OptimizerKind::Adam, 0.0),
    ("adamw", OptimizerKind::AdamW, 0.01),
    ("rmsprop", OptimizerKind::RmsProp, 0.0),
    ("adagrad", OptimizerKind::Adagrad, 0.0),
    ("sgd", OptimizerKind::Sgd { momentum: 0.9 }, 0.0),
    ("sgd_l2", OptimizerKind::Sgd { momentum: 0.9 }, 0.01),
];

/// A schedule as the fixtures write it: `{"warmup": W, "decay": ["cosine", S, min] | ["step", N, γ] | ["constant"]}`.
fn schedule_of(json: &serde_json::Value) -> Schedule {
    let decay = json["decay"].as_array().unwrap();
    let num = |i: usize| decay.get(i).and_then(|v| v.as_f64());
    Schedule::parse(
        decay[0].as_str().unwrap(),
        json["warmup"].as_u64().unwrap(),
        num(1).map(|s| s as u64),
        num(2).unwrap_or(0.0) as f32,
        num(2).unwrap_or(0.1) as f32,
    )
    .unwrap()
}

/// About 1200 characters of the project's own prose.
fn small_text() -> String {
    corpus::get("about").unwrap().chars().take(1200).collect()
}

fn fresh(cell: CellKind, hidden: usize, text: &str, seed: u64) -> Model {
    Model::new(cell, hidden, 1, Vocab::from_text(text).unwrap(), seed).unwrap()
}

/// Every cell kind, for the data-parallel tests.
const CELLS: [CellKind; 3] = [
    CellKind::Lstm,
    CellKind::Gru,
    CellKind::Rnn(Activation::Tanh),
];

/// A batch of 12 streams, for the data-parallel tests.
fn batched() -> TrainConfig {
    TrainConfig {
        seq_len: 16,
        batch: 12,
        ..config(OptimizerKind::Adam, 3e-3)
    }
}

fn config(optimizer: OptimizerKind, lr: f32) -> TrainConfig {
    TrainConfig {
        seq_len: 16,
        batch: 4,
        optimizer,
        lr,
        clip: 5.0,
        val_fraction: 0.0,
        ..TrainConfig::default()
    }
}

fn train(model: Model, text: &str, config: TrainConfig, steps: usize) -> (Model, Vec<f32>) {
    let mut trainer = Trainer::new(model, text, config).unwrap();
    let losses = (0..steps)
        .map(|i| {
            trainer
                .step()
                .unwrap_or_else(|e| panic!("step {i}: {e}"))
                .loss
        })
        .collect();
    (trainer.into_model(), losses)
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn same_seed_same_run_bit_for_bit_different_seed_different_run() {
    let text = small_text();
    let run = |seed| {
        let model = fresh(CellKind::Lstm, 24, &text, seed);
        train(model, &text, config(OptimizerKind::Adam, 5e-3), 25)
    };
    let (a, losses_a) = run(7);
    let (b, losses_b) = run(7);
    assert_eq!(bits(&a.params), bits(&b.params));
    assert_eq!(bits(&losses_a), bits(&losses_b));
    let (c, losses_c) = run(8);
    assert_ne!(bits(&a.params), bits(&c.params));
    assert_ne!(bits(&losses_a), bits(&losses_c));
}

#[test]
fn a_fresh_model_starts_near_ln_v_and_smooth_loss_starts_at_ln_v() {
    let text = small_text();
    for cell in [
        CellKind::Rnn(Activation::Tanh),
        CellKind::Rnn(Activation::Relu),
        CellKind::Lstm,
        CellKind::Gru,
    ] {
        let model = fresh(cell, 64, &text, 3);
        let ln_v = (model.config.vocab_size as f32).ln();
        let mut trainer = Trainer::new(model, &text, config(OptimizerKind::Adam, 2e-3)).unwrap();
        assert_eq!(trainer.smooth_loss(), ln_v, "{cell:?}");
        let first = trainer.step().unwrap();
        assert!(
            (first.loss - ln_v).abs() < 0.1,
            "{cell:?}: first loss {} vs ln V {ln_v}",
            first.loss
        );
        // The moving average moved 1% of the way from ln V towards the first loss.
        let expected = 0.99 * ln_v + 0.01 * first.loss;
        assert!((first.smooth_loss - expected).abs() < 1e-6);
        assert_eq!(first.step, 1);
        assert_eq!(first.chars, 16 * 4);
    }
}

#[test]
fn hello_corpus_is_overfit_by_every_cell() {
    let text = corpus::get("hello").unwrap();
    for cell in [
        CellKind::Lstm,
        CellKind::Gru,
        CellKind::Rnn(Activation::Tanh),
    ] {
        let model = common::hello_trained(cell);
        let loss = eval::loss(&model, &text).unwrap();
        assert!(
            loss < 0.05,
            "{cell:?}: loss {loss} nats/char after training"
        );
    }
}

#[test]
fn every_optimizer_reduces_the_loss() {
    let text = small_text();
    for (name, kind, lr) in [
        ("adam", OptimizerKind::Adam, 1e-2),
        ("rmsprop", OptimizerKind::RmsProp, 3e-3),
        ("adagrad", OptimizerKind::Adagrad, 5e-2),
        ("sgd", OptimizerKind::Sgd { momentum: 0.9 }, 0.1),
    ] {
        let model = fresh(CellKind::Gru, 32, &text, 5);
        let before = eval::loss(&model, &text).unwrap();
        let (model, _) = train(model, &text, config(kind, lr), 150);
        let after = eval::loss(&model, &text).unwrap();
        assert!(
            after < before - 0.5,
            "{name}: loss {before} → {after}, expected a drop of at least 0.5 nats/char"
        );
    }
}

/// Compares with `torch.optim` (scripts/make_fixtures.py, `write_optim`):
///
/// ```python
/// p = p0.clone().requires_grad_(True); opt = make([p], lr)    # Adam, AdamW, RMSprop, Adagrad, SGD (± L2)
/// for grad in grads:                                          # 4 steps, gradient norms ~6, ~0.4, ~10, ~0.1
///     opt.zero_grad(); p.grad = grad.clone()
///     torch.nn.utils.clip_grad_norm_([p], max_norm)           # max_norm 1: steps 1 and 3 clip
///     opt.step(); after.append(p.detach().tolist())
/// ```
#[test]
fn update_rules_and_clipping_match_pytorch() {
    let reference = fixture_json("optim.json");
    let lr = reference["lr"].as_f64().unwrap() as f32;
    let clip = reference["clip"].as_f64().unwrap() as f32;
    let p0: Vec<f32> = floats(&reference["params"])
        .iter()
        .map(|&x| x as f32)
        .collect();
    let grads: Vec<Vec<f32>> = reference["grads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| floats(g).iter().map(|&x| x as f32).collect())
        .collect();
    let mut failures = Vec::new();
    for (name, kind, weight_decay) in OPTIMIZERS {
        let mut opt = Optimizer::new(kind, lr, p0.len());
        opt.weight_decay = weight_decay;
        let mut p = p0.clone();
        let mut clipped = Vec::new();
        for (k, g) in grads.iter().enumerate() {
            let mut g = g.clone();
            clipped.push(clip_grad_norm(&mut g, clip).1);
            opt.update(&mut p, &mut g);
            let expected = floats(&reference["after"][name][k]);
            compare(
                &format!("{name} after step {}", k + 1),
                &expected,
                &p,
                2e-6,
                &mut failures,
            );
        }
        assert_eq!(clipped, [true, false, true, false], "{name}");
    }
    assert_no_failures("optimizers vs torch.optim", &failures);
}

/// Learning-rate schedules against `torch.optim.lr_scheduler` (scripts/make_fixtures.py, `write_schedules`): the
/// rate of each of 40 steps of LinearLR warm-ups followed by CosineAnnealingLR or StepLR in a SequentialLR (a
/// cosine up to its last step).
#[test]
fn schedules_match_torch_lr_schedulers() {
    let reference = fixture_json("schedules.json");
    let mut failures = Vec::new();
    for run in reference.as_array().unwrap() {
        let schedule = schedule_of(run);
        let lr = run["lr"].as_f64().unwrap() as f32;
        schedule.validate(lr).unwrap();
        let mut expected = floats(&run["lrs"]);
        // After a cosine's last step PyTorch's rate rises again; rnnscope's stays at its floor.
        if let Decay::Cosine { steps, .. } = schedule.decay {
            expected.truncate(steps as usize + 1);
        }
        let got: Vec<f32> = (0..expected.len() as u64)
            .map(|k| schedule.lr(lr, k))
            .collect();
        compare(
            &format!("{schedule:?}"),
            &expected,
            &got,
            1e-6,
            &mut failures,
        );
    }
    assert_no_failures("schedules vs torch.optim.lr_scheduler", &failures);
}

/// The whole trainer against PyTorch (scripts/make_fixtures.py, `write_training`): the lstm_1 fixture model,
/// seq_len 4, batch 2, clip 0.45, three steps (the third wraps), each optimizer:
///
/// ```python
/// if pos + T >= stream_len: pos, state, wrapped = 0, None, True
/// x[k, s, streams[s][pos + k]] = 1; y[k, s] = streams[s][pos + k + 1]
/// logits, state = model(x, state); state = state.detach()
/// loss = F.cross_entropy(logits.reshape(T * B, V), y.reshape(T * B)); loss.backward()
/// norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip); opt.step(); pos += T
/// ```
/// The same steps against PyTorch with the batch split over threads, one stream each (the data-parallel path).
#[test]
fn trainer_steps_match_pytorch_on_two_threads() {
    trainer_steps_match_pytorch(2, false);
}

#[test]
fn trainer_steps_match_pytorch_for_every_optimizer() {
    trainer_steps_match_pytorch(1, false);
}

/// As the page trains on two Web Workers: each step shared with a [`PartRunner`].
#[test]
fn trainer_steps_match_pytorch_shared_with_a_second_worker() {
    trainer_steps_match_pytorch(2, true);
}

/// One step as the page takes it on workers: with a runner per group but one, the first group here and each other
/// by a runner (given a copy of the weights, as a worker is sent them); with a runner per group, every group by a
/// runner. Summed by the trainer either way.
fn shared_step(t: &mut Trainer, runners: &mut [PartRunner]) -> Result<StepReport, Error> {
    let works = t.begin_shared_step()?;
    let here = usize::from(runners.len() < works.len());
    let params = t.model().params.clone();
    let done: Vec<PartDone> = works[here..]
        .iter()
        .zip(runners.iter_mut())
        .map(|(w, r)| r.run(&params, w).unwrap())
        .collect();
    if here == 1 {
        t.run_first_part()?;
    }
    t.finish_shared_step(&done)
}

fn runners(model: &Model, n: usize) -> Vec<PartRunner> {
    (0..n).map(|_| PartRunner::new(model.clone())).collect()
}

fn trainer_steps_match_pytorch(threads: usize, shared: bool) {
    let mut failures = Vec::new();
    for (name, kind, weight_decay) in OPTIMIZERS {
        let reference = fixture_json(&format!("train_{name}.json"));
        let case = reference["case"].as_str().unwrap();
        let (model, _) =
            model_file::from_bytes(&fixture_bytes(&format!("{case}.safetensors"))).unwrap();
        let text = fixture_json(&format!("{case}.json"))["text"]
            .as_str()
            .unwrap()
            .to_string();
        let cfg = TrainConfig {
            seq_len: reference["seq_len"].as_u64().unwrap() as usize,
            batch: reference["batch"].as_u64().unwrap() as usize,
            optimizer: kind,
            lr: reference["lr"].as_f64().unwrap() as f32,
            clip: reference["clip"].as_f64().unwrap() as f32,
            val_fraction: 0.0,
            weight_decay,
            schedule: reference
                .get("schedule")
                .map_or_else(Schedule::default, schedule_of),
            ..TrainConfig::default()
        };
        let mut others = runners(&model, threads - 1);
        let mut trainer = Trainer::new(model, &text, cfg).unwrap();
        trainer.set_threads(threads).unwrap();
        assert_eq!(trainer.groups_used(), threads.min(cfg.batch));
        let (mut clipped_any, mut unclipped_any) = (false, false);
        for (k, expected) in reference["steps"].as_array().unwrap().iter().enumerate() {
            let report = if shared {
                shared_step(&mut trainer, &mut others).unwrap()
            } else {
                trainer.step().unwrap()
            };
            let want = expected["loss"].as_f64().unwrap();
            if (f64::from(report.loss) - want).abs() > 1e-5 * want {
                failures.push(format!(
                    "{name} step {}: loss expected {want:.7} got {:.7}",
                    k + 1,
                    report.loss
                ));
            }
            assert_eq!(
                report.wrapped,
                expected["wrapped"].as_bool().unwrap(),
                "{name} step {}",
                k + 1
            );
            let norm = expected["grad_norm"].as_f64().unwrap();
            if (f64::from(report.grad_norm) - norm).abs() > 1e-4 * norm {
                failures.push(format!(
                    "{name} step {}: gradient norm expected {norm:.7} got {:.7}",
                    k + 1,
                    report.grad_norm
                ));
            }
            assert_eq!(
                report.clipped,
                norm > f64::from(cfg.clip),
                "{name} step {}",
                k + 1
            );
            clipped_any |= report.clipped;
            unclipped_any |= !report.clipped;
            let model = trainer.model();
            for spec in &model.layout.tensors {
                compare(
                    &format!("{name} step {} {}", k + 1, spec.name),
                    &floats(&expected["params"][&spec.name]),
                    &model.params[spec.range.clone()],
                    2e-5,
                    &mut failures,
                );
            }
        }
        assert!(
            clipped_any,
            "{name}: clipping should have been active at least once"
        );
        assert!(
            unclipped_any || name != "adam",
            "adam: one step should not clip"
        );
    }
    assert_no_failures(
        &format!("trainer on {threads} thread(s) (shared with other workers: {shared}) vs PyTorch"),
        &failures,
    );
}

/// Data-parallel steps: the same thread count gives the same run bit for bit; 1, 2 and 3 threads agree to float
/// rounding (every step's loss within 1e-5 relative, the weights after 30 Adam steps within 2e-4), for every cell.
#[test]
fn threads_repeat_bit_for_bit_and_agree_with_one_thread() {
    let text = corpus::get("brackets").unwrap();
    for cell in CELLS {
        let cfg = batched();
        let run = |threads: usize| {
            let mut t = Trainer::new(fresh(cell, 24, &text, 9), &text, cfg).unwrap();
            t.set_threads(threads).unwrap();
            assert_eq!(t.groups_used(), threads);
            let losses: Vec<f32> = (0..30).map(|_| t.step().unwrap().loss).collect();
            (losses, t.model().params.clone())
        };
        let (one, p1) = run(1);
        let (two, p2) = run(2);
        let (two_again, p2_again) = run(2);
        let (three, p3) = run(3);
        assert_eq!(bits(&two), bits(&two_again), "{cell:?}: two threads, twice");
        assert_eq!(bits(&p2), bits(&p2_again));
        for (k, (a, others)) in one.iter().zip(two.iter().zip(&three)).enumerate() {
            for b in [others.0, others.1] {
                assert!(
                    (a - b).abs() <= 1e-5 * a.abs(),
                    "{cell:?} step {}: 1 thread {a}, more {b}",
                    k + 1
                );
            }
        }
        let worst = |q: &[f32]| {
            p1.iter()
                .zip(q)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max)
        };
        assert!(
            worst(&p2) < 2e-4 && worst(&p3) < 2e-4,
            "{cell:?}: weights differ by {} / {}",
            worst(&p2),
            worst(&p3)
        );
        assert!(
            bits(&p1) != bits(&p2),
            "{cell:?}: the split path did not run (bit-identical to one thread)"
        );
    }
    let mut t = Trainer::new(
        fresh(CellKind::Lstm, 8, &text, 1),
        &text,
        config(OptimizerKind::Adam, 1e-3),
    )
    .unwrap();
    for bad in [0, 65] {
        assert!(t
            .set_threads(bad)
            .unwrap_err()
            .to_string()
            .contains("threads"));
    }
}

/// The page's two-worker steps are the two-thread steps, bit for bit, for every cell and across a wrap of the
/// data, with the first part computed by the trainer's own worker or by another; three parts too.
#[test]
fn shared_steps_are_the_threaded_steps_bit_for_bit() {
    let text: String = corpus::get("brackets")
        .unwrap()
        .chars()
        .take(3000)
        .collect();
    for cell in CELLS {
        let cfg = batched();
        // Two or three parts, the first computed here or elsewhere too.
        for (parts, elsewhere) in [(2, 1), (2, 2), (3, 2), (3, 3)] {
            let model = fresh(cell, 24, &text, 5);
            let mut threaded = Trainer::new(model.clone(), &text, cfg).unwrap();
            threaded.set_threads(parts).unwrap();
            let mut shared = Trainer::new(model.clone(), &text, cfg).unwrap();
            shared.set_threads(parts).unwrap();
            let mut others = runners(&model, elsewhere);
            let mut wrapped = false;
            for k in 0..24 {
                let a = threaded.step().unwrap();
                let b = shared_step(&mut shared, &mut others).unwrap();
                assert_eq!(a, b, "{cell:?}, {parts} parts, step {}", k + 1);
                wrapped |= a.wrapped;
            }
            assert!(wrapped, "the data should have wrapped within 24 steps");
            assert_eq!(
                bits(&threaded.model().params),
                bits(&shared.model().params),
                "{cell:?}, {parts} parts"
            );
        }
    }
}

/// A change between the start and the end of a shared step drops the step; answers that do not fit are refused;
/// the trainer goes on either way.
#[test]
fn a_shared_step_in_flight_is_dropped_by_a_change_and_checks_its_answers() {
    let text = small_text();
    let model = fresh(CellKind::Lstm, 16, &text, 3);
    let mut t = Trainer::new(model.clone(), &text, config(OptimizerKind::Adam, 1e-3)).unwrap();
    assert!(t
        .begin_shared_step()
        .unwrap_err()
        .to_string()
        .contains("not split"));
    t.set_threads(2).unwrap();
    let mut runner = PartRunner::new(model.clone());
    let before = t.model().params.clone();
    let works = t.begin_shared_step().unwrap();
    assert_eq!(works.len(), 2, "the work of every group");
    let done = runner.run(&before, &works[1]).unwrap();
    assert!(t.shared_step_in_flight());
    t.set_text(&text).unwrap();
    assert!(!t.shared_step_in_flight());
    let err = t
        .finish_shared_step(std::slice::from_ref(&done))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no shared step is in flight"), "{err}");
    assert_eq!(t.model().params, before, "a dropped step changes nothing");
    t.begin_shared_step().unwrap();
    t.run_first_part().unwrap();
    let mut short = done.clone();
    short.grads.pop();
    assert!(t
        .finish_shared_step(&[short])
        .unwrap_err()
        .to_string()
        .contains("does not fit"));
    assert!(t
        .finish_shared_step(&[])
        .unwrap_err()
        .to_string()
        .contains("answers"));
    // The runner refuses weights and work of another shape, and characters outside the vocabulary.
    assert!(runner
        .run(&before[1..], &works[1])
        .unwrap_err()
        .to_string()
        .contains("does not fit"));
    let mut bad = works[1].clone();
    bad.inputs[0] = 10_000;
    assert!(runner
        .run(&before, &bad)
        .unwrap_err()
        .to_string()
        .contains("outside the vocabulary"));
    let mut short = works[1].clone();
    short.h.pop();
    assert!(runner.run(&before, &short).is_err());
    assert!(shared_step(&mut t, &mut [runner]).is_ok());
    assert!(t.step().is_ok());
}

/// SGD with lr 10 and no clipping blows a GRU up within a few dozen steps (deterministically, for this seed).
#[test]
fn an_absurd_learning_rate_is_caught_rolled_back_and_recoverable() {
    let text = small_text();
    let model = fresh(CellKind::Gru, 32, &text, 11);
    let ln_v = (model.config.vocab_size as f32).ln();
    let mut cfg = config(OptimizerKind::Sgd { momentum: 0.0 }, 10.0);
    cfg.clip = 0.0;
    let mut trainer = Trainer::new(model, &text, cfg).unwrap();
    // snapshots[i] = parameters after i successful steps; losses[i] = loss of step i + 1.
    let mut snapshots = vec![trainer.model().params.clone()];
    let mut losses = Vec::new();
    let error = loop {
        match trainer.step() {
            Ok(r) => {
                snapshots.push(trainer.model().params.clone());
                losses.push(r.loss);
            }
            Err(e) => break e,
        }
        assert!(snapshots.len() < 100, "lr 10 with SGD never diverged");
    };
    let Error::Diverged(message) = &error else {
        panic!("expected Error::Diverged, got {error:?}")
    };
    assert!(message.contains("exploded"), "{message}");
    assert!(message.contains("learning rate"), "{message}");
    assert!(message.contains("rolled back"), "{message}");
    assert!(
        message.contains(&format!("step {}", losses.len() + 1)),
        "{message}"
    );
    let params = &trainer.model().params;
    assert!(params.iter().all(|p| p.is_finite()));
    // Back to the parameters of the last step whose window loss was healthy (at most 3 ln V).
    let last_healthy = losses
        .iter()
        .rposition(|&l| l <= 3.0 * ln_v)
        .expect("the first steps are healthy");
    assert!(
        last_healthy + 1 < losses.len(),
        "the run should include unhealthy steps before stopping: {losses:?}"
    );
    assert_eq!(
        bits(params),
        bits(&snapshots[last_healthy]),
        "after {message}; losses {losses:?}"
    );
    assert!(trainer.smooth_loss() <= ln_v);
    // Training continues once the learning rate is sane.
    trainer.set_lr(1e-3).unwrap();
    for _ in 0..10 {
        let r = trainer.step().unwrap();
        assert!(r.loss.is_finite() && r.grad_norm.is_finite());
    }
}

#[test]
fn huge_weights_explode_the_loss_and_nothing_changes() {
    let text = small_text();
    let mut model = fresh(CellKind::Gru, 16, &text, 2);
    for p in &mut model.params {
        *p *= 1000.0;
    }
    let before = model.params.clone();
    let mut trainer = Trainer::new(model, &text, config(OptimizerKind::Adam, 1e-3)).unwrap();
    match trainer.step() {
        Err(Error::Diverged(m)) => assert!(m.contains("exploded") && m.contains("step 1"), "{m}"),
        other => panic!("expected Error::Diverged, got {other:?}"),
    }
    assert_eq!(bits(&trainer.model().params), bits(&before));
    assert_eq!(trainer.steps_done(), 0);
}

#[track_caller]
fn expect_config_error(result: Result<Trainer, Error>, needles: &[&str]) {
    match result {
        Err(Error::Config(m)) => {
            for n in needles {
                assert!(m.contains(n), "the message {m:?} should mention {n:?}");
            }
        }
        Err(other) => panic!("expected Error::Config, got {other:?}"),
        Ok(_) => panic!("accepted, but should have been refused ({needles:?})"),
    }
}

#[test]
fn absurd_settings_are_refused_with_clear_messages() {
    let text = small_text();
    let model = || fresh(CellKind::Lstm, 8, &text, 1);
    let base = config(OptimizerKind::Adam, 1e-3);
    let with = |f: &dyn Fn(&mut TrainConfig)| {
        let mut c = base;
        f(&mut c);
        Trainer::new(model(), &text, c)
    };
    expect_config_error(with(&|c| c.seq_len = 0), &["seq_len 0"]);
    expect_config_error(with(&|c| c.seq_len = 1_000_000), &["seq_len"]);
    expect_config_error(with(&|c| c.batch = 1_000_000), &["batch 1000000"]);
    expect_config_error(with(&|c| c.batch = 0), &["batch 0"]);
    for lr in [f32::NAN, -1e-3, 0.0, f32::INFINITY, 1e6] {
        expect_config_error(with(&|c| c.lr = lr), &["learning rate"]);
    }
    for clip in [f32::NAN, -1.0, f32::INFINITY] {
        expect_config_error(with(&|c| c.clip = clip), &["clip"]);
    }
    for v in [0.9, -0.1, f32::NAN] {
        expect_config_error(with(&|c| c.val_fraction = v), &["validation fraction"]);
    }
    for momentum in [1.0, -0.5, f32::NAN] {
        expect_config_error(
            with(&|c| c.optimizer = OptimizerKind::Sgd { momentum }),
            &["momentum"],
        );
    }
    // Windows whose activations would not fit in memory.
    let big = Model::new(CellKind::Lstm, 1024, 4, Vocab::from_text(&text).unwrap(), 1).unwrap();
    let mut c = base;
    c.seq_len = 4096;
    c.batch = 1024;
    expect_config_error(Trainer::new(big, &text, c), &["MiB"]);
    // Model shapes.
    let vocab = Vocab::from_text(&text).unwrap();
    for (hidden, layers, needle) in [
        (10_000_000, 1, "hidden size 10000000"),
        (0, 1, "hidden size 0"),
        (8, 0, "0 layers"),
        (8, 1000, "1000 layers"),
        (4096, 16, "parameters"),
    ] {
        match Model::new(CellKind::Gru, hidden, layers, vocab.clone(), 1) {
            Err(Error::Config(m)) => assert!(m.contains(needle), "{m:?} should mention {needle:?}"),
            other => panic!("H={hidden} L={layers}: expected Error::Config, got {other:?}"),
        }
    }
    // Settings changed later are checked the same way.
    let mut trainer = Trainer::new(model(), &text, base).unwrap();
    assert!(matches!(trainer.set_lr(f32::NAN), Err(Error::Config(_))));
    assert!(matches!(trainer.set_lr(-1.0), Err(Error::Config(_))));
    assert!(matches!(trainer.set_clip(f32::NAN), Err(Error::Config(_))));
    assert!(matches!(trainer.set_clip(-2.0), Err(Error::Config(_))));
    assert_eq!(trainer.config().lr, base.lr);
    assert_eq!(trainer.config().clip, base.clip);
}

#[test]
fn unusable_texts_are_refused() {
    let text = "hello world, hello rnn";
    let model = || Model::new(CellKind::Gru, 4, 1, Vocab::from_text(text).unwrap(), 1).unwrap();
    let cfg = |seq_len, batch, val_fraction| TrainConfig {
        seq_len,
        batch,
        val_fraction,
        ..TrainConfig::default()
    };
    // 22 characters: batch 2 × (seq_len 10 + 1) = 22 fits exactly, seq_len 11 does not.
    assert!(Trainer::new(model(), text, cfg(10, 2, 0.0)).is_ok());
    match Trainer::new(model(), text, cfg(11, 2, 0.0)) {
        Err(Error::Text(m)) => assert!(m.contains("22") && m.contains("24"), "{m}"),
        other => panic!("expected Error::Text, got {:?}", other.err()),
    }
    // The held-out part does not count as training text.
    assert!(matches!(
        Trainer::new(model(), text, cfg(10, 2, 0.2)),
        Err(Error::Text(_))
    ));
    assert!(matches!(
        Trainer::new(model(), "", cfg(1, 1, 0.0)),
        Err(Error::Text(_))
    ));
    match Trainer::new(model(), "hello world, hello RNN!", cfg(2, 1, 0.0)) {
        Err(Error::Text(m)) => assert!(m.contains("'R'") && m.contains("'!'"), "{m}"),
        other => panic!("expected Error::Text, got {:?}", other.err()),
    }
}

/// With a learning rate so small the update vanishes in f32 rounding, the loss of a step depends only on its
/// window and the state it starts from; so a step that restarts the streams has exactly the first step's loss.
#[test]
fn wrapped_is_reported_exactly_when_the_streams_restart() {
    let text: String = small_text().chars().take(50).collect();
    let model = fresh(CellKind::Lstm, 8, &text, 4);
    let start = model.params.clone();
    let cfg = TrainConfig {
        seq_len: 5,
        batch: 2,
        optimizer: OptimizerKind::Sgd { momentum: 0.0 },
        lr: 1e-30,
        clip: 0.0,
        val_fraction: 0.0,
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(model, &text, cfg).unwrap();
    let reports: Vec<_> = (0..13).map(|_| trainer.step().unwrap()).collect();
    assert_eq!(
        bits(&trainer.model().params),
        bits(&start),
        "the update should vanish"
    );
    // Streams of 25 characters: windows start at 0, 5, 10, 15; the one at 20 has no target for its last
    // character, so the fifth step starts again from 0.
    let wrapped: Vec<bool> = reports.iter().map(|r| r.wrapped).collect();
    let expected: Vec<bool> = (0..13).map(|i| i > 0 && i % 4 == 0).collect();
    assert_eq!(wrapped, expected);
    for (i, r) in reports.iter().enumerate() {
        assert!(
            r.loss == reports[i % 4].loss,
            "step {}: loss {} should repeat step {}'s {}",
            i + 1,
            r.loss,
            i % 4 + 1,
            reports[i % 4].loss
        );
    }
    assert_ne!(reports[0].loss, reports[1].loss);
    // Replacing the text restarts the streams.
    trainer.set_text(&text).unwrap();
    let r = trainer.step().unwrap();
    assert_eq!(r.loss, reports[0].loss);
}

#[test]
fn validation_loss_is_the_loss_of_the_held_out_tail() {
    // Multi-byte characters: the split is by characters, not bytes.
    let text: String = "日本語のテキスト — é à ü; ".repeat(20) + &small_text();
    let model = fresh(CellKind::Gru, 12, &text, 6);
    let mut cfg = config(OptimizerKind::Adam, 1e-2);
    cfg.val_fraction = 0.2;
    let chars: Vec<char> = text.chars().collect();
    let n_val = (chars.len() as f64 * f64::from(cfg.val_fraction)) as usize;
    let tail: String = chars[chars.len() - n_val..].iter().collect();
    let mut trainer = Trainer::new(model, &text, cfg).unwrap();
    for _ in 0..5 {
        trainer.step().unwrap();
    }
    let expected = eval::loss(trainer.model(), &tail).unwrap();
    assert_eq!(trainer.validation_loss(usize::MAX), Some(expected));
    let first_100: String = tail.chars().take(100).collect();
    assert_eq!(
        trainer.validation_loss(100),
        Some(eval::loss(trainer.model(), &first_100).unwrap())
    );
    // The training part is the rest: the held-out tail is never trained on, so a text that is all tail
    // differs from the training text's loss.
    assert_ne!(
        trainer.validation_loss(usize::MAX),
        Some(eval::loss(trainer.model(), &text).unwrap())
    );
    let mut no_val = config(OptimizerKind::Adam, 1e-2);
    no_val.val_fraction = 0.0;
    let trainer = Trainer::new(fresh(CellKind::Gru, 12, &text, 6), &text, no_val).unwrap();
    assert_eq!(trainer.validation_loss(usize::MAX), None);
}
