// Client libraries written for pgvector work unchanged with ruvector: the `pgvector` npm helper and Drizzle ORM's
// vector column types over its PGlite driver. The same client code runs against ruvector and against pgvector for
// PGlite, and both must give the same answers.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { asc, cosineDistance, l2Distance, ne } from 'drizzle-orm'
import { halfvec, integer, pgTable, sparsevec, vector } from 'drizzle-orm/pg-core'
import { drizzle } from 'drizzle-orm/pglite'
import pgvector from 'pgvector'
import { openPgvector, openRuvector, randomVector, seededRandom } from './support.mjs'

const DIMS = 16
const ROWS = 200

/** @type {Array<[string, import('@electric-sql/pglite').PGlite]>} */
let engines
before(async () => {
	engines = [
		['ruvector', await openRuvector()],
		['pgvector', await openPgvector()],
	]
})
after(async () => {
	for (const [, pg] of engines) await pg.close()
})

const rand = seededRandom(42)
const data = Array.from({ length: ROWS }, () => Array.from(randomVector(rand, DIMS)))
const query = Array.from(randomVector(rand, DIMS))

/**
 * Run the same client code on both engines and return both results.
 * @template T
 * @param {(pg: import('@electric-sql/pglite').PGlite) => Promise<T>} body
 */
async function onBoth(body) {
	const [ours, theirs] = await Promise.all(engines.map(([, pg]) => body(pg)))
	return { ours: /** @type {T} */ (ours), theirs: /** @type {T} */ (theirs) }
}

test('the pgvector npm helper: toSql parameters, fromSql results, SparseVector', async () => {
	const { ours, theirs } = await onBoth(async (pg) => {
		await pg.exec('CREATE TABLE helper_items (id int PRIMARY KEY, embedding vector(16), sparse sparsevec(16))')
		for (const [i, v] of data.entries())
			await pg.query('INSERT INTO helper_items VALUES ($1, $2, $3)', [
				i + 1,
				pgvector.toSql(v),
				pgvector.toSql(
					new pgvector.SparseVector(
						v.map((x) => (x > 0.5 ? x : 0)),
						undefined
					)
				),
			])
		await pg.exec('CREATE INDEX ON helper_items USING hnsw (embedding vector_l2_ops)')
		const { rows } = await pg.query(
			'SELECT id, embedding::text AS embedding, sparse::text AS sparse FROM helper_items ORDER BY embedding <-> $1 LIMIT 5',
			[pgvector.toSql(query)]
		)
		return rows.map((row) => {
			const { id, embedding, sparse } = /** @type {{ id: number, embedding: string, sparse: string }} */ (row)
			const parsed = pgvector.fromSql(sparse)
			return { id, embedding: pgvector.fromSql(embedding), sparse: [parsed.dimensions, parsed.indices, parsed.values] }
		})
	})
	assert.equal(ours.length, 5)
	assert.deepEqual(ours, theirs)
	const first = /** @type {{ id: number, embedding: number[] }} */ (ours[0])
	// fromSql reads the shortest decimal text, which rounds back to the stored float32 values
	assert.deepEqual(first.embedding.map(Math.fround), data[first.id - 1], 'fromSql returns the stored values')
})

const items = pgTable('drizzle_items', {
	id: integer('id').primaryKey(),
	embedding: vector('embedding', { dimensions: DIMS }),
	half: halfvec('half', { dimensions: DIMS }),
	sparse: sparsevec('sparse', { dimensions: DIMS }),
})

test("Drizzle's vector, halfvec and sparsevec columns and distance helpers over PGlite", async () => {
	const { ours, theirs } = await onBoth(async (pg) => {
		const db = drizzle({ client: pg })
		await pg.exec(`CREATE TABLE drizzle_items (id int PRIMARY KEY, embedding vector(${DIMS}), half halfvec(${DIMS}),
			sparse sparsevec(${DIMS}))`)
		await db
			.insert(items)
			.values(
				data.map((v, i) => ({ id: i + 1, embedding: v, half: v, sparse: `{1:${v[0]},${DIMS}:${v[DIMS - 1]}}/${DIMS}` }))
			)
		await pg.exec('CREATE INDEX ON drizzle_items USING hnsw (embedding vector_cosine_ops)')
		const byCosine = await db
			.select({ id: items.id, distance: cosineDistance(items.embedding, query) })
			.from(items)
			.orderBy(cosineDistance(items.embedding, query))
			.limit(5)
		const byHalfL2 = await db
			.select({ id: items.id, half: items.half, sparse: items.sparse })
			.from(items)
			.where(ne(items.id, 1))
			.orderBy(l2Distance(items.half, query), asc(items.id))
			.limit(5)
		return { byCosine, byHalfL2 }
	})
	assert.deepEqual(
		ours.byCosine.map((r) => r.id),
		theirs.byCosine.map((r) => r.id)
	)
	for (const [i, row] of ours.byCosine.entries())
		assert.ok(Math.abs(Number(row.distance) - Number(theirs.byCosine[i]?.distance)) < 1e-6, `distance of row ${row.id}`)
	assert.deepEqual(ours.byHalfL2, theirs.byHalfL2)
	const first = /** @type {{ half: number[] | null, sparse: string | null }} */ (ours.byHalfL2[0])
	assert.ok(Array.isArray(first.half) && first.half.length === DIMS, 'halfvec comes back as number[]')
	assert.match(String(first.sparse), /^\{1:[^,]+,16:[^,]+\}\/16$/)
})
