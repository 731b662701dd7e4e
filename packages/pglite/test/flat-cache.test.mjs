// The flat index copy in PGlite (ruvector.flat_cache_size, on by default there): scans over the backend's copy of a
// flat index return exactly the rows an exact brute force over the table returns, also right after inserts,
// deletes + VACUUM and TRUNCATE between two queries of the same session, so a stale copy is never used.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { l2Distance, openRuvector, randomVector, seededRandom, vectorLiteral } from './support.mjs'

/** @type {import('@electric-sql/pglite').PGlite} */
let pg

const DIMS = 32
const ROWS = 2000
const K = 10
const rand = seededRandom(4711)
const queries = Array.from({ length: 20 }, () => randomVector(rand, DIMS))
/** The table as JavaScript sees it: id → vector */
const rows = new Map()

before(async () => {
	pg = await openRuvector()
	await pg.exec(`CREATE TABLE items (id int PRIMARY KEY, v vector(${DIMS}))`)
	await insert(Array.from({ length: ROWS }, (_, i) => [i + 1, randomVector(rand, DIMS)]))
	await pg.exec('CREATE INDEX items_v ON items USING flat (v vector_l2_ops)')
	await pg.exec('SET enable_seqscan = off')
})

after(async () => {
	await pg.close()
})

/** @param {Array<[number, Float32Array]>} entries */
async function insert(entries) {
	await pg.exec(`INSERT INTO items VALUES ${entries.map(([id, v]) => `(${id}, '${vectorLiteral(v)}')`).join(',')}`)
	for (const [id, v] of entries) rows.set(id, v)
}

/**
 * The ids of the k nearest rows by exact L2 over the JavaScript copy of the table.
 * @param {Float32Array} q
 */
function bruteForce(q) {
	return [...rows.entries()]
		.map(([id, v]) => ({ id, d: l2Distance(q, v) }))
		.sort((a, b) => a.d - b.d || a.id - b.id)
		.slice(0, K)
		.map((r) => r.id)
}

/** Each query's ids through the index, in order */
async function answers() {
	const out = []
	for (const q of queries) {
		const result = await pg.query(`SELECT id FROM items ORDER BY v <-> $1 LIMIT ${K}`, [vectorLiteral(q)], {
			rowMode: 'array',
		})
		out.push(result.rows.map((row) => Number(/** @type {unknown[]} */ (row)[0])))
	}
	return out
}

async function copiedRows() {
	const result = await pg.query("SELECT ruvector_flat_cached_rows('items_v') AS n")
	const n = /** @type {{ n: number | null }} */ (result.rows[0]).n
	return n === null ? null : Number(n)
}

async function assertExact() {
	assert.deepEqual(await answers(), queries.map(bruteForce))
}

