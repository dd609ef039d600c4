//! What the criterion benchmarks share: the text they train and probe on.

/// tinyshakespeare, read from `../shared/corpora/` (not shipped in the repository).
pub fn corpus() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpora/tinyshakespeare.txt"
    );
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("the benchmark reads {path}: {e}"))
}
