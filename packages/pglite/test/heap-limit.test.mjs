// Builds near the end of PGlite's WebAssembly heap (2 GB at most, never shrinks). A statement first grows the heap
// until memory.grow fails: PostgreSQL reports "out of memory" (53200) and the session goes on. With the heap nearly
// full, builds must not take the rest of it: an ivfflat build and a quantized flat build stop before sampling with
// 53200 and a message naming the heap, an hnsw build keeps its graph within the heap's headroom and goes on on disk
// (every row then finds itself through it), and a plain flat build, which needs no training memory, works and answers
// as an exact scan. After each error
// the session still answers. A fresh session, whose heap is small, builds the same ivfflat index.
// RUVECTOR_HEAP_ROWS (make soak): an hnsw build of that many rows after an earlier statement grew the heap near its end.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ruvector } from '@ruvector/pglite'
import {
	RuvectorPGlite as PGlite,
	expectError,
	outcome,
	randomVector,
	seededRandom,
	vectorLiteral,
} from './support.mjs'

const DIMS = 16
const ROWS = 300
const HEAP_MAX_MB = 2048

/** @param {import('@electric-sql/pglite').PGliteInterface} pg */
function heapMegabytes(pg) {
	const memory = /** @type {{ mod?: { wasmMemory?: WebAssembly.Memory } }} */ (/** @type {unknown} */ (pg)).mod
		?.wasmMemory
	return memory ? memory.buffer.byteLength / (1024 * 1024) : undefined
}

/**
 * Grow the heap with MB-sized rows held in memory until memory.grow fails.
 * @param {import('@electric-sql/pglite').PGliteInterface} pg
 * @param {number} rowMegabytes
 */
async function fillHeap(pg, rowMegabytes) {
	await pg.exec("SET work_mem = '2097151kB'")
	await expectError(
		pg,
		`WITH held AS MATERIALIZED (SELECT repeat('x', ${rowMegabytes} * 1048576) AS r FROM generate_series(1, 10000))
			SELECT sum(length(r)) FROM held`,
		[],
		{ message: 'out of memory', code: '53200' },
	)
	await pg.exec('RESET work_mem')
}

/**
 * A table items (id, v vector(DIMS)) of seeded random rows.
 * @param {import('@electric-sql/pglite').PGliteInterface} pg
 * @param {number} rows
 */
async function createItems(pg, rows) {
	await pg.exec(`CREATE TABLE items (id int PRIMARY KEY, v vector(${DIMS}))`)
	const rand = seededRandom(5)
	for (let first = 1; first <= rows; first += 1000) {
		const values = []
		for (let id = first; id < Math.min(first + 1000, rows + 1); id++)
			values.push(`(${id}, '${vectorLiteral(randomVector(rand, DIMS))}')`)
		await pg.exec(`INSERT INTO items VALUES ${values.join(',')}`)
	}
}

const heapError = /^memory required is \d+ MB, PGlite's heap can grow by only 0 MB more$/

test('builds near the end of the WebAssembly heap fail cleanly or stay within it', async () => {
	const pg = await PGlite.create({ extensions: { ruvector } })
	try {
		await pg.exec('CREATE EXTENSION ruvector')
		await createItems(pg, ROWS)
		await fillHeap(pg, 1)
		const heap = heapMegabytes(pg)
		if (heap !== undefined) assert.ok(heap > HEAP_MAX_MB - 64, `the heap grew only to ${heap} MB`)

		/** @type {[string, string][]} */
		const trained = [
			['ivfflat', 'CREATE INDEX items_ivf ON items USING ivfflat (v vector_l2_ops) WITH (lists = 1000)'],
			['flat sq8', "CREATE INDEX items_sq8 ON items USING flat (v vector_l2_ops) WITH (quantization = 'sq8')"],
		]
		for (const [name, sql] of trained) {
			// The message names sizes, so its form is checked
			const got = await outcome(pg, sql)
			assert.equal(got.error?.code, '53200', `${name}: ${JSON.stringify(got)}`)
			assert.match(got.error.message, heapError, name)
			const after = await pg.query("SELECT '[1,2,3]'::vector <-> '[1,2,5]' AS d")
			assert.deepEqual(after.rows, [{ d: 2 }], `the session works after the ${name} error`)
		}

		/** @type {string[]} */
		const notices = []
		await pg.query('CREATE INDEX items_hnsw ON items USING hnsw (v vector_l2_ops)', [], {
			onNotice: (notice) => notices.push(notice.message ?? ''),
		})
		assert.ok(
			notices.some((m) => m.startsWith("hnsw graph no longer fits into the memory PGlite's heap can still grow by")),
			`the hnsw build did not stay within the heap: ${notices.join('; ')}`,
		)
		await pg.exec('CREATE INDEX items_flat ON items USING flat (v vector_l2_ops)')
		const check = await pg.query(
			"SELECT (SELECT heap_tids FROM ruvector_index_check('items_hnsw')) AS hnsw, (SELECT heap_tids FROM ruvector_index_check('items_flat')) AS flat",
		)
		assert.deepEqual(check.rows[0], { hnsw: ROWS, flat: ROWS })

		// The indexes answer as an exact scan does (hnsw: every row finds itself)
		const query = vectorLiteral(randomVector(seededRandom(6), DIMS))
		const exact = await pg.query(`SELECT id FROM items ORDER BY v <-> '${query}' LIMIT 10`)
		await pg.exec('SET enable_seqscan = off')
		await pg.exec('DROP INDEX items_hnsw')
		const throughFlat = await pg.query(`SELECT id FROM items ORDER BY v <-> '${query}' LIMIT 10`)
		assert.deepEqual(throughFlat.rows, exact.rows)
		await pg.exec('DROP INDEX items_flat')
		await pg.query('CREATE INDEX items_hnsw ON items USING hnsw (v vector_l2_ops)', [], { onNotice: () => {} })
		const self = await pg.query(`SELECT count(*)::int AS n FROM items s CROSS JOIN LATERAL
			(SELECT id FROM items t ORDER BY t.v <-> s.v LIMIT 1) nn WHERE nn.id = s.id`)
		assert.deepEqual(self.rows[0], { n: ROWS })
	} finally {
		await pg.close()
	}

	// A fresh session has the headroom: the same ivfflat build works
	const fresh = await PGlite.create({ extensions: { ruvector } })
	try {
		await fresh.exec('CREATE EXTENSION ruvector')
		await createItems(fresh, ROWS)
		await fresh.query('CREATE INDEX items_ivf ON items USING ivfflat (v vector_l2_ops) WITH (lists = 1000)', [], {
			onNotice: () => {},
		})
		const check = await fresh.query("SELECT heap_tids FROM ruvector_index_check('items_ivf')")
		assert.deepEqual(check.rows[0], { heap_tids: ROWS })
	} finally {
		await fresh.close()
	}
})

