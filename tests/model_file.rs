//! The model file: bit-exact round trips, PyTorch-written files, and every kind of bad input giving a clear
//! `Error::ModelFile` (never a panic, never a huge allocation).
#![cfg(not(target_arch = "wasm32"))] // reads files or runs long numeric sweeps; tests/wasm.rs covers wasm

mod common;

use common::{fixture_bytes, fixture_json, CASES};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;
use rnnscope::cell::Activation;
use rnnscope::model_file::{self, from_bytes};
use rnnscope::{CellKind, Error, Model, Vocab};
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};

// ---- the largest single allocation made by the current thread, to catch a tiny file that claims a huge model.

struct Tracking;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LARGEST.try_with(|m| m.set(m.get().max(layout.size())));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = LARGEST.try_with(|m| m.set(m.get().max(layout.size())));
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = LARGEST.try_with(|m| m.set(m.get().max(new_size)));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

// ---- helpers

const CELLS: [CellKind; 4] = [
    CellKind::Rnn(Activation::Tanh),
    CellKind::Rnn(Activation::Relu),
    CellKind::Lstm,
    CellKind::Gru,
];

/// Deliberately unsorted, with multi-byte characters and a newline.
fn vocab() -> Vocab {
    Vocab::from_chars(vec!['z', 'é', 'a', '\n', '日', '—', '😀']).unwrap()
}

fn model(cell: CellKind, layers: usize) -> Model {
    Model::new(cell, 3, layers, vocab(), 42).unwrap()
}

/// A file's tensors and metadata, to be altered and written back.
struct Parts {
    tensors: Vec<(String, Dtype, Vec<usize>, Vec<u8>)>,
    metadata: HashMap<String, String>,
}

impl Parts {
    fn of(model: &Model) -> Parts {
        let bytes = model_file::to_bytes(model, &BTreeMap::new());
        let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
        let st = SafeTensors::deserialize(&bytes).unwrap();
        let tensors = st
            .tensors()
            .into_iter()
            .map(|(name, t)| (name, t.dtype(), t.shape().to_vec(), t.data().to_vec()))
            .collect();
        Parts {
            tensors,
            metadata: header.metadata().clone().unwrap_or_default(),
        }
    }

    fn tensor_mut(&mut self, name: &str) -> &mut (String, Dtype, Vec<usize>, Vec<u8>) {
        self.tensors
            .iter_mut()
            .find(|t| t.0 == name)
            .unwrap_or_else(|| panic!("no tensor {name}"))
    }

    fn remove(&mut self, name: &str) {
        self.tensors.retain(|t| t.0 != name);
    }

    fn bytes(&self) -> Vec<u8> {
        let views: Vec<(String, TensorView<'_>)> = self
            .tensors
            .iter()
            .map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()))
            .collect();
        safetensors::tensor::serialize(views, Some(self.metadata.clone())).unwrap()
    }
}

