# mk/setup.mk: filled in by its owner
setup:
