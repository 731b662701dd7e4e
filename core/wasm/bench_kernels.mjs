// ns (CPU time) per vector pair in WASM under Node, serial twin vs SIMD128, at the native bench's
// dimensions, and the issue's target ratios computed from this run and the native run before it.
// The timed loop runs inside WASM (rv_bench*); pairs fit in 16 KiB as natively.
// Usage: node core/wasm/bench_kernels.mjs [--json out.json] [--native kernels-native.json] [--filter prefix]
// (--filter: only kernels whose name starts with a match of this regular expression, e.g. sparse_ or
// '(l2sq|dot|l1|cosine)(_batch)?$')
// JSON written (build/bench/kernels-wasm.json under make core-bench):
//   { context: { node, load_average_start, load_average_end }, benchmarks: [{ name: "<kernel>/<level>/<dim>",
//     metric, level, dim, ns_per_pair, iterations, ratio_to_native_avx2? }], targets: [{ target, measured, met }] }
// Kernels: l2sq, dot, l1, cosine (float32), their _batch twins (ns per row through the batch kernel), l2sq_f16, dot_f16, l1_f16, cosine_f16, l2sq_i8, dot_i8,
// hamming, jaccard (dim = bits) and their _batch twins (ns per row through the bit batch kernels); sparse_l2sq, sparse_dot, sparse_l1 as "<kernel>/<level>_<random|half_shared>/<nnz>"
// (dim = nnz; bench_sparse_merge.cpp's pairs). ratio_to_native_avx2 is this time over the native avx2 time of the
// same kernel and dim. Native times are Google Benchmark's median aggregate (cpu_time), or the minimum over repetitions.
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { LEVEL, loadHarness } from './harness.mjs';

const DIMS = [96, 384, 768, 1536];
const BYTES_PER_BENCHMARK = 16384;
const TARGET_NS = 50e6; // per timed repetition
const REPETITIONS = 5;

const loadStart = loadavg();
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

// Median of REPETITIONS, after a warm-up (lets V8 tier up to its optimising compiler) that sizes the loop.
const filterAt = process.argv.indexOf('--filter');
const filter = filterAt === -1 ? '' : process.argv[filterAt + 1];
function measure(bench, metricName, metricIndex, ptr, dim, elements, pairs, levels = [LEVEL.serial, LEVEL.wasm_simd128]) {
	if (!new RegExp(`^(${filter})`).test(metricName)) return;
	for (const level of levels) {
		let iterations = 1000;
		while (timeOnce(bench, level, metricIndex, ptr, elements, pairs, iterations) < TARGET_NS / 10) iterations *= 2;
		iterations *= 10;
		const times = [];
		for (let r = 0; r < REPETITIONS; r++) times.push(timeOnce(bench, level, metricIndex, ptr, elements, pairs, iterations) / iterations);
		const best = times.sort((x, y) => x - y)[REPETITIONS >> 1]; // the median
		const name = level === LEVEL.serial ? 'serial' : 'wasm_simd128';
		results.push({ name: `${metricName}/${name}/${dim}`, metric: metricName, level: name, dim, ns_per_pair: best, iterations });
	}
}

