// The flat and ivfflat access methods in PGlite, with every quantization: recall@10 against a brute-force scan in
// JavaScript (exact for flat, and for ivfflat probing every list), rows in ascending exact distance, after the build,
// after inserts and after deletes and VACUUM; ivfflat compared with pgvector for PGlite (same rows when every list is
// probed, distances up to float32 summation order; same option and setting errors, the same little-data notice).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
	checkedRecall,
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
	await ours.exec('SET enable_seqscan = off')
	await pgvector.exec('SET enable_seqscan = off')
})

after(async () => {
	await ours.close()
	await pgvector.close()
})

const ROWS = 1000
const LISTS = 10
const QUERIES = 15
const K = 10
const DIMS = 24

/**
 * @typedef {object} Opclass
 * @property {string} name
 * @property {string} operator
 * @property {boolean} ivfflat whether ivfflat has it (as pgvector)
 * @property {(a: Float32Array, b: Float32Array) => number} distance the operator's value, computed as pgvector does
 */

/** @type {Opclass[]} */
const OPCLASSES = [
	{ name: 'vector_l2_ops', operator: '<->', ivfflat: true, distance: l2Distance },
	{ name: 'vector_ip_ops', operator: '<#>', ivfflat: true, distance: (a, b) => -innerProduct(a, b) },
	{ name: 'vector_cosine_ops', operator: '<=>', ivfflat: true, distance: cosineDistance },
	{ name: 'vector_l1_ops', operator: '<+>', ivfflat: false, distance: l1Distance },
]
const QUANTIZATIONS = ['none', 'sq8', 'binary']

/**
 * Vectors around a few centres, so that lists mean something.
 * @param {() => number} rand
 */
function clusteredVector(rand) {
	const v = randomVector(rand, DIMS, 0.3)
	const centre = Math.floor(rand() * 5)
	for (let i = 0; i < DIMS; i++) v[i] = Math.fround(/** @type {number} */ (v[i]) + (i % 5 === centre ? 1 : 0))
	return v
}

/**
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
 * @param {import('@electric-sql/pglite').PGlite} pg
 * @param {string} sql
 * @param {unknown[]} params
 */
async function planOf(pg, sql, params) {
	const plan = await pg.query(`EXPLAIN (COSTS OFF) ${sql}`, params, { rowMode: 'array' })
	return /** @type {unknown[][]} */ (plan.rows).map((r) => String(r[0])).join('\n')
}

