#!/usr/bin/env bash
# Builds dist/: the self-contained folder a course author copies to any static host (and what scripts/demo.sh
# serves). It holds the page (index.html), the iframe page (embed.html), the element (rnn-scope.js and its modules),
# the compiled core (pkg/), the trained models and their manifest (models/), the element's manifest
# (custom-elements.json), the anywidget entry (widget.js), the example lesson (examples/course-notes.html), and
# rnnscope.js: all of it but the models in one self-contained ES module (scripts/build-single.mjs).
# Every URL inside is relative, so the folder works from any subpath.
#
#   bash scripts/build-dist.sh            # builds the wasm (release) first
#   bash scripts/build-dist.sh --no-wasm  # only copies (after editing www/, with pkg/ already built)
#
# Expects scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if [ "${1:-}" != "--no-wasm" ]; then
  bash scripts/build-wasm.sh
fi
[ -f pkg/rnnscope_bg.wasm ] && [ -f pkg/rnnscope_relaxed_bg.wasm ] || { echo "build-dist: pkg/ is missing or old; run without --no-wasm" >&2; exit 1; }

out=dist
rm -rf "$out.tmp"
mkdir -p "$out.tmp/pkg" "$out.tmp/models" "$out.tmp/examples"
# The page and the element; the views' synthetic demo (views/demo.*) is a development aid and stays out.
cp -R www/. "$out.tmp/"
rm -f "$out.tmp"/views/demo.html "$out.tmp"/views/demo.js
cp pkg/rnnscope.js pkg/rnnscope_bg.wasm pkg/rnnscope_relaxed_bg.wasm "$out.tmp/pkg/"
if [ -d models ]; then
  cp models/manifest.json "$out.tmp/models/" 2>/dev/null || true
  cp models/*.safetensors "$out.tmp/models/" 2>/dev/null || true
  rm -f "$out.tmp"/models/*.training.safetensors
fi
cp -R examples/. "$out.tmp/examples/"
# The same in one file, beside the folder (scripts/build-single.mjs).
node scripts/build-single.mjs --out "$out.tmp/rnnscope.js"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "build-dist: $out/ ($(du -sh "$out" | cut -f1)): copy it to any static host"
