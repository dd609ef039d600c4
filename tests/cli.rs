//! The `rnnscope` binary end to end: each test runs the real executable on tiny models and checks what it
//! writes (files, stdout, stderr, exit code). Temporary files live in a directory per test.
//! Native only: the CLI is not built for wasm.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{assert_no_failures, compare, fixture_json, fixture_path, max_abs, CASES};
use rnnscope::{eval, model_file};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_rnnscope");

/// A fresh, empty directory for one test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rnnscope-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and insists on success, showing stderr otherwise.
fn ok(dir: &Path, args: &[&str]) -> Output {
    let o = run_in(dir, args);
    assert!(
        o.status.success(),
        "rnnscope {args:?} failed ({:?}):\n{}",
        o.status.code(),
        stderr(&o)
    );
    o
}

/// A small model trained for a few steps on the hello toy, saved as `name` in `dir`; flags in `extra`
/// replace the defaults.
fn train_small(dir: &Path, name: &str, extra: &[&str]) {
    let defaults = [
        ("--steps", "30"),
        ("--hidden", "8"),
        ("--seq-len", "8"),
        ("--sample-length", "0"),
    ];
    let mut args = vec!["train", "--out", name];
    for (flag, value) in defaults {
        if !extra.contains(&flag) {
            args.extend_from_slice(&[flag, value]);
        }
    }
    args.extend_from_slice(extra);
    ok(dir, &args);
}

/// The first `n` characters of the default corpus (what the binary trains on by default).
fn hello(n: usize) -> String {
    rnnscope::corpus::get(rnnscope::corpus::DEFAULT)
        .unwrap()
        .chars()
        .take(n)
        .collect()
}

fn losses(log: &Path) -> Vec<f32> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("each line is JSON");
            v["loss"].as_f64().unwrap() as f32
        })
        .collect()
}

fn metadata(path: &Path) -> std::collections::BTreeMap<String, String> {
    model_file::load(path).unwrap().1
}

#[test]
fn train_help_lists_every_flag() {
    let o = ok(&temp_dir("help"), &["train", "--help"]);
    let help = stdout(&o);
    for flag in [
        "--corpus",
        "--cell",
        "--nonlinearity",
        "--hidden",
        "--layers",
        "--seq-len",
        "--batch",
        "--optimizer",
        "--lr",
        "--clip",
        "--steps",
        "--time",
        "--seed",
        "--val-fraction",
        "--val-every",
        "--val-chars",
        "--out",
        "--checkpoint-every",
        "--resume",
        "--log-jsonl",
        "--sample-length",
        "--threads",
        "--dtype",
        "--weight-decay",
        "--dropout",
        "--schedule",
        "--warmup",
        "--schedule-steps",
        "--min-lr",
        "--gamma",
    ] {
        assert!(help.contains(flag), "train --help does not mention {flag}");
    }
    for sub in ["sample", "eval", "probe", "corpus"] {
        let o = ok(&temp_dir("help"), &[sub, "--help"]);
        assert!(stdout(&o).contains("Usage: rnnscope"), "{sub} --help");
    }
}

#[test]
fn train_without_arguments_trains_the_default_corpus_and_saves() {
    let dir = temp_dir("default");
    let o = ok(&dir, &["train"]);
    let path = dir.join("model.safetensors");
    let (model, meta) = model_file::load(&path).expect("model.safetensors written and loadable");
    assert_eq!(meta["step"], "1000");
    let config: Value = serde_json::from_str(&meta["train_config"]).unwrap();
    assert_eq!(config["corpus"], "hello");
    assert_eq!(config["cell"], "lstm");
    // Trained: the toy is nearly deterministic after the default run.
    let loss = eval::loss(&model, &hello(30)).unwrap();
    assert!(loss < 0.1, "loss after default training {loss}");
    let err = stderr(&o);
    assert!(err.contains("sample"), "a sample is printed:\n{err}");
    assert!(
        err.contains(&hello(12)),
        "the sample looks like the toy:\n{err}"
    );
}

