//! How the learning rate moves over the steps of a run, with the semantics of `torch.optim.lr_scheduler`: an
//! optional linear warm-up, then constant, cosine or step decay.
//!
//! | rnnscope | PyTorch |
//! |---|---|
//! | `warmup: W` | `LinearLR(opt, start_factor=WARMUP_START, total_iters=W)` for the first `W` steps |
//! | `Decay::Constant` | nothing after the warm-up |
//! | `Decay::Cosine { steps: S, min_lr }` | `CosineAnnealingLR(opt, T_max=S - W, eta_min=min_lr)` |
//! | `Decay::Step { every: N, gamma }` | `StepLR(opt, step_size=N, gamma=gamma)` |
//!
//! joined by `SequentialLR(opt, [warm-up, decay], milestones=[W])`. The rate of step `k` (0-based: the `k`-th
//! `optimizer.step()`) is the scheduler's after `k` calls of `scheduler.step()`. Counted in the trainer's steps,
//! so a resumed run goes on where it stopped and a rolled-back step does not restart the warm-up. One difference:
//! after `S` steps the cosine stays at `min_lr`, where PyTorch's would rise again.

use crate::error::{Error, Result};

/// The factor of the base rate on the first warm-up step (PyTorch's `LinearLR` `start_factor`).
pub const WARMUP_START: f64 = 0.01;

/// Most steps of a warm-up or decay.
pub const MAX_STEPS: u64 = 1 << 40;

/// What follows the warm-up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decay {
    Constant,
    /// Down to `min_lr` over the first `steps` steps of the run (the warm-up included), along half a cosine.
    Cosine {
        steps: u64,
        min_lr: f32,
    },
    /// Multiplied by `gamma` every `every` steps.
    Step {
        every: u64,
        gamma: f32,
    },
}

/// The learning rate over a run: `warmup` steps of linear warm-up, then `decay`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    pub warmup: u64,
    pub decay: Decay,
}

impl Default for Schedule {
    /// Constant, no warm-up.
    fn default() -> Self {
        Schedule {
            warmup: 0,
            decay: Decay::Constant,
        }
    }
}

impl Schedule {
    /// Reads a schedule from its parts as the CLI and the settings name them: `kind` "constant", "cosine" or
    /// "step"; `steps` the cosine's length or the step decay's interval; `min_lr` the cosine's floor; `gamma` the
    /// step decay's factor.
    pub fn parse(
        kind: &str,
        warmup: u64,
        steps: Option<u64>,
        min_lr: f32,
        gamma: f32,
    ) -> Result<Schedule> {
        let needs_steps = |what: &str| {
            steps.ok_or_else(|| {
                Error::Config(format!("a {what} schedule needs its number of steps"))
            })
        };
        let decay = match kind {
            "constant" => Decay::Constant,
            "cosine" => Decay::Cosine {
                steps: needs_steps("cosine")?,
                min_lr,
            },
            "step" => Decay::Step {
                every: needs_steps("step")?,
                gamma,
            },
            other => {
                return Err(Error::Config(format!(
                    "unknown learning-rate schedule {other:?} (expected constant, cosine or step)"
                )))
            }
        };
        let schedule = Schedule { warmup, decay };
        Ok(schedule)
    }

    /// The schedule's name, as [`Schedule::parse`] reads it.
    pub fn name(&self) -> &'static str {
        match self.decay {
            Decay::Constant => "constant",
            Decay::Cosine { .. } => "cosine",
            Decay::Step { .. } => "step",
        }
    }

    /// Refuses a schedule that cannot run with base rate `lr`.
    pub fn validate(&self, lr: f32) -> Result<()> {
        if self.warmup > MAX_STEPS {
            return Err(Error::Config(format!(
                "warm-up of {} steps; at most {MAX_STEPS}",
                self.warmup
            )));
        }
        match self.decay {
            Decay::Constant => {}
            Decay::Cosine { steps, min_lr } => {
                if steps <= self.warmup || steps > MAX_STEPS {
                    return Err(Error::Config(format!(
                        "a cosine schedule of {steps} steps must be longer than its warm-up ({}) and at most {MAX_STEPS}",
                        self.warmup
                    )));
                }
                if !(min_lr.is_finite() && min_lr >= 0.0 && min_lr <= lr) {
                    return Err(Error::Config(format!(
                        "min-lr {min_lr} must be between 0 and the learning rate ({lr})"
                    )));
                }
            }
            Decay::Step { every, gamma } => {
                if every == 0 || every > MAX_STEPS {
                    return Err(Error::Config(format!(
                        "a step schedule decays every 1 to {MAX_STEPS} steps, not {every}"
                    )));
                }
                if !(gamma.is_finite() && gamma > 0.0 && gamma <= 1.0) {
                    return Err(Error::Config(format!("gamma {gamma} must be in (0, 1]")));
                }
            }
        }
        Ok(())
    }

    /// The learning rate of step `k` (0-based) from base rate `lr`, computed in `f64` as PyTorch's schedulers
    /// compute theirs (Python floats), then rounded to `f32` as the optimizer uses it.
    pub fn lr(&self, lr: f32, k: u64) -> f32 {
        let base = f64::from(lr);
        let w = self.warmup;
        if k < w {
            let f = WARMUP_START + (1.0 - WARMUP_START) * k as f64 / w as f64;
            return (base * f) as f32;
        }
        let i = k - w;
        let rate = match self.decay {
            Decay::Constant => base,
            Decay::Cosine { steps, min_lr } => {
                let span = steps.saturating_sub(w).max(1);
                let min = f64::from(min_lr);
                if i >= span {
                    min
                } else {
                    let cos = cos_half_turn(std::f64::consts::PI * i as f64 / span as f64);
                    min + (base - min) * (1.0 + cos) / 2.0
                }
            }
            Decay::Step { every, gamma } => {
                let n = (i / every.max(1)).min(i32::MAX as u64) as i32;
                base * f64::from(gamma).powi(n)
            }
        };
        rate as f32
    }
}

