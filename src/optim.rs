//! Optimizers: one flat loop over all parameters each, with PyTorch's update rules and default constants.

use crate::error::{Error, Result};

/// Which update rule to use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptimizerKind {
    /// `torch.optim.Adam` (β₁ 0.9, β₂ 0.999, ε 1e-8, bias-corrected).
    Adam,
    /// `torch.optim.AdamW`: Adam with decoupled weight decay (each step first multiplies every parameter by
    /// `1 − lr · weight_decay`).
    AdamW,
    /// `torch.optim.RMSprop` (α 0.99, ε 1e-8).
    RmsProp,
    /// `torch.optim.Adagrad` (ε 1e-10).
    Adagrad,
    /// `torch.optim.SGD` with momentum μ (0.9 by default; 0 for plain SGD).
    Sgd { momentum: f32 },
}

impl OptimizerKind {
    pub fn parse(name: &str) -> Result<OptimizerKind> {
        match name {
            "adam" => Ok(OptimizerKind::Adam),
            "adamw" => Ok(OptimizerKind::AdamW),
            "rmsprop" => Ok(OptimizerKind::RmsProp),
            "adagrad" => Ok(OptimizerKind::Adagrad),
            "sgd" => Ok(OptimizerKind::Sgd { momentum: 0.9 }),
            other => Err(Error::Config(format!(
                "unknown optimizer {other:?} (expected adam, adamw, rmsprop, adagrad or sgd)"
            ))),
        }
    }

    /// PyTorch's default weight decay of this rule: 0.01 for AdamW, none for the others.
    pub fn default_weight_decay(self) -> f32 {
        match self {
            OptimizerKind::AdamW => 0.01,
            _ => 0.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Adam => "adam",
            OptimizerKind::AdamW => "adamw",
            OptimizerKind::RmsProp => "rmsprop",
            OptimizerKind::Adagrad => "adagrad",
            OptimizerKind::Sgd { .. } => "sgd",
        }
    }
}

/// One of an optimizer's two per-parameter buffers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Buffer {
    /// Adam's first moment; SGD's momentum buffer.
    M,
    /// Adam's and RMSProp's second moment; Adagrad's sum of squares.
    V,
}

impl OptimizerKind {
    /// The per-parameter buffers this rule keeps, named as `torch.optim` names them in its state.
    pub fn buffers(self) -> &'static [(&'static str, Buffer)] {
        match self {
            OptimizerKind::Adam | OptimizerKind::AdamW => {
                &[("exp_avg", Buffer::M), ("exp_avg_sq", Buffer::V)]
            }
            OptimizerKind::RmsProp => &[("square_avg", Buffer::V)],
            OptimizerKind::Adagrad => &[("sum", Buffer::V)],
            OptimizerKind::Sgd { .. } => &[("momentum_buffer", Buffer::M)],
        }
    }
}

/// An optimizer with its per-parameter state, sized once.
#[derive(Debug, Clone)]
pub struct Optimizer {
    pub kind: OptimizerKind,
    pub lr: f32,
    /// AdamW's decoupled decay; for the other rules PyTorch's L2 penalty (`g + weight_decay · p`). 0: none.
    pub weight_decay: f32,
    /// Adam's first moment; SGD's momentum buffer.
    m: Vec<f32>,
    /// Adam's and RMSProp's second moment; Adagrad's sum of squares.
    v: Vec<f32>,
    /// Updates applied so far (for Adam's bias correction).
    t: u64,
}

impl Optimizer {
    pub fn new(kind: OptimizerKind, lr: f32, n_params: usize) -> Optimizer {
        Optimizer {
            kind,
            lr,
            weight_decay: 0.0,
            m: vec![0.0; n_params],
            v: vec![0.0; n_params],
            t: 0,
        }
    }

    /// Forgets all accumulated state (after a rollback or when the model is replaced).
    pub fn reset(&mut self) {
        self.m.fill(0.0);
        self.v.fill(0.0);
        self.t = 0;
    }

    /// One per-parameter buffer, in the parameters' flat layout.
    pub fn buffer(&self, which: Buffer) -> &[f32] {
        match which {
            Buffer::M => &self.m,
            Buffer::V => &self.v,
        }
    }

