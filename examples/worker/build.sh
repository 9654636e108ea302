#!/usr/bin/env bash
# Builds the example Worker: the crate for wasm32 (release), wasm-bindgen's output for
# `--target web`, and shim.mjs, the entry module, all in one folder:
#
#   ./build.sh [OUT]
#
# OUT defaults to <cargo's target directory>/d1orm-example-worker (target/ of the
# repository here, of this folder once copied); wrangler.toml's [build] runs
# `./build.sh build` and serves build/shim.mjs.
#
# The wasm-bindgen CLI must be exactly the version Cargo.toml pins for the crate. It is
# $WASM_BINDGEN when set, else $D1ORM_TOOLS/wasm-bindgen-<version>/bin/wasm-bindgen
# (default $HOME/.cache/d1orm-tools), where
#   cargo install wasm-bindgen-cli --version <version> --root <that folder>/..
# puts it, else `wasm-bindgen` on PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
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

if [ -n "${CARGO_TARGET_DIR:-}" ]; then
  target="$CARGO_TARGET_DIR"
else
  target=$(cargo metadata --format-version 1 --no-deps --offline 2>/dev/null |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  target="${target:-target}"
fi
out="${1:-$target/d1orm-example-worker}"

# A profile for size: release with opt-level "s", fat LTO and one codegen unit. It is
# given here, not in Cargo.toml, because a workspace member's [profile] is ignored; in a
# project of its own it can go in Cargo.toml as [profile.release].
cargo build --lib --target wasm32-unknown-unknown --profile worker \
  --config 'profile.worker.inherits="release"' \
  --config 'profile.worker.opt-level="s"' \
  --config 'profile.worker.lto=true' \
  --config 'profile.worker.codegen-units=1'
rm -rf "$out"
mkdir -p "$out"
"$wasm_bindgen" --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir "$out" \
  "$target/wasm32-unknown-unknown/worker/d1orm_example_worker.wasm"
cp shim.mjs "$out/shim.mjs"
echo "build.sh: $out: $(wc -c <"$out/d1orm_example_worker_bg.wasm") bytes of wasm" >&2
