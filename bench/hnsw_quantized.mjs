// hnsw with quantization = 'none' | 'sq8' | 'binary' in ruvector alone (pgvector has no such option): per
// quantization, CREATE INDEX time (wall and CPU of the process), index size, the process's memory around the build,
// and recall@10 with time per query over the hnsw.ef_search sweep. Same data, queries and m / ef_construction as the
// engine comparison. Quantized scans return lower bounds that the executor re-ranks with exact distances, so the
// recall here is of exactly ordered rows.
import {
	METRIC_SQL,
	Prepared,
	Session,
	cpuMsSince,
	explain,
	interleaved,
	recallOfAnswers,
	scalar,
	timedLoop,
	usesIndex,
	writeVectorRecv,
} from './engine.mjs'
import { RECALL_TARGET } from './report.mjs'

/** @typedef {import('./datasets.mjs').Dataset} Dataset */
/** @typedef {import('./exact.mjs').GroundTruth} GroundTruth */
/** @typedef {import('./engine.mjs').Settings} Settings */

/**
 * @typedef {object} QuantizedIndex
 * @property {string} quantization
 * @property {number} buildMs
 * @property {number} buildCpuMs
 * @property {number} indexBytes
 * @property {{ rssBeforeBytes: number, rssAfterBytes: number, wasmHeapBytes: number }} memory
 *   process RSS around CREATE INDEX, and the instance's WebAssembly heap after it
 * @property {Array<{ efSearch: number, recall: number, minRecall: number, msPerQuery: number, cpuMsPerQuery: number }>} sweep
 */

/**
 * @param {string | undefined} text comma list, or undefined for all three
 */
function quantizations(text) {
	const all = ['none', 'sq8', 'binary']
	const chosen = (text ?? all.join(',')).split(',').map((s) => s.trim()).filter((s) => s !== '')
	for (const q of chosen) if (!all.includes(q)) throw new Error(`unknown quantization ${q}: ${all.join(', ')}`)
	return chosen
}

/**
 * Build and sweep one hnsw index per quantization on one data set.
 * @param {Dataset} data
 * @param {GroundTruth} truth
 * @param {Settings} settings
 * @param {(stage: string) => void} progress
 * @returns {Promise<{ m: number, efConstruction: number, indexes: QuantizedIndex[] }>}
 */
export async function compareQuantizedHnsw(data, truth, settings, progress) {
	const s = await Session.open('ruvector', data, truth.k)
	try {
		await s.load((stage) => progress(`ruvector ${stage}`))
		const queryArgs = Array.from({ length: data.queryCount }, (_, q) => {
			const bytes = new Uint8Array(4 + 4 * data.dims)
			writeVectorRecv(new DataView(bytes.buffer), 0, data.queries, q, data.dims)
			return [bytes]
		})
		/** @param {number} i */
		const queryArg = (i) => /** @type {Uint8Array[]} */ (queryArgs[i])
		/** @type {QuantizedIndex[]} */
		const indexes = []
		for (const quantization of quantizations(process.env['BENCH_HNSW_QUANTIZATIONS'])) {
			progress(`CREATE INDEX hnsw (${quantization})`)
			await s.pg.exec(`RESET enable_seqscan; SET maintenance_work_mem = '${settings.maintenanceWorkMem}'`)
			globalThis.gc?.()
			const rssBeforeBytes = process.memoryUsage().rss
			const cpuStart = process.cpuUsage()
			const start = performance.now()
			await s.pg.exec(
				`CREATE INDEX items_v_idx ON items USING hnsw (v ${METRIC_SQL[data.metric].opclass}) WITH (m = ${settings.m}, ` +
					`ef_construction = ${settings.efConstruction}, quantization = '${quantization}')`
			)
			const buildMs = performance.now() - start
			const buildCpuMs = cpuMsSince(cpuStart)
			const memory = {
				rssBeforeBytes,
				rssAfterBytes: process.memoryUsage().rss,
				wasmHeapBytes: s.pg.Module.wasmMemory.buffer.byteLength,
			}
			const indexBytes = Number(await scalar(s.pg, "SELECT pg_relation_size('items_v_idx')::float8"))
			await s.pg.exec('RESET maintenance_work_mem; SET enable_seqscan = off')
			const plan = await explain(s.pg, s.knnSql, data)
			if (!usesIndex(plan)) throw new Error(`no hnsw index scan for ${s.knnSql}:\n${plan}`)

			const statement = await Prepared.create(s.pg, `hnsw_${quantization}`, s.knnSql)
			/** @type {QuantizedIndex['sweep']} */
			const sweep = []
			for (const ef of settings.efSearch) {
				await s.pg.exec(`SET hnsw.ef_search = ${ef}`)
				const [m] = await interleaved([s], settings.rounds, () =>
					timedLoop(statement, data.queryCount, settings.warmup, queryArg, (done) =>
						progress(`hnsw ${quantization} ef_search ${ef}: ${done}/${data.queryCount} queries`)
					)
				)
				const measured = /** @type {import('./engine.mjs').Measured} */ (m)
				const { recall, minRecall } = recallOfAnswers(data, truth, measured.answers)
				sweep.push({ efSearch: ef, recall, minRecall, msPerQuery: measured.msPerQuery,
					cpuMsPerQuery: measured.cpuMsPerQuery })
			}
			indexes.push({ quantization, buildMs, buildCpuMs, indexBytes, memory, sweep })
			await s.pg.exec('RESET hnsw.ef_search; DROP INDEX items_v_idx')
		}
		return { m: settings.m, efConstruction: settings.efConstruction, indexes }
	} finally {
		await s.pg.close()
	}
}

/** @param {number} ms */
function duration(ms) {
	if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
	if (ms >= 10) return `${ms.toFixed(1)} ms`
	return `${ms.toFixed(3)} ms`
}

/** @param {number} bytes */
function mib(bytes) {
	return `${(bytes / 2 ** 20).toFixed(1)} MiB`
}

/**
 * The table for one data set.
 * @param {{ m: number, efConstruction: number, indexes: QuantizedIndex[] }} result
 */
export function quantizedHnswTable(result) {
	/** @type {string[][]} */
	const rows = [['', 'build (CPU)', 'size', 'RSS after build', 'ms/query (CPU)', 'recall@10']]
	for (const index of result.indexes) {
		const point = index.sweep.find((p) => p.recall >= RECALL_TARGET)
		rows.push([`hnsw ${index.quantization}`, `${duration(index.buildMs)} (${duration(index.buildCpuMs)})`,
			mib(index.indexBytes), mib(index.memory.rssAfterBytes),
			point ? `${duration(point.msPerQuery)} at ef_search ${point.efSearch}` : 'target not reached',
			point ? point.recall.toFixed(3) : ''])
		for (const p of index.sweep)
			rows.push([`  ef_search ${p.efSearch}`, '', '', '', `${duration(p.msPerQuery)} (${duration(p.cpuMsPerQuery)})`,
				p.recall.toFixed(3)])
	}
	const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? []
	const lines = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '))
	return `hnsw quantization, ruvector alone (m ${result.m}, ef_construction ${result.efConstruction}; ` +
		`recall target ${RECALL_TARGET})\n` + lines.map((l) => `  ${l}`).join('\n') + '\n'
}
