// Plots of the benchmark results for docs/PERFORMANCE.md: reads the JSON that `make bench` wrote into build/bench,
// draws each figure as SVG, and has headless Chromium (Debian's chromium via playwright-core) screenshot it to PNG.
//   node bench/plot.mjs [bench folder] [image folder]      (make bench-plots; defaults build/bench, docs/img)
// Figures, each drawn only when its input exists:
//   pglite-recall.png      recall@10 against CPU time per query over hnsw.ef_search, ruvector and pgvector
//                          (pglite-*.json)
//   pglite-build.png       CREATE INDEX wall time and CPU time per data set
//   pglite-index-size.png  index size per data set
//   kernels.png            distance kernels, ns per vector pair over dimensions, per instruction set
//                          (core_native.json from Google Benchmark, core_wasm.json, and kernels-*.json in either form)
import { readdir, readFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

/** @typedef {import('./engine.mjs').EngineResult} EngineResult */
/** @typedef {{ x: number, y: number, label?: string }} Point */
/** @typedef {{ name: string, color: string, points: Point[] }} Series */
/** @typedef {{ title: string, xLabel: string, yLabel: string, xLog?: boolean, yLog?: boolean, series: Series[] }} LinePanel */
/** @typedef {{ title: string, yLabel: string, groups: Array<{ name: string, values: Array<{ series: string, value: number }> }> }} BarPanel */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const benchDir = path.resolve(process.argv[2] ?? path.join(ROOT, 'build', 'bench'))
const imageDir = path.resolve(process.argv[3] ?? path.join(ROOT, 'docs', 'img'))
const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium'

const ENGINE_COLORS = { ruvector: '#c8423b', pgvector: '#2b6f97' }
const PALETTE = ['#c8423b', '#2b6f97', '#e09f3e', '#5a8f29', '#7d5ba6', '#555555']
const PANEL = { width: 380, height: 290, left: 62, right: 16, top: 34, bottom: 46 }
const FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'

/** @param {string} s */
function escape(s) {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** @param {number} v */
function tickText(v) {
	if (v === 0) return '0'
	if (Math.abs(v) >= 1e5 || Math.abs(v) < 0.01) return v.toExponential(0).replace('e+', 'e')
	return String(Number(v.toPrecision(3)))
}

/**
 * Tick values for an axis: 1-2-5 steps on a log axis, a round step on a linear one.
 * @param {[number, number]} domain
 * @param {boolean} log
 */
function ticks([lo, hi], log) {
	if (log) {
		const out = []
		for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
			for (const m of [1, 2, 5]) {
				const v = m * 10 ** e
				if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v)
			}
		return out
	}
	const raw = (hi - lo) / 5
	const magnitude = 10 ** Math.floor(Math.log10(raw))
	const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude
	const out = []
	for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)))
	return out
}

/**
 * The axis range for some values: padded, and widened to whole 1-2-5 steps on a log axis.
 * @param {number[]} values
 * @param {boolean} log
 * @param {boolean} [fromZero]
 * @returns {[number, number]}
 */
function domainOf(values, log, fromZero = false) {
	const lo = Math.min(...values)
	const hi = Math.max(...values)
	if (log) {
		const steps = [1, 2, 5, 10]
		const down = (/** @type {number} */ v) => {
			const e = 10 ** Math.floor(Math.log10(v))
			return e * /** @type {number} */ ([...steps].reverse().find((m) => m * e <= v) ?? 1)
		}
		const up = (/** @type {number} */ v) => {
			const e = 10 ** Math.floor(Math.log10(v))
			return e * /** @type {number} */ (steps.find((m) => m * e >= v) ?? 10)
		}
		return [down(lo), up(hi)]
	}
	if (fromZero) return [0, hi * 1.12 || 1]
	const pad = (hi - lo) * 0.06 || Math.abs(hi) * 0.05 || 1
	return [lo - pad, hi + pad]
}

/**
 * @param {[number, number]} domain
 * @param {[number, number]} range
 * @param {boolean} log
 */
function scale([d0, d1], [r0, r1], log) {
	const f = log ? Math.log10 : (/** @type {number} */ v) => v
	return (/** @type {number} */ v) => r0 + ((f(v) - f(d0)) / (f(d1) - f(d0))) * (r1 - r0)
}

/**
 * Axes, grid, tick labels and titles of one panel; returns the SVG and the panel's plotting area.
 * @param {{ title: string, xLabel: string, yLabel: string }} labels
 * @param {Array<[number, string]>} xTicks position, text
 * @param {Array<[number, string]>} yTicks
 */
