// hnsw WITH (quantization = 'sq8' | 'binary') in PGlite: element tuples hold codes, scans walk with estimated
// distances and hand the executor lower bounds to re-rank. Checked against brute force in JavaScript: every row
// returned is live, its distance is the exact one, rows come in ascending distance, recall@10 reaches a floor; with a
// beam as wide as the table the rows are exactly an exact scan's. After the build, after inserts (walked with code
// distances), after deletes and VACUUM, and through the backend's graph copy (which holds codes too).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
	checkedRecall,
	cosineDistance,
	innerProduct,
	l1Distance,
	l2Distance,
	openRuvector,
	randomVector,
	seededRandom,
	vectorLiteral,
} from './support.mjs'

/** @type {import('@electric-sql/pglite').PGlite} */
let pg

before(async () => {
	pg = await openRuvector()
	await pg.exec('SET enable_seqscan = off')
})

after(async () => {
	await pg.close()
})

const ROWS = 1000
const QUERIES = 15
const K = 10
const DIMS = 24

/**
 * @typedef {object} Opclass
 * @property {string} name
 * @property {string} type
 * @property {string} operator
 * @property {(a: Float32Array, b: Float32Array) => number} distance the operator's value, computed as pgvector does
 */

/** @type {Opclass[]} */
const OPCLASSES = [
	{ name: 'vector_l2_ops', type: 'vector', operator: '<->', distance: l2Distance },
	{ name: 'vector_ip_ops', type: 'vector', operator: '<#>', distance: (a, b) => -innerProduct(a, b) },
	{ name: 'vector_cosine_ops', type: 'vector', operator: '<=>', distance: cosineDistance },
	{ name: 'vector_l1_ops', type: 'vector', operator: '<+>', distance: l1Distance },
]
/**
 * The beam and the least recall@10 it must reach. 24 sign bits say little about a vector, so binary codes need a wider
 * beam to hold the true neighbours for re-ranking (seen: sq8 1 at 40; binary 0.82 to 1 at 200, the lowest for l1 after inserts).
 */
const SEARCH = { sq8: { ef: 40, floor: 0.85 }, binary: { ef: 200, floor: 0.7 } }

/**
 * Vectors around a few centres.
 * @param {() => number} rand
 */
function clusteredVector(rand) {
	const v = randomVector(rand, DIMS, 0.3)
	const centre = Math.floor(rand() * 5)
	for (let i = 0; i < DIMS; i++) v[i] = Math.fround(/** @type {number} */ (v[i]) + (i % 5 === centre ? 1 : 0))
	return v
}

/**
 * @param {string} table
 * @param {Map<number, Float32Array>} rows
 */
async function insertRows(table, rows) {
	const entries = [...rows]
	for (let first = 0; first < entries.length; first += 250) {
		const batch = entries.slice(first, first + 250)
		const values = batch.map((_, i) => `($${2 * i + 1}::int4, $${2 * i + 2}::vector)`).join(', ')
		const params = batch.flatMap(([id, v]) => [id, vectorLiteral(v)])
		await pg.query(`INSERT INTO ${table} (id, v) VALUES ${values}`, params)
	}
}

