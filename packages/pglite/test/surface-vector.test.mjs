// The vector type's SQL surface beyond I/O and distances, and the bit distances: every statement runs on ruvector and
// on pgvector 0.8.7 for PGlite, and must give the same rows or the same error (message, SQLSTATE, detail). Numbers
// must be identical except where the two sum floats in different orders (vector_spherical_distance's dot product).
// Many results are also checked against a JavaScript reference computed the way pgvector computes them.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
	float4Text,
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
let statements = 0

before(async () => {
	ours = await openRuvector()
	pgvector = await openPgvector()
})

after(async () => {
	await ours.close()
	await pgvector.close()
	console.log(`${statements} statements compared with pgvector`)
})

/**
 * Equal, with numbers allowed a relative difference of `tolerance` (0: identical, NaN equal to NaN).
 * @param {unknown} got @param {unknown} want @param {number} tolerance
 * @returns {boolean}
 */
function close(got, want, tolerance) {
	if (typeof got === 'number' && typeof want === 'number') {
		if (Object.is(got, want)) return true
		return Math.abs(got - want) <= tolerance * Math.max(Math.abs(got), Math.abs(want))
	}
	if (Array.isArray(got) && Array.isArray(want))
		return got.length === want.length && got.every((g, i) => close(g, want[i], tolerance))
	if (got && want && typeof got === 'object' && typeof want === 'object') {
		const keys = Object.keys(got)
		return (
			keys.length === Object.keys(want).length &&
			keys.every((k) => close(/** @type {any} */ (got)[k], /** @type {any} */ (want)[k], tolerance))
		)
	}
	return Object.is(got, want)
}

/**
 * Run a statement on both and require the same rows or the same error.
 * @param {string} sql
 * @param {unknown[]} [params]
 * @param {number} [tolerance] relative tolerance for numbers
 */
async function sameOnBoth(sql, params = [], tolerance = 0) {
	const got = await outcome(ours, sql, params)
	const want = await outcome(pgvector, sql, params)
	statements++
	const label = `${sql.slice(0, 100)} ${params.map((p) => String(p).slice(0, 40)).join(' ')}`
	if (tolerance === 0) assert.deepEqual(got, want, `ruvector and pgvector differ on ${label}`)
	else {
		const detail = `${JSON.stringify(got)}\n${JSON.stringify(want)}`
		assert.ok(close(got, want, tolerance), `ruvector and pgvector differ on ${label}:\n${detail}`)
	}
	return got
}

/** Run a statement on both that must fail, with the same error. @param {string} sql @param {unknown[]} [params] */
async function sameErrorOnBoth(sql, params = []) {
	const got = await sameOnBoth(sql, params)
	assert.ok(got.error, `expected an error from ${sql}`)
	return got.error
}

/** @param {string} sql */
async function execBoth(sql) {
	await ours.exec(sql)
	await pgvector.exec(sql)
}

/** pgvector's text for a float32 vector. @param {ArrayLike<number>} v */
const vectorText = (v) => `[${Array.from(v, float4Text).join(',')}]`

/** Objects that exist in one extension and not in the other on purpose: ours, and the other helpers' types. */
const outsideScope = /(halfvec|sparsevec|internal|ruvector_)/

