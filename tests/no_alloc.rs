//! Training on one thread allocates nothing per step: every buffer is sized when the trainer is built. Counted
//! with a global allocator that tallies this thread's allocations, over steps that include the data wrapping
//! around. The claim is only this one: the threaded step starts scoped threads at every step (which allocates), and
//! the shared step of the page's two workers copies gradients.
#![cfg(not(target_arch = "wasm32"))]

use rnnscope::cell::Activation;
use rnnscope::{corpus, CellKind, Model, OptimizerKind, TrainConfig, Trainer, Vocab};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn training_steps_allocate_nothing() {
    let text = corpus::get("brackets").unwrap();
    let text: String = text.chars().take(3000).collect();
    let vocab = Vocab::from_text(&text).unwrap();
    let cells = [
        CellKind::Rnn(Activation::Tanh),
        CellKind::Rnn(Activation::Relu),
        CellKind::Lstm,
        CellKind::Gru,
    ];
    let optimizers = [
        OptimizerKind::Adam,
        OptimizerKind::RmsProp,
        OptimizerKind::Adagrad,
        OptimizerKind::Sgd { momentum: 0.9 },
    ];
    for (cell, optimizer) in cells.into_iter().zip(optimizers) {
        for (layers, batch) in [(1, 1), (2, 8)] {
            let model = Model::new(cell, 24, layers, vocab.clone(), 3).unwrap();
            let config = TrainConfig {
                seq_len: 20,
                batch,
                optimizer,
                lr: 1e-3,
                clip: 0.05, // small, so clipping happens
                val_fraction: 0.1,
                ..TrainConfig::default()
            };
            let mut trainer = Trainer::new(model, &text, config).unwrap();
            trainer.step().unwrap();
            let before = allocations();
            let (mut wrapped, mut clipped) = (false, false);
            for _ in 0..200 {
                let report = trainer.step().unwrap();
                wrapped |= report.wrapped;
                clipped |= report.clipped;
            }
            let during = allocations() - before;
            assert!(
                wrapped && clipped,
                "{cell:?} L={layers}: the steps should wrap and clip"
            );
            assert_eq!(
                during, 0,
                "{cell:?} L={layers} B={batch}: {during} allocations in 200 steps"
            );
        }
    }
}