describe('flat and ivfflat indexes in PGlite', () => {
	let n = 0
	for (const am of ['flat', 'ivfflat'])
		for (const opclass of OPCLASSES)
			for (const quantization of QUANTIZATIONS) {
				if (am === 'ivfflat' && !opclass.ivfflat) continue
				const seed = 9100 + n++
				test(`${am} ${opclass.name} quantization = ${quantization}: exact after build, inserts, VACUUM`, async () => {
					const rand = seededRandom(seed)
					const table = `items_${am}_${opclass.name}_${quantization}`
					const index = `${table}_idx`
					/** @type {Map<number, Float32Array>} */
					const rows = new Map()
					for (let id = 1; id <= ROWS; id++) rows.set(id, clusteredVector(rand))
					const queries = Array.from({ length: QUERIES }, () => clusteredVector(rand))

					await ours.exec(`CREATE TABLE ${table} (id int4 PRIMARY KEY, v vector(${DIMS}))`)
					await insertRows(ours, table, rows)
					const lists = am === 'ivfflat' ? `, lists = ${LISTS}` : ''
					await ours.exec(
						`CREATE INDEX ${index} ON ${table} USING ${am} (v ${opclass.name}) ` +
							`WITH (quantization = '${quantization}'${lists})`
					)
					await ours.exec(`SET ivfflat.probes = ${LISTS}`)
					const query = `SELECT id FROM ${table} ORDER BY v ${opclass.operator} $1::vector LIMIT ${K}`
					assert.match(await planOf(ours, query, [vectorLiteral(/** @type {Float32Array} */ (queries[0]))]),
						new RegExp(`Index Scan using ${index}`))

					assert.equal(await checkedRecall(ours, table, opclass, rows, queries), 1, 'recall@10 after the build')

					/** @type {Map<number, Float32Array>} */
					const inserted = new Map()
					for (let id = ROWS + 1; id <= ROWS + 200; id++) inserted.set(id, clusteredVector(rand))
					await insertRows(ours, table, inserted)
					for (const [id, v] of inserted) rows.set(id, v)
					const nearInserted = [...inserted.values()].slice(0, 5)
					assert.equal(await checkedRecall(ours, table, opclass, rows, [...queries, ...nearInserted]), 1,
						'recall@10 after inserts')

					await ours.exec(`DELETE FROM ${table} WHERE id % 3 = 0`)
					for (const id of [...rows.keys()]) if (id % 3 === 0) rows.delete(id)
					await ours.exec(`VACUUM ${table}`)
					assert.equal(await checkedRecall(ours, table, opclass, rows, queries), 1, 'recall@10 after VACUUM')
					await ours.exec(`RESET ivfflat.probes; DROP TABLE ${table}`)
				})
			}

	// The builds grow the file by an estimate of their page count (flat without quantization takes the row count from
	// pg_class.reltuples); a wrong estimate must still give the same index: exact answers, no blocks left over.
	test('flat and ivfflat builds whose page estimate is wrong give the same exact index', async () => {
		const rand = seededRandom(9500)
		/** @type {Map<number, Float32Array>} */
		const rows = new Map()
		for (let id = 1; id <= 1500; id++) rows.set(id, clusteredVector(rand))
		const queries = Array.from({ length: 5 }, () => clusteredVector(rand))
		await ours.exec(`CREATE TABLE estimate (id int4 PRIMARY KEY, v vector(${DIMS}))`)
		await insertRows(ours, 'estimate', rows)
		await ours.exec(`ANALYZE estimate; SET ivfflat.probes = ${LISTS}`)
		const l2 = /** @type {Opclass} */ (OPCLASSES[0])
		for (const [am, options] of [['flat', "quantization = 'none'"], ['ivfflat', `lists = ${LISTS}`]]) {
			/** @type {number[]} */
			const sizes = []
			for (const reltuples of [1500, 1, 1e7]) {
				await ours.exec(`UPDATE pg_class SET reltuples = ${reltuples} WHERE relname = 'estimate'`)
				await ours.exec(`CREATE INDEX estimate_idx ON estimate USING ${am} (v) WITH (${options})`)
				const check = await ours.query("SELECT pages, elements FROM ruvector_index_check('estimate_idx')")
				const { pages, elements } = /** @type {{ pages: number, elements: number }} */ (check.rows[0])
				assert.equal(Number(elements), rows.size, `${am}, reltuples ${reltuples}: every row indexed`)
				const size = await ours.query("SELECT pg_relation_size('estimate_idx')::int4 / 8192 AS n")
				sizes.push(/** @type {{ n: number }} */ (size.rows[0]).n)
				assert.equal(Number(pages), sizes.at(-1), 'the check walked every block')
				assert.equal(await checkedRecall(ours, 'estimate', l2, rows, queries), 1, `${am}, reltuples ${reltuples}`)
				await ours.exec('DROP INDEX estimate_idx')
			}
			assert.deepEqual(sizes, [sizes[0], sizes[0], sizes[0]], `${am}: no blocks left over from the estimate`)
			if (am === 'flat') {
				// meta page, list directory, then rows of 8 + 4 * DIMS bytes packed 78 to a page
				assert.equal(sizes[0], 2 + Math.ceil(rows.size / Math.floor(8160 / (8 + 4 * DIMS))))
			}
		}
		// Inserts after a build append after its last page
		await ours.exec(`UPDATE pg_class SET reltuples = 1e7 WHERE relname = 'estimate'`)
		await ours.exec("CREATE INDEX estimate_idx ON estimate USING flat (v) WITH (quantization = 'none')")
		/** @type {Map<number, Float32Array>} */
		const inserted = new Map()
		for (let id = 1501; id <= 1700; id++) inserted.set(id, clusteredVector(rand))
		await insertRows(ours, 'estimate', inserted)
		for (const [id, v] of inserted) rows.set(id, v)
		assert.equal(await checkedRecall(ours, 'estimate', l2, rows, [...queries, ...[...inserted.values()].slice(0, 3)]), 1)
		const check = await ours.query("SELECT elements FROM ruvector_index_check('estimate_idx')")
		assert.equal(Number(/** @type {{ elements: number }} */ (check.rows[0]).elements), rows.size)
		await ours.exec('RESET ivfflat.probes; DROP TABLE estimate')
	})

	test('ivfflat with one probe is approximate, and iterative scans find filtered rows', async () => {
		const rand = seededRandom(9300)
		/** @type {Map<number, Float32Array>} */
		const rows = new Map()
		for (let id = 1; id <= 2000; id++) rows.set(id, clusteredVector(rand))
		const queries = Array.from({ length: QUERIES }, () => clusteredVector(rand))
		await ours.exec(`CREATE TABLE probes (id int4, v vector(${DIMS}))`)
		await insertRows(ours, 'probes', rows)
		await ours.exec(`CREATE INDEX ON probes USING ivfflat (v) WITH (lists = 20, quantization = 'sq8')`)
		await ours.exec('SET ivfflat.probes = 4')
		const got = await checkedRecall(ours, 'probes', /** @type {Opclass} */ (OPCLASSES[0]), rows, queries)
		assert.ok(got >= 0.7, `recall@10 with 4 of 20 lists: ${got}`)
		await ours.exec('SET ivfflat.probes = 1')
		const filtered = 'SELECT count(*)::int4 AS n FROM (SELECT id FROM probes WHERE id % 50 = 0 ORDER BY v <-> $1 LIMIT 40) t'
		const param = [vectorLiteral(/** @type {Float32Array} */ (queries[0]))]
		const plain = /** @type {{ n: number }} */ ((await ours.query(filtered, param)).rows[0]).n
		await ours.exec('SET ivfflat.iterative_scan = relaxed_order')
		const iterative = /** @type {{ n: number }} */ ((await ours.query(filtered, param)).rows[0]).n
		assert.equal(iterative, 40, 'an iterative scan probes more lists until the limit is met')
		assert.ok(plain < iterative, `one probe alone found ${plain} rows`)
		await ours.exec('RESET ivfflat.iterative_scan; RESET ivfflat.probes; DROP TABLE probes')
	})

	test('ivfflat probing every list returns the same rows and distances as pgvector', async () => {
		const rand = seededRandom(9400)
		/** @type {Map<number, Float32Array>} */
		const rows = new Map()
		for (let id = 1; id <= 600; id++) rows.set(id, clusteredVector(rand))
		for (const pg of [ours, pgvector]) {
			await pg.exec(`CREATE TABLE same (id int4, v vector(${DIMS}))`)
			await insertRows(pg, 'same', rows)
			await pg.exec('CREATE INDEX ON same USING ivfflat (v vector_l2_ops) WITH (lists = 5)')
			await pg.exec('SET ivfflat.probes = 5')
		}
		for (let q = 0; q < 5; q++) {
			const sql = 'SELECT id, v <-> $1 AS d FROM same ORDER BY v <-> $1 LIMIT 10'
			const param = [vectorLiteral(clusteredVector(rand))]
			// The same rows; distances agree up to float32 summation order (SIMD lanes against pgvector's serial loop)
			const got = /** @type {Array<[number, number]>} */ ((await outcome(ours, sql, param)).rows)
			const expected = /** @type {Array<[number, number]>} */ ((await outcome(pgvector, sql, param)).rows)
			assert.deepEqual(got.map((r) => r[0]), expected.map((r) => r[0]))
			for (const [i, [, d]] of got.entries())
				assert.ok(Math.abs(d - /** @type {[number, number]} */ (expected[i])[1]) <= 1e-6 * Math.max(1, d))
		}
		for (const pg of [ours, pgvector]) await pg.exec('RESET ivfflat.probes; DROP TABLE same')
	})

	test('ivfflat options, settings and notices as pgvector', async () => {
		for (const pg of [ours, pgvector]) {
			await pg.exec('CREATE TABLE opts (v vector(3))')
			await pg.exec("INSERT INTO opts VALUES ('[1,2,3]'), ('[4,5,6]')")
		}
		const statements = [
			'CREATE INDEX ON opts USING ivfflat (v vector_l2_ops) WITH (lists = 0)',
			'CREATE INDEX ON opts USING ivfflat (v vector_l2_ops) WITH (lists = 32769)',
			'CREATE INDEX ON opts USING ivfflat (v vector_l2_ops) WITH (nonsense = 1)',
			'SET ivfflat.probes = 0',
			'SET ivfflat.probes = 32769',
			"SET ivfflat.iterative_scan = 'strict_order'",
		]
		for (const sql of statements) {
			const got = await outcome(ours, sql)
			const expected = await outcome(pgvector, sql)
			assert.ok(expected.error, `pgvector rejects ${sql}`)
			assert.deepEqual(got, expected, sql)
		}
		/** @type {string[]} */
		const notices = []
		await ours.query('CREATE INDEX ON opts USING ivfflat (v) WITH (lists = 10)', [], {
			onNotice: (notice) => notices.push(notice.message ?? ''),
		})
		assert.deepEqual(notices, ['ivfflat index created with little data'])
		for (const pg of [ours, pgvector]) await pg.exec('DROP TABLE opts')
	})

	test('bad quantization values are an error listing the allowed ones', async () => {
		await ours.exec('CREATE TABLE q (v vector(3), b bit(3))')
		for (const am of ['flat', 'ivfflat']) {
			const got = await outcome(ours, `CREATE INDEX ON q USING ${am} (v) WITH (quantization = 'pq')`)
			assert.deepEqual(got.error, {
				message: 'invalid value for enum option "quantization": pq',
				code: '22023',
				detail: 'Valid values are "none", "sq8" and "binary".',
			})
		}
		const bits = await outcome(ours, "CREATE INDEX ON q USING flat (b bit_hamming_ops) WITH (quantization = 'sq8')")
		assert.equal(bits.error?.message, 'quantization is not supported for bit columns')
		await ours.exec('DROP TABLE q')
	})
})
