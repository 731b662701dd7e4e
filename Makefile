# ruvector: the two commands a user runs are `make demo` and `make test`.
# Each part of the project adds its own targets in mk/*.mk:
#   mk/setup.mk   apt and npm dependencies, PostgreSQL 18 headers and server (idempotent)
#   mk/core.mk    core/ library, unit tests, microbenchmarks (CMake)
#   mk/native.mk  pg/ extension for PostgreSQL 15 and 18 servers, pg_regress against real servers
#   mk/wasm.mk    pg/ extension as a PGlite side module, import check, bundle
#   mk/js.mk      packages/pglite (npm package), its tests against real PGlite, the demo
#   mk/examples.mk examples/ in headless Chromium (page, Web Worker, Vite build), Node.js, Deno and Bun
#   mk/lint.mk    clang-format, clang-tidy, TypeScript strict type check

SHELL := /bin/bash
ROOT := $(abspath .)
BUILD := $(ROOT)/build
NPROC := $(shell nproc 2>/dev/null || echo 2)

BUILD_TARGETS :=
TEST_TARGETS :=
BENCH_TARGETS :=
LINT_TARGETS :=

.PHONY: all setup build demo test bench lint install-native clean
all: build

include mk/setup.mk
include mk/core.mk
include mk/native.mk
include mk/wasm.mk
include mk/js.mk
include mk/examples.mk
include mk/bench.mk
include mk/lint.mk
include mk/reliability.mk

build: setup $(BUILD_TARGETS)

# Lint first: it is the cheapest check. Then every tier's tests, in order.
test: setup
	$(MAKE) lint
	$(MAKE) $(BUILD_TARGETS)
	$(MAKE) $(TEST_TARGETS)
	@echo "make test: all suites passed"

lint: $(LINT_TARGETS)

bench: setup $(BENCH_TARGETS)
	$(MAKE) bench-plots

clean:
	rm -rf $(BUILD) packages/pglite/dist
