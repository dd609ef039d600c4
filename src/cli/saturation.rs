//! `rnnscope saturation`: per sigmoid gate and unit, how often the gate is nearly closed or nearly open.

use super::analysis::{model_label, print_report, read_input, run_request, AnalysisInput};
use super::shared::Outcome;
use clap::Args;
use rnnscope::analysis::request::{Report, Request};
use rnnscope::analysis::saturation::SaturationReport;
use std::io::Write;

#[derive(Args, Debug)]
#[command(
    after_help = "For the LSTM's gates i, f, o and the GRU's r, z (a vanilla RNN has none and is refused): \
    per unit, the fraction of the text's characters on which the gate is left-saturated (< 0.1) and \
    right-saturated (> 0.9), as in Karpathy, Johnson and Fei-Fei (2015).\n\n\
    JSON (--json): {\"model\", \"cell\", \"layers\", \"hidden\", \"chars\", \"left_below\", \"right_above\", \
    \"gates\": [{\"layer\", \"gate\", \"left\": [H fractions], \"right\": [H fractions]}]}.\n\n\
    Example:\n  rnnscope saturation --model models/brackets-lstm.safetensors --corpus brackets --val-fraction 0.1"
)]
pub struct SaturationArgs {
    #[command(flatten)]
    input: AnalysisInput,
}

#[derive(serde::Serialize)]
struct Json<'a> {
    model: String,
    #[serde(flatten)]
    report: &'a SaturationReport,
}

pub fn run(args: SaturationArgs) -> Outcome {
    let a = read_input(&args.input)?;
    let request = Request::Saturation { text: a.text };
    let Report::Saturation(report) = run_request(&a.model, "", &request)? else {
        unreachable!("a saturation request is answered with a saturation report")
    };
    let model = model_label(&args.input.model);
    let json = args.input.json.then(|| Json {
        model: model.clone(),
        report: &report,
    });
    print_report(json.as_ref(), |out| write_table(out, &model, &report))
}

fn write_table(out: &mut impl Write, model: &str, r: &SaturationReport) -> std::io::Result<()> {
    writeln!(
        out,
        "{model}: {} {}×{}, {} characters; per gate the fraction of characters left-saturated (< {}) / right-saturated (> {})",
        r.cell, r.layers, r.hidden, r.chars, r.left_below, r.right_above
    )?;
    for layer in 0..r.layers {
        let gates: Vec<_> = r.gates.iter().filter(|g| g.layer == layer).collect();
        write!(out, "layer {layer}  unit")?;
        for g in &gates {
            write!(
                out,
                "  {:>6} {:>6}",
                format!("{}.left", g.gate),
                format!("{}.right", g.gate)
            )?;
        }
        writeln!(out)?;
        for unit in 0..r.hidden {
            write!(out, "{:>12}", unit)?;
            for g in &gates {
                write!(out, "  {:>6.3} {:>7.3}", g.left[unit], g.right[unit])?;
            }
            writeln!(out)?;
        }
        write!(out, "{:>12}", "mean")?;
        for g in &gates {
            let mean = |a: &ndarray::Array1<f64>| a.mean().unwrap_or(0.0);
            write!(out, "  {:>6.3} {:>7.3}", mean(&g.left), mean(&g.right))?;
        }
        writeln!(out)?;
    }
    Ok(())
}
