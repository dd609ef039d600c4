//! The choice of micro-kernel: detected once per process, overridable for tests and benchmarks.

/// Which micro-kernel the packed products run: the best the CPU has, detected once, or the one named by the
/// environment variable `RNNSCOPE_KERNELS` (`plain`, `avx2`, `avx512`; capped at what the CPU has, ignored
/// when unknown), so the tests and benchmarks can run every variant on one machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kernels {
    /// Safe Rust, vectorised by the compiler (SIMD128 or relaxed SIMD in the browser).
    Plain,
    /// x86-64 AVX2 with FMA: 8 lanes, four rows × 32 columns in two halves.
    Avx2,
    /// x86-64 AVX-512F: 16 lanes, eight rows × 32 columns.
    Avx512,
}

impl Kernels {
    /// The name `RNNSCOPE_KERNELS` takes and the benchmarks report.
    pub fn name(self) -> &'static str {
        match self {
            Kernels::Plain => "plain",
            Kernels::Avx2 => "avx2",
            Kernels::Avx512 => "avx512",
        }
    }

    /// The best variant this CPU runs.
    pub fn best() -> Kernels {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Kernels::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return Kernels::Avx2;
            }
        }
        Kernels::Plain
    }

    /// The variant in use (see the type's documentation).
    pub fn chosen() -> Kernels {
        #[cfg(target_arch = "x86_64")]
        {
            static CHOSEN: std::sync::OnceLock<Kernels> = std::sync::OnceLock::new();
            *CHOSEN.get_or_init(|| {
                let best = Kernels::best();
                let asked = std::env::var("RNNSCOPE_KERNELS").ok();
                [Kernels::Plain, Kernels::Avx2, Kernels::Avx512]
                    .into_iter()
                    .find(|k| asked.as_deref() == Some(k.name()))
                    .map_or(best, |k| k.min(best))
            })
        }
        #[cfg(not(target_arch = "x86_64"))]
        Kernels::Plain
    }
}
