// `vite build` of the browser example: `npx vite build examples/vite` writes build/examples/vite, which
// examples/serve.mjs serves under /vite/. `npx vite examples/vite` runs it in Vite's dev server.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

export default defineConfig({
	root: fileURLToPath(new URL('.', import.meta.url)),
	base: '/vite/',
	build: {
		outDir: fileURLToPath(new URL('../../build/examples/vite', import.meta.url)),
		emptyOutDir: true,
		target: 'es2022',
	},
	// PGlite and the extension load their .wasm/.data/.tar.gz files relative to their modules; esbuild's dependency
	// pre-bundling would move the modules away from those files in the dev server.
	optimizeDeps: { exclude: ['@electric-sql/pglite', '@ruvector/pglite'] },
})
