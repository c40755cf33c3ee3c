#!/usr/bin/env bash
# Builds the tools module (lessons, sharing, explain mode's panel), which
# the page loads when one of them is first used, into the site being built.
# Trunk runs this after each build (Trunk.toml); `make dist` then optimizes
# it as it does the page's own module.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${TRUNK_STAGING_DIR:-dist}/tools"
cargo build --release --target wasm32-unknown-unknown -p smtplab-tools
wasm-bindgen target/wasm32-unknown-unknown/release/smtplab_tools.wasm --target web --no-typescript --out-dir "$out"
