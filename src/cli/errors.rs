//! `rnnscope errors`: where the model errs, beside an n-gram baseline fitted on its training text.

use super::analysis::{
    model_label, print_report, read_input, run_request, Analysed, AnalysisInput,
};
use super::shared::{char_label, load_corpus, Failure, Outcome};
use clap::Args;
use rnnscope::analysis::errors::{fit_without, ErrorReport, Oracles};
use rnnscope::analysis::ngram::{check_order, DEFAULT_ORDER};
use rnnscope::analysis::request::{Report, Request};
use rnnscope::{model_file, trainer};
use std::collections::BTreeMap;
use std::io::Write;

#[derive(Args, Debug)]
#[command(
    after_help = "The model errs at a character when it gave it a probability below 0.5. Each error goes to \
    the first oracle, in this order, that explains it: n_gram (the n-gram gives it ≥ 0.5), dynamic_memory \
    (the --memory characters before it followed by it occurred earlier in the text), rare_word (its word \
    occurs at most --rare times in the training text), word_start, punctuation, boost (it was among the \
    model's --near-miss best guesses), else other; the counts add up to the number of errors. The n-gram \
    is an interpolated Witten–Bell model of order --order, fitted on the training text: --train-corpus, or \
    by default the corpus saved in the model's train_config, without the part its --val-fraction held out \
    (--train-val-fraction overrides that fraction). It is never fitted on the characters it scores: when its \
    training text is the text analysed, the characters analysed are left out of it (it is fitted on those \
    before them, or, when they start the text, on those after them), and the command refuses when none are \
    left.\n\n\
    JSON (--json): {\"model\", \"train_corpus\", \"train_chars\", \"predictions\", \"errors\", \"counts\": \
    [{\"category\", \"count\"}], \"ngram_order\", \"memory\", \"rare\", \"top\", \"model_loss\", \"ngram_loss\", \
    \"model_losses\", \"ngram_losses\" (per character, nats), \"errors_at\": [{\"position\", \"char\", \
    \"model_p\", \"ngram_p\", \"category\"}], \"long_range\": [{\"position\", \"char\", \"opener\", \
    \"distance\", \"model_p\", \"ngram_p\"}]}.\n\n\
    Example:\n  rnnscope errors --model models/brackets-lstm.safetensors --corpus brackets --val-fraction 0.1"
)]
pub struct ErrorsArgs {
    #[command(flatten)]
    input: AnalysisInput,

    /// Training text of the n-gram: an embedded corpus or a file (default: the model's train_config corpus)
    #[arg(long, value_name = "NAME_OR_PATH")]
    train_corpus: Option<String>,

    /// Leave out the last ⌊chars · F⌋ characters of the training text (default: the model's val_fraction
    /// when the corpus is the model's own, else 0)
    #[arg(long, value_name = "F", allow_negative_numbers = true)]
    train_val_fraction: Option<f32>,

    /// Order of the n-gram baseline (1 to 9)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_ORDER)]
    order: usize,

    /// Characters of history for the dynamic-memory oracle
    #[arg(long, value_name = "N", default_value_t = Oracles::default().memory)]
    memory: usize,

    /// A word occurring at most this often in the training text is rare
    #[arg(long, value_name = "K", default_value_t = Oracles::default().rare)]
    rare: usize,

    /// A near miss is among the model's K best guesses
    #[arg(long, value_name = "K", default_value_t = Oracles::default().top)]
    near_miss: usize,
}

#[derive(serde::Serialize)]
struct Json<'a> {
    model: String,
    train_corpus: &'a str,
    train_chars: usize,
    #[serde(flatten)]
    report: &'a ErrorReport,
}

