#!/usr/bin/env bash
# Builds dist/ (the wasm, release with SIMD, the page, the element, the models: what a course author deploys) and
# serves exactly that folder on 127.0.0.1, printing its URL.
# Extra arguments go to the server, e.g. `bash scripts/demo.sh --port 9000`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/build-dist.sh
exec node scripts/serve.mjs --root dist "$@"