describe('catalog entries as pgvector declares them', () => {
	const extensionObjects = (/** @type {string} */ catalog) => `
		JOIN pg_depend d ON d.classid = '${catalog}'::regclass AND d.objid = x.oid AND d.deptype = 'e'
		JOIN pg_extension e ON e.oid = d.refobjid AND e.extname IN ('vector', 'ruvector')`
	const queries = {
		functions: `SELECT x.oid::regprocedure::text, x.prorettype::regtype::text, x.provolatile, x.proisstrict,
				x.proparallel, x.prokind, x.prosrc, obj_description(x.oid, 'pg_proc')
			FROM pg_proc x ${extensionObjects('pg_proc')} ORDER BY 1`,
		operators: `SELECT x.oid::regoperator::text, x.oprresult::regtype::text, x.oprcode::regprocedure::text,
				x.oprcom::regoperator::text, x.oprnegate::regoperator::text, x.oprrest::text, x.oprjoin::text,
				x.oprcanmerge, x.oprcanhash, obj_description(x.oid, 'pg_operator')
			FROM pg_operator x ${extensionObjects('pg_operator')} ORDER BY 1`,
		casts: `SELECT x.castsource::regtype::text || ' -> ' || x.casttarget::regtype::text, x.castfunc::regprocedure::text,
				x.castcontext, x.castmethod
			FROM pg_cast x ${extensionObjects('pg_cast')} ORDER BY 1`,
		aggregates: `SELECT a.aggfnoid::regprocedure::text, a.aggtransfn::regprocedure::text,
				a.aggfinalfn::regprocedure::text, a.aggcombinefn::regprocedure::text, a.aggtranstype::regtype::text,
				a.agginitval, a.aggkind, p.proparallel, obj_description(a.aggfnoid, 'pg_proc')
			FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
			WHERE a.aggfnoid IN (SELECT x.oid FROM pg_proc x ${extensionObjects('pg_proc')}) ORDER BY 1`,
		'btree opclasses': `SELECT x.opcname, x.opcintype::regtype::text, x.opcdefault,
				(SELECT string_agg(o.amopstrategy || ' ' || o.amopopr::regoperator::text, ', ' ORDER BY o.amopstrategy)
					FROM pg_amop o WHERE o.amopfamily = x.opcfamily),
				(SELECT string_agg(p.amprocnum || ' ' || p.amproc::regprocedure::text, ', ' ORDER BY p.amprocnum)
					FROM pg_amproc p WHERE p.amprocfamily = x.opcfamily)
			FROM pg_opclass x JOIN pg_am am ON am.oid = x.opcmethod AND am.amname = 'btree'
			${extensionObjects('pg_opclass')} ORDER BY 1`,
		type: `SELECT typname, typlen, typstorage, typalign, obj_description(oid, 'pg_type') FROM pg_type
			WHERE typname = 'vector'`,
	}
	for (const [name, sql] of Object.entries(queries)) {
		test(`${name}: names, signatures, IMMUTABLE STRICT PARALLEL SAFE, properties and comments`, async () => {
			const inScope = (/** @type {unknown[][]} */ rows) => rows.filter((row) => !outsideScope.test(row.join(' ')))
			const got = inScope((await ours.query(sql, [], { rowMode: 'array' })).rows)
			const want = inScope((await pgvector.query(sql, [], { rowMode: 'array' })).rows)
			statements++
			assert.ok(want.length > 0)
			assert.deepEqual(got, want)
		})
	}

	test('every function in scope is IMMUTABLE STRICT PARALLEL SAFE (aggregates: PARALLEL SAFE)', async () => {
		const rows = (await ours.query(queries.functions, [], { rowMode: 'array' })).rows
		for (const row of rows) {
			if (outsideScope.test(row.join(' '))) continue
			assert.equal(row[2], 'i', `${row[0]} IMMUTABLE`)
			assert.equal(row[4], 's', `${row[0]} PARALLEL SAFE`)
			if (row[5] === 'f') assert.equal(row[3], true, `${row[0]} STRICT`)
		}
	})
})

describe('element-wise + - * and ||', () => {
	const cases = [
		"SELECT '[1,2,3]'::vector + '[4,5,6]', '[1,2,3]'::vector - '[4,5,6]', '[1,2,3]'::vector * '[4,5,6]'",
		"SELECT '[1,2]'::vector || '[3]', '[1]'::vector || '[1,2,3]'::vector",
		"SELECT '[-0]'::vector + '[-0]', '[0]'::vector - '[0]', '[-0]'::vector * '[5]', '[0]'::vector * '[-5]'",
		"SELECT '[3e38]'::vector + '[3e38]'",
		"SELECT '[-3e38]'::vector + '[-3e38]'",
		"SELECT '[3e38]'::vector + '[-3e38]'",
		"SELECT '[-3e38]'::vector - '[3e38]'",
		"SELECT '[3.4028235e38]'::vector - '[-1e31]'",
		"SELECT '[3.4028235e38]'::vector - '[-1e32]'",
		"SELECT '[1e30]'::vector * '[1e30]'",
		"SELECT '[1e30,1e-30]'::vector * '[1e-30,1e-30]'",
		"SELECT '[1e-30]'::vector * '[1e-30]'",
		"SELECT '[1e-20]'::vector * '[1e-20]'",
		"SELECT '[1e-45]'::vector * '[0.5]'",
		"SELECT '[1e-45]'::vector * '[0.75]'",
		"SELECT '[0]'::vector * '[1e-30]', '[1e-30]'::vector * '[0]'",
		"SELECT '[1,2]'::vector + '[1]'",
		"SELECT '[1,2]'::vector - '[1]'",
		"SELECT '[1]'::vector * '[1,2]'",
		"SELECT vector_add('[1]', '[2]'), vector_sub('[1]', '[2]'), vector_mul('[3]', '[2]'), vector_concat('[1]', '[2]')",
		"SELECT array_fill(1, ARRAY[8000])::vector || array_fill(2, ARRAY[8000])::vector = array_cat(array_fill(1, ARRAY[8000]), array_fill(2, ARRAY[8000]))::vector",
		"SELECT array_fill(1, ARRAY[8000])::vector || array_fill(1, ARRAY[8001])::vector",
		"SELECT '[1]'::vector || array_fill(1, ARRAY[16000])::vector",
		"SELECT ('[1,2]'::vector + '[3,4]')::vector(2), pg_typeof('[1]'::vector + '[2]')",
		"SELECT '[1,2]'::vector + NULL, NULL::vector || '[1]'",
	]
	for (const sql of cases) test(sql, async () => {
		await sameOnBoth(sql)
	})

	test('random vectors: exact float32 results, equal to the JavaScript reference', async () => {
		const rand = seededRandom(11)
		for (const dim of [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100, 384, 1536]) {
			for (const scale of [1, 1e3, 1e-3]) {
				const a = randomVector(rand, dim, scale)
				const b = randomVector(rand, dim, scale)
				const got = await sameOnBoth(
					'SELECT $1::vector + $2::vector, $1::vector - $2::vector, $1::vector * $2::vector, $1::vector || $2::vector',
					[vectorLiteral(a), vectorLiteral(b)]
				)
				const sum = a.map((x, i) => Math.fround(x + /** @type {number} */ (b[i])))
				const difference = a.map((x, i) => Math.fround(x - /** @type {number} */ (b[i])))
				const product = a.map((x, i) => Math.fround(x * /** @type {number} */ (b[i])))
				assert.deepEqual(got.rows, [
					[vectorText(sum), vectorText(difference), vectorText(product), vectorText([...a, ...b])],
				])
			}
		}
	})

	test('random overflow and underflow: the same error or the same result', async () => {
		const rand = seededRandom(12)
		for (let round = 0; round < 24; round++) {
			const dim = 1 + Math.floor(rand() * 20)
			const huge = randomVector(rand, dim, 3.4e38)
			const large = randomVector(rand, dim, 2e19)
			const tiny = randomVector(rand, dim, 2e-22)
			await sameOnBoth('SELECT $1::vector + $2::vector, $1::vector - $2::vector', [
				vectorLiteral(huge),
				vectorLiteral(randomVector(rand, dim, 3.4e38)),
			])
			const product = 'SELECT $1::vector * $2::vector'
			await sameOnBoth(product, [vectorLiteral(large), vectorLiteral(randomVector(rand, dim, 2e19))])
			await sameOnBoth(product, [vectorLiteral(tiny), vectorLiteral(randomVector(rand, dim, 2e-22))])
		}
	})
})

