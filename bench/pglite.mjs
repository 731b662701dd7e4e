// ruvector vs pgvector 0.8.7, side by side in PGlite 0.5.16, on the same data, the same HNSW settings and the same
// queries. Per data set: JSON to build/bench/pglite-<name>.json and a table on stdout.
//
//   node --expose-gc bench/pglite.mjs            (make bench-pglite)
// Environment:
//   BENCH_DATASETS           comma list of fiori-docs, fashion-mnist, clustered (default: all three)
//   BENCH_SCALE=full         clustered 100000 × 384 with 1000 queries, Fashion-MNIST 60000 + 1000 queries
//   BENCH_FASHION_TRAIN/TEST base and query images (default 20000 / 200)
//   BENCH_CLUSTERED_COUNT/DIMS/QUERIES  (default 20000 / 384 / 200)
//   BENCH_M, BENCH_EF_CONSTRUCTION      HNSW build options for both engines (default 16 / 64)
//   BENCH_ENGINES=0          skip the ruvector/pgvector hnsw comparison (to measure only the parts below)
//   BENCH_IVF=0              skip flat and ivfflat (bench/ivf.mjs: against pgvector's sequential scan and ivfflat)
//   BENCH_IVFFLAT=0          measure flat but not ivfflat
//   BENCH_HNSW_QUANTIZED=0   skip hnsw per quantization (bench/hnsw_quantized.mjs); BENCH_HNSW_QUANTIZATIONS picks some
//   BENCH_OUT                output folder (default build/bench)
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { clustered, fashionMnist, fioriDocs, intEnv } from './datasets.mjs'
import { compareEngines } from './engine.mjs'
import { compareIvf, ivfTable, summarizeIvf } from './ivf.mjs'
import { compareQuantizedHnsw, quantizedHnswTable } from './hnsw_quantized.mjs'
import { groundTruth } from './exact.mjs'
import { summarize, table } from './report.mjs'

/** @typedef {import('./datasets.mjs').Dataset} Dataset */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const K = 10
const FULL = process.env['BENCH_SCALE'] === 'full'


/** @type {Record<string, () => Promise<Dataset> | Dataset>} */
const DATASETS = {
	'fiori-docs': () => fioriDocs(),
	'fashion-mnist': () =>
		fashionMnist(
			intEnv('BENCH_FASHION_TRAIN', FULL ? 60000 : 20000),
			intEnv('BENCH_FASHION_TEST', FULL ? 1000 : 200)
		),
	clustered: () =>
		clustered(
			intEnv('BENCH_CLUSTERED_COUNT', FULL ? 100000 : 20000),
			intEnv('BENCH_CLUSTERED_DIMS', 384),
			intEnv('BENCH_CLUSTERED_QUERIES', FULL ? 1000 : 200)
		),
}

/** @type {import('./engine.mjs').Settings} */
const settings = {
	m: intEnv('BENCH_M', 16),
	efConstruction: intEnv('BENCH_EF_CONSTRUCTION', 64),
	efSearch: [10, 20, 40, 80, 160, 320],
	exactQueries: 50,
	pkLookups: 2000,
	warmup: 100,
	maintenanceWorkMem: '1GB',
	rounds: 5,
}

const names = (process.env['BENCH_DATASETS'] ?? Object.keys(DATASETS).join(','))
	.split(',')
	.map((s) => s.trim())
	.filter((s) => s !== '')
for (const name of names)
	if (!(name in DATASETS)) throw new Error(`unknown data set ${name}: ${Object.keys(DATASETS).join(', ')}`)
const outDir = path.resolve(process.env['BENCH_OUT'] ?? path.join(ROOT, 'build', 'bench'))

/**
 * Progress on stderr: on a terminal one line that rewrites itself (at most 10 times a second); in a log file or a
 * pipe a plain line at most every 15 seconds, so a long run in CI still shows where it is.
 * @param {string} prefix
 */
function progressLine(prefix) {
	let last = 0
	const interval = process.stderr.isTTY ? 100 : 15000
	return (/** @type {string} */ stage) => {
		const now = performance.now()
		if (now - last < interval) return
		last = now
		if (process.stderr.isTTY)
			process.stderr.write(`\r\x1b[K${prefix}: ${stage}`.slice(0, (process.stderr.columns ?? 100) + 4))
		else process.stderr.write(`${prefix}: ${stage}\n`)
	}
}

