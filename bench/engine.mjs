// ruvector and pgvector, each in its own PGlite instance of the same version: load a data set, time an exact scan,
// build an HNSW index, sweep hnsw.ef_search, and time a primary-key lookup as PGlite's own per-statement floor.
// Queries go through named prepared statements over PGlite's wire-protocol entry point with the query vector bound
// in binary (vector_recv), so neither SQL parsing nor a vector text literal is part of a measured query.
import { PGlite, protocol } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { ruvector } from '@ruvector/pglite'
import { recallOf } from './exact.mjs'

/** @typedef {import('./datasets.mjs').Dataset} Dataset */
/** @typedef {import('./exact.mjs').GroundTruth} GroundTruth */
/** @typedef {'ruvector' | 'pgvector'} EngineName */

/**
 * @typedef {object} Settings
 * @property {number} m
 * @property {number} efConstruction
 * @property {number[]} efSearch values of hnsw.ef_search to sweep
 * @property {number} exactQueries how many queries the exact scan is timed on
 * @property {number} pkLookups how many primary-key lookups time the floor
 * @property {number} warmup queries run untimed before each timed loop
 * @property {string} maintenanceWorkMem for CREATE INDEX, the same for both engines
 * @property {number} rounds timed loops are repeated this often per engine, alternating which goes first
 */

/**
 * @typedef {object} SweepPoint
 * @property {number} efSearch
 * @property {number} recall mean recall@k over all queries
 * @property {number} minRecall the worst query's recall
 * @property {number} msPerQuery wall time of one query, from bind to the last row: the median of the rounds' means
 * @property {number} cpuMsPerQuery the same in CPU time of the process
 * @property {number} p50Ms
 * @property {number} p95Ms
 * @property {boolean} stable every round returned the same rows
 */

/**
 * @typedef {object} EngineResult
 * @property {EngineName} engine
 * @property {string} extension CREATE EXTENSION name and version
 * @property {{ ms: number, cpuMs: number, rowsPerSecond: number, vacuumAnalyzeMs: number, tableBytes: number }} load
 * @property {{ queries: number, msPerQuery: number, cpuMsPerQuery: number, recall: number }} exact
 * @property {{ ms: number, cpuMs: number, indexBytes: number, notices: string[] }} build
 * @property {{ rssBeforeBytes: number, rssAfterBytes: number, wasmHeapBeforeBytes: number,
 *   wasmHeapAfterBytes: number }} memory
 *   process RSS (both engines' instances live in the process) and this instance's WebAssembly heap, around CREATE INDEX
 * @property {{ lookups: number, msPerQuery: number, cpuMsPerQuery: number }} floor
 * @property {boolean} plannerChoseIndex whether the planner picks the index for the k-NN query with default settings
 * @property {string} plan EXPLAIN of the measured k-NN query (enable_seqscan off)
 * @property {SweepPoint[]} sweep
 * @property {VacuumResult} vacuum
 */

/**
 * @typedef {object} VacuumResult after the sweep: every tenth row deleted, then a timed VACUUM
 * @property {number} deletedRows
 * @property {number} ms wall time of the VACUUM
 * @property {number} cpuMs
 * @property {number} indexBytes the index's size after it
 * @property {number} efSearch the setting the recall after it is measured at
 * @property {number} recall mean over the queries of the share of their true neighbours still in the table that a
 *   search returns: the deletes take rows out of the ground truth, and a sound repair keeps finding the rest
 */

/** @type {Record<EngineName, { extension: import('@electric-sql/pglite').Extension, sqlName: string }>} */
const ENGINES = {
	ruvector: { extension: ruvector, sqlName: 'ruvector' },
	pgvector: { extension: vector, sqlName: 'vector' },
}

export const METRIC_SQL = {
	l2: { operator: '<->', opclass: 'vector_l2_ops' },
	cosine: { operator: '<=>', opclass: 'vector_cosine_ops' },
}

// Rows per COPY: a few MB per /dev/blob file keeps the copy inside the WebAssembly heap small.
const COPY_ROWS = 5000
const COPY_SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]