#[test]
fn train_then_sample_prints_prime_then_sample() {
    let dir = temp_dir("sample");
    train_small(&dir, "m.safetensors", &["--steps", "200", "--lr", "0.01"]);
    let args = [
        "sample",
        "--model",
        "m.safetensors",
        "--prime",
        "he",
        "--length",
        "10",
        "--temperature",
        "0",
    ];
    let out = stdout(&ok(&dir, &args));
    assert_eq!(out.chars().count(), 12, "{out:?}");
    assert_eq!(out, hello(12));
    // Seeded: the same command gives the same text, also with temperature.
    let args = [
        "sample",
        "--model",
        "m.safetensors",
        "--length",
        "50",
        "--seed",
        "7",
    ];
    assert_eq!(stdout(&ok(&dir, &args)), stdout(&ok(&dir, &args)));
}

#[test]
fn eval_json_is_one_object_whose_loss_matches_the_library() {
    let dir = temp_dir("eval");
    train_small(&dir, "m.safetensors", &[]);
    // Text with a trailing newline and \r\n: both must be kept exactly.
    let text = "hello\r\nhel\nlo\n";
    std::fs::write(dir.join("t.txt"), text).unwrap();
    train_small(
        &dir,
        "crlf.safetensors",
        &[
            "--corpus",
            dir.join("t.txt").to_str().unwrap(),
            "--batch",
            "1",
            "--seq-len",
            "4",
            "--val-fraction",
            "0",
        ],
    );
    let o = ok(
        &dir,
        &[
            "eval",
            "--model",
            "crlf.safetensors",
            "--text",
            "t.txt",
            "--json",
        ],
    );
    let out = stdout(&o);
    let values: Vec<Value> = serde_json::Deserializer::from_str(&out)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("stdout is JSON");
    assert_eq!(values.len(), 1, "exactly one JSON value on stdout: {out:?}");
    let v = &values[0];
    let (model, _) = model_file::load(&dir.join("crlf.safetensors")).unwrap();
    let expected = eval::loss(&model, text).unwrap();
    assert_eq!(v["loss"].as_f64().unwrap() as f32, expected);
    assert_eq!(v["chars"], text.chars().count());
    assert_eq!(v["predictions"], text.chars().count() - 1);

    // Without --json: one human line.
    let o = ok(
        &dir,
        &["eval", "--model", "crlf.safetensors", "--text", "t.txt"],
    );
    assert!(stdout(&o).starts_with("loss "), "{}", stdout(&o));
}

