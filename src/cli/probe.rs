//! `rnnscope probe`: what the model computed at every character — states, gates, predictions — as JSON or a
//! compact table.

use super::shared::{char_label, finish_stdout, load_model, Failure, Outcome, TextInput};
use clap::Args;
use rnnscope::{Model, Probe, ProbeStep};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(
    after_help = "JSON (--json): {\"cell\", \"layers\", \"hidden\", \"gate_names\", \"vocab\", \"loss\", \
    \"positions\": [...]}; each position has \"char\", \"input\" (vocabulary index, null if unknown), \
    \"layers\" (per layer \"h\", \"c\" for the LSTM, \"gates\" by name: LSTM i f g o, GRU r z n, none for the \
    RNN), \"logits\", \"probs\", \"top\" ([char, prob] pairs), and for all but the last position \
    \"next_char\", \"next_prob\" and \"loss\" (nats). The state starts at zero.\n\n\
    Examples:\n  \
    rnnscope probe --model model.safetensors --text-string 'hello'\n  \
    rnnscope probe --model model.safetensors --text page.txt --json > activations.json"
)]
pub struct ProbeArgs {
    /// Model file (.safetensors)
    #[arg(long, value_name = "PATH")]
    model: PathBuf,

    #[command(flatten)]
    text: TextInput,

    /// Print one JSON object with every activation instead of a table
    #[arg(long)]
    json: bool,

    /// Guesses listed per position
    #[arg(long, value_name = "K", default_value_t = 5)]
    top: usize,

    /// Accept characters outside the model's vocabulary (fed as an all-zero input; no score for predicting
    /// them) instead of refusing the text
    #[arg(long)]
    allow_unknown: bool,
}

/// Gate activations of one layer by name, in storage order.
struct Gates<'a> {
    names: &'static [&'static str],
    /// `(G·H)`.
    values: &'a [f32],
    hidden: usize,
}

impl Serialize for Gates<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.names.len()))?;
        for (k, name) in self.names.iter().enumerate() {
            map.serialize_entry(name, &self.values[k * self.hidden..(k + 1) * self.hidden])?;
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
struct Layer<'a> {
    /// `(H)`.
    h: &'a [f32],
    /// `(H)`, LSTM only.
    #[serde(skip_serializing_if = "Option::is_none")]
    c: Option<&'a [f32]>,
    gates: Gates<'a>,
}

#[derive(serde::Serialize)]
struct Position<'a> {
    pos: usize,
    char: char,
    input: Option<u32>,
    layers: Vec<Layer<'a>>,
    /// `(V)`.
    logits: &'a [f32],
    /// `(V)`.
    probs: &'a [f32],
    top: Vec<(char, f32)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_char: Option<char>,
    /// `None` on the last position; `Some(None)` (JSON null) when the next character is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_prob: Option<Option<f32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    loss: Option<Option<f32>>,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    cell: &'static str,
    layers: usize,
    hidden: usize,
    gate_names: &'static [&'static str],
    vocab: &'a [char],
    /// Mean loss over the scored positions (null when none).
    loss: Option<f32>,
    positions: Vec<Position<'a>>,
}

/// The `k` most likely characters, most likely first (ties: lower index first).
fn top_k(model: &Model, probs: &[f32], k: usize) -> Vec<(char, f32)> {
    let mut order: Vec<usize> = (0..probs.len()).collect();
    order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    order
        .into_iter()
        .take(k)
        .map(|i| (model.vocab.char_at(i), probs[i]))
        .collect()
}

/// Probability and loss of the character after `step`, when it is in the vocabulary.
fn score_next(model: &Model, step: &ProbeStep, next: char) -> Option<(f32, f32)> {
    model.vocab.index_of(next).map(|i| step.score(i))
}

