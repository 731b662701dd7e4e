// halfvec and sparsevec in PGlite, differentially: every statement runs on ruvector and on pgvector 0.8.7 for
// PGlite, and both must return the same text or fail with the same message, SQLSTATE and detail. Distances over
// random halfvecs are compared within a float32 summation bound (our SIMD128 kernels add in a different order than
// pgvector's plain loops); everything else, sparse distances included, must be identical.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
	copyBinaryFile,
	openPgvector,
	openRuvector,
	outcome,
	parseCopyBinaryFile,
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
	console.log(`# ${statements} statements compared with pgvector`)
})

/**
 * Run a statement on both and require the same rows or the same error (message, SQLSTATE and detail).
 * @param {string} sql
 * @param {unknown[]} [params]
 * @param {import('@electric-sql/pglite').QueryOptions} [options]
 */
async function sameOnBoth(sql, params = [], options = {}) {
	statements++
	const got = await outcome(ours, sql, params, options)
	const want = await outcome(pgvector, sql, params, options)
	assert.deepEqual(got, want, `ruvector and pgvector differ on ${sql.slice(0, 160)}`)
	return got
}

/** @param {string} sql */
async function execBoth(sql) {
	await ours.exec(sql)
	await pgvector.exec(sql)
}

const U = 2 ** -24

/** A float32 as the shortest decimal that reads back to it (JavaScript's own shortest form of the double). */
const f32 = (/** @type {number} */ x) => Math.fround(x)

describe('catalog: the same functions, operators, casts, aggregates and btree opclasses', () => {
	const types = "('halfvec'::regtype, 'sparsevec'::regtype)"
	const queries = {
		functions: `SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_function_result(p.oid),
				p.provolatile, p.proisstrict, p.proparallel, p.prokind
			FROM pg_proc p
			WHERE p.prorettype IN ${types}
				OR p.proargtypes::oid[] && ARRAY['halfvec'::regtype, 'sparsevec'::regtype]::oid[]
				OR p.proname IN ('halfvec_accum', 'halfvec_avg', 'halfvec_combine')
			ORDER BY 1, 2`,
		operators: `SELECT o.oprname, o.oprleft::regtype::text, o.oprright::regtype::text, o.oprresult::regtype::text,
				o.oprcode::regproc::text, o.oprcom::regoperator::text, o.oprnegate::regoperator::text,
				o.oprrest::regproc::text, o.oprjoin::regproc::text
			FROM pg_operator o WHERE o.oprleft IN ${types} OR o.oprright IN ${types} ORDER BY 1, 2, 3`,
		casts: `SELECT c.castsource::regtype::text, c.casttarget::regtype::text, c.castcontext, c.castmethod,
				c.castfunc::regprocedure::text
			FROM pg_cast c WHERE c.castsource IN ${types} OR c.casttarget IN ${types} ORDER BY 1, 2`,
		aggregates: `SELECT a.aggfnoid::regprocedure::text, a.aggtransfn::regproc::text, a.aggfinalfn::regproc::text,
				a.aggcombinefn::regproc::text, a.aggtranstype::regtype::text, a.agginitval, p.proparallel
			FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
			WHERE p.proargtypes[0] IN ${types} ORDER BY 1`,
		opclasses: `SELECT c.opcname, c.opcintype::regtype::text, c.opcdefault,
				array_agg(o.amopstrategy || ':' || o.amopopr::regoperator::text ORDER BY o.amopstrategy),
				(SELECT array_agg(p.amprocnum || ':' || p.amproc::regprocedure::text) FROM pg_amproc p
					WHERE p.amprocfamily = c.opcfamily)
			FROM pg_opclass c JOIN pg_am m ON m.oid = c.opcmethod AND m.amname = 'btree'
			JOIN pg_amop o ON o.amopfamily = c.opcfamily
			WHERE c.opcintype IN ${types} GROUP BY 1, 2, 3, c.opcfamily ORDER BY 1`,
		types: `SELECT t.typname, t.typlen, t.typstorage, t.typalign, t.typinput::text, t.typoutput::text,
				t.typreceive::text, t.typsend::text, t.typmodin::text, obj_description(t.oid, 'pg_type')
			FROM pg_type t WHERE t.oid IN ${types} ORDER BY 1`,
	}
	for (const [name, sql] of Object.entries(queries)) {
		test(name, async () => {
			const got = await sameOnBoth(sql)
			assert.ok(got.rows && got.rows.length > 0, `${name}: some rows`)
		})
	}
})

