#!/usr/bin/env bash
# Builds the npm package, dist/rnnscope-VERSION.tgz (`npm pack`), from npm/ (its package.json and README) and the
# built folder: the single file rnnscope.js (`import 'rnnscope'`), the element file by file (rnn-scope.js and its
# modules, pkg/), the shipped models, custom-elements.json (the `customElements` field) and rnnscope.d.ts, which
# scripts/npm-types.mjs writes from custom-elements.json. The version is the crate's (Cargo.toml).
#
#   bash scripts/build-npm.sh             # installs what it needs and builds dist/ first
#   bash scripts/build-npm.sh --no-build  # packs the dist/ already built
#   npm install ./dist/rnnscope-0.1.0.tgz # in your app; then: import 'rnnscope';
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--no-build" ]; then
  bash scripts/setup.sh
  bash scripts/build-dist.sh
fi
[ -f dist/rnnscope.js ] || { echo "build-npm: dist/ is not built; run without --no-build" >&2; exit 1; }

version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
stage=target/npm-package
rm -rf "$stage"
mkdir -p "$stage"
# The folder as a course author gets it, less what is not the element: the example lesson and the Python wheel.
cp -R dist/. "$stage/"
rm -rf "$stage/examples" "$stage/python" "$stage"/*.tgz
cp npm/README.md "$stage/"
node scripts/npm-types.mjs dist/custom-elements.json "$stage/rnnscope.d.ts"
node -e '
  const fs = require("fs");
  const [from, to, version] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync(from, "utf8"));
  pkg.version = version;
  fs.writeFileSync(to, JSON.stringify(pkg, null, 2) + "\n");
' npm/package.json "$stage/package.json" "$version"
tarball=$(cd "$stage" && npm pack --silent --pack-destination ../../dist)
echo "build-npm: dist/$tarball ($(du -h "dist/$tarball" | cut -f1)): npm install ./dist/$tarball"
