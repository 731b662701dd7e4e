// Distance functions and operators against JavaScript references computed the way pgvector computes them, on
// seeded random vectors from 1 to 2048 dimensions, plus exact special cases and nearest-neighbour queries.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
	cosineDistance,
	innerProduct,
	l1Distance,
	l2Distance,
	openPgvector,
	openRuvector,
	randomVector,
	seededRandom,
	termScale,
	vectorLiteral,
	vectorNorm,
} from './support.mjs'

/** @type {import('@electric-sql/pglite').PGlite} */
let ours
/** @type {import('@electric-sql/pglite').PGlite} */
let pgvector

before(async () => {
	ours = await openRuvector()
	pgvector = await openPgvector()
})

after(async () => {
	await ours.close()
	await pgvector.close()
})

// Every dimension up to 17 (SIMD tails), then sizes around powers of two and common embedding widths.
const DIMS = [
	...Array.from({ length: 17 }, (_, i) => i + 1),
	31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 384, 512, 768, 1000, 1023, 1024, 1536, 2047, 2048,
]
const PAIRS_PER_DIM = 3

const QUERY = `SELECT l2_distance($1::vector, $2::vector) AS l2, $1::vector <-> $2::vector AS l2_op,
	inner_product($1::vector, $2::vector) AS ip, $1::vector <#> $2::vector AS neg_ip_op,
	cosine_distance($1::vector, $2::vector) AS cosine, $1::vector <=> $2::vector AS cosine_op,
	l1_distance($1::vector, $2::vector) AS l1, $1::vector <+> $2::vector AS l1_op,
	vector_dims($1::vector) AS dims, vector_norm($1::vector) AS norm`

/**
 * @typedef {{ l2: number, l2_op: number, ip: number, neg_ip_op: number, cosine: number, cosine_op: number,
 *   l1: number, l1_op: number, dims: number, norm: number }} DistanceRow
 */

/**
 * @param {import('@electric-sql/pglite').PGlite} pg
 * @param {Float32Array} a
 * @param {Float32Array} b
 */
async function distances(pg, a, b) {
	const result = await pg.query(QUERY, [vectorLiteral(a), vectorLiteral(b)])
	return /** @type {DistanceRow} */ (result.rows[0])
}

/** @param {number} dims @param {number} pair */
function pairFor(dims, pair) {
	const rand = seededRandom(dims * 1000 + pair)
	// Pair 0 in [-1, 1], pair 1 with magnitudes spread over 1e-3..1e3, pair 2 all positive (no cancellation).
	if (pair === 1) {
		const spread = () => 10 ** (rand() * 6 - 3) * (rand() < 0.5 ? -1 : 1)
		return [Float32Array.from({ length: dims }, spread), Float32Array.from({ length: dims }, spread)]
	}
	const a = randomVector(rand, dims)
	const b = randomVector(rand, dims)
	if (pair === 2) return [a.map(Math.abs), b.map(Math.abs)]
	return [a, b]
}

// float32 unit roundoff. A float32 sum of n terms in any order is off by at most (n-1)·u·Σ|term|; in practice, and
// for the blocked sums SIMD code does, the error grows like √n, so √n is the tolerance's growth rate here.
const U = 2 ** -24

/** @param {number} n */
function tolerance(n) {
	return 4 * U * (1 + Math.sqrt(n))
}

/**
 * @param {number} got
 * @param {number} want
 * @param {number} allowed
 * @param {string} what
 */
function assertClose(got, want, allowed, what) {
	assert.ok(Math.abs(got - want) <= allowed, `${what}: got ${got}, want ${want} (allowed error ${allowed})`)
}