describe('halfvec text input and output', () => {
	const literals = [
		'[1,2,3]',
		' [ 1 , -2.5 , 3e2 ] ',
		'[0.1,0.2,0.3333,1000.5,1001.5]',
		'[65504]',
		'[-65504]',
		'[65505]',
		'[65519]',
		'[65519.99]',
		'[65520]',
		'[-65520]',
		'[1e5]',
		'[1e39]',
		'[6e-8]',
		'[5.96e-8]',
		'[2.98e-8]',
		'[2.9802322387695312e-08]',
		'[3e-8]',
		'[1e-50]',
		'[6.1e-5]',
		'[-0]',
		'[0,-0.0]',
		// ties between neighbouring halves: round half to even
		'[2049,2051,2053,1.00048828125,1.00146484375,-4097,-4099]',
		'[0.000030517578125]',
		'[inf]',
		'[-Infinity]',
		'[nan]',
		'[NaN,1]',
		'[]',
		'[ ]',
		'',
		'1',
		'[1,2',
		'[1,]',
		'[,1]',
		'[1 2]',
		'[1,2] x',
		'[1,2]]',
		'[1,2,3](3)',
		'[1e]',
		'[--1]',
		'[0x10]',
		'[+1]',
		'[.5]',
		'[1.]',
		'{1,2}',
		'[1,\t2\n]',
	]
	for (const literal of literals) {
		test(JSON.stringify(literal), async () => {
			await sameOnBoth('SELECT $1::halfvec::text', [literal])
			await sameOnBoth('SELECT $1::halfvec(3)::text', [literal])
		})
	}

	test('16000 dimensions are the limit', async () => {
		const at = `[${Array(16000).fill('1').join(',')}]`
		const over = `[${Array(16001).fill('1').join(',')}]`
		const ok = await sameOnBoth('SELECT vector_dims($1::halfvec)', [at])
		assert.deepEqual(ok.rows, [[16000]])
		await sameOnBoth('SELECT vector_dims($1::halfvec)', [over])
	})

	test('typmods', async () => {
		for (const mod of ['0', '1', '16000', '16001', '-1', '3,4', "'a'"]) {
			await sameOnBoth(`SELECT '[1,2,3]'::halfvec(${mod})::text`)
		}
		await sameOnBoth("SELECT format_type('halfvec'::regtype, 5), format_type('sparsevec'::regtype, 5)")
		await execBoth('CREATE TABLE h3 (v halfvec(3))')
		await sameOnBoth("INSERT INTO h3 VALUES ('[1,2,3]'), ('[4,5,6]')")
		await sameOnBoth("INSERT INTO h3 VALUES ('[1,2]')")
		await sameOnBoth("INSERT INTO h3 VALUES ('[1,2,3]'::vector)")
		await sameOnBoth("INSERT INTO h3 VALUES ('{1:1,3:2}/3'::sparsevec)")
		await sameOnBoth("INSERT INTO h3 VALUES ('{1,2,3}'::real[])")
		await sameOnBoth('SELECT v::text FROM h3 ORDER BY v')
	})
})

describe('sparsevec text input and output', () => {
	const literals = [
		'{1:1.5,3:2}/5',
		'{3:2,1:1.5}/5',
		' { 2 : 1.5 , 1:2 } / 5 ',
		'{}/1',
		'{}/3',
		'{1:0,2:0}/2',
		'{1:-0}/2',
		'{1:1,1:0}/2',
		'{1:1,1:2}/2',
		'{2:1,1:1,2:3}/2',
		'{1:1e-45}/2',
		'{1:1e-50}/2',
		'{1:1e39}/2',
		'{1:3.4e38}/1',
		'{1:nan}/2',
		'{1:inf}/2',
		'{1:-inf}/2',
		'{0:1}/2',
		'{3:1}/2',
		'{-5:1}/2',
		'{2147483648:1}/2',
		'{99999999999999999999:1}/2',
		'{1:1}/0',
		'{}/0',
		'{1:1}/-1',
		'{1:1}/1000000000',
		'{1:1}/1000000001',
		'{1000000000:1}/1000000000',
		'{1:1}/2147483648',
		'{1:1}/-2147483649',
		'{1:1}/99999999999999999999',
		'{1:1,}/2',
		'{,}/2',
		'{}/',
		'{}',
		'',
		'[1,2]',
		'{1:1',
		'{1:}/2',
		'{:1}/2',
		'{1 1}/2',
		'{1::1}/2',
		'{1:1}/5 x',
		'{1:1} x/5',
		'{1:1}//5',
		'{1:1}/5/',
		'{1:1}/+5',
		'{+1:1}/5',
		'{1.5:1}/5',
		'{1:1}/5.0',
		'{ }/2',
		'{1:1.5,\t2:2}\n/ 3',
	]
	for (const literal of literals) {
		test(JSON.stringify(literal), async () => {
			await sameOnBoth('SELECT $1::sparsevec::text', [literal])
			await sameOnBoth('SELECT $1::sparsevec(5)::text', [literal])
		})
	}

	test('16000 non-zero elements are the limit, zeros included in the count of commas', async () => {
		const elements = (/** @type {number} */ n, /** @type {string} */ value) =>
			Array.from({ length: n }, (_, i) => `${i + 1}:${value}`).join(',')
		await sameOnBoth('SELECT length($1::sparsevec::text)', [`{${elements(16000, '1')}}/16000`])
		await sameOnBoth('SELECT length($1::sparsevec::text)', [`{${elements(16001, '1')}}/16001`])
		await sameOnBoth('SELECT length($1::sparsevec::text)', [`{${elements(16001, '0')}}/16001`])
	})

	test('typmods', async () => {
		for (const mod of ['0', '1', '1000000000', '1000000001', '-1', '3,4']) {
			await sameOnBoth(`SELECT '{1:1}/3'::sparsevec(${mod})::text`)
		}
		await execBoth('CREATE TABLE s3 (v sparsevec(3))')
		await sameOnBoth("INSERT INTO s3 VALUES ('{1:1}/3'), ('{}/3'), ('{2:-1}/3')")
		await sameOnBoth("INSERT INTO s3 VALUES ('{1:1}/4')")
		await sameOnBoth("INSERT INTO s3 VALUES ('[1,0,3]'::vector), ('[0,2,0]'::halfvec), ('{0,0,7}'::int[])")
		await sameOnBoth('SELECT v::text FROM s3 ORDER BY v')
	})
})