    pub fn buffer_mut(&mut self, which: Buffer) -> &mut [f32] {
        match which {
            Buffer::M => &mut self.m,
            Buffer::V => &mut self.v,
        }
    }

    /// Updates applied since the state was last reset (Adam's bias correction counts them).
    pub fn updates(&self) -> u64 {
        self.t
    }

    pub fn set_updates(&mut self, t: u64) {
        self.t = t;
    }

    /// Applies one update to `params` from `grads` (which an L2 weight decay adds to, as PyTorch does).
    pub fn update(&mut self, params: &mut [f32], grads: &mut [f32]) {
        self.t += 1;
        let lr = self.lr;
        let wd = self.weight_decay;
        if wd != 0.0 {
            if self.kind == OptimizerKind::AdamW {
                // PyTorch: param.mul_(1 - lr * weight_decay), the product in Python floats.
                let keep = (1.0 - f64::from(lr) * f64::from(wd)) as f32;
                params.iter_mut().for_each(|p| *p *= keep);
            } else {
                // PyTorch: grad = grad.add(param, alpha=weight_decay).
                grads
                    .iter_mut()
                    .zip(params.iter())
                    .for_each(|(g, &p)| *g += wd * p);
            }
        }
        let grads = &*grads;
        match self.kind {
            OptimizerKind::Adam | OptimizerKind::AdamW => {
                let (b1, b2, eps) = (0.9f32, 0.999f32, 1e-8f32);
                // PyTorch: step = lr / (1 - β₁ᵗ); denom = √v / √(1 - β₂ᵗ) + ε.
                let bc1 = 1.0 - b1.powi(self.t.min(i32::MAX as u64) as i32);
                let bc2_sqrt = (1.0 - b2.powi(self.t.min(i32::MAX as u64) as i32)).sqrt();
                let step = lr / bc1;
                for (((p, &g), m), v) in params
                    .iter_mut()
                    .zip(grads)
                    .zip(&mut self.m)
                    .zip(&mut self.v)
                {
                    *m = b1 * *m + (1.0 - b1) * g; // first moment
                    *v = b2 * *v + (1.0 - b2) * g * g; // second moment
                    let denom = v.sqrt() / bc2_sqrt + eps;
                    *p -= step * *m / denom;
                }
            }
            OptimizerKind::RmsProp => {
                let (alpha, eps) = (0.99f32, 1e-8f32);
                for ((p, &g), v) in params.iter_mut().zip(grads).zip(&mut self.v) {
                    *v = alpha * *v + (1.0 - alpha) * g * g; // running mean of g²
                    *p -= lr * g / (v.sqrt() + eps);
                }
            }
            OptimizerKind::Adagrad => {
                let eps = 1e-10f32;
                for ((p, &g), v) in params.iter_mut().zip(grads).zip(&mut self.v) {
                    *v += g * g; // sum of g²
                    *p -= lr * g / (v.sqrt() + eps);
                }
            }
            OptimizerKind::Sgd { momentum } => {
                let first = self.t == 1;
                for ((p, &g), m) in params.iter_mut().zip(grads).zip(&mut self.m) {
                    // PyTorch: the buffer starts as the first gradient, then buf = μ·buf + g.
                    *m = if first { g } else { momentum * *m + g };
                    *p -= lr * *m;
                }
            }
        }
    }
}

/// Global L2 norm of `grads`, computed in f64 so a huge gradient is measured, not overflowed.
pub fn grad_norm(grads: &[f32]) -> f64 {
    grads
        .iter()
        .map(|&g| f64::from(g) * f64::from(g))
        .sum::<f64>()
        .sqrt()
}

/// Scales `grads` so their global norm is at most `max_norm` (PyTorch's `clip_grad_norm_`:
/// coefficient `max_norm / (norm + 1e-6)`, applied when below 1). Returns `(norm before, clipped?)`.
/// `max_norm <= 0` disables clipping.
pub fn clip_grad_norm(grads: &mut [f32], max_norm: f32) -> (f64, bool) {
    let norm = grad_norm(grads);
    if max_norm > 0.0 && norm.is_finite() {
        let coef = f64::from(max_norm) / (norm + 1e-6);
        if coef < 1.0 {
            let coef = coef as f32;
            for g in grads.iter_mut() {
                *g *= coef;
            }
            return (norm, true);
        }
    }
    (norm, false)
}
