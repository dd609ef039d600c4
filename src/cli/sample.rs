//! `rnnscope sample`: the prime, then generated characters, streamed to stdout.

use super::shared::{finish_stdout, load_model, Failure, Outcome};
use clap::Args;
use rnnscope::clamp::Clamp;
use rnnscope::sampler::Sampler;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    rnnscope sample --model model.safetensors --prime 'he' --length 100\n  \
    rnnscope sample --model model.safetensors --temperature 0     # greedy: always the most likely character\n\n\
    The same model, prime, temperature, top-k and seed always give the same text.")]
pub struct SampleArgs {
    /// Model file (.safetensors) written by `rnnscope train`, the web app, or PyTorch
    #[arg(long, value_name = "PATH")]
    model: PathBuf,

    /// Text fed to the model first and printed before the sample; every character must be in the
    /// model's vocabulary. Empty: the first character is predicted from an all-zero input
    #[arg(
        long,
        value_name = "TEXT",
        default_value = "",
        allow_hyphen_values = true
    )]
    prime: String,

    /// Characters to generate after the prime
    #[arg(long, value_name = "N", default_value_t = 500)]
    length: usize,

    /// Softmax temperature: below 1 is more conservative, above 1 more surprising, 0 is greedy (argmax)
    #[arg(
        long,
        value_name = "T",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    temperature: f32,

    /// Draw only among the K most likely characters (0 = all)
    #[arg(long, value_name = "K", default_value_t = 0)]
    top_k: usize,

    /// Seed of the random draws
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// Hold a unit at a value while priming and drawing: LAYER:TENSOR:UNIT (ablation, held at 0) or
    /// LAYER:TENSOR:UNIT=VALUE, TENSOR h or c; repeatable
    #[arg(long = "clamp", value_name = "SPEC", value_parser = parse_clamp)]
    clamps: Vec<Clamp>,
}

/// `--clamp`'s parser, shared by every command that takes it.
pub(crate) fn parse_clamp(spec: &str) -> Result<Clamp, String> {
    Clamp::parse(spec).map_err(|e| e.to_string())
}

pub fn run(args: SampleArgs) -> Outcome {
    let (model, _) = load_model(&args.model)?;
    let mut sampler = Sampler::with_clamps(
        &model,
        &args.prime,
        args.temperature,
        args.top_k,
        args.seed,
        &args.clamps,
    )
    .map_err(|e| match e {
        rnnscope::Error::Text(m) => Failure::usage(format!("--prime: {m}")),
        e => e.into(),
    })?;
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = BufWriter::new(stdout.lock());
    let written = (|| {
        out.write_all(args.prime.as_bytes())?;
        let mut buf = [0u8; 4];
        let mut last = args.prime.chars().last();
        for _ in 0..args.length {
            let c = sampler.next_char(&model);
            out.write_all(c.encode_utf8(&mut buf).as_bytes())?;
            last = Some(c);
        }
        // On a terminal, end the line so the prompt starts on its own; piped output is exact.
        if terminal && last.is_some_and(|c| c != '\n') {
            out.write_all(b"\n")?;
        }
        out.flush()
    })();
    finish_stdout(written)
}
