#!/usr/bin/env bash
# Builds the test Worker (tests/worker) into target/d1orm-test-worker/: the crate for
# wasm32 (release), wasm-bindgen's output for `--target web`, and shim.mjs, the entry
# module. tests/local-d1/server.mjs serves that folder when LOCAL_D1_WORKER_DIR names it.
#
# The wasm-bindgen CLI is the pinned one scripts/wasm-bindgen-cli finds.
set -euo pipefail
cd "$(dirname "$0")/../.."

wasm_bindgen=$(scripts/wasm-bindgen-cli)

target="${CARGO_TARGET_DIR:-target}"
out="$target/d1orm-test-worker"
cargo build -p d1orm-test-worker --target wasm32-unknown-unknown --release
rm -rf "$out"
mkdir -p "$out"
"$wasm_bindgen" --target web --no-typescript --out-dir "$out" \
  "$target/wasm32-unknown-unknown/release/d1orm_test_worker.wasm"
cp tests/worker/shim.mjs "$out/shim.mjs"
echo "build.sh: $out: $(wc -c <"$out/d1orm_test_worker_bg.wasm") bytes of wasm" >&2
