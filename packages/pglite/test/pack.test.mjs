// The published form: `npm pack` holds the built module, its types and the bundle and nothing else, and the tarball
// installs into a fresh project outside this repository (offline, from the tarball plus npm's cache) where ESM,
// CommonJS and strict TypeScript all use it.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))
const TSC = path.join(PACKAGE_DIR, '..', '..', 'node_modules', '.bin', 'tsc')
const manifest = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'))
const pglite = JSON.parse(
	readFileSync(path.join(PACKAGE_DIR, '..', '..', 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')
)

/** @type {string} */
let project
/** @type {{ filename: string, files: Array<{ path: string }> }} */
let packed

/** @param {string} command @param {string[]} args @param {string} cwd */
function run(command, args, cwd) {
	return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

before(() => {
	project = mkdtempSync(path.join(os.tmpdir(), 'ruvector-pack-'))
	packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', project], PACKAGE_DIR))[0]
	writeFileSync(
		path.join(project, 'package.json'),
		JSON.stringify({ name: 'pack-check', private: true, type: 'module' })
	)
	run(
		'npm',
		[
			'install',
			'--offline',
			'--no-audit',
			'--no-fund',
			`./${packed.filename}`,
			`@electric-sql/pglite@${pglite.version}`,
		],
		project
	)
})
after(() => {
	rmSync(project, { recursive: true, force: true })
})

test('the tarball holds dist (ESM, CJS, types, bundle), the README and package.json only', () => {
	const files = packed.files.map((f) => f.path).sort()
	for (const needed of [
		'dist/index.js',
		'dist/index.cjs',
		'dist/index.d.ts',
		'dist/index.d.cts',
		'dist/ruvector.tar.gz',
	])
		assert.ok(files.includes(needed), `${needed} is packed`)
	for (const file of files) assert.match(file, /^(dist\/|README\.md$|package\.json$)/, `${file} belongs in the package`)
	assert.equal(packed.filename, `ruvector-pglite-${manifest.version}.tgz`)
	assert.match(manifest.peerDependencies['@electric-sql/pglite'], /^>=0\.5\.0 <0\.6\.0$/)
})

test('an ES module in the fresh project searches with it', () => {
	writeFileSync(
		path.join(project, 'search.mjs'),
		`import { PGlite } from '@electric-sql/pglite'
import { ruvector, toSql, parseVector, version } from '@ruvector/pglite'
const pg = await PGlite.create({ extensions: { ruvector } })
await pg.exec('CREATE EXTENSION ruvector')
await pg.exec('CREATE TABLE t (id int, v vector(2)); CREATE INDEX ON t USING hnsw (v vector_l2_ops)')
for (let i = 0; i < 50; i++) await pg.query('INSERT INTO t VALUES ($1, $2)', [i, toSql([i, -i])])
const { rows } = await pg.query('SELECT id, v::text AS v FROM t ORDER BY v <-> $1 LIMIT 3', [toSql([10.2, -10.2])])
console.log(JSON.stringify({ version, rows: rows.map((r) => [r.id, Array.from(parseVector(r.v))]) }))
await pg.close()
`
	)
	const out = JSON.parse(run('node', ['search.mjs'], project))
	assert.deepEqual(out, {
		version: manifest.version,
		rows: [
			[10, [10, -10]],
			[11, [11, -11]],
			[9, [9, -9]],
		],
	})
})

test('require() in the fresh project loads the CommonJS build and the bundle beside it', () => {
	writeFileSync(
		path.join(project, 'search.cjs'),
		`const { PGlite } = require('@electric-sql/pglite')
const { ruvector, toSql } = require('@ruvector/pglite')
PGlite.create({ extensions: { ruvector } }).then(async (pg) => {
	await pg.exec('CREATE EXTENSION ruvector')
	const { rows } = await pg.query('SELECT $1::vector <=> $2::vector AS d', [toSql([1, 0]), toSql([0, 1])])
	console.log(JSON.stringify({ file: require.resolve('@ruvector/pglite'), d: rows[0].d }))
	await pg.close()
})
`
	)
	const out = JSON.parse(run('node', ['search.cjs'], project))
	assert.equal(out.d, 1)
	assert.equal(out.file, path.join(project, 'node_modules', '@ruvector', 'pglite', 'dist', 'index.cjs'))
})

test('strict TypeScript sees the types through the exports map, for import and for require', () => {
	writeFileSync(
		path.join(project, 'typed.mts'),
		`import { PGlite } from '@electric-sql/pglite'
import { ruvector, toSql, parseSparsevec, vectorParsers, type SparseVector } from '@ruvector/pglite'
const pg: PGlite = await PGlite.create({ extensions: { ruvector } })
const parsers = await vectorParsers(pg)
const sparse: SparseVector = parseSparsevec('{1:2}/3')
const text: string = toSql(new Float32Array(sparse.values))
// @ts-expect-error toSql takes numbers
toSql(['a'])
export { parsers, text }
`
	)
	writeFileSync(
		path.join(project, 'typed.cts'),
		`import rv = require('@ruvector/pglite')
const version: string = rv.version
export = version
`
	)
	const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022']
	run(TSC, [...args, '--skipLibCheck', 'typed.mts', 'typed.cts'], project)
})
