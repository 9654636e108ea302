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
# The wasm-bindgen CLI is found as examples/worker/build.sh finds it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
if [ -z "$version" ]; then
  echo "build.sh: no exact wasm-bindgen pin (wasm-bindgen = \"=X.Y.Z\") in Cargo.toml" >&2
  exit 1
fi
tools="${D1ORM_TOOLS:-$HOME/.cache/d1orm-tools}"
wasm_bindgen="${WASM_BINDGEN:-$tools/wasm-bindgen-$version/bin/wasm-bindgen}"
if [ ! -x "$wasm_bindgen" ]; then
  wasm_bindgen="$(command -v wasm-bindgen || true)"
fi
if [ -z "$wasm_bindgen" ]; then
  echo "build.sh: no wasm-bindgen CLI; install version $version with" >&2
  echo "  cargo install wasm-bindgen-cli --version $version --root $tools/wasm-bindgen-$version" >&2
  exit 1
fi
if [ "$("$wasm_bindgen" --version)" != "wasm-bindgen $version" ]; then
  echo "build.sh: $wasm_bindgen is $("$wasm_bindgen" --version), not $version as Cargo.toml pins" >&2
  exit 1
fi

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
