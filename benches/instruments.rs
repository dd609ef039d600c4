//! The cost of each instrument for an LSTM 2 × 256 on 10,000 characters of tinyshakespeare (read from
//! `../shared/corpora/`, not shipped), through `analysis::request::run`, the path the page's worker takes. The
//! weights are a fresh model's: the cost does not depend on what the model learnt.
//!
//! `cargo bench --bench instruments`; the same requests in wasm: `node benches/instruments-wasm.mjs`.
//! For wasm32 an empty program, as `benches/train.rs` says why.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(not(target_arch = "wasm32"))]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::common::corpus;
    use criterion::{criterion_group, Criterion};
    use rnnscope::analysis::request::{run, Cache, Request};
    use rnnscope::clamp::{Clamp, ClampedTensor};
    use rnnscope::{CellKind, Model, Vocab};
    use std::time::Duration;

    const CHARS: usize = 10_000;

    fn instruments(c: &mut Criterion) {
        let train = corpus();
        let vocab = Vocab::from_text(&train).expect("corpus has characters");
        let model = Model::new(CellKind::Lstm, 256, 2, vocab, 1).expect("valid model");
        let text: String = train.chars().skip(train.chars().count() - CHARS).collect();
        let requests = [
            (
                "cells",
                Request::Cells {
                    text: text.clone(),
                    top: 5,
                    regex: vec![],
                    matched: vec![],
                },
            ),
            ("saturation", Request::Saturation { text: text.clone() }),
            (
                "errors",
                Request::Errors {
                    text: text.clone(),
                    order: None,
                    memory: None,
                    rare: None,
                    top: None,
                },
            ),
            (
                "connectivity_window256",
                Request::Connectivity {
                    text: text.clone(),
                    position: CHARS - 2,
                    window: 256,
                    clamps: vec![],
                },
            ),
            (
                "ablation",
                Request::Ablation {
                    text: text.clone(),
                    clamps: vec![Clamp::ablate(1, ClampedTensor::C, 7)],
                },
            ),
        ];
        let mut group = c.benchmark_group("instrument_lstm_2x256_10k_chars");
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(10))
            .warm_up_time(Duration::from_secs(1));
        let mut cache = Cache::default();
        for (name, request) in &requests {
            group.bench_function(*name, |b| {
                b.iter(|| run(&model, &train, &mut cache, request).expect("the request runs"))
            });
        }
        // The n-gram is fitted once per training text and kept; this is the cost of the first `errors` request.
        group.bench_function("errors_first_request_with_ngram_fit", |b| {
            b.iter(|| {
                run(&model, &train, &mut Cache::default(), &requests[2].1)
                    .expect("the request runs")
            })
        });
        // Connectivity keeps the states of the text before the window; this is a first request, without them
        // (the `connectivity_window256` above measures pointing at a position once they are kept).
        let connectivity = &requests
            .iter()
            .find(|(n, _)| n.starts_with("connectivity"))
            .expect("a connectivity request")
            .1;
        group.bench_function("connectivity_first_request", |b| {
            b.iter(|| {
                run(&model, &train, &mut Cache::default(), connectivity).expect("the request runs")
            })
        });
        group.finish();
    }

    criterion_group!(benches, instruments);
}