describe('flat index copy in PGlite', () => {
	test('is on by default in PGlite', async () => {
		const result = await pg.query('SHOW ruvector.flat_cache_size')
		assert.deepEqual(result.rows, [{ 'ruvector.flat_cache_size': '256MB' }])
	})

	test('the copy is made and answers exactly as brute force', async () => {
		await assertExact()
		assert.equal(await copiedRows(), ROWS)
		await assertExact()
	})

	test('a row inserted between two queries is found by the second', async () => {
		for (let i = 0; i < 20; i++) {
			const id = 10000 + i
			const v = randomVector(rand, DIMS)
			await insert([[id, v]])
			const result = await pg.query('SELECT id FROM items ORDER BY v <-> $1 LIMIT 1', [vectorLiteral(v)])
			assert.deepEqual(result.rows, [{ id }], `row ${id}`)
		}
		await assertExact()
		assert.equal(await copiedRows(), ROWS + 20)
	})

	test('rows deleted + VACUUMed between two queries never come back', async () => {
		await assertExact()
		await pg.exec('DELETE FROM items WHERE id % 3 = 0 OR id >= 10000')
		for (const id of [...rows.keys()]) if (id % 3 === 0 || id >= 10000) rows.delete(id)
		await pg.exec('VACUUM items')
		await assertExact()
		assert.equal(await copiedRows(), rows.size)
		// New rows in the space the removed ones left: measured with their own vectors
		await insert(queries.map((q, i) => [20000 + i, q]))
		const nearest = []
		for (const q of queries)
			nearest.push((await pg.query('SELECT id FROM items ORDER BY v <-> $1 LIMIT 1', [vectorLiteral(q)])).rows)
		assert.deepEqual(nearest, queries.map((_, i) => [{ id: 20000 + i }]))
		await assertExact()
	})

	test('sq8 and cosine copies answer as the pages', async () => {
		await pg.exec("CREATE INDEX items_sq8 ON items USING flat (v vector_cosine_ops) WITH (quantization = 'sq8')")
		/** @param {string} budget */
		const cosine = async (budget) => {
			await pg.exec(`SET ruvector.flat_cache_size = '${budget}'`)
			const out = []
			for (const q of queries)
				out.push((await pg.query('SELECT id FROM items ORDER BY v <=> $1 LIMIT 10', [vectorLiteral(q)])).rows)
			return out
		}
		const pages = await cosine('0')
		const copy = await cosine('256MB')
		assert.equal(Number((await pg.query("SELECT ruvector_flat_cached_rows('items_sq8') AS n")).rows[0]?.n), rows.size)
		assert.deepEqual(copy, pages)
		await pg.exec('DROP INDEX items_sq8; RESET ruvector.flat_cache_size')
	})

	test('bit copies and pages (the bit batch kernels, rows in place) answer as brute force', async () => {
		const BITS = 200 // 25-byte rows, 40 bytes apart on the pages and 32 in the copy
		const bitString = () => Array.from({ length: BITS }, () => (rand() < 0.4 ? '1' : '0')).join('')
		const table = Array.from({ length: 1500 }, bitString)
		await pg.exec(`CREATE TABLE bit_items (id int, b bit(${BITS}))`)
		await pg.exec(`INSERT INTO bit_items VALUES ${table.map((b, i) => `(${i + 1}, B'${b}')`).join(',')}`)
		const bitQueries = Array.from({ length: 10 }, bitString)
		/** @param {string} a @param {string} b */
		const counts = (a, b) => {
			let differ = 0
			let both = 0
			let either = 0
			for (let i = 0; i < BITS; i++) {
				differ += a[i] !== b[i] ? 1 : 0
				both += a[i] === '1' && b[i] === '1' ? 1 : 0
				either += a[i] === '1' || b[i] === '1' ? 1 : 0
			}
			return { hamming: differ, jaccard: both === 0 ? 1 : 1 - both / either }
		}
		for (const [opclass, op, metric] of /** @type {const} */ ([
			['bit_hamming_ops', '<~>', 'hamming'],
			['bit_jaccard_ops', '<%>', 'jaccard'],
		])) {
			const want = bitQueries.map((q) =>
				table
					.map((b) => counts(q, b)[metric])
					.sort((a, b) => a - b)
					.slice(0, K),
			)
			await pg.exec(`CREATE INDEX bit_items_b ON bit_items USING flat (b ${opclass})`)
			for (const budget of ['0', '256MB', '256MB']) {
				await pg.exec(`SET ruvector.flat_cache_size = '${budget}'`)
				const got = []
				for (const q of bitQueries) {
					const result = await pg.query(
						`SELECT b ${op} $1::bit(${BITS}) AS d FROM bit_items ORDER BY b ${op} $1::bit(${BITS}) LIMIT ${K}`,
						[q],
					)
					got.push(result.rows.map((row) => Number(/** @type {{ d: number }} */ (row).d)))
				}
				assert.deepEqual(got, want, `${opclass} with flat_cache_size ${budget}`)
			}
			const copied = await pg.query("SELECT ruvector_flat_cached_rows('bit_items_b') AS n")
			assert.equal(Number(/** @type {{ n: number }} */ (copied.rows[0]).n), table.length, opclass)
			await pg.exec('DROP INDEX bit_items_b')
		}
		await pg.exec('DROP TABLE bit_items; RESET ruvector.flat_cache_size')
	})

	test('past the first 256 rows, and among ties, the copy returns an exact sort by (distance, ctid)', async () => {
		// 3-d points on a 3 x 3 x 3 grid: dozens of rows share each distance
		const grid = seededRandom(99)
		const points = Array.from({ length: 900 }, (_, i) => `(${i}, '[${[0, 1, 2].map(() => Math.floor(grid() * 3))}]')`)
		await pg.exec(`CREATE TABLE ties (id int, v vector(3)); INSERT INTO ties VALUES ${points.join(',')};
			CREATE INDEX ties_v ON ties USING flat (v vector_l2_ops)`)
		/** @param {string} order @param {number} limit */
		const ids = async (order, limit) => {
			const result = await pg.query(`SELECT id FROM ties ORDER BY ${order} LIMIT ${limit}`, [], { rowMode: 'array' })
			return result.rows.map((row) => Number(/** @type {unknown[]} */ (row)[0]))
		}
		for (const q of ['[0,0,0]', '[1,1,1]', '[0.5,2,1]']) {
			for (const limit of [10, 256, 257, 900]) {
				await pg.exec('SET enable_seqscan = on; SET enable_indexscan = off')
				const sorted = await ids(`v <-> '${q}', ctid`, limit)
				await pg.exec('SET enable_seqscan = off; SET enable_indexscan = on')
				assert.deepEqual(await ids(`v <-> '${q}'`, limit), sorted, `${q} limit ${limit}`)
			}
		}
		assert.equal(Number((await pg.query("SELECT ruvector_flat_cached_rows('ties_v') AS n")).rows[0]?.n), 900)
		await pg.exec('DROP TABLE ties')
	})

	test('TRUNCATE leaves no stale copy behind', async () => {
		await assertExact()
		await pg.exec('TRUNCATE items')
		rows.clear()
		await insert([[1, new Float32Array(DIMS).fill(1)]])
		for (let repeat = 0; repeat < 3; repeat++) {
			const result = await pg.query('SELECT id FROM items ORDER BY v <-> $1 LIMIT 5', [vectorLiteral(queries[0] ?? [])])
			assert.deepEqual(result.rows, [{ id: 1 }])
		}
		assert.equal(await copiedRows(), 1)
	})
})
