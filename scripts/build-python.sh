#!/usr/bin/env bash
# Builds the Python package for Jupyter (python/, an anywidget widget) as a wheel in dist/python/: it carries the
# single-file module (dist/rnnscope.js, built fresh here from www/ and pkg/) as its _esm and the shipped models
# (models/*.safetensors, models/manifest.json) as package data. The build tools live in a virtual environment under
# target/ (installed from PyPI the first time, reused after), and the wheel is reproducible: the same inputs give
# the same bytes.
#
#   bash scripts/build-python.sh     # after scripts/build-wasm.sh (or build-dist.sh) has built pkg/
#   pip install dist/python/rnnscope-*.whl
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_TOOLS=(build==1.6.1 hatchling==1.33.0)
venv=target/python-build
[ -f pkg/rnnscope_bg.wasm ] || { echo "build-python: pkg/ is missing; run scripts/build-wasm.sh first" >&2; exit 1; }

# The module, fresh from www/ and pkg/.
mkdir -p dist
node scripts/build-single.mjs --out dist/rnnscope.js

# What the wheel carries besides the Python code, copied in (python/.gitignore keeps it out of git).
static=python/src/rnnscope/static
rm -rf "$static"
mkdir -p "$static/models"
cp dist/rnnscope.js "$static/"
cp models/manifest.json "$static/models/"
for f in models/*.safetensors; do
  case "$f" in *.training.safetensors) ;; *) cp "$f" "$static/models/" ;; esac
done

# The build tools, installed once (the marker names the versions, so a change of pin reinstalls them).
marker="$venv/.installed"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$marker" 2>/dev/null)" != "${BUILD_TOOLS[*]}" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${BUILD_TOOLS[@]}"
  echo "${BUILD_TOOLS[*]}" >"$marker"
fi

rm -rf dist/python
# --no-isolation: the pinned tools above, not a fresh download each time.
"$venv/bin/python" -m build --wheel --no-isolation --outdir dist/python python >target/python-build.log 2>&1 ||
  { cat target/python-build.log >&2; exit 1; }
rm -rf python/build
wheel=$(ls dist/python/*.whl)
echo "build-python: $wheel ($(du -k "$wheel" | cut -f1) KiB)"
