//! The pretrained models in `models/` against `models/manifest.json` (both written by
//! `scripts/train-models.sh`): every file the manifest lists loads with the library, has the shape and settings
//! the manifest gives, and its `valLoss` is the library's loss on the characters its trainer held out; the hello
//! toy does what its description says. The Shakespeare entry's text is `../shared/corpora/tinyshakespeare.txt`
//! beside the repository: when it is missing the test fails, saying so. (The script's `--check` also compares
//! the sha256 of each file.)
#![cfg(not(target_arch = "wasm32"))]

use rnnscope::{corpus, eval, model_file, sampler, trainer, Model, Probe, TrainConfig, Trainer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How far a recomputed validation loss may be from the manifest's (it was computed by the same code, so only
/// another CPU's rounding can move it).
const TOLERANCE: f64 = 1e-4;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn models_dir() -> PathBuf {
    repo().join("models")
}

/// The manifest's entries, in its order.
fn manifest() -> Vec<Value> {
    let path = models_dir().join("manifest.json");
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json: Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    json["models"]
        .as_array()
        .unwrap_or_else(|| panic!("{} has no \"models\" array", path.display()))
        .clone()
}

fn str_of<'a>(entry: &'a Value, key: &str) -> &'a str {
    entry[key]
        .as_str()
        .unwrap_or_else(|| panic!("manifest entry {entry}: {key} is not a string"))
}

fn num_of(entry: &Value, key: &str) -> f64 {
    entry[key]
        .as_f64()
        .unwrap_or_else(|| panic!("manifest entry {}: {key} is not a number", entry["file"]))
}

fn usize_of(entry: &Value, key: &str) -> usize {
    entry[key]
        .as_u64()
        .unwrap_or_else(|| panic!("manifest entry {}: {key} is not a count", entry["file"]))
        as usize
}

/// The model file of an entry and its metadata.
fn load(entry: &Value) -> (Model, BTreeMap<String, String>, u64) {
    let path = models_dir().join(str_of(entry, "file"));
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let (model, metadata) = model_file::from_bytes(&bytes)
        .unwrap_or_else(|e| panic!("{} does not load: {e}", path.display()));
    (model, metadata, bytes.len() as u64)
}

/// The text a model was trained on: an embedded corpus, or a file named relative to the repository root.
fn training_text(corpus_name: &str) -> String {
    if let Some(text) = corpus::get(corpus_name) {
        return text;
    }
    let path = repo().join(corpus_name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the training text {} ({e}): shared/ must lie beside the repository, as it does in CI",
            path.display()
        )
    });
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", path.display()))
}

