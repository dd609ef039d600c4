#!/usr/bin/env bash
# One benchmark command: training characters per second of rnnscope (native, and in the real page's worker in
# headless Chromium), TensorFlow.js (wasm backend, same Chromium session) and PyTorch (1 and 2 threads, when
# `python3 -c "import torch"` works), for the four cases S1–S4 of benches/cases.json on tinyshakespeare (read from
# ../shared/corpora/, never copied here), clip 5; then sampling speed (S1, S2) and the gzipped size of dist/'s wasm
# and JavaScript; and what a typed character costs while S2 trains in the page. Prints one markdown table (and the
# small ones after it), and the validation loss the page and PyTorch reach in QUALITY_MINUTES (5) minutes of
# training; BENCHMARKS.md records a run.
#
#   bash scripts/bench.sh                       # everything, about 30 minutes on 2 cores (15 of them quality)
#   bash scripts/bench.sh --quick               # shorter measuring windows (for trying the script out)
#   bash scripts/bench.sh --only page,tfjs      # some of: native, page, tfjs, pytorch, sample, size, typing, quality
#
# Run it with `nice -n 10` on a shared machine. Each measurement is a warm-up, then the median of a few rounds:
# criterion's median for native (`cargo bench --bench train`, its target/criterion/*/new/estimates.json),
# benches/page-train.mjs for the page and TF.js, benches/pytorch_bench.py for PyTorch. The raw results (one JSON
# object per line) and the table are left in target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# Thread counts of the native column (RNNSCOPE_THREADS, read by benches/train.rs): each gets a column and a ratio
# against PyTorch on as many threads.
NATIVE_THREADS=(1 2)
PYTORCH_THREADS=(1 2)

QUICK=0
ONLY=native,page,tfjs,pytorch,sample,size,typing,quality
QUALITY_MINUTES=${QUALITY_MINUTES:-5}
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --only) ONLY="$2"; shift ;;
    --only=*) ONLY="${1#--only=}" ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
want() { [[ ",$ONLY," == *",$1,"* ]]; }
START=$SECONDS
LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)
say() { printf 'bench: [%3ds] %s\n' "$((SECONDS - START))" "$*" >&2; }

CORPUS=../shared/corpora/tinyshakespeare.txt
[ -f "$CORPUS" ] || { echo "bench: $CORPUS is missing" >&2; exit 1; }
OUT=target/bench
mkdir -p "$OUT"
rm -f "$OUT"/*.jsonl "$OUT"/table.md

say "setup"
bash scripts/setup.sh

if want page || want tfjs || want sample || want size || want typing || want quality; then
  say "building dist/ (release wasm)"
  bash scripts/build-dist.sh >&2
fi

# --- rnnscope native: criterion ---------------------------------------------------------------------------------
if want native; then
  criterion_args=()
  [ "$QUICK" = 1 ] && criterion_args=(--quick)
  for threads in "${NATIVE_THREADS[@]}"; do
    say "native: cargo bench --bench train (${threads} thread)"
    stamp="$OUT/.native-start"
    touch "$stamp"
    RNNSCOPE_THREADS="$threads" cargo bench --bench train -- "${criterion_args[@]}" >&2
    for est in target/criterion/train_chars_per_sec/*/new/estimates.json; do
      [ "$est" -nt "$stamp" ] || continue
      name=$(basename "$(dirname "$(dirname "$est")")")
      node -e '
        const [file, name, threads] = process.argv.slice(1);
        const e = JSON.parse(require("fs").readFileSync(file, "utf8"));
        // criterion: nanoseconds per iteration (one training step); the case name says seq and batch.
        const [, seq, batch] = /seq(\d+)_b(\d+)/.exec(name).map(Number);
        const cps = (ns) => (seq * batch * 1e9) / ns;
        console.log(JSON.stringify({ tool: "native", name, threads: Number(threads), chars_per_sec: cps(e.median.point_estimate),
          low: cps(e.median.confidence_interval.upper_bound), high: cps(e.median.confidence_interval.lower_bound) }));
      ' "$est" "$name" "$threads" >> "$OUT/native.jsonl"
    done
    rm -f "$stamp"
  done
fi