/** @param {string} line */
function log(line) {
	if (process.stderr.isTTY) process.stderr.write('\r\x1b[K')
	process.stderr.write(`${line}\n`)
}

const pgliteVersion = JSON.parse(
	await readFile(path.join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')
).version
const machine = {
	cpu: os.cpus()[0]?.model ?? 'unknown',
	cores: os.cpus().length,
	memoryBytes: os.totalmem(),
	platform: `${os.type()} ${os.release()} ${os.arch()}`,
	node: process.version,
	pglite: pgliteVersion,
}

// Which ruvector ran: the bundle PGlite loads, and the commit of the work tree it was presumably built from.
const bundle = await readFile(path.join(ROOT, 'packages', 'pglite', 'dist', 'ruvector.tar.gz'))
/** @param {string[]} args */
function git(args) {
	try {
		return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
	} catch {
		return null
	}
}
const ruvectorBuild = {
	bundleSha256: createHash('sha256').update(bundle).digest('hex'),
	commit: git(['rev-parse', 'HEAD']),
	workTreeChanged: (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
}

await mkdir(outDir, { recursive: true })
const runStart = performance.now()
for (const name of names) {
	const started = performance.now()
	const loadBefore = os.loadavg()
	const data = await /** @type {() => Promise<Dataset> | Dataset} */ (DATASETS[name])()
	log(`${name}: ${data.count} × ${data.dims} (${data.metric}), ${data.queryCount} queries`)
	let start = performance.now()
	const truthProgress = progressLine(`${name}: exact neighbours in JavaScript`)
	const truth = groundTruth(data, K, (done, total) => truthProgress(`${done}/${total} queries`))
	const groundTruthMs = performance.now() - start

	globalThis.gc?.()
	start = performance.now()
	const engines =
		process.env['BENCH_ENGINES'] === '0' ? null : await compareEngines(data, truth, settings, progressLine(name))
	if (engines)
		log(
			`  build ruvector ${(engines[0].build.ms / 1000).toFixed(1)} s, ` +
				`pgvector ${(engines[1].build.ms / 1000).toFixed(1)} s; ` +
				`both engines measured in ${((performance.now() - start) / 1000).toFixed(1)} s`
		)
	const summary = engines && summarize(engines[0], engines[1])
	const ivf = process.env['BENCH_IVF'] === '0' ? null : await compareIvf(data, truth, settings, progressLine(name))
	const hnswQuantized = process.env['BENCH_HNSW_QUANTIZED'] === '0'
		? null
		: await compareQuantizedHnsw(data, truth, settings, progressLine(name))
	const { base: _base, queries: _queries, ...described } = data
	const file = path.join(outDir, `pglite-${name}.json`)
	const report = {
		date: new Date().toISOString(),
		machine,
		ruvectorBuild,
		dataset: described,
		settings: { ...settings, k: K, scale: FULL ? 'full' : 'default' },
		groundTruthMs,
		// Other processes on a shared machine skew timings: the load average before and after says how much.
		loadAverage: { before: loadBefore, after: os.loadavg() },
		wallMs: performance.now() - started,
		summary,
		engines: engines && { ruvector: engines[0], pgvector: engines[1] },
		ivf: ivf && { summary: summarizeIvf(ivf), ...ivf },
		hnswQuantized,
	}
	await writeFile(file, `${JSON.stringify(report, null, '\t')}\n`)
	if (engines && summary) process.stdout.write(`\n${table(data, settings, engines[0], engines[1], summary)}`)
	if (ivf) process.stdout.write(`\n${ivfTable(ivf)}`)
	if (hnswQuantized) process.stdout.write(`\n${quantizedHnswTable(hnswQuantized)}`)
	log(`  wrote ${path.relative(process.cwd(), file)} (${(report.wallMs / 1000).toFixed(0)} s)`)
}
log(`bench-pglite: ${names.length} data sets in ${((performance.now() - runStart) / 60000).toFixed(1)} min`)
