//! `rnnscope cells`: the cell finder — for each text feature, the units that track it best, and a ridge probe
//! over the tensor of the best one.

use super::analysis::{model_label, print_report, read_input, run_request, AnalysisInput};
use super::shared::{Failure, Outcome};
use clap::Args;
use rnnscope::analysis::features::FeatureKind;
use rnnscope::analysis::finder::CellReport;
use rnnscope::analysis::request::{Report, Request};
use rnnscope::analysis::stats::Metric;
use std::io::Write;

#[derive(Args, Debug)]
#[command(
    after_help = "Features (value after reading each character): depth_paren, depth_square, depth_curly, \
    depth (bracket depth per kind and in all), in_double_quotes, in_single_quotes, line_position, \
    word_position, since_newline, since_space, and the classes letter, uppercase, digit, space, \
    punctuation, vowel; --regex R adds match:R (inside a match of R, read line by line as grep reads it: ^ and $ \
    match at the start and end of every line). Units of every layer and tensor \
    (h, c, each gate) are ranked by |Pearson r| for numeric features and max(AUROC, 1 − AUROC) for on/off \
    ones; the probe is a ridge regression over the whole tensor of the best unit, fitted on the first half \
    of the text and scored on the second (R² or accuracy).\n\n\
    JSON (--json): {\"model\", \"cell\", \"layers\", \"hidden\", \"chars\", \"units\", \"features\": [{\"feature\", \
    \"kind\", \"top\": [{\"layer\", \"tensor\", \"unit\", \"score\", \"r\" | \"auroc\"}], \"probe\": {\"layer\", \
    \"tensor\", \"metric\", \"score\", \"lambda\", \"fit_rows\", \"eval_rows\"} | null}]}.\n\n\
    Examples:\n  \
    rnnscope cells --model models/brackets-lstm.safetensors --corpus brackets --val-fraction 0.1\n  \
    rnnscope cells --model m.safetensors --text page.txt --top 5 --regex '[0-9]+' --json"
)]
pub struct CellsArgs {
    #[command(flatten)]
    input: AnalysisInput,

    /// Units listed per feature
    #[arg(long, value_name = "K", default_value_t = 3)]
    top: usize,

    /// Also look for units tracking "inside a match of this regular expression" (repeatable); ^ and $ match
    /// at the start and end of every line
    #[arg(long, value_name = "REGEX")]
    regex: Vec<String>,
}

#[derive(serde::Serialize)]
struct Json<'a> {
    model: String,
    #[serde(flatten)]
    report: &'a CellReport,
}

pub fn run(args: CellsArgs) -> Outcome {
    if args.top == 0 {
        return Err(Failure::usage("--top must be at least 1"));
    }
    let a = read_input(&args.input)?;
    let request = Request::Cells {
        text: a.text,
        top: args.top,
        regex: args.regex,
        matched: vec![],
    };
    let Report::Cells(report) = run_request(&a.model, "", &request)? else {
        unreachable!("a cells request is answered with a cells report")
    };
    let model = model_label(&args.input.model);
    let json = args.input.json.then(|| Json {
        model: model.clone(),
        report: &report,
    });
    print_report(json.as_ref(), |out| write_table(out, &model, &report))
}

fn write_table(out: &mut impl Write, model: &str, r: &CellReport) -> std::io::Result<()> {
    writeln!(
        out,
        "{model}: {} {}×{}, {} characters, {} units ranked per feature",
        r.cell, r.layers, r.hidden, r.chars, r.units
    )?;
    writeln!(
        out,
        "{:<20} {:<7} {:>4}  {:<12} {:>6}  {:>13}  probe over the best unit's tensor",
        "feature", "kind", "rank", "unit", "score", "r / AUROC"
    )?;
    for f in &r.features {
        let kind = match f.kind {
            FeatureKind::Numeric => "numeric",
            FeatureKind::Boolean => "on/off",
        };
        let probe = f.probe.as_ref().map_or("-".to_string(), |p| {
            let metric = match p.metric {
                Metric::R2 => "R²",
                Metric::Accuracy => "accuracy",
            };
            let score = p.score.map_or("undefined".into(), |s| format!("{s:.3}"));
            format!("{metric} {score} over layer {} {}", p.layer, p.tensor)
        });
        if f.top.is_empty() {
            writeln!(
                out,
                "{:<20} {kind:<7} {:>4}  constant over this text: nothing to rank",
                f.feature, "-"
            )?;
        }
        for (i, u) in f.top.iter().enumerate() {
            let signed = match (u.r, u.auroc) {
                (Some(r), _) => format!("r {r:+.3}"),
                (_, Some(a)) => format!("AUROC {a:.3}"),
                _ => "-".into(),
            };
            let unit = format!("{}.{}[{}]", u.layer, u.tensor, u.unit);
            let (name, kind, probe) = if i == 0 {
                (f.feature.as_str(), kind, probe.as_str())
            } else {
                ("", "", "")
            };
            writeln!(
                out,
                "{name:<20} {kind:<7} {:>4}  {unit:<12} {:>6.3}  {signed:>13}  {probe}",
                i + 1,
                u.score
            )?;
        }
    }
    writeln!(
        out,
        "units are layer.tensor[unit]; score is |r| (numeric) or max(AUROC, 1 − AUROC) (on/off)"
    )
}
