// Run by persistence.test.mjs in a new Node process: open the data directory given as the first argument, answer
// the queries given (JSON) as the second through the hnsw index, and print the ids, the plan and the index check.
import { ruvector } from '@ruvector/pglite'
import { RuvectorPGlite as PGlite } from './support.mjs'

const [dataDir, queriesJson] = process.argv.slice(2)
const queries = /** @type {string[]} */ (JSON.parse(queriesJson ?? '[]'))
const pg = await PGlite.create(dataDir, { extensions: { ruvector } })
await pg.exec('SET enable_seqscan = off')
const sql = 'SELECT id FROM items ORDER BY v <-> $1 LIMIT 10'
const plan = await pg.query(`EXPLAIN (COSTS OFF) ${sql}`, [queries[0]])
const nearest = []
for (const q of queries) {
	const got = await pg.query(sql, [q], { rowMode: 'array' })
	nearest.push(got.rows.map((row) => /** @type {unknown[]} */ (row)[0]))
}
const check = await pg.query("SELECT elements, heap_tids FROM ruvector_index_check('items_v')")
await pg.close()
process.stdout.write(
	JSON.stringify({
		planText: plan.rows.map((row) => Object.values(/** @type {object} */ (row))[0]).join('\n'),
		nearest,
		check: check.rows[0],
	}),
)
