#!/usr/bin/env bash
# Builds the wasm (release, SIMD) into pkg/ and serves the demo on 127.0.0.1, printing its URL.
# Extra arguments go to the server, e.g. `bash scripts/demo.sh --port 9000`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/build-wasm.sh
exec node scripts/serve.mjs "$@"
