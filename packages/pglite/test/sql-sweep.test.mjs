// The SQL sweep (scripts/sql-sweep-cases.mjs): thousands of malformed literals, typmods, huge dimensions, bad index
// options and settings. ruvector must answer each exactly as pgvector for PGlite does (same rows, or the same error
// text and SQLSTATE), errors must be clean (a data, limit, syntax or parameter class, never an internal one), and
// the session must keep answering: an hnsw index built before the sweep still finds its rows afterwards.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sweepCases } from '../../../scripts/sql-sweep-cases.mjs'
import { openPgvector, openRuvector, outcome } from './support.mjs'

/** @type {import('@electric-sql/pglite').PGlite} */
let ours
/** @type {import('@electric-sql/pglite').PGlite} */
let pgvector

before(async () => {
	ours = await openRuvector()
	pgvector = await openPgvector()
	await ours.exec(`CREATE TABLE kept (id int, v vector(3));
		INSERT INTO kept SELECT i, ARRAY[i, i % 7, i % 11]::vector FROM generate_series(1, 500) i;
		CREATE INDEX kept_v ON kept USING hnsw (v vector_l2_ops)`)
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
	for (const { sql, same } of cases) {
		const got = await outcome(ours, sql)
		if (got.error) {
			errors++
			const code = String(got.error.code)
			assert.ok(CLEAN_CLASSES.has(code.slice(0, 2)), `${sql.slice(0, 120)}: SQLSTATE ${code} ${got.error.message}`)
		}
		if (same) assert.deepEqual(got, await outcome(pgvector, sql), sql.slice(0, 200))
	}
	// Most edits break a literal, but not all: both kinds must be in the sweep
	assert.ok(errors > cases.length / 2 && errors < cases.length, `${errors} errors in ${cases.length} cases`)

	await ours.exec('SET enable_seqscan = off')
	const nearest = await ours.query("SELECT id FROM kept ORDER BY v <-> '[250, 5, 8]' LIMIT 1")
	assert.deepEqual(nearest.rows, [{ id: 250 }])
	const check = await ours.query("SELECT elements, heap_tids FROM ruvector_index_check('kept_v')")
	assert.deepEqual(check.rows[0], { elements: 500, heap_tids: 500 })
})
