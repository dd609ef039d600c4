#!/usr/bin/env bash
# Builds the core for the browser into pkg/: release, SIMD128 (see .cargo/config.toml), then wasm-opt from the
# npm package `binaryen` (Debian's wasm-opt 108 produces a module whose externref table fails to load).
# Expects scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
wasm-pack --log-level warn build --target web --release
node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  pkg/rnnscope_bg.wasm -o pkg/rnnscope_bg.wasm
