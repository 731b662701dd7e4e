# mk/core.mk: core/ library (float32 distance kernels), its tests, benchmarks and lint.
#
# For the pg/ builds, which compile the core sources themselves (PGXS natively, clang for WASM):
#   CORE_SOURCES  absolute paths of the library's .cpp files
#   CORE_INCLUDE  the include folder (use as -I$(CORE_INCLUDE))
#   CORE_CXXFLAGS flags the core sources need on every target (C++20, no exceptions, no RTTI)

CORE_DIR := $(ROOT)/core
CORE_INCLUDE := $(CORE_DIR)/include
CORE_SOURCES := $(addprefix $(CORE_DIR)/src/,kernels/serial.cpp kernels/x86_avx2.cpp kernels/wasm_simd128.cpp \
	kernels/bits_serial.cpp kernels/bits_x86_avx2.cpp kernels/bits_wasm_simd128.cpp kernels/bits_dispatch.cpp \
	kernels/dispatch.cpp cpu.cpp distance.cpp memory.cpp hnsw.cpp hnsw_shared.cpp space.cpp kernels/half_serial.cpp \
	kernels/half_x86_avx2.cpp kernels/half_wasm_simd128.cpp kernels/half_dispatch.cpp kernels/sparse_serial.cpp \
	kernels/sparse_x86_avx2.cpp kernels/sparse_dispatch.cpp \
	vector_text.cpp vector_binary.cpp \
	quantize.cpp kernels/int8_serial.cpp kernels/int8_x86_avx2.cpp kernels/int8_x86_avx512.cpp \
	kernels/int8_wasm_simd128.cpp kernels/int8_dispatch.cpp kmeans.cpp)
# The AVX-512 and NEON kernels (each file compiles to nothing on other architectures).
CORE_SOURCES += $(addprefix $(CORE_DIR)/src/kernels/,x86_avx512.cpp half_x86_avx512.cpp bits_x86_avx512.cpp \
	neon.cpp half_neon.cpp bits_neon.cpp int8_neon.cpp batch.cpp)