/// A safetensors file with a hand-written header (which the safetensors writer would refuse to produce).
fn raw_file(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// Loads `bytes`, expecting `Error::ModelFile` whose message contains every one of `needles`.
#[track_caller]
fn expect_model_file_error(what: &str, bytes: &[u8], needles: &[&str]) -> String {
    match from_bytes(bytes) {
        Ok(_) => panic!("{what}: loaded, but should have been refused"),
        Err(Error::ModelFile(message)) => {
            for needle in needles {
                assert!(
                    message.contains(needle),
                    "{what}: the message {message:?} should mention {needle:?}"
                );
            }
            message
        }
        Err(other) => panic!("{what}: expected Error::ModelFile, got {other:?}"),
    }
}

// ---- round trips

#[test]
fn round_trip_is_bit_exact_for_every_cell() {
    for cell in CELLS {
        for layers in [1, 2] {
            let mut original = model(cell, layers);
            // Values whose bits a sloppy writer would change: -0.0, subnormals, extremes.
            original.params[0] = -0.0;
            original.params[1] = f32::MIN_POSITIVE / 4.0;
            original.params[2] = f32::MAX;
            original.params[3] = -1.0e-38;
            let extra: BTreeMap<String, String> = [
                ("step".to_string(), "1234".to_string()),
                ("train_config".to_string(), "{\"lr\":0.002}".to_string()),
            ]
            .into();
            let bytes = model_file::to_bytes(&original, &extra);
            let (loaded, metadata) = from_bytes(&bytes).unwrap();
            assert_eq!(loaded.config, original.config, "{cell:?} L={layers}");
            assert_eq!(loaded.config.cell, cell);
            assert_eq!(loaded.vocab.chars(), original.vocab.chars());
            assert_eq!(loaded.layout, original.layout);
            let bits = |m: &Model| m.params.iter().map(|p| p.to_bits()).collect::<Vec<u32>>();
            assert_eq!(bits(&loaded), bits(&original), "{cell:?} L={layers}");
            assert_eq!(metadata.get("step").map(String::as_str), Some("1234"));
            assert_eq!(
                metadata.get("train_config").map(String::as_str),
                Some("{\"lr\":0.002}")
            );
            assert_eq!(metadata.get("cell").map(String::as_str), Some(cell.name()));
            let relu = metadata.get("nonlinearity").map(String::as_str) == Some("relu");
            assert_eq!(relu, cell == CellKind::Rnn(Activation::Relu));
            // And the written file is what PyTorch expects: the state_dict names and shapes.
            let st = SafeTensors::deserialize(&bytes).unwrap();
            let mut names = st.names();
            names.sort();
            let mut expected: Vec<&str> = original
                .layout
                .tensors
                .iter()
                .map(|t| t.name.as_str())
                .collect();
            expected.sort();
            assert_eq!(names, expected);
            assert_eq!(
                st.tensor("rnn.weight_ih_l0").unwrap().shape(),
                [cell.gates() * 3, 7]
            );
        }
    }
}

#[test]
fn the_same_model_always_writes_the_same_bytes() {
    let original = model(CellKind::Gru, 2);
    let extra: BTreeMap<String, String> = [
        ("step".to_string(), "7".to_string()),
        ("zeta".to_string(), "last".to_string()),
        ("alpha".to_string(), "first".to_string()),
    ]
    .into();
    let bytes = model_file::to_bytes(&original, &extra);
    assert_eq!(bytes, model_file::to_bytes(&original, &extra));
    // Loading and writing again reproduces the file byte for byte.
    let (loaded, metadata) = from_bytes(&bytes).unwrap();
    assert_eq!(bytes, model_file::to_bytes(&loaded, &metadata));
    // The header length is a multiple of 8, so the f32 data is aligned, as the format asks.
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap());
    assert_eq!(header_len % 8, 0, "header length {header_len}");
}

#[test]
fn save_and_load_through_the_file_system() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("model_file_test");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.safetensors");
    let original = model(CellKind::Lstm, 2);
    model_file::save(&path, &model_file::to_bytes(&original, &BTreeMap::new())).unwrap();
    let (loaded, _) = model_file::load(&path).unwrap();
    assert_eq!(loaded, original);
    assert!(!path.with_extension("safetensors.tmp").exists());
    match model_file::load(&dir.join("missing.safetensors")) {
        Err(Error::ModelFile(m)) => assert!(m.contains("missing.safetensors"), "{m}"),
        other => panic!("expected a ModelFile error, got {other:?}"),
    }
}

#[test]
fn pytorch_written_files_load_with_their_vocabulary_order() {
    for case in CASES {
        let bytes = fixture_bytes(&format!("{case}.safetensors"));
        let (model, metadata) = from_bytes(&bytes).unwrap();
        let file_vocab: Vec<String> = serde_json::from_str(&metadata["vocab"]).unwrap();
        let file_vocab: Vec<char> = file_vocab
            .iter()
            .map(|s| s.chars().next().unwrap())
            .collect();
        assert_eq!(model.vocab.chars(), file_vocab.as_slice(), "{case}");
        let mut sorted = file_vocab.clone();
        sorted.sort();
        assert_ne!(
            sorted, file_vocab,
            "{case}: the fixture vocabulary should be unsorted"
        );
        let layers: usize = case[case.len() - 1..].parse().unwrap();
        assert_eq!(model.config.layers, layers, "{case}");
        let expected_cell = match case {
            c if c.starts_with("rnn_relu") => CellKind::Rnn(Activation::Relu),
            c if c.starts_with("rnn") => CellKind::Rnn(Activation::Tanh),
            c if c.starts_with("lstm") => CellKind::Lstm,
            _ => CellKind::Gru,
        };
        assert_eq!(model.config.cell, expected_cell, "{case}");
        // Every character of the fixture text is in the vocabulary at its file position.
        let text = fixture_json(&format!("{case}.json"))["text"]
            .as_str()
            .unwrap()
            .to_string();
        for c in text.chars() {
            let i = model.vocab.index_of(c).unwrap() as usize;
            assert_eq!(file_vocab[i], c);
        }
        // Writing it back and reading again changes nothing.
        let again = model_file::to_bytes(&model, &BTreeMap::new());
        assert_eq!(from_bytes(&again).unwrap().0, model, "{case}");
    }
}

