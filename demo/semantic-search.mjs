// Semantic search in PGlite with ruvector: 778 real sentence embeddings (all-MiniLM-L6-v2, 384 dims) of SAP Fiori
// documentation chunks, loaded into a table, then the nearest documents to a few of them by cosine distance.
// The SQL is plain pgvector SQL: CREATE EXTENSION, vector(384), <=>, ORDER BY ... LIMIT.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { getEmbeddingsPath } from '@sap-ux/fiori-docs-embeddings'
import { ruvector } from '@ruvector/pglite'

const DIMS = 384
const NEIGHBOURS = 5
const BATCH = 50
// Documents to search from, by their id in records.jsonl: deployment, testing, a UI control, and annotations.
const QUERIES = [
	'local-btp-fiori-tools-0-chunk-0',
	'local-fiori-tools-opa-guide-0-chunk-0',
	'local-fiori_development_portal-0-chunk-0',
	'local-sapui5-0-chunk-0',
]

/** @typedef {{ id: string, title: string, category: string }} DocRecord */

/** Read the records (one JSON object a line) and their embeddings (float32, 384 per record, no header). */
async function readDataset() {
	const dir = getEmbeddingsPath()
	const text = await readFile(path.join(dir, 'records.jsonl'), 'utf8')
	const records = text
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => /** @type {DocRecord} */ (JSON.parse(line)))
	const bytes = await readFile(path.join(dir, 'embeddings.bin'))
	if (bytes.length !== records.length * DIMS * 4)
		throw new Error(`embeddings.bin has ${bytes.length} bytes, expected ${records.length} × ${DIMS} float32`)
	// Copy into an aligned buffer: a Buffer may start at any byte offset of its pool.
	const vectors = new Float32Array(new Uint8Array(bytes).buffer)
	return { records, vectors }
}

/** @param {Float32Array} v */
function vectorLiteral(v) {
	return `[${Array.from(v, String).join(',')}]`
}

/**
 * Ids of the k nearest records to record `index` by cosine distance, computed in JavaScript, for a cross-check.
 * @param {Float32Array} vectors @param {number} count @param {number} index @param {number} k
 */
function bruteForceNearest(vectors, count, index, k) {
	const q = vectors.subarray(index * DIMS, (index + 1) * DIMS)
	/** @type {Array<{ id: number, d: number }>} */
	const all = []
	for (let i = 0; i < count; i++) {
		if (i === index) continue
		const v = vectors.subarray(i * DIMS, (i + 1) * DIMS)
		let dot = 0
		let nq = 0
		let nv = 0
		for (let j = 0; j < DIMS; j++) {
			const a = /** @type {number} */ (q[j])
			const b = /** @type {number} */ (v[j])
			dot += a * b
			nq += a * a
			nv += b * b
		}
		all.push({ id: i + 1, d: 1 - dot / Math.sqrt(nq * nv) })
	}
	return all
		.sort((x, y) => x.d - y.d)
		.slice(0, k)
		.map((r) => r.id)
}

/** @param {number} start */
function msSince(start) {
	return performance.now() - start
}

