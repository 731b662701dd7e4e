// The browser examples in headless Chromium, each compared with the same search run in Node (PGlite + ruvector):
//   browser.html  PGlite and @ruvector/pglite imported from CDN-style paths; reports (does not assert) the time from
//                 page start to a usable extension
//   worker.html   PGlite + ruvector in a Web Worker (@electric-sql/pglite/worker), driven through PGliteWorker
//   examples/vite a Vite 7 build: the bundle must be emitted as an asset and found by the built package
// Screenshots and the timings go to build/examples.
import assert from 'node:assert/strict'
import { readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { build } from 'vite'
import { ARTIFACTS, ROOT, expectedInNode, openBrowser, runExamplePage } from './chromium.mjs'

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let session
/** @type {Awaited<ReturnType<typeof expectedInNode>>} */
let expected
before(async () => {
	// Vite warns about PGlite's use of eval; errors still fail the build.
	await build({ configFile: path.join(ROOT, 'examples', 'vite', 'vite.config.mjs'), logLevel: 'error' })
	;[session, expected] = await Promise.all([openBrowser(), expectedInNode()])
})
after(async () => {
	await session?.close()
})

/**
 * @typedef {object} PageTimings
 * @property {number} extensionReadyMs
 * @property {number} openMs
 * @property {number | null} createExtensionMs
 * @property {{ url: string, fetchMs: number, bytes: number } | null} bundle
 * @property {number} fillMs
 * @property {number} searchMs
 * @property {boolean} indexed
 */

test('browser.html shows the same nearest documents as Node, through the HNSW index', async (t) => {
	const page = await runExamplePage(session.browser, `${session.url}/browser.html`, 'browser.png')
	assert.equal(page.query, expected.title)
	assert.deepEqual(page.hits, expected.hits)
	assert.equal(page.hits[0]?.distance, '0.0000', 'the query document is its own nearest neighbour')
	const timings = /** @type {PageTimings} */ (page.timings)
	assert.equal(timings.indexed, true, 'the planner uses the HNSW index')
	assert.equal(
		timings.bundle?.url,
		`${session.url}/cdn/@ruvector/pglite/ruvector.tar.gz`,
		'the bundle comes from beside the module'
	)
	await writeFile(path.join(ARTIFACTS, 'browser-timings.json'), `${JSON.stringify(timings, null, '\t')}\n`)
	t.diagnostic(
		`page start to usable extension: ${timings.extensionReadyMs.toFixed(0)} ms (target < 500 ms); of which ` +
			`PGlite.create with ruvector ${(timings.openMs - (timings.createExtensionMs ?? 0)).toFixed(0)} ms, ` +
			`CREATE EXTENSION ${timings.createExtensionMs?.toFixed(0)} ms; the bundle (${timings.bundle?.bytes} bytes) ` +
			`fetched in ${timings.bundle?.fetchMs.toFixed(1)} ms`
	)
})

test('worker.html runs PGlite + ruvector in a Web Worker and shows the same nearest documents as Node', async (t) => {
	const page = await runExamplePage(session.browser, `${session.url}/worker.html`, 'worker.png')
	assert.equal(page.query, expected.title)
	assert.deepEqual(page.hits, expected.hits)
	const timings = /** @type {PageTimings} */ (page.timings)
	assert.equal(timings.indexed, true, 'the planner uses the HNSW index')
	// The worker fetched PGlite and the bundle: the page's own resource list has neither.
	assert.equal(timings.bundle, null)
	assert.ok(!page.resources.some((name) => name.endsWith('.wasm')), 'PGlite was not loaded on the main thread')
	assert.ok(
		page.resources.some((name) => name.endsWith('/pglite-worker.mjs')),
		'the worker script was loaded'
	)
	await writeFile(path.join(ARTIFACTS, 'worker-timings.json'), `${JSON.stringify(timings, null, '\t')}\n`)
	t.diagnostic(`page start to usable extension in the worker: ${timings.extensionReadyMs.toFixed(0)} ms`)
})

test('the Vite build emits the bundle and the built page searches with it', async () => {
	const assets = await readdir(path.join(ARTIFACTS, 'vite', 'assets'))
	const bundle = assets.find((name) => /^ruvector\.tar-[\w-]+\.gz$/.test(name))
	assert.ok(bundle, `the bundle is among the assets: ${assets.join(', ')}`)
	const page = await runExamplePage(session.browser, `${session.url}/vite/`, 'vite.png')
	assert.deepEqual(page.hits, expected.hits)
	const timings = /** @type {PageTimings} */ (page.timings)
	assert.equal(timings.bundle?.url, `${session.url}/vite/assets/${bundle}`, 'the package fetched the emitted asset')
})
