// The hnsw access method in PGlite: for every vector opclass, recall@10 against a brute-force scan in JavaScript
// after the build, after inserts into the built index, and after deletes and VACUUM (which must never bring a deleted
// row back); duplicates; and the option errors, compared with pgvector for PGlite.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
	cosineDistance,
	innerProduct,
	l1Distance,
	l2Distance,
	openPgvector,
	openRuvector,
	outcome,
	randomVector,
	seededRandom,
	vectorLiteral,
} from './support.mjs'

/** @type {import('@electric-sql/pglite').PGlite} */
let ours
/** @type {import('@electric-sql/pglite').PGlite} */
let pgvector

before(async () => {
	ours = await openRuvector()
	pgvector = await openPgvector()
	// With m = 16 and ef_search = 40 the cost estimate prefers a sequential scan of a 2,000-row table; these tests are
	// about the index, so it is the only way left to the planner (as in pgvector's own TAP tests).
	await ours.exec('SET enable_seqscan = off')
	await pgvector.exec('SET enable_seqscan = off')
})

after(async () => {
	await ours.close()
	await pgvector.close()
})

const BASE_ROWS = 2000
const INSERTED_ROWS = 200
const QUERIES = 40
const K = 10
const MIN_RECALL = 0.9

/**
 * @typedef {object} Opclass
 * @property {string} name
 * @property {string} operator
 * @property {number} dims
 * @property {(a: Float32Array, b: Float32Array) => number} distance the operator's value, computed as pgvector does
 */

/** @type {Opclass[]} */
const OPCLASSES = [
	{ name: 'vector_l2_ops', operator: '<->', dims: 16, distance: l2Distance },
	{ name: 'vector_ip_ops', operator: '<#>', dims: 32, distance: (a, b) => -innerProduct(a, b) },
	{ name: 'vector_cosine_ops', operator: '<=>', dims: 48, distance: cosineDistance },
	{ name: 'vector_l1_ops', operator: '<+>', dims: 64, distance: l1Distance },
]

/**
 * Insert rows with the given ids, 250 to a statement.
 * @param {import('@electric-sql/pglite').PGlite} pg
 * @param {string} table
 * @param {Map<number, Float32Array>} rows
 */
async function insertRows(pg, table, rows) {
	const entries = [...rows]
	for (let first = 0; first < entries.length; first += 250) {
		const batch = entries.slice(first, first + 250)
		const values = batch.map((_, i) => `($${2 * i + 1}::int4, $${2 * i + 2}::vector)`).join(', ')
		const params = batch.flatMap(([id, v]) => [id, vectorLiteral(v)])
		await pg.query(`INSERT INTO ${table} (id, v) VALUES ${values}`, params)
	}
}

/**
 * The ids of the k nearest rows by brute force.
 * @param {Opclass} opclass
 * @param {Map<number, Float32Array>} rows
 * @param {Float32Array} query
 */
function bruteForce(opclass, rows, query) {
	return [...rows]
		.map(([id, v]) => ({ id, d: opclass.distance(query, v) }))
		.sort((x, y) => x.d - y.d || x.id - y.id)
		.slice(0, K)
		.map((r) => r.id)
}

/**
 * Run the k-NN query for every query vector; check each answer (ids of live rows only, distances ascending and equal
 * to the reference); return the mean recall@k against brute force.
 * @param {import('@electric-sql/pglite').PGlite} pg
 * @param {string} table
 * @param {Opclass} opclass
 * @param {Map<number, Float32Array>} rows the live rows
 * @param {Float32Array[]} queries
 */