/** Pairs of literals of equal dimensions, and one pair that differs, for every two-argument function. */
const halfPairs = [
	['[1,2,3]', '[4,5,6]'],
	['[1,2,3]', '[1,2,3]'],
	['[0,0]', '[3,4]'],
	['[0,0]', '[0,0]'],
	['[1,0]', '[-1,0]'],
	['[65504,65504]', '[-65504,-65504]'],
	['[6e-8,-6e-8]', '[1e-4,2]'],
	['[0.1,0.2,0.3]', '[0.3,0.2,0.1]'],
	['[1,2]', '[1,2,3]'],
]

const sparsePairs = [
	['{1:1,3:2}/5', '{2:3,3:4,5:-1}/5'],
	['{1:1,3:2}/5', '{1:1,3:2}/5'],
	['{}/5', '{}/5'],
	['{}/5', '{4:2}/5'],
	['{1:1,2:1}/4', '{3:1,4:1}/4'],
	['{1:3,2:4}/2', '{1:-3,2:-4}/2'],
	['{1:1e-30}/3', '{1:1e20}/3'],
	['{1:3e38}/2', '{1:-3e38}/2'],
	['{1:1}/3', '{1:1}/2'],
]

describe('halfvec functions and operators', () => {
	const binary = [
		'l2_distance($1::halfvec, $2::halfvec)',
		'inner_product($1::halfvec, $2::halfvec)',
		'cosine_distance($1::halfvec, $2::halfvec)',
		'l1_distance($1::halfvec, $2::halfvec)',
		'$1::halfvec <-> $2::halfvec',
		'$1::halfvec <#> $2::halfvec',
		'$1::halfvec <=> $2::halfvec',
		'$1::halfvec <+> $2::halfvec',
		'halfvec_l2_squared_distance($1, $2)',
		'halfvec_negative_inner_product($1, $2)',
		'halfvec_spherical_distance(l2_normalize($1::halfvec), l2_normalize($2::halfvec))',
		'($1::halfvec + $2::halfvec)::text',
		'($1::halfvec - $2::halfvec)::text',
		'($1::halfvec * $2::halfvec)::text',
		'($1::halfvec || $2::halfvec)::text',
		'$1::halfvec < $2::halfvec',
		'$1::halfvec <= $2::halfvec',
		'$1::halfvec = $2::halfvec',
		'$1::halfvec <> $2::halfvec',
		'$1::halfvec >= $2::halfvec',
		'$1::halfvec > $2::halfvec',
		'halfvec_cmp($1, $2)',
	]
	for (const [a, b] of halfPairs) {
		test(`${a} and ${b}`, async () => {
			for (const expression of binary) {
				await sameOnBoth(`SELECT ${expression}`, [a, b])
				await sameOnBoth(`SELECT ${expression}`, [b, a])
			}
		})
	}

	const unary = [
		'vector_dims($1::halfvec)',
		'l2_norm($1::halfvec)',
		'l2_normalize($1::halfvec)::text',
		'binary_quantize($1::halfvec)::text',
		'$1::halfvec::real[]',
		'$1::halfvec::vector::text',
		'$1::halfvec::sparsevec::text',
		'subvector($1::halfvec, 2, 2)::text',
	]
	for (const literal of ['[1,2,3]', '[0,0,0]', '[-1,0,1,2,-3,4,5,6,7,0.5]', '[65504,-65504,6e-8]', '[3,4]', '[7]']) {
		test(`unary functions of ${literal}`, async () => {
			for (const expression of unary) await sameOnBoth(`SELECT ${expression}`, [literal])
		})
	}

	test('subvector bounds, like substring', async () => {
		const cases = [
			[1, 1],
			[1, 3],
			[0, 2],
			[-1, 3],
			[3, 5],
			[4, 1],
			[2, 0],
			[2, -1],
			[-2147483648, 2147483647],
			[2, 2147483647],
			[2147483647, 1],
		]
		for (const [start, count] of cases) {
			await sameOnBoth('SELECT subvector($1::halfvec, $2, $3)::text', ['[1,2,3]', start, count])
		}
	})

	test('arithmetic overflow and underflow', async () => {
		const cases = [
			['[60000]', '[60000]', '+'],
			['[-60000]', '[60000]', '-'],
			['[60000]', '[-60000]', '-'],
			['[300]', '[300]', '*'],
			['[1e-4]', '[1e-4]', '*'],
			['[1e-4,300]', '[1e-4,300]', '*'],
			['[300,1e-4]', '[300,1e-4]', '*'],
			['[0,1e-4]', '[5,0]', '*'],
			['[65504]', '[0.5]', '+'],
			['[2049]', '[1]', '+'],
		]
		for (const [a, b, op] of cases) await sameOnBoth(`SELECT ($1::halfvec ${op} $2::halfvec)::text`, [a, b])
		await sameOnBoth(`SELECT (array_fill(1, ARRAY[8000])::halfvec || array_fill(2, ARRAY[8000])::halfvec)::text`)
		await sameOnBoth(`SELECT (array_fill(1, ARRAY[8000])::halfvec || array_fill(2, ARRAY[8001])::halfvec)::text`)
	})

	test('aggregates: avg and sum, empty, mismatched, overflowing', async () => {
		await execBoth(`CREATE TABLE hagg (g int, v halfvec);
			INSERT INTO hagg VALUES (1, '[1,2,3]'), (1, '[3,4,5]'), (1, '[0.1,0.2,0.3]'), (2, '[60000,1,1]'),
				(2, '[60000,1,1]'), (3, '[65504,0,0]'), (3, '[65504,0,0]'), (4, NULL)`)
		await sameOnBoth('SELECT g, avg(v)::text, sum(v)::text FROM hagg WHERE g = 1 GROUP BY g')
		await sameOnBoth('SELECT g, avg(v)::text FROM hagg WHERE g IN (2, 3) GROUP BY g ORDER BY g')
		await sameOnBoth('SELECT sum(v)::text FROM hagg WHERE g = 2')
		await sameOnBoth('SELECT avg(v)::text, sum(v)::text FROM hagg WHERE g = 4')
		await sameOnBoth('SELECT avg(v)::text, sum(v)::text FROM hagg WHERE false')
		await sameOnBoth("SELECT avg(v)::text FROM (VALUES ('[1,2]'::halfvec), ('[1,2,3]')) t(v)")
		await sameOnBoth("SELECT sum(v)::text FROM (VALUES ('[1,2]'::halfvec), ('[1,2,3]')) t(v)")
	})

	test('aggregate state functions, called directly', async () => {
		const calls = [
			"halfvec_accum('{0}', '[1,2]')",
			"halfvec_accum('{1,2,3}', '[1,2]')",
			"halfvec_accum('{1,2}', '[1,2]')",
			"halfvec_accum('{}', '[1,2]')",
			"halfvec_accum('{{1,2}}', '[1,2]')",
			"halfvec_accum('{1,1e308}', '[65504]')",
			"halfvec_avg('{0}')",
			"halfvec_avg('{2,1,4}')",
			"halfvec_avg('{2,1e300}')",
			"halfvec_avg('{2,131040}')",
			"halfvec_avg('{2,131000}')",
			"halfvec_avg('{}')",
			"halfvec_avg('{1,NULL}')",
			"halfvec_combine('{2,1,2}', '{1,3,4}')",
			"halfvec_combine('{0}', '{1,3,4}')",
			"halfvec_combine('{1,3,4}', '{0}')",
			"halfvec_combine('{0}', '{0}')",
			"halfvec_combine('{2,1,2}', '{1,3}')",
			"halfvec_combine('{2,1e308}', '{1,1e308}')",
			"halfvec_combine('{}', '{1,3}')",
		]
		for (const call of calls) await sameOnBoth(`SELECT ${call}`)
	})

	test('btree index and ORDER BY use halfvec_ops', async () => {
		await execBoth(`CREATE TABLE hsort (v halfvec);
			INSERT INTO hsort VALUES ('[1,2]'), ('[1,2,3]'), ('[-0,5]'), ('[0,5]'), ('[1]'), ('[-1,7]'), ('[65504]'),
				('[1,1.9]'), ('[1,2.001]');
			CREATE INDEX ON hsort (v)`)
		await sameOnBoth('SELECT v::text FROM hsort ORDER BY v, v::text')
		await sameOnBoth('SELECT v::text FROM hsort ORDER BY v DESC, v::text')
		await sameOnBoth('SET enable_seqscan = off')
		await sameOnBoth("SELECT v::text FROM hsort WHERE v = '[0,5]' ORDER BY v::text")
		await sameOnBoth("SELECT count(*) FROM hsort WHERE v < '[1,2]'")
		await sameOnBoth('RESET enable_seqscan')
		await sameOnBoth('SELECT count(DISTINCT v) FROM hsort')
	})
})

