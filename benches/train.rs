//! Training throughput in characters per second (criterion reports it as "elements/s"), on the vocabulary
//! and text of tinyshakespeare, read from `../shared/corpora/` (not shipped in the repository).
//!
//! `cargo bench --bench train`. The cases mirror the README's comparison table; PyTorch's numbers there were
//! measured on one thread of the same machine. `RNNSCOPE_THREADS=N` trains on N threads (default 1); only the
//! batched case splits usefully.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rnnscope::cell::Activation;
use rnnscope::{CellKind, Model, OptimizerKind, TrainConfig, Trainer, Vocab};
use std::time::Duration;

struct Case {
    name: &'static str,
    cell: CellKind,
    hidden: usize,
    layers: usize,
    seq_len: usize,
    batch: usize,
    optimizer: OptimizerKind,
    lr: f32,
}

const CASES: [Case; 4] = [
    Case {
        name: "lstm_1x128_seq25_b1",
        cell: CellKind::Lstm,
        hidden: 128,
        layers: 1,
        seq_len: 25,
        batch: 1,
        optimizer: OptimizerKind::Adam,
        lr: 2e-3,
    },
    Case {
        name: "lstm_2x256_seq64_b32",
        cell: CellKind::Lstm,
        hidden: 256,
        layers: 2,
        seq_len: 64,
        batch: 32,
        optimizer: OptimizerKind::Adam,
        lr: 2e-3,
    },
    Case {
        name: "rnn_1x100_seq25_b1_adagrad",
        cell: CellKind::Rnn(Activation::Tanh),
        hidden: 100,
        layers: 1,
        seq_len: 25,
        batch: 1,
        optimizer: OptimizerKind::Adagrad,
        lr: 0.1,
    },
    Case {
        name: "gru_1x128_seq25_b1",
        cell: CellKind::Gru,
        hidden: 128,
        layers: 1,
        seq_len: 25,
        batch: 1,
        optimizer: OptimizerKind::Adam,
        lr: 2e-3,
    },
];

fn corpus() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpora/tinyshakespeare.txt"
    );
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("the benchmark reads {path}: {e}"))
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
    for case in &CASES {
        let model =
            Model::new(case.cell, case.hidden, case.layers, vocab.clone(), 1).expect("valid model");
        let config = TrainConfig {
            seq_len: case.seq_len,
            batch: case.batch,
            optimizer: case.optimizer,
            lr: case.lr,
            clip: 5.0,
            val_fraction: 0.0,
        };
        let mut trainer = Trainer::new(model, &text, config).expect("valid trainer");
        trainer.set_threads(threads).expect("a valid thread count");
        group.throughput(Throughput::Elements((case.seq_len * case.batch) as u64));
        group.bench_function(case.name, |b| {
            b.iter(|| trainer.step().expect("healthy step"))
        });
    }
    group.finish();
}

criterion_group!(benches, training);
criterion_main!(benches);
