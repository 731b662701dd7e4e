// The same example in Node.js, Deno and Bun (the runtimes come from npm: the `deno` and `bun` packages). Each run's
// output must list the five documents nearest to the query document with their cosine distances, the same as an
// exact search in JavaScript (float64 over the float32 embeddings).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import path from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { DEFAULT_DOC, DIMS, NEIGHBOURS } from '../docs-search.mjs'
import { ROOT, readDocuments } from './chromium.mjs'

const run = promisify(execFile)
const BIN = path.join(ROOT, 'node_modules', '.bin')

/** The exact nearest documents to DEFAULT_DOC as the examples print them: "distance doc". */
async function exactNearest() {
	const { records, vectors } = await readDocuments()
	const q = records.findIndex((r) => r.id === DEFAULT_DOC)
	const row = (/** @type {number} */ i) => vectors.subarray(i * DIMS, (i + 1) * DIMS)
	const norm = (/** @type {Float32Array} */ v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0))
	const query = row(q)
	const all = records.map((r, i) => {
		const v = row(i)
		const dot = v.reduce((s, x, j) => s + x * /** @type {number} */ (query[j]), 0)
		return { doc: r.id, distance: 1 - dot / (norm(v) * norm(query)) }
	})
	return all.sort((a, b) => a.distance - b.distance).slice(0, NEIGHBOURS)
}

/** @param {string} stdout */
function parseOutput(stdout) {
	const lines = stdout.trim().split('\n')
	assert.equal(lines[0], `nearest to ${DEFAULT_DOC}:`)
	return lines.slice(1).map((line) => {
		const [distance, doc] = line.split(' ')
		return { doc, distance: Number(distance) }
	})
}

const expected = await exactNearest()

/** @type {Array<[string, string, string[]]>} */
const RUNTIMES = [
	['Node.js', process.execPath, ['examples/node.mjs']],
	['Deno', path.join(BIN, 'deno'), ['run', '--allow-read', '--allow-env', 'examples/deno.ts']],
	['Bun', path.join(BIN, 'bun'), ['examples/node.mjs']],
]

for (const [name, command, args] of RUNTIMES) {
	test(`the example in ${name} prints the exact nearest documents`, async () => {
		const { stdout } = await run(command, args, { cwd: ROOT, encoding: 'utf8' })
		const got = parseOutput(stdout)
		assert.deepEqual(
			got.map((h) => h.doc),
			expected.map((h) => h.doc)
		)
		for (const [i, hit] of got.entries())
			assert.ok(
				Math.abs(hit.distance - /** @type {{ distance: number }} */ (expected[i]).distance) <= 5e-5,
				`distance of ${hit.doc}`
			)
	})
}
