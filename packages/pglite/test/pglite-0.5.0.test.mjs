// The oldest PGlite the package claims (peer dependency >=0.5.0): PostgreSQL 18.3, built with an older emcc.
// The side module must load there too, with every import resolved.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PGlite } from 'pglite-0.5.0'
import { ruvector } from '@ruvector/pglite'

test('PGlite 0.5.0 loads ruvector and answers a distance query', async () => {
	const pg = await PGlite.create({ extensions: { ruvector } })
	try {
		const version = await pg.query('SHOW server_version')
		assert.match(/** @type {{ server_version: string }} */ (version.rows[0]).server_version, /^18\.3\b/)
		await pg.exec('CREATE EXTENSION ruvector')
		await pg.exec("CREATE TABLE t (id int, v vector(3)); INSERT INTO t VALUES (1, '[1,2,3]'), (2, '[3,0,4]')")
		const got = await pg.query("SELECT id, v <-> '[0,0,0]' AS l2, v <=> '[1,2,3]' AS cos FROM t ORDER BY v <-> '[3,0,3]'")
		assert.deepEqual(got.rows, [
			{ id: 2, l2: 5, cos: 1 - 15 / Math.sqrt(25 * 14) },
			{ id: 1, l2: Math.sqrt(14), cos: 0 },
		])
	} finally {
		await pg.close()
	}
})
