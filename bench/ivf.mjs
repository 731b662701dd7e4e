// flat and ivfflat: ruvector's flat index (every quantization) against pgvector's sequential scan, and ruvector's
// ivfflat (every quantization) against pgvector's ivfflat over a sweep of ivfflat.probes, each engine in its own PGlite
// instance of the same version, on the same queries. Also the floor an exact scan cannot beat: the SIMD distance pass
// alone over the same float32 vectors, one after another in a plain WebAssembly memory (core's kernel harness, the
// same kernels the side module runs).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
	METRIC_SQL,
	cpuMsSince,
	Prepared,
	Session,
	explain,
	interleaved,
	recallOfAnswers,
	scalar,
	timedLoop,
	usesIndex,
	writeVectorRecv,
} from './engine.mjs'

/** @typedef {import('./datasets.mjs').Dataset} Dataset */
/** @typedef {import('./exact.mjs').GroundTruth} GroundTruth */
/** @typedef {import('./engine.mjs').Settings} Settings */

export const QUANTIZATIONS = /** @type {const} */ (['none', 'sq8', 'binary'])
export const IVF_RECALL_TARGET = 0.95

/**
 * @typedef {object} Timed
 * @property {number} msPerQuery median over the rounds of each round's mean
 * @property {number} cpuMsPerQuery
 * @property {number} recall mean recall@k
 */

/**
 * @typedef {object} FlatResult
 * @property {string} quantization
 * @property {number} buildMs
 * @property {number} indexBytes
 * @property {boolean} plannerChoseIndex with default settings
 * @property {Timed} query
 * @property {{ wall: number, cpu: number }} timesFloor per round, query time over the SIMD floor's run just before;
 *   the median over the rounds (wall and CPU time)
 */

/**
 * @typedef {object} IvfIndexResult
 * @property {string} engine
 * @property {string} quantization
 * @property {number} buildMs
 * @property {number} indexBytes
 * @property {Array<Timed & { probes: number }>} sweep
 */

/**
 * @typedef {object} IvfResult
 * @property {number} queries
 * @property {number} lists
 * @property {{ msPerQuery: number, cpuMsPerQuery: number, bytes: number }} floor the SIMD pass over the float32
 *   vectors, per query (median over all the rounds it ran)
 * @property {{ ruvector: Timed, pgvector: Timed }} seqScan exact scan without an index
 * @property {FlatResult[]} flat
 * @property {IvfIndexResult[]} ivfflat
 */

const HARNESS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'build', 'core', 'wasm',
	'kernels_harness.wasm')
// simd_level::wasm_simd128 in core/include/ruvector/kernels.hpp
const WASM_SIMD128 = 4

/**
 * @typedef {object} Harness core's kernel harness (core/wasm/kernels_harness.cpp), built by make core-build
 * @property {WebAssembly.Memory} memory
 * @property {(level: number, query: number, base: number, count: number, dims: number) => number} rv_l2sq_scan
 */

/** @returns {Promise<Harness>} */
async function loadHarness() {
	// The harness reads RUVECTOR_SIMD through getenv: none set
	const { instance } = await WebAssembly.instantiate(await readFile(HARNESS), { env: { getenv: () => 0 } })
	return /** @type {Harness} */ (/** @type {unknown} */ (instance.exports))
}

/**
 * Prepare core's distance pass over all vectors in plain WebAssembly (SIMD128); each call of the result runs it for
 * the first `queries` queries and returns the wall and CPU time per query.
 * @param {Dataset} data
 * @param {number} queries
 */
async function simdFloor(data, queries) {
	const harness = await loadHarness()
	const bytes = data.count * data.dims * 4
	const memory = harness.memory
	const base = memory.buffer.byteLength
	memory.grow(Math.ceil((bytes + data.dims * 4 * queries) / 65536) + 1)
	new Float32Array(memory.buffer, base, data.count * data.dims).set(data.base)
	const queryBase = base + bytes
	new Float32Array(memory.buffer, queryBase, data.dims * queries).set(data.queries.subarray(0, data.dims * queries))
	const pass = () => {
		const cpuStart = process.cpuUsage()
		const start = performance.now()
		for (let q = 0; q < queries; q++)
			harness.rv_l2sq_scan(WASM_SIMD128, queryBase + q * data.dims * 4, base, data.count, data.dims)
		return { msPerQuery: (performance.now() - start) / queries, cpuMsPerQuery: cpuMsSince(cpuStart) / queries }
	}
	return { bytes, pass }
}