for (const dim of DIMS) {
	const floatPairs = Math.max(1, Math.floor(BYTES_PER_BENCHMARK / (2 * 4 * dim)));
	const data = new Float32Array(h.memory.buffer, h.rv_arena(), 2 * floatPairs * dim);
	for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37 + dim);
	for (const [m, metric] of ['l2sq', 'dot', 'l1', 'cosine'].entries()) measure(h.rv_bench, metric, m, data.byteOffset, dim, dim, floatPairs);
	// The same rows through the batch kernels (ns per row), one query against the pairs' vectors.
	for (const [m, metric] of ['l2sq', 'dot', 'l1', 'cosine'].entries()) measure(h.rv_bench_batch, `${metric}_batch`, m, data.byteOffset, dim, dim, floatPairs);

	const halfPairs = Math.max(1, Math.floor(BYTES_PER_BENCHMARK / (2 * 2 * dim)));
	const halves = new Uint16Array(h.memory.buffer, h.rv_arena(), 2 * halfPairs * dim);
	// Halves of values in [-1, 1]: sign, exponent 0..14 (below 1.0), random mantissa.
	for (let i = 0; i < halves.length; i++) halves[i] = ((i * 7919) & 0x8000) | ((i * 2654435761) % 0x3c00);
	for (const [m, metric] of ['l2sq_f16', 'dot_f16', 'l1_f16', 'cosine_f16'].entries()) measure(h.rv_bench_half, metric, m, halves.byteOffset, dim, dim, halfPairs);

	const codePairs = Math.max(1, Math.floor(BYTES_PER_BENCHMARK / (2 * dim)));
	const codes = new Int8Array(h.memory.buffer, h.rv_arena(), 2 * codePairs * dim);
	for (let i = 0; i < codes.length; i++) codes[i] = Math.round(127 * Math.sin(i * 0.37 + dim));
	for (const [m, metric] of ['l2sq_i8', 'dot_i8'].entries()) measure(h.rv_bench_i8, metric, m, codes.byteOffset, dim, dim, codePairs);

	const bytes = dim / 8;
	const bitPairs = Math.max(1, Math.floor(BYTES_PER_BENCHMARK / (2 * bytes)));
	const bits = new Uint8Array(h.memory.buffer, h.rv_arena(), 2 * bitPairs * bytes);
	for (let i = 0; i < bits.length; i++) bits[i] = (i * 2654435761) >>> 24;
	for (const [m, metric] of ['hamming', 'jaccard'].entries()) measure(h.rv_bench_bits, metric, m, bits.byteOffset, dim, bytes, bitPairs);
	for (const [m, metric] of ['hamming', 'jaccard'].entries()) measure(h.rv_bench_bits_batch, `${metric}_batch`, m, bits.byteOffset, dim, bytes, bitPairs);
}

// Sparse pairs as bench_sparse_merge.cpp builds them (fewer pairs than natively, as the arena holds): indices from a 30522-word vocabulary,
// random or with half of b's indices taken from a; values in [0.01, 2). As many pairs as fit
// in 192 KiB of the arena (at most 512), blobs in sparse.hpp's layout, their offsets after them.
const VOCABULARY = 30522;
function sparseVector(random, nnz, like, shared) {
	const picked = new Set();
	if (like) {
		const pool = [...like.indices];
		for (let k = 0; k < shared; k++) picked.add(pool.splice(Math.floor(random() * pool.length), 1)[0]);
	}
	while (picked.size < nnz) picked.add(Math.floor(random() * VOCABULARY));
	const indices = [...picked].sort((x, y) => x - y);
	return { indices, values: indices.map(() => 0.01 + random() * 1.99) };
}

let seed = 1;
const random = () => {
	seed = (seed * 1103515245 + 12345) % 2147483648;
	return seed / 2147483648;
};
for (const nnz of [30, 100, 300, 1000]) {
	for (const variant of ['random', 'half_shared']) {
		const blobBytes = 4 + 8 * nnz;
		const pairs = Math.min(512, Math.floor((192 * 1024) / (2 * blobBytes + 8)));
		const base = h.rv_arena();
		const offsets = new Uint32Array(h.memory.buffer, base + 2 * pairs * blobBytes, 2 * pairs);
		for (let k = 0; k < pairs; k++) {
			const a = sparseVector(random, nnz);
			const b = sparseVector(random, nnz, a, variant === 'random' ? 0 : nnz / 2);
			[a, b].forEach((v, side) => {
				const at = (2 * k + side) * blobBytes;
				new Uint32Array(h.memory.buffer, base + at, 1)[0] = nnz;
				new Int32Array(h.memory.buffer, base + at + 4, nnz).set(v.indices);
				new Float32Array(h.memory.buffer, base + at + 4 + 4 * nnz, nnz).set(v.values);
				offsets[2 * k + side] = at;
			});
		}
		for (const [m, metric] of ['sparse_l2sq', 'sparse_dot', 'sparse_l1'].entries()) {
			const bench = (level, _metric, _ptr, _elements, count, iterations) => h.rv_bench_sparse(level, m, base, offsets.byteOffset, count, iterations);
			const before = results.length;
			// The sparse kernels have no SIMD128 table (docs/PERFORMANCE.md says why).
			measure(bench, metric, m, 0, nnz, nnz, pairs, [LEVEL.serial]);
			for (const r of results.slice(before)) {
				r.name = `${metric}/${r.level}_${variant}/${nnz}`;
				r.native_name = `${metric}/avx2_${variant}/${nnz}`;
			}
		}
	}
}

