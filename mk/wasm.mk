# mk/wasm.mk: filled in by its owner
