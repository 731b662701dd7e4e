# mk/js.mk: the npm package @ruvector/pglite (packages/pglite), its tests against real PGlite, the demo, and the
# TypeScript strict type check.
#   js-build   tsup (ESM + CJS + .d.ts/.d.cts) into packages/pglite/dist, plus the PGlite bundle from wasm-bundle
#   js-test    node --test: the package against PGlite 0.5.16 and 0.5.0, compared with pgvector for PGlite
#   demo       demo/semantic-search.mjs: 778 real 384-d embeddings, nearest neighbours by cosine distance
#   lint-ts    tsc --noEmit in strict mode over the package sources, its tests and the demo (JSDoc-typed .mjs)

PGLITE_PKG := $(ROOT)/packages/pglite
PGLITE_DIST := $(PGLITE_PKG)/dist
PGLITE_SOURCES := $(wildcard $(PGLITE_PKG)/src/*.ts) $(PGLITE_PKG)/tsup.config.ts $(PGLITE_PKG)/tsconfig.json \
	$(PGLITE_PKG)/package.json
NODE_BIN := $(ROOT)/node_modules/.bin

.PHONY: js-build js-test demo lint-ts

BUILD_TARGETS += js-build
TEST_TARGETS += js-test
LINT_TARGETS += lint-ts

# tsup empties dist/ when it rebuilds, so the bundle is copied in after it every time.
js-build: $(PGLITE_DIST)/index.js wasm-bundle
	install -m 644 $(BUILD)/wasm/ruvector.tar.gz $(PGLITE_DIST)/ruvector.tar.gz

$(PGLITE_DIST)/index.js: $(PGLITE_SOURCES)
	cd $(PGLITE_PKG) && $(NODE_BIN)/tsup --silent

js-test: js-build
	cd $(PGLITE_PKG) && node --test test/*.test.mjs test/*.test.cjs

demo: setup js-build
	node $(ROOT)/demo/semantic-search.mjs

lint-ts:
	$(NODE_BIN)/tsc --noEmit -p $(PGLITE_PKG)
	$(NODE_BIN)/tsc --noEmit -p $(ROOT)/demo
