# mk/wasm.mk: the extension as a PGlite side module (PostgreSQL 18, wasm32).
#
# The recipe (shared/notes/pglite-side-module.md): Debian's clang-16 and wasm-ld-16
# with the Emscripten sysroot for libc/libc++ headers only, nothing linked in. The
# build fails if the module imports anything PGlite's main module does not export,
# checked against every PGlite version the npm package claims.

WASM_DIR := $(BUILD)/wasm
WASM_CXX := clang++-16
WASM_LD := wasm-ld-16
EMSCRIPTEN_SYSROOT := /usr/share/emscripten/cache/sysroot
# Oldest and newest PGlite of the peer dependency range (>=0.5.0 <0.6.0)
PGLITE_MAIN_MODULES := $(ROOT)/node_modules/pglite-0.5.0/dist/pglite.wasm \
	$(ROOT)/node_modules/@electric-sql/pglite/dist/pglite.wasm

WASM_CXXFLAGS := --target=wasm32-unknown-emscripten -nostdinc++ --sysroot=$(EMSCRIPTEN_SYSROOT) \
	-isystem $(EMSCRIPTEN_SYSROOT)/include/c++/v1 -D_LIBCPP_DISABLE_EXTERN_TEMPLATE -D__PGLITE__ \
	-std=c++20 -O2 -fPIC -msimd128 -fno-exceptions -fno-rtti -fvisibility=hidden \
	-Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Werror \
	-I$(ROOT)/core/include -I$(ROOT)/pg/src -I$(PG18_WASM_INCLUDE)

WASM_PG_SOURCES := $(wildcard $(ROOT)/pg/src/*.cpp)
WASM_CORE_SOURCES := $(wildcard $(ROOT)/core/src/*.cpp $(ROOT)/core/src/kernels/*.cpp)
WASM_OBJS := $(patsubst $(ROOT)/pg/src/%.cpp,$(WASM_DIR)/obj/pg/%.o,$(WASM_PG_SOURCES)) \
	$(patsubst $(ROOT)/core/src/%.cpp,$(WASM_DIR)/obj/core/%.o,$(WASM_CORE_SOURCES))
WASM_HEADERS := $(wildcard $(ROOT)/pg/src/*.h $(ROOT)/core/include/ruvector/*.hpp $(ROOT)/core/src/kernels/*.hpp)

WASM_MODULE := $(WASM_DIR)/ruvector.so
WASM_BUNDLE := $(WASM_DIR)/ruvector.tar.gz
EXTENSION_SQL := $(WASM_DIR)/ruvector--0.1.0.sql
EXTENSION_SQL_PARTS := $(sort $(wildcard $(ROOT)/pg/sql/parts/*.sql))

.PHONY: wasm-build wasm-bundle wasm-check-imports
BUILD_TARGETS += wasm-bundle

$(WASM_DIR)/obj/pg/%.o: $(ROOT)/pg/src/%.cpp $(WASM_HEADERS) | setup
	@mkdir -p $(@D)
	$(WASM_CXX) $(WASM_CXXFLAGS) -c -o $@ $<

$(WASM_DIR)/obj/core/%.o: $(ROOT)/core/src/%.cpp $(WASM_HEADERS) | setup
	@mkdir -p $(@D)
	$(WASM_CXX) $(WASM_CXXFLAGS) -c -o $@ $<

# Link, then refuse a module PGlite cannot resolve (the .so is deleted on failure)
$(WASM_MODULE): $(WASM_OBJS) scripts/check-side-module-imports.mjs
	$(WASM_LD) -shared --experimental-pic --no-entry --export-dynamic -O2 -o $@.tmp $(WASM_OBJS)
	node scripts/check-side-module-imports.mjs $@.tmp $(PGLITE_MAIN_MODULES)
	mv $@.tmp $@

# The bundle PGlite unpacks: exact entry names, no "./" prefix, no directory entries
$(WASM_BUNDLE): $(WASM_MODULE) pg/ruvector.control $(EXTENSION_SQL)
	rm -rf $(WASM_DIR)/bundle && mkdir -p $(WASM_DIR)/bundle/lib/postgresql $(WASM_DIR)/bundle/share/postgresql/extension
	cp $(WASM_MODULE) $(WASM_DIR)/bundle/lib/postgresql/ruvector.so
	cp pg/ruvector.control $(EXTENSION_SQL) $(WASM_DIR)/bundle/share/postgresql/extension/
	tar --owner=0 --group=0 --numeric-owner -C $(WASM_DIR)/bundle -czf $@ \
		lib/postgresql/ruvector.so share/postgresql/extension/ruvector.control \
		share/postgresql/extension/$(notdir $(EXTENSION_SQL))
	@echo "side module: $$(stat -c %s $(WASM_MODULE)) bytes, bundle: $$(stat -c %s $@) bytes"

# Same assembly as pg/Makefile's: the sections in file-name order
$(EXTENSION_SQL): $(EXTENSION_SQL_PARTS)
	@mkdir -p $(@D)
	for part in $(EXTENSION_SQL_PARTS); do cat $$part; echo; done > $@

wasm-build: $(WASM_MODULE)
wasm-bundle: $(WASM_BUNDLE)

# Re-run the import check on its own (CI runs it through wasm-bundle too)
wasm-check-imports: $(WASM_MODULE)
	node scripts/check-side-module-imports.mjs $(WASM_MODULE) $(PGLITE_MAIN_MODULES)
TEST_TARGETS += wasm-check-imports
