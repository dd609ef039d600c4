//! Looking inside: per character and per layer, the hidden state, the LSTM cell state, the gate activations,
//! the output scores and probabilities. Incremental: one more character costs one recurrent step.

use crate::cell::CellKind;
use crate::clamp::Clamp;
use crate::error::{Error, Result};
use crate::model::{Model, State};
use crate::model_config::ModelConfig;
use crate::tape::{Tape, NONE};

/// Everything the model computed at one character.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeStep {
    pub ch: char,
    /// Vocabulary index of `ch`, `None` for a character outside the vocabulary (fed as an all-zero vector).
    pub input: Option<u32>,
    /// `(L, H)` hidden state after this character.
    pub h: Vec<f32>,
    /// `(L, H)` LSTM cell state after this character (empty for other cells).
    pub c: Vec<f32>,
    /// `(L, G·H)` gate activations (LSTM `i, f, g, o`; GRU `r, z, n`; empty for the RNN).
    pub gates: Vec<f32>,
    /// `(V)` output scores, the prediction for the next character.
    pub logits: Vec<f32>,
    /// `(V)` softmax of `logits`.
    pub probs: Vec<f32>,
}

impl ProbeStep {
    /// Probability this step gave to character index `next`, and its loss `-ln p` in nats.
    pub fn score(&self, next: u32) -> (f32, f32) {
        let p = self.probs[next as usize];
        (p, -(p.max(f32::MIN_POSITIVE)).ln())
    }
}

/// The activations of a text, kept so that the text can grow (or be edited) at the cost of the new part only.
pub struct Probe {
    config: ModelConfig,
    tape: Tape,
    state: State,
    steps: Vec<ProbeStep>,
}

impl Probe {
    pub fn new(model: &Model) -> Probe {
        Probe {
            config: model.config,
            tape: Tape::new(&model.config, 1, 1).expect("a one-step tape always fits"),
            state: State::zeros(&model.config, 1),
            steps: Vec::new(),
        }
    }

    /// Holds units at values (see [`crate::clamp`]) from now on, or releases them all with an empty list;
    /// forgets the steps computed so far, which were computed without them. Refuses clamps the model cannot
    /// have and keeps the previous ones.
    pub fn set_clamps(&mut self, model: &Model, clamps: &[Clamp]) -> Result<()> {
        if model.config != self.config {
            *self = Probe::new(model);
        }
        self.tape.set_clamps(clamps)?;
        self.reset();
        Ok(())
    }

    /// The clamps in force.
    pub fn clamps(&self) -> &[Clamp] {
        self.tape.clamps()
    }

    /// Every step computed so far, one per character of the text.
    pub fn steps(&self) -> &[ProbeStep] {
        &self.steps
    }

    /// Forgets everything (call when the weights change).
    pub fn reset(&mut self) {
        self.steps.clear();
        self.state.reset();
    }

    /// Keeps the first `n` steps and restores the state after them.
    pub fn truncate(&mut self, n: usize) {
        self.steps.truncate(n);
        match self.steps.last() {
            None => self.state.reset(),
            Some(last) => {
                self.state.h.copy_from_slice(&last.h);
                self.state.c.copy_from_slice(&last.c);
            }
        }
    }

    /// Forgets the steps and goes on from the recurrent state `h` (`L·H`, layer after layer) and `c` (the same for
    /// an LSTM, empty for other cells), as if a text that ended in that state had been fed: the state a probe
    /// computed elsewhere reached at its last character (its step's `h` and `c`). Refuses a state of another
    /// size, or one that is not finite, and then keeps what it had.
    pub fn continue_from(&mut self, model: &Model, h: &[f32], c: &[f32]) -> Result<()> {
        if model.config != self.config {
            *self = Probe::new(model);
        }
        let (want_h, want_c) = (self.state.h.len(), self.state.c.len());
        if h.len() != want_h || c.len() != want_c {
            return Err(Error::Analysis(format!(
                "a state of {} hidden and {} cell values was given; this model's is {want_h} and {want_c}",
                h.len(),
                c.len()
            )));
        }
        if h.iter().chain(c).any(|v| !v.is_finite()) {
            return Err(Error::Analysis(
                "the state holds a value that is not finite".into(),
            ));
        }
        self.steps.clear();
        self.state.h.copy_from_slice(h);
        self.state.c.copy_from_slice(c);
        Ok(())
    }

    /// Feeds one character.
    pub fn push(&mut self, model: &Model, ch: char) -> &ProbeStep {
        if model.config != self.config {
            *self = Probe::new(model);
        }
        let input = model.vocab.index_of(ch);
        self.tape.inputs[0] = input.unwrap_or(NONE);
        self.tape.targets[0] = NONE;
        let _ = self.tape.forward(model, &mut self.state, 1);
        let layers = model.config.layers;
        let tape = &self.tape;
        let collect = |part: fn(&Tape, usize) -> &[f32]| -> Vec<f32> {
            (0..layers).flat_map(|l| part(tape, l)).copied().collect()
        };
        let step = ProbeStep {
            ch,
            input,
            h: collect(|t, l| t.hidden(l, 0, 0)),
            c: collect(|t, l| t.cell_state(l, 0, 0)),
            gates: if matches!(model.config.cell, CellKind::Rnn(_)) {
                Vec::new()
            } else {
                collect(|t, l| t.gates(l, 0, 0))
            },
            logits: tape.logits(0, 0).to_vec(),
            probs: tape.probs(0, 0).to_vec(),
        };
        self.steps.push(step);
        self.steps.last().expect("just pushed")
    }

    /// Brings the probe to `text`: keeps the longest common prefix with the text probed so far and computes
    /// the rest. Returns the index of the first recomputed character.
    pub fn sync(&mut self, model: &Model, text: &str) -> usize {
        let common = self.keep_common_prefix(model, text);
        for ch in text.chars().skip(common) {
            self.push(model, ch);
        }
        common
    }

    /// Brings the probe towards `text` by at most `most` characters: keeps the longest common prefix with the
    /// text probed so far and computes up to `most` characters after it. Returns whether the probe now holds all
    /// of `text`. Calls with the same text until it does compute what one [`Probe::sync`] would, step for step.
    pub fn advance(&mut self, model: &Model, text: &str, most: usize) -> bool {
        let common = self.keep_common_prefix(model, text);
        let mut rest = text.chars().skip(common);
        for ch in rest.by_ref().take(most) {
            self.push(model, ch);
        }
        rest.next().is_none()
    }

    /// Truncates to the longest common prefix of the steps and `text` (after starting over for a model of another
    /// shape); returns its length.
    fn keep_common_prefix(&mut self, model: &Model, text: &str) -> usize {
        if model.config != self.config {
            *self = Probe::new(model);
        }
        let common = self
            .steps
            .iter()
            .zip(text.chars())
            .take_while(|(s, c)| s.ch == *c)
            .count();
        self.truncate(common);
        common
    }
}