CORE_HEADERS := $(wildcard $(CORE_INCLUDE)/ruvector/*.hpp $(CORE_DIR)/src/kernels/*.hpp)
CORE_CXXFLAGS := -std=c++20 -fno-exceptions -fno-rtti

CORE_BUILD := $(BUILD)/core
CORE_CMAKE := cmake -S $(CORE_DIR) -B $(CORE_BUILD) -DCMAKE_BUILD_TYPE=Release -DRUVECTOR_WERROR=ON

# Standalone WASM module over the kernels for the Node tests (core/wasm/), built with the
# same clang/sysroot flags as the PGlite side module, without libc.
CORE_WASM_SYSROOT := /usr/share/emscripten/cache/sysroot
CORE_WASM_CXX := clang++-16
CORE_WASM_LD := wasm-ld-16
CORE_WASM_CXXFLAGS := --target=wasm32-unknown-emscripten -msimd128 -nostdinc++ --sysroot=$(CORE_WASM_SYSROOT) \
	-isystem $(CORE_WASM_SYSROOT)/include/c++/v1 -D_LIBCPP_DISABLE_EXTERN_TEMPLATE -O2 $(CORE_CXXFLAGS) \
	-fvisibility=hidden -Wall -Wextra -Werror -I$(CORE_INCLUDE)
CORE_WASM_DIR := $(CORE_BUILD)/wasm
CORE_WASM_HARNESS := $(CORE_WASM_DIR)/kernels_harness.wasm
CORE_WASM_OBJECTS := $(patsubst $(CORE_DIR)/src/%.cpp,$(CORE_WASM_DIR)/%.o,$(CORE_SOURCES)) \
	$(CORE_WASM_DIR)/kernels_harness.o

.PHONY: core-build core-test core-bench lint-core
BUILD_TARGETS += core-build
TEST_TARGETS += core-test
BENCH_TARGETS += core-bench
LINT_TARGETS += lint-core

core-build: $(CORE_WASM_HARNESS)
	$(CORE_CMAKE)
	cmake --build $(CORE_BUILD) -j$(NPROC)

$(CORE_WASM_DIR)/%.o: $(CORE_DIR)/src/%.cpp $(CORE_HEADERS)
	@mkdir -p $(dir $@)
	$(CORE_WASM_CXX) $(CORE_WASM_CXXFLAGS) -c $< -o $@

# -fno-builtin keeps the harness's strlen/memcmp loops from being turned back into calls to themselves.
$(CORE_WASM_DIR)/kernels_harness.o: $(CORE_DIR)/wasm/kernels_harness.cpp $(CORE_HEADERS)
	@mkdir -p $(dir $@)
	$(CORE_WASM_CXX) $(CORE_WASM_CXXFLAGS) -fno-builtin -c $< -o $@

$(CORE_WASM_HARNESS): $(CORE_WASM_OBJECTS) $(CORE_DIR)/wasm/imports.txt
	$(CORE_WASM_LD) --no-entry --export-dynamic --allow-undefined-file=$(CORE_DIR)/wasm/imports.txt -o $@ \
		$(CORE_WASM_OBJECTS)

core-test: core-build
	cd $(CORE_BUILD) && ctest --output-on-failure -j$(NPROC)
	RUVECTOR_CORE_WASM=$(CORE_WASM_HARNESS) node --test $(CORE_DIR)/wasm/test_kernels.mjs $(CORE_DIR)/wasm/test_int8.mjs \
		$(CORE_DIR)/wasm/test_half_bits.mjs $(CORE_DIR)/wasm/test_sparse.mjs

# The same library and kernel tests cross-compiled for AArch64 (GoogleTest built from Debian's
# sources) and run under qemu-user, once on a CPU with the dot-product extension (-cpu max)
# and once without (cortex-a72), so both int8 NEON tables run. The HNSW recall tests are not
# kernel tests and take minutes under emulation; they run natively.
CORE_AARCH64_BUILD := $(BUILD)/core-aarch64
CORE_AARCH64_CMAKE := cmake -S $(CORE_DIR) -B $(CORE_AARCH64_BUILD) -DCMAKE_BUILD_TYPE=Release -DRUVECTOR_WERROR=ON \
	-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64 -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++ \
	"-DCMAKE_CROSSCOMPILING_EMULATOR=qemu-aarch64;-L;/usr/aarch64-linux-gnu" -DRUVECTOR_BUILD_BENCH=OFF \
	-DRUVECTOR_GTEST_SOURCE=/usr/src/googletest -DBUILD_GMOCK=OFF -DINSTALL_GTEST=OFF
.PHONY: core-test-aarch64
TEST_TARGETS += core-test-aarch64

core-test-aarch64:
	$(CORE_AARCH64_CMAKE)
	cmake --build $(CORE_AARCH64_BUILD) -j$(NPROC)
	cd $(CORE_AARCH64_BUILD) && QEMU_CPU=max ctest --output-on-failure -j$(NPROC) -E hnsw_recall
	cd $(CORE_AARCH64_BUILD) && QEMU_CPU=cortex-a72 ctest --output-on-failure -j$(NPROC) -E hnsw_recall

core-bench: core-build
	@mkdir -p $(BUILD)/bench
	@echo "load average before the native kernels: $$(cut -d' ' -f1-3 /proc/loadavg)"
	$(CORE_BUILD)/bench_kernels --benchmark_min_time=0.2 --benchmark_repetitions=3 \
		--benchmark_out=$(BUILD)/bench/kernels-native.json --benchmark_out_format=json
	RUVECTOR_CORE_WASM=$(CORE_WASM_HARNESS) node $(CORE_DIR)/wasm/bench_kernels.mjs \
		--json $(BUILD)/bench/kernels-wasm.json --native $(BUILD)/bench/kernels-native.json

# Formatting and clang-tidy over core/: every source, test and benchmark with the compile commands CMake
# wrote (x86-64), then the sources that compile to something only on other targets again with those
# targets' flags: the WASM ones (SIMD128 kernels, every family's dispatch, the batches, the harness) and
# the NEON ones for AArch64. clang-tidy 14 does not enable SDOT/UDOT under int8_neon.cpp's target
# attribute (clang 16 does), so the AArch64 pass turns the dot-product extension on for the whole file.
CORE_LINT_FILES := $(shell find $(CORE_DIR) -name '*.cpp' -o -name '*.hpp' -o -name '*.inc' 2>/dev/null)
CORE_TIDY_FILES := $(CORE_SOURCES) $(wildcard $(CORE_DIR)/tests/*.cpp $(CORE_DIR)/bench/*.cpp)
CORE_TIDY_WASM_FILES := $(wildcard $(CORE_DIR)/src/kernels/*wasm_simd128.cpp $(CORE_DIR)/src/kernels/*dispatch.cpp) \
	$(CORE_DIR)/src/kernels/batch.cpp $(CORE_DIR)/src/cpu.cpp $(CORE_DIR)/wasm/kernels_harness.cpp
CORE_TIDY_NEON_FILES := $(wildcard $(CORE_DIR)/src/kernels/*neon.cpp) $(CORE_DIR)/src/cpu.cpp
# One stamp per file and pass: the files are checked $(NPROC) at a time, and a rerun checks again only what changed
# since (any header, .clang-tidy or CMakeLists.txt change checks everything again).
CORE_TIDY_DIR := $(BUILD)/tidy
CORE_TIDY_DEPS := $(filter %.hpp %.inc,$(CORE_LINT_FILES)) $(ROOT)/.clang-tidy $(CORE_DIR)/CMakeLists.txt
tidy_stamps = $(patsubst $(CORE_DIR)/%,$(CORE_TIDY_DIR)/$(1)/%.ok,$(2))
CORE_TIDY_STAMPS := $(call tidy_stamps,x86-64,$(CORE_TIDY_FILES)) $(call tidy_stamps,wasm,$(CORE_TIDY_WASM_FILES)) \
	$(call tidy_stamps,aarch64,$(CORE_TIDY_NEON_FILES))

lint-core:
	clang-format-14 --dry-run --Werror $(CORE_LINT_FILES)
	$(CORE_CMAKE) > /dev/null
	$(MAKE) --no-print-directory -j$(NPROC) -O core-tidy

.PHONY: core-tidy
core-tidy: $(CORE_TIDY_STAMPS)

$(CORE_TIDY_DIR)/x86-64/%.ok: $(CORE_DIR)/% $(CORE_TIDY_DEPS)
	clang-tidy-14 -p $(CORE_BUILD) --quiet --warnings-as-errors='*' $<
	@mkdir -p $(dir $@) && touch $@

$(CORE_TIDY_DIR)/wasm/%.ok: $(CORE_DIR)/% $(CORE_TIDY_DEPS)
	clang-tidy-14 --quiet --warnings-as-errors='*' $< -- $(filter-out -O2 -Wall -Wextra -Werror,$(CORE_WASM_CXXFLAGS))
	@mkdir -p $(dir $@) && touch $@

$(CORE_TIDY_DIR)/aarch64/%.ok: $(CORE_DIR)/% $(CORE_TIDY_DEPS)
	clang-tidy-14 --quiet --warnings-as-errors='*' $< -- --target=aarch64-linux-gnu \
		-march=armv8.2-a+dotprod $(CORE_CXXFLAGS) -I$(CORE_INCLUDE)
	@mkdir -p $(dir $@) && touch $@