describe('distances against the float32 reference', () => {
	for (const dims of DIMS) {
		test(`${dims} dimensions`, async () => {
			for (let pair = 0; pair < PAIRS_PER_DIM; pair++) {
				const [a, b] = pairFor(dims, pair)
				const row = await distances(ours, /** @type {Float32Array} */ (a), /** @type {Float32Array} */ (b))
				const x = /** @type {Float32Array} */ (a)
				const y = /** @type {Float32Array} */ (b)
				const tol = tolerance(dims)
				const what = (/** @type {string} */ name) => `${name}, ${dims} dims, pair ${pair}`

				// An operator is its function: the same value, bit for bit.
				assert.equal(row.l2_op, row.l2, what('<-> = l2_distance'))
				assert.equal(row.neg_ip_op, -row.ip, what('<#> = -inner_product'))
				assert.equal(row.cosine_op, row.cosine, what('<=> = cosine_distance'))
				assert.equal(row.l1_op, row.l1, what('<+> = l1_distance'))
				assert.equal(row.dims, dims)

				// l2: the error bound holds for the squared sum, relative to Σ(a-b)².
				const sq = termScale(x, y, (p, q) => (p - q) ** 2)
				assertClose(row.l2 ** 2, l2Distance(x, y) ** 2, tol * sq, what('l2_distance²'))
				assertClose(row.ip, innerProduct(x, y), tol * termScale(x, y, (p, q) => p * q), what('inner_product'))
				assertClose(row.l1, l1Distance(x, y), tol * termScale(x, y, (p, q) => Math.abs(p - q)), what('l1_distance'))
				// cosine similarity is a dot product over |a||b|, so its error is at most tol (plus the norms' share).
				assertClose(row.cosine, cosineDistance(x, y), 3 * tol, what('cosine_distance'))
				assertClose(row.norm, vectorNorm(x), 1e-15 * vectorNorm(x) * dims, what('vector_norm'))
			}
		})
	}
})

describe('the reference is pgvector', () => {
	test('pgvector matches the float32 reference bit for bit on every dimension above', async () => {
		for (const dims of DIMS) {
			for (let pair = 0; pair < PAIRS_PER_DIM; pair++) {
				const [a, b] = pairFor(dims, pair)
				const x = /** @type {Float32Array} */ (a)
				const y = /** @type {Float32Array} */ (b)
				const row = await distances(pgvector, x, y)
				const where = `${dims} dims, pair ${pair}`
				assert.equal(row.l2, l2Distance(x, y), `l2_distance, ${where}`)
				assert.equal(row.ip, innerProduct(x, y), `inner_product, ${where}`)
				assert.equal(row.cosine, cosineDistance(x, y), `cosine_distance, ${where}`)
				assert.equal(row.l1, l1Distance(x, y), `l1_distance, ${where}`)
				assert.equal(row.norm, vectorNorm(x), `vector_norm, ${where}`)
			}
		}
	})

	test('ruvector and pgvector agree within the tolerance on the same pairs', async () => {
		for (const dims of [1, 7, 16, 100, 384, 1536]) {
			const [a, b] = pairFor(dims, 0)
			const x = /** @type {Float32Array} */ (a)
			const y = /** @type {Float32Array} */ (b)
			const mine = await distances(ours, x, y)
			const theirs = await distances(pgvector, x, y)
			const tol = tolerance(dims)
			assertClose(mine.l2, theirs.l2, tol * theirs.l2, `l2_distance, ${dims} dims`)
			assertClose(mine.ip, theirs.ip, tol * termScale(x, y, (p, q) => p * q), `inner_product, ${dims} dims`)
			assertClose(mine.cosine, theirs.cosine, 3 * tol, `cosine_distance, ${dims} dims`)
			assertClose(mine.l1, theirs.l1, tol * theirs.l1, `l1_distance, ${dims} dims`)
			assert.equal(mine.dims, theirs.dims)
		}
	})
})

