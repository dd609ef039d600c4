#!/usr/bin/env bash
# Trains the pretrained models in models/ with the rnnscope CLI, writes models/manifest.json, and checks it.
#
#   bash scripts/train-models.sh                 # retrain every model (about 35 minutes here, almost all Shakespeare)
#   bash scripts/train-models.sh --only NAME     # retrain one (NAME: hello-rnn3, brackets-lstm, …), keep the rest
#   bash scripts/train-models.sh --check         # train nothing: check the files against the manifest
#
# Every model is trained from scratch by a fixed number of --steps (never --time) with a fixed --seed, so a rerun
# on the same machine writes the same bytes (the native build uses the host's vector units, so another CPU may
# round differently). Files rnnscope writes carry no timestamps or absolute paths: their metadata is the cell, the
# vocabulary, the step count and train_config (the settings and the corpus exactly as given here: an embedded
# name, or the path ../shared/corpora/tinyshakespeare.txt relative to the repository root, where this script runs).
# The training state train writes beside each model (NAME.training.safetensors, kept so that
# `rnnscope train --resume models/NAME.safetensors`, run from the repository root, goes on exactly) is not
# committed (.gitignore).
#
# The manifest lists per model its settings (read back from the file's metadata), the measured wall-clock training
# time, the final smoothed training loss (the last line of --log-jsonl), valLoss, the file size and its sha256.
# valLoss is `rnnscope eval --val-fraction F --val-chars N --json` on the training text: the characters the trainer
# held out for validation (the last ⌊chars · F⌋), or the first 100,000 of them (which only Shakespeare exceeds);
# the hello toy trains on all of its text (valFraction 0), so its valLoss is null. With --only, the other entries
# keep their trainSeconds and trainLoss; their file-derived fields are recomputed. Running the script again
# rewrites the same files and the same manifest but for trainSeconds (wall-clock time, which depends on the load). The check that ends every run (and is all --check does): each
# file exists, has the manifest's size, sha256 and settings, evaluates to its valLoss within 1e-4, and the hello
# toy still says "hellohello…" at temperature 0 with p(o | "hell") > 0.9. tests/models.rs checks the same from
# the library.
#
# Needs cargo and python3 (standard library only). Builds with `cargo build --release` first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# name | `rnnscope train` arguments (besides --out, --log-jsonl, --sample-length, --val-every) | valChars cap
# | title | one-line description. Order here is the manifest's order.
MODELS=(
  "hello-rnn3|--corpus hello --cell rnn --nonlinearity tanh --hidden 3 --layers 1 --seq-len 25 --batch 4 --optimizer adam --lr 0.01 --val-fraction 0 --steps 1000 --seed 1|0|hello, RNN with 3 units|Karpathy's \"hell\" figure: a tanh RNN with 3 hidden units that has learnt hellohello…, so from \"h\" argmax says hellohello and p(o | \"hell\") is over 0.99"
  "brackets-rnn|--corpus brackets --cell rnn --nonlinearity tanh --hidden 64 --layers 1 --seq-len 64 --batch 16 --optimizer adam --lr 0.003 --val-fraction 0.1 --steps 1500 --seed 1|100000|Brackets, RNN 1×64|Vanilla tanh RNN on the generated nested brackets and quoted strings, the same size and steps as the LSTM and GRU beside it"
  "brackets-lstm|--corpus brackets --cell lstm --hidden 64 --layers 1 --seq-len 64 --batch 16 --optimizer adam --lr 0.003 --val-fraction 0.1 --steps 1500 --seed 1|100000|Brackets, LSTM 1×64|LSTM on the generated nested brackets and quoted strings, stopped near its best validation loss: the one to search for bracket-depth and inside-a-quote cells"
  "brackets-gru|--corpus brackets --cell gru --hidden 64 --layers 1 --seq-len 64 --batch 16 --optimizer adam --lr 0.003 --val-fraction 0.1 --steps 1500 --seed 1|100000|Brackets, GRU 1×64|GRU on the generated nested brackets and quoted strings, the same size and steps as the RNN and LSTM beside it"
  "about-lstm|--corpus about --cell lstm --hidden 64 --layers 1 --seq-len 32 --batch 4 --optimizer adam --lr 0.002 --val-fraction 0.1 --steps 700 --seed 1|100000|About, LSTM 1×64|Small LSTM on this project's own prose (2,377 characters, so it learns English spelling only roughly), stopped near its best validation loss"
  "shakespeare-lstm|--corpus ../shared/corpora/tinyshakespeare.txt --cell lstm --hidden 256 --layers 2 --seq-len 64 --batch 32 --optimizer adamw --lr 0.003 --dropout 0.4 --schedule cosine --warmup 200 --min-lr 0.00003 --val-fraction 0.1 --steps 24000 --seed 1 --threads 2 --dtype f16|100000|Shakespeare, LSTM 2×256|char-rnn's classic: a 2-layer LSTM with 256 units on tinyshakespeare (1.1 M characters), with dropout 0.4 and a cosine schedule, saved in f16"
)

