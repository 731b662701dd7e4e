// Shared helpers for the tests: PGlite instances with ruvector and with pgvector (the reference implementation),
// a seeded generator, float32 references computed the way pgvector computes, and pgvector's text/binary formats.
import assert from 'node:assert/strict'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { ruvector } from '@ruvector/pglite'

/**
 * The PGlite ruvector runs in: @electric-sql/pglite, or another installed 0.5.x release named by RUVECTOR_PGLITE
 * (e.g. pglite-0.5.0, the oldest the package claims), so the whole suite can run against each. pgvector, the
 * reference, always runs in @electric-sql/pglite.
 * @type {typeof PGlite}
 */
export const RuvectorPGlite = process.env.RUVECTOR_PGLITE
	? (await import(process.env.RUVECTOR_PGLITE)).PGlite
	: PGlite

/** A PGlite instance with ruvector created. */
export async function openRuvector() {
	const pg = await RuvectorPGlite.create({ extensions: { ruvector } })
	await pg.exec('CREATE EXTENSION ruvector')
	return pg
}

/** A PGlite instance with pgvector 0.8.7 created: the behaviour ruvector must reproduce. */
export async function openPgvector() {
	const pg = await PGlite.create({ extensions: { vector } })
	await pg.exec('CREATE EXTENSION vector')
	return pg
}

/**
 * Run one statement and describe what happened, success or error, in a form two implementations can be compared by.
 * @param {import('@electric-sql/pglite').PGliteInterface} pg
 * @param {string} sql
 * @param {unknown[]} [params]
 * @param {import('@electric-sql/pglite').QueryOptions} [options]
 */
export async function outcome(pg, sql, params = [], options = {}) {
	try {
		const result = await pg.query(sql, params, { ...options, rowMode: 'array' })
		return { rows: result.rows }
	} catch (err) {
		if (!(err instanceof Error) || !('code' in err)) throw err
		const { code, detail } = /** @type {Error & { code?: string, detail?: string }} */ (err)
		return { error: { message: err.message, code, detail } }
	}
}

/**
 * Expect `sql` to fail with exactly this message and SQLSTATE, then check that the session still answers.
 * @param {import('@electric-sql/pglite').PGliteInterface} pg
 * @param {string} sql
 * @param {unknown[]} params
 * @param {{ message: string, code: string }} expected
 * @param {import('@electric-sql/pglite').QueryOptions} [options]
 */
export async function expectError(pg, sql, params, expected, options = {}) {
	const got = await outcome(pg, sql, params, options)
	assert.ok(got.error, `expected an error from ${sql.slice(0, 80)}, got rows`)
	assert.equal(got.error.message, expected.message)
	assert.equal(got.error.code, expected.code, `SQLSTATE of "${expected.message}"`)
	const after = await pg.query("SELECT '[1,2,3]'::vector <-> '[1,2,5]' AS d")
	assert.deepEqual(after.rows, [{ d: 2 }], 'the session works after the error')
	return got.error
}

/**
 * Run `ORDER BY v <op> query LIMIT k` for every query vector and check each answer: live rows only, distances equal to
 * the reference and ascending. Returns the mean recall@k against brute force, ties at the k-th distance counted as found.
 * @param {import('@electric-sql/pglite').PGliteInterface} pg
 * @param {string} table a table (id, v vector)
 * @param {{ operator: string, distance: (a: Float32Array, b: Float32Array) => number }} opclass
 * @param {Map<number, Float32Array>} rows the live rows
 * @param {Float32Array[]} queries
 * @param {number} [k]
 */
export async function checkedRecall(pg, table, opclass, rows, queries, k = 10) {
	let found = 0
	for (const query of queries) {
		const result = await pg.query(
			`SELECT id, v ${opclass.operator} $1::vector AS d FROM ${table} ORDER BY v ${opclass.operator} $1::vector LIMIT ${k}`,
			[vectorLiteral(query)]
		)
		const answer = /** @type {Array<{ id: number, d: number }>} */ (result.rows)
		assert.equal(answer.length, k, 'LIMIT rows come back')
		const exact = [...rows.values()].map((v) => opclass.distance(query, v)).sort((x, y) => x - y)
		const kth = /** @type {number} */ (exact[k - 1])
		for (const [i, { id, d }] of answer.entries()) {
			const v = rows.get(id)
			assert.ok(v, `row ${id} is not a live row`)
			const expected = opclass.distance(query, v)
			assert.ok(Math.abs(d - expected) <= 1e-4 * Math.max(1, Math.abs(d)), `distance of ${id}: ${d} vs ${expected}`)
			if (i > 0) assert.ok(d >= /** @type {{ d: number }} */ (answer[i - 1]).d, 'rows come in distance order')
			if (d <= kth + 1e-6 * Math.max(1, Math.abs(kth))) found++
		}
	}
	return found / (k * queries.length)
}