/** @param {number[]} values */
function median(values) {
	const sorted = [...values].sort((a, b) => a - b)
	return /** @type {number} */ (sorted[Math.floor(sorted.length / 2)])
}

/**
 * The probes swept for `lists` lists: powers of two up to all of them.
 * @param {number} lists
 */
function probeSweep(lists) {
	const probes = []
	for (let p = 1; p < lists; p *= 2) probes.push(p)
	probes.push(lists)
	return probes
}

/**
 * CREATE INDEX items_v_idx; returns its build time and size, and whether the planner picks it unprompted.
 * @param {Session} s
 * @param {string} method
 * @param {string} options
 * @param {Settings} settings
 */
async function buildIndex(s, method, options, settings) {
	const { pg, data } = s
	await pg.exec(`RESET enable_seqscan; SET maintenance_work_mem = '${settings.maintenanceWorkMem}'`)
	const start = performance.now()
	await pg.exec(
		`CREATE INDEX items_v_idx ON items USING ${method} (v ${METRIC_SQL[data.metric].opclass}) WITH (${options})`
	)
	const buildMs = performance.now() - start
	const indexBytes = Number(await scalar(pg, "SELECT pg_relation_size('items_v_idx')::float8"))
	const plannerChoseIndex = usesIndex(await explain(pg, s.knnSql, data))
	await pg.exec('RESET maintenance_work_mem; SET enable_seqscan = off')
	const plan = await explain(pg, s.knnSql, data)
	if (!usesIndex(plan)) throw new Error(`${s.name}: no ${method} index scan for ${s.knnSql}:\n${plan}`)
	return { buildMs, indexBytes, plannerChoseIndex }
}

/**
 * Measure flat and ivfflat against pgvector on one data set.
 * @param {Dataset} data
 * @param {GroundTruth} truth
 * @param {Settings} settings
 * @param {(stage: string) => void} progress
 * @returns {Promise<IvfResult>}
 */