usage() { sed -n "2,6p" "$0" | sed "s/^# \{0,1\}//" >&2; exit "${1:-2}"; }
say() { printf 'train-models: %s\n' "$*" >&2; }

only="" check_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --only) [ $# -ge 2 ] || usage; only=$2; shift 2 ;;
    --check) check_only=1; shift ;;
    -h|--help) usage 0 ;;
    *) say "unknown argument $1"; usage ;;
  esac
done
names=()
for m in "${MODELS[@]}"; do names+=("${m%%|*}"); done
if [ -n "$only" ] && ! printf '%s\n' "${names[@]}" | grep -qx -- "$only"; then
  say "no model named $only (models: ${names[*]})"
  exit 2
fi
if [ -n "$only" ] && [ "$check_only" = 1 ]; then
  say "--only and --check do not go together (--check checks every model)"
  exit 2
fi

say "cargo build --release"
cargo build --release --quiet
BIN=target/release/rnnscope
mkdir -p models
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Train: one line per trained model in $work/trained.tsv (name, seconds, log), read by the manifest writer.
: > "$work/trained.tsv"
if [ "$check_only" = 0 ]; then
  for m in "${MODELS[@]}"; do
    IFS='|' read -r name args _ <<< "$m"
    [ -z "$only" ] || [ "$only" = "$name" ] || continue
    say "training $name: rnnscope train $args"
    rm -f "models/$name.safetensors" "models/$name.training.safetensors"
    start=$(date +%s%N)
    # shellcheck disable=SC2086 # $args is a list of flags without spaces inside them
    "$BIN" train $args --val-every 0 --sample-length 0 --out "models/$name.safetensors" \
      --log-jsonl "$work/$name.jsonl"
    end=$(date +%s%N)
    printf '%s\t%s\t%s\n' "$name" "$(( (end - start) / 1000000 ))" "$work/$name.jsonl" >> "$work/trained.tsv"
  done
fi

# Write (unless --check) and check the manifest.
printf '%s\n' "${MODELS[@]}" > "$work/models.txt"
python3 - "$BIN" "$work" "$check_only" <<'PY'
import hashlib, json, math, os, struct, subprocess, sys

BIN, WORK, CHECK_ONLY = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
MANIFEST = "models/manifest.json"
TOLERANCE = 1e-4
KEYS = ["file", "name", "description", "cell", "nonlinearity", "hidden", "layers", "vocabSize", "corpus", "textSource",
        "seed", "steps", "seqLen", "batch", "optimizer", "lr", "clip", "weightDecay", "dropout", "schedule",
        "warmup", "scheduleSteps", "minLr", "gamma", "dtype", "valFraction", "valChars", "trainSeconds",
        "trainLoss", "valLoss", "ngramValLoss", "bytes", "sha256"]