describe('comparison operators, vector_cmp and the btree opclass', () => {
	const cases = [
		"SELECT '[1,2]'::vector < '[1,2,3]', '[1,3]'::vector > '[1,2,3]', '[1,2]'::vector = '[1,2]', '[1,2]'::vector <> '[1,2]'",
		"SELECT vector_cmp('[1,2]', '[1,2,0]'), vector_cmp('[1,2,0]', '[1,2]'), vector_cmp('[1]', '[1]'), vector_cmp('[2]', '[1,5]')",
		"SELECT vector_cmp('[-0]', '[0]'), '[-0]'::vector = '[0]', '[-0,1]'::vector < '[0,2]'",
		"SELECT '[1,2]'::vector = '[1,2,3]', '[1,2]'::vector <= '[1,2]', '[1,2]'::vector >= '[1,3]'",
		"SELECT '[-1e-45]'::vector < '[1e-45]', '[3.4028235e38]'::vector > '[-3.4028235e38]'",
		"SELECT v::text FROM (VALUES ('[1,2]'::vector), ('[1]'), ('[0,5]'), ('[1,2,0]'), ('[-1]'), ('[1,2]')) t(v) ORDER BY v",
		"SELECT v::text FROM (VALUES ('[1,2]'::vector), ('[1]'), ('[0,5]'), ('[1,2,0]'), ('[-1]')) t(v) ORDER BY v DESC",
		"SELECT DISTINCT v::text FROM (VALUES ('[1,2]'::vector), ('[1,2]'), ('[-0,2]'), ('[0,2]')) t(v) ORDER BY 1",
		"SELECT v::text, count(*) FROM (VALUES ('[1,2]'::vector), ('[1,2]'), ('[3]')) t(v) GROUP BY v ORDER BY v",
		"SELECT min(v::text), '[1]'::vector IN ('[1]'::vector, '[2]'::vector) FROM (VALUES ('[1]'::vector)) t(v)",
	]
	for (const sql of cases) test(sql, async () => {
		await sameOnBoth(sql)
	})

	test('random pairs: equal, prefixes, one element changed, unrelated', async () => {
		const rand = seededRandom(21)
		for (let round = 0; round < 40; round++) {
			const dim = 1 + Math.floor(rand() * 12)
			const a = randomVector(rand, dim)
			const b = Float32Array.from(a)
			const kind = round % 4
			let other = b
			if (kind === 1) other = b.subarray(0, Math.max(1, dim - 1 - Math.floor(rand() * dim)))
			if (kind === 2) b[Math.floor(rand() * dim)] = Math.fround(rand() * 2 - 1)
			if (kind === 3) other = randomVector(rand, 1 + Math.floor(rand() * 12))
			const got = await sameOnBoth(
				`SELECT $1::vector < $2::vector, $1::vector <= $2::vector, $1::vector = $2::vector,
					$1::vector <> $2::vector, $1::vector >= $2::vector, $1::vector > $2::vector, vector_cmp($1, $2)`,
				[vectorLiteral(a), vectorLiteral(other)]
			)
			// Reference: lexicographic over the common prefix, then the shorter first.
			let cmp = 0
			for (let i = 0; i < Math.min(a.length, other.length) && cmp === 0; i++)
				cmp = Math.sign(/** @type {number} */ (a[i]) - /** @type {number} */ (other[i]))
			if (cmp === 0) cmp = Math.sign(a.length - other.length)
			assert.deepEqual(got.rows, [[cmp < 0, cmp <= 0, cmp === 0, cmp !== 0, cmp >= 0, cmp > 0, cmp]])
		}
	})

	test('a btree index answers =, range and ORDER BY queries like a sequential scan', async () => {
		const rand = seededRandom(22)
		await execBoth('CREATE TABLE btree_items (id int, v vector)')
		const values = []
		for (let id = 0; id < 300; id++) {
			// Few distinct leading elements, so that ties on the prefix and different lengths occur
			const dim = 1 + Math.floor(rand() * 4)
			const v = Float32Array.from({ length: dim }, () => Math.floor(rand() * 4) - 1)
			values.push(`(${id}, '${vectorLiteral(v)}')`)
		}
		await execBoth(`INSERT INTO btree_items VALUES ${values.join(',')}`)
		const queries = [
			"SELECT id FROM btree_items WHERE v = '[1,0]' ORDER BY id",
			"SELECT id FROM btree_items WHERE v < '[0]' ORDER BY id",
			"SELECT id FROM btree_items WHERE v >= '[1,1]' AND v <= '[2]' ORDER BY id",
			'SELECT v::text, count(*) FROM btree_items GROUP BY v ORDER BY v',
			'SELECT id, v::text FROM btree_items ORDER BY v, id LIMIT 40',
		]
		const seq = []
		for (const sql of queries) seq.push(await sameOnBoth(sql))
		await execBoth('CREATE INDEX btree_items_v ON btree_items (v)')
		await execBoth('SET enable_seqscan = off')
		try {
			const plan = await ours.query("EXPLAIN SELECT id FROM btree_items WHERE v = '[1,0]'", [], { rowMode: 'array' })
			assert.match(plan.rows.flat().join('\n'), /btree_items_v/)
			for (const [i, sql] of queries.entries()) assert.deepEqual(await sameOnBoth(sql), seq[i])
		} finally {
			await execBoth('RESET enable_seqscan')
		}
	})

	test('a unique index rejects a duplicate vector with the same message and detail', async () => {
		await execBoth("CREATE TABLE unique_items (v vector UNIQUE); INSERT INTO unique_items VALUES ('[1,2]'), ('[1,2,0]')")
		const error = await sameErrorOnBoth("INSERT INTO unique_items VALUES ('[1,2]')")
		assert.equal(error.code, '23505')
		await sameErrorOnBoth("INSERT INTO unique_items VALUES ('[-0,2]'), ('[0,2]')")
	})
})

