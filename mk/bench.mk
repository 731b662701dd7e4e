# mk/bench.mk: ruvector against pgvector for PGlite, side by side in the same PGlite version.
#   bench-pglite  bench/pglite.mjs: three data sets (real MiniLM embeddings, Fashion-MNIST, seeded clusters), load,
#                 CREATE INDEX, index size, exact scans, recall@10 and time per query over hnsw.ef_search, and a
#                 primary-key lookup as PGlite's per-statement floor. JSON into build/bench, a table on stdout.
#                 BENCH_SCALE=full and the other BENCH_* variables in bench/pglite.mjs choose sizes.
#   bench-data    Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist), installed once
#   lint-bench    tsc --noEmit in strict mode over bench/ (JSDoc-typed .mjs)
#   bench-plots   bench/plot.mjs: PNG plots in docs/img from whatever JSON is in build/bench (make bench runs it last)

BENCH_APT_PACKAGES := dataset-fashion-mnist
# apt needs root; CI runs as root, a developer may not
BENCH_SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: bench-pglite bench-data lint-bench bench-plots
BENCH_TARGETS += bench-pglite
LINT_TARGETS += lint-bench

# dpkg-query first: apt-get update runs only when the package is missing ("ii " = wanted and installed)
bench-data:
	@for pkg in $(BENCH_APT_PACKAGES); do \
		if [[ "$$(dpkg-query -W -f='$${db:Status-Abbrev}' $$pkg 2>/dev/null)" != "ii " ]]; then \
			echo "bench-data: installing $$pkg"; \
			$(BENCH_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
			$(BENCH_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$pkg \
				|| exit 1; \
		fi; \
	done

bench-pglite: js-build bench-data $(CORE_WASM_HARNESS)
	node --expose-gc $(ROOT)/bench/pglite.mjs

lint-bench:
	$(NODE_BIN)/tsc --noEmit -p $(ROOT)/bench

bench-plots:
	node $(ROOT)/bench/plot.mjs $(BUILD)/bench $(ROOT)/docs/img