failures = []

def fail(msg):
    failures.append(msg)
    print(f"train-models: FAIL {msg}", file=sys.stderr)

def run(*args):
    return subprocess.run([BIN, *args], check=True, capture_output=True, text=True).stdout

def metadata(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n))["__metadata__"]

embedded = [line.split("\t")[0] for line in run("corpus").splitlines()]

def corpus_file(corpus):
    """A file holding the training text: the embedded corpus written out, or the path itself."""
    if corpus in embedded:
        path = os.path.join(WORK, f"corpus-{corpus}.txt")
        if not os.path.exists(path):
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(run("corpus", corpus))
        return path
    if not os.path.exists(corpus):
        sys.exit(f"train-models: the corpus {corpus} is missing (shared/ must lie beside the repository)")
    return corpus

def val_loss(file, corpus, fraction, cap):
    """`rnnscope eval` on the held-out part of the training text; None when nothing is held out."""
    if fraction == 0:
        return None, 0
    out = json.loads(run("eval", "--model", file, "--text", corpus_file(corpus), "--val-fraction",
                         repr(fraction), "--val-chars", str(cap), "--json"))
    return out["loss"], out["chars"]

def ngram_loss(file, corpus, fraction, cap):
    """The 5-gram baseline of `rnnscope errors` (interpolated Witten–Bell, fitted on the text the model trained on)
    on the same held-out characters as val_loss; None when nothing is held out."""
    if fraction == 0:
        return None
    out = json.loads(run("errors", "--model", file, "--text", corpus_file(corpus), "--val-fraction",
                         repr(fraction), "--chars", str(cap), "--json"))
    return round(out["ngram_loss"], 4)