/**
 * A binary COPY file with columns (id int4, v vector) for rows first..last-1 of `vectors`; ids are 1-based.
 * @param {Float32Array} vectors
 * @param {number} dims
 * @param {number} first
 * @param {number} last
 */
function copyFile(vectors, dims, first, last) {
	const rowBytes = 2 + 4 + 4 + 4 + 4 + 4 * dims
	const bytes = new Uint8Array(COPY_SIGNATURE.length + 8 + (last - first) * rowBytes + 2)
	const view = new DataView(bytes.buffer)
	bytes.set(COPY_SIGNATURE, 0)
	let at = COPY_SIGNATURE.length + 8 // flags and header extension length stay 0
	for (let i = first; i < last; i++) {
		view.setInt16(at, 2)
		view.setInt32(at + 2, 4)
		view.setInt32(at + 6, i + 1)
		view.setInt32(at + 10, 4 + 4 * dims)
		at += 14
		at = writeVectorRecv(view, at, vectors, i, dims)
	}
	view.setInt16(at, -1)
	return bytes
}

/**
 * vector_send's layout (int16 dim, int16 unused, float4[dim], big-endian) of row `row`, written at `at`.
 * @param {DataView} view
 * @param {number} at
 * @param {Float32Array} vectors
 * @param {number} row
 * @param {number} dims
 * @returns {number} the offset after it
 */
export function writeVectorRecv(view, at, vectors, row, dims) {
	view.setInt16(at, dims)
	view.setInt16(at + 2, 0)
	at += 4
	for (let j = 0; j < dims; j++, at += 4) view.setFloat32(at, /** @type {number} */ (vectors[row * dims + j]))
	return at
}

/** @param {Uint8Array[]} parts */
function concat(parts) {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
	let at = 0
	for (const p of parts) {
		out.set(p, at)
		at += p.length
	}
	return out
}

/** A named prepared statement, executed with Bind/Execute/Sync messages. */
export class Prepared {
	/**
	 * @param {PGlite} pg
	 * @param {string} name
	 */
	constructor(pg, name) {
		this.pg = pg
		this.name = name
	}

	/**
	 * @param {PGlite} pg
	 * @param {string} name
	 * @param {string} sql
	 */
	static async create(pg, name, sql) {
		await pg.execProtocol(concat([protocol.serialize.parse({ name, text: sql }), protocol.serialize.sync()]))
		return new Prepared(pg, name)
	}

	/**
	 * Run it and return the first column of every row. Uint8Array values are bound in binary, strings as text.
	 * @param {Array<string | Uint8Array>} values
	 */
	async firstColumn(values) {
		// Each serialize call may reuse its buffer, so each message is copied into the batch before the next one.
		const message = concat([
			protocol.serialize.bind({ statement: this.name, values }),
			protocol.serialize.execute(),
			protocol.serialize.sync(),
		])
		const { messages } = await this.pg.execProtocol(message, { syncToFs: false })
		/** @type {Array<string | null>} */
		const column = []
		for (const m of messages) if (m instanceof protocol.messages.DataRowMessage) column.push(m.fields[0] ?? null)
		return column
	}
}

/** @param {number[]} values */
function median(values) {
	const sorted = [...values].sort((a, b) => a - b)
	return /** @type {number} */ (sorted[Math.floor(sorted.length / 2)])
}

/** @param {number[]} sorted @param {number} p */
function percentile(sorted, p) {
	return /** @type {number} */ (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))])
}

/** @typedef {{ answers: Array<Array<string | null>>, times: number[], cpuMsPerQuery: number }} LoopResult */

/**
 * Run `count` queries through `statement` with `args(i)`, after `warmup` untimed ones; time each.
 * @param {Prepared} statement
 * @param {number} count
 * @param {number} warmup
 * @param {(i: number) => Array<string | Uint8Array>} args
 * @param {(done: number) => void} tick
 * @returns {Promise<LoopResult>}
 */
