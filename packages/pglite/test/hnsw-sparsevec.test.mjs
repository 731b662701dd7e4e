// hnsw on sparsevec in PGlite, side by side with pgvector for PGlite: recall@10 against a brute-force scan in
// JavaScript for every sparsevec opclass, after the build and after inserts, deletes and VACUUM; exact distances;
// the same limit errors. And the largest elements (vector(2000)), whose neighbour lists need a page of their own.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
	cosineDistance,
	expectError,
	innerProduct,
	l1Distance,
	l2Distance,
	openPgvector,
	openRuvector,
	outcome,
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
	for (const pg of [ours, pgvector]) await pg.exec('SET enable_seqscan = off')
})

after(async () => {
	await ours.close()
	await pgvector.close()
})

const DIMS = 400
const ROWS = 800
const QUERIES = 15
const K = 10

/**
 * A sparse vector as a dense Float32Array: each dimension non-zero with probability `density`, so rows differ in
 * their number of non-zeros. Distances on the dense form equal the sparse ones bit for bit (zeros add nothing, and
 * both sum in index order).
 * @param {() => number} rand
 */
function randomSparse(rand, density = 0.08) {
	const v = new Float32Array(DIMS)
	for (let i = 0; i < DIMS; i++) if (rand() < density) v[i] = Math.fround(rand() * 2 - 1) || 0.5
	return v
}

/** sparsevec text, 1-based indices, each value as its exact double. @param {Float32Array} v */
function sparseLiteral(v) {
	const terms = []
	for (let i = 0; i < v.length; i++) if (v[i] !== 0) terms.push(`${i + 1}:${v[i]}`)
	return `{${terms.join(',')}}/${v.length}`
}

const OPCLASSES = [
	{ name: 'sparsevec_l2_ops', operator: '<->', distance: l2Distance },
	{ name: 'sparsevec_ip_ops', operator: '<#>', distance: (/** @type {Float32Array} */ a, /** @type {Float32Array} */ b) => -innerProduct(a, b) },
	{ name: 'sparsevec_cosine_ops', operator: '<=>', distance: cosineDistance },
	{ name: 'sparsevec_l1_ops', operator: '<+>', distance: l1Distance },
]

/**
 * @param {import('@electric-sql/pglite').PGlite} pg
 * @param {string} table
 * @param {Map<number, Float32Array>} rows
 */
async function insertRows(pg, table, rows) {
	const entries = [...rows]
	for (let first = 0; first < entries.length; first += 200) {
		const batch = entries.slice(first, first + 200)
		const values = batch.map((_, i) => `($${2 * i + 1}::int4, $${2 * i + 2}::sparsevec)`).join(', ')
		await pg.query(`INSERT INTO ${table} (id, v) VALUES ${values}`, batch.flatMap(([id, v]) => [id, sparseLiteral(v)]))
	}
}

/**
 * Mean recall@K against brute force; every answer is a live row at its exact distance, in order.
 * @param {import('@electric-sql/pglite').PGlite} pg
 * @param {string} table
 * @param {(typeof OPCLASSES)[number]} opclass
 * @param {Map<number, Float32Array>} rows
 * @param {Float32Array[]} queries
 */
async function recall(pg, table, opclass, rows, queries) {
	let found = 0
	for (const query of queries) {
		const { rows: answer } = /** @type {{ rows: Array<{ id: number, d: number }> }} */ (
			await pg.query(
				`SELECT id, v ${opclass.operator} $1::sparsevec AS d FROM ${table} ORDER BY v ${opclass.operator} $1::sparsevec LIMIT ${K}`,
				[sparseLiteral(query)]
			)
		)
		assert.equal(answer.length, K)
		for (const [i, { id, d }] of answer.entries()) {
			const v = rows.get(id)
			assert.ok(v, `row ${id} is not a live row`)
			const expected = opclass.distance(query, v)
			assert.ok(Math.abs(d - expected) <= 1e-4 * Math.max(1, Math.abs(d)), `distance of row ${id}: ${d}, reference ${expected}`)
			if (i > 0) assert.ok(d >= /** @type {{ d: number }} */ (answer[i - 1]).d, 'rows come in distance order')
		}
		const truth = new Set(
			[...rows]
				.map(([id, v]) => ({ id, d: opclass.distance(query, v) }))
				.sort((x, y) => x.d - y.d || x.id - y.id)
				.slice(0, K)
				.map((r) => r.id)
		)
		found += answer.filter((r) => truth.has(r.id)).length
	}
	return found / (K * queries.length)
}

