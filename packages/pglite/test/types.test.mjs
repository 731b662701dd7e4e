// The vector type in PGlite: extension install, text and binary I/O, typmods, and every input error, each checked
// against exact expected values and against pgvector 0.8.7 running the same statement.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
	copyBinaryFile,
	expectError,
	float4Text,
	openPgvector,
	openRuvector,
	outcome,
	parseCopyBinaryFile,
	randomVector,
	seededRandom,
	vectorLiteral,
	vectorSend,
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

/**
 * Run a statement on both and require the same rows or the same error (message, SQLSTATE and detail).
 * @param {string} sql
 * @param {unknown[]} [params]
 * @param {import('@electric-sql/pglite').QueryOptions} [options]
 */
async function sameOnBoth(sql, params = [], options = {}) {
	const got = await outcome(ours, sql, params, options)
	const want = await outcome(pgvector, sql, params, options)
	assert.deepEqual(got, want, `ruvector and pgvector differ on ${sql.slice(0, 80)} ${String(params[0]).slice(0, 40)}`)
	return got
}

/**
 * Run DDL/DML on both instances.
 * @param {string} sql
 */
async function execBoth(sql) {
	await ours.exec(sql)
	await pgvector.exec(sql)
}

describe('CREATE EXTENSION ruvector', () => {
	test('installs version 0.1.0 with the vector type', async () => {
		const ext = await ours.query("SELECT extversion FROM pg_extension WHERE extname = 'ruvector'")
		assert.deepEqual(ext.rows, [{ extversion: '0.1.0' }])
		const type = await ours.query("SELECT format_type('vector'::regtype, 7) AS t")
		assert.deepEqual(type.rows, [{ t: 'vector(7)' }])
	})

	test('drops and creates again in the same session', async () => {
		await ours.exec('CREATE EXTENSION IF NOT EXISTS ruvector')
		await ours.exec('DROP EXTENSION ruvector')
		const gone = await outcome(ours, "SELECT '[1]'::vector")
		assert.equal(gone.error?.message, 'type "vector" does not exist')
		await ours.exec('CREATE EXTENSION ruvector')
		const back = await ours.query("SELECT '[1,2]'::vector::text AS t")
		assert.deepEqual(back.rows, [{ t: '[1,2]' }])
	})
})