describe('quantized hnsw indexes in PGlite', () => {
	let n = 0
	for (const opclass of OPCLASSES)
		for (const quantization of /** @type {Array<'sq8' | 'binary'>} */ (['sq8', 'binary'])) {
			const seed = 9700 + n++
			test(`hnsw ${opclass.name} quantization = ${quantization}: build, inserts, VACUUM`, async () => {
				const rand = seededRandom(seed)
				const table = `hq_${opclass.name}_${quantization}`
				const index = `${table}_idx`
				/** @type {Map<number, Float32Array>} */
				const rows = new Map()
				for (let id = 1; id <= ROWS; id++) rows.set(id, clusteredVector(rand))
				const queries = Array.from({ length: QUERIES }, () => clusteredVector(rand))

				await pg.exec(`CREATE TABLE ${table} (id int4 PRIMARY KEY, v vector(${DIMS}))`)
				await insertRows(table, rows)
				await pg.exec(
					`CREATE INDEX ${index} ON ${table} USING hnsw (v ${opclass.name}) ` +
						`WITH (m = 16, ef_construction = 64, quantization = '${quantization}')`
				)
				const plan = await pg.query(
					`EXPLAIN (COSTS OFF) SELECT id FROM ${table} ORDER BY v ${opclass.operator} $1::vector LIMIT ${K}`,
					[vectorLiteral(/** @type {Float32Array} */ (queries[0]))],
					{ rowMode: 'array' }
				)
				assert.match(/** @type {unknown[][]} */ (plan.rows).map((r) => String(r[0])).join('\n'),
					new RegExp(`Index Scan using ${index}`))

				const { ef, floor } = SEARCH[quantization]
				await pg.exec(`SET hnsw.ef_search = ${ef}`)
				const built = await checkedRecall(pg, table, opclass, rows, queries)
				assert.ok(built >= floor, `recall@10 after the build: ${built}`)
				// Scans went through the backend's copy of the graph (made on the second scan), codes and all
				const cached = await pg.query(`SELECT ruvector_hnsw_cached_elements('${index}') AS n`)
				assert.equal(/** @type {{ n: number }} */ (cached.rows[0]).n, ROWS, 'the graph copy holds every element')

				// A beam as wide as the table reaches every element: after re-ranking, exactly an exact scan's rows
				await pg.exec(`SET hnsw.ef_search = ${ROWS}`)
				assert.equal(await checkedRecall(pg, table, opclass, rows, queries), 1, 'recall@10 with ef_search = rows')
				await pg.exec(`SET hnsw.ef_search = ${ef}`)

				/** @type {Map<number, Float32Array>} */
				const inserted = new Map()
				for (let id = ROWS + 1; id <= ROWS + 200; id++) inserted.set(id, clusteredVector(rand))
				await insertRows(table, inserted)
				for (const [id, v] of inserted) rows.set(id, v)
				const nearInserted = [...inserted.values()].slice(0, 5)
				const afterInserts = await checkedRecall(pg, table, opclass, rows, [...queries, ...nearInserted])
				assert.ok(afterInserts >= floor, `recall@10 after inserts: ${afterInserts}`)

				await pg.exec(`DELETE FROM ${table} WHERE id % 3 = 0`)
				for (const id of [...rows.keys()]) if (id % 3 === 0) rows.delete(id)
				await pg.exec(`VACUUM ${table}`)
				const afterVacuum = await checkedRecall(pg, table, opclass, rows, queries)
				assert.ok(afterVacuum >= floor, `recall@10 after VACUUM: ${afterVacuum}`)
				const check = await pg.query(`SELECT heap_tids::int4 AS n FROM ruvector_index_check('${index}')`)
				assert.equal(/** @type {{ n: number }} */ (check.rows[0]).n, rows.size, 'the index holds every live row')
				await pg.exec(`RESET hnsw.ef_search; DROP TABLE ${table}`)
			})
		}

	test('a quantized index is smaller than the float32 one', async () => {
		const rand = seededRandom(9800)
		/** @type {Map<number, Float32Array>} */
		const rows = new Map()
		for (let id = 1; id <= ROWS; id++) rows.set(id, clusteredVector(rand))
		await pg.exec(`CREATE TABLE sizes (id int4, v vector(${DIMS}))`)
		await insertRows('sizes', rows)
		/** @type {Record<string, number>} */
		const bytes = {}
		for (const quantization of ['none', 'sq8', 'binary']) {
			await pg.exec(`CREATE INDEX sizes_idx ON sizes USING hnsw (v vector_l2_ops) WITH (quantization = '${quantization}')`)
			const size = await pg.query(`SELECT pg_relation_size('sizes_idx')::int4 AS n`)
			bytes[quantization] = /** @type {{ n: number }} */ (size.rows[0]).n
			await pg.exec('DROP INDEX sizes_idx')
		}
		assert.ok(/** @type {number} */ (bytes.sq8) < /** @type {number} */ (bytes.none), JSON.stringify(bytes))
		assert.ok(/** @type {number} */ (bytes.binary) < /** @type {number} */ (bytes.sq8), JSON.stringify(bytes))
		await pg.exec('DROP TABLE sizes')
	})
})