describe('hnsw on sparsevec in PGlite', () => {
	for (const [n, opclass] of OPCLASSES.entries()) {
		test(`${opclass.name}: recall as good as pgvector's, after the build and after inserts, deletes and VACUUM`, async () => {
			const rand = seededRandom(9100 + n)
			/** @type {Map<number, Float32Array>} */
			const rows = new Map()
			for (let id = 1; id <= ROWS; id++) rows.set(id, randomSparse(rand))
			const queries = Array.from({ length: QUERIES }, () => randomSparse(rand, 0.15))
			const table = `sp_${opclass.name}`

			/** @type {number[]} */
			const recalls = []
			for (const pg of [ours, pgvector]) {
				await pg.exec(`CREATE TABLE ${table} (id int4 PRIMARY KEY, v sparsevec(${DIMS}))`)
				await insertRows(pg, table, rows)
				await pg.exec(`CREATE INDEX ${table}_idx ON ${table} USING hnsw (v ${opclass.name})`)
				recalls.push(await recall(pg, table, opclass, rows, queries))
			}
			const [oursAfterBuild, pgvectorAfterBuild] = /** @type {[number, number]} */ (recalls)
			assert.ok(oursAfterBuild >= 0.9, `recall@${K} after the build: ${oursAfterBuild}`)
			assert.ok(oursAfterBuild >= pgvectorAfterBuild - 0.03, `ours ${oursAfterBuild}, pgvector's ${pgvectorAfterBuild}`)

			/** @type {Map<number, Float32Array>} */
			const inserted = new Map()
			for (let id = ROWS + 1; id <= ROWS + 150; id++) inserted.set(id, randomSparse(rand))
			await insertRows(ours, table, inserted)
			for (const [id, v] of inserted) rows.set(id, v)
			await ours.exec(`DELETE FROM ${table} WHERE id % 3 = 0`)
			await ours.exec(`VACUUM ${table}`)
			for (const id of [...rows.keys()]) if (id % 3 === 0) rows.delete(id)
			/** @type {Map<number, Float32Array>} */
			const again = new Map()
			for (let id = 5001; id <= 5100; id++) again.set(id, randomSparse(rand))
			await insertRows(ours, table, again)
			for (const [id, v] of again) rows.set(id, v)
			const afterChanges = await recall(ours, table, opclass, rows, [...queries, ...[...again.values()].slice(0, 5)])
			assert.ok(afterChanges >= 0.9, `recall@${K} after inserts, deletes and VACUUM: ${afterChanges}`)
			const check = await ours.query(`SELECT heap_tids FROM ruvector_index_check('${table}_idx')`)
			assert.deepEqual(check.rows, [{ heap_tids: rows.size }])
		})
	}

	test('the non-zero limit and the dimension checks, as pgvector words them', async () => {
		const wide = `{${Array.from({ length: 1001 }, (_, i) => `${i + 1}:1`).join(',')}}/5000`
		for (const pg of [ours, pgvector]) {
			await pg.exec('CREATE TABLE sp_limits (v sparsevec(5000)); CREATE TABLE sp_nodims (v sparsevec)')
			await pg.exec('CREATE INDEX ON sp_limits USING hnsw (v sparsevec_l2_ops)')
		}
		for (const sql of [
			`INSERT INTO sp_limits VALUES ('${wide}')`,
			"INSERT INTO sp_limits VALUES ('{1:1}/4999')",
			'CREATE INDEX ON sp_nodims USING hnsw (v sparsevec_l2_ops)',
		]) {
			const theirs = await outcome(pgvector, sql)
			assert.ok(theirs.error?.code, sql)
			await expectError(ours, sql, [], { message: theirs.error.message, code: theirs.error.code })
		}
		// A query may have more non-zeros than an element
		await ours.exec("INSERT INTO sp_limits VALUES ('{1:1}/5000'), ('{2:1}/5000')")
		const answer = await ours.query(`SELECT v::text FROM sp_limits ORDER BY v <-> '${wide}' LIMIT 1`)
		assert.deepEqual(answer.rows, [{ v: '{1:1}/5000' }])
	})
})

describe('the largest elements in PGlite', () => {
	test('vector(2000): build, inserts, deletes, VACUUM and reuse keep exact answers on a small table', async () => {
		/** @param {number} i */
		const row = (i) => new Float32Array(2000).fill(i)
		/** @param {number} first @param {number} count */
		const insert = async (first, count) => {
			for (let i = first; i < first + count; i++)
				await ours.query('INSERT INTO wide (id, v) VALUES ($1, $2::vector)', [i, vectorLiteral(row(i))])
		}
		await ours.exec('CREATE TABLE wide (id int4, v vector(2000))')
		await insert(1, 40)
		await ours.exec('CREATE INDEX wide_idx ON wide USING hnsw (v vector_l2_ops)')
		await insert(41, 20)
		await ours.exec('DELETE FROM wide WHERE id % 4 = 0')
		await ours.exec('VACUUM wide')
		/** @returns {Promise<number>} */
		const indexBytes = async () =>
			Number(/** @type {{ bytes: number }} */ ((await ours.query("SELECT pg_relation_size('wide_idx') AS bytes")).rows[0]).bytes)
		const before = await indexBytes()
		await insert(61, 10)
		// Without reuse each takes two pages; an element above level 0 reuses only a slot as high: allow three such
		assert.ok((await indexBytes()) <= before + 6 * 8192, 'freed elements reused')
		for (const target of [7.4, 33.6, 62.2]) {
			const { rows } = await ours.query('SELECT id FROM wide ORDER BY v <-> $1::vector LIMIT 3', [
				vectorLiteral(new Float32Array(2000).fill(target)),
			])
			const live = Array.from({ length: 70 }, (_, i) => i + 1).filter((i) => i % 4 !== 0 || i > 60)
			const expected = live.sort((a, b) => Math.abs(a - target) - Math.abs(b - target)).slice(0, 3)
			assert.deepEqual(rows, expected.map((id) => ({ id })), `nearest to ${target}`)
		}
		const check = await ours.query("SELECT heap_tids FROM ruvector_index_check('wide_idx')")
		assert.deepEqual(check.rows, [{ heap_tids: 40 + 20 - 15 + 10 }])
	})
})
