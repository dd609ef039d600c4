#!/usr/bin/env bash
# Runs every test: formatting and lints (native and wasm32), the JavaScript unit tests (Node), the Rust tests
# (unit, PyTorch reference, gradient checks, CLI), the wasm-facing tests under Node and in headless Chromium (in a
# dedicated worker, as the page runs them; in Chromium for the relaxed-SIMD build too), then the browser tests that
# drive the served page.
# Every stage runs even if an earlier one fails; the summary at the end lists each one.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

stages=()
failed=0
stage() {
  local name=$1
  shift
  printf '\n==> %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    stages+=("ok    $name ($((SECONDS - start)) s)")
  else
    stages+=("FAIL  $name ($((SECONDS - start)) s)")
    failed=$((failed + 1))
    return 1
  fi
}

# The flags of the second browser build (scripts/build-wasm.sh): SIMD128 with relaxed SIMD's fused multiply-add.
RELAXED="-C target-feature=+simd128,+relaxed-simd"

stage "cargo fmt --check" cargo fmt --check
stage "eslint (the page, the element, the worker, scripts and tests)" node_modules/.bin/eslint .
# The pure modules of www/ (settings, slots, loss history, probe data, formats, the protocol's transfers), in Node.
stage "structure (imports resolve, no import circles, no file over 500 lines)" node scripts/check-structure.mjs
stage "JS unit tests" node --test tests/unit/*.test.mjs
stage "clippy (native)" cargo clippy --all-targets --quiet -- -D warnings
stage "clippy (wasm32)" cargo clippy --all-targets --quiet --target wasm32-unknown-unknown -- -D warnings
stage "clippy (wasm32, relaxed SIMD)" env CARGO_TARGET_DIR=target/relaxed RUSTFLAGS="$RELAXED" \
  cargo clippy --all-targets --quiet --target wasm32-unknown-unknown -- -D warnings
stage "cargo test" cargo test
# The packed products pick their micro-kernel at run time (AVX-512, AVX2+FMA or plain, src/kernels/); the stage
# above ran the best this CPU has. The PyTorch parity, gradient and dropout tests again under each other variant
# the CPU runs (RNNSCOPE_KERNELS caps a request at what the CPU has, so on an AVX2 machine "avx512" reruns AVX2).
for kernels in plain avx2; do
  stage "cargo test, $kernels kernels (PyTorch parity, gradients, dropout)" env RNNSCOPE_KERNELS=$kernels \
    cargo test --quiet --test pytorch_reference --test gradcheck --test dropout --test connectivity --test training
done
# The wasm tests run through cargo with wasm-bindgen's test runner, as `wasm-pack test` does, but without its
# extra debug build of everything first, and in the wasm-test profile (Cargo.toml: a third of the build time). The
# runner finds Node on PATH, and with WASM_BINDGEN_USE_DEDICATED_WORKER runs the tests in a dedicated worker of
# headless Chromium instead.
WASM_TEST=(env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
  cargo test --profile wasm-test --target wasm32-unknown-unknown --test wasm)
IN_CHROMIUM=(env WASM_BINDGEN_USE_DEDICATED_WORKER=1 CHROMEDRIVER=/usr/bin/chromedriver)
stage "wasm tests in Node" "${WASM_TEST[@]}"
stage "wasm tests in headless Chromium (worker)" "${IN_CHROMIUM[@]}" "${WASM_TEST[@]}"
# The relaxed-SIMD build, which Chromium runs where it can (Node 20 cannot without a flag): the same tests.
stage "wasm tests in headless Chromium (worker), relaxed-SIMD build" \
  "${IN_CHROMIUM[@]}" CARGO_TARGET_DIR=target/relaxed RUSTFLAGS="$RELAXED" "${WASM_TEST[@]}"
stage "build the folder the demo serves (dist/: wasm release, page, element, models)" bash scripts/build-dist.sh
built=$?
# One file at a time: the parity test builds the CLI and would compete with the timing-sensitive ones. The files are
# named by a glob the shell expands: Node 22 no longer runs the tests of a directory given as an argument. Without
# a folder every one of them would wait out its timeouts (over an hour), so they count as failed at once.
if [ "$built" -eq 0 ]; then
  stage "browser tests" node --test --test-concurrency=1 tests/browser/*.test.mjs
else
  stages+=("FAIL  browser tests (not run: the folder did not build)")
  failed=$((failed + 1))
fi

printf '\n==> summary\n'
printf '%s\n' "${stages[@]}"
if [ "$failed" -gt 0 ]; then
  printf '%d of %d stages failed\n' "$failed" "${#stages[@]}"
  exit 1
fi
printf 'all %d stages passed\n' "${#stages[@]}"
