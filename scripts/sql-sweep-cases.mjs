// Generates the SQL sweep: thousands of malformed or extreme inputs to ruvector's SQL surface (literals of every
// type, typmods, huge dimensions, index options, settings), seeded so every run sends the same statements.
// Used by packages/pglite/test/sql-sweep.test.mjs (compared with pgvector for PGlite) and by the native
// pg/test/t/test_sql_sweep.sh (`node scripts/sql-sweep-cases.mjs --sql` prints INSERTs into sweep_cases).
// Each case: { sql, same } where `same` says pgvector must answer it exactly alike (ruvector's own limits differ
// from pgvector's for sparsevec indexes, which ruvector cannot build yet).

/** @param {number} seed */
function seededRandom(seed) {
	let state = seed >>> 0
	return () => {
		state = (state + 0x6d2b79f5) >>> 0
		let t = state
		t = Math.imul(t ^ (t >>> 15), t | 1)
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
}

const VALID = {
	vector: ['[1,2,3]', '[1.5, -2e-3, 3e+2]', '[0]', '[ 1 , 2 ]', '[65504,1]', '[1e-45,2]'],
	halfvec: ['[1,2,3]', '[1.5, -2e-3, 300]', '[0]', '[65504,1]', '[6e-8]'],
	sparsevec: ['{1:1,3:2}/5', '{}/3', '{1:1.5}/1', '{ 2:-1 , 5:3e2 }/ 9', '{1:1e-40}/2'],
	bit: ['101', '0', '11110000'],
}
// Characters the formats use, and some they do not
const ALPHABET = '[]{}:,/.-+eE0123456789 \tnaifNXx#;\'"\\'

/**
 * One random edit of a literal: insert, delete, replace, duplicate a slice, truncate, or splice a token.
 * @param {() => number} rand
 * @param {string} text
 */
function mutate(rand, text) {
	const at = Math.floor(rand() * (text.length + 1))
	const char = ALPHABET[Math.floor(rand() * ALPHABET.length)]
	const tokens = ['nan', 'inf', '-Infinity', '1e39', '1e-50', '65520', '2147483648', '-1', '0x10', '', ',', ':']
	switch (Math.floor(rand() * 6)) {
		case 0:
			return text.slice(0, at) + char + text.slice(at)
		case 1:
			return text.slice(0, at) + text.slice(at + 1)
		case 2:
			return text.slice(0, at) + char + text.slice(at + 1)
		case 3:
			return text.slice(0, at) + text.slice(Math.max(0, at - 3), at) + text.slice(at)
		case 4:
			return text.slice(0, at)
		default:
			return text.slice(0, at) + tokens[Math.floor(rand() * tokens.length)] + text.slice(at)
	}
}

/** SQL text literal @param {string} text */
function quote(text) {
	return `'${text.replaceAll("'", "''").replaceAll('\\', '\\\\')}'`
}

export function sweepCases() {
	const rand = seededRandom(20261124)
	/** @type {{ sql: string, same: boolean }[]} */
	const cases = []
	const add = (/** @type {string} */ sql, same = true) => cases.push({ sql, same })

	// Malformed literals: 1 to 3 edits of a valid one, as a text cast and with a typmod
	for (const [type, literals] of Object.entries(VALID)) {
		for (let i = 0; i < 800; i++) {
			let text = literals[Math.floor(rand() * literals.length)] ?? ''
			const edits = 1 + Math.floor(rand() * 3)
			for (let e = 0; e < edits; e++) text = mutate(rand, text)
			// A NUL cannot travel in SQL text
			text = text.replaceAll('\0', '')
			const typmod = rand() < 0.3 ? `(${1 + Math.floor(rand() * 5)})` : ''
			add(`SELECT ${quote(text)}::${type}${typmod}`)
		}
	}

	// Typmods
	for (const type of ['vector', 'halfvec', 'sparsevec', 'bit']) {
		for (const mod of ['0', '-1', '1', '16000', '16001', '100000', '2147483647', '1,2', "'a'", '1.5']) {
			add(`SELECT NULL::${type}(${mod})`)
			add(`CREATE TEMP TABLE sweep_t (v ${type}(${mod})); DROP TABLE sweep_t`)
		}
	}

	// Extreme dimensions
	const ones = (/** @type {number} */ n) => `[${Array(n).fill('1').join(',')}]`
	for (const n of [16000, 16001, 20000]) {
		add(`SELECT vector_dims('${ones(n)}'::vector)`)
		add(`SELECT vector_dims('${ones(n)}'::halfvec)`)
	}
	const sparse = (/** @type {number} */ nnz, /** @type {number} */ dim) =>
		`{${Array.from({ length: nnz }, (_, i) => `${i + 1}:1`).join(',')}}/${dim}`
	for (const [nnz, dim] of [
		[16000, 16000],
		[16001, 20000],
		[0, 1000000000],
		[0, 1000000001],
		[3, 2],
	]) {
		add(`SELECT ${quote(sparse(nnz ?? 0, dim ?? 0))}::sparsevec IS NOT NULL`)
	}
	add(`SELECT '${ones(3)}'::vector <-> '${ones(4)}'::vector`)
	add(`SELECT subvector('${ones(5)}'::vector, 3, 2147483647)`)
	add(`SELECT subvector('${ones(5)}'::vector, -2147483647, 3)`)

	// Index options and dimensions
	const index = (/** @type {string} */ column, /** @type {string} */ opclass, /** @type {string} */ options) =>
		`CREATE TEMP TABLE sweep_i (v ${column}); CREATE INDEX ON sweep_i USING hnsw (v ${opclass}) ${options}; DROP TABLE sweep_i`
	for (const options of [
		'WITH (m = 1)',
		'WITH (m = 101)',
		'WITH (m = -5)',
		"WITH (m = 'x')",
		'WITH (ef_construction = 3)',
		'WITH (ef_construction = 1001)',
		'WITH (m = 16, ef_construction = 10)',
		'WITH (bogus = 1)',
		'WITH (m = 2147483648)',
		'WITH (lists = 10)',
	]) {
		add(index('vector(3)', 'vector_l2_ops', options))
	}
	add(index('vector(2001)', 'vector_l2_ops', ''))
	add(index('halfvec(4001)', 'halfvec_l2_ops', ''))
	add(index('bit(64001)', 'bit_hamming_ops', ''))
	add(index('vector', 'vector_l2_ops', ''))
	add(index('vector(3)', 'halfvec_l2_ops', ''))
	add(index('vector(3)', 'vector_bogus_ops', ''))
	add(index('sparsevec(3)', 'sparsevec_l2_ops', ''), false)

	// Settings
	for (const setting of [
		'hnsw.ef_search = 0',
		'hnsw.ef_search = 1001',
		'hnsw.ef_search = -1',
		"hnsw.ef_search = 'abc'",
		"hnsw.iterative_scan = 'bogus'",
		'hnsw.max_scan_tuples = 0',
		'hnsw.scan_mem_multiplier = 0',
		'hnsw.scan_mem_multiplier = 1001',
	]) {
		add(`SET ${setting}`)
	}
	return cases
}

// --sql: the cases as INSERTs for the native sweep (dollar quoting: no generated text holds a '$')
if (process.argv[2] === '--sql') {
	const lines = sweepCases().map((c, i) => `INSERT INTO sweep_cases VALUES (${i + 1}, $sweep$${c.sql}$sweep$);`)
	process.stdout.write(`${lines.join('\n')}\n`)
}
