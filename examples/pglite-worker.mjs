// The Web Worker side of worker.html: PGlite with ruvector runs here, off the page's main thread. Import maps do not
// reach workers, so the imports are the packages' CDN-style URLs.
import { PGlite } from '/cdn/@electric-sql/pglite/index.js'
import { worker } from '/cdn/@electric-sql/pglite/worker/index.js'
import { ruvector } from '/cdn/@ruvector/pglite/index.js'

worker({
	async init() {
		const pg = await PGlite.create({ extensions: { ruvector } })
		await pg.exec('CREATE EXTENSION IF NOT EXISTS ruvector')
		return pg
	},
})