describe('l2_normalize, binary_quantize, subvector, vector_spherical_distance', () => {
	const cases = [
		"SELECT l2_normalize('[3,4]'::vector), l2_normalize('[0,0]'::vector), l2_normalize('[-0]'::vector)",
		"SELECT l2_normalize('[1e-30,1e-30]'::vector), l2_normalize('[3e38,3e38]'::vector), l2_normalize('[3.4028235e38,-3.4028235e38,1]'::vector)",
		"SELECT l2_normalize('[1e-45]'::vector), l2_normalize('[1e-40,1e-45]'::vector), l2_normalize('[1e-45,0]'::vector)",
		"SELECT binary_quantize('[1,0,-1,2,0.5,-0,3,4,5]'::vector)::text, binary_quantize('[1e-45,-1e-45]'::vector)::text",
		"SELECT binary_quantize('[1,1,1,1,1,1,1,1]'::vector) = B'11111111', length(binary_quantize('[1]'::vector)), pg_typeof(binary_quantize('[1]'::vector))",
		"SELECT binary_quantize('[1,-1,1]'::vector) <~> B'111', binary_quantize(array_fill(1, ARRAY[16000])::vector) = repeat('1', 16000)::bit(16000)",
		"SELECT subvector('[1,2,3,4,5]'::vector, 1, 3), subvector('[1,2,3,4,5]'::vector, 3, 2), subvector('[1,2,3,4,5]'::vector, 5, 1)",
		"SELECT subvector('[1,2,3,4,5]'::vector, -1, 3), subvector('[1,2,3,4,5]'::vector, 4, 10), subvector('[1,2,3,4,5]'::vector, 0, 2)",
		"SELECT subvector('[1,2,3,4,5]'::vector, 5, 2147483647), subvector('[1,2,3,4,5]'::vector, 1, 2147483647), subvector('[1,2,3,4,5]'::vector, -2147483648, 2147483647) IS NULL",
		"SELECT vector_spherical_distance('[1,0]', '[0,1]'), vector_spherical_distance('[1,0]', '[-1,0]'), vector_spherical_distance('[1,0]', '[1,0]')",
		"SELECT vector_spherical_distance('[2,0]', '[2,0]'), vector_spherical_distance('[0,0]', '[1,1]'), vector_spherical_distance('[-2,0]', '[2,0]')",
		"SELECT vector_spherical_distance('[1,0]', '[1]')",
	]
	for (const sql of cases) test(sql, async () => {
		await sameOnBoth(sql)
	})

	const subvectorErrors = [
		[1, 0],
		[6, 1],
		[-5, 3],
		[-1, 2],
		[0, 1],
		[3, -1],
		[3, -2147483648],
		[2147483647, 2147483647],
		[-2147483648, 1],
		[2147483647, 1],
	]
	for (const [start, count] of subvectorErrors) {
		test(`subvector('[1,2,3,4,5]', ${start}, ${count}) fails as in pgvector`, async () => {
			const error = await sameErrorOnBoth('SELECT subvector($1::vector, $2, $3)', ['[1,2,3,4,5]', start, count])
			assert.equal(error.message, 'vector must have at least 1 dimension')
		})
	}

	test('random vectors: l2_normalize and binary_quantize exact, subvector at every kind of bound', async () => {
		const rand = seededRandom(31)
		for (const dim of [1, 2, 5, 8, 9, 16, 17, 64, 100, 384, 1000]) {
			const a = randomVector(rand, dim, 10 ** Math.floor(rand() * 6 - 3))
			const got = await sameOnBoth('SELECT l2_normalize($1::vector)::text, binary_quantize($1::vector)::text', [
				vectorLiteral(a),
			])
			let norm = 0
			for (const x of a) norm += x * x
			norm = Math.sqrt(norm)
			assert.deepEqual(got.rows, [
				[vectorText(a.map((x) => Math.fround(x / norm))), Array.from(a, (x) => (x > 0 ? '1' : '0')).join('')],
			])
			for (let k = 0; k < 6; k++) {
				const start = Math.floor(rand() * (dim + 6)) - 3
				const count = Math.floor(rand() * (dim + 4)) - 1
				const sub = await sameOnBoth('SELECT subvector($1::vector, $2, $3)::text', [vectorLiteral(a), start, count])
				if (sub.rows) {
					const from = Math.max(start, 1) - 1
					const to = Math.min(start + count - 1, dim)
					assert.deepEqual(sub.rows, [[vectorText(a.subarray(from, to))]])
				}
			}
		}
	})

	// acos is infinitely steep at 1, so the distance itself cannot be compared with a relative tolerance: compare
	// cos(pi * d), the clamped dot product of the unit vectors, within the float32 summation bound (n + 4) u sum|a_i b_i|
	// (sum|a_i b_i| <= 1 for unit vectors), on each side.
	test('random unit vectors: vector_spherical_distance agrees up to the float32 dot-product rounding', async () => {
		const rand = seededRandom(32)
		for (const dim of [2, 3, 16, 100, 384, 1536]) {
			for (let k = 0; k < 4; k++) {
				const a = randomVector(rand, dim)
				const b = k === 0 ? a : randomVector(rand, dim)
				const sql = 'SELECT vector_spherical_distance(l2_normalize($1::vector), l2_normalize($2::vector))'
				const params = [vectorLiteral(a), vectorLiteral(b)]
				const got = /** @type {number} */ ((await ours.query(sql, params, { rowMode: 'array' })).rows[0]?.[0])
				const want = /** @type {number} */ ((await pgvector.query(sql, params, { rowMode: 'array' })).rows[0]?.[0])
				statements++
				const bound = 2 * (dim + 4) * 2 ** -24
				assert.ok(got >= 0 && got <= 1, `${got} in [0, 1]`)
				assert.ok(Math.abs(Math.cos(Math.PI * got) - Math.cos(Math.PI * want)) <= bound, `dim ${dim}: ${got} vs ${want}`)
			}
		}
	})
})

