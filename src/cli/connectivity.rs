//! `rnnscope connectivity`: how strongly the prediction after one position depends on each earlier character.

use super::analysis::{model_label, print_report, read_input, run_request, AnalysisInput};
use super::sample::parse_clamp;
use super::shared::{Failure, Outcome};
use clap::Args;
use rnnscope::analysis::connectivity::{Connectivity, MAX_WINDOW};
use rnnscope::analysis::request::{Report, Request};
use rnnscope::clamp::Clamp;
use std::io::Write;

#[derive(Args, Debug)]
#[command(
    after_help = "For the prediction made after reading the text up to --position (0-based; default: the \
    last character that has a next one), the norm of the gradient of the score (logit) of the character that \
    really comes next with respect to the one-hot input at each of the --window positions before it, by one \
    backward pass, as in Distill's \"Memorization in RNNs\". The state entering the window is held constant.\n\n\
    JSON (--json): {\"model\", \"position\", \"target\", \"prob\", \"from\", \"norms\": [position-from+1 values], \
    \"chars\": the window's characters}.\n\n\
    Example:\n  rnnscope connectivity --model models/brackets-lstm.safetensors --text-string '(a (b \"c\") d)' --position 12"
)]
pub struct ConnectivityArgs {
    #[command(flatten)]
    input: AnalysisInput,

    /// The prediction after this character (0-based); default: the second-to-last character
    #[arg(long, value_name = "T")]
    position: Option<usize>,

    /// How many positions back, the position included
    #[arg(long, value_name = "N", default_value_t = 256)]
    window: usize,

    /// Hold a unit at a value: LAYER:TENSOR:UNIT (at 0) or LAYER:TENSOR:UNIT=VALUE; repeatable
    #[arg(long = "clamp", value_name = "SPEC", value_parser = parse_clamp)]
    clamps: Vec<Clamp>,
}

#[derive(serde::Serialize)]
struct Json<'a> {
    model: String,
    #[serde(flatten)]
    report: &'a Connectivity,
    chars: String,
}

pub fn run(args: ConnectivityArgs) -> Outcome {
    let a = read_input(&args.input)?;
    let chars: Vec<char> = a.text.chars().collect();
    if chars.len() < 2 {
        return Err(Failure::usage(
            "the text needs at least 2 characters: one to read and the next to predict",
        ));
    }
    if args.window == 0 || args.window > MAX_WINDOW {
        return Err(Failure::usage(format!(
            "--window {} is outside 1..={MAX_WINDOW}",
            args.window
        )));
    }
    let position = args.position.unwrap_or(chars.len() - 2);
    let request = Request::Connectivity {
        text: a.text,
        position,
        window: args.window,
        clamps: args.clamps,
    };
    let Report::Connectivity(report) = run_request(&a.model, "", &request)? else {
        unreachable!("a connectivity request is answered with a connectivity report")
    };
    let label = model_label(&args.input.model);
    let window: String = chars[report.from..=report.position].iter().collect();
    let json = args.input.json.then(|| Json {
        model: label.clone(),
        report: &report,
        chars: window.clone(),
    });
    print_report(json.as_ref(), |out| {
        write_table(out, &label, &report, &window)
    })
}

fn write_table(
    out: &mut impl Write,
    model: &str,
    r: &Connectivity,
    window: &str,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{model}: after position {}, p({:?}) = {:.4}; gradient norm of its score with respect to each input",
        r.position, r.target, r.prob
    )?;
    let max = r
        .norms
        .iter()
        .copied()
        .fold(0.0f32, f32::max)
        .max(f32::MIN_POSITIVE);
    for (k, (ch, &norm)) in window.chars().zip(r.norms.iter()).enumerate() {
        let bar = "█".repeat(((norm / max) * 40.0).round() as usize);
        writeln!(
            out,
            "{:>8}  {:>6}  {:>10.5}  {bar}",
            r.from + k,
            format!("{ch:?}"),
            norm
        )?;
    }
    Ok(())
}
