# mk/native.mk: filled in by its owner
