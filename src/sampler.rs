//! Drawing characters from a model: temperature, top-k, a priming text, a seed. Never loops, never panics.

use crate::clamp::Clamp;
use crate::error::{Error, Result};
use crate::model::{Model, State};
use crate::nonlinear::softmax;
use crate::tape::{Tape, NONE};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

/// The temperature of the samples shown after training (the CLI's `train`) and the page's default: conservative
/// enough to read as words early in training, varied enough not to repeat one line.
pub const DEFAULT_TEMPERATURE: f32 = 0.8;

/// Picks an index from `logits` `(V)` given a uniform `coin` in `[0, 1)`.
///
/// - `temperature <= 0` (or not finite): the argmax, the first one on ties;
/// - otherwise softmax of `logits / temperature`, restricted to the `top_k` largest (`0` = all);
/// - if rounding leaves the coin above the cumulative sum, the last candidate is returned.
///
/// `scratch` `(V)` receives the probabilities actually sampled from.
pub fn pick(
    logits: &[f32],
    temperature: f32,
    top_k: usize,
    coin: f32,
    scratch: &mut [f32],
) -> usize {
    let v = logits.len();
    if v == 0 {
        return 0;
    }
    let argmax = logits
        .iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &x)| {
            if x > best.1 {
                (i, x)
            } else {
                best
            }
        })
        .0;
    if !(temperature > 0.0 && temperature.is_finite()) || top_k == 1 {
        return argmax;
    }
    // Threshold for top-k: the k-th largest score (everything at or above it stays).
    let k = if top_k == 0 || top_k >= v { v } else { top_k };
    let threshold = if k < v {
        // A sort of V indices, not `select_nth_unstable`: the crate's one sort (crate::order) costs the wasm
        // nothing more, and V is at most a few thousand.
        let order = crate::order::stable_order(v, &|a, b| logits[b].total_cmp(&logits[a]));
        logits[order[k - 1]]
    } else {
        f32::NEG_INFINITY
    };
    for (s, &x) in scratch.iter_mut().zip(logits) {
        *s = if x >= threshold {
            x / temperature
        } else {
            f32::NEG_INFINITY
        };
    }
    let scaled: &mut [f32] = scratch;
    let max = scaled.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        return argmax;
    }
    let mut sum = 0.0f32;
    for s in scaled.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    if !(sum > 0.0 && sum.is_finite()) {
        return argmax;
    }
    let target = coin * sum;
    let mut cumulative = 0.0f32;
    let mut last = argmax;
    for (i, &p) in scaled.iter().enumerate() {
        if p > 0.0 {
            cumulative += p;
            last = i;
            if target < cumulative {
                return i;
            }
        }
    }
    last
}

/// A streaming sampler: prime it, then draw characters one at a time.
pub struct Sampler {
    tape: Tape,
    state: State,
    rng: Pcg64,
    temperature: f32,
    top_k: usize,
    /// `(V)` scores for the next character.
    next_logits: Vec<f32>,
    scratch: Vec<f32>,
}

impl Sampler {
    /// Feeds `prime` (from a zero state) and prepares to draw. Characters of `prime` outside the vocabulary are
    /// refused. With an empty prime, the first character is drawn from the model's prediction after an all-zero
    /// input.
    pub fn new(
        model: &Model,
        prime: &str,
        temperature: f32,
        top_k: usize,
        seed: u64,
    ) -> Result<Sampler> {
        Sampler::with_clamps(model, prime, temperature, top_k, seed, &[])
    }

    /// [`Sampler::new`] with units held at values (see [`crate::clamp`]) while priming and drawing.
    pub fn with_clamps(
        model: &Model,
        prime: &str,
        temperature: f32,
        top_k: usize,
        seed: u64,
        clamps: &[Clamp],
    ) -> Result<Sampler> {
        if temperature.is_nan() || temperature < 0.0 {
            return Err(Error::Config(format!(
                "temperature {temperature} must be a number ≥ 0"
            )));
        }
        let encoded = model.vocab.encode(prime)?;
        let mut tape = Tape::new(&model.config, 1, 1)?;
        tape.set_clamps(clamps)?;
        let mut s = Sampler {
            tape,
            state: State::zeros(&model.config, 1),
            rng: Pcg64::seed_from_u64(seed),
            temperature,
            top_k,
            next_logits: vec![0.0; model.config.vocab_size],
            scratch: vec![0.0; model.config.vocab_size],
        };
        if encoded.is_empty() {
            s.feed(model, NONE);
        }
        for x in encoded {
            s.feed(model, x);
        }
        Ok(s)
    }

    fn feed(&mut self, model: &Model, x: u32) {
        self.tape.inputs[0] = x;
        self.tape.targets[0] = NONE;
        let _ = self.tape.forward(model, &mut self.state, 1);
        self.next_logits.copy_from_slice(self.tape.logits(0, 0));
    }

    /// Draws one character and feeds it back.
    pub fn next_char(&mut self, model: &Model) -> char {
        let coin: f32 = self.rng.random();
        let i = pick(
            &self.next_logits,
            self.temperature,
            self.top_k,
            coin,
            &mut self.scratch,
        );
        self.feed(model, i as u32);
        model.vocab.char_at(i)
    }

    /// Probabilities `(V)` of the next character at temperature 1.
    pub fn next_probs(&self) -> Vec<f32> {
        let mut p = vec![0.0; self.next_logits.len()];
        softmax(&self.next_logits, &mut p);
        p
    }
}

/// `length` characters drawn after `prime` (the prime itself is not repeated).
pub fn sample(
    model: &Model,
    prime: &str,
    length: usize,
    temperature: f32,
    top_k: usize,
    seed: u64,
) -> Result<String> {
    let mut sampler = Sampler::new(model, prime, temperature, top_k, seed)?;
    Ok((0..length).map(|_| sampler.next_char(model)).collect())
}
