# mk/core.mk: filled in by its owner
