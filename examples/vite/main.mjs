// The browser example as a Vite app: bare imports resolved from node_modules, and the ruvector bundle, which the
// package names with new URL('./ruvector.tar.gz', import.meta.url), emitted by Vite as a hashed asset.
import { PGlite } from '@electric-sql/pglite'
import { ruvector } from '@ruvector/pglite'
import { runPage } from '../docs-search.mjs'

await runPage(async () => {
	const pg = await PGlite.create({ extensions: { ruvector } })
	performance.mark('pglite-created')
	await pg.exec('CREATE EXTENSION ruvector')
	return pg
})
