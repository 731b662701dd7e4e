import type { Extension, PGliteInterface } from '@electric-sql/pglite'

/**
 * ruvector for PGlite: pass it in `extensions` when creating a PGlite instance,
 * then run `CREATE EXTENSION ruvector`.
 *
 * ```ts
 * import { PGlite } from '@electric-sql/pglite'
 * import { ruvector } from '@ruvector/pglite'
 *
 * const pg = await PGlite.create({ extensions: { ruvector } })
 * await pg.exec('CREATE EXTENSION ruvector')
 * ```
 */
export const ruvector = {
	name: 'ruvector',
	async setup(_pg: PGliteInterface, emscriptenOpts: unknown) {
		// The bundle ships next to this module in dist/; PGlite reads a file: URL in Node and fetches it in a browser.
		return {
			emscriptenOpts,
			bundlePath: new URL('./ruvector.tar.gz', import.meta.url),
		}
	},
} satisfies Extension
