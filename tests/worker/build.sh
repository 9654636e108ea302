#!/usr/bin/env bash
# Builds the test Worker (tests/worker) into target/d1orm-test-worker/: the crate for
# wasm32 (release), wasm-bindgen's output for `--target web`, and shim.mjs, the entry
# module. tests/local-d1/server.mjs serves that folder when LOCAL_D1_WORKER_DIR names it.
#
# The wasm-bindgen CLI must be exactly the version the workspace pins for the crate; it
# is taken from $D1ORM_TOOLS/wasm-bindgen-<version>/bin (default $HOME/.cache/d1orm-tools),
# where `cargo install wasm-bindgen-cli --version <version> --root <that folder>` puts it.
set -euo pipefail
cd "$(dirname "$0")/../.."

version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
if [ -z "$version" ]; then
  echo "build.sh: no exact wasm-bindgen pin (wasm-bindgen = \"=X.Y.Z\") in Cargo.toml" >&2
  exit 1
fi
tools="${D1ORM_TOOLS:-$HOME/.cache/d1orm-tools}"
wasm_bindgen="$tools/wasm-bindgen-$version/bin/wasm-bindgen"
if [ ! -x "$wasm_bindgen" ]; then
  echo "build.sh: $wasm_bindgen not found; install it with" >&2
  echo "  cargo install wasm-bindgen-cli --version $version --root $tools/wasm-bindgen-$version" >&2
  exit 1
fi
if [ "$("$wasm_bindgen" --version)" != "wasm-bindgen $version" ]; then
  echo "build.sh: $wasm_bindgen is $("$wasm_bindgen" --version), not $version" >&2
  exit 1
fi

target="${CARGO_TARGET_DIR:-target}"
out="$target/d1orm-test-worker"
cargo build -p d1orm-test-worker --target wasm32-unknown-unknown --release
rm -rf "$out"
mkdir -p "$out"
"$wasm_bindgen" --target web --no-typescript --out-dir "$out" \
  "$target/wasm32-unknown-unknown/release/d1orm_test_worker.wasm"
cp tests/worker/shim.mjs "$out/shim.mjs"
echo "build.sh: $out: $(wc -c <"$out/d1orm_test_worker_bg.wasm") bytes of wasm" >&2