#[test]
fn eval_val_fraction_scores_the_part_that_train_held_out() {
    let dir = temp_dir("eval-held-out");
    // Not periodic, and with a two-byte character throughout, so that a part cut in bytes or one character off
    // would score differently.
    let text = rnnscope::corpus::structured(3, 1500).replace(' ', "·");
    std::fs::write(dir.join("t.txt"), &text).unwrap();
    train_small(
        &dir,
        "m.safetensors",
        &["--corpus", "t.txt", "--val-fraction", "0.25"],
    );
    let (model, _) = model_file::load(&dir.join("m.safetensors")).unwrap();
    let chars: Vec<char> = text.chars().collect();
    let n_val = chars.len() / 4;
    let held_out: String = chars[chars.len() - n_val..].iter().collect();
    let config = rnnscope::TrainConfig {
        seq_len: 8,
        batch: 4,
        val_fraction: 0.25,
        ..rnnscope::TrainConfig::default()
    };
    let by_trainer = rnnscope::Trainer::new(model.clone(), &text, config)
        .unwrap()
        .validation_loss(usize::MAX)
        .unwrap();
    let eval_json = |extra: &[&str]| -> Value {
        let mut args = vec![
            "eval",
            "--model",
            "m.safetensors",
            "--text",
            "t.txt",
            "--json",
        ];
        args.extend_from_slice(extra);
        serde_json::from_str(&stdout(&ok(&dir, &args))).expect("one JSON object")
    };

    let v = eval_json(&["--val-fraction", "0.25"]);
    assert_eq!(v["chars"], n_val);
    assert_eq!(v["loss"].as_f64().unwrap() as f32, by_trainer);
    assert_eq!(
        v["loss"].as_f64().unwrap() as f32,
        eval::loss(&model, &held_out).unwrap()
    );

    // --val-chars keeps the start of the held-out part, as train's validation does.
    let v = eval_json(&["--val-fraction", "0.25", "--val-chars", "50"]);
    assert_eq!(v["chars"], 50);
    let start: String = held_out.chars().take(50).collect();
    assert_eq!(
        v["loss"].as_f64().unwrap() as f32,
        eval::loss(&model, &start).unwrap()
    );

    for (args, says) in [
        (vec!["--val-fraction", "0"], "at least 2 are needed"),
        (vec!["--val-fraction", "0.7"], "outside [0, 0.5]"),
        (vec!["--val-chars", "50"], "--val-fraction"),
    ] {
        let mut all = vec!["eval", "--model", "m.safetensors", "--text", "t.txt"];
        all.extend_from_slice(&args);
        let o = run_in(&dir, &all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn eval_grad_out_writes_every_parameter_gradient() {
    let dir = temp_dir("grad");
    train_small(&dir, "m.safetensors", &["--cell", "gru", "--layers", "2"]);
    let text = &hello(14);
    let args = [
        "eval",
        "--model",
        "m.safetensors",
        "--text-string",
        text,
        "--json",
        "--grad-out",
        "g.safetensors",
    ];
    let o = ok(&dir, &args);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("one JSON object");
    let (model, _) = model_file::load(&dir.join("m.safetensors")).unwrap();
    assert_eq!(
        v["loss"].as_f64().unwrap() as f32,
        eval::loss(&model, text).unwrap()
    );

    let bytes = std::fs::read(dir.join("g.safetensors")).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let (_, expected) = eval::loss_and_grad(&model, text).unwrap();
    assert_eq!(file.names().len(), model.layout.tensors.len());
    for spec in &model.layout.tensors {
        let t = file
            .tensor(&spec.name)
            .expect("every parameter has a gradient");
        assert_eq!(t.shape(), spec.shape.as_slice(), "{}", spec.name);
        assert_eq!(t.dtype(), safetensors::Dtype::F32);
        let got: Vec<f32> = t
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(got, expected[spec.range.clone()], "{}", spec.name);
    }
}

/// The command line's own contract, checked against PyTorch: `eval --json --grad-out` on the PyTorch-written
/// fixture models (every cell, 1 and 2 layers, multi-byte vocabularies) gives PyTorch's loss to 1e-4 relative
/// and its gradients to 1e-3 of each tensor's scale.
#[test]
fn eval_and_grad_out_agree_with_pytorch() {
    let dir = temp_dir("pytorch");
    let mut failures = Vec::new();
    for case in CASES {
        let reference = fixture_json(&format!("{case}.json"));
        let text_path = dir.join(format!("{case}.txt"));
        std::fs::write(&text_path, reference["text"].as_str().unwrap()).unwrap();
        let grad_path = dir.join(format!("{case}.grad.safetensors"));
        let model = fixture_path(&format!("{case}.safetensors"));
        let args = [
            "eval",
            "--model",
            model.to_str().unwrap(),
            "--text",
            text_path.to_str().unwrap(),
            "--json",
            "--grad-out",
            grad_path.to_str().unwrap(),
        ];
        let o = ok(&dir, &args);
        let v: Value =
            serde_json::from_str(&stdout(&o)).expect("exactly one JSON object on stdout");
        let expected = reference["loss"].as_f64().unwrap();
        let got = v["loss"].as_f64().unwrap();
        let rel = (got - expected).abs() / expected.abs();
        if rel.is_nan() || rel > 1e-4 {
            failures.push(format!("{case} loss: PyTorch {expected:.7}, eval {got:.7}"));
        }

        let bytes = std::fs::read(&grad_path).unwrap();
        let ours = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        let theirs_bytes =
            std::fs::read(fixture_path(&format!("{case}.grad.safetensors"))).unwrap();
        let theirs = safetensors::SafeTensors::deserialize(&theirs_bytes).unwrap();
        let mut names = ours.names();
        names.sort();
        let mut expected_names = theirs.names();
        expected_names.sort();
        assert_eq!(names, expected_names, "{case}: gradient tensor names");
        for name in names {
            let values = |st: &safetensors::SafeTensors| -> (Vec<usize>, Vec<f32>) {
                let t = st.tensor(name).unwrap();
                let data = t.data().chunks_exact(4);
                let values = data.map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]));
                (t.shape().to_vec(), values.collect())
            };
            let (shape, got) = values(&ours);
            let (expected_shape, expected) = values(&theirs);
            assert_eq!(shape, expected_shape, "{case} {name}");
            let expected: Vec<f64> = expected.into_iter().map(f64::from).collect();
            let scale = max_abs(&expected);
            compare(
                &format!("{case} d{name}"),
                &expected,
                &got,
                1e-3 * scale,
                &mut failures,
            );
        }
    }
    assert_no_failures("rnnscope eval vs PyTorch", &failures);
}

