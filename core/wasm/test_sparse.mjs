// WASM sparse kernels under Node: the serial twins against a JavaScript reference that adds
// float32-rounded terms in index order (bit for bit), and any SIMD level the module has
// against the serial twins (exactly for small integers, whose sums are exact in any order;
// within a relative bound of the sum of |terms| for arbitrary floats). There is no SIMD128
// sparse table today (a 4 x 4 block merge was not faster than the serial merge under V8:
// docs/PERFORMANCE.md), so the checks run the serial twins, over every pair of lengths
// 0..20 with no, some and full sharing in short and long runs, lopsided and long vectors up
// to 1000 non-zeros, and named shapes (identical, subset, disjoint, alternating, top of
// int32). The first vector ends at the last byte of linear memory, so an over-read traps.
// Run: node --test core/wasm/test_sparse.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LEVEL, loadHarness, rng } from './harness.mjs';

const METRICS = ['l2sq', 'dot', 'l1'];
const f32 = Math.fround;

// Runs of 1..maxRun consecutive indices for a, b or both, up the axis from `first`.
function runs(random, nnzA, nnzB, shared, maxRun, gap, first) {
	const a = [];
	const b = [];
	let x = first;
	while (a.length < nnzA || b.length < nnzB) {
		const needA = a.length < nnzA;
		const needB = b.length < nnzB;
		let who = needA ? 'a' : 'b';
		if (needA && needB) who = random() < shared ? 'both' : random() < 0.5 ? 'a' : 'b';
		for (let k = 1 + Math.floor(random() * maxRun); k > 0; k--, x++) {
			if (who !== 'b' && a.length < nnzA) a.push(x);
			if (who !== 'a' && b.length < nnzB) b.push(x);
		}
		x += Math.floor(random() * (gap + 1));
	}
	return { a, b };
}

function values(random, n, smallIntegers) {
	const v = [];
	for (let i = 0; i < n; i++) {
		const x = smallIntegers ? 1 + Math.floor(random() * 8) : f32(10 ** (random() * 6 - 3));
		v.push(random() < 0.5 ? -x : x);
	}
	return v;
}

// The serial merge in float32 arithmetic, plus the sum of |term| of each metric in double.
function reference(a, b) {
	const sum = { l2sq: 0, dot: 0, l1: 0 };
	const scale = { l2sq: 0, dot: 0, l1: 0 };
	let i = 0;
	let j = 0;
	while (i < a.indices.length || j < b.indices.length) {
		let x = 0;
		let y = 0;
		const shared = i < a.indices.length && j < b.indices.length && a.indices[i] === b.indices[j];
		if (shared) {
			x = a.values[i++];
			y = b.values[j++];
			sum.dot = f32(sum.dot + f32(x * y));
		} else if (j === b.indices.length || (i < a.indices.length && a.indices[i] < b.indices[j])) {
			x = a.values[i++];
		} else {
			y = b.values[j++];
		}
		const d = f32(x - y);
		sum.l2sq = f32(sum.l2sq + f32(d * d));
		sum.l1 = f32(sum.l1 + Math.abs(d));
		scale.l2sq += (x - y) * (x - y);
		scale.dot += Math.abs(x * y);
		scale.l1 += Math.abs(x - y);
	}
	return { sum, scale };
}

const h = await loadHarness();
const simdLevels = [LEVEL.avx2, LEVEL.avx512, LEVEL.neon, LEVEL.wasm_simd128].filter((level) => h.rv_has_sparse_level(level) === 1);

// a's blob ends at the last byte of memory, b's just below it.
function place(a, b) {
	const bytes = (v) => 4 + 8 * v.indices.length;
	const end = h.memory.buffer.byteLength;
	const pa = end - bytes(a);
	const pb = pa - bytes(b);
	for (const [p, v] of [
		[pa, a],
		[pb, b],
	]) {
		const n = v.indices.length;
		new Uint32Array(h.memory.buffer, p, 1)[0] = n;
		new Int32Array(h.memory.buffer, p + 4, n).set(v.indices);
		new Float32Array(h.memory.buffer, p + 4 + 4 * n, n).set(v.values);
	}
	return [pa, pb];
}

