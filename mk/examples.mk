# mk/examples.mk: the examples in examples/, run the way users run them, each checked against a search in Node.
#   examples-test   browser.html, worker.html (PGlite in a Web Worker) and a Vite 7 build in headless Chromium
#                   (Debian's chromium, driven by playwright-core), with screenshots and the page's load timings in
#                   build/examples; node.mjs in Node.js and Bun, deno.ts in Deno (both runtimes from npm)
#   examples-serve  serve the browser examples on http://127.0.0.1:8080 (examples/serve.mjs)
#   lint-examples   tsc --noEmit in strict mode over examples/ (JSDoc-typed .mjs), deno check of deno.ts. The tsc
#                   config is not named tsconfig.json: Bun would apply its `paths` (the package's sources, for type
#                   checking before a build) when running the examples, and find no bundle beside src/index.ts.

.PHONY: examples-test examples-serve lint-examples
TEST_TARGETS += examples-test
LINT_TARGETS += lint-examples

examples-test: js-build
	cd $(ROOT) && node --test examples/test/*.test.mjs

examples-serve: js-build
	node $(ROOT)/examples/serve.mjs 8080

lint-examples:
	$(NODE_BIN)/tsc --noEmit -p $(ROOT)/examples/tsconfig.check.json
	cd $(ROOT) && $(NODE_BIN)/deno check --quiet examples/deno.ts