/// Every tensor of a file: name → (dtype, shape, raw little-endian bytes).
fn tensors_of(bytes: &[u8]) -> BTreeMap<String, (Dtype, Vec<usize>, Vec<u8>)> {
    SafeTensors::deserialize(bytes)
        .expect("a safetensors file")
        .tensors()
        .into_iter()
        .map(|(name, t)| (name, (t.dtype(), t.shape().to_vec(), t.data().to_vec())))
        .collect()
}

fn metadata_of(bytes: &[u8]) -> HashMap<String, String> {
    let (_, header) = SafeTensors::read_metadata(bytes).expect("a safetensors header");
    header.metadata().clone().unwrap_or_default()
}

/// What `scripts/make_fixtures.py` wrote with PyTorch's own `state_dict()` names (`rnn.weight_ih_l0`, …,
/// `decoder.weight`) is what rnnscope writes for the same model: the same tensor names, dtypes, shapes and bytes,
/// and the same metadata values, so a file exported here loads into the PyTorch model of the README unchanged.
#[test]
fn export_matches_the_tensors_pytorch_wrote() {
    for case in CASES {
        let pytorch = fixture_bytes(&format!("{case}.safetensors"));
        let (model, metadata) = from_bytes(&pytorch).unwrap();
        // Only the step is passed through; the cell, nonlinearity and vocabulary are written from the model.
        let step = BTreeMap::from([("step".to_string(), metadata["step"].clone())]);
        let ours = model_file::to_bytes(&model, &step);
        let (want, got) = (tensors_of(&pytorch), tensors_of(&ours));
        let names = |m: &BTreeMap<String, _>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(names(&got), names(&want), "{case}: tensor names");
        for (name, (dtype, shape, data)) in &want {
            let (our_dtype, our_shape, our_data) = &got[name];
            assert_eq!(our_dtype, dtype, "{case}: {name} dtype");
            assert_eq!(our_shape, shape, "{case}: {name} shape");
            assert!(our_data == data, "{case}: {name} holds other values");
        }
        // The same values; a JSON value (the vocabulary) may be spaced differently (Python's json.dumps puts
        // spaces after commas).
        let ours_meta = metadata_of(&ours);
        let parsed = |s: &str| serde_json::from_str::<serde_json::Value>(s).ok();
        for (key, value) in metadata_of(&pytorch) {
            let our_value = ours_meta
                .get(&key)
                .unwrap_or_else(|| panic!("{case}: no {key:?} in ours"));
            match (parsed(our_value), parsed(&value)) {
                (Some(a), Some(b)) => assert_eq!(a, b, "{case}: metadata {key:?}"),
                _ => assert_eq!(our_value, &value, "{case}: metadata {key:?}"),
            }
        }
    }
}

// ---- bad input

#[test]
fn empty_file() {
    expect_model_file_error("empty", &[], &["empty"]);
}

#[test]
fn every_truncation_of_a_valid_file_is_refused_without_panicking() {
    let small = Model::new(CellKind::Gru, 2, 1, Vocab::from_text("ab").unwrap(), 1).unwrap();
    let bytes = model_file::to_bytes(&small, &BTreeMap::new());
    assert!(from_bytes(&bytes).is_ok());
    for n in 0..bytes.len() {
        let result = std::panic::catch_unwind(|| from_bytes(&bytes[..n]));
        match result {
            Ok(Err(Error::ModelFile(m))) => assert!(!m.is_empty()),
            Ok(Ok(_)) => panic!("a file truncated to {n} of {} bytes loaded", bytes.len()),
            Ok(Err(other)) => panic!("prefix {n}: expected ModelFile, got {other:?}"),
            Err(_) => panic!("prefix {n} of {} bytes panicked", bytes.len()),
        }
    }
    // Appended bytes are refused too.
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 4]);
    expect_model_file_error("trailing bytes", &longer, &["safetensors"]);
}

