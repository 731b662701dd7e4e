# mk/js.mk: filled in by its owner
