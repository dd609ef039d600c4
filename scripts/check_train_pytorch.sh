#!/usr/bin/env bash
# Checks scripts/train_pytorch.py end to end on this machine's CPUs: trains a small LSTM (dropout, AdamW, warm-up
# and a cosine) on tinyshakespeare under `torchrun --nproc_per_node 2` (two processes, gloo), then checks the file
# it writes with rnnscope itself:
#   1. `rnnscope eval` computes the validation loss the script printed (within 1e-4);
#   2. PyTorch and `rnnscope probe` agree on every activation (scripts/check_models_pytorch.py --model);
#   3. `rnnscope train --resume` goes on from it with the settings in its train_config;
#   4. the page opens it and computes what `rnnscope probe` does (scripts/check-model-in-page.mjs).
#
#   bash scripts/check_train_pytorch.sh [PYTHON]   # PYTHON: an interpreter with torch and safetensors (default python3)
#
# Needs torch and safetensors (`pip install torch safetensors numpy`), cargo, node and ../shared/ beside the
# repository; builds the release CLI and the folder first. Takes a few minutes. Not run by the tests or CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PY=${1:-python3}
say() { printf 'check_train_pytorch: %s\n' "$*" >&2; }
"$PY" -c "import torch, safetensors" || { say "$PY has no torch or safetensors: pip install torch safetensors numpy"; exit 2; }
TORCHRUN=$(dirname "$(command -v "$PY")")/torchrun
[ -x "$TORCHRUN" ] || TORCHRUN=torchrun
cargo build --release --quiet
bash scripts/build-dist.sh >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CORPUS=../shared/corpora/tinyshakespeare.txt
out="$work/ddp.safetensors"
say "torchrun --nproc_per_node 2 scripts/train_pytorch.py …"
"$TORCHRUN" --standalone --nproc_per_node 2 scripts/train_pytorch.py --corpus "$CORPUS" --cell lstm --hidden 64 \
  --layers 2 --seq-len 32 --batch 16 --optimizer adamw --lr 0.003 --dropout 0.1 --schedule cosine --warmup 20 \
  --steps 300 --seed 3 --threads 1 --val-chars 20000 --log-every 100 --out "$out" | tee "$work/run.txt"
printed=$(tail -1 "$work/run.txt" | "$PY" -c "import json, sys; print(json.load(sys.stdin)['val_loss'])")
evaluated=$(target/release/rnnscope eval --model "$out" --text "$CORPUS" --val-fraction 0.1 --val-chars 20000 --json \
  | "$PY" -c "import json, sys; print(json.load(sys.stdin)['loss'])")
say "validation loss: train_pytorch.py $printed, rnnscope eval $evaluated"
"$PY" -c "import sys; a, b = map(float, sys.argv[1:]); sys.exit(0 if abs(a - b) <= 1e-4 else 1)" "$printed" "$evaluated" \
  || { say "FAIL: rnnscope eval does not compute the loss train_pytorch.py printed"; exit 1; }
"$PY" scripts/check_models_pytorch.py --model "$out"
target/release/rnnscope train --resume "$out" --steps 20 --val-every 0 --sample-length 0 --out "$work/resumed.safetensors" >&2
node scripts/check-model-in-page.mjs "$out" "ROMEO:
But soft, what light"
say "ok: the file train_pytorch.py wrote under torchrun evaluates, probes, resumes and opens in the page as rnnscope's own"
