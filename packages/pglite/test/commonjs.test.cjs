// The CommonJS build: require() finds it, it locates the bundle next to index.cjs (also in a folder whose name
// needs URL escaping), and PGlite's own CommonJS build loads the extension through it.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { test } = require('node:test')
const { fileURLToPath } = require('node:url')

const dist = path.dirname(require.resolve('@ruvector/pglite'))

test('require() resolves dist/index.cjs and its bundle beside it', async () => {
	assert.equal(path.basename(require.resolve('@ruvector/pglite')), 'index.cjs')
	const { ruvector } = require('@ruvector/pglite')
	assert.equal(ruvector.name, 'ruvector')
	const setup = await ruvector.setup(/** @type {never} */ (undefined), { marker: 1 })
	assert.deepEqual(setup.emscriptenOpts, { marker: 1 }, 'emscriptenOpts pass through unchanged')
	assert.equal(fileURLToPath(setup.bundlePath), path.join(dist, 'ruvector.tar.gz'))
	assert.ok(fs.existsSync(setup.bundlePath), 'the bundle is in dist/')
})

test('the bundle URL stays right in a folder named with #, % and spaces', async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ruvector #1 %20 '))
	try {
		fs.copyFileSync(path.join(dist, 'index.cjs'), path.join(dir, 'index.cjs'))
		fs.copyFileSync(path.join(dist, 'ruvector.tar.gz'), path.join(dir, 'ruvector.tar.gz'))
		const { ruvector } = require(path.join(dir, 'index.cjs'))
		const { bundlePath } = await ruvector.setup(/** @type {never} */ (undefined), {})
		assert.equal(fileURLToPath(bundlePath), path.join(dir, 'ruvector.tar.gz'))
		assert.ok(fs.existsSync(bundlePath))
	} finally {
		fs.rmSync(dir, { recursive: true })
	}
})

test('CommonJS PGlite loads the extension', async () => {
	const { PGlite } = require('@electric-sql/pglite')
	const { ruvector } = require('@ruvector/pglite')
	const pg = await PGlite.create({ extensions: { ruvector } })
	try {
		await pg.exec('CREATE EXTENSION ruvector')
		const got = await pg.query("SELECT '[1,2,2]'::vector <-> '[0,0,0]' AS d")
		assert.deepEqual(got.rows, [{ d: 3 }])
	} finally {
		await pg.close()
	}
})