describe('casts between arrays and vectors', () => {
	const cases = [
		"SELECT ARRAY[1,2,3]::vector, ARRAY[1.5,2,3]::real[]::vector, ARRAY[1e-50, 2]::float8[]::vector, ARRAY[1.25,2]::numeric[]::vector",
		"SELECT ARRAY[2147483647, -2147483648]::int[]::vector, ARRAY[16777217]::int[]::vector, ARRAY[0.1]::float8[]::vector",
		"SELECT ARRAY[3.4028235e38]::float8[]::vector, ARRAY[1e-46]::float8[]::vector, ARRAY[1.00000000000000000000001]::numeric[]::vector",
		"SELECT '[1:2]={1,2}'::int[]::vector, '[-5:-4]={3,4}'::real[]::vector",
		"SELECT '[1,2,3]'::vector::real[], vector_to_float4('[1,2]', -1, false), vector_to_float4('[1,2]', 5, true)",
		"SELECT '[1.5,-0,3e-45]'::vector::real[]::vector, array_length('[1,2,3]'::vector::real[], 1), array_lower('[1,2]'::vector::real[], 1)",
		"SELECT array_to_vector('{1,2}'::int[], -1, false), array_to_vector('{1,2}'::real[], 2, true)",
		"SELECT array_to_vector('{1,2}'::float8[], 2, false), array_to_vector('{1,2}'::numeric[], -1, true)",
		"SELECT ARRAY[1,2,3]::vector(3), ARRAY[1,2,3]::real[]::vector(3)",
		"SELECT ('[1,2]'::vector)::real[] = ARRAY[1,2]::real[], array_fill(7, ARRAY[16000])::vector::real[] = array_fill(7::real, ARRAY[16000])",
		'CREATE TEMP TABLE assign_items (v vector(2)); INSERT INTO assign_items VALUES (ARRAY[1,2]), (ARRAY[1.5,2.5]::real[]), (ARRAY[1,2]::float8[]), (ARRAY[3,4]::numeric[]); SELECT v::text FROM assign_items',
		"SELECT ARRAY[1e39]::float8[]::vector",
		"SELECT ARRAY[-1e39]::float8[]::vector",
		"SELECT ARRAY[3.4028236e38]::float8[]::vector",
		"SELECT ARRAY[1e39]::numeric[]::vector",
		"SELECT ARRAY[-1e39]::numeric[]::vector",
		"SELECT ARRAY[1e-46]::numeric[]::vector",
		"SELECT ARRAY['NaN']::float8[]::vector",
		"SELECT ARRAY['NaN']::real[]::vector",
		"SELECT ARRAY['NaN']::numeric[]::vector",
		"SELECT ARRAY['Infinity']::real[]::vector",
		"SELECT ARRAY['-Infinity']::float8[]::vector",
		"SELECT ARRAY['Infinity']::numeric[]::vector",
		"SELECT ARRAY['NaN', 1e39]::numeric[]::vector",
		"SELECT ARRAY['NaN', 'Infinity']::float8[]::vector",
		"SELECT ARRAY['Infinity', 'NaN']::float8[]::vector",
		"SELECT ARRAY['NaN']::float8[]::vector(2)",
		"SELECT ARRAY[[1,2],[3,4]]::vector",
		"SELECT ARRAY[[1,NULL]]::vector",
		"SELECT ARRAY[1,NULL]::vector",
		"SELECT ARRAY[NULL]::real[]::vector",
		"SELECT '{}'::int[]::vector",
		"SELECT '{}'::numeric[]::vector",
		"SELECT '{{}}'::real[]::vector",
		"SELECT ARRAY[1,2,3]::vector(2)",
		"SELECT array_to_vector(ARRAY[1,2], 3, true)",
		"SELECT array_to_vector(ARRAY[1e39, 'NaN']::float8[], 3, true)",
		"SELECT array_fill(1, ARRAY[16001])::vector",
		"SELECT array_fill(1.5, ARRAY[16001])::vector",
		"SELECT ARRAY[1,2]::int8[]::vector",
		"SELECT ARRAY[1,2]::smallint[]::vector",
		"SELECT '[1,2]'::vector::float8[]",
		'CREATE TEMP TABLE implicit_items (r real[]); INSERT INTO implicit_items VALUES (\'[1,2]\'::vector); SELECT r FROM implicit_items',
	]
	for (const sql of cases) test(sql, async () => {
		await sameOnBoth(sql)
	})

	test('random arrays of every element type', async () => {
		const rand = seededRandom(41)
		for (const dim of [1, 2, 3, 10, 33, 200, 2000]) {
			const ints = Array.from({ length: dim }, () => Math.floor((rand() * 2 - 1) * 2 ** 31))
			const doubles = Array.from({ length: dim }, () => (rand() * 2 - 1) * 10 ** Math.floor(rand() * 20 - 10))
			const got = await sameOnBoth(
				`SELECT $1::int[]::vector::text, $2::real[]::vector::text, $2::float8[]::vector::text,
					$2::numeric[]::vector::text, $2::float8[]::vector::real[]`,
				[`{${ints.join(',')}}`, `{${doubles.join(',')}}`]
			)
			const floats = doubles.map(Math.fround)
			const texts = [vectorText(ints.map(Math.fround)), vectorText(floats), vectorText(floats)]
			assert.deepEqual(got.rows?.[0]?.slice(0, 3), texts)
			// real[] reaches JavaScript as float4out's text, parsed as a double
			assert.deepEqual(got.rows?.[0]?.[4], floats.map((f) => Number(float4Text(f))))
		}
	})
})