#[test]
fn random_garbage_is_refused() {
    let mut rng = Pcg64::seed_from_u64(9);
    for len in [1, 7, 8, 9, 16, 100, 1000, 5000] {
        for _ in 0..20 {
            let garbage: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            expect_model_file_error("garbage", &garbage, &["safetensors"]);
        }
    }
    // A plausible header length followed by garbage that is not JSON.
    let mut fake = 40u64.to_le_bytes().to_vec();
    fake.extend((0..40).map(|i| (i * 37 % 251) as u8));
    expect_model_file_error("garbage header", &fake, &["safetensors"]);
    expect_model_file_error("not JSON", &raw_file("{not json}", &[]), &["safetensors"]);
    expect_model_file_error(
        "a text file",
        b"hello, this is not a model\n",
        &["safetensors"],
    );
}

#[test]
fn absurd_header_lengths_are_refused() {
    for n in [u64::MAX, u64::MAX / 2, 1 << 40, 100_000_000, 1_000] {
        let mut bytes = n.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"{}");
        expect_model_file_error(&format!("header length {n}"), &bytes, &["safetensors"]);
    }
}

#[test]
fn absurd_tensor_sizes_in_the_header_are_refused() {
    let meta = r#""__metadata__":{"cell":"rnn","vocab":"[\"a\",\"b\"]"}"#;
    let headers = [
        // Shape claims 2^80 elements with 8 bytes of data.
        format!(
            r#"{{{meta},"rnn.weight_hh_l0":{{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,8]}}}}"#
        ),
        // Shape whose byte size overflows.
        format!(
            r#"{{{meta},"rnn.weight_hh_l0":{{"dtype":"F32","shape":[18446744073709551615,2],"data_offsets":[0,8]}}}}"#
        ),
        // Offsets far beyond the file.
        format!(
            r#"{{{meta},"rnn.weight_hh_l0":{{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551615]}}}}"#
        ),
        // Offsets that run backwards.
        format!(
            r#"{{{meta},"rnn.weight_hh_l0":{{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}}}"#
        ),
        // Negative shape.
        format!(
            r#"{{{meta},"rnn.weight_hh_l0":{{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}}}"#
        ),
    ];
    for header in &headers {
        expect_model_file_error(header, &raw_file(header, &[0; 8]), &["safetensors"]);
    }
}

/// Zero-element tensors are valid safetensors, so a file of a few hundred bytes can describe a model of
/// 50 million parameters by its shapes alone. It must be refused before anything of that size is allocated.
#[test]
fn a_tiny_file_claiming_a_huge_model_allocates_little() {
    let header = r#"{"__metadata__":{"cell":"gru","vocab":"[\"a\",\"b\"]"},"rnn.weight_hh_l0":{"dtype":"F32","shape":[0,4096],"data_offsets":[0,0]},"rnn.weight_ih_l0":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}"#;
    let bytes = raw_file(header, &[]);
    LARGEST.with(|m| m.set(0));
    let message = expect_model_file_error("zero-element shapes", &bytes, &["rnn.weight_"]);
    let largest = LARGEST.with(|m| m.get());
    assert!(
        largest < 1 << 20,
        "refusing a {}-byte file allocated {} MiB at once (message: {message})",
        bytes.len(),
        largest >> 20
    );
}

