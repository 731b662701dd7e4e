// The typed helpers: toSql/sparsevecToSql build parameters, parseVector/parseHalfvec/parseSparsevec and
// vectorParsers read results; every round trip goes through a real PGlite with ruvector.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { PGlite } from '@electric-sql/pglite'
import {
	parseHalfvec,
	parseSparsevec,
	parseVector,
	ruvector,
	sparsevecToSql,
	toSql,
	vectorParsers,
	version,
} from '@ruvector/pglite'
import { openRuvector, randomVector, seededRandom } from './support.mjs'

/** @type {PGlite} */
let pg
before(async () => {
	pg = await openRuvector()
})
after(async () => {
	await pg.close()
})

/**
 * Bit-for-bit equality of two float arrays (so -0 and 0 differ).
 * @param {ArrayLike<number>} got @param {ArrayLike<number>} expected
 */
function assertSameFloats(got, expected) {
	assert.equal(got.length, expected.length, 'length')
	for (let i = 0; i < expected.length; i++)
		assert.ok(Object.is(got[i], expected[i]), `element ${i}: ${got[i]} is not ${expected[i]}`)
}

/** @param {string} sql @param {unknown[]} params */
async function one(sql, params) {
	const { rows } = await pg.query(sql, params, { rowMode: 'array' })
	return /** @type {unknown[][]} */ (rows)[0]?.[0]
}

test('toSql and parseVector round-trip float32 values exactly through vector', async () => {
	const rand = seededRandom(7)
	const values = [
		randomVector(rand, 384),
		randomVector(rand, 16, 1e-30),
		randomVector(rand, 16, 1e30),
		Float32Array.of(-0, 0, 1, -1, 1.401298464324817e-45, 3.4028234663852886e38, 0.1),
	]
	for (const v of values) {
		const text = await one('SELECT $1::vector::text', [toSql(v)])
		assertSameFloats(parseVector(/** @type {string} */ (text)), v)
	}
	assert.equal(toSql([1, 2.5, -0]), '[1,2.5,-0]')
})

test('a number[] is rounded to float32 by the server, like pgvector', async () => {
	const text = await one('SELECT $1::vector::text', [toSql([0.1, 1 / 3])])
	assertSameFloats(parseVector(/** @type {string} */ (text)), Float32Array.of(0.1, 1 / 3))
})

test('non-finite values reach the server and get pgvector errors', async () => {
	await assert.rejects(one('SELECT $1::vector', [toSql([1, Number.NaN])]), { message: 'NaN not allowed in vector' })
	await assert.rejects(one('SELECT $1::vector', [toSql([Number.POSITIVE_INFINITY])]), {
		message: 'infinite value not allowed in vector',
	})
})

test('parseHalfvec reads the values halfvec rounded to', async () => {
	const v = Float32Array.of(1, 0.1, -2.5, 65504, 1e-7, 3.14159)
	const half = /** @type {string} */ (await one('SELECT $1::halfvec::text', [toSql(v)]))
	// the same rounding seen through a cast back to float32 vector
	const widened = /** @type {string} */ (await one('SELECT $1::halfvec::vector::text', [toSql(v)]))
	assertSameFloats(parseHalfvec(half), parseVector(widened))
	assert.equal(parseHalfvec(half)[0], 1)
	assert.notEqual(parseHalfvec(half)[1], Math.fround(0.1), '0.1 is rounded to float16, not float32')
})

test('sparsevecToSql and parseSparsevec round-trip with 0-based indices', async () => {
	const v = { dimensions: 10, indices: [0, 3, 9], values: [1.5, -0.25, 3e-5] }
	assert.equal(sparsevecToSql(v), '{1:1.5,4:-0.25,10:0.00003}/10')
	const text = /** @type {string} */ (await one('SELECT $1::sparsevec::text', [sparsevecToSql(v)]))
	const parsed = parseSparsevec(text)
	assert.equal(parsed.dimensions, 10)
	assert.deepEqual(Array.from(parsed.indices), v.indices)
	assertSameFloats(parsed.values, Float32Array.from(v.values))
	const dense = /** @type {string} */ (await one('SELECT $1::sparsevec::vector::text', [sparsevecToSql(v)]))
	assert.deepEqual(Array.from(parseVector(dense)), [1.5, 0, 0, -0.25, 0, 0, 0, 0, 0, Math.fround(3e-5)])
	const empty = parseSparsevec(/** @type {string} */ (await one("SELECT '{}/5'::sparsevec::text", [])))
	assert.deepEqual([empty.dimensions, empty.indices.length, empty.values.length], [5, 0, 0])
	assert.throws(() => sparsevecToSql({ dimensions: 3, indices: [0, 1], values: [1] }), {
		name: 'RangeError',
		message: 'sparse vector has 2 indices but 1 values',
	})
})

test('the parsers reject text that is not a vector', () => {
	for (const text of ['1,2', '[1,,2]', '[1,x]', '[1,2', '{1:2}'])
		assert.throws(() => parseVector(text), SyntaxError, text)
	for (const text of ['{1:2}', '{1:2}/', '{x:2}/3', '{1.5:2}/3', '{1:}/3', '{1}/3', '[1,2]'])
		assert.throws(() => parseSparsevec(text), SyntaxError, text)
	assert.deepEqual(Array.from(parseVector('[ 1 , -2.5e3 ]')), [1, -2500])
})

test('vectorParsers turns result columns into typed arrays', async () => {
	const parsers = await vectorParsers(pg)
	const { rows } = await pg.query(
		"SELECT '[1,2,3]'::vector AS v, '[0.5,-1]'::halfvec AS h, '{2:4}/3'::sparsevec AS s, 7 AS n",
		[],
		{ parsers }
	)
	const row =
		/** @type {{ v: Float32Array, h: Float32Array, s: { dimensions: number, indices: Int32Array, values: Float32Array }, n: number }} */ (
			rows[0]
		)
	assert.ok(row.v instanceof Float32Array)
	assert.deepEqual(Array.from(row.v), [1, 2, 3])
	assert.deepEqual(Array.from(row.h), [0.5, -1])
	assert.deepEqual([row.s.dimensions, Array.from(row.s.indices), Array.from(row.s.values)], [3, [1], [4]])
	assert.equal(row.n, 7, 'other types keep their parsers')

	const bare = await PGlite.create({ extensions: { ruvector } })
	try {
		await assert.rejects(vectorParsers(bare), {
			message: 'vector types not found: run CREATE EXTENSION ruvector first',
		})
	} finally {
		await bare.close()
	}
})

test('version is the package version and the SQL extension version', async () => {
	const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))
	assert.equal(version, pkg.version)
	assert.equal(await one("SELECT extversion FROM pg_extension WHERE extname = 'ruvector'", []), version)
})