function check(pair, random, smallIntegers, what) {
	const a = { indices: pair.a, values: values(random, pair.a.length, smallIntegers) };
	const b = { indices: pair.b, values: values(random, pair.b.length, smallIntegers) };
	for (const [x, y, order] of [
		[a, b, 'a, b'],
		[b, a, 'b, a'],
	]) {
		const [px, py] = place(x, y);
		const { sum, scale } = reference(x, y);
		METRICS.forEach((name, m) => {
			const serial = h.rv_sparse(LEVEL.serial, m, px, py);
			assert.equal(serial, sum[name], `serial ${name} ${what} (${order})`);
			for (const level of simdLevels) {
				const got = h.rv_sparse(level, m, px, py);
				if (smallIntegers) {
					assert.equal(got, serial, `level ${level} ${name} ${what} (${order})`);
				} else {
					const bound = 2 * (x.indices.length + y.indices.length + 8) * 2 ** -24 * scale[name];
					assert.ok(Math.abs(got - serial) <= bound, `level ${level} ${name} ${what} (${order}): ${got} vs ${serial}`);
				}
			}
		});
	}
}

test('sparse levels built into the WASM module', () => {
	assert.equal(h.rv_has_sparse_level(LEVEL.serial), 1);
	for (const level of [LEVEL.avx2, LEVEL.avx512, LEVEL.neon, LEVEL.wasm_simd128]) assert.equal(h.rv_has_sparse_level(level), 0);
});

test('every pair of lengths around the block', () => {
	const random = rng(7);
	for (let na = 0; na <= 20; na++) {
		for (let nb = 0; nb <= 20; nb++) {
			for (const shared of [0, 0.3, 1]) {
				for (const maxRun of [1, 6]) {
					const pair = runs(random, na, nb, shared, maxRun, 3, 0);
					const what = `${na}/${nb} shared ${shared} runs ${maxRun}`;
					check(pair, random, true, what);
					check(pair, random, false, what);
				}
			}
		}
	}
});

test('long and lopsided vectors, indices anywhere in int32', () => {
	const random = rng(11);
	const lengths = [0, 1, 4, 63, 257, 1000];
	for (const na of lengths) {
		for (const nb of lengths) {
			for (const shared of [0, 0.05, 0.5, 0.95]) {
				for (const maxRun of [1, 64]) {
					for (const first of [0, -(2 ** 31), -500]) {
						const pair = runs(random, na, nb, shared, maxRun, 40, first);
						const what = `${na}/${nb} shared ${shared} runs ${maxRun} from ${first}`;
						check(pair, random, true, what);
						check(pair, random, false, what);
					}
				}
			}
		}
	}
});

test('named shapes', () => {
	const random = rng(13);
	for (const n of [4, 5, 12, 100, 1000]) {
		const shapes = {
			identical: { a: [], b: [] },
			subset: { a: [], b: [] },
			before: { a: [], b: [] },
			alternating: { a: [], b: [] },
			top: { a: [], b: [] },
		};
		for (let k = 0; k < n; k++) {
			shapes.identical.a.push(3 * k);
			shapes.identical.b.push(3 * k);
			shapes.subset.a.push(k);
			if (k % 3 !== 1) shapes.subset.b.push(k);
			shapes.before.a.push(k);
			shapes.before.b.push(k + n);
			shapes.alternating.a.push(2 * k);
			shapes.alternating.b.push(2 * k + 1);
			shapes.top.a.push(2 ** 31 - 1 - 2 * (n - 1 - k));
			shapes.top.b.push(2 ** 31 - 1 - (n - 1 - k));
		}
		for (const [name, pair] of Object.entries(shapes)) {
			check(pair, random, true, `${name} ${n}`);
			check(pair, random, false, `${name} ${n}`);
		}
	}
});

// The f32 level is wasm_simd128 (or serial when forced); either way the best sparse table at or below it is serial.
test('the dispatched sparse kernels follow the f32 level', async () => {
	const x = { indices: [1, 4], values: [3, 4] };
	for (const [env, level] of [
		[{}, LEVEL.serial],
		[{ RUVECTOR_SIMD: 'serial' }, LEVEL.serial],
	]) {
		const fresh = await loadHarness(env);
		fresh.rv_select_from_environment();
		const end = fresh.memory.buffer.byteLength;
		const p = end - 20;
		new Uint32Array(fresh.memory.buffer, p, 1)[0] = 2;
		new Int32Array(fresh.memory.buffer, p + 4, 2).set(x.indices);
		new Float32Array(fresh.memory.buffer, p + 12, 2).set(x.values);
		assert.equal(fresh.rv_dot_sparse_dispatched(p, p), 25);
		assert.equal(fresh.rv_active_sparse_level(), level);
	}
});
