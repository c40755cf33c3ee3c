# SMTP Lab. `make serve` sets up and serves the app; `make test` runs every test.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
WASM_OPT := $(CURDIR)/.tools/node_modules/.bin/wasm-opt
# --low-memory-unused lets wasm-opt fold a pointer's added constant into the
# load's offset (1.7 KB gzip). It holds for this module: Rust links the 1 MB
# stack first, so the lowest kilobyte is the stack's last, and wasm-opt folds
# only constants below 1 KB, which cannot make an address wrap.
# --flatten --rereloop then -Oz again, twice: the control flow rebuilt by
# Binaryen's relooper from the flattened code, and shrunk once more; then
# -Oz from SSA form (2.6 KB in all).
WASM_FEATURES := --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue
WASM_OPT_FLAGS := -Oz --converge --low-memory-unused --flatten --rereloop -Oz --flatten --rereloop -Oz --converge \
  --ssa-nomerge -Oz --strip-producers $(WASM_FEATURES)

# What a first visit may download, at most, in gzip bytes. The goal was
# 160 KB, which Yew and serde do not reach (199.7 KB; docs/size.md);
# the Postfix personality added 13.1 KB, the worlds' passwords and login
# policy (for POP3) 1.1 KB, POP3/IMAP and Exim more, submission with AUTH
# and the shell's s_client, swaks and base64 19.4 KB, the IMAP work that
# Dovecot's tester asked for at most 10 KB (docs/size.md). This guards the
# figure allowed, so that it does not grow unnoticed.
SIZE_BUDGET := 299625

# The release build rebuilds the standard library with panics that abort at
# once (no panic messages or their formatting in the module), as Yew's own
# size guide does; `{:?}` formats nothing and panics carry no source
# locations (the page formats nothing with Debug). The standard library is
# built with its `optimize_for_size` feature (smaller sorts and formatting:
# 3.7 KB gzip). The stable compiler allows it with RUSTC_BOOTSTRAP; its
# own build dir keeps it apart from the ordinary stable builds and tests.
DIST_ENV := RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
  CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none" \
  CARGO_TARGET_DIR=$(CURDIR)/target/dist

.PHONY: setup serve dist test test-native test-browser lint size bench clean imaptest

setup:
	scripts/setup.sh

serve: setup
	trunk serve --offline

dist: setup
	$(DIST_ENV) cargo build --release --target wasm32-unknown-unknown -p smtplab-web
	$(DIST_ENV) trunk build --release --offline
	@for wasm in dist/*.wasm; do \
	  $(WASM_OPT) $(WASM_OPT_FLAGS) "$$wasm" -o "$$wasm.opt" && mv "$$wasm.opt" "$$wasm"; \
	done
	@# Short names for the imports and exports, in the module and its glue.
	@node scripts/short-names.mjs $(WASM_OPT) dist/smtplab-web_bg.wasm dist/smtplab-web.js $(WASM_FEATURES)
	@for js in dist/smtplab-web.js dist/boot.js; do \
	  .tools/node_modules/.bin/terser "$$js" --module --compress --mangle -o "$$js.min" && mv "$$js.min" "$$js"; \
	done
	@.tools/node_modules/.bin/csso dist/style.css -o dist/style.min.css && mv dist/style.min.css dist/style.css
	@integrity=$$(openssl dgst -sha384 -binary dist/style.css | base64 -w0); \
	  sed -i "s|href=\"./style.css\" integrity=\"[^\"]*\"|href=\"./style.css\" integrity=\"sha384-$$integrity\"|" dist/index.html
	@sed -i -e 's/^[[:space:]]*//' -e '/^$$/d' -e '/^<!--.*-->$$/d' -e '/data-trunk rel="rust"/d' dist/index.html
	@version=$$(cat dist/index.html dist/*.js dist/*.wasm dist/*.css dist/*.json | sha256sum | cut -c1-16); \
	  sed -i "s/^const VERSION = 'dev';/const VERSION = '$$version';/" dist/sw.js
	@.tools/node_modules/.bin/terser dist/sw.js --compress --mangle -o dist/sw.min.js && mv dist/sw.min.js dist/sw.js
	@scripts/size.sh dist

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	# The fuzz targets are their own crate (cargo fuzz runs them on nightly);
	# checking them here keeps them building with the engine.
	cargo check --quiet --manifest-path fuzz/Cargo.toml
	rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	cargo clippy --target wasm32-unknown-unknown -p smtplab-web --bins -- -D warnings

test-native:
	scripts/setup.sh --clients
	cargo test --workspace

test-browser:
	scripts/setup.sh --browser
	$(MAKE) dist
	scripts/size.sh dist $(SIZE_BUDGET)
	node tests/browser/run.mjs dist

test: lint test-native test-browser

size:
	scripts/size.sh dist $(SIZE_BUDGET)

bench:
	cargo bench -p smtplab-engine --bench engine
	scripts/setup.sh --browser
	$(MAKE) dist
	cargo build --release --target wasm32-unknown-unknown -p smtplab-bench-wasm
	wasm-bindgen target/wasm32-unknown-unknown/release/smtplab_bench_wasm.wasm --target web --out-dir target/bench-wasm
	node tests/browser/bench.mjs dist
	cargo build --release -p smtplab
	python3 tests/load/load.py --binary target/release/smtplab

# Dovecot's IMAP tester against the native IMAP server, beside the real
# Dovecot's record (not part of `make test`: it installs Debian's
# dovecot-dev to build the tester). IMAPTEST_GIT names the tester's source.
imaptest:
	scripts/imaptest.sh

clean:
	cargo clean
	rm -rf dist