describe('text input and output', () => {
	// [input, pgvector's output]
	const cases = [
		['[1,2,3]', '[1,2,3]'],
		['[1,2.5,-3e-05]', '[1,2.5,-3e-05]'],
		[' [ 1 , 2 , 3 ] ', '[1,2,3]'],
		['[1\t,\n2]', '[1,2]'],
		['[1.5e2, -2E-3, +4]', '[150,-0.002,4]'],
		['[.5,5.]', '[0.5,5]'],
		['[0.1,0.2,0.3]', '[0.1,0.2,0.3]'],
		['[3.14159265358979]', '[3.1415927]'],
		['[100000,1e6,123456,1234567]', '[100000,1e+06,123456,1.234567e+06]'],
		['[0.0001,0.00001,-0.000123]', '[0.0001,1e-05,-0.000123]'],
		['[-0,0]', '[-0,0]'],
		['[1e-45,1.17549435e-38,3.4028235e38,-3.4028235e38]', '[1e-45,1.1754944e-38,3.4028235e+38,-3.4028235e+38]'],
		['[16777217]', '[1.6777216e+07]'],
		['[6e10]', '[6.0000002e+10]'], // 6e10 lies exactly on the float's rounding bound, which float4out excludes
		['[1e-50]', '[0]'], // strtof: underflow reads as zero
		['[0x10]', '[16]'], // strtof reads hexadecimal
	]
	for (const [input, output] of cases) {
		test(`${JSON.stringify(input)} -> ${output}`, async () => {
			const got = await sameOnBoth('SELECT $1::vector::text', [input])
			assert.deepEqual(got.rows, [[output]])
		})
	}

	test('float4Text (the JS reference for the output) agrees with the table above', () => {
		const floats = [1, 2.5, -3e-5, 150, -0.002, 0.1, 1e6, 1234567, 1e-5, -0.000123, 1e-45, 3.4028235e38, 6e10, -440885.625]
		const texts =
			'1,2.5,-3e-05,150,-0.002,0.1,1e+06,1.234567e+06,1e-05,-0.000123,1e-45,3.4028235e+38,6.0000002e+10,-440885.62'
		assert.equal(floats.map((x) => float4Text(Math.fround(x))).join(','), texts)
	})

	test('random float32 values print as the shortest text that reads back exactly', async () => {
		const rand = seededRandom(1)
		const bits = new Uint32Array(1)
		const asFloat = new Float32Array(bits.buffer)
		for (let row = 0; row < 20; row++) {
			const values = new Float32Array(100)
			for (let i = 0; i < values.length; ) {
				bits[0] = Math.floor(rand() * 2 ** 32)
				if (Number.isFinite(asFloat[0])) values[i++] = /** @type {number} */ (asFloat[0])
			}
			const got = await sameOnBoth('SELECT $1::vector::text', [vectorLiteral(values)])
			const text = /** @type {string} */ (got.rows?.[0]?.[0])
			assert.equal(text, `[${Array.from(values, float4Text).join(',')}]`)
			const back = Float32Array.from(text.slice(1, -1).split(','), Number)
			assert.deepEqual(back, values)
		}
	})

	test('16000 dimensions, the maximum, round-trip', async () => {
		const values = randomVector(seededRandom(2), 16000, 1000)
		const got = await sameOnBoth('SELECT vector_dims($1::vector), $1::vector::text', [vectorLiteral(values)])
		assert.deepEqual(got.rows, [[16000, `[${Array.from(values, float4Text).join(',')}]`]])
	})

	test('typmod vector(3): casts, columns and format_type', async () => {
		assert.deepEqual((await sameOnBoth("SELECT '[1, 2, 3]'::vector(3)::text")).rows, [['[1,2,3]']])
		await execBoth('CREATE TABLE typmod3 (id int, v vector(3))')
		await sameOnBoth("INSERT INTO typmod3 VALUES (1, '[1,2,3]'), (2, '[ 4e-5 ,5,6e10]')")
		const rows = await sameOnBoth('SELECT v::text FROM typmod3 ORDER BY id')
		assert.deepEqual(rows.rows, [['[1,2,3]'], ['[4e-05,5,6.0000002e+10]']])
		const type = await sameOnBoth(
			"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'typmod3'::regclass AND attname = 'v'"
		)
		assert.deepEqual(type.rows, [['vector(3)']])
	})
})