describe('exact cases', () => {
	/** @type {Array<[string, number]>} */
	const cases = [
		["SELECT '[1,2,3]'::vector <-> '[4,6,3]'", 5],
		["SELECT l2_distance('[0,0]'::vector, '[3,4]')", 5],
		["SELECT '[1,2,3]'::vector <-> '[1,2,3]'", 0],
		["SELECT inner_product('[1,2,3]'::vector, '[4,5,6]')", 32],
		["SELECT '[1,2,3]'::vector <#> '[4,5,6]'", -32],
		["SELECT '[1,-2]'::vector <#> '[3,4]'", 5],
		["SELECT cosine_distance('[1,0]'::vector, '[0,1]')", 1],
		["SELECT '[1,1]'::vector <=> '[-1,-1]'", 2],
		["SELECT '[2,4]'::vector <=> '[1,2]'", 0],
		["SELECT '[3,4]'::vector <=> '[3,4]'", 0],
		["SELECT l1_distance('[1,2,3]'::vector, '[4,0,3]')", 5],
		["SELECT '[-1.5,2]'::vector <+> '[1.5,-2]'", 7],
		["SELECT vector_dims('[1,2,3,4,5]'::vector)", 5],
		["SELECT vector_norm('[3,4]'::vector)", 5],
		["SELECT vector_norm('[0,0,0]'::vector)", 0],
		["SELECT vector_norm('[-2]'::vector)", 2],
	]
	for (const [sql, expected] of cases) {
		test(`${sql} = ${expected}`, async () => {
			const got = await ours.query(sql, [], { rowMode: 'array' })
			assert.deepEqual(got.rows, [[expected]])
			const want = await pgvector.query(sql, [], { rowMode: 'array' })
			assert.deepEqual(want.rows, [[expected]], 'pgvector gives the same')
		})
	}

	test('cosine distance with a zero vector is NaN', async () => {
		for (const pg of [ours, pgvector]) {
			const got = await pg.query("SELECT '[0,0]'::vector <=> '[1,1]' AS a, cosine_distance('[1,1]'::vector, '[0,0]') AS b")
			assert.deepEqual(got.rows, [{ a: NaN, b: NaN }])
		}
	})

	test('float32 overflow in a distance gives Infinity, as in pgvector', async () => {
		const sql = "SELECT '[3e38,3e38]'::vector <-> '[-3e38,-3e38]' AS l2, '[3e38]'::vector <#> '[3e38]' AS ip"
		const got = await ours.query(sql)
		const want = await pgvector.query(sql)
		assert.deepEqual(got.rows, want.rows)
	})

	test('NULL in, NULL out (the functions are STRICT)', async () => {
		const got = await ours.query(
			"SELECT NULL::vector <-> '[1]' AS a, inner_product(NULL, '[1]'::vector) AS b, vector_norm(NULL) AS c"
		)
		assert.deepEqual(got.rows, [{ a: null, b: null, c: null }])
	})
})

describe('nearest neighbours with ORDER BY ... LIMIT', () => {
	const COUNT = 300
	const DIM = 24
	const K = 10
	const rand = seededRandom(7)
	const rows = Array.from({ length: COUNT }, () => randomVector(rand, DIM))
	const query = randomVector(rand, DIM)

	before(async () => {
		await ours.exec(`CREATE TABLE items (id int PRIMARY KEY, embedding vector(${DIM}))`)
		for (const [id, v] of rows.entries()) await ours.query('INSERT INTO items VALUES ($1, $2)', [id, vectorLiteral(v)])
	})

	/** @type {Array<[string, (a: Float32Array, b: Float32Array) => number]>} */
	const operators = [
		['<->', l2Distance],
		['<#>', (a, b) => -innerProduct(a, b)],
		['<=>', cosineDistance],
		['<+>', l1Distance],
	]
	for (const [op, distance] of operators) {
		test(`ORDER BY embedding ${op} $1 LIMIT ${K} is the brute-force top ${K}`, async () => {
			const expected = rows
				.map((v, id) => ({ id, d: distance(v, query) }))
				.sort((x, y) => x.d - y.d)
				.slice(0, K)
			const got = await ours.query(
				`SELECT id, embedding ${op} $1 AS d FROM items ORDER BY embedding ${op} $1 LIMIT ${K}`,
				[vectorLiteral(query)]
			)
			assert.deepEqual(
				got.rows.map((r) => /** @type {{ id: number }} */ (r).id),
				expected.map((r) => r.id)
			)
			for (const [i, r] of got.rows.entries()) {
				const d = /** @type {{ d: number }} */ (r).d
				assertClose(d, /** @type {{ d: number }} */ (expected[i]).d, 1e-5 * (1 + Math.abs(d)), `distance of row ${i}`)
			}
		})
	}
})