export async function timedLoop(statement, count, warmup, args, tick) {
	for (let i = 0; i < Math.min(warmup, count); i++) await statement.firstColumn(args(i))
	/** @type {Array<Array<string | null>>} */
	const answers = []
	const times = []
	const cpuStart = process.cpuUsage()
	for (let i = 0; i < count; i++) {
		const start = performance.now()
		answers.push(await statement.firstColumn(args(i)))
		times.push(performance.now() - start)
		if ((i & 15) === 15) tick(i + 1)
	}
	return { answers, times, cpuMsPerQuery: cpuMsSince(cpuStart) / count }
}

/**
 * CPU time of this process (all threads, user + system) since `start`, in ms: unlike wall time, it does not grow
 * while other processes hold the cores.
 * @param {NodeJS.CpuUsage} start
 */
export function cpuMsSince(start) {
	const used = process.cpuUsage(start)
	return (used.user + used.system) / 1000
}

/**
 * Mean and worst recall of a loop's answers.
 * @param {Dataset} data
 * @param {GroundTruth} truth
 * @param {Array<Array<string | null>>} answers
 */
export function recallOfAnswers(data, truth, answers) {
	let sum = 0
	let min = 1
	answers.forEach((rows, q) => {
		const r = recallOf(data, truth, q, rows.map(Number))
		sum += r
		min = Math.min(min, r)
	})
	return { recall: sum / answers.length, minRecall: min }
}

/**
 * @param {PGlite} pg
 * @param {string} sql
 */
export async function scalar(pg, sql) {
	const result = await pg.query(sql, [], { rowMode: 'array' })
	return /** @type {unknown[][]} */ (result.rows)[0]?.[0]
}

/** One engine's PGlite instance holding the data set. */
export class Session {
	/**
	 * @param {EngineName} name
	 * @param {PGlite} pg
	 * @param {string} extension
	 * @param {Dataset} data
	 * @param {string} knnSql
	 */
	constructor(name, pg, extension, data, knnSql) {
		this.name = name
		this.pg = pg
		this.extension = extension
		this.data = data
		this.knnSql = knnSql
	}

	/**
	 * A fresh PGlite with the engine's extension and an empty table for the data set.
	 * @param {EngineName} name
	 * @param {Dataset} data
	 * @param {number} k
	 */
	static async open(name, data, k) {
		const { extension, sqlName } = ENGINES[name]
		const pg = await PGlite.create({ extensions: { [sqlName]: extension } })
		await pg.exec(`CREATE EXTENSION ${sqlName}`)
		const version = String(await scalar(pg, `SELECT extversion FROM pg_extension WHERE extname = '${sqlName}'`))
		await pg.exec(`CREATE TABLE items (id int4 PRIMARY KEY, v vector(${data.dims}))`)
		const knnSql = `SELECT id FROM items ORDER BY v ${METRIC_SQL[data.metric].operator} $1::vector LIMIT ${k}`
		return new Session(name, pg, `${sqlName} ${version}`, data, knnSql)
	}

	/** @param {(stage: string) => void} progress */
	async load(progress) {
		const { pg, data } = this
		const cpuStart = process.cpuUsage()
		let start = performance.now()
		for (let first = 0; first < data.count; first += COPY_ROWS) {
			const last = Math.min(first + COPY_ROWS, data.count)
			const blob = new Blob([copyFile(data.base, data.dims, first, last)])
			await pg.query("COPY items (id, v) FROM '/dev/blob' WITH (FORMAT binary)", [], { blob })
			progress(`load ${last}/${data.count}`)
		}
		const ms = performance.now() - start
		const cpuMs = cpuMsSince(cpuStart)
		start = performance.now()
		await pg.exec('VACUUM ANALYZE items')
		const vacuumAnalyzeMs = performance.now() - start
		const tableBytes = Number(await scalar(pg, "SELECT pg_table_size('items')::float8"))
		const loaded = Number(await scalar(pg, 'SELECT count(*)::float8 FROM items'))
		if (loaded !== data.count) throw new Error(`${this.name}: ${loaded} rows loaded, ${data.count} expected`)
		return { ms, cpuMs, rowsPerSecond: data.count / (ms / 1000), vacuumAnalyzeMs, tableBytes }
	}