describe('sparsevec functions and operators', () => {
	const binary = [
		'l2_distance($1::sparsevec, $2::sparsevec)',
		'inner_product($1::sparsevec, $2::sparsevec)',
		'cosine_distance($1::sparsevec, $2::sparsevec)',
		'l1_distance($1::sparsevec, $2::sparsevec)',
		'$1::sparsevec <-> $2::sparsevec',
		'$1::sparsevec <#> $2::sparsevec',
		'$1::sparsevec <=> $2::sparsevec',
		'$1::sparsevec <+> $2::sparsevec',
		'sparsevec_l2_squared_distance($1, $2)',
		'sparsevec_negative_inner_product($1, $2)',
		'$1::sparsevec < $2::sparsevec',
		'$1::sparsevec <= $2::sparsevec',
		'$1::sparsevec = $2::sparsevec',
		'$1::sparsevec <> $2::sparsevec',
		'$1::sparsevec >= $2::sparsevec',
		'$1::sparsevec > $2::sparsevec',
		'sparsevec_cmp($1, $2)',
	]
	for (const [a, b] of sparsePairs) {
		test(`${a} and ${b}`, async () => {
			for (const expression of binary) {
				await sameOnBoth(`SELECT ${expression}`, [a, b])
				await sameOnBoth(`SELECT ${expression}`, [b, a])
			}
		})
	}

	const unary = [
		'l2_norm($1::sparsevec)',
		'l2_normalize($1::sparsevec)::text',
		'$1::sparsevec::vector::text',
		'$1::sparsevec::halfvec::text',
	]
	for (const literal of ['{1:3,3:4}/5', '{}/4', '{1:1e-45,2:1}/2', '{1:3e38,2:3e38}/2', '{2:70000}/3', '{1:1}/20000']) {
		test(`unary functions of ${literal}`, async () => {
			for (const expression of unary) await sameOnBoth(`SELECT ${expression}`, [literal])
		})
	}

	test('comparison where indices pass the other side dimensions', async () => {
		const literals = ['{}/1', '{}/2', '{}/3', '{1:1}/2', '{1:-1}/2', '{2:1}/3', '{3:-1}/3', '{3:1}/3', '{1:1,3:1}/3']
		for (const a of literals) {
			for (const b of literals) await sameOnBoth('SELECT sparsevec_cmp($1, $2)', [a, b])
		}
	})

	test('btree index and ORDER BY use sparsevec_ops', async () => {
		await execBoth(`CREATE TABLE ssort (v sparsevec);
			INSERT INTO ssort VALUES ('{}/2'), ('{1:1}/2'), ('{2:1}/2'), ('{1:-1}/3'), ('{3:5}/3'), ('{}/1'), ('{1:2}/2');
			CREATE INDEX ON ssort (v)`)
		await sameOnBoth('SELECT v::text FROM ssort ORDER BY v, v::text')
		await sameOnBoth('SET enable_seqscan = off')
		await sameOnBoth("SELECT v::text FROM ssort WHERE v = '{1:1}/2'")
		await sameOnBoth('RESET enable_seqscan')
	})
})