export async function compareIvf(data, truth, settings, progress) {
	/** @type {Session[]} */
	const sessions = []
	try {
		for (const name of /** @type {const} */ (['ruvector', 'pgvector']))
			sessions.push(await Session.open(name, data, truth.k))
		for (const s of sessions) await s.load((stage) => progress(`${s.name} ${stage}`))
		const [ours, pgvector] = /** @type {[Session, Session]} */ (sessions)

		const queries = Math.min(settings.exactQueries, data.queryCount)
		const queryArgs = Array.from({ length: data.queryCount }, (_, q) => {
			const bytes = new Uint8Array(4 + 4 * data.dims)
			writeVectorRecv(new DataView(bytes.buffer), 0, data.queries, q, data.dims)
			return [bytes]
		})
		/** @param {number} i */
		const queryArg = (i) => /** @type {Uint8Array[]} */ (queryArgs[i])
		let statementCount = 0
		/**
		 * Time the k-NN query on each session (interleaved rounds), over the first `count` queries.
		 * @param {Session[]} on
		 * @param {string} label
		 * @param {number} count
		 * @returns {Promise<Timed[]>}
		 */
		const measure = async (on, label, count) => {
			const name = `q${statementCount++}`
			const statements = await Promise.all(on.map((s) => Prepared.create(s.pg, name, s.knnSql)))
			const measured = await interleaved(on, settings.rounds, (s) =>
				timedLoop(/** @type {Prepared} */ (statements[on.indexOf(s)]), count, 3, queryArg, (done) =>
					progress(`${s.name} ${label} ${done}/${count}`)
				)
			)
			return measured.map((m) => ({
				msPerQuery: m.msPerQuery,
				cpuMsPerQuery: m.cpuMsPerQuery,
				recall: recallOfAnswers(data, truth, m.answers).recall,
			}))
		}

		progress('SIMD floor')
		const floor = await simdFloor(data, queries)
		/** @type {Array<{ msPerQuery: number, cpuMsPerQuery: number }>} */
		const floorRuns = []
		const [seqOurs, seqPgvector] = /** @type {[Timed, Timed]} */ (await measure(sessions, 'sequential scan', queries))

		/** @type {FlatResult[]} */
		const flat = []
		for (const quantization of QUANTIZATIONS) {
			progress(`ruvector CREATE INDEX flat (${quantization})`)
			const built = await buildIndex(ours, 'flat', `quantization = '${quantization}'`, settings)
			// The floor runs right before each round of flat queries: a loaded machine slows both alike
			const statement = await Prepared.create(ours.pg, `flat_${quantization}`, ours.knnSql)
			/** @type {number[]} */
			const wallRatios = []
			/** @type {number[]} */
			const cpuRatios = []
			/** @type {number[]} */
			const means = []
			/** @type {number[]} */
			const cpuMeans = []
			/** @type {Array<Array<string | null>>} */
			let answers = []
			for (let round = 0; round < settings.rounds; round++) {
				const f = floor.pass()
				floorRuns.push(f)
				const run = await timedLoop(statement, queries, 3, queryArg, (done) =>
					progress(`ruvector flat ${quantization} ${done}/${queries}`)
				)
				const mean = run.times.reduce((a, b) => a + b, 0) / run.times.length
				means.push(mean)
				cpuMeans.push(run.cpuMsPerQuery)
				wallRatios.push(mean / f.msPerQuery)
				cpuRatios.push(run.cpuMsPerQuery / f.cpuMsPerQuery)
				answers = run.answers
			}
			const query = {
				msPerQuery: median(means),
				cpuMsPerQuery: median(cpuMeans),
				recall: recallOfAnswers(data, truth, answers).recall,
			}
			const timesFloor = { wall: median(wallRatios), cpu: median(cpuRatios) }
			flat.push({ quantization, ...built, query, timesFloor })
			await ours.pg.exec('DROP INDEX items_v_idx')
		}

		// pgvector's advice for up to a million rows: rows / 1000 lists
		const lists = Math.max(10, Math.round(data.count / 1000))
		/** @type {IvfIndexResult[]} */
		const ivfflat = []
		// BENCH_IVFFLAT=0 measures flat only
		if (process.env['BENCH_IVFFLAT'] !== '0') {
			const probes = probeSweep(lists)
			progress('pgvector CREATE INDEX ivfflat')
			const pgvectorBuilt = await buildIndex(pgvector, 'ivfflat', `lists = ${lists}`, settings)
			/** @type {IvfIndexResult} */
			const pgvectorIndex = { engine: 'pgvector', quantization: 'none', ...pgvectorBuilt, sweep: [] }
			ivfflat.push(pgvectorIndex)
			for (const quantization of QUANTIZATIONS) {
				progress(`ruvector CREATE INDEX ivfflat (${quantization})`)
				const built = await buildIndex(ours, 'ivfflat', `lists = ${lists}, quantization = '${quantization}'`, settings)
				/** @type {IvfIndexResult} */
				const index = { engine: 'ruvector', quantization, ...built, sweep: [] }
				for (const p of probes) {
					// pgvector runs beside the first ruvector index, so the two are timed in the same rounds
					const on = quantization === 'none' ? sessions : [ours]
					for (const s of on) await s.pg.exec(`SET ivfflat.probes = ${p}`)
					const measured = await measure(on, `ivfflat ${quantization} probes ${p}`, data.queryCount)
					index.sweep.push({ probes: p, .../** @type {Timed} */ (measured[0]) })
					if (on.length === 2) pgvectorIndex.sweep.push({ probes: p, .../** @type {Timed} */ (measured[1]) })
				}
				ivfflat.push(index)
				await ours.pg.exec('DROP INDEX items_v_idx')
			}
		}
		const floorResult = {
			msPerQuery: median(floorRuns.map((f) => f.msPerQuery)),
			cpuMsPerQuery: median(floorRuns.map((f) => f.cpuMsPerQuery)),
			bytes: floor.bytes,
		}
		return { queries, lists, floor: floorResult, seqScan: { ruvector: seqOurs, pgvector: seqPgvector }, flat, ivfflat }
	} finally {
		for (const s of sessions) await s.pg.close()
	}
}

/**
 * The first swept point reaching the recall target.
 * @param {IvfIndexResult} index
 */
function operatingPoint(index) {
	return index.sweep.find((p) => p.recall >= IVF_RECALL_TARGET) ?? null
}

/**
 * The ratios the flat and ivfflat results are read by.
 * @param {IvfResult} result
 */