	/**
	 * CREATE INDEX, then check that the k-NN query uses it. The planner's own choice is recorded; sequential scans
	 * are then turned off in both engines alike, so the sweep measures the index even where a cost estimate prefers
	 * a scan of a small table.
	 * @param {Settings} settings
	 */
	async build(settings) {
		const { pg, data } = this
		await pg.exec(`SET maintenance_work_mem = '${settings.maintenanceWorkMem}'`)
		/** @type {string[]} */
		const notices = []
		const rssBeforeBytes = process.memoryUsage().rss
		const wasmHeapBeforeBytes = pg.Module.wasmMemory.buffer.byteLength
		const cpuStart = process.cpuUsage()
		const start = performance.now()
		await pg.query(
			`CREATE INDEX items_v_idx ON items USING hnsw (v ${METRIC_SQL[data.metric].opclass}) ` +
				`WITH (m = ${settings.m}, ef_construction = ${settings.efConstruction})`,
			[],
			{ onNotice: (n) => notices.push(n.message ?? '') }
		)
		const ms = performance.now() - start
		const cpuMs = cpuMsSince(cpuStart)
		const memory = {
			rssBeforeBytes,
			rssAfterBytes: process.memoryUsage().rss,
			wasmHeapBeforeBytes,
			wasmHeapAfterBytes: pg.Module.wasmMemory.buffer.byteLength,
		}
		await pg.exec('RESET maintenance_work_mem')
		const indexBytes = Number(await scalar(pg, "SELECT pg_relation_size('items_v_idx')::float8"))
		const plannerChoseIndex = usesIndex(await explain(pg, this.knnSql, data))
		await pg.exec('SET enable_seqscan = off')
		const plan = await explain(pg, this.knnSql, data)
		if (!usesIndex(plan))
			throw new Error(`${this.name}: no hnsw index scan for ${this.knnSql} even without seq scans:\n${plan}`)
		return { ms, cpuMs, indexBytes, notices, memory, plannerChoseIndex, plan }
	}

	/**
	 * Delete every tenth row, time the VACUUM that takes them out of the index, then search at `efSearch`.
	 * @param {Prepared} knn the k-NN statement
	 * @param {GroundTruth} truth
	 * @param {(i: number) => Uint8Array[]} queryArg
	 * @param {number} efSearch
	 * @returns {Promise<VacuumResult>}
	 */
	async deleteAndVacuum(knn, truth, queryArg, efSearch) {
		const { pg, data } = this
		const deletedRows = Number(await scalar(pg, 'WITH d AS (DELETE FROM items WHERE id % 10 = 0 RETURNING 1) SELECT count(*)::float8 FROM d'))
		const cpuStart = process.cpuUsage()
		const start = performance.now()
		await pg.exec('VACUUM items')
		const ms = performance.now() - start
		const cpuMs = cpuMsSince(cpuStart)
		const indexBytes = Number(await scalar(pg, "SELECT pg_relation_size('items_v_idx')::float8"))
		await pg.exec(`SET hnsw.ef_search = ${efSearch}`)
		let sum = 0
		for (let q = 0; q < data.queryCount; q++) {
			const returned = new Set((await knn.firstColumn(queryArg(q))).map(Number))
			const kept = Array.from(truth.ids.subarray(q * truth.k, (q + 1) * truth.k)).filter((id) => id % 10 !== 0)
			sum += kept.length === 0 ? 1 : kept.filter((id) => returned.has(id)).length / kept.length
		}
		return { deletedRows, ms, cpuMs, indexBytes, efSearch, recall: sum / data.queryCount }
	}
}

/**
 * @typedef {object} Measured
 * @property {number} msPerQuery median over the rounds of each round's mean
 * @property {number} cpuMsPerQuery the same in CPU time
 * @property {number} p50Ms over all rounds' queries
 * @property {number} p95Ms
 * @property {Array<Array<string | null>>} answers the first round's
 * @property {boolean} stable every round returned the same rows
 */

/**
 * Run the same timed loop `rounds` times on every session, alternating which engine goes first, so that load from
 * other processes on the machine falls on both alike.
 * @param {Session[]} sessions
 * @param {number} rounds
 * @param {(s: Session) => Promise<LoopResult>} loop
 * @returns {Promise<Measured[]>}
 */