/// `cos x` for `x` in `[0, π]`, to within 1e-16: `−sin(x − π/2)` by its Taylor series to the 21st power. The
/// general `f64::cos` brings libm's range reduction into the wasm (6 KB) for an angle that never leaves `[0, π]`.
fn cos_half_turn(x: f64) -> f64 {
    let y = x - std::f64::consts::FRAC_PI_2;
    let y2 = y * y;
    // sin y = y (1 − y²/(2·3) (1 − y²/(4·5) (1 − …))), innermost term first.
    let mut sum = 1.0;
    for n in (1..=10u32).rev() {
        let k = f64::from(2 * n);
        sum = 1.0 - y2 / (k * (k + 1.0)) * sum;
    }
    -y * sum
}

impl std::fmt::Display for Schedule {
    /// "constant", "warm-up 100 steps, cosine to 0.0001 by step 3000", "step ×0.5 every 500 steps".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.warmup > 0 {
            write!(f, "warm-up {} steps, ", self.warmup)?;
        }
        match self.decay {
            Decay::Constant => write!(f, "constant"),
            Decay::Cosine { steps, min_lr } => write!(f, "cosine to {min_lr} by step {steps}"),
            Decay::Step { every, gamma } => write!(f, "step ×{gamma} every {every} steps"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_up_then_cosine_reaches_the_floor_and_stays() {
        let s = Schedule::parse("cosine", 4, Some(14), 1e-4, 0.5).unwrap();
        s.validate(1e-2).unwrap();
        assert_eq!(s.lr(1e-2, 0), (1e-2f64 * 0.01) as f32);
        assert_eq!(s.lr(1e-2, 4), 1e-2);
        assert!((s.lr(1e-2, 9) - (1e-4 + (1e-2 - 1e-4) / 2.0) as f32).abs() < 1e-9);
        assert_eq!(s.lr(1e-2, 14), 1e-4);
        assert_eq!(s.lr(1e-2, 1_000), 1e-4);
        assert_eq!(
            s.to_string(),
            "warm-up 4 steps, cosine to 0.0001 by step 14"
        );
    }

    #[test]
    fn the_half_turn_cosine_is_the_cosine() {
        for k in 0..=10_000 {
            let x = std::f64::consts::PI * f64::from(k) / 10_000.0;
            assert!((cos_half_turn(x) - x.cos()).abs() < 1e-15, "cos {x}");
        }
    }

    #[test]
    fn step_decay_multiplies_every_interval() {
        let s = Schedule::parse("step", 0, Some(3), 0.0, 0.5).unwrap();
        let lrs: Vec<f32> = (0..7).map(|k| s.lr(1.0, k)).collect();
        assert_eq!(lrs, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]);
    }

    #[test]
    fn bad_schedules_are_refused_with_the_reason() {
        let msg = |r: Result<Schedule>, lr: f32| match r.and_then(|s| s.validate(lr)) {
            Err(Error::Config(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(msg(Schedule::parse("linear", 0, None, 0.0, 0.5), 1e-3).contains("unknown"));
        assert!(msg(Schedule::parse("cosine", 0, None, 0.0, 0.5), 1e-3).contains("needs"));
        assert!(msg(Schedule::parse("cosine", 10, Some(10), 0.0, 0.5), 1e-3).contains("longer"));
        assert!(msg(Schedule::parse("cosine", 0, Some(10), 1.0, 0.5), 1e-3).contains("min-lr"));
        assert!(msg(Schedule::parse("step", 0, Some(0), 0.0, 0.5), 1e-3).contains("every"));
        assert!(msg(Schedule::parse("step", 0, Some(5), 0.0, f32::NAN), 1e-3).contains("gamma"));
    }
}
