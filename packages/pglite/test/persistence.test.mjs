// Persistence in PGlite: a database in a Node filesystem data directory, with hnsw indexes, closed and reopened in
// the same process, reopened by a new Node process, and moved through dumpDataDir/loadDataDir. Each time the same
// queries give the same answers through the index (EXPLAIN shows the index scan), ruvector_index_check passes, and
// the index takes new rows. Also: a build that outgrows maintenance_work_mem falls back to inserting page by page.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ruvector } from '@ruvector/pglite'
import { RuvectorPGlite as PGlite, randomVector, seededRandom, vectorLiteral } from './support.mjs'

const ROWS = 1500
const DIMS = 24
const QUERIES = 8
const dataDir = mkdtempSync(join(tmpdir(), 'ruvector-persistence-'))

after(() => rmSync(dataDir, { recursive: true, force: true }))

const queryRand = seededRandom(99)
const queries = Array.from({ length: QUERIES }, () => vectorLiteral(randomVector(queryRand, DIMS)))
const NEAREST = `SELECT id FROM items ORDER BY v <-> $1 LIMIT 10`

/**
 * The ids of the 10 nearest rows to each query through the index, the plan, and the index check's counts.
 * @param {import('@electric-sql/pglite').PGliteInterface} pg
 */
async function answers(pg) {
	await pg.exec('SET enable_seqscan = off')
	const plan = await pg.query(`EXPLAIN (COSTS OFF) ${NEAREST}`, [queries[0]])
	const planText = plan.rows.map((row) => Object.values(/** @type {object} */ (row))[0]).join('\n')
	const nearest = []
	for (const q of queries) {
		const got = await pg.query(NEAREST, [q], { rowMode: 'array' })
		nearest.push(got.rows.map((row) => /** @type {unknown[]} */ (row)[0]))
	}
	const check = await pg.query("SELECT elements, heap_tids FROM ruvector_index_check('items_v')")
	return { planText, nearest, check: check.rows[0] }
}

/** @param {{ planText: string, nearest: unknown[][], check: unknown }} got */
function assertIndexUsed(got) {
	assert.match(got.planText, /Index Scan using items_v/)
	assert.equal(got.nearest.length, QUERIES)
	for (const ids of got.nearest) assert.equal(ids.length, 10)
}

/** @type {{ planText: string, nearest: unknown[][], check: unknown }} */
let original

test('a filesystem data directory keeps the index across close and reopen', async () => {
	const pg = await PGlite.create(dataDir, { extensions: { ruvector } })
	await pg.exec('CREATE EXTENSION ruvector')
	await pg.exec(`CREATE TABLE items (id int PRIMARY KEY, v vector(${DIMS}))`)
	const rand = seededRandom(7)
	const values = Array.from({ length: ROWS }, (_, i) => `(${i + 1}, '${vectorLiteral(randomVector(rand, DIMS))}')`)
	await pg.exec(`INSERT INTO items VALUES ${values.join(',')}`)
	await pg.exec('CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops)')
	original = await answers(pg)
	assertIndexUsed(original)
	assert.deepEqual(original.check, { elements: ROWS, heap_tids: ROWS })
	await pg.close()

	const reopened = await PGlite.create(dataDir, { extensions: { ruvector } })
	try {
		assert.deepEqual(await answers(reopened), original)
	} finally {
		await reopened.close()
	}
})

test('a new Node process opens the same data directory and gets the same answers', () => {
	const child = join(fileURLToPath(new URL('.', import.meta.url)), 'persistence-child.mjs')
	const output = execFileSync(process.execPath, [child, dataDir, JSON.stringify(queries)], { encoding: 'utf8' })
	const got = JSON.parse(output)
	assert.deepEqual(got.nearest, original.nearest)
	assert.match(got.planText, /Index Scan using items_v/)
	assert.deepEqual(got.check, original.check)
})

test('dumpDataDir and loadDataDir carry the index, which still takes rows', async () => {
	const pg = await PGlite.create(dataDir, { extensions: { ruvector } })
	const dump = await pg.dumpDataDir('gzip')
	await pg.close()

	const loaded = await PGlite.create({ loadDataDir: dump, extensions: { ruvector } })
	try {
		assert.deepEqual(await answers(loaded), original)
		// A row equal to a query is its own nearest neighbour once inserted
		await loaded.query('INSERT INTO items VALUES ($1, $2)', [ROWS + 1, queries[3]])
		const nearest = await loaded.query(NEAREST, [queries[3]], { rowMode: 'array' })
		assert.equal(/** @type {unknown[]} */ (nearest.rows[0])[0], ROWS + 1)
		const check = await loaded.query("SELECT elements, heap_tids FROM ruvector_index_check('items_v')")
		assert.deepEqual(check.rows[0], { elements: ROWS + 1, heap_tids: ROWS + 1 })
	} finally {
		await loaded.close()
	}
})

test('a build past maintenance_work_mem falls back to page-by-page inserts and finds every row', async () => {
	const pg = await PGlite.create({ extensions: { ruvector } })
	try {
		await pg.exec('CREATE EXTENSION ruvector')
		await pg.exec('CREATE TABLE big (id int PRIMARY KEY, v vector(64))')
		const rand = seededRandom(11)
		const values = Array.from({ length: 4000 }, (_, i) => `(${i + 1}, '${vectorLiteral(randomVector(rand, 64))}')`)
		await pg.exec(`INSERT INTO big VALUES ${values.join(',')}`)
		/** @type {string[]} */
		const notices = []
		await pg.exec("SET maintenance_work_mem = '1MB'")
		await pg.query('CREATE INDEX big_v ON big USING hnsw (v vector_l2_ops)', [], {
			onNotice: (notice) => notices.push(notice.message ?? ''),
		})
		assert.ok(
			notices.some((message) => message.includes('no longer fits into maintenance_work_mem')),
			`the build did not outgrow 1MB: ${notices.join('; ')}`,
		)
		const check = await pg.query("SELECT elements, heap_tids FROM ruvector_index_check('big_v')")
		assert.deepEqual(check.rows[0], { elements: 4000, heap_tids: 4000 })
		await pg.exec('SET enable_seqscan = off')
		// Every 100th row is its own nearest neighbour through the index
		const found = await pg.query(`SELECT count(*)::int AS n FROM big s CROSS JOIN LATERAL
			(SELECT id FROM big t ORDER BY t.v <-> s.v LIMIT 1) nn WHERE s.id % 100 = 0 AND nn.id = s.id`)
		assert.deepEqual(found.rows[0], { n: 40 })
	} finally {
		await pg.close()
	}
})