describe('input errors: exact pgvector message and SQLSTATE, and the session goes on', () => {
	const invalid = (/** @type {string} */ text) => ({
		message: `invalid input syntax for type vector: "${text}"`,
		code: '22P02',
	})
	const nan = { message: 'NaN not allowed in vector', code: '22000' }
	const inf = { message: 'infinite value not allowed in vector', code: '22000' }
	const empty = { message: 'vector must have at least 1 dimension', code: '22000' }
	const tooMany = { message: 'vector cannot have more than 16000 dimensions', code: '54000' }
	const typmodLow = { message: 'dimensions for type vector must be at least 1', code: '22023' }
	const typmodHigh = { message: 'dimensions for type vector cannot exceed 16000', code: '22023' }
	const dims = (/** @type {number} */ a, /** @type {number} */ b) => ({
		message: `different vector dimensions ${a} and ${b}`,
		code: '22000',
	})

	/** @type {Array<[string, unknown[], { message: string, code: string }]>} */
	const cases = [
		...['[1,2', '1,2]', '[1,,2]', '[a]', '[1 2]', '[1,2] x', '[1,2]]', '', '[', '[1,]', '[,1]', '[1e]'].map(
			(/** @type {string} */ text) => /** @type {[string, unknown[], { message: string, code: string }]} */ (
				['SELECT $1::vector', [text], invalid(text)]
			)
		),
		['SELECT $1::vector', ['[NaN]'], nan],
		['SELECT $1::vector', ['[1,nan]'], nan],
		['SELECT $1::vector', ['[Infinity]'], inf],
		['SELECT $1::vector', ['[1,-inf]'], inf],
		['SELECT $1::vector', ['[4e38]'], { message: '"4e38" is out of range for type vector', code: '22003' }],
		['SELECT $1::vector', ['[1,-1e39]'], { message: '"-1e39" is out of range for type vector', code: '22003' }],
		['SELECT $1::vector', ['[]'], empty],
		['SELECT $1::vector', ['[ ]'], empty],
		['SELECT $1::vector(3)', ['[1,2]'], { message: 'expected 3 dimensions, not 2', code: '22000' }],
		['SELECT $1::vector(3)', ['[1,2,3,4]'], { message: 'expected 3 dimensions, not 4', code: '22000' }],
		['SELECT $1::vector', [`[${Array(16001).fill('0').join(',')}]`], tooMany],
		["SELECT '[1]'::vector(0)", [], typmodLow],
		["SELECT '[1]'::vector(-1)", [], typmodLow],
		["SELECT '[1]'::vector(16001)", [], typmodHigh],
		['CREATE TABLE too_wide (v vector(16001))', [], typmodHigh],
		["SELECT '[1,2,3]'::vector <-> '[1,2]'", [], dims(3, 2)],
		["SELECT '[1,2,3]'::vector <#> '[1,2]'", [], dims(3, 2)],
		["SELECT '[1,2,3]'::vector <=> '[1,2]'", [], dims(3, 2)],
		["SELECT '[1,2,3]'::vector <+> '[1,2]'", [], dims(3, 2)],
		["SELECT l2_distance('[1]'::vector, '[1,2]')", [], dims(1, 2)],
		["SELECT inner_product('[1,2,3]'::vector, '[1,2]')", [], dims(3, 2)],
		["SELECT cosine_distance('[1,2,3]'::vector, '[1,2]')", [], dims(3, 2)],
		["SELECT l1_distance('[1,2,3]'::vector, '[1,2]')", [], dims(3, 2)],
	]
	for (const [sql, params, expected] of cases) {
		const label = params.length ? `${sql} with ${JSON.stringify(params[0]).slice(0, 30)}` : sql
		test(`${label}: ${expected.message.slice(0, 60)}`, async () => {
			const got = await expectError(ours, sql, params, expected)
			const want = await expectError(pgvector, sql, params, expected)
			assert.deepEqual(got, want, 'same message, SQLSTATE and detail as pgvector')
		})
	}

	test('a failed INSERT inside a transaction rolls back and the table stays usable', async () => {
		await execBoth('CREATE TABLE tx (v vector(2))')
		for (const pg of [ours, pgvector]) {
			await assert.rejects(
				pg.transaction(async (tx) => {
					await tx.query("INSERT INTO tx VALUES ('[1,2]')")
					await tx.query("INSERT INTO tx VALUES ('[1,2,3]')")
				}),
				{ message: 'expected 2 dimensions, not 3', code: '22000' }
			)
			await pg.query("INSERT INTO tx VALUES ('[3,4]')")
		}
		assert.deepEqual((await sameOnBoth('SELECT v::text FROM tx')).rows, [['[3,4]']])
	})
})

