#!/usr/bin/env bash
# Installs what building and testing SMTP Lab needs, skipping what is there:
# the wasm target, the standard library's source (rust-src), Trunk, the wasm-bindgen CLI at the version in Cargo.lock,
# wasm-opt (npm binaryen) and the terser and csso minifiers (npm, under
# .tools/), Chromium for the browser tests (Debian packages),
# playwright-core and axe-core, and xterm.js for the benchmark (npm, under
# tests/browser/); with --clients, the real mail clients the native tests
# drive (swaks and openssl, Debian packages).
# Usage: scripts/setup.sh [--browser | --clients]
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=no
want_clients=no
[ "${1:-}" = "--browser" ] && want_browser=yes
[ "${1:-}" = "--clients" ] && want_clients=yes

say() { printf 'setup: %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The release build rebuilds the standard library (see DIST_ENV in the Makefile).
if ! rustup component list --installed | grep -q '^rust-src'; then
  say "adding the rust-src component"
  rustup component add rust-src
fi

if ! command -v trunk >/dev/null 2>&1; then
  say "installing Trunk 0.21.14 (several minutes, once)"
  cargo install --locked trunk --version 0.21.14
fi

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$bindgen_version" ]; then
  cargo generate-lockfile
  bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

if [ ! -x .tools/node_modules/.bin/wasm-opt ] || [ ! -x .tools/node_modules/.bin/terser ] ||
  [ ! -x .tools/node_modules/.bin/csso ]; then
  say "installing wasm-opt (npm binaryen), terser and csso under .tools/"
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --silent binaryen@132 terser@5 csso-cli@4 >/dev/null
fi

if [ "$want_browser" = yes ]; then
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Chromium (Debian packages)"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get install -y chromium chromium-driver >/dev/null 2>&1 || {
      $SUDO apt-get update >/dev/null && $SUDO apt-get install -y chromium chromium-driver >/dev/null
    }
  fi
  if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/@xterm/xterm ]; then
    say "installing playwright-core, axe-core and xterm.js (npm) under tests/browser/"
    (cd tests/browser && npm install --no-audit --no-fund --silent >/dev/null)
  fi
fi
if [ "$want_clients" = yes ] && { ! command -v swaks >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; }; then
  say "installing swaks and openssl (Debian packages)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y swaks openssl >/dev/null 2>&1 || {
    $SUDO apt-get update >/dev/null && $SUDO apt-get install -y swaks openssl >/dev/null
  }
fi
say "ready"
