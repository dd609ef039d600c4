//! Training throughput in characters per second (criterion reports it as "elements/s"), on the vocabulary
//! and text of tinyshakespeare, read from `../shared/corpora/` (not shipped in the repository).
//!
//! `cargo bench --bench train`. The cases are those of `benches/cases.json` (BENCHMARKS.md's S1–S4), which
//! every benchmark reads; PyTorch's numbers there were measured on one thread of the same machine.
//! `RNNSCOPE_THREADS=N` trains on N threads (default 1); only the batched case splits usefully.
//!
//! criterion is a native-only dev-dependency (for wasm32 it would add clap, regex and more to every wasm test
//! build), so for wasm32 this is an empty program; the wasm benchmarks are the `benches/*.mjs` scripts.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(not(target_arch = "wasm32"))]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::common::corpus;
    use criterion::{criterion_group, Criterion, Throughput};
    use rnnscope::{CellKind, Model, OptimizerKind, TrainConfig, Trainer, Vocab};
    use std::time::Duration;

    /// One case of `benches/cases.json`, the file every benchmark reads (`BENCHMARKS.md` calls them S1–S4).
    struct Case {
        name: String,
        cell: CellKind,
        hidden: usize,
        layers: usize,
        seq_len: usize,
        batch: usize,
        optimizer: OptimizerKind,
        lr: f32,
    }

    /// The cases and the gradient clip they all train with.
    fn cases() -> (Vec<Case>, f32) {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("cases.json")).expect("benches/cases.json is JSON");
        let text = |c: &serde_json::Value, key: &str| c[key].as_str().expect(key).to_owned();
        let whole = |c: &serde_json::Value, key: &str| c[key].as_u64().expect(key) as usize;
        let cases = file["cases"]
            .as_array()
            .expect("a list of cases")
            .iter()
            .map(|c| Case {
                name: text(c, "name"),
                cell: CellKind::parse(&text(c, "cell"), None).expect("a cell"),
                hidden: whole(c, "hidden"),
                layers: whole(c, "layers"),
                seq_len: whole(c, "seqLen"),
                batch: whole(c, "batch"),
                optimizer: OptimizerKind::parse(&text(c, "optimizer")).expect("an optimizer"),
                lr: c["lr"].as_f64().expect("lr") as f32,
            })
            .collect();
        (cases, file["clip"].as_f64().expect("clip") as f32)
    }

    fn training(c: &mut Criterion) {
        let text = corpus();
        let vocab = Vocab::from_text(&text).expect("corpus has characters");
        let threads: usize = std::env::var("RNNSCOPE_THREADS")
            .ok()
            .map(|s| s.parse().expect("RNNSCOPE_THREADS is a number of threads"))
            .unwrap_or(1);
        let mut group = c.benchmark_group("train_chars_per_sec");
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(6))
            .warm_up_time(Duration::from_secs(2));
        let (cases, clip) = cases();
        for case in &cases {
            let model = Model::new(case.cell, case.hidden, case.layers, vocab.clone(), 1)
                .expect("valid model");
            let config = TrainConfig {
                seq_len: case.seq_len,
                batch: case.batch,
                optimizer: case.optimizer,
                lr: case.lr,
                clip,
                val_fraction: 0.0,
                ..TrainConfig::default()
            };
            let mut trainer = Trainer::new(model, &text, config).expect("valid trainer");
            trainer.set_threads(threads).expect("a valid thread count");
            group.throughput(Throughput::Elements((case.seq_len * case.batch) as u64));
            group.bench_function(&case.name, |b| {
                b.iter(|| trainer.step().expect("healthy step"))
            });
        }
        group.finish();
    }

    criterion_group!(benches, training);
}