/** @param {number} ms */
function formatMs(ms) {
	return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`
}

/** @param {string} s @param {number} width */
function fit(s, width) {
	return s.length > width ? `${s.slice(0, width - 1)}…` : s.padEnd(width)
}

/** @param {number} done @param {number} total */
function progress(done, total) {
	const line = `  loading documents: ${done}/${total} (${Math.round((100 * done) / total)}%)`
	if (process.stdout.isTTY) process.stdout.write(`\r${line}${done === total ? '\n' : ''}`)
	else if (done === total || Math.floor((4 * done) / total) > Math.floor((4 * (done - BATCH)) / total))
		console.log(line)
}

const { records, vectors } = await readDataset()
console.log(`ruvector demo: semantic search over ${records.length} SAP Fiori documentation chunks`)
console.log(`(embeddings: all-MiniLM-L6-v2, ${DIMS} dimensions, from @sap-ux/fiori-docs-embeddings)\n`)

let start = performance.now()
const pg = await PGlite.create({ extensions: { ruvector } })
const startMs = msSince(start)
start = performance.now()
await pg.exec('CREATE EXTENSION ruvector')
const extensionMs = msSince(start)
console.log(`PGlite start ${formatMs(startMs)}, CREATE EXTENSION ruvector ${formatMs(extensionMs)}`)

await pg.exec('CREATE TABLE docs (id serial PRIMARY KEY, title text, category text, embedding vector(384))')
start = performance.now()
await pg.transaction(async (tx) => {
	for (let first = 0; first < records.length; first += BATCH) {
		const last = Math.min(first + BATCH, records.length)
		/** @type {string[]} */
		const rows = []
		/** @type {string[]} */
		const params = []
		for (let i = first; i < last; i++) {
			const record = /** @type {DocRecord} */ (records[i])
			const n = params.length
			rows.push(`($${n + 1}, $${n + 2}, $${n + 3})`)
			params.push(record.title, record.category, vectorLiteral(vectors.subarray(i * DIMS, (i + 1) * DIMS)))
		}
		await tx.query(`INSERT INTO docs (title, category, embedding) VALUES ${rows.join(', ')}`, params)
		progress(last, records.length)
	}
})
const loadMs = msSince(start)
console.log(`  loaded in ${formatMs(loadMs)} (${Math.round(records.length / (loadMs / 1000))} rows/s)\n`)

console.log(`Nearest ${NEIGHBOURS} documents to each query document, by cosine distance (embedding <=> query):`)
/** @type {number[]} */
const queryTimes = []
for (const recordId of QUERIES) {
	const index = records.findIndex((r) => r.id === recordId)
	if (index < 0) throw new Error(`record ${recordId} not found`)
	const id = index + 1 // serial ids follow insertion order
	const query = /** @type {{ title: string, category: string }} */ (
		(await pg.query('SELECT title, category FROM docs WHERE id = $1', [id])).rows[0]
	)
	start = performance.now()
	const result = await pg.query(
		`SELECT id, title, category, embedding <=> (SELECT embedding FROM docs WHERE id = $1) AS distance
		FROM docs WHERE id <> $1
		ORDER BY distance LIMIT ${NEIGHBOURS}`,
		[id]
	)
	const ms = msSince(start)
	queryTimes.push(ms)
	console.log(`\n"${query.title}" [${query.category}]`)
	for (const [rank, row] of result.rows.entries()) {
		const { title, category, distance } = /** @type {{ title: string, category: string, distance: number }} */ (row)
		console.log(`  ${rank + 1}. ${distance.toFixed(4)}  ${fit(title, 64)}  [${category}]`)
	}
	const expected = bruteForceNearest(vectors, records.length, index, NEIGHBOURS)
	const same = result.rows.every((row, i) => /** @type {{ id: number }} */ (row).id === expected[i])
	console.log(`  (${formatMs(ms)}; ${same ? 'same' : 'NOT the same'} ${NEIGHBOURS} as a brute-force scan in JavaScript)`)
	if (!same) process.exitCode = 1
}

const average = queryTimes.reduce((a, b) => a + b, 0) / queryTimes.length

// The same searches through an HNSW index: approximate, so count how many of the exact neighbours it finds.
start = performance.now()
await pg.exec('CREATE INDEX docs_embedding ON docs USING hnsw (embedding vector_cosine_ops)')
const buildMs = msSince(start)
const plan = await pg.query(
	`EXPLAIN SELECT id FROM docs ORDER BY embedding <=> (SELECT embedding FROM docs WHERE id = 1) LIMIT ${NEIGHBOURS}`
)
const usesIndex = plan.rows.some((row) => /Index Scan using docs_embedding/.test(String(Object.values(row)[0])))
/** @type {number[]} */
const indexTimes = []
let found = 0
for (const recordId of QUERIES) {
	const index = records.findIndex((r) => r.id === recordId)
	const id = index + 1
	start = performance.now()
	const result = await pg.query(
		`SELECT id FROM docs WHERE id <> $1
		ORDER BY embedding <=> (SELECT embedding FROM docs WHERE id = $1) LIMIT ${NEIGHBOURS}`,
		[id]
	)
	indexTimes.push(msSince(start))
	const expected = bruteForceNearest(vectors, records.length, index, NEIGHBOURS)
	found += result.rows.filter((row) => expected.includes(/** @type {{ id: number }} */ (row).id)).length
}
const indexAverage = indexTimes.reduce((a, b) => a + b, 0) / indexTimes.length
const recall = found / (QUERIES.length * NEIGHBOURS)
console.log(
	`\nWith an HNSW index (vector_cosine_ops, built in ${formatMs(buildMs)}; ` +
		`${usesIndex ? 'the plan uses it' : 'NOT used by the plan'}): ` +
		`${found} of ${QUERIES.length * NEIGHBOURS} exact neighbours found (recall ${recall.toFixed(2)}), ` +
		`${formatMs(indexAverage)} per query`
)
if (!usesIndex || recall < 0.9) process.exitCode = 1

console.log(
	`\nTimings: PGlite start ${formatMs(startMs)}, extension ${formatMs(extensionMs)}, load ${formatMs(loadMs)}, ` +
		`query ${formatMs(average)} on average (exact scan of ${records.length} rows, no index), ` +
		`${formatMs(indexAverage)} with the index`
)
await pg.close()
