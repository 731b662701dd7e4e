# mk/lint.mk: checks that span the tiers. (core/ has lint-core in mk/core.mk, TypeScript lint-ts in mk/js.mk.)
#   lint-pg      clang-format over the extension's C++
#   lint-shell   shellcheck over the project's scripts, when shellcheck is installed

.PHONY: lint-pg lint-shell
LINT_TARGETS += lint-pg lint-shell

lint-pg:
	clang-format-14 --dry-run --Werror $(wildcard $(ROOT)/pg/src/*.cpp $(ROOT)/pg/src/*.h)

lint-shell:
	shellcheck -x -P $(ROOT)/pg/test/t $(ROOT)/pg/test/t/*.sh $(ROOT)/scripts/*.sh