function frame(labels, xTicks, yTicks) {
	const { width, height, left, right, top, bottom } = PANEL
	const x0 = left
	const x1 = width - right
	const y0 = height - bottom
	const y1 = top
	const parts = [
		`<text x="${(x0 + x1) / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escape(labels.title)}</text>`,
	]
	for (const [y, text] of yTicks)
		parts.push(
			`<line x1="${x0}" x2="${x1}" y1="${y}" y2="${y}" stroke="#e4e4e4"/>`,
			`<text x="${x0 - 6}" y="${y + 4}" text-anchor="end" font-size="11">${escape(text)}</text>`
		)
	for (const [x, text] of xTicks)
		parts.push(
			`<line x1="${x}" x2="${x}" y1="${y0}" y2="${y0 + 4}" stroke="#333"/>`,
			`<text x="${x}" y="${y0 + 16}" text-anchor="middle" font-size="11">${escape(text)}</text>`
		)
	parts.push(
		`<rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}" fill="none" stroke="#333"/>`,
		`<text x="${(x0 + x1) / 2}" y="${height - 8}" text-anchor="middle" font-size="12">${escape(labels.xLabel)}</text>`,
		`<text transform="translate(14 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escape(labels.yLabel)}</text>`
	)
	return { svg: parts.join(''), area: { x0, x1, y0, y1 } }
}

/** @param {LinePanel} panel */
function linePanel(panel) {
	const xs = panel.series.flatMap((s) => s.points.map((p) => p.x))
	const ys = panel.series.flatMap((s) => s.points.map((p) => p.y))
	const xDomain = domainOf(xs, panel.xLog ?? false)
	const yDomain = domainOf(ys, panel.yLog ?? false)
	const { width, height, left, right, top, bottom } = PANEL
	const sx = scale(xDomain, [left, width - right], panel.xLog ?? false)
	const sy = scale(yDomain, [height - bottom, top], panel.yLog ?? false)
	const { svg } = frame(
		panel,
		ticks(xDomain, panel.xLog ?? false).map((v) => [sx(v), tickText(v)]),
		ticks(yDomain, panel.yLog ?? false).map((v) => [sy(v), tickText(v)])
	)
	const parts = [svg]
	for (const s of panel.series) {
		const coords = s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`)
		parts.push(`<polyline points="${coords.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`)
		for (const p of s.points) {
			parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.2" fill="${s.color}"/>`)
			if (p.label)
				parts.push(
					`<text x="${(sx(p.x) + 5).toFixed(1)}" y="${(sy(p.y) - 5).toFixed(1)}" font-size="9" fill="${s.color}">${escape(p.label)}</text>`
				)
		}
	}
	return parts.join('')
}

/**
 * @param {BarPanel} panel
 * @param {Record<string, string>} colors series name → colour
 */
function barPanel(panel, colors) {
	const values = panel.groups.flatMap((g) => g.values.map((v) => v.value))
	const yDomain = domainOf(values, false, true)
	const { width, height, left, right, top, bottom } = PANEL
	const sy = scale(yDomain, [height - bottom, top], false)
	const groupWidth = (width - left - right) / panel.groups.length
	const xTicks = /** @type {Array<[number, string]>} */ (
		panel.groups.map((g, i) => [left + groupWidth * (i + 0.5), g.name])
	)
	const { svg } = frame(
		{ ...panel, xLabel: '' },
		xTicks,
		ticks(yDomain, false).map((v) => [sy(v), tickText(v)])
	)
	const parts = [svg]
	panel.groups.forEach((g, i) => {
		const barWidth = (groupWidth * 0.7) / g.values.length
		g.values.forEach((v, j) => {
			const x = left + groupWidth * i + groupWidth * 0.15 + barWidth * j
			const y = sy(v.value)
			parts.push(
				`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(sy(0) - y).toFixed(1)}" fill="${colors[v.series] ?? '#888'}"/>`,
				`<text x="${(x + barWidth / 2 - 1).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle" font-size="10">${escape(tickText(v.value))}</text>`
			)
		})
	})
	return parts.join('')
}

/**
 * A figure: a title, a legend, and panels side by side.
 * @param {string} title
 * @param {Record<string, string>} legend name → colour
 * @param {string[]} panels SVG of each panel, PANEL-sized
 * @param {string} note small print under the panels
 */
