// The hnsw graph copy in PGlite (ruvector.hnsw_cache_size, on by default there): scans over the backend's copy of
// the graph return exactly what scans over the pages return, and the copy follows inserts, deletes + VACUUM and
// TRUNCATE, so a query never misses a row the index holds.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { openRuvector, randomVector, seededRandom, vectorLiteral } from './support.mjs'

/** @type {import('@electric-sql/pglite').PGlite} */
let pg

const DIMS = 24
const ROWS = 1500
const rand = seededRandom(8086)
const queries = Array.from({ length: 30 }, () => randomVector(rand, DIMS))

before(async () => {
	pg = await openRuvector()
	await pg.exec(`CREATE TABLE items (id int PRIMARY KEY, category int, v vector(${DIMS}))`)
	const values = Array.from(
		{ length: ROWS },
		(_, i) => `(${i + 1}, ${i % 7}, '${vectorLiteral(randomVector(rand, DIMS))}')`
	)
	await pg.exec(`INSERT INTO items VALUES ${values.join(',')}`)
	await pg.exec('SET enable_seqscan = off')
})

after(async () => {
	await pg.close()
})

/**
 * Each query's ids, in order.
 * @param {string} operator
 * @param {string} [filter]
 */
async function answers(operator, filter = 'true') {
	const out = []
	for (const q of queries) {
		const result = await pg.query(
			`SELECT id FROM items WHERE ${filter} ORDER BY v ${operator} $1 LIMIT 10`,
			[vectorLiteral(q)],
			{ rowMode: 'array' }
		)
		out.push(result.rows.map((row) => Number(/** @type {unknown[]} */ (row)[0])))
	}
	return out
}

/** @param {string} index */
async function copiedElements(index) {
	const result = await pg.query(`SELECT ruvector_hnsw_cached_elements('${index}') AS n`)
	const n = /** @type {{ n: number | null }} */ (result.rows[0]).n
	return n === null ? null : Number(n)
}

/**
 * Answers over the pages (copies off) and over the copy.
 * @param {string} operator
 * @param {string} [filter]
 */
async function pagesAndCopy(operator, filter) {
	await pg.exec('SET ruvector.hnsw_cache_size = 0')
	const pages = await answers(operator, filter)
	await pg.exec('RESET ruvector.hnsw_cache_size')
	const copy = await answers(operator, filter)
	return { pages, copy }
}

describe('hnsw graph copy in PGlite', () => {
	test('is on by default in PGlite', async () => {
		const result = await pg.query('SHOW ruvector.hnsw_cache_size')
		assert.deepEqual(result.rows, [{ 'ruvector.hnsw_cache_size': '256MB' }])
	})

	/** @type {Array<[string, string, string]>} */
	const metrics = [
		['l2', '<->', 'vector_l2_ops'],
		['cosine', '<=>', 'vector_cosine_ops'],
		['inner product', '<#>', 'vector_ip_ops'],
	]
	for (const [name, operator, opclass] of metrics) {
		test(`${name}: the copy answers exactly as the pages`, async () => {
			await pg.exec(`CREATE INDEX items_v ON items USING hnsw (v ${opclass}) WITH (m = 8)`)
			const { pages, copy } = await pagesAndCopy(operator)
			assert.equal(await copiedElements('items_v'), ROWS)
			assert.deepEqual(copy, pages)
			await pg.exec('DROP INDEX items_v')
		})
	}

	test('iterative scans with a filter answer as the pages', async () => {
		await pg.exec('CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops) WITH (m = 8)')
		await pg.exec("SET hnsw.iterative_scan = 'strict_order'")
		const { pages, copy } = await pagesAndCopy('<->', 'category = 2')
		await pg.exec('RESET hnsw.iterative_scan')
		assert.ok(copy.every((ids) => ids.length === 10))
		assert.deepEqual(copy, pages)
	})

	// Walks over one copy share its visited set: two scans open at once, fetched in turns so that their iterative
	// batches (each a new walk) interleave, must return what each returns alone.
	test('two scans of one copy open at once answer as each alone', async () => {
		await pg.exec("SET hnsw.iterative_scan = 'relaxed_order'")
		await pg.exec('SET hnsw.ef_search = 10')
		const knn = (/** @type {number} */ q) =>
			`SELECT id FROM items WHERE category = 4 ORDER BY v <-> '${vectorLiteral(queries[q] ?? [])}'`
		const fetched = 60
		/** @param {string} sql */
		const ids = async (sql) => (await pg.query(sql)).rows.map((row) => Number(/** @type {{ id: number }} */ (row).id))
		const alone = [await ids(`${knn(0)} LIMIT ${fetched}`), await ids(`${knn(1)} LIMIT ${fetched}`)]
		/** @type {number[][]} */
		const together = [[], []]
		await pg.exec('BEGIN')
		await pg.exec(`DECLARE c0 CURSOR FOR ${knn(0)}`)
		await pg.exec(`DECLARE c1 CURSOR FOR ${knn(1)}`)
		for (let i = 0; i < fetched; i += 5)
			for (const c of [0, 1]) together[c]?.push(...(await ids(`FETCH 5 FROM c${c}`)))
		await pg.exec('COMMIT')
		await pg.exec('RESET hnsw.iterative_scan')
		await pg.exec('RESET hnsw.ef_search')
		assert.equal(await copiedElements('items_v'), ROWS)
		assert.equal(alone[0]?.length, fetched)
		assert.notDeepEqual(alone[0], alone[1])
		assert.deepEqual(together, alone)
	})

	test('every inserted row is found by the next query, between inserts', async () => {
		for (let i = 0; i < 25; i++) {
			const id = 10000 + i
			const v = vectorLiteral(randomVector(rand, DIMS).map((x) => x + 5))
			await pg.query('INSERT INTO items VALUES ($1, 0, $2)', [id, v])
			for (let repeat = 0; repeat < 3; repeat++) {
				const result = await pg.query('SELECT id FROM items ORDER BY v <-> $1 LIMIT 1', [v])
				assert.deepEqual(result.rows, [{ id }], `row ${id}, query ${repeat + 1}`)
			}
		}
		assert.equal(await copiedElements('items_v'), ROWS + 25)
	})

	test('deleted rows never come back after VACUUM, and the copy answers as the pages', async () => {
		await pg.exec('DELETE FROM items WHERE id % 3 = 0 OR id >= 10000')
		await pg.exec('VACUUM items')
		const { pages, copy } = await pagesAndCopy('<->')
		assert.deepEqual(copy, pages)
		for (const ids of copy) {
			assert.equal(ids.length, 10)
			for (const id of ids) assert.ok(id % 3 !== 0 && id < 10000, `deleted row ${id} returned`)
		}
	})

	test('TRUNCATE leaves no stale copy behind', async () => {
		await answers('<->')
		await pg.exec('TRUNCATE items')
		await pg.exec(`INSERT INTO items VALUES (1, 0, '${vectorLiteral(Array(DIMS).fill(1))}')`)
		for (let repeat = 0; repeat < 3; repeat++) {
			const result = await pg.query(`SELECT id FROM items ORDER BY v <-> $1 LIMIT 5`, [vectorLiteral(queries[0] ?? [])])
			assert.deepEqual(result.rows, [{ id: 1 }])
		}
		assert.equal(await copiedElements('items_v'), 1)
	})
})