export async function interleaved(sessions, rounds, loop) {
	const perSession = sessions.map(() => ({
		means: /** @type {number[]} */ ([]),
		cpuMeans: /** @type {number[]} */ ([]),
		times: /** @type {number[]} */ ([]),
		answers: /** @type {Array<Array<string | null>> | null} */ (null),
		stable: true,
	}))
	for (let round = 0; round < rounds; round++) {
		const order = sessions.map((_, i) => i)
		if (round % 2 === 1) order.reverse()
		for (const i of order) {
			const { answers, times, cpuMsPerQuery } = await loop(/** @type {Session} */ (sessions[i]))
			const acc = /** @type {(typeof perSession)[number]} */ (perSession[i])
			acc.means.push(times.reduce((a, b) => a + b, 0) / times.length)
			acc.cpuMeans.push(cpuMsPerQuery)
			acc.times.push(...times)
			if (acc.answers === null) acc.answers = answers
			else if (JSON.stringify(acc.answers) !== JSON.stringify(answers)) acc.stable = false
		}
	}
	return perSession.map((acc) => {
		const times = [...acc.times].sort((a, b) => a - b)
		return {
			msPerQuery: median(acc.means),
			cpuMsPerQuery: median(acc.cpuMeans),
			p50Ms: percentile(times, 0.5),
			p95Ms: percentile(times, 0.95),
			answers: acc.answers ?? [],
			stable: acc.stable,
		}
	})
}

/**
 * Measure ruvector and pgvector on one data set, each in its own PGlite instance, both open at once: loads and
 * builds one after the other, timed query loops interleaved.
 * @param {Dataset} data
 * @param {GroundTruth} truth
 * @param {Settings} settings
 * @param {(stage: string) => void} progress
 * @returns {Promise<[EngineResult, EngineResult]>}
 */
