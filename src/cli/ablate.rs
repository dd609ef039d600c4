//! `rnnscope ablate`: the loss of every character of a text with units held at values, beside the model's own.

use super::analysis::{model_label, print_report, read_input, run_request, AnalysisInput};
use super::sample::parse_clamp;
use super::shared::{Failure, Outcome};
use clap::Args;
use rnnscope::analysis::intervene::AblationReport;
use rnnscope::analysis::request::{Report, Request};
use rnnscope::clamp::Clamp;
use std::io::Write;

#[derive(Args, Debug)]
#[command(
    after_help = "Each --clamp holds one unit after every step: LAYER:TENSOR:UNIT holds it at 0 (an ablation), \
    LAYER:TENSOR:UNIT=VALUE at VALUE; TENSOR is h, or c for an LSTM. Clamped values feed the layer above, the \
    decoder and the next step.\n\n\
    The table: mean loss in nats per predicted character without and with the clamps, then the characters \
    whose loss rose most.\n\n\
    JSON (--json): {\"model\", \"clamps\": [{\"layer\", \"tensor\", \"unit\", \"value\"}], \"base\": [T-1 losses], \
    \"clamped\": [T-1 losses], \"mean_base\", \"mean_clamped\", \"by_char\": [{\"ch\", \"count\", \"base\", \
    \"clamped\"}]}; loss j-1 is that of predicting character j.\n\n\
    Example (the quote unit of the shipped brackets LSTM):\n  \
    rnnscope ablate --model models/brackets-lstm.safetensors --corpus brackets --val-fraction 0.1 --clamp 0:h:56"
)]
pub struct AblateArgs {
    #[command(flatten)]
    input: AnalysisInput,

    /// A unit to hold: LAYER:TENSOR:UNIT (at 0) or LAYER:TENSOR:UNIT=VALUE; repeatable, at least one
    #[arg(long = "clamp", value_name = "SPEC", value_parser = parse_clamp, required = true)]
    clamps: Vec<Clamp>,

    /// Characters listed in the table, most hurt first
    #[arg(long, value_name = "N", default_value_t = 12)]
    top: usize,
}

#[derive(serde::Serialize)]
struct Json<'a> {
    model: String,
    #[serde(flatten)]
    report: &'a AblationReport,
}

pub fn run(args: AblateArgs) -> Outcome {
    let a = read_input(&args.input)?;
    if a.part.len() < 2 {
        return Err(Failure::usage(
            "the text needs at least 2 characters to predict one",
        ));
    }
    let request = Request::Ablation {
        text: a.text,
        clamps: args.clamps,
    };
    let Report::Ablation(report) = run_request(&a.model, "", &request)? else {
        unreachable!("an ablation request is answered with an ablation report")
    };
    let label = model_label(&args.input.model);
    let json = args.input.json.then(|| Json {
        model: label.clone(),
        report: &report,
    });
    print_report(json.as_ref(), |out| {
        write_table(out, &label, &report, args.top)
    })
}

fn write_table(
    out: &mut impl Write,
    model: &str,
    r: &AblationReport,
    top: usize,
) -> std::io::Result<()> {
    let clamps: Vec<String> = r.clamps.iter().map(|c| c.to_string()).collect();
    writeln!(
        out,
        "{model} with {}: mean loss {:.4} → {:.4} nats per character ({:+.4}) over {} predictions",
        clamps.join(", "),
        r.mean_base,
        r.mean_clamped,
        r.mean_clamped - r.mean_base,
        r.base.iter().filter(|x| x.is_finite()).count()
    )?;
    writeln!(
        out,
        "{:>6}  {:>6}  {:>8}  {:>8}  {:>8}",
        "char", "count", "before", "after", "change"
    )?;
    for c in r.by_char.iter().take(top) {
        writeln!(
            out,
            "{:>6}  {:>6}  {:>8.4}  {:>8.4}  {:>+8.4}",
            format!("{:?}", c.ch),
            c.count,
            c.base,
            c.clamped,
            c.clamped - c.base
        )?;
    }
    Ok(())
}