pub fn run(args: ProbeArgs) -> Outcome {
    let (model, _) = load_model(&args.model)?;
    let text = args.text.read()?;
    let name = args.text.describe();
    if text.is_empty() {
        return Err(Failure::usage(format!("{name}: the text is empty")));
    }
    if !args.allow_unknown {
        model.vocab.encode(&text).map_err(|e| {
            Failure::usage(format!(
                "{name}: {e} (use --allow-unknown to feed them as all-zero inputs)"
            ))
        })?;
    }
    let mut probe = Probe::new(&model);
    probe.sync(&model, &text);
    let steps = probe.steps();
    let chars: Vec<char> = text.chars().collect();
    let scores: Vec<Option<(f32, f32)>> = (0..steps.len())
        .map(|t| {
            chars
                .get(t + 1)
                .and_then(|&next| score_next(&model, &steps[t], next))
        })
        .collect();
    let scored: Vec<f32> = scores.iter().flatten().map(|&(_, loss)| loss).collect();
    let mean_loss = (!scored.is_empty())
        .then(|| (scored.iter().map(|&l| f64::from(l)).sum::<f64>() / scored.len() as f64) as f32);

    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = if args.json {
        let report = json_report(&model, steps, &chars, &scores, mean_loss, args.top);
        serde_json::to_writer(&mut out, &report)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write_table(
            &mut out, &model, steps, &chars, &scores, mean_loss, args.top,
        )
    };
    finish_stdout(written.and_then(|()| out.flush()))
}

fn json_report<'a>(
    model: &'a Model,
    steps: &'a [ProbeStep],
    chars: &[char],
    scores: &[Option<(f32, f32)>],
    mean_loss: Option<f32>,
    k: usize,
) -> Report<'a> {
    let c = &model.config;
    let (h, gh) = (c.hidden, c.cell.gates() * c.hidden);
    let names = c.cell.gate_names();
    let positions = steps
        .iter()
        .enumerate()
        .map(|(t, s)| {
            let layers = (0..c.layers)
                .map(|l| Layer {
                    h: &s.h[l * h..(l + 1) * h],
                    c: (!s.c.is_empty()).then(|| &s.c[l * h..(l + 1) * h]),
                    gates: Gates {
                        names,
                        values: if s.gates.is_empty() {
                            &[]
                        } else {
                            &s.gates[l * gh..(l + 1) * gh]
                        },
                        hidden: h,
                    },
                })
                .collect();
            let next_char = chars.get(t + 1).copied();
            let score = next_char.map(|_| scores[t]);
            Position {
                pos: t,
                char: s.ch,
                input: s.input,
                layers,
                logits: &s.logits,
                probs: &s.probs,
                top: top_k(model, &s.probs, k),
                next_char,
                next_prob: score.map(|sc| sc.map(|(p, _)| p)),
                loss: score.map(|sc| sc.map(|(_, l)| l)),
            }
        })
        .collect();
    Report {
        cell: c.cell.name(),
        layers: c.layers,
        hidden: c.hidden,
        gate_names: names,
        vocab: model.vocab.chars(),
        loss: mean_loss,
        positions,
    }
}

fn write_table(
    out: &mut impl Write,
    model: &Model,
    steps: &[ProbeStep],
    chars: &[char],
    scores: &[Option<(f32, f32)>],
    mean_loss: Option<f32>,
    k: usize,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>5}  {:<6} {:<6} {:>8} {:>7}  top guesses",
        "pos", "char", "next", "p(next)", "loss"
    )?;
    for (t, s) in steps.iter().enumerate() {
        let next = chars.get(t + 1).map_or("-".to_string(), |&c| char_label(c));
        let (p, loss) = match scores[t] {
            Some((p, l)) => (format!("{p:.4}"), format!("{l:.3}")),
            None => ("-".into(), "-".into()),
        };
        let guesses: Vec<String> = top_k(model, &s.probs, k)
            .into_iter()
            .map(|(c, p)| format!("{} {p:.3}", char_label(c)))
            .collect();
        let unknown = if s.input.is_none() { " (unknown)" } else { "" };
        writeln!(
            out,
            "{t:>5}  {:<6} {next:<6} {p:>8} {loss:>7}  {}{unknown}",
            char_label(s.ch),
            guesses.join("  ")
        )?;
    }
    match mean_loss {
        Some(l) => writeln!(
            out,
            "mean loss {l:.4} nats/char over {} predictions",
            scores.iter().flatten().count()
        ),
        None => writeln!(out, "no predictions to score (the text has one character)"),
    }
}
