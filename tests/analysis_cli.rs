//! `rnnscope cells`, `saturation`, `errors`, `ablate`, `connectivity` and `sample --clamp` end to end: the real
//! binary on the shipped brackets models, what it prints (one JSON object, or a table), and how it refuses bad
//! input (exit code 2, a message).
#![cfg(not(target_arch = "wasm32"))]

use rnnscope::{model_file, CellKind, Model, Vocab};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_rnnscope");

fn model(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(name)
        .display()
        .to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(args: &[&str]) -> Output {
    let o = run(args);
    assert!(
        o.status.success(),
        "rnnscope {args:?} failed ({:?}):\n{}",
        o.status.code(),
        stderr(&o)
    );
    o
}

/// Exactly one JSON object on stdout.
fn json(args: &[&str]) -> Value {
    let out = stdout(&ok(args));
    let mut stream = serde_json::Deserializer::from_str(&out).into_iter::<Value>();
    let value = stream.next().expect("one JSON value").expect("valid JSON");
    assert!(value.is_object());
    assert!(
        stream.next().is_none(),
        "more than one JSON value on stdout"
    );
    value
}

/// Insists on exit code 2 with a message containing `needle`.
fn refused(args: &[&str], needle: &str) {
    let o = run(args);
    assert_eq!(
        o.status.code(),
        Some(2),
        "rnnscope {args:?}: stdout {}\nstderr {}",
        stdout(&o),
        stderr(&o)
    );
    assert!(
        stderr(&o).contains(needle),
        "rnnscope {args:?}: {:?} not in {}",
        needle,
        stderr(&o)
    );
    assert!(stdout(&o).is_empty(), "nothing on stdout when refusing");
}

const HELD_OUT: [&str; 6] = [
    "--corpus",
    "brackets",
    "--val-fraction",
    "0.1",
    "--chars",
    "3000",
];

fn with<'a>(head: &[&'a str], tail: &[&'a str]) -> Vec<&'a str> {
    head.iter().chain(tail).copied().collect()
}

#[test]
fn cells_lists_the_top_units_of_every_feature() {
    let lstm = model("brackets-lstm.safetensors");
    let j = json(&with(
        &[
            "cells", "--model", &lstm, "--json", "--top", "4", "--regex", "[0-9]+",
        ],
        &HELD_OUT,
    ));
    assert_eq!(j["cell"], "lstm");
    assert_eq!(j["chars"], 3000);
    assert_eq!(j["units"], 6 * 64);
    let features = j["features"].as_array().unwrap();
    let names: Vec<&str> = features
        .iter()
        .map(|f| f["feature"].as_str().unwrap())
        .collect();
    assert_eq!(
        names[..4],
        ["depth_paren", "depth_square", "depth_curly", "depth"]
    );
    assert_eq!(*names.last().unwrap(), "match:[0-9]+");
    let depth = &features[3];
    assert_eq!(depth["kind"], "numeric");
    let top = depth["top"].as_array().unwrap();
    assert_eq!(top.len(), 4);
    assert!(top[0]["score"].as_f64().unwrap() >= 0.6, "{}", top[0]);
    assert!(top[0]["r"].is_number() && top[0].get("auroc").is_none());
    assert_eq!(depth["probe"]["metric"], "r2");
    assert_eq!(depth["probe"]["fit_rows"], 1500);
    let digits = features.last().unwrap();
    assert_eq!(digits["kind"], "boolean");
    assert!(digits["top"][0]["auroc"].is_number());
    assert_eq!(digits["probe"]["metric"], "accuracy");

    // The table says the same in words.
    let table = stdout(&ok(&with(&["cells", "--model", &lstm], &HELD_OUT)));
    assert!(table.contains("lstm 1×64, 3000 characters"), "{table}");
    let depth_line = table
        .lines()
        .find(|l| l.starts_with("depth "))
        .expect("a depth row");
    assert!(depth_line.contains("R²"), "{depth_line}");
    assert!(table.contains("uppercase") && table.contains("constant over this text"));
}

/// `--regex` reads a pattern line by line, as grep does: a line-anchored pattern is a feature, not "constant over
/// this text" (as it was when `^` matched only at the start of the text).
#[test]
fn cells_reads_a_line_anchored_pattern_line_by_line() {
    let lstm = model("brackets-lstm.safetensors");
    let text = "(ka mi)\n  (to ne)\n  [so]\nla\n".repeat(12);
    let table = stdout(&ok(&[
        "cells",
        "--model",
        &lstm,
        "--text-string",
        &text,
        "--regex",
        "^ +",
    ]));
    let line = table
        .lines()
        .find(|l| l.starts_with("match:^ +"))
        .unwrap_or_else(|| panic!("no match:^ + row in\n{table}"));
    assert!(!line.contains("constant over this text"), "{line}");
    assert!(line.contains("AUROC"), "{line}");
}

#[test]
fn saturation_reports_each_gate_and_refuses_the_vanilla_rnn() {
    let gru = model("brackets-gru.safetensors");
    let j = json(&with(&["saturation", "--model", &gru, "--json"], &HELD_OUT));
    let gates = j["gates"].as_array().unwrap();
    let names: Vec<&str> = gates.iter().map(|g| g["gate"].as_str().unwrap()).collect();
    assert_eq!(names, ["r", "z"]);
    for g in gates {
        let left = g["left"].as_array().unwrap();
        let right = g["right"].as_array().unwrap();
        assert_eq!((left.len(), right.len()), (64, 64));
        for (l, r) in left.iter().zip(right) {
            let (l, r) = (l.as_f64().unwrap(), r.as_f64().unwrap());
            assert!(l >= 0.0 && r >= 0.0 && l + r <= 1.0);
        }
    }
    assert_eq!(j["left_below"], 0.1);
    let table = stdout(&ok(&[
        "saturation",
        "--model",
        &model("brackets-lstm.safetensors"),
        "--text-string",
        "a = (1);\n",
    ]));
    assert!(
        table.contains("i.left") && table.contains("o.right"),
        "{table}"
    );
    assert_eq!(table.lines().count(), 1 + 1 + 64 + 1);
    refused(
        &with(
            &["saturation", "--model", &model("brackets-rnn.safetensors")],
            &HELD_OUT,
        ),
        "no gates",
    );
}

#[test]
fn errors_break_down_into_counts_that_add_up() {
    let lstm = model("brackets-lstm.safetensors");
    // The n-gram's training text defaults to the model's own corpus, without its held-out tenth.
    let j = json(&with(
        &["errors", "--model", &lstm, "--json", "--order", "4"],
        &HELD_OUT,
    ));
    assert_eq!(j["train_corpus"], "brackets");
    assert_eq!(j["train_chars"], 54_009);
    assert_eq!(j["ngram_order"], 4);
    assert_eq!(j["predictions"], 2999);
    let counts = j["counts"].as_array().unwrap();
    let names: Vec<&str> = counts
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "n_gram",
            "dynamic_memory",
            "rare_word",
            "word_start",
            "punctuation",
            "boost",
            "other"
        ]
    );
    let total: u64 = counts.iter().map(|c| c["count"].as_u64().unwrap()).sum();
    assert_eq!(total, j["errors"].as_u64().unwrap());
    assert_eq!(j["errors_at"].as_array().unwrap().len() as u64, total);
    assert_eq!(j["model_losses"].as_array().unwrap().len(), 2999);
    let closing = j["long_range"].as_array().unwrap();
    assert!(!closing.is_empty());
    for c in closing {
        assert!(c["distance"].as_u64().unwrap() >= 1);
        assert!(c["model_p"].as_f64().unwrap() > 0.0);
    }
    let table = stdout(&ok(&with(
        &["errors", "--model", &lstm, "--train-corpus", "brackets"],
        &HELD_OUT,
    )));
    assert!(
        table.contains("errors (p(next) < 0.5)") && table.contains("dynamic_memory"),
        "{table}"
    );
    assert!(
        table.contains("5-gram (Witten–Bell, fitted on brackets)"),
        "{table}"
    );
}

