// ns per vector pair in WASM under Node, serial twin vs SIMD128, at the native bench's
// dimensions. The timed loop runs inside WASM (rv_bench); pairs fit in 16 KiB as natively.
// Usage: node core/wasm/bench_kernels.mjs [--json out.json]
import { writeFile } from 'node:fs/promises';
import { LEVEL, loadHarness } from './harness.mjs';

const DIMS = [100, 384, 768, 1536];
const METRICS = ['l2sq', 'dot', 'l1', 'cosine'];
const FLOATS_PER_BENCHMARK = 4096;
const TARGET_NS = 50e6; // per timed repetition
const REPETITIONS = 5;

const h = await loadHarness();
const results = [];

function timeOnce(level, metric, ptr, dim, pairs, iterations) {
	const start = process.hrtime.bigint();
	h.rv_bench(level, metric, ptr, dim, pairs, iterations);
	return Number(process.hrtime.bigint() - start);
}

for (const dim of DIMS) {
	const pairs = Math.max(1, Math.floor(FLOATS_PER_BENCHMARK / (2 * dim)));
	const data = new Float32Array(h.memory.buffer, h.rv_arena(), 2 * pairs * dim);
	for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37 + dim);
	for (const [metricIndex, metric] of METRICS.entries()) {
		for (const level of [LEVEL.serial, LEVEL.wasm_simd128]) {
			// Warm up (lets V8 tier up to its optimising compiler), then size the loop.
			let iterations = 1000;
			while (timeOnce(level, metricIndex, data.byteOffset, dim, pairs, iterations) < TARGET_NS / 10) {
				iterations *= 2;
			}
			iterations *= 10;
			let best = Infinity;
			for (let r = 0; r < REPETITIONS; r++) {
				best = Math.min(best, timeOnce(level, metricIndex, data.byteOffset, dim, pairs, iterations) / iterations);
			}
			const name = level === LEVEL.serial ? 'serial' : 'wasm_simd128';
			results.push({ name: `${metric}/${name}/${dim}`, metric, level: name, dim, ns_per_pair: best, iterations });
		}
	}
}

console.log('benchmark                     ns/pair   (WASM, Node ' + process.version + ', best of ' + REPETITIONS + ')');
for (const r of results) console.log(`${r.name.padEnd(28)} ${r.ns_per_pair.toFixed(2).padStart(9)}`);

const jsonAt = process.argv.indexOf('--json');
if (jsonAt !== -1) {
	await writeFile(process.argv[jsonAt + 1], JSON.stringify({ context: { node: process.version }, benchmarks: results }, null, 2));
}