/**
 * cpu_time per benchmark name: Google Benchmark's median aggregate where the run wrote one
 * (--benchmark_repetitions with aggregates), otherwise the minimum over repetitions.
 */
function nativeTimes(json) {
	const best = new Map();
	const medians = new Map();
	for (const b of json.benchmarks) {
		if (b.error_occurred) continue;
		if (b.run_type === 'aggregate') {
			if (b.aggregate_name === 'median') medians.set(b.run_name, b);
			continue;
		}
		const name = b.run_name ?? b.name;
		// Batch benchmarks time a whole batch per iteration and count rows as items: ns per row.
		const perRow = /_(batch|gather)\//.test(name) && b.items_per_second !== undefined;
		const value = b.bytes_per_second !== undefined ? -b.bytes_per_second : perRow ? 1e9 / b.items_per_second : b.cpu_time;
		if (!best.has(name) || value < best.get(name)) best.set(name, value);
	}
	for (const [name, b] of medians) {
		const perRow = /_(batch|gather)\//.test(name) && b.items_per_second !== undefined;
		best.set(name, b.bytes_per_second !== undefined ? -b.bytes_per_second : perRow ? 1e9 / b.items_per_second : b.cpu_time);
	}
	return best;
}

const targets = [];
const nativeAt = process.argv.indexOf('--native');
if (nativeAt !== -1) {
	const native = nativeTimes(JSON.parse(await readFile(process.argv[nativeAt + 1], 'utf8')));
	const ns = (name) => native.get(name);
	const gbps = (name) => (native.has(name) ? -native.get(name) / 1e9 : undefined);
	for (const r of results) {
		const avx2 = ns(r.native_name ?? `${r.metric}/avx2/${r.dim}`);
		if (avx2 !== undefined) r.ratio_to_native_avx2 = r.ns_per_pair / avx2;
	}
	const wasm = (metric, dim) => results.find((r) => r.metric === metric && r.level === 'wasm_simd128' && r.dim === dim);
	const fmt = (x, digits = 2) => (x === undefined ? 'n/a' : x.toFixed(digits));

	const dot384 = ns('dot/avx2/384');
	if (dot384 !== undefined) {
		targets.push({
			target: 'float32 384-d inner product within 1.2x of 18 ns (AVX2)',
			measured: `${fmt(dot384, 1)} ns = ${fmt(dot384 / 18)}x of 18 ns; plain -O3 -march=native loop ${fmt(ns('dot/plain_O3_native/384'), 1)} ns (${fmt(ns('dot/plain_O3_native/384') / dot384, 1)}x slower), with reassociation ${fmt(ns('dot/plain_O3_native_assoc/384'), 1)} ns`,
			met: dot384 <= 18 * 1.2,
		});
	}
	const call = ns('call_only/plain_O3_native/96');
	for (const level of ['avx2', 'avx512']) {
		for (const dim of DIMS) {
			for (const [f32, i8] of [['dot', 'dot_i8'], ['l2sq', 'l2sq_i8']]) {
				const a = ns(`${f32}/${level}/${dim}`);
				const b = ns(`${i8}/${level}/${dim}`);
				if (a === undefined || b === undefined) continue;
				const net = call !== undefined ? ` (net of the ${fmt(call, 1)} ns call: ${fmt((a - call) / (b - call))}x)` : '';
				targets.push({ target: `int8 at least 1.7x faster than float32: ${i8} ${level} ${dim}-d`, measured: `${fmt(a, 1)} / ${fmt(b, 1)} ns = ${fmt(a / b)}x${net}`, met: a / b >= 1.7 });
			}
		}
	}
	for (const level of ['avx2', 'avx512']) {
		const hamming = ns(`hamming/${level}/384`);
		if (hamming !== undefined) targets.push({ target: `384-bit Hamming in a few ns (${level})`, measured: `${fmt(hamming, 1)} ns`, met: hamming < 10 });
	}
	for (const [metrics, limit] of [[['l2sq', 'dot', 'l1', 'cosine'], 2.5], [['l2sq_i8', 'dot_i8'], 3]]) {
		for (const metric of metrics) {
			for (const dim of DIMS) {
				const r = wasm(metric, dim);
				if (r?.ratio_to_native_avx2 === undefined) continue;
				targets.push({ target: `WASM SIMD128 at most ${limit}x native AVX2: ${metric} ${dim}-d`, measured: `${fmt(r.ns_per_pair, 1)} / ${fmt(ns(`${metric}/avx2/${dim}`), 1)} ns = ${fmt(r.ratio_to_native_avx2)}x`, met: r.ratio_to_native_avx2 <= limit });
			}
		}
	}
	// Batched: WASM batch rows against native AVX2 batch rows, and against native AVX2 single pairs.
	for (const metric of ['l2sq', 'dot', 'l1', 'cosine']) {
		for (const dim of DIMS) {
			const r = wasm(`${metric}_batch`, dim);
			if (r?.ratio_to_native_avx2 === undefined) continue;
			const pairNs = ns(`${metric}/avx2/${dim}`);
			targets.push({ target: `WASM SIMD128 batch at most 2.5x native AVX2 batch: ${metric} ${dim}-d`, measured: `${fmt(r.ns_per_pair, 1)} / ${fmt(ns(`${metric}_batch/avx2/${dim}`), 1)} ns per row = ${fmt(r.ratio_to_native_avx2)}x (native AVX2 per pair ${fmt(pairNs, 1)} ns: ${fmt(r.ns_per_pair / pairNs)}x)`, met: r.ratio_to_native_avx2 <= 2.5 });
		}
	}
	for (const dim of [384, 1536]) {
		const floor = gbps(`memory_read/stream/${dim}`);
		for (const kernel of ['dot_f32', 'cosine_f32', 'dot_f16', 'dot_i8', 'hamming', 'jaccard']) {
			for (const level of ['serial', 'avx2', 'avx512']) {
				const got = gbps(`scan_${kernel}/${level}/${dim}`);
				if (got === undefined || floor === undefined) continue;
				targets.push({ target: `scan at least 70% of memory bandwidth: ${kernel} ${level} ${dim}-d`, measured: `${fmt(got, 1)} / ${fmt(floor, 1)} GB/s = ${fmt((100 * got) / floor, 0)}%`, met: level === 'serial' ? null : got / floor >= 0.7 });
			}
		}
	}
}

console.log('benchmark                     ns/pair   (WASM, Node ' + process.version + ', median of ' + REPETITIONS + ')');
for (const r of results) {
	const ratio = r.ratio_to_native_avx2 === undefined ? '' : `   ${r.ratio_to_native_avx2.toFixed(2)}x native avx2`;
	console.log(`${r.name.padEnd(36)} ${r.ns_per_pair.toFixed(2).padStart(9)}${ratio}`);
}
if (targets.length > 0) {
	console.log('\ntargets (this run; native: median (or minimum) over repetitions, CPU time)');
	for (const t of targets) console.log(`${t.met === null ? '     ' : t.met ? 'met  ' : 'NOT  '} ${t.target}: ${t.measured}`);
}
const loadEnd = loadavg();
console.log(`load average at start ${loadStart.map((x) => x.toFixed(2)).join(' ')}, at end ${loadEnd.map((x) => x.toFixed(2)).join(' ')}`);

const jsonAt = process.argv.indexOf('--json');
if (jsonAt !== -1) {
	const context = { node: process.version, load_average_start: loadStart, load_average_end: loadEnd };
	await writeFile(process.argv[jsonAt + 1], JSON.stringify({ context, benchmarks: results, targets }, null, 2));
}