describe('avg and sum aggregates, and their state functions', () => {
	const cases = [
		"SELECT avg(v), sum(v) FROM (VALUES ('[1,2]'::vector), ('[3,5]')) t(v)",
		"SELECT avg(v), sum(v) FROM (VALUES ('[1,2]'::vector), (NULL), ('[3,5]')) t(v)",
		"SELECT avg(v), sum(v) FROM (VALUES ('[1,2]'::vector), ('[3,5,6]')) t(v)",
		"SELECT sum(v) FROM (VALUES ('[1,2]'::vector), ('[3,5,6]')) t(v)",
		"SELECT avg(v), sum(v) FROM (VALUES (NULL::vector)) t(v)",
		"SELECT avg(v), sum(v) FROM (VALUES ('[1]'::vector)) t(v) WHERE false",
		"SELECT avg(v) FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(v)",
		"SELECT avg(v)::text FROM (VALUES ('[1e38]'::vector), ('[3e38]'), ('[3e38]')) t(v)",
		"SELECT sum(v) FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(v)",
		"SELECT sum(v) FROM (VALUES ('[3e38]'::vector), ('[3e38]'), ('[-3e38]')) t(v)",
		"SELECT avg(DISTINCT v), sum(DISTINCT v) FROM (VALUES ('[1,2]'::vector), ('[1,2]'), ('[4,5]')) t(v)",
		"SELECT avg(v) FILTER (WHERE v > '[1]'), sum(v ORDER BY v) FROM (VALUES ('[1,2]'::vector), ('[0,2]'), ('[4,5]')) t(v)",
		"SELECT g, avg(v), sum(v) FROM (VALUES (1, '[1,2]'::vector), (2, '[3,5]'), (1, '[4,4]'), (2, NULL)) t(g, v) GROUP BY g ORDER BY g",
		"SELECT vector_accum('{0}', '[1,2]'), vector_accum('{1,2,3}', '[1,2]'), vector_accum('{0,1,2}', '[1,2]')",
		"SELECT vector_accum('{5}', '[1,2]'), vector_accum('{-1}', '[1,2]'), vector_accum('{-1,3}', '[1]')",
		"SELECT vector_accum('{NaN,3}', '[1]'), vector_accum('{Infinity,3}', '[1]'), vector_accum('{1,NaN}', '[1]')",
		"SELECT vector_accum('{2,1,2}', '[3e38,1]'::vector), vector_accum('{2,1e308,2}', '[3e38,1]'::vector), vector_accum('{1,1.7976931348623157e308}', '[3.4e38]')",
		"SELECT vector_accum('[5:7]={1,2,4}', '[1,1]'), vector_accum('{0}', array_fill(1, ARRAY[16000])::vector) IS NOT NULL",
		"SELECT vector_accum('{1,Infinity}', '[1]')",
		"SELECT vector_accum('{1,-Infinity}', '[1]')",
		"SELECT vector_accum('{}', '[1,2]')",
		"SELECT vector_accum('{NULL}', '[1,2]')",
		"SELECT vector_accum('{{1,2}}', '[1]')",
		"SELECT vector_accum('{1,2}', '[1,2]')",
		"SELECT vector_accum('{0,1}', '[1,2]')",
		"SELECT vector_accum('{1,2,3}', '[1]')",
		"SELECT vector_combine('{1,2,3}', '{2,3,4}'), vector_combine('{0}', '{2,3,4}'), vector_combine('{2,1,2}', '{0}'), vector_combine('{0}', '{0}')",
		"SELECT vector_combine('{1}', '{2,1,2}'), vector_combine('{2,1,2}', '{1}'), vector_combine('{3}', '{2}'), vector_combine('{Infinity}', '{2}')",
		"SELECT vector_combine('{0,5}', '{1,2}'), vector_combine('{0,5}', '{0,2}'), vector_combine('{NaN,5}', '{0,2}'), vector_combine('{1e308,5}', '{1e308,2}')",
		"SELECT vector_combine('{1,NaN}', '{1,5}'), vector_combine('{1,1}', '{-1,5}'), vector_combine('[5:7]={1,2,4}', '{1,1,1}')",
		"SELECT vector_combine('{1,1e308}', '{1,1e308}')",
		"SELECT vector_combine('{1,Infinity}', '{1,5}')",
		"SELECT vector_combine('{1,2}', '{1,2,3}')",
		"SELECT vector_combine('{0,1}', '{0,1,2}')",
		"SELECT vector_combine('{1,1,2}', '{0,5}')",
		"SELECT vector_combine('{}', '{0}')",
		"SELECT vector_combine('{0}', '{}')",
		"SELECT vector_combine('{1,1}', '{1,NULL}')",
		"SELECT vector_combine('{{1}}', '{1}')",
		"SELECT vector_avg('{2,3,4}'), vector_avg('{0}'), vector_avg('{-0,1}'), vector_avg('{0,1}'), vector_avg('{-1,1}')",
		"SELECT vector_avg('{3,1,2,3}')::text, vector_avg('{1,1e-50}'), vector_avg('{Infinity,1}'), vector_avg('[0:1]={2,4}')",
		"SELECT vector_avg('{2,1e300}')",
		"SELECT vector_avg('{1e-320,1}')",
		"SELECT vector_avg('{1,NaN}')",
		"SELECT vector_avg('{NaN,1}')",
		"SELECT vector_avg('{2,Infinity}')",
		"SELECT vector_avg('{1,NaN,Infinity}')",
		"SELECT vector_avg('{1,Infinity,NaN}')",
		"SELECT vector_avg('{3}')",
		"SELECT vector_avg('{}')",
		"SELECT vector_avg('{{1,2}}')",
		"SELECT vector_avg('{1,NULL}')",
		"SELECT vector_avg(array_fill(1::float8, ARRAY[16002]))",
	]
	for (const sql of cases) test(sql, async () => {
		await sameOnBoth(sql)
	})

	test('random tables: avg and sum exact and equal to the reference, per group and over windows', async () => {
		const rand = seededRandom(51)
		for (const dim of [1, 3, 16, 384]) {
			const table = `agg_items_${dim}`
			await execBoth(`CREATE TABLE ${table} (id int, g int, v vector(${dim}))`)
			/** @type {Float32Array[]} */
			const rows = []
			const values = []
			for (let id = 0; id < 120; id++) {
				const v = randomVector(rand, dim, 10 ** Math.floor(rand() * 4 - 2))
				rows.push(v)
				values.push(`(${id}, ${id % 3}, '${vectorLiteral(v)}')`)
			}
			await execBoth(`INSERT INTO ${table} VALUES ${values.join(',')}`)
			const got = await sameOnBoth(`SELECT avg(v)::text, sum(v)::text FROM ${table}`)
			// avg: double sums of the float elements, divided in double, then rounded to float; sum: float32 sums
			const sums = new Float64Array(dim)
			const floatSums = new Float32Array(dim)
			for (const v of rows) {
				for (let i = 0; i < dim; i++) {
					sums[i] = /** @type {number} */ (sums[i]) + /** @type {number} */ (v[i])
					floatSums[i] = Math.fround(/** @type {number} */ (floatSums[i]) + /** @type {number} */ (v[i]))
				}
			}
			assert.deepEqual(got.rows, [[vectorText(sums.map((s) => Math.fround(s / rows.length))), vectorText(floatSums)]])
			await sameOnBoth(`SELECT g, avg(v)::text, sum(v)::text FROM ${table} GROUP BY g ORDER BY g`)
			await sameOnBoth(
				`SELECT id, avg(v) OVER w::text, sum(v) OVER w::text FROM ${table}
					WINDOW w AS (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) ORDER BY id`
			)
			await sameOnBoth(`SELECT id, avg(v) OVER (ORDER BY id)::text, sum(v) OVER (PARTITION BY g ORDER BY id)::text
				FROM ${table} ORDER BY id`)
		}
	})

	test('states from vector_accum combine like one aggregate over all rows', async () => {
		const rand = seededRandom(52)
		for (let round = 0; round < 10; round++) {
			const dim = 1 + Math.floor(rand() * 30)
			const vs = Array.from({ length: 6 }, () => vectorLiteral(randomVector(rand, dim, 100)))
			const got = await sameOnBoth(
				`SELECT vector_avg(vector_combine(
						vector_accum(vector_accum(vector_accum('{0}', $1), $2), $3),
						vector_accum(vector_accum(vector_accum('{0}', $4), $5), $6)))::text,
					avg(v)::text FROM unnest(ARRAY[$1, $2, $3, $4, $5, $6]::vector[]) v`,
				vs
			)
			assert.equal(got.rows?.[0]?.[0], got.rows?.[0]?.[1])
		}
	})
})

