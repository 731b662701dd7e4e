// What the browser tests share: Debian's Chromium driven by playwright-core, the examples' server, and the same
// search run in Node with PGlite + ruvector, which is what a page must show.
import assert from 'node:assert/strict'
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { getEmbeddingsPath } from '@sap-ux/fiori-docs-embeddings'
import { ruvector } from '@ruvector/pglite'
import { chromium } from 'playwright-core'
import { DEFAULT_DOC, DIMS, fillTable, nearest, parseDocuments } from '../docs-search.mjs'
import { startServer } from '../serve.mjs'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** Screenshots and timings of the browser tests. */
export const ARTIFACTS = path.join(ROOT, 'build', 'examples')
const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium'
// Two shared cores: starting PGlite and loading 778 documents can take a while under load.
const PAGE_TIMEOUT_MS = 180_000

/** Start the server and Chromium; `close` stops both. */
export async function openBrowser() {
	await mkdir(ARTIFACTS, { recursive: true })
	const { server, url } = /** @type {{ server: import('node:http').Server, url: string }} */ (await startServer())
	const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
	return {
		url,
		browser,
		async close() {
			await browser.close()
			await new Promise((done) => server.close(done))
		},
	}
}

/** @typedef {{ rank: number, doc: string, distance: string, title: string }} RenderedHit */

/**
 * Open a page, wait until the example is done, save a screenshot, and return what the page rendered.
 * @param {import('playwright-core').Browser} browser
 * @param {string} url
 * @param {string} screenshot file name under build/examples
 */
export async function runExamplePage(browser, url, screenshot) {
	const page = await browser.newPage({ viewport: { width: 1000, height: 620 } })
	/** @type {string[]} */
	const errors = []
	page.on('pageerror', (err) => errors.push(err.message))
	page.on('console', (msg) => {
		if (msg.type() === 'error') errors.push(msg.text())
	})
	page.on('response', (response) => {
		if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`)
	})
	try {
		await page.goto(url)
		await page.waitForSelector('html[data-state]', { timeout: PAGE_TIMEOUT_MS })
		await page.screenshot({ path: path.join(ARTIFACTS, screenshot), fullPage: true })
		const state = await page.getAttribute('html', 'data-state')
		const status = await page.textContent('#status')
		assert.equal(state, 'done', `the page failed: ${status}; errors: ${errors.join('; ')}`)
		assert.deepEqual(errors, [], 'no errors in the page')
		const hits = await page.$$eval('#results tbody tr', (rows) =>
			rows.map((row) => {
				const cells = Array.from(row.querySelectorAll('td'), (td) => td.textContent ?? '')
				return {
					rank: Number(cells[0]),
					doc: row.getAttribute('data-doc') ?? '',
					distance: cells[1] ?? '',
					title: cells[2] ?? '',
				}
			})
		)
		const timings = await page.evaluate(() => /** @type {{ ruvectorTimings?: unknown }} */ (window).ruvectorTimings)
		const resources = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name))
		return {
			hits,
			timings: /** @type {Record<string, unknown>} */ (timings),
			status,
			resources,
			query: await page.textContent('#query'),
		}
	} finally {
		await page.close()
	}
}

/** The data set from disk, as the pages get it over HTTP. */
export async function readDocuments() {
	const dir = getEmbeddingsPath()
	const [jsonl, embeddings] = await Promise.all([
		readFile(path.join(dir, 'records.jsonl'), 'utf8'),
		readFile(path.join(dir, 'embeddings.bin')),
	])
	return parseDocuments(jsonl, new Uint8Array(embeddings).buffer)
}

/**
 * What the page must show: the same table, index and query in PGlite + ruvector in Node, as rendered text.
 * @returns {Promise<{ title: string, hits: RenderedHit[] }>}
 */
export async function expectedInNode() {
	const { records, vectors } = await readDocuments()
	const pg = await PGlite.create({ extensions: { ruvector } })
	try {
		await pg.exec('CREATE EXTENSION ruvector')
		await fillTable(pg, records, vectors)
		const index = records.findIndex((r) => r.id === DEFAULT_DOC)
		const hits = await nearest(pg, vectors.subarray(index * DIMS, (index + 1) * DIMS))
		return {
			title: /** @type {{ title: string }} */ (records[index]).title,
			hits: hits.map((h) => ({ rank: h.rank, doc: h.doc, distance: h.distance.toFixed(4), title: h.title })),
		}
	} finally {
		await pg.close()
	}
}