describe('binary I/O through COPY (vector_send / vector_recv)', () => {
	const vectors = [
		Float32Array.of(1, 2, 3),
		Float32Array.of(-0, 1e-45, 3.4028234663852886e38, -1.5),
		Float32Array.of(42),
		randomVector(seededRandom(3), 384),
	]

	test('COPY TO binary writes int16 dim, int16 0, big-endian float4', async () => {
		await execBoth('CREATE TABLE bin_out (id int, v vector)')
		for (const [i, v] of vectors.entries()) await sameOnBoth('INSERT INTO bin_out VALUES ($1, $2)', [i, vectorLiteral(v)])
		const copy = "COPY (SELECT v FROM bin_out ORDER BY id) TO '/dev/blob' WITH (FORMAT binary)"
		const blob = (await ours.query(copy)).blob
		assert.ok(blob, 'COPY TO /dev/blob returns a blob')
		const bytes = new Uint8Array(await blob.arrayBuffer())
		assert.deepEqual(parseCopyBinaryFile(bytes), vectors.map((v) => vectorSend(v)))
		const pgvectorBlob = (await pgvector.query(copy)).blob
		assert.ok(pgvectorBlob)
		assert.deepEqual(bytes, new Uint8Array(await pgvectorBlob.arrayBuffer()), 'same bytes as pgvector')
	})

	test('COPY FROM binary reads the same layout, also into vector(3)', async () => {
		await execBoth('CREATE TABLE bin_in (v vector)')
		const file = new Blob([copyBinaryFile(vectors.map((v) => vectorSend(v)))])
		await sameOnBoth("COPY bin_in FROM '/dev/blob' WITH (FORMAT binary)", [], { blob: file })
		const rows = await sameOnBoth('SELECT v::text FROM bin_in')
		assert.deepEqual(
			rows.rows,
			vectors.map((v) => [`[${Array.from(v, float4Text).join(',')}]`])
		)
		await execBoth('CREATE TABLE bin_in3 (v vector(3))')
		const three = new Blob([copyBinaryFile([vectorSend([1, -2, 3.5])])])
		await sameOnBoth("COPY bin_in3 FROM '/dev/blob' WITH (FORMAT binary)", [], { blob: three })
		assert.deepEqual((await sameOnBoth('SELECT v::text FROM bin_in3')).rows, [['[1,-2,3.5]']])
	})

	test('binary round trip: COPY out and back in gives equal vectors', async () => {
		const out = (await ours.query("COPY bin_out (v) TO '/dev/blob' WITH (FORMAT binary)")).blob
		assert.ok(out)
		await ours.exec('CREATE TABLE bin_back (v vector)')
		await ours.query("COPY bin_back FROM '/dev/blob' WITH (FORMAT binary)", [], { blob: out })
		const diff = await ours.query(
			'SELECT count(*)::int AS n FROM (SELECT v::text FROM bin_out EXCEPT ALL SELECT v::text FROM bin_back) d'
		)
		assert.deepEqual(diff.rows, [{ n: 0 }])
		const count = await ours.query('SELECT count(*)::int AS n FROM bin_back')
		assert.deepEqual(count.rows, [{ n: vectors.length }])
	})

	/** @type {Array<[string, Uint8Array, string, { message: string, code: string }]>} */
	const errors = [
		['NaN', vectorSend([1, NaN]), 'vector', { message: 'NaN not allowed in vector', code: '22000' }],
		['infinity', vectorSend([-Infinity]), 'vector', { message: 'infinite value not allowed in vector', code: '22000' }],
		['dim 0', vectorSend([], { dim: 0 }), 'vector', { message: 'vector must have at least 1 dimension', code: '22000' }],
		[
			'dim 16001',
			vectorSend(new Float32Array(16001)),
			'vector',
			{ message: 'vector cannot have more than 16000 dimensions', code: '54000' },
		],
		['unused 1', vectorSend([1, 2], { unused: 1 }), 'vector', { message: 'expected unused to be 0, not 1', code: '22000' }],
		['2 dims into vector(3)', vectorSend([1, 2]), 'vector(3)', { message: 'expected 3 dimensions, not 2', code: '22000' }],
	]
	for (const [name, field, type, expected] of errors) {
		test(`COPY FROM binary rejects ${name}`, async () => {
			const table = `bin_err_${name.replace(/\W+/g, '_')}`
			await execBoth(`CREATE TABLE ${table} (v ${type})`)
			const options = { blob: new Blob([copyBinaryFile([field])]) }
			const sql = `COPY ${table} FROM '/dev/blob' WITH (FORMAT binary)`
			const got = await expectError(ours, sql, [], expected, options)
			const want = await expectError(pgvector, sql, [], expected, options)
			assert.deepEqual(got, want)
		})
	}
})