export function summarizeIvf(result) {
	const pgvectorIvf = result.ivfflat.find((i) => i.engine === 'pgvector')
	const pgvectorPoint = pgvectorIvf ? operatingPoint(pgvectorIvf) : null
	return {
		flat: result.flat.map((f) => ({
			quantization: f.quantization,
			speedupOverPgvectorSeqScan: result.seqScan.pgvector.msPerQuery / f.query.msPerQuery,
			timesSimdFloor: f.timesFloor.wall,
			timesSimdFloorCpu: f.timesFloor.cpu,
		})),
		ivfflat: result.ivfflat
			.filter((i) => i.engine === 'ruvector')
			.map((i) => {
				const point = operatingPoint(i)
				return {
					quantization: i.quantization,
					buildTimeRatio: pgvectorIvf ? i.buildMs / pgvectorIvf.buildMs : null,
					indexSizeRatio: pgvectorIvf ? i.indexBytes / pgvectorIvf.indexBytes : null,
					probes: point?.probes ?? null,
					pgvectorProbes: pgvectorPoint?.probes ?? null,
					queryTimeRatio: point && pgvectorPoint ? point.msPerQuery / pgvectorPoint.msPerQuery : null,
				}
			}),
	}
}

/** @param {number} ms */
function duration(ms) {
	if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
	if (ms >= 10) return `${ms.toFixed(1)} ms`
	return `${ms.toFixed(3)} ms`
}

/** @param {number} bytes */
function size(bytes) {
	return `${(bytes / 2 ** 20).toFixed(1)} MiB`
}

/**
 * The flat and ivfflat table for one data set.
 * @param {IvfResult} result
 */
export function ivfTable(result) {
	const summary = summarizeIvf(result)
	/** @type {string[][]} */
	const rows = [['', 'build', 'size', 'ms/query', 'recall@10', 'vs pgvector']]
	rows.push(['SIMD floor (distances only)', '', size(result.floor.bytes), duration(result.floor.msPerQuery), '', ''])
	rows.push(['pgvector sequential scan', '', '', duration(result.seqScan.pgvector.msPerQuery),
		result.seqScan.pgvector.recall.toFixed(3), '1.00'])
	rows.push(['ruvector sequential scan', '', '', duration(result.seqScan.ruvector.msPerQuery),
		result.seqScan.ruvector.recall.toFixed(3),
		(result.seqScan.pgvector.msPerQuery / result.seqScan.ruvector.msPerQuery).toFixed(2) + 'x faster'])
	for (const [i, f] of result.flat.entries()) {
		const s = /** @type {(typeof summary.flat)[number]} */ (summary.flat[i])
		rows.push([`flat ${f.quantization}${f.plannerChoseIndex ? '' : ' (planner: seq scan)'}`, duration(f.buildMs),
			size(f.indexBytes), `${duration(f.query.msPerQuery)} (${s.timesSimdFloor.toFixed(2)}x floor, CPU ${s.timesSimdFloorCpu.toFixed(2)}x)`,
			f.query.recall.toFixed(3), `${s.speedupOverPgvectorSeqScan.toFixed(2)}x faster`])
	}
	for (const index of result.ivfflat) {
		const point = operatingPoint(index)
		rows.push([`ivfflat ${index.engine} ${index.quantization} (lists ${result.lists})`, duration(index.buildMs),
			size(index.indexBytes), point ? `${duration(point.msPerQuery)} at probes ${point.probes}` : 'target not reached',
			point ? point.recall.toFixed(3) : '', ''])
		for (const p of index.sweep)
			rows.push([`  probes ${p.probes}`, '', '', duration(p.msPerQuery), p.recall.toFixed(3), ''])
	}
	for (const s of summary.ivfflat)
		rows.push([`ivfflat ${s.quantization}: ruvector / pgvector`, s.buildTimeRatio?.toFixed(2) ?? 'n/a',
			s.indexSizeRatio?.toFixed(2) ?? 'n/a', s.queryTimeRatio?.toFixed(2) ?? 'n/a',
			`probes ${s.probes ?? '-'} vs ${s.pgvectorProbes ?? '-'}`, ''])
	const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? []
	const lines = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '))
	return `flat and ivfflat (recall target ${IVF_RECALL_TARGET} for ivfflat, ${result.queries} queries for exact scans)\n` +
		lines.map((l) => `  ${l}`).join('\n') + '\n'
}
