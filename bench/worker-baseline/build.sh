#!/usr/bin/env bash
# Builds the baseline Worker (the example's routes through workers-rs alone) exactly as
# examples/worker/build.sh builds the example: the crate for wasm32 with the `worker`
# profile (release, opt-level "s", fat LTO, one codegen unit), wasm-bindgen's output for
# `--target web` with the same flags, and shim.mjs, in one folder:
#
#   bench/worker-baseline/build.sh [OUT]     (OUT defaults to target/d1orm-worker-baseline)
#
# This crate is not a workspace member. It is built in the repository's target folder
# (the dependencies the example built are reused) with the workspace's Cargo.lock copied
# beside it when it has none, so both Workers use the same versions of every crate.
# The wasm-bindgen CLI is the pinned one scripts/wasm-bindgen-cli finds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

wasm_bindgen=$("$root/scripts/wasm-bindgen-cli")

target="${CARGO_TARGET_DIR:-$root/target}"
out="${1:-$target/d1orm-worker-baseline}"
# The same versions as the example (Cargo.lock is ignored by git, here as at the root).
if [ ! -f Cargo.lock ] && [ -f "$root/Cargo.lock" ]; then
  cp "$root/Cargo.lock" Cargo.lock
fi

CARGO_TARGET_DIR="$target" cargo build --lib --target wasm32-unknown-unknown --profile worker \
  --config 'profile.worker.inherits="release"' \
  --config 'profile.worker.opt-level="s"' \
  --config 'profile.worker.lto=true' \
  --config 'profile.worker.codegen-units=1'
rm -rf "$out"
mkdir -p "$out"
"$wasm_bindgen" --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir "$out" \
  "$target/wasm32-unknown-unknown/worker/d1orm_worker_baseline.wasm"
cp shim.mjs "$out/shim.mjs"
echo "build.sh: $out: $(wc -c <"$out/d1orm_worker_baseline_bg.wasm") bytes of wasm" >&2
