import { defineConfig } from 'tsup'

export default defineConfig({
	entry: ['src/index.ts'],
	format: ['esm', 'cjs'],
	dts: true,
	clean: true,
	sourcemap: true,
	target: 'es2022',
	esbuildOptions(options, { format }) {
		if (format === 'cjs') {
			options.define = { ...options.define, 'import.meta.url': 'importMetaUrl' }
			options.inject = [...(options.inject ?? []), 'src/cjs-shim.ts']
		}
	},
})
