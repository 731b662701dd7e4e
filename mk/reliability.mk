# mk/reliability.mk: sanitizers, fuzzing and the long reliability runs.
#   test-asan   core library and its unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (in make test)
#   fuzz-build  the libFuzzer targets in fuzz/ (clang-16, ASan + UBSan) over core's parsers, readers and HNSW
#   fuzz-test   each target over its committed corpus, then FUZZ_RUNS new inputs (in make test; scripts/fuzz-run.sh)
#   native-test-asan  the extension built with ASan + UBSan, pg_regress and pg/test/t in the PostgreSQL 18 server
#               (this checkout's own copy) with libasan preloaded; any sanitizer report fails it (in make soak)
#   test-tsan   core's concurrent-insert tests (hnsw_shared_graph and its repair, 4 threads) under ThreadSanitizer (in make soak)
#   soak        the long forms, not in make test: SOAK_FUZZ_RUNS inputs per target (>= 10 million in all), the
#               PGlite suite against the oldest PGlite claimed (0.5.0) with an hnsw build of SOAK_HEAP_ROWS rows that
#               outgrows the WebAssembly heap's headroom, the native tests with 2-minute pgbench phases, native-test-asan

CORE_ASAN_BUILD := $(BUILD)/core-asan
# GCC 12 at -O1 with sanitizers sees uninitialised values inside its own AVX-512 intrinsic headers
ASAN_GCC_WARNINGS := -Wno-maybe-uninitialized
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Leak checks too; a sanitizer report fails the run
export ASAN_OPTIONS := detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1

