// The SQL sweep (scripts/sql-sweep-cases.mjs): thousands of malformed literals, typmods, huge dimensions, bad index
// options and settings. ruvector must answer each exactly as pgvector for PGlite does (same rows, or the same error
// text and SQLSTATE), errors must be clean (a data, limit, syntax or parameter class, never an internal one), and
// the session must keep answering: an hnsw index built before the sweep still finds its rows afterwards.
// PGlite 0.5.0 loses stack with every error (with or without ruvector): after about 2,080 errors each statement
// fails with 54001. So the sweep checks its session and opens a fresh one every ERRORS_PER_SESSION errors.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sweepCases } from '../../../scripts/sql-sweep-cases.mjs'
import { openPgvector, openRuvector, outcome } from './support.mjs'

/** @type {import('@electric-sql/pglite').PGlite} */
let ours
/** @type {import('@electric-sql/pglite').PGlite} */
let pgvector

const ERRORS_PER_SESSION = 1000

/** A ruvector session with an hnsw index over 500 rows, checked by checkKept after the statements of the sweep. */
async function openOurs() {
	const pg = await openRuvector()
	await pg.exec(`CREATE TABLE kept (id int, v vector(3));
		INSERT INTO kept SELECT i, ARRAY[i, i % 7, i % 11]::vector FROM generate_series(1, 500) i;
		CREATE INDEX kept_v ON kept USING hnsw (v vector_l2_ops)`)
	return pg
}

/** @param {import('@electric-sql/pglite').PGlite} pg */
async function checkKept(pg) {
	await pg.exec('SET enable_seqscan = off')
	const nearest = await pg.query("SELECT id FROM kept ORDER BY v <-> '[250, 5, 8]' LIMIT 1")
	assert.deepEqual(nearest.rows, [{ id: 250 }])
	const check = await pg.query("SELECT elements, heap_tids FROM ruvector_index_check('kept_v')")
	assert.deepEqual(check.rows[0], { elements: 500, heap_tids: 500 })
	await pg.exec('RESET enable_seqscan')
}

before(async () => {
	ours = await openOurs()
	pgvector = await openPgvector()
})

after(async () => {
	await ours.close()
	await pgvector.close()
})

// SQLSTATE classes a clean refusal of bad input may have: data exception, program limit, syntax or access rule
// (42: unknown option values, undefined opclass), invalid parameter (22023 is in 22), feature not supported (0A)
const CLEAN_CLASSES = new Set(['22', '54', '42', '0A'])

test('every sweep case answers as pgvector does, with clean errors, and the session keeps working', async () => {
	const cases = sweepCases()
	assert.ok(cases.length >= 3000, `only ${cases.length} cases`)
	let errors = 0
	let sessionErrors = 0
	for (const { sql, same } of cases) {
		if (sessionErrors === ERRORS_PER_SESSION) {
			await checkKept(ours)
			await ours.close()
			ours = await openOurs()
			sessionErrors = 0
		}
		const got = await outcome(ours, sql)
		if (got.error) {
			errors++
			sessionErrors++
			const code = String(got.error.code)
			assert.ok(CLEAN_CLASSES.has(code.slice(0, 2)), `${sql.slice(0, 120)}: SQLSTATE ${code} ${got.error.message}`)
		}
		if (same) assert.deepEqual(got, await outcome(pgvector, sql), sql.slice(0, 200))
	}
	// Most edits break a literal, but not all: both kinds must be in the sweep
	assert.ok(errors > cases.length / 2 && errors < cases.length, `${errors} errors in ${cases.length} cases`)
	await checkKept(ours)
})
