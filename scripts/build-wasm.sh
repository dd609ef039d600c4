#!/usr/bin/env bash
# Builds the core for the browser into pkg/: release, SIMD128 (see .cargo/config.toml), then wasm-opt from the
# npm package `binaryen` (Debian's wasm-opt 108 produces a module whose externref table fails to load). Then the
# same with relaxed SIMD (fused multiply-adds) as pkg/rnnscope_relaxed_bg.wasm, built in target/relaxed so the two
# builds keep their own caches; www/engine/client.js picks it where the browser validates relaxed SIMD. Both builds must
# have the same JavaScript glue, and this checks that they do.
# Expects scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
wasm-pack --log-level warn build --target web --release
# --low-memory-unused: the module never uses addresses below 1024 (rustc puts the 1 MiB stack first, growing down
# from its top), which lets wasm-opt fold more address arithmetic into loads and stores; 1 KB smaller gzipped.
OPT=(-O3 --low-memory-unused --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)
node_modules/.bin/wasm-opt "${OPT[@]}" pkg/rnnscope_bg.wasm -o pkg/rnnscope_bg.wasm

CARGO_TARGET_DIR=target/relaxed RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" \
  wasm-pack --log-level warn build --target web --release --out-dir target/relaxed/pkg
if ! cmp -s target/relaxed/pkg/rnnscope.js pkg/rnnscope.js; then
  echo "build-wasm: the relaxed-SIMD build's JavaScript glue differs from the plain one's; they must share it" >&2
  exit 1
fi
node_modules/.bin/wasm-opt "${OPT[@]}" --enable-relaxed-simd target/relaxed/pkg/rnnscope_bg.wasm -o pkg/rnnscope_relaxed_bg.wasm
