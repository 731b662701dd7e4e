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

/** This package's version, which is also the SQL extension's (`SELECT extversion FROM pg_extension`). */
export const version = '0.1.0'

export {
	parseHalfvec,
	parseSparsevec,
	parseVector,
	sparsevecToSql,
	toSql,
	vectorParsers,
	type ParsedSparseVector,
	type SparseVector,
} from './text-format.js'
