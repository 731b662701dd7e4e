# mk/reliability.mk: sanitizers, fuzzing and the long reliability runs.
#   test-asan   core library and its unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (in make test)
#   fuzz-build  the libFuzzer targets in fuzz/ (clang-16, ASan + UBSan) over core's parsers, readers and HNSW
#   fuzz-test   each target over its committed corpus, then FUZZ_RUNS new inputs (in make test; scripts/fuzz-run.sh)
#   soak        the long forms, not in make test: SOAK_FUZZ_RUNS inputs per target (>= 10 million in all)

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

soak: fuzz-build
	$(foreach t,$(FUZZ_PARSER_TARGETS),$(ROOT)/scripts/fuzz-run.sh $(FUZZ_BUILD) $(t) $(SOAK_FUZZ_RUNS) &&) true
	$(ROOT)/scripts/fuzz-run.sh $(FUZZ_BUILD) hnsw_ops $(SOAK_FUZZ_HNSW_RUNS)

.PHONY: lint-fuzz
LINT_TARGETS += lint-fuzz
lint-fuzz:
	clang-format-14 --dry-run --Werror $(wildcard $(FUZZ_DIR)/*.cpp)

# Keep the instrumented core objects between runs (make would delete them as intermediates)
.SECONDARY: $(FUZZ_CORE_OBJECTS)
