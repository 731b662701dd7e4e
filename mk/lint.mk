# mk/lint.mk: filled in by its owner