#[test]
fn missing_tensors_are_named() {
    for name in [
        "decoder.bias",
        "rnn.bias_hh_l0",
        "decoder.weight",
        "rnn.weight_hh_l0",
    ] {
        let mut parts = Parts::of(&model(CellKind::Lstm, 1));
        parts.remove(name);
        expect_model_file_error(name, &parts.bytes(), &["missing", name]);
    }
    // Removing a second layer's tensor: whatever the loader decides, it names a tensor of layer 1.
    let mut parts = Parts::of(&model(CellKind::Gru, 2));
    parts.remove("rnn.weight_ih_l1");
    expect_model_file_error("layer 1", &parts.bytes(), &["_l1"]);
    let mut parts = Parts::of(&model(CellKind::Gru, 2));
    parts.remove("rnn.bias_ih_l1");
    expect_model_file_error("layer 1", &parts.bytes(), &["missing", "rnn.bias_ih_l1"]);
    // No tensors at all.
    let mut parts = Parts::of(&model(CellKind::Gru, 1));
    parts.tensors.clear();
    expect_model_file_error("no tensors", &parts.bytes(), &["missing"]);
}

#[test]
fn extra_tensors_are_named() {
    let mut parts = Parts::of(&model(CellKind::Rnn(Activation::Tanh), 1));
    parts
        .tensors
        .push(("encoder.weight".into(), Dtype::F32, vec![2], vec![0; 8]));
    expect_model_file_error("extra", &parts.bytes(), &["unexpected", "encoder.weight"]);
    // A bidirectional PyTorch RNN has reverse-direction tensors: refused by name.
    let mut parts = Parts::of(&model(CellKind::Rnn(Activation::Tanh), 1));
    let (_, d, s, b) = parts.tensor_mut("rnn.bias_ih_l0").clone();
    parts
        .tensors
        .push(("rnn.bias_ih_l0_reverse".into(), d, s, b));
    expect_model_file_error("reverse", &parts.bytes(), &["rnn.bias_ih_l0_reverse"]);
}

#[test]
fn wrong_shapes_are_named_with_both_shapes() {
    let mut parts = Parts::of(&model(CellKind::Lstm, 1));
    parts.tensor_mut("decoder.weight").2 = vec![3, 7]; // transposed (V=7, H=3)
    expect_model_file_error(
        "transposed",
        &parts.bytes(),
        &["decoder.weight", "[3, 7]", "[7, 3]"],
    );

    let mut parts = Parts::of(&model(CellKind::Gru, 1));
    let t = parts.tensor_mut("rnn.bias_hh_l0");
    t.2 = vec![3, 3];
    expect_model_file_error(
        "bias as matrix",
        &parts.bytes(),
        &["rnn.bias_hh_l0", "[3, 3]", "[9]"],
    );

    // An LSTM file labelled as a GRU: the gate blocks do not fit.
    let mut parts = Parts::of(&model(CellKind::Lstm, 1));
    parts.metadata.insert("cell".into(), "gru".into());
    expect_model_file_error("lstm as gru", &parts.bytes(), &["shape", "gru"]);

    let mut parts = Parts::of(&model(CellKind::Lstm, 1));
    let t = parts.tensor_mut("rnn.weight_hh_l0");
    t.2 = vec![12 * 3];
    expect_model_file_error("1-D weight_hh", &parts.bytes(), &["rnn.weight_hh_l0"]);
}

#[test]
fn wrong_dtypes_are_named() {
    for (dtype, width) in [(Dtype::F64, 8), (Dtype::I32, 4), (Dtype::U8, 1)] {
        let mut parts = Parts::of(&model(CellKind::Gru, 1));
        let t = parts.tensor_mut("rnn.weight_ih_l0");
        let n: usize = t.2.iter().product();
        t.1 = dtype;
        t.3 = vec![0; n * width];
        let message = expect_model_file_error(
            &format!("{dtype:?}"),
            &parts.bytes(),
            &[
                "rnn.weight_ih_l0",
                &format!("{dtype:?}"),
                "F32, F16 and BF16",
            ],
        );
        assert!(message.contains("dtype"), "{message}");
    }
}