export async function compareEngines(data, truth, settings, progress) {
	/** @type {Session[]} */
	const sessions = []
	try {
		for (const name of /** @type {EngineName[]} */ (['ruvector', 'pgvector']))
			sessions.push(await Session.open(name, data, truth.k))
		/** @type {Array<Awaited<ReturnType<Session['load']>>>} */
		const loads = []
		for (const s of sessions) loads.push(await s.load((stage) => progress(`${s.name} ${stage}`)))

		const queryArgs = Array.from({ length: data.queryCount }, (_, q) => {
			const bytes = new Uint8Array(4 + 4 * data.dims)
			writeVectorRecv(new DataView(bytes.buffer), 0, data.queries, q, data.dims)
			return [bytes]
		})
		/** @param {number} i */
		const queryArg = (i) => /** @type {Uint8Array[]} */ (queryArgs[i])

		// Exact scans run before any index exists, so the planner has nothing but a sequential scan to choose.
		const exactCount = Math.min(settings.exactQueries, data.queryCount)
		const exactStatements = await Promise.all(sessions.map((s) => Prepared.create(s.pg, 'exact', s.knnSql)))
		const exact = await interleaved(sessions, settings.rounds, (s) =>
			timedLoop(/** @type {Prepared} */ (exactStatements[sessions.indexOf(s)]), exactCount, 3, queryArg, (done) =>
				progress(`${s.name} exact scan ${done}/${exactCount}`)
			)
		)

		/** @type {Array<Awaited<ReturnType<Session['build']>>>} */
		const builds = []
		for (const s of sessions) {
			progress(`${s.name} CREATE INDEX (m ${settings.m}, ef_construction ${settings.efConstruction})`)
			builds.push(await s.build(settings))
		}

		const pkIds = Array.from({ length: settings.pkLookups }, (_, i) => [String(((i * 7919) % data.count) + 1)])
		const pkStatements = await Promise.all(
			sessions.map((s) => Prepared.create(s.pg, 'pk', 'SELECT id FROM items WHERE id = $1'))
		)
		const floor = await interleaved(sessions, settings.rounds, (s) =>
			timedLoop(
				/** @type {Prepared} */ (pkStatements[sessions.indexOf(s)]),
				settings.pkLookups,
				settings.warmup,
				(i) => /** @type {string[]} */ (pkIds[i]),
				(done) => progress(`${s.name} primary-key lookups ${done}/${settings.pkLookups}`)
			)
		)
		for (const [i, f] of floor.entries())
			if (f.answers.some((rows, j) => rows.length !== 1 || rows[0] !== pkIds[j]?.[0]))
				throw new Error(`${sessions[i]?.name}: a primary-key lookup returned the wrong row`)

		const knnStatements = await Promise.all(sessions.map((s) => Prepared.create(s.pg, 'knn', s.knnSql)))
		/** @type {SweepPoint[][]} */
		const sweeps = sessions.map(() => [])
		for (const ef of settings.efSearch) {
			for (const s of sessions) await s.pg.exec(`SET hnsw.ef_search = ${ef}`)
			const measured = await interleaved(sessions, settings.rounds, (s) =>
				timedLoop(
					/** @type {Prepared} */ (knnStatements[sessions.indexOf(s)]),
					data.queryCount,
					settings.warmup,
					queryArg,
					(done) => progress(`${s.name} ef_search ${ef}: ${done}/${data.queryCount} queries`)
				)
			)
			for (const [i, m] of measured.entries()) {
				const { recall, minRecall } = recallOfAnswers(data, truth, m.answers)
				const { msPerQuery, cpuMsPerQuery, p50Ms, p95Ms, stable } = m
				sweeps[i]?.push({ efSearch: ef, recall, minRecall, msPerQuery, cpuMsPerQuery, p50Ms, p95Ms, stable })
			}
		}

		// Deletes last: they change the table every measurement above was taken on
		/** @type {VacuumResult[]} */
		const vacuums = []
		for (const [i, s] of sessions.entries()) {
			progress(`${s.name} DELETE a tenth of the rows, VACUUM`)
			vacuums.push(await s.deleteAndVacuum(/** @type {Prepared} */ (knnStatements[i]), truth, queryArg, 40))
		}

		const results = sessions.map((s, i) => {
			const e = /** @type {Measured} */ (exact[i])
			const built = /** @type {Awaited<ReturnType<Session['build']>>} */ (builds[i])
			const { ms, cpuMs, indexBytes, notices, memory, plannerChoseIndex, plan } = built
			return /** @type {EngineResult} */ ({
				engine: s.name,
				extension: s.extension,
				load: loads[i],
				exact: {
					queries: exactCount,
					msPerQuery: e.msPerQuery,
					cpuMsPerQuery: e.cpuMsPerQuery,
					recall: recallOfAnswers(data, truth, e.answers).recall,
				},
				build: { ms, cpuMs, indexBytes, notices },
				memory,
				floor: {
					lookups: settings.pkLookups,
					msPerQuery: /** @type {Measured} */ (floor[i]).msPerQuery,
					cpuMsPerQuery: /** @type {Measured} */ (floor[i]).cpuMsPerQuery,
				},
				plannerChoseIndex,
				plan,
				sweep: sweeps[i] ?? [],
				vacuum: vacuums[i],
			})
		})
		return /** @type {[EngineResult, EngineResult]} */ (results)
	} finally {
		for (const s of sessions) await s.pg.close()
	}
}

/**
 * EXPLAIN of the k-NN query for query 0, its vector bound as text (the measured queries bind it in binary).
 * @param {PGlite} pg
 * @param {string} knnSql
 * @param {Dataset} data
 */
export async function explain(pg, knnSql, data) {
	const text = `[${Array.from(data.queries.subarray(0, data.dims), String).join(',')}]`
	const result = await pg.query(`EXPLAIN (COSTS OFF) ${knnSql}`, [text], { rowMode: 'array' })
	const lines = /** @type {unknown[][]} */ (result.rows).map((r) => String(r[0]))
	return lines.join('\n').replace(/'\[[^\]]*\]'/g, "'[…]'")
}

/** @param {string} plan */
export function usesIndex(plan) {
	return plan.includes('Index Scan using items_v_idx')
}