/// The n-gram is never fitted on the characters it scores: when its training text is the text analysed (here the
/// brackets corpus, as a file and by name), the characters analysed are left out of it. It once was fitted on
/// the held-out characters too, and its baseline looked far better than it was.
#[test]
fn errors_never_fits_the_ngram_on_the_characters_it_scores() {
    let lstm = model("brackets-lstm.safetensors");
    let dir = std::env::temp_dir().join(format!("rnnscope-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let corpus: Vec<char> = rnnscope::corpus::get("brackets").unwrap().chars().collect();
    let held = rnnscope::trainer::held_out(corpus.len(), 0.1);
    let whole = dir.join("brackets.txt");
    std::fs::write(&whole, corpus.iter().collect::<String>()).unwrap();
    let before = dir.join("before.txt");
    std::fs::write(&before, corpus[..held.start].iter().collect::<String>()).unwrap();
    let (whole, before) = (whole.display().to_string(), before.display().to_string());
    let errors = |text: &[&str], train: &str| {
        json(&with(
            &[
                "errors",
                "--model",
                &lstm,
                "--json",
                "--train-corpus",
                train,
            ],
            text,
        ))
    };
    // --text F --val-fraction V --train-corpus F: fitted on the characters before the held-out ones, exactly as
    // when the training text is those characters alone.
    let same = errors(&["--text", &whole, "--val-fraction", "0.1"], &whole);
    assert_eq!(same["train_chars"], held.start);
    let apart = errors(&["--text", &whole, "--val-fraction", "0.1"], &before);
    assert_eq!(same["ngram_losses"], apart["ngram_losses"]);
    assert_eq!(same["counts"], apart["counts"]);
    // A larger held-out part than the model's: the n-gram stops where it starts.
    let fifth = errors(
        &["--corpus", "brackets", "--val-fraction", "0.2"],
        "brackets",
    );
    assert_eq!(
        fifth["train_chars"],
        rnnscope::trainer::held_out(corpus.len(), 0.2).start
    );
    // The start of the text: fitted on what follows it, up to the model's held-out tenth.
    let start = errors(&["--corpus", "brackets", "--chars", "3000"], "brackets");
    assert_eq!(start["train_chars"], held.start - 3000);
    // The whole text: nothing is left, and the command says why.
    refused(
        &["errors", "--model", &lstm, "--corpus", "brackets"],
        "is the text analysed",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_needs_a_training_text_when_the_model_does_not_name_one() {
    let dir = std::env::temp_dir().join(format!("rnnscope-analysis-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join("bare.safetensors");
    let vocab = Vocab::from_chars("ab ".chars().collect()).unwrap();
    let m = Model::new(CellKind::Lstm, 4, 1, vocab, 3).unwrap();
    model_file::save(&path, &model_file::to_bytes(&m, &BTreeMap::new())).unwrap();
    let p = path.display().to_string();
    refused(
        &["errors", "--model", &p, "--text-string", "ab ba ab"],
        "give --train-corpus",
    );
    let train = dir.join("train.txt");
    std::fs::write(&train, "ab ab ba ab").unwrap();
    let j = json(&[
        "errors",
        "--model",
        &p,
        "--text-string",
        "ab ba ab",
        "--train-corpus",
        &train.display().to_string(),
        "--json",
    ]);
    assert_eq!(j["predictions"], 7);
    refused(
        &[
            "errors",
            "--model",
            &p,
            "--text-string",
            "ab",
            "--train-corpus",
            "no-such-file.txt",
        ],
        "neither an embedded corpus",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_refused_with_exit_code_2() {
    let lstm = model("brackets-lstm.safetensors");
    refused(&["cells", "--model", &lstm, "--text-string", ""], "empty");
    refused(&["cells", "--model", &lstm, "--text-string", "ABC"], "'A'");
    refused(
        &["cells", "--model", &lstm, "--corpus", "nope"],
        "no embedded corpus named \"nope\"",
    );
    refused(
        &[
            "cells", "--model", &lstm, "--corpus", "brackets", "--top", "0",
        ],
        "--top",
    );
    refused(
        &[
            "cells",
            "--model",
            &lstm,
            "--text-string",
            "a = 1;",
            "--regex",
            "(x",
        ],
        "invalid regular expression",
    );
    refused(
        &[
            "cells",
            "--model",
            "missing.safetensors",
            "--corpus",
            "brackets",
        ],
        "does not exist",
    );
    refused(
        &[
            "errors", "--model", &lstm, "--corpus", "brackets", "--order", "10",
        ],
        "outside 1..=9",
    );
    refused(
        &[
            "saturation",
            "--model",
            &lstm,
            "--corpus",
            "brackets",
            "--val-fraction",
            "1.5",
        ],
        "--val-fraction",
    );
    // Neither --text, --text-string nor --corpus: clap's usage error, also 2.
    let o = run(&["cells", "--model", &lstm]);
    assert_eq!(o.status.code(), Some(2));
    // Two of them at once.
    let o = run(&[
        "cells",
        "--model",
        &lstm,
        "--corpus",
        "brackets",
        "--text-string",
        "a",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn ablate_reports_the_loss_of_each_character_with_the_unit_held() {
    let lstm = model("brackets-lstm.safetensors");
    let j = json(&with(
        &["ablate", "--model", &lstm, "--json", "--clamp", "0:h:56"],
        &HELD_OUT,
    ));
    assert_eq!(j["clamps"][0]["unit"], 56);
    assert_eq!(j["clamps"][0]["tensor"], "h");
    assert_eq!(j["base"].as_array().unwrap().len(), 2999);
    assert_eq!(j["clamped"].as_array().unwrap().len(), 2999);
    // The quote unit: holding it at 0 makes the closing quote the character most hurt.
    assert_eq!(j["by_char"][0]["ch"], "\"");
    let counts: u64 = j["by_char"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counts, 2999);
    let table = stdout(&ok(&with(
        &[
            "ablate", "--model", &lstm, "--clamp", "0:c:57=2", "--top", "3",
        ],
        &HELD_OUT,
    )));
    assert!(table.contains("with 0:c:57=2: mean loss"), "{table}");
    assert_eq!(table.lines().count(), 2 + 3, "{table}");
    refused(
        &["ablate", "--model", &lstm, "--corpus", "brackets"],
        "--clamp",
    );
    refused(
        &with(
            &["ablate", "--model", &lstm, "--clamp", "0:c:64"],
            &HELD_OUT,
        ),
        "layers have 64 units",
    );
    let gru = model("brackets-gru.safetensors");
    refused(
        &with(&["ablate", "--model", &gru, "--clamp", "0:c:1"], &HELD_OUT),
        "no cell state",
    );
    refused(
        &with(
            &["ablate", "--model", &lstm, "--clamp", "0:h:1=inf"],
            &HELD_OUT,
        ),
        "finite",
    );
}

#[test]
fn connectivity_gives_one_norm_per_earlier_character() {
    let lstm = model("brackets-lstm.safetensors");
    let text = "(a (ka \"mi to\") ne)";
    let j = json(&[
        "connectivity",
        "--model",
        &lstm,
        "--text-string",
        text,
        "--json",
        "--window",
        "8",
    ]);
    // Default position: the second-to-last character, predicting the last.
    assert_eq!(j["position"], 17);
    assert_eq!(j["target"], ")");
    assert_eq!(j["from"], 10);
    assert_eq!(j["chars"], " to\") ne");
    let norms = j["norms"].as_array().unwrap();
    assert_eq!(norms.len(), 8);
    assert!(norms.iter().all(|n| n.as_f64().unwrap() >= 0.0));
    let table = stdout(&ok(&[
        "connectivity",
        "--model",
        &lstm,
        "--text-string",
        text,
        "--position",
        "5",
    ]));
    assert!(table.contains("after position 5, p(' ')"), "{table}");
    assert_eq!(table.lines().count(), 1 + 6, "{table}");
    refused(
        &[
            "connectivity",
            "--model",
            &lstm,
            "--text-string",
            text,
            "--position",
            "18",
        ],
        "no next character",
    );
    refused(
        &[
            "connectivity",
            "--model",
            &lstm,
            "--text-string",
            text,
            "--window",
            "0",
        ],
        "--window",
    );
    refused(
        &["connectivity", "--model", &lstm, "--text-string", "("],
        "at least 2 characters",
    );
}

#[test]
fn sample_with_a_clamped_unit_writes_other_text() {
    let lstm = model("brackets-lstm.safetensors");
    let base = [
        "sample", "--model", &lstm, "--prime", "(a \"", "--length", "80",
    ];
    let plain = stdout(&ok(&base));
    let clamped = stdout(&ok(&with(&base, &["--clamp", "0:h:56=1"])));
    assert!(plain.starts_with("(a \"") && clamped.starts_with("(a \""));
    assert_ne!(plain, clamped);
    // The same clamp, the same seed: the same text.
    assert_eq!(clamped, stdout(&ok(&with(&base, &["--clamp", "0:h:56=1"]))));
    refused(&with(&base, &["--clamp", "0:q:1"]), "tensor must be h or c");
}