describe('casts', () => {
	const casts = [
		"SELECT '[1,2,3]'::vector::halfvec::text",
		"SELECT '[1,2,3]'::vector::halfvec(3)::text",
		"SELECT '[1,2,3]'::vector::halfvec(2)::text",
		"SELECT '[70000]'::vector::halfvec::text",
		"SELECT '[65519.9]'::vector::halfvec::text",
		"SELECT '[1e-10,0.1]'::vector::halfvec::text",
		"SELECT '[0.1,-0]'::halfvec::vector::text",
		"SELECT '[1,2]'::halfvec::vector(3)::text",
		"SELECT '[1,2]'::halfvec::real[]",
		"SELECT '[1,2]'::halfvec::real[]::halfvec(2)::text",
		"SELECT '[0,1,0,-0]'::vector::sparsevec::text",
		"SELECT '[0,1,0]'::vector::sparsevec(2)::text",
		"SELECT '[0,1,0,-0]'::halfvec::sparsevec::text",
		"SELECT '[0,1,0]'::halfvec::sparsevec(4)::text",
		"SELECT '{2:1}/3'::sparsevec::vector::text",
		"SELECT '{2:1}/3'::sparsevec::vector(2)::text",
		"SELECT '{2:1}/20000'::sparsevec::vector::text",
		"SELECT '{2:1.1}/3'::sparsevec::halfvec::text",
		"SELECT '{2:1}/3'::sparsevec::halfvec(4)::text",
		"SELECT '{2:1}/20000'::sparsevec::halfvec::text",
		"SELECT '{2:-70000}/2'::sparsevec::halfvec::text",
		"SELECT '{2:1e-10}/2'::sparsevec::halfvec::text",
		// implicit casts pick the halfvec and sparsevec overloads
		"SELECT l2_distance('[1,2]'::vector, '[3,4]'::halfvec)",
		"SELECT '[1,2]'::halfvec <-> '{1:3,2:4}/2'::sparsevec",
		"SELECT '[0,2]'::vector <#> '{2:4}/2'::sparsevec",
	]
	for (const sql of casts) test(sql, async () => void (await sameOnBoth(sql)))

	test('arrays to halfvec and sparsevec', async () => {
		const arrays = [
			"'{1,0,2}'::int[]",
			"'{1,0,2}'::real[]",
			"'{1,0,2.5}'::float8[]",
			"'{1,0,2.5}'::numeric[]",
			"'{0,0}'::real[]",
			"'{}'::real[]",
			"'{{1,2},{3,4}}'::real[]",
			"'{1,NULL}'::real[]",
			"'{NaN,1}'::real[]",
			"'{Infinity}'::real[]",
			"'{1e39}'::float8[]",
			"'{1e300}'::float8[]",
			"'{-1e-50,1}'::float8[]",
			"'{65520}'::float8[]",
			"'{65519.99}'::float8[]",
			"'{NaN,1e6}'::float8[]",
			"'{NaN,1e39}'::float8[]",
			"'{1e39,NaN}'::float8[]",
			"'{1e39}'::numeric[]",
			"'{2147483647}'::int[]",
			"'{16777217}'::int[]",
			"'{0.1,0.2}'::numeric[]",
			"'[0:1]={5,6}'::int[]",
			'array_fill(1, ARRAY[16001])',
			'array_fill(0, ARRAY[20000])',
			"(array_fill(1::real, ARRAY[16001]) || 'NaN'::real)",
		]
		for (const array of arrays) {
			for (const target of ['halfvec', 'halfvec(2)', 'sparsevec', 'sparsevec(2)']) {
				await sameOnBoth(`SELECT left((${array})::${target}::text, 200)`)
			}
		}
	})

	test('assignment-only casts are not implicit', async () => {
		await sameOnBoth("SELECT l2_norm('[3,4]'::vector::halfvec)")
		await sameOnBoth("SELECT l2_norm('[3,4]'::vector)")
		await sameOnBoth("SELECT vector_dims('{1:1}/3'::sparsevec)")
		await sameOnBoth("SELECT vector_norm('[3,4]'::halfvec)")
		await sameOnBoth("SELECT array_length('[1,2]'::halfvec, 1)")
	})
})