/// The n-gram's training text and how to name it. When it is the text analysed, the characters analysed are
/// left out of it (see [`fit_without`]), and the command refuses when none would be left.
fn training_text(args: &ErrorsArgs, a: &Analysed) -> Result<(String, String), Failure> {
    let saved = a
        .metadata
        .get(model_file::KEY_TRAIN_CONFIG)
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
    let saved_corpus = saved
        .as_ref()
        .and_then(|v| v.get("corpus"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    let saved_fraction = saved
        .as_ref()
        .and_then(|v| v.get("valFraction"))
        .and_then(serde_json::Value::as_f64);
    let (name, own) = match (&args.train_corpus, &saved_corpus) {
        (Some(name), saved) => (name.clone(), saved.as_deref() == Some(name.as_str())),
        (None, Some(saved)) => (saved.clone(), true),
        (None, None) => {
            return Err(Failure::usage(
                "this model file does not say what it was trained on (no train_config corpus): give --train-corpus NAME_OR_PATH",
            ))
        }
    };
    let text =
        load_corpus(&name).map_err(|f| Failure::usage(format!("--train-corpus: {}", f.message)))?;
    let fraction = match args.train_val_fraction {
        Some(f) => f,
        None if own => saved_fraction.unwrap_or(0.0) as f32,
        None => 0.0,
    };
    if !(0.0..1.0).contains(&fraction) {
        return Err(Failure::usage(format!(
            "--train-val-fraction {fraction} is outside [0, 1)"
        )));
    }
    let chars: Vec<char> = text.chars().collect();
    let mut fit = 0..trainer::held_out(chars.len(), fraction).start;
    if text == a.whole {
        fit = fit_without(fit, &a.part).ok_or_else(|| {
            Failure::usage(format!(
                "the n-gram's training text ({name}) is the text analysed, and every character of it that the n-gram \
                 could be fitted on is among the characters analysed ({} to {}); an n-gram fitted on what it scores \
                 looks far better than it is: analyse a part of the text that is held out (--val-fraction F) or give \
                 another --train-corpus",
                a.part.start,
                a.part.end - 1
            ))
        })?;
    }
    Ok((chars[fit].iter().collect(), name))
}

pub fn run(args: ErrorsArgs) -> Outcome {
    check_order(args.order)?;
    let a = read_input(&args.input)?;
    let (train, train_name) = training_text(&args, &a)?;
    let request = Request::Errors {
        text: a.text,
        order: Some(args.order),
        memory: Some(args.memory),
        rare: Some(args.rare),
        top: Some(args.near_miss),
    };
    let Report::Errors(report) = run_request(&a.model, &train, &request)? else {
        unreachable!("an errors request is answered with an errors report")
    };
    let model = model_label(&args.input.model);
    let json = args.input.json.then(|| Json {
        model: model.clone(),
        train_corpus: &train_name,
        train_chars: train.chars().count(),
        report: &report,
    });
    print_report(json.as_ref(), |out| {
        write_table(out, &model, &train_name, &report)
    })
}

/// Distance buckets of the long-range table: `(low, high)` inclusive.
const BUCKETS: [(usize, usize); 7] = [
    (1, 2),
    (3, 5),
    (6, 10),
    (11, 20),
    (21, 50),
    (51, 100),
    (101, usize::MAX),
];

fn write_table(
    out: &mut impl Write,
    model: &str,
    train: &str,
    r: &ErrorReport,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{model} over {} predictions: model {:.4} nats/char, {}-gram (Witten–Bell, fitted on {train}) {:.4} nats/char",
        r.predictions, r.model_loss, r.ngram_order, r.ngram_loss
    )?;
    let pct = |n: usize| {
        if r.errors == 0 {
            0.0
        } else {
            100.0 * n as f64 / r.errors as f64
        }
    };
    writeln!(
        out,
        "errors (p(next) < 0.5): {} of {} ({:.1}%), by the first oracle that explains each:",
        r.errors,
        r.predictions,
        100.0 * r.errors as f64 / r.predictions as f64
    )?;
    for c in &r.counts {
        writeln!(
            out,
            "  {:<16} {:>7}  {:>5.1}%",
            c.category.name(),
            c.count,
            pct(c.count)
        )?;
    }
    writeln!(
        out,
        "closing brackets and quotes: {}; mean probability by distance to the opener",
        r.long_range.len()
    )?;
    writeln!(
        out,
        "  {:>9} {:>6} {:>8} {:>8}",
        "distance", "count", "model", "n-gram"
    )?;
    for (lo, hi) in BUCKETS {
        let inside: Vec<_> = r
            .long_range
            .iter()
            .filter(|c| (lo..=hi).contains(&c.distance))
            .collect();
        if inside.is_empty() {
            continue;
        }
        let n = inside.len() as f64;
        let model_p = inside.iter().map(|c| f64::from(c.model_p)).sum::<f64>() / n;
        let ngram_p = inside.iter().map(|c| c.ngram_p).sum::<f64>() / n;
        let range = if hi == usize::MAX {
            format!("{lo}+")
        } else {
            format!("{lo}-{hi}")
        };
        writeln!(
            out,
            "  {range:>9} {:>6} {model_p:>8.3} {ngram_p:>8.3}",
            inside.len()
        )?;
    }
    let closers: BTreeMap<char, usize> = r.long_range.iter().fold(BTreeMap::new(), |mut m, c| {
        *m.entry(c.char).or_insert(0) += 1;
        m
    });
    let listed: Vec<String> = closers
        .iter()
        .map(|(c, n)| format!("{} ×{n}", char_label(*c)))
        .collect();
    writeln!(out, "  closers: {}", listed.join(", "))
}