FUZZ_DIR := $(ROOT)/fuzz
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_CXX := clang++-16
FUZZ_CXXFLAGS := -g -O2 $(CORE_CXXFLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -I$(CORE_INCLUDE)
FUZZ_CORE_OBJECTS := $(patsubst $(CORE_DIR)/src/%.cpp,$(FUZZ_BUILD)/core/%.o,$(CORE_SOURCES))
# New inputs per target in make test, and in make soak (3 x 3.3 million + 0.3 million = 10.2 million). An HNSW
# input runs up to 150 inserts and searches, so that target gets a tenth of the parsers' runs in make test.
FUZZ_RUNS ?= 20000
SOAK_FUZZ_RUNS ?= 3300000
FUZZ_HNSW_RUNS ?= 2000
SOAK_FUZZ_HNSW_RUNS ?= 300000
FUZZ_PARSER_TARGETS := dense_text sparse_text binary

.PHONY: test-asan fuzz-build fuzz-test soak
TEST_TARGETS += test-asan fuzz-test

test-asan: setup
	cmake -S $(CORE_DIR) -B $(CORE_ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DRUVECTOR_WERROR=ON \
		-DRUVECTOR_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS="-O1 $(SANITIZE_FLAGS) $(ASAN_GCC_WARNINGS)" > /dev/null
	cmake --build $(CORE_ASAN_BUILD) -j$(NPROC)
	cd $(CORE_ASAN_BUILD) && ctest --output-on-failure -j$(NPROC)

CORE_TSAN_BUILD := $(BUILD)/core-tsan
.PHONY: test-tsan
test-tsan: setup
	cmake -S $(CORE_DIR) -B $(CORE_TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DRUVECTOR_WERROR=ON \
		-DRUVECTOR_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS="-O1 -g -fsanitize=thread $(ASAN_GCC_WARNINGS)" > /dev/null
	cmake --build $(CORE_TSAN_BUILD) -j$(NPROC) --target test_hnsw
	TSAN_OPTIONS=halt_on_error=1 $(CORE_TSAN_BUILD)/test_hnsw --gtest_filter='hnsw_shared_graph.*:hnsw_repair.*'

$(FUZZ_BUILD)/core/%.o: $(CORE_DIR)/src/%.cpp $(CORE_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -c $< -o $@

$(FUZZ_BUILD)/%: $(FUZZ_DIR)/%.cpp $(FUZZ_CORE_OBJECTS) $(CORE_HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) $< $(FUZZ_CORE_OBJECTS) -o $@

fuzz-build: setup $(addprefix $(FUZZ_BUILD)/,$(FUZZ_PARSER_TARGETS) hnsw_ops)

fuzz-test: fuzz-build
	$(foreach t,$(FUZZ_PARSER_TARGETS),$(ROOT)/scripts/fuzz-run.sh $(FUZZ_BUILD) $(t) $(FUZZ_RUNS) &&) true
	$(ROOT)/scripts/fuzz-run.sh $(FUZZ_BUILD) hnsw_ops $(FUZZ_HNSW_RUNS)

NATIVE_ASAN_BUILD := $(BUILD)/pg18-asan
NATIVE_ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
NATIVE_ASAN_REPORTS := $(NATIVE_ASAN_BUILD)/reports
.PHONY: native-test-asan
# The server never frees everything at exit, so no leak checks; reports go to files, one per process. The normal
# module goes back into the server afterwards, whatever the result.
native-test-asan: native-build-18
	@mkdir -p $(NATIVE_ASAN_BUILD)
	rm -rf $(NATIVE_ASAN_REPORTS) && mkdir -p $(NATIVE_ASAN_REPORTS) && chmod 777 $(NATIVE_ASAN_REPORTS)
	$(MAKE) -C $(NATIVE_ASAN_BUILD) -f $(ROOT)/pg/Makefile VPATH=$(ROOT)/pg PG_CONFIG=$(PG18_CONFIG) with_llvm=no \
		PG_CXXFLAGS="$(CORE_CXXFLAGS) -Wno-register -Werror $(NATIVE_ASAN_FLAGS)" COPT="$(NATIVE_ASAN_FLAGS)" install
	status=0; PG_SERVER_PRELOAD=$$(gcc -print-file-name=libasan.so) \
		ASAN_OPTIONS=detect_leaks=0:log_path=$(NATIVE_ASAN_REPORTS)/asan \
		UBSAN_OPTIONS=print_stacktrace=1:log_path=$(NATIVE_ASAN_REPORTS)/ubsan \
		$(ROOT)/scripts/test-native.sh 18 || status=$$?; \
	$(call native_make,18) install > /dev/null; \
	if ls $(NATIVE_ASAN_REPORTS)/* > /dev/null 2>&1; then head -n 60 $(NATIVE_ASAN_REPORTS)/*; exit 1; fi; \
	echo "native-test-asan: no sanitizer reports"; exit $$status

SOAK_CONCURRENCY_SECONDS ?= 120
SOAK_HEAP_ROWS ?= 60000

soak: fuzz-build js-build
	$(foreach t,$(FUZZ_PARSER_TARGETS),$(ROOT)/scripts/fuzz-run.sh $(FUZZ_BUILD) $(t) $(SOAK_FUZZ_RUNS) &&) true
	$(ROOT)/scripts/fuzz-run.sh $(FUZZ_BUILD) hnsw_ops $(SOAK_FUZZ_HNSW_RUNS)
	cd $(PGLITE_PKG) && RUVECTOR_PGLITE=pglite-0.5.0 RUVECTOR_HEAP_ROWS=$(SOAK_HEAP_ROWS) node --test test/*.test.mjs
	RUVECTOR_CONCURRENCY_SECONDS=$(SOAK_CONCURRENCY_SECONDS) RUVECTOR_TEST_TIMEOUT=1200 $(MAKE) native-test
	$(MAKE) native-test-asan
	$(MAKE) test-tsan

.PHONY: lint-fuzz
LINT_TARGETS += lint-fuzz
lint-fuzz:
	clang-format-14 --dry-run --Werror $(wildcard $(FUZZ_DIR)/*.cpp)

# Keep the instrumented core objects between runs (make would delete them as intermediates)
.SECONDARY: $(FUZZ_CORE_OBJECTS)