describe('random vectors', () => {
	const random = seededRandom(20240611)

	/** @param {string} sql @param {string[]} params */
	async function bothNumbers(sql, params) {
		statements++
		const got = await outcome(ours, sql, params)
		const want = await outcome(pgvector, sql, params)
		assert.ok(got.rows && want.rows, `both answer ${sql}`)
		return { got: /** @type {unknown[]} */ (got.rows[0]), want: /** @type {unknown[]} */ (want.rows[0]) }
	}

	for (const dim of [1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 384, 1000, 1536]) {
		test(`halfvec, ${dim} dimensions: text exact, distances within the float32 summation bound`, async () => {
			for (let round = 0; round < 3; round++) {
				const scale = [1, 100, 0.001][round]
				const a = vectorLiteral(randomVector(random, dim, scale))
				const b = vectorLiteral(randomVector(random, dim, scale))
				await sameOnBoth('SELECT $1::halfvec::text, $2::halfvec::text, l2_norm($1::halfvec)', [a, b])
				await sameOnBoth('SELECT l2_normalize($1::halfvec)::text, ($1::halfvec + $2::halfvec)::text', [a, b])
				await sameOnBoth('SELECT $1::halfvec::sparsevec::text, binary_quantize($1::halfvec)::text', [a, b])
				// The half values as floats, to size the tolerance
				const values = await ours.query('SELECT $1::halfvec::real[] AS x, $2::halfvec::real[] AS y', [a, b], {
					rowMode: 'array',
				})
				const [x, y] = /** @type {[number[], number[]]} */ (values.rows[0])
				let squares = 0
				let products = 0
				let differences = 0
				for (let i = 0; i < dim; i++) {
					const d = f32(/** @type {number} */ (x[i]) - /** @type {number} */ (y[i]))
					squares += d * d
					differences += Math.abs(d)
					products += Math.abs(/** @type {number} */ (x[i]) * /** @type {number} */ (y[i]))
				}
				const bound = (/** @type {number} */ scale) => 2 * (dim + 4) * U * scale
				const { got, want } = await bothNumbers(
					`SELECT $1::halfvec <-> $2::halfvec, $1::halfvec <#> $2::halfvec, $1::halfvec <=> $2::halfvec,
						$1::halfvec <+> $2::halfvec, halfvec_l2_squared_distance($1, $2)`,
					[a, b]
				)
				const [l2, ip, cosine, l1, l2sq] = /** @type {[number, number, number, number, number]} */ (got)
				const [l2Want, ipWant, cosineWant, l1Want, l2sqWant] = /** @type {[number, number, number, number, number]} */ (want)
				assert.ok(Math.abs(l2sq - l2sqWant) <= bound(squares), `l2sq ${l2sq} vs ${l2sqWant}`)
				assert.ok(Math.abs(l2 * l2 - l2Want * l2Want) <= bound(squares) * 1.01, `l2 ${l2} vs ${l2Want}`)
				assert.ok(Math.abs(ip - ipWant) <= bound(products), `ip ${ip} vs ${ipWant}`)
				assert.ok(Math.abs(l1 - l1Want) <= bound(differences), `l1 ${l1} vs ${l1Want}`)
				assert.ok(Math.abs(cosine - cosineWant) <= 4 * (dim + 4) * U, `cosine ${cosine} vs ${cosineWant}`)
			}
		})
	}

	for (const dim of [1, 5, 100, 10000, 1000000000]) {
		test(`sparsevec, ${dim} dimensions: every result identical`, async () => {
			for (let round = 0; round < 4; round++) {
				const literal = () => {
					const count = Math.min(dim, Math.floor(random() * 60))
					/** @type {Map<number, number>} */
					const elements = new Map()
					while (elements.size < count) {
						const index = 1 + Math.floor(random() * Math.min(dim, 120))
						elements.set(index, f32((random() * 2 - 1) * 10))
					}
					return `{${[...elements].map(([i, v]) => `${i}:${v}`).join(',')}}/${dim}`
				}
				const a = literal()
				const b = literal()
				await sameOnBoth(
					`SELECT $1::sparsevec::text, $2::sparsevec::text, $1::sparsevec <-> $2::sparsevec,
						$1::sparsevec <#> $2::sparsevec, $1::sparsevec <=> $2::sparsevec, $1::sparsevec <+> $2::sparsevec,
						l2_norm($1::sparsevec), l2_normalize($1::sparsevec)::text, sparsevec_cmp($1, $2)`,
					[a, b]
				)
			}
		})
	}
})