# --- rnnscope in the page, TF.js: one Chromium session ------------------------------------------------------------
browser_tools=()
want page && browser_tools+=(page)
want tfjs && browser_tools+=(tfjs)
if [ ${#browser_tools[@]} -gt 0 ]; then
  say "browser: node benches/page-train.mjs (${browser_tools[*]})"
  quick=()
  [ "$QUICK" = 1 ] && quick=(--quick)
  node benches/page-train.mjs "${quick[@]}" --only "$(IFS=,; echo "${browser_tools[*]}")" > "$OUT/browser.jsonl" \
    || say "browser: some measurements failed (see above)"
fi

# --- Typing while S2 trains in the page -------------------------------------------------------------------------------
if want typing; then
  say "typing: node benches/typing.mjs"
  keys=40
  [ "$QUICK" = 1 ] && keys=15
  node benches/typing.mjs --keys "$keys" > "$OUT/typing.jsonl" || say "typing: the measurement failed (see above)"
fi

# --- Quality per minute: the page (scored by the CLI) and PyTorch ---------------------------------------------------
if want quality; then
  minutes=$QUALITY_MINUTES
  [ "$QUICK" = 1 ] && minutes=1.5
  say "quality: cargo build --release --bin rnnscope, node benches/quality.mjs ($minutes min per setup)"
  cargo build --release --bin rnnscope >&2
  node benches/quality.mjs --minutes "$minutes" > "$OUT/quality.jsonl" || say "quality: the page measurement failed (see above)"
  if python3 -c "import torch" 2>/dev/null; then
    say "quality: python3 benches/pytorch_bench.py --quality $minutes --threads 2"
    python3 benches/pytorch_bench.py --quality "$minutes" --threads 2 --json >> "$OUT/quality.jsonl"
  fi
fi

# --- PyTorch ------------------------------------------------------------------------------------------------------
if want pytorch; then
  if python3 -c "import torch" 2>/dev/null; then
    say "pytorch: python3 benches/pytorch_bench.py"
    rounds=(--rounds 5 --round-seconds 1.5)
    [ "$QUICK" = 1 ] && rounds=(--rounds 3 --round-seconds 0.5)
    python3 benches/pytorch_bench.py --json --threads "$(IFS=,; echo "${PYTORCH_THREADS[*]}")" "${rounds[@]}" > "$OUT/pytorch.jsonl"
  else
    say "pytorch: skipped (python3 cannot import torch; pip install torch)"
    echo '{"tool":"pytorch","skipped":"python3 cannot import torch (pip install torch)"}' > "$OUT/pytorch.jsonl"
  fi
fi

# --- Sampling: the CLI natively, the wasm Session under Node -------------------------------------------------------
if want sample; then
  # The bench profile (release settings, in target/release/): after `cargo bench` only the binary is left to build.
  say "sample: cargo build --profile bench --bin rnnscope"
  cargo build --profile bench --bin rnnscope >&2
  cli=target/release/rnnscope
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  rounds=5
  [ "$QUICK" = 1 ] && rounds=3
  for spec in "S1 200000" "S2 40000"; do
    read -r id length <<< "$spec"
    # The case's shape, from benches/cases.json (the file every benchmark reads).
    read -r cell hidden layers < <(node -e '
      const c = require("./benches/cases.json").cases.find((k) => k.id === process.argv[1]);
      console.log(c.cell, c.hidden, c.layers);' "$id")
    [ "$QUICK" = 1 ] && length=$((length / 4))
    model="$tmp/$id.safetensors"
    "$cli" train --corpus "$CORPUS" --cell "$cell" --hidden "$hidden" --layers "$layers" --steps 1 --val-fraction 0 \
      --sample-length 0 --out "$model" > /dev/null
    "$cli" sample --model "$model" --length 1000 > /dev/null # warm up (page cache)
    rates=()
    for _ in $(seq "$rounds"); do
      # The run with --length 0 is the start-up (loading the model), taken off.
      t0=$EPOCHREALTIME; "$cli" sample --model "$model" --length 0 > /dev/null; t1=$EPOCHREALTIME
      "$cli" sample --model "$model" --length "$length" > /dev/null; t2=$EPOCHREALTIME
      rates+=("$(awk -v n="$length" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "%.1f", n / ((c - b) - (b - a)) }')")
    done
    median=$(printf '%s\n' "${rates[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    echo "{\"tool\":\"sample-native\",\"case\":\"$id\",\"chars_per_sec\":$median}" >> "$OUT/sample.jsonl"
  done
  say "sample: the wasm Session under Node"
  node --input-type=module -e '
    import { readFileSync } from "node:fs";
    const [corpus, quick] = process.argv.slice(1);
    const { initSync, Session } = await import(process.cwd() + "/pkg/rnnscope.js");
    initSync({ module: readFileSync("pkg/rnnscope_bg.wasm") });
    const text = readFileSync(corpus, "utf8");
    const cases = JSON.parse(readFileSync("benches/cases.json", "utf8")).cases.filter((c) => ["S1", "S2"].includes(c.id));
    const rounds = quick === "1" ? 3 : 5;
    for (const c of cases) {
      const s = new Session({ ...c, clip: 5, seed: 1, valFraction: 0 }, text);
      s.sampleBegin("", 1.0, 0, 1n);
      s.sampleNext(2000); // warm up
      let t0 = performance.now();
      s.sampleNext(500);
      const n = Math.max(500, Math.round((quick === "1" ? 500 : 1500) * 500 / (performance.now() - t0)));
      const rates = [];
      for (let r = 0; r < rounds; r++) {
        t0 = performance.now();
        s.sampleNext(n);
        rates.push(n / ((performance.now() - t0) / 1000));
      }
      s.free();
      rates.sort((a, b) => a - b);
      console.log(JSON.stringify({ tool: "sample-wasm", case: c.id, chars_per_sec: rates[rates.length >> 1] }));
    }
  ' "$CORPUS" "$QUICK" >> "$OUT/sample.jsonl"
fi

# --- Size: gzip -c of dist/'s wasm and JavaScript (the example lesson left out) ---------------------------------------
if want size; then
  gz() { local sum=0 f; for f in "$@"; do sum=$((sum + $(gzip -c "$f" | wc -c))); done; echo "$sum"; }
  wasm=$(gz dist/pkg/*.wasm)
  mapfile -t js < <(find dist -name '*.js' -not -path 'dist/examples/*' | sort)
  jsgz=$(gz "${js[@]}")
  echo "{\"tool\":\"size\",\"wasm_gz\":$wasm,\"js_gz\":$jsgz,\"js_files\":${#js[@]},\"wasm_raw\":$(cat dist/pkg/*.wasm | wc -c)}" > "$OUT/size.jsonl"
  # The example lesson's first screen, with the folder and with the single file (requests and gzipped bytes).
  node benches/first-screen.mjs | tee "$OUT/first-screen.txt"
fi

say "done"

# --- The table ------------------------------------------------------------------------------------------------------
chromium_version=$(/usr/bin/chromium --version 2>/dev/null | awk '{ print $2 }' || true)
# The load average around the run says how much else ran beside it.
machine="$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load average $LOAD_BEFORE before, $(cut -d' ' -f1-3 /proc/loadavg) after; $((SECONDS - START)) s in all"
cat "$OUT"/*.jsonl 2>/dev/null | node -e '
  const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const [nativeThreads, pytorchThreads, chromium, machine] = process.argv.slice(1);
  const nt = nativeThreads.split(" ").map(Number);
  const pt = pytorchThreads.split(" ").map(Number);
  const CASES = require("./benches/cases.json").cases.map((c) => [c.id, c.name, c.label]);
  const find = (tool, name, extra = () => true) => lines.find((l) => l.tool === tool && (l.name === name || l.case === name) && extra(l));
  const fmt = (x) => (x === undefined ? "–" : Math.round(x).toLocaleString("en"));
  const ratio = (a, b) => (a === undefined || b === undefined ? "–" : `${(a / b).toFixed(a / b >= 10 ? 0 : a / b >= 1 ? 1 : 2)}×`);
  const torch = lines.find((l) => l.tool === "pytorch");
  const tf = lines.find((l) => l.tool === "tfjs" && l.env);
  const tfName = tf ? `TF.js ${tf.env.version} wasm${tf.env.simd ? " SIMD" : ""}, ${tf.env.threads ? "threads" : "1 thread"}` : "TF.js wasm";
  const torchName = torch?.version ? `PyTorch ${torch.version.split("+")[0]}` : "PyTorch";
  const head = ["case"];
  for (const t of nt) head.push(`rnnscope native, ${t} thread${t > 1 ? "s" : ""}`);
  head.push("rnnscope page (Chromium, as a visitor gets it)", "rnnscope page, 1 worker", `${tfName} (Chromium)`);
  for (const t of pt) head.push(`${torchName}, ${t} thread${t > 1 ? "s" : ""}`);
  head.push("page ÷ TF.js");
  for (const t of nt) if (pt.includes(t)) head.push(`native ÷ PyTorch, ${t} thread${t > 1 ? "s" : ""}`);
  const rows = [head, head.map((_, i) => (i ? "---:" : "---"))];
  const notes = [];
  for (const [id, name, label] of CASES) {
    const nat = nt.map((t) => find("native", name, (l) => l.threads === t)?.chars_per_sec);
    const page = find("page", id);
    const page1 = find("page-1-worker", id);
    const tfr = find("tfjs", id);
    const pyt = pt.map((t) => find("pytorch", name, (l) => l.threads === t)?.chars_per_sec);
    for (const [what, r] of [["page", page], ["page on 1 worker", page1], ["TF.js", tfr]]) {
      if (r?.error) notes.push(`${id} ${what}: ${r.error}`);
      if (r?.problems?.length) notes.push(`${id} ${what}: ${r.problems.join("; ")}`);
    }
    const workers = (r) => (r?.workers > 1 ? ` (${r.workers} workers)` : "");
    const row = [`${id} ${label}`, ...nat.map(fmt), fmt(page?.chars_per_sec) + workers(page), page1 ? fmt(page1.chars_per_sec) : "(batch 1: one worker)",
      fmt(tfr?.chars_per_sec), ...pyt.map(fmt),
      ratio(page?.chars_per_sec, tfr?.chars_per_sec)];
    nt.forEach((t, i) => { if (pt.includes(t)) row.push(ratio(nat[i], pyt[pt.indexOf(t)])); });
    rows.push(row);
  }
  const table = (rs) => rs.map((r) => `| ${r.join(" | ")} |`).join("\n");
  const trained = lines.some((l) => ["native", "page", "tfjs", "pytorch"].includes(l.tool));
  let out = trained ? `Training, characters per second (median of rounds; Chromium ${chromium || "?"})\n\n${table(rows)}\n` : "";
  if (torch?.skipped) out += `\nPyTorch: skipped, ${torch.skipped}.\n`;
  for (const n of notes) out += `\nNote: ${n}\n`;
  const samples = lines.filter((l) => l.tool.startsWith("sample-"));
  if (samples.length) {
    const srows = [["sampling, characters per second", "native CLI (`rnnscope sample`)", "wasm Session under Node"], ["---", "---:", "---:"]];
    for (const [id, , label] of CASES.slice(0, 2)) {
      srows.push([`${id} ${label.split(",")[0]}`, fmt(find("sample-native", id)?.chars_per_sec), fmt(find("sample-wasm", id)?.chars_per_sec)]);
    }
    out += `\n${table(srows)}\n`;
  }
  const typing = lines.find((l) => l.tool === "typing");
  if (typing) {
    const ms = (x) => `${Math.round(x)} ms`;
    out += `\nTyping while S2 trains in the page (${typing.workers} worker${typing.workers > 1 ? "s" : ""}, ${typing.shown.toLocaleString("en")} characters shown, ${typing.keys} keys): ` +
      `keystroke to repainted diagram p50 ${ms(typing.p50_ms)}, p95 ${ms(typing.p95_ms)} (max ${ms(typing.max_ms)}); ` +
      `of which keystroke to the probe answer p50 ${ms(typing.probe_p50_ms)}, p95 ${ms(typing.probe_p95_ms)}; ` +
      `${typing.long_tasks} main-thread tasks over 50 ms (longest ${ms(typing.longest_task_ms)})\n`;
  }
  const quality = lines.filter((l) => l.tool.startsWith("quality-"));
  if (quality.length) {
    const f3 = (x) => (typeof x === "number" ? x.toFixed(3) : "–");
    const mins = quality[0].minutes;
    const qrows = [["validation loss, nats/char (first 100,000 held-out characters)", "after 1 minute", `after ${mins} minutes`, "steps"], ["---", "---:", "---:", "---:"]];
    for (const q of quality) {
      const what = q.tool === "quality-page"
        ? `page, ${q.setup === "S2" ? "S2" : `LSTM ${q.layers}×${q.hidden}, seq ${q.seqLen}, batch ${q.batch}, Adam ${q.lr}`} (${q.workers} worker${q.workers > 1 ? "s" : ""})`
        : `${torchName}, S2, ${q.threads} threads`;
      qrows.push([what, f3(q.val_1min), f3(q.val_end), fmt(q.steps)]);
    }
    out += `\n${table(qrows)}\n`;
  }
  const size = lines.find((l) => l.tool === "size");
  if (size) {
    const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
    out += `\nSize of dist/, gzip -c: wasm ${kib(size.wasm_gz)} (${kib(size.wasm_raw)} raw), JavaScript ${kib(size.js_gz)} (${size.js_files} files), together ${kib(size.wasm_gz + size.js_gz)}\n`;
  }
  out += `\nMachine: ${machine}\n`;
  process.stdout.write(out);
' "${NATIVE_THREADS[*]}" "${PYTORCH_THREADS[*]}" "$chromium_version" "$machine" | tee "$OUT/table.md"