test('an ivfflat build that maintenance_work_mem allows but the heap cannot hold stops before it takes memory', async () => {
	const pg = await PGlite.create({ extensions: { ruvector } })
	try {
		await pg.exec('CREATE EXTENSION ruvector')
		await pg.exec('CREATE TABLE wide (id int, v vector(800))')
		await pg.exec("INSERT INTO wide SELECT i, array_fill(i::real, '{800}')::vector FROM generate_series(1, 20) i")
		await pg.exec("SET maintenance_work_mem = '2097151kB'")
		// 600,000 samples of 800 floats (1.9 GB) fit in maintenance_work_mem (2 GB), not in the heap with PGlite in it
		const before = heapMegabytes(pg)
		const got = await outcome(pg, 'CREATE INDEX ON wide USING ivfflat (v vector_l2_ops) WITH (lists = 12000)')
		assert.equal(got.error?.code, '53200', JSON.stringify(got))
		assert.match(got.error.message, /^memory required is \d+ MB, PGlite's heap can grow by only \d+ MB more$/)
		if (before !== undefined) assert.equal(heapMegabytes(pg), before, 'the failed build grew the heap')
		const after = await pg.query("SELECT count(*)::int AS n FROM wide WHERE v <-> array_fill(1::real, '{800}')::vector = 0")
		assert.deepEqual(after.rows, [{ n: 1 }])
	} finally {
		await pg.close()
	}
})

// make soak: an hnsw build of RUVECTOR_HEAP_ROWS rows (60,000 or more) after an earlier statement grew the heap
const soakRows = Number(process.env.RUVECTOR_HEAP_ROWS ?? 0)
test('soak: an hnsw build outgrows the heap headroom left by an earlier statement', { skip: soakRows === 0 }, async () => {
	const pg = await PGlite.create({ extensions: { ruvector } })
	try {
		await pg.exec('CREATE EXTENSION ruvector')
		await createItems(pg, soakRows)
		const start = heapMegabytes(pg) ?? 200
		// An earlier statement that held 1 MB rows in memory grew the heap to within 10 MB of what builds may use, or
		// past it (the heap grows in steps of up to 96 MB); the graph of 60,000 rows would take some 25 MB
		await pg.exec("SET work_mem = '2097151kB'")
		const held = Math.floor(HEAP_MAX_MB - 64 - 10 - start)
		await pg.query(`WITH held AS MATERIALIZED (SELECT repeat('x', 1048576) AS r FROM generate_series(1, ${held}))
			SELECT sum(length(r)) FROM held`)
		await pg.exec('RESET work_mem')
		await pg.exec("SET maintenance_work_mem = '1GB'")
		/** @type {string[]} */
		const notices = []
		await pg.query('CREATE INDEX items_hnsw ON items USING hnsw (v vector_l2_ops)', [], {
			onNotice: (notice) => notices.push(notice.message ?? ''),
		})
		const fallback = notices.find((m) => m.startsWith("hnsw graph no longer fits into the memory PGlite's heap"))
		assert.ok(fallback, `the build stayed in memory: ${notices.join('; ')}`)
		const tuples = Number(/after (\d+) tuples/.exec(fallback)?.[1])
		assert.ok(tuples < soakRows, `fell back after ${tuples} of ${soakRows} rows`)
		const check = await pg.query("SELECT heap_tids FROM ruvector_index_check('items_hnsw')")
		assert.deepEqual(check.rows[0], { heap_tids: soakRows })
		await pg.exec('SET enable_seqscan = off')
		const self = await pg.query(`SELECT count(*)::int AS n FROM items s CROSS JOIN LATERAL
			(SELECT id FROM items t ORDER BY t.v <-> s.v LIMIT 1) nn WHERE s.id % 97 = 0 AND nn.id = s.id`)
		// Approximate search over a large graph: at least 99 % of the sampled rows find themselves
		const sampled = Math.floor(soakRows / 97)
		const found = /** @type {{ n: number }} */ (self.rows[0]).n
		assert.ok(found >= 0.99 * sampled, `${found} of ${sampled} rows found by their own vector`)
		console.log(`hnsw build of ${soakRows} rows fell back to disk after ${tuples}; ${found}/${sampled} found themselves`)
	} finally {
		await pg.close()
	}
})