async function recall(pg, table, opclass, rows, queries) {
	let found = 0
	for (const query of queries) {
		const result = await pg.query(
			`SELECT id, v ${opclass.operator} $1::vector AS d FROM ${table} ` +
				`ORDER BY v ${opclass.operator} $1::vector LIMIT ${K}`,
			[vectorLiteral(query)]
		)
		const answer = /** @type {Array<{ id: number, d: number }>} */ (result.rows)
		assert.equal(answer.length, K, 'LIMIT rows come back')
		for (const [i, { id, d }] of answer.entries()) {
			const v = rows.get(id)
			assert.ok(v, `row ${id} is not a live row`)
			const expected = opclass.distance(query, v)
			const tolerance = 1e-4 * Math.max(1, Math.abs(d))
			assert.ok(Math.abs(d - expected) <= tolerance, `distance of row ${id}: ${d}, reference ${expected}`)
			if (i > 0) assert.ok(d >= /** @type {{ d: number }} */ (answer[i - 1]).d, 'rows come in distance order')
		}
		const truth = new Set(bruteForce(opclass, rows, query))
		found += answer.filter((r) => truth.has(r.id)).length
	}
	return found / (K * queries.length)
}

describe('hnsw index in PGlite', () => {
	for (const [n, opclass] of OPCLASSES.entries()) {
		test(`${opclass.name} (${opclass.dims} dims): recall after build, inserts, deletes and VACUUM`, async () => {
			const rand = seededRandom(7000 + n)
			const table = `items_${opclass.name}`
			const index = `${table}_idx`
			/** @type {Map<number, Float32Array>} */
			const rows = new Map()
			for (let id = 1; id <= BASE_ROWS; id++) rows.set(id, randomVector(rand, opclass.dims))
			const queries = Array.from({ length: QUERIES }, () => randomVector(rand, opclass.dims))

			await ours.exec(`CREATE TABLE ${table} (id int4 PRIMARY KEY, v vector(${opclass.dims}))`)
			await insertRows(ours, table, rows)
			await ours.exec(`CREATE INDEX ${index} ON ${table} USING hnsw (v ${opclass.name})`)

			const plan = await ours.query(
				`EXPLAIN (COSTS OFF) SELECT id FROM ${table} ORDER BY v ${opclass.operator} $1::vector LIMIT ${K}`,
				[vectorLiteral(/** @type {Float32Array} */ (queries[0]))],
				{ rowMode: 'array' }
			)
			const planText = /** @type {unknown[][]} */ (plan.rows).map((r) => String(r[0])).join('\n')
			assert.match(planText, new RegExp(`Index Scan using ${index}`), planText)

			const afterBuild = await recall(ours, table, opclass, rows, queries)
			assert.ok(afterBuild >= MIN_RECALL, `recall@${K} after the build: ${afterBuild}`)

			/** @type {Map<number, Float32Array>} */
			const inserted = new Map()
			for (let id = BASE_ROWS + 1; id <= BASE_ROWS + INSERTED_ROWS; id++)
				inserted.set(id, randomVector(rand, opclass.dims))
			await insertRows(ours, table, inserted)
			for (const [id, v] of inserted) rows.set(id, v)
			// Queries that sit right on inserted rows: only the inserts put them in the graph.
			const nearInserted = [...inserted.values()].slice(0, 10)
			const afterInserts = await recall(ours, table, opclass, rows, [...queries, ...nearInserted])
			assert.ok(afterInserts >= MIN_RECALL, `recall@${K} after ${INSERTED_ROWS} inserts: ${afterInserts}`)

			// Delete a third of the rows, among them many of the queries' nearest neighbours.
			await ours.exec(`DELETE FROM ${table} WHERE id % 3 = 0`)
			for (const id of [...rows.keys()]) if (id % 3 === 0) rows.delete(id)
			const beforeVacuum = await recall(ours, table, opclass, rows, queries)
			assert.ok(beforeVacuum >= MIN_RECALL, `recall@${K} after deletes, before VACUUM: ${beforeVacuum}`)
			await ours.exec(`VACUUM ${table}`)
			const afterVacuum = await recall(ours, table, opclass, rows, queries)
			assert.ok(afterVacuum >= MIN_RECALL, `recall@${K} after VACUUM: ${afterVacuum}`)

			// Space VACUUM freed is used again, and new rows are found.
			/** @type {Map<number, Float32Array>} */
			const again = new Map()
			for (let id = 10001; id <= 10100; id++) again.set(id, randomVector(rand, opclass.dims))
			await insertRows(ours, table, again)
			for (const [id, v] of again) rows.set(id, v)
			const nearAgain = [...again.values()].slice(0, 10)
			const afterReuse = await recall(ours, table, opclass, rows, [...queries, ...nearAgain])
			assert.ok(afterReuse >= MIN_RECALL, `recall@${K} after VACUUM and more inserts: ${afterReuse}`)
		})
	}

	/**
	 * How many rows an index scan returns at hnsw.ef_search = 1 for a query equal to 10 stored duplicates.
	 * @param {import('@electric-sql/pglite').PGlite} pg
	 * @param {'build' | 'insert' | 'build, then insert'} path build the index over the duplicates, insert them into
	 *   an empty index, or build it over three and insert seven (the node grows from its three heap TID slots)
	 */
	async function duplicatesFound(pg, path) {
		const atBuild = { build: 10, insert: 0, 'build, then insert': 3 }[path]
		await pg.exec('CREATE TABLE dups (id int4, v vector(3))')
		await pg.exec(`INSERT INTO dups SELECT i, '[1,1,1]' FROM generate_series(1, ${atBuild}) i`)
		await pg.exec('CREATE INDEX dups_idx ON dups USING hnsw (v vector_l2_ops)')
		await pg.exec(`INSERT INTO dups SELECT i, '[1,1,1]' FROM generate_series(${atBuild + 1}, 10) i`)
		await pg.exec('SET hnsw.ef_search = 1')
		const result = await pg.query(
			"SELECT count(*)::int4 AS n FROM (SELECT id FROM dups ORDER BY v <-> '[1,1,1]') t"
		)
		await pg.exec('RESET hnsw.ef_search; DROP TABLE dups')
		return /** @type {{ n: number }} */ (result.rows[0]).n
	}

	for (const path of /** @type {const} */ (['build', 'insert', 'build, then insert']))
		test(`10 identical vectors are all found at ef_search = 1 (${path}), as in pgvector`, async () => {
			assert.equal(await duplicatesFound(pgvector, path), 10, 'pgvector')
			assert.equal(await duplicatesFound(ours, path), 10, 'ruvector')
		})

	test('invalid options and settings give the same errors as pgvector', async () => {
		await ours.exec('CREATE TABLE opts (v vector(3))')
		await pgvector.exec('CREATE TABLE opts (v vector(3))')
		const statements = [
			'CREATE INDEX ON opts USING hnsw (v vector_l2_ops) WITH (m = 1)',
			'CREATE INDEX ON opts USING hnsw (v vector_l2_ops) WITH (m = 101)',
			'CREATE INDEX ON opts USING hnsw (v vector_l2_ops) WITH (ef_construction = 3)',
			'CREATE INDEX ON opts USING hnsw (v vector_l2_ops) WITH (ef_construction = 1001)',
			'CREATE INDEX ON opts USING hnsw (v vector_l2_ops) WITH (m = 16, ef_construction = 31)',
			'SET hnsw.ef_search = 0',
			'SET hnsw.ef_search = 1001',
		]
		for (const sql of statements) {
			const got = await outcome(ours, sql)
			const expected = await outcome(pgvector, sql)
			assert.ok(expected.error, `pgvector rejects ${sql}`)
			assert.deepEqual(got, expected, sql)
		}
		const m = await outcome(ours, statements[0] ?? '')
		assert.equal(m.error?.message, 'value 1 out of bounds for option "m"')
		const ef = await outcome(ours, statements[4] ?? '')
		assert.equal(ef.error?.message, 'ef_construction must be greater than or equal to 2 * m')
		// ef_construction = 2 * m is allowed
		await ours.exec('CREATE INDEX ON opts USING hnsw (v vector_l2_ops) WITH (m = 16, ef_construction = 32)')
	})
})