describe('bit distances: hamming_distance, jaccard_distance, <~>, <%>', () => {
	const cases = [
		"SELECT hamming_distance(B'1010', B'0110'), jaccard_distance(B'1010', B'0110'), B'101' <~> B'111', B'101' <%> B'111'",
		"SELECT jaccard_distance(B'0000', B'0000'), jaccard_distance(B'1000', B'0000'), jaccard_distance(B'1111', B'1111'), hamming_distance(B'1111', B'1111')",
		"SELECT hamming_distance(B'', B''), jaccard_distance(B'', B''), B'' <~> B'', B'' <%> B''",
		"SELECT hamming_distance('1010'::varbit, '0110'::varbit), jaccard_distance('101'::bit(3), '111'::varbit)",
		"SELECT hamming_distance(repeat('1', 100000)::varbit, repeat('0', 100000)::varbit), jaccard_distance(repeat('10', 50000)::varbit, repeat('11', 50000)::varbit)",
		"SELECT hamming_distance(B'1010', B'011')",
		"SELECT jaccard_distance(B'1010', B'011')",
		"SELECT B'1' <~> B''",
		"SELECT B'10000000' <%> B'1000000'",
		"SELECT hamming_distance(B'1', NULL), NULL::bit <%> B'1'",
		"SELECT binary_quantize('[1,-2,3,-4]'::vector) <~> binary_quantize('[-1,-2,3,4]'::vector), binary_quantize('[1,-2,3,-4]'::vector) <%> binary_quantize('[-1,-2,3,4]'::vector)",
		"SELECT count(*) FROM generate_series(1, 3) i WHERE B'101' <~> B'100' < i",
	]
	for (const sql of cases) test(sql, async () => {
		await sameOnBoth(sql)
	})

	test('random bit strings of every length around the kernels\' block sizes: exact counts', async () => {
		const rand = seededRandom(61)
		const lengths = [1, 7, 8, 9, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 1024, 4097, 20000]
		for (const bits of lengths) {
			for (const density of [0.05, 0.5, 0.95]) {
				const a = Array.from({ length: bits }, () => (rand() < density ? '1' : '0')).join('')
				const b = Array.from({ length: bits }, () => (rand() < density ? '1' : '0')).join('')
				const got = await sameOnBoth(
					`SELECT hamming_distance($1::varbit, $2::varbit), jaccard_distance($1::varbit, $2::varbit),
						$1::varbit::bit(${bits}) <~> $2::varbit::bit(${bits}), $1::varbit::bit(${bits}) <%> $2::varbit::bit(${bits})`,
					[a, b]
				)
				let differ = 0
				let both = 0
				let either = 0
				for (let i = 0; i < bits; i++) {
					const x = a[i] === '1'
					const y = b[i] === '1'
					if (x !== y) differ++
					if (x && y) both++
					if (x || y) either++
				}
				const jaccard = both === 0 ? 1 : 1 - both / either
				assert.deepEqual(got.rows, [[differ, jaccard, differ, jaccard]])
			}
		}
	})

	test('binary-quantised random vectors: Hamming and Jaccard of the codes', async () => {
		const rand = seededRandom(62)
		for (const dim of [3, 8, 64, 384, 1536]) {
			const a = vectorLiteral(randomVector(rand, dim))
			const b = vectorLiteral(randomVector(rand, dim))
			await sameOnBoth(
				`SELECT binary_quantize($1::vector) <~> binary_quantize($2::vector),
					binary_quantize($1::vector) <%> binary_quantize($2::vector)`,
				[a, b]
			)
		}
	})
})