def tensor_dtype(file):
    """How the file stores its weights: F32, F16 or BF16 (every tensor alike), in --dtype's spelling."""
    with open(file, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    dtypes = {t["dtype"] for k, t in header.items() if k != "__metadata__"}
    if len(dtypes) != 1:
        sys.exit(f"train-models: {file} mixes tensor types {sorted(dtypes)}")
    return dtypes.pop().lower()

def text_source(corpus):
    """Where a model's training text comes from, for the page and for people."""
    if corpus in embedded:
        return f"the embedded corpus “{corpus}”: it loads with the model, which trains on"
    return (f"{os.path.basename(corpus)}, which rnnscope does not ship: the model loads with training off; "
            "give it the text (the element's text-src or learn()) to train it further")

def from_file(name, title, description, cap):
    """Every manifest field that the model file and the text determine."""
    file = f"models/{name}.safetensors"
    meta = metadata(file)
    config = json.loads(meta["train_config"])
    data = open(file, "rb").read()
    loss, chars = val_loss(file, config["corpus"], config["valFraction"], cap)
    entry = {
        "file": f"{name}.safetensors", "name": title, "description": description,
        "cell": meta["cell"], "hidden": config["hidden"], "layers": config["layers"],
        "vocabSize": len(json.loads(meta["vocab"])), "corpus": config["corpus"],
        "textSource": text_source(config["corpus"]), "seed": config["seed"],
        "steps": int(meta["step"]), "seqLen": config["seqLen"], "batch": config["batch"],
        "optimizer": config["optimizer"], "lr": config["lr"], "clip": config["clip"], "dtype": tensor_dtype(file),
        "valFraction": config["valFraction"], "valChars": chars, "valLoss": loss,
        "ngramValLoss": ngram_loss(file, config["corpus"], config["valFraction"], cap),
        "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
    }
    # The settings a file records only when they were given (train_config leaves out what was not).
    for key in ["weightDecay", "dropout", "schedule", "warmup", "scheduleSteps", "minLr", "gamma"]:
        if key in config:
            entry[key] = config[key]
    if meta["cell"] == "rnn":
        entry["nonlinearity"] = meta.get("nonlinearity", "tanh")
    return entry

models = [line.split("|", 4) for line in open(os.path.join(WORK, "models.txt"), encoding="utf-8").read().splitlines()]
old = {}
if os.path.exists(MANIFEST):
    old = {e["file"]: e for e in json.load(open(MANIFEST, encoding="utf-8"))["models"]}

if not CHECK_ONLY:
    trained = {}
    for line in open(os.path.join(WORK, "trained.tsv"), encoding="utf-8").read().splitlines():
        name, millis, log = line.split("\t")
        last = json.loads(open(log, encoding="utf-8").read().splitlines()[-1])
        trained[name] = {"trainSeconds": round(int(millis) / 1000, 2), "trainLoss": last["smooth_loss"]}
    entries = []
    for name, _args, cap, title, description in models:
        entry = from_file(name, title, description, int(cap))
        measured = trained.get(name) or old.get(entry["file"])
        if measured is None:
            sys.exit(f"train-models: {name} is neither trained now nor in {MANIFEST}; train it (--only {name})")
        entry["trainSeconds"] = measured["trainSeconds"]
        entry["trainLoss"] = measured["trainLoss"]
        entries.append({k: entry[k] for k in KEYS if k in entry})
    with open(MANIFEST, "w", encoding="utf-8") as f:
        json.dump({"models": entries}, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"train-models: wrote {MANIFEST}", file=sys.stderr)

# The check: what the manifest says against the files and a fresh eval.
manifest = json.load(open(MANIFEST, encoding="utf-8"))["models"]
listed = [e["file"] for e in manifest]
wanted = [f"{m[0]}.safetensors" for m in models]
if listed != wanted:
    fail(f"the manifest lists {listed}, the script trains {wanted}")
for e in manifest:
    name = e["file"].removesuffix(".safetensors")
    if not os.path.exists(f"models/{e['file']}"):
        fail(f"models/{e['file']} is missing")
        continue
    cap = next((int(m[2]) for m in models if m[0] == name), 100000)
    now = from_file(name, e["name"], e["description"], cap)
    for key, value in now.items():
        if key == "valLoss" and value is not None and e[key] is not None:
            if not math.isclose(value, e[key], rel_tol=0, abs_tol=TOLERANCE):
                fail(f"{name}: valLoss {e[key]} in the manifest, {value} now")
        elif e.get(key) != value:
            fail(f"{name}: {key} is {e.get(key)!r} in the manifest, {value!r} in the file")
    if e["bytes"] >= 2_000_000:
        fail(f"{name}: {e['bytes']} bytes, over 2 MB")
    loss = "-" if e["valLoss"] is None else f"{e['valLoss']:.4f}"
    print(f"train-models: ok {e['file']:<28} {e['cell']:<4} {e['layers']}×{e['hidden']:<4} "
          f"{e['steps']:>5} steps {e['trainSeconds']:>6.1f} s  val {loss:>6}  {e['bytes']:>8} bytes",
          file=sys.stderr)

# The hello toy's claim: argmax from "h" repeats hello, and p(o | "hell") > 0.9.
hello = "models/hello-rnn3.safetensors"
if os.path.exists(hello):
    said = run("sample", "--model", hello, "--prime", "h", "--length", "19", "--temperature", "0")
    if said.strip() != "hello" * 4:
        fail(f"hello-rnn3: argmax from 'h' says {said.strip()!r}")
    probe = json.loads(run("probe", "--model", hello, "--text-string", "hell", "--json"))
    p_o = probe["positions"][-1]["probs"][probe["vocab"].index("o")]
    if not p_o > 0.9:
        fail(f"hello-rnn3: p(o | hell) = {p_o}")
    print(f"train-models: ok hello-rnn3 says {said.strip()}… and p(o | hell) = {p_o:.4f}", file=sys.stderr)

if failures:
    sys.exit(f"train-models: {len(failures)} check(s) failed")
print("train-models: every model matches the manifest", file=sys.stderr)
PY