describe('binary COPY', () => {
	/**
	 * halfvec_send's layout: int16 dim, int16 unused, then dim uint16 bit patterns, big-endian.
	 * @param {number[]} bits
	 * @param {{ dim?: number, unused?: number }} [header]
	 */
	function halfvecSend(bits, header = {}) {
		const bytes = new Uint8Array(4 + 2 * bits.length)
		const view = new DataView(bytes.buffer)
		view.setUint16(0, header.dim ?? bits.length)
		view.setInt16(2, header.unused ?? 0)
		bits.forEach((b, i) => view.setUint16(4 + 2 * i, b))
		return bytes
	}

	/**
	 * sparsevec_send's layout: int32 dim, nnz, unused, nnz int32 0-based indices, nnz float4 values.
	 * @param {number} dim
	 * @param {number[]} indices
	 * @param {number[]} values
	 * @param {{ nnz?: number, unused?: number }} [header]
	 */
	function sparsevecSend(dim, indices, values, header = {}) {
		const bytes = new Uint8Array(12 + 4 * indices.length + 4 * values.length)
		const view = new DataView(bytes.buffer)
		view.setInt32(0, dim)
		view.setInt32(4, header.nnz ?? indices.length)
		view.setInt32(8, header.unused ?? 0)
		indices.forEach((index, i) => view.setInt32(12 + 4 * i, index))
		values.forEach((value, i) => view.setFloat32(12 + 4 * indices.length + 4 * i, value))
		return bytes
	}

	test('COPY TO writes the same bytes as pgvector', async () => {
		await execBoth(`CREATE TABLE bout (h halfvec, s sparsevec);
			INSERT INTO bout VALUES ('[1,-2,0.1,65504,6e-8,-0]', '{1:1.5,3:-2}/5'), ('[7]', '{}/1')`)
		for (const column of ['h', 's']) {
			const copy = `COPY (SELECT ${column} FROM bout) TO '/dev/blob' WITH (FORMAT binary)`
			const mine = (await ours.query(copy)).blob
			const theirs = (await pgvector.query(copy)).blob
			assert.ok(mine && theirs)
			const bytes = new Uint8Array(await mine.arrayBuffer())
			assert.deepEqual(bytes, new Uint8Array(await theirs.arrayBuffer()))
			const fields = parseCopyBinaryFile(bytes)
			if (column === 'h') assert.deepEqual(fields[1], halfvecSend([0x4700]))
			else assert.deepEqual(fields[1], sparsevecSend(1, [], []))
		}
	})

	/** @type {[string, string, Uint8Array][]} */
	const inputs = [
		['halfvec', 'valid', halfvecSend([0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000])],
		['halfvec(2)', 'typmod', halfvecSend([0x3c00, 0x3c00, 0x3c00])],
		['halfvec', 'no dimensions', halfvecSend([])],
		['halfvec', '40000 dimensions', halfvecSend([0x3c00], { dim: 40000 })],
		['halfvec', 'unused set', halfvecSend([0x3c00], { unused: 5 })],
		['halfvec', 'unused negative', halfvecSend([0x3c00], { unused: -2 })],
		['halfvec', 'infinity', halfvecSend([0x7c00])],
		['halfvec', 'NaN', halfvecSend([0x3c00, 0x7e00])],
		['halfvec', 'short', halfvecSend([0x3c00], { dim: 2 })],
		['sparsevec', 'valid', sparsevecSend(5, [0, 2], [1.5, -2])],
		['sparsevec', 'empty', sparsevecSend(5, [], [])],
		['sparsevec(4)', 'typmod', sparsevecSend(5, [0], [1])],
		['sparsevec', 'zero dimensions', sparsevecSend(0, [], [])],
		['sparsevec', 'too many dimensions', sparsevecSend(1000000001, [], [])],
		['sparsevec', 'negative nnz', sparsevecSend(5, [], [], { nnz: -1 })],
		['sparsevec', 'nnz above 16000', sparsevecSend(100000, [], [], { nnz: 16001 })],
		['sparsevec', 'nnz above dim', sparsevecSend(1, [0, 1], [1, 2])],
		['sparsevec', 'unused set', sparsevecSend(5, [0], [1], { unused: 1 })],
		['sparsevec', 'descending', sparsevecSend(5, [2, 0], [1, 2])],
		['sparsevec', 'duplicate', sparsevecSend(5, [1, 1], [1, 2])],
		['sparsevec', 'negative index', sparsevecSend(5, [-1], [1])],
		['sparsevec', 'index = dim', sparsevecSend(5, [5], [1])],
		['sparsevec', 'zero value', sparsevecSend(5, [1], [0])],
		['sparsevec', 'negative zero value', sparsevecSend(5, [1], [-0])],
		['sparsevec', 'NaN value', sparsevecSend(5, [1], [NaN])],
		['sparsevec', 'infinite value', sparsevecSend(5, [1], [-Infinity])],
	]
	for (const [type, name, field] of inputs) {
		test(`COPY FROM into ${type}: ${name}`, async () => {
			const table = `bin_${type.replace(/\W/g, '_')}_${name.replace(/\W/g, '_')}`
			await execBoth(`CREATE TABLE ${table} (v ${type})`)
			const options = { blob: new Blob([copyBinaryFile([field])]) }
			await sameOnBoth(`COPY ${table} FROM '/dev/blob' WITH (FORMAT binary)`, [], options)
			await sameOnBoth(`SELECT v::text FROM ${table}`)
		})
	}
})