/**
 * mulberry32: a small seeded generator, so every run tests the same vectors.
 * @param {number} seed
 */
export function seededRandom(seed) {
	let state = seed >>> 0
	return () => {
		state = (state + 0x6d2b79f5) >>> 0
		let t = state
		t = Math.imul(t ^ (t >>> 15), t | 1)
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
}

/**
 * A vector of `n` float32 values uniform in [-scale, scale).
 * @param {() => number} rand
 * @param {number} n
 * @param {number} [scale]
 */
export function randomVector(rand, n, scale = 1) {
	const v = new Float32Array(n)
	for (let i = 0; i < n; i++) v[i] = (rand() * 2 - 1) * scale
	return v
}

/**
 * Text form that parses back to exactly these float32 values (each value written as its exact double).
 * @param {ArrayLike<number>} v
 */
export function vectorLiteral(v) {
	return `[${Array.from(v, (x) => (Object.is(x, -0) ? '-0' : String(x))).join(',')}]`
}

/**
 * float4out's text for a float32 value, as PostgreSQL and pgvector print it (Ryu's shortest form): the fewest
 * significant digits whose decimal lies strictly inside the interval of reals that round to this float, the
 * closest such decimal to the float, ties to an even last digit; fixed notation for decimal exponents -4..5, and
 * d.ddde±XX otherwise. Computed exactly with BigInt.
 * @param {number} f a value that is exactly a float32
 */
export function float4Text(f) {
	if (f === 0) return Object.is(f, -0) ? '-0' : '0'
	const view = new DataView(new ArrayBuffer(4))
	view.setFloat32(0, Math.abs(f))
	const bits = view.getUint32(0)
	const biased = bits >>> 23
	const fraction = bits & 0x7fffff
	// |f| = m * 2^e; the neighbouring floats are m*2^e - gapBelow/4 * 2^e and m*2^e + 2^e
	const m = BigInt(biased === 0 ? fraction : fraction | 0x800000)
	const e = biased === 0 ? -149 : biased - 150
	const gapBelow = fraction === 0 && biased > 1 ? 1n : 2n
	let exp10 = Math.floor(Math.log10(Math.abs(f)))
	for (let digits = 1; digits <= 9; digits++) {
		const q = exp10 - digits + 1 // candidates are d * 10^q
		// Scale everything to integers: multiply by 2^s2 * 10^s10.
		const s2 = BigInt(Math.max(0, 2 - e))
		const s10 = BigInt(Math.max(0, -q))
		const scale = (/** @type {bigint} */ x, /** @type {bigint} */ p2) => x * 2n ** (p2 + s2) * 10n ** s10
		const value = scale(4n * m, BigInt(e - 2))
		const high = scale(4n * m + 2n, BigInt(e - 2))
		const low = scale(4n * m - gapBelow, BigInt(e - 2))
		const unit = 10n ** (BigInt(q) + s10) * 2n ** s2
		const below = value / unit
		if (below === 0n || below >= 10n ** BigInt(digits)) {
			// log10 misjudged the exponent by one: fix it and start over
			exp10 += below === 0n ? -1 : 1
			digits = 0
			continue
		}
		const inside = [below, below + 1n].filter((d) => d * unit > low && d * unit < high)
		if (inside.length === 0) continue
		const distance = (/** @type {bigint} */ d) => (d * unit > value ? d * unit - value : value - d * unit)
		inside.sort((x, y) => {
			const dx = distance(x)
			const dy = distance(y)
			if (dx !== dy) return dx < dy ? -1 : 1
			return Number(x % 2n) - Number(y % 2n)
		})
		let mantissa = String(inside[0])
		let exponent = q + mantissa.length - 1
		mantissa = mantissa.replace(/0+$/, '')
		return formatFloat4(f < 0 ? '-' : '', mantissa, exponent)
	}
	throw new Error(`no float4 text for ${f}`)
}

/**
 * @param {string} sign
 * @param {string} mantissa significant digits, no trailing zeros
 * @param {number} exp decimal exponent of the first digit
 */
function formatFloat4(sign, mantissa, exp) {
	if (exp < -4 || exp >= 6) {
		const frac = mantissa.length > 1 ? `.${mantissa.slice(1)}` : ''
		return `${sign}${mantissa[0]}${frac}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
	}
	if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${mantissa}`
	const frac = mantissa.slice(exp + 1)
	return `${sign}${mantissa.slice(0, exp + 1).padEnd(exp + 1, '0')}${frac ? `.${frac}` : ''}`
}

// pgvector's distances, step by step as its C code does them: float32 products and sums (Math.fround after every
// operation), then double for the final sqrt/division. pgvector's loops run in index order.

/** @param {Float32Array} a @param {Float32Array} b */
export function l2Distance(a, b) {
	let sum = 0
	for (let i = 0; i < a.length; i++) {
		const d = Math.fround(/** @type {number} */ (a[i]) - /** @type {number} */ (b[i]))
		sum = Math.fround(sum + Math.fround(d * d))
	}
	return Math.sqrt(sum)
}

/** @param {Float32Array} a @param {Float32Array} b */
export function innerProduct(a, b) {
	let sum = 0
	for (let i = 0; i < a.length; i++)
		sum = Math.fround(sum + Math.fround(/** @type {number} */ (a[i]) * /** @type {number} */ (b[i])))
	return sum
}

/** @param {Float32Array} a @param {Float32Array} b */
export function cosineDistance(a, b) {
	let dot = 0
	let na = 0
	let nb = 0
	for (let i = 0; i < a.length; i++) {
		const x = /** @type {number} */ (a[i])
		const y = /** @type {number} */ (b[i])
		dot = Math.fround(dot + Math.fround(x * y))
		na = Math.fround(na + Math.fround(x * x))
		nb = Math.fround(nb + Math.fround(y * y))
	}
	const similarity = dot / Math.sqrt(na * nb)
	if (Number.isNaN(similarity)) return NaN
	return 1 - Math.min(1, Math.max(-1, similarity))
}

/** @param {Float32Array} a @param {Float32Array} b */
export function l1Distance(a, b) {
	let sum = 0
	for (let i = 0; i < a.length; i++)
		sum = Math.fround(sum + Math.abs(Math.fround(/** @type {number} */ (a[i]) - /** @type {number} */ (b[i]))))
	return sum
}

/** vector_norm accumulates in double. @param {Float32Array} a */
export function vectorNorm(a) {
	let sum = 0
	for (const x of a) sum += x * x
	return Math.sqrt(sum)
}

/**
 * The size a float32 sum's rounding error is measured against: the sum of the absolute values of its terms.
 * @param {Float32Array} a @param {Float32Array} b @param {(x: number, y: number) => number} term
 */
export function termScale(a, b, term) {
	let sum = 0
	for (let i = 0; i < a.length; i++) sum += Math.abs(term(/** @type {number} */ (a[i]), /** @type {number} */ (b[i])))
	return sum
}

// COPY ... WITH (FORMAT binary) files with one column, and vector_send's layout inside them:
// int16 dim, int16 unused, then dim float4, all big-endian.

const COPY_SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]

/**
 * @param {ArrayLike<number>} values
 * @param {{ dim?: number, unused?: number }} [header] override the header fields to build invalid input
 */
export function vectorSend(values, header = {}) {
	const bytes = new Uint8Array(4 + 4 * values.length)
	const view = new DataView(bytes.buffer)
	view.setInt16(0, header.dim ?? values.length)
	view.setInt16(2, header.unused ?? 0)
	for (let i = 0; i < values.length; i++) view.setFloat32(4 + 4 * i, /** @type {number} */ (values[i]))
	return bytes
}

/**
 * A binary COPY file holding one row per field (one column).
 * @param {Uint8Array[]} fields
 */
export function copyBinaryFile(fields) {
	const size = COPY_SIGNATURE.length + 8 + fields.reduce((n, f) => n + 6 + f.length, 0) + 2
	const bytes = new Uint8Array(size)
	const view = new DataView(bytes.buffer)
	bytes.set(COPY_SIGNATURE, 0)
	let at = COPY_SIGNATURE.length + 8 // flags and header-extension length stay 0
	for (const field of fields) {
		view.setInt16(at, 1)
		view.setInt32(at + 2, field.length)
		bytes.set(field, at + 6)
		at += 6 + field.length
	}
	view.setInt16(at, -1)
	return bytes
}

/**
 * The fields of a one-column binary COPY file, checking its framing on the way.
 * @param {Uint8Array} bytes
 */
export function parseCopyBinaryFile(bytes) {
	assert.deepEqual(Array.from(bytes.subarray(0, COPY_SIGNATURE.length)), COPY_SIGNATURE, 'COPY signature')
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
	let at = COPY_SIGNATURE.length + 4
	at += 4 + view.getInt32(at)
	/** @type {Uint8Array[]} */
	const fields = []
	for (;;) {
		const count = view.getInt16(at)
		if (count === -1) break
		assert.equal(count, 1, 'one field per row')
		const length = view.getInt32(at + 2)
		fields.push(bytes.slice(at + 6, at + 6 + length))
		at += 6 + length
	}
	assert.equal(at + 2, bytes.length, 'nothing after the trailer')
	return fields
}