#[test]
fn the_manifest_lists_every_model_file_once() {
    let mut listed: Vec<String> = manifest()
        .iter()
        .map(|e| str_of(e, "file").to_string())
        .collect();
    listed.sort();
    let mut on_disk: Vec<String> = std::fs::read_dir(models_dir())
        .expect("models/ exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".safetensors") && !n.ends_with(".training.safetensors"))
        .collect();
    on_disk.sort();
    assert_eq!(
        listed, on_disk,
        "models/manifest.json against models/*.safetensors"
    );
}

#[test]
fn every_model_loads_with_the_shape_and_settings_of_its_entry() {
    let mut failures = Vec::new();
    for entry in manifest() {
        let file = str_of(&entry, "file");
        let (model, metadata, bytes) = load(&entry);
        let c = &model.config;
        let settings: Value = serde_json::from_str(&metadata["train_config"])
            .unwrap_or_else(|e| panic!("{file}: train_config is not JSON: {e}"));
        let mut expect = |what: &str, got: Value, want: &Value| {
            if &got != want {
                failures.push(format!(
                    "{file}: {what} is {got} in the file, {want} in the manifest"
                ));
            }
        };
        expect("cell", c.cell.name().into(), &entry["cell"]);
        expect("hidden", c.hidden.into(), &entry["hidden"]);
        expect("layers", c.layers.into(), &entry["layers"]);
        expect("vocabSize", c.vocab_size.into(), &entry["vocabSize"]);
        expect("bytes", bytes.into(), &entry["bytes"]);
        expect(
            "steps",
            metadata["step"].parse::<u64>().unwrap().into(),
            &entry["steps"],
        );
        for key in [
            "corpus",
            "seed",
            "seqLen",
            "batch",
            "optimizer",
            "lr",
            "valFraction",
        ] {
            expect(key, settings[key].clone(), &entry[key]);
        }
        if c.cell.name() == "rnn" {
            let nonlinearity = metadata.get("nonlinearity").map_or("tanh", String::as_str);
            expect("nonlinearity", nonlinearity.into(), &entry["nonlinearity"]);
        }
        if bytes >= 2_000_000 {
            failures.push(format!("{file}: {bytes} bytes, over 2 MB"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The manifest's valLoss is `eval`'s loss on the first valChars characters of the part of the training text
/// that the trainer held out, as `trainer::held_out` cuts it (the last ⌊chars · valFraction⌋ characters). Where
/// that part is short, a trainer set up as the run was is asked too, which ties the cut to the trainer's own;
/// for Shakespeare's 100,000 characters that second pass would double the test's time.
#[test]
fn every_validation_loss_is_the_librarys_on_the_held_out_part() {
    const TRAINER_TOO_BELOW: usize = 10_000;
    let mut failures = Vec::new();
    for entry in manifest() {
        let file = str_of(&entry, "file");
        let (model, _, _) = load(&entry);
        let text = training_text(str_of(&entry, "corpus"));
        let val_fraction = num_of(&entry, "valFraction") as f32;
        let val_chars = usize_of(&entry, "valChars");
        let chars: Vec<char> = text.chars().collect();
        let held = trainer::held_out(chars.len(), val_fraction);
        assert_eq!(
            held.len(),
            (chars.len() as f64 * f64::from(val_fraction)).floor() as usize,
            "{file}: the held-out part is the last ⌊chars · valFraction⌋ characters"
        );
        let Some(want) = entry["valLoss"].as_f64() else {
            if held.len() >= 2 || val_chars != 0 {
                failures.push(format!(
                    "{file}: valLoss is null but {} characters were held out",
                    held.len()
                ));
            }
            continue;
        };
        if val_chars != held.len().min(100_000) {
            failures.push(format!(
                "{file}: valChars {val_chars}, but {} characters were held out (counted up to 100,000)",
                held.len()
            ));
            continue;
        }
        let part: String = chars[held.start..held.start + val_chars].iter().collect();
        let mut losses = vec![("eval", eval::loss(&model, &part).ok())];
        if held.len() <= TRAINER_TOO_BELOW {
            let config = TrainConfig {
                seq_len: usize_of(&entry, "seqLen"),
                batch: usize_of(&entry, "batch"),
                val_fraction,
                ..TrainConfig::default()
            };
            let trainer = Trainer::new(model, &text, config)
                .unwrap_or_else(|e| panic!("{file}: cannot set up its trainer: {e}"));
            losses.push(("the trainer", trainer.validation_loss(val_chars)));
        }
        for (how, got) in losses {
            match got.map(f64::from) {
                Some(got) if (got - want).abs() <= TOLERANCE => {}
                got => failures.push(format!(
                    "{file}: valLoss {want} in the manifest, {got:?} from {how}"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn hello_rnn3_says_hello_and_expects_o_after_hell() {
    let entry = manifest()
        .into_iter()
        .find(|e| e["file"] == "hello-rnn3.safetensors")
        .expect("hello-rnn3 is in the manifest");
    let (model, _, _) = load(&entry);
    assert_eq!((model.config.cell.name(), model.config.hidden), ("rnn", 3));

    let mut probe = Probe::new(&model);
    probe.sync(&model, "hell");
    let after_hell = probe.steps().last().unwrap();
    let (p_o, loss) = after_hell.score(model.vocab.index_of('o').unwrap());
    assert!(p_o > 0.9, "p(o | hell) = {p_o}, loss {loss} nats");

    let said = sampler::sample(&model, "h", 19, 0.0, 0, 1).unwrap();
    assert_eq!(format!("h{said}"), "hello".repeat(4), "argmax from \"h\"");
}
