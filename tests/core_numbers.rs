//! `www/core-numbers.js` holds the numbers the page shares with the core. It is generated from the Rust constants
//! by this test: the test renders the file and fails when the committed one differs, so a number changed on one
//! side only cannot land. After changing a constant, rewrite the file with
//!
//! ```text
//! RNNSCOPE_BLESS=1 cargo test --test core_numbers
//! ```
//!
//! `PARAM_COUNT_EXAMPLES` are parameter counts computed by [`ModelConfig::param_count`], which the page's own
//! count (`paramCount` in `www/scope/state.js`) is checked against in `tests/unit/state.test.mjs`.

use rnnscope::analysis::{errors, features, request, stats};
use rnnscope::cell::CellKind;
use rnnscope::{sampler, trainer, ModelConfig};
use std::fmt::Write;
use std::path::PathBuf;

const FILE: &str = "www/core-numbers.js";

/// Shapes whose parameter count the page must agree on: every cell, one and several layers, small and large sizes.
const EXAMPLES: [(&str, usize, usize, usize); 7] = [
    ("rnn", 8, 1, 5),
    ("rnn", 100, 3, 65),
    ("lstm", 32, 1, 27),
    ("lstm", 128, 2, 65),
    ("lstm", 512, 3, 96),
    ("gru", 64, 2, 40),
    ("gru", 1024, 1, 200),
];

fn render() -> String {
    let mut s = String::new();
    s.push_str(
        "// Numbers the page shares with the core. GENERATED from the Rust constants by tests/core_numbers.rs, which\n\
         // fails when this file differs from what it renders; do not edit by hand. After changing a constant, run\n\
         //   RNNSCOPE_BLESS=1 cargo test --test core_numbers\n\n",
    );
    let blocks: Vec<String> = ["rnn", "lstm", "gru"]
        .iter()
        .map(|name| format!("{name}: {}", cell(name).gates()))
        .collect();
    let examples: Vec<String> = EXAMPLES
        .iter()
        .map(|&(name, hidden, layers, vocab)| {
            let params = config(name, hidden, layers, vocab).param_count();
            format!("  {{ cell: '{name}', hidden: {hidden}, layers: {layers}, vocab: {vocab}, params: {params} }},")
        })
        .collect();
    // (what it is and where it lives, its name in JS, its value as JS)
    let constants = [
        ("Streams per worker below which a second one does not pay (src/trainer/parallel.rs).", "MIN_STREAMS", trainer::parallel::MIN_STREAMS.to_string()),
        ("Most patterns one cell-finder run takes (src/analysis/request.rs).", "MAX_PATTERNS", request::MAX_PATTERNS.to_string()),
        ("Longest pattern, in UTF-8 bytes (src/analysis/features.rs).", "MAX_PATTERN_BYTES", features::MAX_PATTERN.to_string()),
        ("A gate below this is saturated shut (src/analysis/stats.rs).", "SATURATION_SHUT", stats::LEFT_SATURATED.to_string()),
        ("A gate above this is saturated open (src/analysis/stats.rs).", "SATURATION_OPEN", stats::RIGHT_SATURATED.to_string()),
        ("A character the model gives less than this probability is an error (src/analysis/errors.rs).", "ERROR_BELOW", errors::ERROR_BELOW.to_string()),
        ("The sampler's default temperature (src/sampler.rs).", "DEFAULT_TEMPERATURE", sampler::DEFAULT_TEMPERATURE.to_string()),
        ("Gate blocks stacked in each cell's weight matrices (src/cell/).", "GATE_BLOCKS", format!("Object.freeze({{ {} }})", blocks.join(", "))),
        ("Parameter counts of some shapes, by ModelConfig::param_count (src/model_config.rs).", "PARAM_COUNT_EXAMPLES", format!("Object.freeze([\n{}\n])", examples.join("\n"))),
    ];
    for (doc, name, value) in constants {
        writeln!(s, "/** {doc} */\nexport const {name} = {value};").unwrap();
    }
    s
}

fn cell(name: &str) -> CellKind {
    CellKind::parse(name, None).expect("a cell name")
}

fn config(name: &str, hidden: usize, layers: usize, vocab: usize) -> ModelConfig {
    let config = ModelConfig {
        cell: cell(name),
        vocab_size: vocab,
        hidden,
        layers,
    };
    config.validate().expect("an accepted shape");
    config
}

#[test]
fn core_numbers_js_is_generated_from_the_rust_constants() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FILE);
    let expected = render();
    if std::env::var_os("RNNSCOPE_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("write www/core-numbers.js");
        return;
    }
    let committed = std::fs::read_to_string(&path).expect("read www/core-numbers.js");
    if committed != expected {
        let first = committed
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(expected.lines().count()));
        panic!(
            "{FILE} differs from the Rust constants (first at line {}: {:?}, expected {:?}); \
             run `RNNSCOPE_BLESS=1 cargo test --test core_numbers` and commit the file",
            first + 1,
            committed.lines().nth(first).unwrap_or(""),
            expected.lines().nth(first).unwrap_or("")
        );
    }
}