#[test]
fn vocabulary_problems_are_explained() {
    let base = || Parts::of(&model(CellKind::Lstm, 1));
    let with_vocab = |json: &str| {
        let mut p = base();
        p.metadata.insert("vocab".into(), json.into());
        p.bytes()
    };
    // One character fewer than the weights expect.
    expect_model_file_error(
        "short vocab",
        &with_vocab(r#"["z","é","a","\n","日","—"]"#),
        &["rnn.weight_ih_l0", "vocabulary has 6 characters"],
    );
    // One more.
    expect_model_file_error(
        "long vocab",
        &with_vocab(r#"["z","é","a","\n","日","—","😀","q"]"#),
        &["vocabulary has 8 characters"],
    );
    expect_model_file_error(
        "two characters",
        &with_vocab(r#"["z","é","ab","\n","日","—","😀"]"#),
        &["vocab entry 2", "\"ab\"", "one character"],
    );
    expect_model_file_error(
        "empty entry",
        &with_vocab(r#"["z","é","","\n","日","—","😀"]"#),
        &["vocab entry 2", "one character"],
    );
    let message = expect_model_file_error(
        "duplicate",
        &with_vocab(r#"["z","é","a","\n","日","é","😀"]"#),
        &["'é'", "twice"],
    );
    assert!(
        !message.contains("text"),
        "about the file, not a text: {message}"
    );
    expect_model_file_error("not JSON", &with_vocab("zéa\n日—😀"), &["vocab", "JSON"]);
    expect_model_file_error("numbers", &with_vocab("[1,2,3]"), &["vocab", "JSON"]);
    expect_model_file_error("empty", &with_vocab("[]"), &["vocab"]);
}

#[test]
fn metadata_problems_are_explained() {
    let mut p = Parts::of(&model(CellKind::Gru, 1));
    p.metadata.remove("cell");
    expect_model_file_error("no cell", &p.bytes(), &["\"cell\""]);

    let mut p = Parts::of(&model(CellKind::Gru, 1));
    p.metadata.remove("vocab");
    expect_model_file_error("no vocab", &p.bytes(), &["\"vocab\""]);

    let mut p = Parts::of(&model(CellKind::Gru, 1));
    p.metadata.clear();
    expect_model_file_error("no metadata", &p.bytes(), &["\"cell\""]);

    let mut p = Parts::of(&model(CellKind::Gru, 1));
    p.metadata.insert("cell".into(), "transformer".into());
    expect_model_file_error("unknown cell", &p.bytes(), &["unknown cell", "transformer"]);

    let mut p = Parts::of(&model(CellKind::Rnn(Activation::Tanh), 1));
    p.metadata.insert("nonlinearity".into(), "sigmoid".into());
    expect_model_file_error("unknown nonlinearity", &p.bytes(), &["sigmoid"]);

    let mut p = Parts::of(&model(CellKind::Lstm, 1));
    p.metadata.insert("nonlinearity".into(), "relu".into());
    expect_model_file_error("relu lstm", &p.bytes(), &["lstm", "nonlinearity"]);
}

#[test]
fn non_finite_weights_are_named_with_their_position() {
    for (value, shown) in [
        (f32::NAN, "NaN"),
        (f32::INFINITY, "inf"),
        (f32::NEG_INFINITY, "-inf"),
    ] {
        let mut p = Parts::of(&model(CellKind::Lstm, 2));
        let t = p.tensor_mut("rnn.weight_hh_l1");
        t.3[5 * 4..6 * 4].copy_from_slice(&value.to_le_bytes());
        expect_model_file_error(
            shown,
            &p.bytes(),
            &["rnn.weight_hh_l1", "non-finite", shown, "element 5"],
        );
    }
}

#[test]
fn models_built_from_parameters_refuse_non_finite_values_too() {
    let good = model(CellKind::Gru, 1);
    let mut params = good.params.clone();
    let decoder = good.layout.get("decoder.bias").unwrap().range.clone();
    params[decoder.start + 2] = f32::NAN;
    match Model::from_params(good.config, good.vocab.clone(), params) {
        Err(Error::ModelFile(m)) => {
            assert!(m.contains("decoder.bias") && m.contains("element 2"), "{m}")
        }
        other => panic!("expected a ModelFile error, got {other:?}"),
    }
    assert!(Model::from_params(good.config, good.vocab.clone(), good.params.clone()).is_ok());
}

// ---- half precision

/// A model stored as F16 or BF16 loads as the f32 values those hold: each weight rounded to nearest (ties to even),
/// as PyTorch's `model.half()` / `model.bfloat16()` round; the file is half the size; a file may mix dtypes
/// tensor by tensor; and every truncation of one is refused without a panic.
#[test]
fn half_precision_files_load_as_the_rounded_weights() {
    use rnnscope::float16::{bf16_to_f32, f16_to_f32, f32_to_bf16, f32_to_f16};
    use rnnscope::model_file::{to_bytes_as, WeightType};
    for cell in [
        CellKind::Lstm,
        CellKind::Gru,
        CellKind::Rnn(Activation::Relu),
    ] {
        let model = model(cell, 2);
        let full = model_file::to_bytes(&model, &BTreeMap::new());
        for (dtype, round) in [
            (
                WeightType::F16,
                (|v| f16_to_f32(f32_to_f16(v))) as fn(f32) -> f32,
            ),
            (WeightType::BF16, |v| bf16_to_f32(f32_to_bf16(v))),
        ] {
            let bytes = to_bytes_as(&model, &BTreeMap::new(), dtype).unwrap();
            // Two bytes fewer per weight (the headers differ only by the dtype names and padding).
            let saved = full.len() as i64 - bytes.len() as i64;
            assert!(
                (saved - 2 * model.params.len() as i64).abs() <= 64,
                "{dtype:?}: {saved} bytes saved"
            );
            let (loaded, _) = from_bytes(&bytes).unwrap();
            let want: Vec<f32> = model.params.iter().map(|&v| round(v)).collect();
            assert!(
                loaded
                    .params
                    .iter()
                    .zip(&want)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{cell:?} {dtype:?}"
            );
            assert_ne!(loaded.params, model.params, "the weights were rounded");
            assert_eq!(loaded.vocab, model.vocab);
            // Written again as the same type, the same bytes.
            assert_eq!(
                to_bytes_as(&loaded, &BTreeMap::new(), dtype).unwrap(),
                bytes
            );
            for cut in (0..bytes.len()).step_by(37) {
                assert!(from_bytes(&bytes[..cut]).is_err(), "{dtype:?} cut at {cut}");
            }
        }
    }
    // One tensor in F16, the rest F32.
    let model = model(CellKind::Lstm, 1);
    let mut parts = Parts::of(&model);
    let t = parts.tensor_mut("rnn.weight_hh_l0");
    let values: Vec<f32> =
        t.3.chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect();
    t.1 = Dtype::F16;
    t.3 = values
        .iter()
        .flat_map(|&v| f32_to_f16(v).to_le_bytes())
        .collect();
    let (mixed, _) = from_bytes(&parts.bytes()).unwrap();
    let hh = model.layout.get("rnn.weight_hh_l0").unwrap().range.clone();
    for (i, (&got, &was)) in mixed.params.iter().zip(&model.params).enumerate() {
        let want = if hh.contains(&i) {
            f16_to_f32(f32_to_f16(was))
        } else {
            was
        };
        assert_eq!(got.to_bits(), want.to_bits(), "parameter {i}");
    }
}

/// The PyTorch-written fixtures, stored as F16 and BF16 by `scripts/make_half_fixtures.py` (the standard
/// library's IEEE half rounding, which is PyTorch's `float16`, and bfloat16's round-to-nearest-even, which is
/// PyTorch's `bfloat16`), load as what rnnscope's own rounding of the F32 fixture gives, bit for bit.
#[test]
fn pytorch_half_fixtures_load_as_rnnscope_rounds() {
    use rnnscope::float16::{bf16_to_f32, f16_to_f32, f32_to_bf16, f32_to_f16};
    for case in CASES {
        let (full, _) = from_bytes(&fixture_bytes(&format!("{case}.safetensors"))).unwrap();
        for (suffix, round) in [
            ("f16", (|v| f16_to_f32(f32_to_f16(v))) as fn(f32) -> f32),
            ("bf16", |v| bf16_to_f32(f32_to_bf16(v))),
        ] {
            let (half, _) =
                from_bytes(&fixture_bytes(&format!("{case}.{suffix}.safetensors"))).unwrap();
            assert_eq!(half.vocab, full.vocab, "{case} {suffix}");
            for (i, (&got, &was)) in half.params.iter().zip(&full.params).enumerate() {
                assert_eq!(
                    got.to_bits(),
                    round(was).to_bits(),
                    "{case} {suffix}: parameter {i} ({was})"
                );
            }
        }
    }
}
