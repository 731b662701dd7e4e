// ns (CPU time) per vector pair in WASM under Node, serial twin vs SIMD128, at the native bench's
// dimensions. The timed loop runs inside WASM (rv_bench, rv_bench_i8); pairs fit in 16 KiB
// as natively.
// Usage: node core/wasm/bench_kernels.mjs [--json out.json] [--native kernels-native.json]
// JSON written (build/bench/kernels-wasm.json under make core-bench):
//   { context: { node }, benchmarks: [{ name: "<kernel>/<level>/<dim>", metric, level, dim,
//     ns_per_pair, iterations, ratio_to_native_avx2? }] }
// Kernels: l2sq, dot, l1, cosine (float32), l2sq_i8, dot_i8. ratio_to_native_avx2 is this
// time over the native avx2 time (cpu_time) of the same kernel and dim, when --native names
// Google Benchmark JSON from bench_kernels.
import { readFile, writeFile } from 'node:fs/promises';
import { LEVEL, loadHarness } from './harness.mjs';

const DIMS = [96, 384, 768, 1536];
const METRICS = ['l2sq', 'dot', 'l1', 'cosine'];
const FLOATS_PER_BENCHMARK = 4096;
const TARGET_NS = 50e6; // per timed repetition
const REPETITIONS = 5;

const h = await loadHarness();
const results = [];

// CPU time of this process in ns (process.cpuUsage, microseconds), like the native bench's
// cpu_time: on a machine shared with other work, wall time also counts the time not scheduled.
function timeOnce(bench, level, metric, ptr, dim, pairs, iterations) {
	const start = process.cpuUsage();
	bench(level, metric, ptr, dim, pairs, iterations);
	const used = process.cpuUsage(start);
	return (used.user + used.system) * 1000;
}

// Best of REPETITIONS, after a warm-up (lets V8 tier up to its optimising compiler) that sizes the loop.
function measure(bench, metricName, metricIndex, ptr, dim, pairs) {
	for (const level of [LEVEL.serial, LEVEL.wasm_simd128]) {
		let iterations = 1000;
		while (timeOnce(bench, level, metricIndex, ptr, dim, pairs, iterations) < TARGET_NS / 10) iterations *= 2;
		iterations *= 10;
		let best = Infinity;
		for (let r = 0; r < REPETITIONS; r++) {
			best = Math.min(best, timeOnce(bench, level, metricIndex, ptr, dim, pairs, iterations) / iterations);
		}
		const name = level === LEVEL.serial ? 'serial' : 'wasm_simd128';
		results.push({ name: `${metricName}/${name}/${dim}`, metric: metricName, level: name, dim, ns_per_pair: best, iterations });
	}
}

for (const dim of DIMS) {
	const pairs = Math.max(1, Math.floor(FLOATS_PER_BENCHMARK / (2 * dim)));
	const data = new Float32Array(h.memory.buffer, h.rv_arena(), 2 * pairs * dim);
	for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37 + dim);
	for (const [metricIndex, metric] of METRICS.entries()) measure(h.rv_bench, metric, metricIndex, data.byteOffset, dim, pairs);
	const codes = new Int8Array(h.memory.buffer, h.rv_arena(), 2 * pairs * dim);
	for (let i = 0; i < codes.length; i++) codes[i] = Math.round(127 * Math.sin(i * 0.37 + dim));
	for (const [metricIndex, metric] of ['l2sq_i8', 'dot_i8'].entries()) measure(h.rv_bench_i8, metric, metricIndex, codes.byteOffset, dim, pairs);
}

const nativeAt = process.argv.indexOf('--native');
if (nativeAt !== -1) {
	const native = JSON.parse(await readFile(process.argv[nativeAt + 1], 'utf8'));
	const avx2 = new Map(native.benchmarks.filter((b) => b.run_type !== 'aggregate').map((b) => [b.name, b.cpu_time]));
	for (const r of results) {
		const ns = avx2.get(`${r.metric}/avx2/${r.dim}`);
		if (ns !== undefined) r.ratio_to_native_avx2 = r.ns_per_pair / ns;
	}
}

console.log('benchmark                     ns/pair   (WASM, Node ' + process.version + ', best of ' + REPETITIONS + ')');
for (const r of results) {
	const ratio = r.ratio_to_native_avx2 === undefined ? '' : `   ${r.ratio_to_native_avx2.toFixed(2)}x native avx2`;
	console.log(`${r.name.padEnd(28)} ${r.ns_per_pair.toFixed(2).padStart(9)}${ratio}`);
}

const jsonAt = process.argv.indexOf('--json');
if (jsonAt !== -1) {
	await writeFile(process.argv[jsonAt + 1], JSON.stringify({ context: { node: process.version }, benchmarks: results }, null, 2));
}
