// The browser examples' shared part: load 778 real MiniLM embeddings (384-d) of SAP Fiori documentation into a
// PGlite table, index them with HNSW, and show a document's nearest neighbours on the page. The database comes from
// the page (PGlite in the page or in a Web Worker); the SQL is plain pgvector SQL. The functions without DOM access
// also run in Node, where the tests run the same search to compare with what the page shows.
import { toSql } from '@ruvector/pglite'

export const DIMS = 384
export const NEIGHBOURS = 5
/** The document searched from when the page has no ?doc= parameter. */
export const DEFAULT_DOC = 'local-fiori-tools-opa-guide-0-chunk-0'

/** @typedef {{ id: string, title: string, category: string }} DocRecord */
/** @typedef {{ rank: number, doc: string, title: string, distance: number }} Hit */
/** @typedef {Pick<import('@electric-sql/pglite').PGliteInterface, 'exec' | 'query'>} Database */

/**
 * The data set from its two files: records.jsonl (one JSON object a line) and embeddings.bin (float32, 384 a record).
 * @param {string} jsonl
 * @param {ArrayBuffer} embeddings
 */
export function parseDocuments(jsonl, embeddings) {
	const records = jsonl
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => {
			const { id, title, category } = /** @type {DocRecord} */ (JSON.parse(line))
			return { id, title, category }
		})
	const vectors = new Float32Array(embeddings)
	if (vectors.length !== records.length * DIMS)
		throw new Error(`embeddings.bin has ${vectors.length} floats, expected ${records.length} × ${DIMS}`)
	return { records, vectors }
}

/** The data set over HTTP, from the server's /data/ path. */
async function fetchDocuments() {
	const [jsonl, embeddings] = await Promise.all([
		fetch('/data/records.jsonl').then((r) => r.text()),
		fetch('/data/embeddings.bin').then((r) => r.arrayBuffer()),
	])
	return parseDocuments(jsonl, embeddings)
}

/**
 * Create and fill the docs table, then build its HNSW index.
 * @param {Database} pg
 * @param {DocRecord[]} records
 * @param {Float32Array} vectors
 */
export async function fillTable(pg, records, vectors) {
	await pg.exec('CREATE TABLE docs (doc text PRIMARY KEY, title text, category text, embedding vector(384))')
	const batch = 100
	for (let first = 0; first < records.length; first += batch) {
		/** @type {string[]} */
		const rows = []
		/** @type {string[]} */
		const params = []
		for (let i = first; i < Math.min(first + batch, records.length); i++) {
			const { id, title, category } = /** @type {DocRecord} */ (records[i])
			const n = params.length
			rows.push(`($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4})`)
			params.push(id, title, category, toSql(vectors.subarray(i * DIMS, (i + 1) * DIMS)))
		}
		await pg.query(`INSERT INTO docs VALUES ${rows.join(', ')}`, params)
	}
	await pg.exec('CREATE INDEX docs_embedding ON docs USING hnsw (embedding vector_cosine_ops)')
}

/**
 * The documents nearest to `embedding` by cosine distance, through the HNSW index.
 * @param {Database} pg
 * @param {Float32Array} embedding
 * @returns {Promise<Hit[]>}
 */
export async function nearest(pg, embedding) {
	const { rows } = await pg.query(
		`SELECT doc, title, embedding <=> $1 AS distance FROM docs ORDER BY embedding <=> $1 LIMIT ${NEIGHBOURS}`,
		[toSql(embedding)]
	)
	return rows.map((row, i) => ({
		rank: i + 1,
		.../** @type {{ doc: string, title: string, distance: number }} */ (row),
	}))
}

/**
 * Whether the planner uses the HNSW index for the search.
 * @param {Database} pg
 */
export async function usesIndex(pg) {
	const { rows } = await pg.query(
		`EXPLAIN SELECT doc FROM docs ORDER BY embedding <=> (SELECT embedding FROM docs LIMIT 1) LIMIT ${NEIGHBOURS}`
	)
	return rows.some((row) =>
		Object.values(/** @type {object} */ (row))
			.join(' ')
			.includes('docs_embedding')
	)
}

/** @param {string} selector */
function element(selector) {
	const found = document.querySelector(selector)
	if (!(found instanceof HTMLElement)) throw new Error(`the page has no ${selector}`)
	return found
}

/** @param {number} ms */
function ms(ms) {
	return `${Math.round(ms)} ms`
}

/**
 * Run the example on the page: `openDatabase` starts PGlite with ruvector and runs CREATE EXTENSION (marking
 * `pglite-created` in between, when it can). Timings go to
 * the page and to `window.ruvectorTimings`; `<html data-state>` becomes `done` or `error` at the end.
 * @param {() => Promise<Database>} openDatabase
 */
export async function runPage(openDatabase) {
	const status = element('#status')
	const root = document.documentElement
	try {
		const dataPromise = fetchDocuments()
		const openStart = performance.now()
		const pg = await openDatabase()
		// performance.now() counts from the start of navigation: this is page start to a usable extension.
		const extensionReadyMs = performance.now()
		// openDatabase may mark when PGlite itself is up, so CREATE EXTENSION can be told apart from PGlite's start
		const created = performance.getEntriesByName('pglite-created')[0]?.startTime
		const bundle = performance.getEntriesByType('resource').find((entry) => /\/ruvector[^/]*\.gz$/.test(entry.name)) // Vite renames it ruvector.tar-<hash>.gz
		status.textContent = `ruvector ready ${ms(extensionReadyMs)} after page start; loading documents…`

		const { records, vectors } = await dataPromise
		const fillStart = performance.now()
		await fillTable(pg, records, vectors)
		const fillMs = performance.now() - fillStart

		const wanted = new URLSearchParams(location.search).get('doc') ?? DEFAULT_DOC
		const index = records.findIndex((r) => r.id === wanted)
		if (index < 0) throw new Error(`no document ${wanted}`)
		const searchStart = performance.now()
		const hits = await nearest(pg, vectors.subarray(index * DIMS, (index + 1) * DIMS))
		const searchMs = performance.now() - searchStart
		const indexed = await usesIndex(pg)

		element('#query').textContent = /** @type {DocRecord} */ (records[index]).title
		const body = element('#results tbody')
		body.replaceChildren(
			...hits.map((hit) => {
				const row = document.createElement('tr')
				row.dataset['doc'] = hit.doc
				for (const text of [String(hit.rank), hit.distance.toFixed(4), hit.title]) {
					const cell = document.createElement('td')
					cell.textContent = text
					row.append(cell)
				}
				return row
			})
		)
		const timings = {
			extensionReadyMs,
			openMs: extensionReadyMs - openStart,
			createExtensionMs: created === undefined ? null : extensionReadyMs - created,
			bundle: bundle
				? {
						url: bundle.name,
						fetchMs: bundle.duration,
						bytes: /** @type {PerformanceResourceTiming} */ (bundle).encodedBodySize,
					}
				: null,
			fillMs,
			searchMs,
			indexed,
		}
		Object.assign(window, { ruvectorTimings: timings })
		status.textContent =
			`ruvector usable ${ms(extensionReadyMs)} after page start (PGlite start with the extension and CREATE ` +
			`EXTENSION: ${ms(timings.openMs)}); ${records.length} documents loaded and indexed in ${ms(fillMs)}; ` +
			`search ${searchMs.toFixed(1)} ms${indexed ? ' through the HNSW index' : ''}.`
		root.dataset['state'] = 'done'
	} catch (err) {
		status.textContent = `failed: ${err instanceof Error ? err.message : String(err)}`
		root.dataset['state'] = 'error'
		throw err
	}
}
