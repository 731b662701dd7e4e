// The ratios the benchmark is read by, and the plain-text table printed after each data set.

/** @typedef {import('./engine.mjs').EngineResult} EngineResult */
/** @typedef {import('./engine.mjs').SweepPoint} SweepPoint */

export const RECALL_TARGET = 0.95

/**
 * @typedef {object} OperatingPoint the first ef_search (smallest swept) whose mean recall reaches the target
 * @property {number} efSearch
 * @property {number} recall
 * @property {number} msPerQuery
 * @property {number} cpuMsPerQuery
 * @property {number} timesFloor msPerQuery over the engine's own primary-key lookup time
 */

/**
 * @typedef {object} Summary
 * @property {number} recallTarget
 * @property {number} buildTimeRatio ruvector / pgvector, wall time
 * @property {number} buildCpuRatio ruvector / pgvector, CPU time of the process
 * @property {number} indexSizeRatio ruvector / pgvector
 * @property {number} exactScanRatio ruvector / pgvector, ms per exact (sequential scan) query
 * @property {OperatingPoint | null} ruvector null when no swept ef_search reaches the target
 * @property {OperatingPoint | null} pgvector
 * @property {number | null} queryTimeRatio ruvector / pgvector at their operating points, wall time
 * @property {number | null} queryCpuRatio the same in CPU time
 */

/**
 * @param {EngineResult} result
 * @returns {OperatingPoint | null}
 */
function operatingPoint(result) {
	const point = result.sweep.find((p) => p.recall >= RECALL_TARGET)
	if (!point) return null
	const { efSearch, recall, msPerQuery, cpuMsPerQuery } = point
	return { efSearch, recall, msPerQuery, cpuMsPerQuery, timesFloor: msPerQuery / result.floor.msPerQuery }
}

/**
 * @param {EngineResult} ours
 * @param {EngineResult} pgvector
 * @returns {Summary}
 */
export function summarize(ours, pgvector) {
	const a = operatingPoint(ours)
	const b = operatingPoint(pgvector)
	return {
		recallTarget: RECALL_TARGET,
		buildTimeRatio: ours.build.ms / pgvector.build.ms,
		buildCpuRatio: ours.build.cpuMs / pgvector.build.cpuMs,
		indexSizeRatio: ours.build.indexBytes / pgvector.build.indexBytes,
		exactScanRatio: ours.exact.msPerQuery / pgvector.exact.msPerQuery,
		ruvector: a,
		pgvector: b,
		queryTimeRatio: a && b ? a.msPerQuery / b.msPerQuery : null,
		queryCpuRatio: a && b ? a.cpuMsPerQuery / b.cpuMsPerQuery : null,
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

/** @param {number | null} x */
function ratio(x) {
	return x === null ? 'n/a' : x.toFixed(2)
}

/**
 * @param {OperatingPoint | null} p
 * @param {EngineResult} result
 */
function pointText(p, result) {
	if (!p) return `none (best ${Math.max(...result.sweep.map((s) => s.recall)).toFixed(3)})`
	return `ef ${p.efSearch}: ${duration(p.msPerQuery)}, ${p.timesFloor.toFixed(1)}× floor`
}

/**
 * The table for one data set.
 * @param {{ name: string, description: string, metric: string, dims: number, count: number, queryCount: number }} data
 * @param {{ m: number, efConstruction: number }} settings
 * @param {EngineResult} ours
 * @param {EngineResult} pgvector
 * @param {Summary} summary
 */
export function table(data, settings, ours, pgvector, summary) {
	/** @type {string[][]} */
	const rows = [
		['', 'ruvector', 'pgvector', 'ruv/pgv'],
		[
			'load (binary COPY)',
			duration(ours.load.ms),
			duration(pgvector.load.ms),
			ratio(ours.load.ms / pgvector.load.ms),
		],
		['CREATE INDEX hnsw', duration(ours.build.ms), duration(pgvector.build.ms), ratio(summary.buildTimeRatio)],
		[
			'CREATE INDEX hnsw, CPU time',
			duration(ours.build.cpuMs),
			duration(pgvector.build.cpuMs),
			ratio(summary.buildCpuRatio),
		],
		['index size', size(ours.build.indexBytes), size(pgvector.build.indexBytes), ratio(summary.indexSizeRatio)],
		[
			'wasm heap after build',
			size(ours.memory.wasmHeapAfterBytes),
			size(pgvector.memory.wasmHeapAfterBytes),
			ratio(ours.memory.wasmHeapAfterBytes / pgvector.memory.wasmHeapAfterBytes),
		],
		[
			'exact scan / query',
			duration(ours.exact.msPerQuery),
			duration(pgvector.exact.msPerQuery),
			ratio(summary.exactScanRatio),
		],
		[
			'PK lookup / query (floor)',
			duration(ours.floor.msPerQuery),
			duration(pgvector.floor.msPerQuery),
			ratio(ours.floor.msPerQuery / pgvector.floor.msPerQuery),
		],
		['planner picks index', String(ours.plannerChoseIndex), String(pgvector.plannerChoseIndex), ''],
		[
			`VACUUM after deleting ${ours.vacuum.deletedRows} rows`,
			duration(ours.vacuum.ms),
			duration(pgvector.vacuum.ms),
			ratio(ours.vacuum.ms / pgvector.vacuum.ms),
		],
		[
			`  then recall of the rows kept (ef_search ${ours.vacuum.efSearch})`,
			ours.vacuum.recall.toFixed(3),
			pgvector.vacuum.recall.toFixed(3),
			'',
		],
	]
	for (const [i, p] of ours.sweep.entries()) {
		const q = /** @type {SweepPoint} */ (pgvector.sweep[i])
		rows.push([
			`ef_search ${p.efSearch}: recall, ms/q (CPU)`,
			`${p.recall.toFixed(3)}  ${duration(p.msPerQuery)} (${duration(p.cpuMsPerQuery)})`,
			`${q.recall.toFixed(3)}  ${duration(q.msPerQuery)} (${duration(q.cpuMsPerQuery)})`,
			`${ratio(p.msPerQuery / q.msPerQuery)} (${ratio(p.cpuMsPerQuery / q.cpuMsPerQuery)})`,
		])
	}
	rows.push([
		`first ef with recall >= ${RECALL_TARGET}`,
		pointText(summary.ruvector, ours),
		pointText(summary.pgvector, pgvector),
		`${ratio(summary.queryTimeRatio)} (${ratio(summary.queryCpuRatio)})`,
	])
	const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
	const pad = (/** @type {string} */ cell, /** @type {number} */ c) =>
		c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)
	const lines = rows.map((r) => r.map(pad).join('  '))
	const header =
		`${data.name}: ${data.count} × ${data.dims}, ${data.metric}, ${data.queryCount} queries, recall@10, ` +
		`m ${settings.m}, ef_construction ${settings.efConstruction}\n  ${data.description}`
	return `${header}\n${lines.map((l) => `  ${l}`).join('\n')}\n`
}