function figure(title, legend, panels, note) {
	const head = 56
	const foot = note ? 24 : 6
	const width = PANEL.width * panels.length
	const height = head + PANEL.height + foot
	const parts = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ${FONT} fill="#222">`,
		`<rect width="${width}" height="${height}" fill="#fff"/>`,
		`<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${escape(title)}</text>`,
	]
	const entries = Object.entries(legend)
	const entryWidth = (/** @type {string} */ name) => 40 + 7.5 * name.length
	let x = width / 2 - entries.reduce((sum, [name]) => sum + entryWidth(name), 0) / 2
	for (const [name, color] of entries) {
		parts.push(
			`<rect x="${x}" y="33" width="14" height="10" fill="${color}"/>`,
			`<text x="${x + 19}" y="42" font-size="12">${escape(name)}</text>`
		)
		x += entryWidth(name)
	}
	panels.forEach((p, i) => parts.push(`<g transform="translate(${PANEL.width * i} ${head})">${p}</g>`))
	if (note) parts.push(`<text x="8" y="${height - 8}" font-size="10" fill="#666">${escape(note)}</text>`)
	parts.push('</svg>')
	return parts.join('')
}

/** @param {string} file */
async function readJson(file) {
	return JSON.parse(await readFile(file, 'utf8'))
}

/**
 * The pglite benchmark's figures, from build/bench/pglite-*.json.
 * @param {string[]} files
 */
async function pgliteFigures(files) {
	/** @type {Array<{ dataset: { name: string, count: number, dims: number, metric: string }, date: string, machine: { cpu: string, cores: number, pglite: string }, loadAverage: { before: number[], after: number[] }, engines: { ruvector: EngineResult, pgvector: EngineResult } }>} */
	const reports = []
	// A run with BENCH_ENGINES=0 has no engine comparison to draw
	for (const file of files) {
		const report = await readJson(file)
		if (report.engines) reports.push(report)
	}
	if (reports.length === 0) return {}
	const order = ['fiori-docs', 'fashion-mnist', 'clustered']
	reports.sort((a, b) => order.indexOf(a.dataset.name) - order.indexOf(b.dataset.name))
	const first = /** @type {(typeof reports)[number]} */ (reports[0])
	const loads = reports.flatMap((r) => [...r.loadAverage.before.slice(0, 1), ...r.loadAverage.after.slice(0, 1)])
	const note =
		`${first.date.slice(0, 16).replace('T', ' ')} UTC, PGlite ${first.machine.pglite}, ${first.machine.cores} cores ` +
		`(${first.machine.cpu}), load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}; ` +
		`HNSW m 16, ef_construction 64`
	const engines = /** @type {const} */ (['ruvector', 'pgvector'])
	const name = (/** @type {(typeof reports)[number]} */ r) =>
		`${r.dataset.name}, ${r.dataset.count >= 1000 ? `${r.dataset.count / 1000}k` : r.dataset.count} × ${r.dataset.dims}`

	const recall = figure(
		'Recall@10 against CPU time per query (hnsw.ef_search 10 … 320)',
		ENGINE_COLORS,
		reports.map((r) =>
			linePanel({
				title: `${name(r)} (${r.dataset.metric})`,
				xLabel: 'recall@10',
				// CPU time of the process: the shared machine's load shows in wall times, far less in CPU times
				yLabel: 'ms per query (CPU time)',
				yLog: true,
				series: engines.map((e) => ({
					name: e,
					color: ENGINE_COLORS[e],
					points: r.engines[e].sweep.map((p) => ({ x: p.recall, y: p.cpuMsPerQuery, label: String(p.efSearch) })),
				})),
			})
		),
		note
	)
	const build = figure(
		'CREATE INDEX … USING hnsw: build time',
		ENGINE_COLORS,
		reports.map((r) =>
			barPanel(
				{
					title: name(r),
					yLabel: 'seconds',
					groups: [
						{ name: 'wall time', values: engines.map((e) => ({ series: e, value: r.engines[e].build.ms / 1000 })) },
						{ name: 'CPU time', values: engines.map((e) => ({ series: e, value: r.engines[e].build.cpuMs / 1000 })) },
					],
				},
				ENGINE_COLORS
			)
		),
		note
	)
	const size = figure(
		'Index size (pg_relation_size)',
		ENGINE_COLORS,
		reports.map((r) =>
			barPanel(
				{
					title: name(r),
					yLabel: 'MiB',
					groups: [
						{
							name: 'hnsw index',
							values: engines.map((e) => ({ series: e, value: r.engines[e].build.indexBytes / 2 ** 20 })),
						},
						{
							name: 'table',
							values: engines.map((e) => ({ series: e, value: r.engines[e].load.tableBytes / 2 ** 20 })),
						},
					],
				},
				ENGINE_COLORS
			)
		),
		note
	)
	return { 'pglite-recall.png': recall, 'pglite-build.png': build, 'pglite-index-size.png': size }
}

/**
 * Kernel timings from Google Benchmark JSON (name metric/level/dim; cpu_time in time_unit, which other processes on
 * a shared machine disturb less than real_time) or the WebAssembly harness's JSON (ns_per_pair).
 * @param {string} environment
 * @param {{ benchmarks?: Array<{ name: string, run_type?: string, cpu_time?: number, time_unit?: string, ns_per_pair?: number }> }} json
 * @returns {Array<{ environment: string, metric: string, level: string, dim: number, ns: number }>}
 */
function kernelRows(environment, json) {
	const unit = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 }
	return (json.benchmarks ?? []).flatMap((b) => {
		const [metric, level, dim] = b.name.split('/')
		const ns =
			b.ns_per_pair ??
			(b.cpu_time ?? Number.NaN) * (unit[/** @type {keyof typeof unit} */ (b.time_unit ?? 'ns')] ?? Number.NaN)
		if (
			!metric ||
			!level ||
			!dim ||
			b.run_type === 'aggregate' ||
			!Number.isFinite(ns) ||
			!Number.isFinite(Number(dim))
		)
			return []
		return [{ environment, metric, level, dim: Number(dim), ns }]
	})
}

/**
 * The kernel figure: one panel per environment and metric that has data, ns per pair over dimensions.
 * @param {Array<[string, string]>} files environment name, file
 */
async function kernelFigure(files) {
	/** @type {Map<string, { environment: string, metric: string, level: string, dim: number, ns: number }>} */
	const fastest = new Map()
	// Repetitions of one benchmark: the minimum, as the tables in docs/PERFORMANCE.md report it.
	for (const [environment, file] of files)
		for (const r of kernelRows(environment, await readJson(file))) {
			const key = `${r.environment}/${r.metric}/${r.level}/${r.dim}`
			const seen = fastest.get(key)
			if (seen === undefined || r.ns < seen.ns) fastest.set(key, r)
		}
	const plotted = ['dot', 'cosine', 'dot_i8']
	const rows = [...fastest.values()].filter((r) => plotted.includes(r.metric))
	if (rows.length === 0) return {}
	const levels = [...new Set(rows.map((r) => r.level))]
	/** @type {Record<string, string>} */
	const colors = Object.fromEntries(levels.map((l, i) => [l, PALETTE[i % PALETTE.length] ?? '#888']))
	const panels = []
	for (const environment of new Set(rows.map((r) => r.environment)))
		for (const metric of plotted) {
			const mine = rows.filter((r) => r.environment === environment && r.metric === metric)
			if (mine.length === 0) continue
			panels.push(
				linePanel({
					title: `${metric}, ${environment}`,
					xLabel: 'dimensions',
					yLabel: 'ns per vector pair',
					xLog: true,
					yLog: true,
					series: [...new Set(mine.map((r) => r.level))].map((level) => ({
						name: level,
						color: colors[level] ?? '#888',
						points: mine
							.filter((r) => r.level === level)
							.sort((a, b) => a.dim - b.dim)
							.map((r) => ({ x: r.dim, y: r.ns })),
					})),
				})
			)
		}
	const note = `${files.map(([, f]) => path.basename(f)).join(', ')}: one call of the kernel on two vectors (float32; dot_i8: int8), minimum of the repetitions`
	return { 'kernels.png': figure('Distance kernels: time per vector pair', colors, panels, note) }
}

const names = await readdir(benchDir).catch(() => /** @type {string[]} */ ([]))
const pgliteFiles = names.filter((n) => /^pglite-.+\.json$/.test(n)).map((n) => path.join(benchDir, n))
/** @type {Array<[string, string]>} */
const kernelFiles = []
for (const [file, environment] of [
	['kernels-native.json', 'native'],
	['core_native.json', 'native'],
	['kernels-wasm.json', 'WebAssembly'],
	['core_wasm.json', 'WebAssembly'],
])
	if (names.includes(/** @type {string} */ (file)) && !kernelFiles.some(([e]) => e === environment))
		kernelFiles.push([/** @type {string} */ (environment), path.join(benchDir, /** @type {string} */ (file))])

/** @type {Record<string, string>} */
const figures = {
	...(pgliteFiles.length > 0 ? await pgliteFigures(pgliteFiles) : {}),
	...(await kernelFigure(kernelFiles)),
}
if (Object.keys(figures).length === 0) {
	console.log(`bench-plots: no benchmark JSON in ${benchDir}; run make bench-pglite or make core-bench first`)
} else {
	await mkdir(imageDir, { recursive: true })
	const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
	try {
		const page = await browser.newPage({ deviceScaleFactor: 2 })
		for (const [file, svg] of Object.entries(figures)) {
			await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`)
			await page.locator('svg').screenshot({ path: path.join(imageDir, file) })
			console.log(`bench-plots: wrote ${path.relative(process.cwd(), path.join(imageDir, file))}`)
		}
	} finally {
		await browser.close()
	}
}