#[test]
fn log_jsonl_has_one_line_per_step_and_the_loss_falls() {
    let dir = temp_dir("log");
    let args = [
        "train",
        "--steps",
        "150",
        "--hidden",
        "16",
        "--lr",
        "0.01",
        "--val-every",
        "50",
        "--sample-length",
        "0",
        "--log-jsonl",
        "log.jsonl",
    ];
    ok(&dir, &args);
    let text = std::fs::read_to_string(dir.join("log.jsonl")).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 150);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["step"], i + 1);
        for key in ["loss", "smooth_loss", "grad_norm", "chars_per_sec"] {
            assert!(l[key].is_number(), "step {}: {key} in {l}", i + 1);
        }
        assert!(l["clipped"].is_boolean() && l["wrapped"].is_boolean());
        assert_eq!(l.get("val_loss").is_some(), (i + 1) % 50 == 0, "{l}");
    }
    let loss = losses(&dir.join("log.jsonl"));
    let first: f32 = loss[..10].iter().sum::<f32>() / 10.0;
    let last: f32 = loss[140..].iter().sum::<f32>() / 10.0;
    assert!(last < 0.25 * first, "loss fell from {first} to {last}");
}

#[test]
fn resume_continues_the_step_count_and_settings() {
    let dir = temp_dir("resume");
    train_small(&dir, "m.safetensors", &["--steps", "20", "--lr", "0.005"]);
    assert_eq!(metadata(&dir.join("m.safetensors"))["step"], "20");
    let args = [
        "train",
        "--resume",
        "m.safetensors",
        "--steps",
        "15",
        "--sample-length",
        "0",
        "--log-jsonl",
        "log.jsonl",
    ];
    ok(&dir, &args);
    let meta = metadata(&dir.join("m.safetensors"));
    assert_eq!(meta["step"], "35");
    let config: Value = serde_json::from_str(&meta["train_config"]).unwrap();
    assert_eq!(
        config["seqLen"], 8,
        "settings saved in the model are reused"
    );
    assert_eq!(config["lr"].as_f64().unwrap() as f32, 0.005);
    let first: Value = serde_json::from_str(
        std::fs::read_to_string(dir.join("log.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["step"], 21);

    // The text must fit the model's vocabulary.
    let o = run_in(
        &dir,
        &[
            "train",
            "--resume",
            "m.safetensors",
            "--corpus",
            "about",
            "--steps",
            "1",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("vocabulary"), "{}", stderr(&o));
}

/// Resumes training `model` in `dir` for `steps` more steps; its stderr.
fn resume(dir: &Path, model: &str, steps: &str) -> String {
    let o = ok(
        dir,
        &[
            "train",
            "--resume",
            model,
            "--steps",
            steps,
            "--sample-length",
            "0",
        ],
    );
    stderr(&o)
}

fn assert_says(stderr: &str, needle: &str) {
    assert!(stderr.contains(needle), "expected {needle:?} in:\n{stderr}");
}

#[test]
fn a_resumed_run_goes_on_exactly_as_one_run_would() {
    let dir = temp_dir("resume-exact");
    // The about corpus with a validation share and batch 4: positions, state and Adam moments all matter.
    let flags = [
        "--corpus",
        "about",
        "--batch",
        "4",
        "--seq-len",
        "16",
        "--val-every",
        "0",
    ];
    fn with<'a>(flags: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        flags.iter().chain(extra).copied().collect()
    }
    train_small(&dir, "whole.safetensors", &with(&flags, &["--steps", "40"]));
    train_small(&dir, "split.safetensors", &with(&flags, &["--steps", "25"]));
    assert!(
        dir.join("split.training.safetensors").is_file(),
        "no training state beside the model"
    );
    assert_says(&resume(&dir, "split.safetensors", "15"), "resuming exactly");
    let (whole, _) = model_file::load(&dir.join("whole.safetensors")).unwrap();
    let (split, meta) = model_file::load(&dir.join("split.safetensors")).unwrap();
    assert_eq!(meta["step"], "40");
    assert!(
        whole
            .params
            .iter()
            .zip(&split.params)
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "25 + 15 steps did not give the weights of 40"
    );

    // Without the state file it still resumes, says so, and the optimizer starts fresh (other weights).
    train_small(&dir, "bare.safetensors", &with(&flags, &["--steps", "25"]));
    std::fs::remove_file(dir.join("bare.training.safetensors")).unwrap();
    assert_says(
        &resume(&dir, "bare.safetensors", "15"),
        "no training state beside the model",
    );
    let (bare, _) = model_file::load(&dir.join("bare.safetensors")).unwrap();
    assert_ne!(bare.params, whole.params);

    // A state file that belongs to other weights is named and ignored.
    std::fs::copy(
        dir.join("whole.training.safetensors"),
        dir.join("bare.training.safetensors"),
    )
    .unwrap();
    assert_says(&resume(&dir, "bare.safetensors", "1"), "warning: bare.training.safetensors: unusable training state: it was saved with other weights");
}

#[test]
fn same_seed_gives_identical_losses_across_processes() {
    let dir = temp_dir("determinism");
    let run = |seed: &str, log: &str| {
        let args = [
            "train",
            "--steps",
            "25",
            "--cell",
            "gru",
            "--hidden",
            "12",
            "--seed",
            seed,
            "--sample-length",
            "0",
            "--out",
            "m.safetensors",
            "--log-jsonl",
            log,
        ];
        ok(&dir, &args);
        losses(&dir.join(log))
    };
    let a = run("5", "a.jsonl");
    let b = run("5", "b.jsonl");
    let c = run("6", "c.jsonl");
    assert_eq!(a.len(), 25);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

/// `--threads`: the same count gives the same run; another count the same run to float rounding; it says how
/// many threads it uses, and refuses 0.
#[test]
fn threads_give_the_same_run_for_the_same_count() {
    let dir = temp_dir("threads");
    let run = |threads: &str, log: &str| {
        let args = [
            "train",
            "--corpus",
            "brackets",
            "--steps",
            "15",
            "--batch",
            "16",
            "--seq-len",
            "32",
            "--hidden",
            "24",
            "--sample-length",
            "0",
            "--out",
            "m.safetensors",
            "--threads",
            threads,
            "--log-jsonl",
            log,
        ];
        let o = ok(&dir, &args);
        (losses(&dir.join(log)), stderr(&o))
    };
    let (two, said) = run("2", "a.jsonl");
    assert!(said.contains("; 2 threads"), "{said}");
    let (two_again, _) = run("2", "b.jsonl");
    let (one, said_one) = run("1", "c.jsonl");
    assert!(!said_one.contains("threads"), "{said_one}");
    assert_eq!(two, two_again);
    assert_ne!(
        two, one,
        "two threads ran exactly the one-thread arithmetic: the split did not happen"
    );
    for (a, b) in one.iter().zip(&two) {
        assert!((a - b).abs() <= 1e-5 * a.abs(), "{a} vs {b}");
    }
    let o = run_in(&dir, &["train", "--threads", "0", "--steps", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("0 threads is outside 1..=64"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn probe_json_has_states_gates_and_scores() {
    let dir = temp_dir("probe");
    train_small(&dir, "m.safetensors", &["--layers", "2"]);
    let text = &hello(7);
    let o = ok(
        &dir,
        &[
            "probe",
            "--model",
            "m.safetensors",
            "--text-string",
            text,
            "--json",
        ],
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["cell"], "lstm");
    let positions = v["positions"].as_array().unwrap();
    assert_eq!(positions.len(), text.chars().count());
    let vocab: Vec<&str> = v["vocab"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for (t, p) in positions.iter().enumerate() {
        let layers = p["layers"].as_array().unwrap();
        assert_eq!(layers.len(), 2);
        for l in layers {
            assert_eq!(l["h"].as_array().unwrap().len(), 8);
            assert_eq!(l["c"].as_array().unwrap().len(), 8);
            for g in ["i", "f", "g", "o"] {
                assert_eq!(l["gates"][g].as_array().unwrap().len(), 8, "gate {g}");
            }
        }
        assert_eq!(p["probs"].as_array().unwrap().len(), vocab.len());
        assert_eq!(p["top"].as_array().unwrap().len(), vocab.len().min(5));
        if t + 1 < positions.len() {
            let next = positions[t + 1]["char"].as_str().unwrap();
            assert_eq!(p["next_char"], next);
            let i = vocab.iter().position(|c| *c == next).unwrap();
            assert_eq!(p["next_prob"], p["probs"][i]);
            let loss = p["loss"].as_f64().unwrap();
            assert!((loss + p["next_prob"].as_f64().unwrap().ln()).abs() < 1e-5);
        } else {
            assert!(p.get("next_char").is_none() && p.get("loss").is_none());
        }
    }
    // The table form works too.
    let o = ok(
        &dir,
        &["probe", "--model", "m.safetensors", "--text-string", text],
    );
    assert_eq!(stdout(&o).lines().count(), 1 + text.chars().count() + 1);
    // Unknown characters are refused, or fed as zero inputs on request.
    let o = run_in(
        &dir,
        &["probe", "--model", "m.safetensors", "--text-string", "hxe"],
    );
    assert_eq!(o.status.code(), Some(2));
    let args = [
        "probe",
        "--model",
        "m.safetensors",
        "--text-string",
        "hxe",
        "--json",
        "--allow-unknown",
    ];
    let v: Value = serde_json::from_str(&stdout(&ok(&dir, &args))).unwrap();
    assert!(v["positions"][1]["input"].is_null());
    assert!(v["positions"][0]["next_prob"].is_null());
}

#[test]
fn corpus_prints_an_embedded_corpus() {
    let dir = temp_dir("corpus");
    let o = ok(&dir, &["corpus", "hello"]);
    assert_eq!(stdout(&o), rnnscope::corpus::get("hello").unwrap());
    let o = ok(&dir, &["corpus"]);
    for name in rnnscope::corpus::NAMES {
        assert!(stdout(&o).contains(name));
    }
}

#[test]
fn bad_inputs_give_clear_errors_without_panicking() {
    let dir = temp_dir("bad");
    train_small(&dir, "m.safetensors", &[]);
    std::fs::write(
        dir.join("corrupt.safetensors"),
        b"\x10\0\0\0\0\0\0\0{not json at all",
    )
    .unwrap();
    let good = std::fs::read(dir.join("m.safetensors")).unwrap();
    std::fs::write(dir.join("truncated.safetensors"), &good[..good.len() / 2]).unwrap();
    std::fs::write(dir.join("empty.txt"), "").unwrap();
    std::fs::write(dir.join("foreign.txt"), "hello wörld").unwrap();
    std::fs::write(dir.join("latin1.txt"), b"hel\xe9lo").unwrap();

    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "eval",
                "--model",
                "missing.safetensors",
                "--text-string",
                "hello",
            ],
            "does not exist",
        ),
        (
            &["eval", "--model", "m.safetensors", "--text", "missing.txt"],
            "missing.txt",
        ),
        (
            &[
                "eval",
                "--model",
                "corrupt.safetensors",
                "--text-string",
                "hello",
            ],
            "corrupt",
        ),
        (&["sample", "--model", "truncated.safetensors"], "truncated"),
        (
            &["eval", "--model", "m.safetensors", "--text", "empty.txt"],
            "at least 2",
        ),
        (
            &["probe", "--model", "m.safetensors", "--text", "empty.txt"],
            "empty",
        ),
        (
            &["eval", "--model", "m.safetensors", "--text", "foreign.txt"],
            "vocabulary",
        ),
        (
            &["probe", "--model", "m.safetensors", "--text", "foreign.txt"],
            "vocabulary",
        ),
        (
            &[
                "train",
                "--resume",
                "m.safetensors",
                "--corpus",
                "foreign.txt",
            ],
            "vocabulary",
        ),
        (
            &["eval", "--model", "m.safetensors", "--text", "latin1.txt"],
            "UTF-8",
        ),
        (&["train", "--corpus", "latin1.txt"], "UTF-8"),
        (&["train", "--corpus", "empty.txt"], "empty"),
        (&["train", "--corpus", "no-such-corpus"], "neither"),
        (&["train", "--hidden", "1000000000"], "hidden"),
        (&["train", "--layers", "0"], "layers"),
        (&["train", "--seq-len", "0"], "seq_len"),
        (&["train", "--batch", "0"], "batch"),
        (&["train", "--lr", "-1"], "learning rate"),
        (&["train", "--lr", "NaN"], "learning rate"),
        (&["train", "--lr", "inf"], "learning rate"),
        (&["train", "--clip", "-1"], "clip"),
        (&["train", "--dropout", "0.95"], "dropout"),
        (&["train", "--dropout", "NaN"], "dropout"),
        (&["train", "--weight-decay", "-0.1"], "weight decay"),
        (&["train", "--schedule", "cosine", "--time", "5"], "cosine"),
        (&["train", "--schedule", "step"], "step"),
        (&["train", "--schedule", "sawtooth"], "invalid value"),
        (
            &[
                "train",
                "--gamma",
                "0",
                "--schedule",
                "step",
                "--schedule-steps",
                "5",
            ],
            "gamma",
        ),
        (&["train", "--val-fraction", "2"], "validation"),
        (&["train", "--time", "-5"], "--time"),
        (&["train", "--hidden", "lots"], "invalid value"),
        (&["train", "--cell", "transformer"], "invalid value"),
        (
            &["train", "--cell", "lstm", "--nonlinearity", "relu"],
            "nonlinearity",
        ),
        (
            &["train", "--out", "no/such/dir/m.safetensors"],
            "does not exist",
        ),
        (
            &["sample", "--model", "m.safetensors", "--prime", "xyz"],
            "vocabulary",
        ),
        (
            &["sample", "--model", "m.safetensors", "--temperature", "-1"],
            "temperature",
        ),
        (&["eval", "--model", "m.safetensors"], "required"),
        (&["corpus", "nope"], "no embedded corpus"),
        (&["frobnicate"], "unrecognized"),
    ];
    for (args, needle) in cases {
        let o = run_in(&dir, args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "rnnscope {args:?}: {err}");
        assert!(err.starts_with("error: "), "rnnscope {args:?}: {err}");
        assert!(
            err.contains(needle),
            "rnnscope {args:?} should mention {needle:?}: {err}"
        );
        assert!(
            !err.contains("panicked"),
            "rnnscope {args:?} panicked: {err}"
        );
        assert!(o.stdout.is_empty(), "rnnscope {args:?} wrote to stdout");
    }
    // Nothing was written by the refused training runs.
    assert!(!dir.join("model.safetensors").exists());
}

#[test]
fn divergence_saves_the_rolled_back_model_and_fails() {
    let dir = temp_dir("diverge");
    let args = [
        "train",
        "--cell",
        "rnn",
        "--nonlinearity",
        "relu",
        "--hidden",
        "64",
        "--optimizer",
        "sgd",
        "--lr",
        "10",
        "--clip",
        "0",
        "--steps",
        "200",
        "--sample-length",
        "0",
    ];
    let o = run_in(&dir, &args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("error: training stopped"), "{err}");
    assert!(err.contains("saved to model.safetensors"), "{err}");
    let (model, meta) = model_file::load(&dir.join("model.safetensors")).unwrap();
    assert!(model.params.iter().all(|p| p.is_finite()));
    assert!(meta["step"].parse::<u64>().unwrap() < 200);
}

/// Ctrl-C (SIGINT) stops training after the current step, saves the model, says where, and exits with 130.
#[cfg(unix)]
#[test]
fn interrupt_saves_the_model() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = temp_dir("interrupt");
    let mut child = Command::new(BIN)
        .args([
            "train",
            "--time",
            "120",
            "--hidden",
            "8",
            "--out",
            "i.safetensors",
        ])
        .current_dir(&dir)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    // Wait (by reading, not sleeping) until the first step is reported: the handler is installed by then.
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen += &line;
        seen.push('\n');
        if line.starts_with("step 1 ") {
            break;
        }
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    for line in lines {
        seen += &line.unwrap();
        seen.push('\n');
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(seen.contains("saved to i.safetensors"), "{seen}");
    let meta = metadata(&dir.join("i.safetensors"));
    assert!(meta["step"].parse::<u64>().unwrap() >= 1);
}

/// `train --dtype f16` (and bf16) saves 16-bit weights, half the size, that load as the f32 model's rounded weights
/// and sample; an unknown type is refused before training, naming the types.
#[test]
fn train_saves_half_precision_weights_when_asked() {
    use rnnscope::float16::{bf16_to_f32, f16_to_f32, f32_to_bf16, f32_to_f16};
    let dir = temp_dir("dtype");
    train_small(&dir, "full.safetensors", &[]);
    let (full, _) = model_file::load(&dir.join("full.safetensors")).unwrap();
    for (dtype, round) in [
        ("f16", (|v| f16_to_f32(f32_to_f16(v))) as fn(f32) -> f32),
        ("bf16", |v| bf16_to_f32(f32_to_bf16(v))),
    ] {
        let name = format!("{dtype}.safetensors");
        train_small(&dir, &name, &["--dtype", dtype]);
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        let header = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        assert!(header
            .tensors()
            .iter()
            .all(|(_, t)| format!("{:?}", t.dtype()).eq_ignore_ascii_case(dtype)));
        let (half, _) = model_file::from_bytes(&bytes).unwrap();
        let want: Vec<f32> = full.params.iter().map(|&v| round(v)).collect();
        assert_eq!(
            half.params, want,
            "{dtype}: the same run, its weights rounded"
        );
        let o = ok(&dir, &["sample", "--model", &name, "--length", "20"]);
        assert!(stdout(&o).chars().count() >= 20);
    }
    let o = run_in(&dir, &["train", "--dtype", "f8", "--steps", "1"]);
    assert!(!o.status.success());
    assert_says(&stderr(&o), "f32, f16 or bf16");
}
