// WASM kernels under Node: the SIMD128 level against its serial twin and a double
// reference computed in JavaScript, at every dimension 1..300 and a stride to 2048, with
// vectors misaligned by one float and vectors ending at the last byte of linear memory
// (an over-read traps). Tolerances are the ones justified in core/tests/test_kernels.cpp:
// (n + 4) * 2^-24 * sum|terms| against the reference, twice that between levels.
// Run: node --test core/wasm/test_kernels.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LEVEL, loadHarness, rng } from './harness.mjs';

const U = 2 ** -24;
const MAX_DIM = 2048;

const dims = [];
for (let n = 1; n <= 300; n++) dims.push(n);
for (let n = 317; n < MAX_DIM; n += 61) dims.push(n);
dims.push(MAX_DIM - 1, MAX_DIM);

function reference(a, b) {
	const r = { l2sq: 0, dot: 0, l1: 0, normA: 0, normB: 0, absDot: 0 };
	for (let i = 0; i < a.length; i++) {
		const d = a[i] - b[i];
		r.l2sq += d * d;
		r.dot += a[i] * b[i];
		r.l1 += Math.abs(d);
		r.normA += a[i] * a[i];
		r.normB += b[i] * b[i];
		r.absDot += Math.abs(a[i] * b[i]);
	}
	return r;
}

const bound = (n, scale) => (n + 4) * U * scale;

function near(actual, expected, tolerance, what) {
	assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (tolerance ${tolerance})`);
}

// Byte addresses of a and b for one placement: just past a 64-byte boundary plus one float,
// or ending exactly at the end of linear memory (a above b).
function place(h, placement, n) {
	if (placement === 'misaligned') {
		const base = h.rv_arena();
		return [base + 4, base + 4 + 4 * (MAX_DIM + 16)];
	}
	const end = h.memory.buffer.byteLength;
	return [end - 4 * n, end - 8 * n];
}

function kernels(h, level, pa, pb, n) {
	const out = h.rv_arena() + 4 * (2 * MAX_DIM + 64);
	h.rv_cosine(level, pa, pb, n, out);
	const c = new Float32Array(h.memory.buffer, out, 3);
	return {
		l2sq: h.rv_l2sq(level, pa, pb, n),
		dot: h.rv_dot(level, pa, pb, n),
		l1: h.rv_l1(level, pa, pb, n),
		cos: { dot: c[0], normA: c[1], normB: c[2] },
	};
}

const h = await loadHarness();
const levels = [LEVEL.serial, LEVEL.wasm_simd128];
const nameOf = (level) => Object.keys(LEVEL).find((k) => LEVEL[k] === level);

test('levels built into the WASM module', () => {
	assert.equal(h.rv_has_level(LEVEL.serial), 1);
	assert.equal(h.rv_has_level(LEVEL.wasm_simd128), 1);
	assert.equal(h.rv_has_level(LEVEL.avx2), 0);
	assert.equal(h.rv_has_level(LEVEL.avx512), 0);
	assert.equal(h.rv_has_level(LEVEL.neon), 0);
});

// Odd a_i in [-7, 7], even non-zero b_i in [-6, 6]: every sum is an integer below 2^24,
// exact in float32 in any order, so both levels must equal the reference exactly.
for (const level of levels) {
	test(`${nameOf(level)}: exact on small integers`, () => {
		const next = rng(12345 + level);
		for (const placement of ['misaligned', 'against end of memory']) {
			for (const n of dims) {
				const [pa, pb] = place(h, placement, n);
				const a = new Float32Array(h.memory.buffer, pa, n);
				const b = new Float32Array(h.memory.buffer, pb, n);
				for (let i = 0; i < n; i++) {
					a[i] = 2 * Math.floor(next() * 8) - 7;
					const e = 1 + Math.floor(next() * 3);
					b[i] = next() < 0.5 ? 2 * e : -2 * e;
				}
				const r = reference(a, b);
				const k = kernels(h, level, pa, pb, n);
				const where = `n=${n} ${placement}`;
				assert.equal(k.l2sq, r.l2sq, `l2sq ${where}`);
				assert.equal(k.dot, r.dot, `dot ${where}`);
				assert.equal(k.l1, r.l1, `l1 ${where}`);
				assert.deepEqual(k.cos, { dot: r.dot, normA: r.normA, normB: r.normB }, `cosine ${where}`);
			}
		}
	});
}

// Tiny, unit and large magnitudes (1e17: 2048 squared differences stay below FLT_MAX).
test('wasm_simd128 matches the serial twin and the double reference', () => {
	const next = rng(67890);
	for (const scale of [1e-15, 1, 1e17]) {
		for (const placement of ['misaligned', 'against end of memory']) {
			for (const n of dims) {
				const [pa, pb] = place(h, placement, n);
				const a = new Float32Array(h.memory.buffer, pa, n);
				const b = new Float32Array(h.memory.buffer, pb, n);
				for (let i = 0; i < n; i++) {
					a[i] = (2 * next() - 1) * scale;
					b[i] = (2 * next() - 1) * scale;
				}
				const r = reference(a, b);
				const s = kernels(h, LEVEL.serial, pa, pb, n);
				const v = kernels(h, LEVEL.wasm_simd128, pa, pb, n);
				const where = `scale=${scale} n=${n} ${placement}`;
				for (const [name, scaleOf] of [
					['l2sq', r.l2sq],
					['dot', r.absDot],
					['l1', r.l1],
				]) {
					near(v[name], r[name], bound(n, scaleOf), `${name} simd128 vs reference ${where}`);
					near(s[name], r[name], bound(n, scaleOf), `${name} serial vs reference ${where}`);
					near(v[name], s[name], 2 * bound(n, scaleOf), `${name} simd128 vs serial ${where}`);
				}
				for (const [name, scaleOf] of [
					['dot', r.absDot],
					['normA', r.normA],
					['normB', r.normB],
				]) {
					near(v.cos[name], r[name], bound(n, scaleOf), `cosine ${name} simd128 vs reference ${where}`);
					near(v.cos[name], s.cos[name], 2 * bound(n, scaleOf), `cosine ${name} simd128 vs serial ${where}`);
				}
			}
		}
	}
});

for (const level of levels) {
	test(`${nameOf(level)}: zero vectors give exact zeros`, () => {
		for (const n of dims) {
			const [pa, pb] = place(h, 'against end of memory', n);
			new Float32Array(h.memory.buffer, pb, 2 * n).fill(0);
			const k = kernels(h, level, pa, pb, n);
			assert.deepEqual(k, { l2sq: 0, dot: 0, l1: 0, cos: { dot: 0, normA: 0, normB: 0 } }, `n=${n}`);
		}
	});
}

test('dispatch: starts at wasm_simd128, refuses levels not built', async () => {
	const fresh = await loadHarness();
	assert.equal(fresh.rv_active_level(), LEVEL.wasm_simd128);
	assert.equal(fresh.rv_detect_level(), LEVEL.wasm_simd128);
	for (const level of [LEVEL.avx2, LEVEL.avx512, LEVEL.neon, 200]) {
		assert.equal(fresh.rv_select(level), 0);
		assert.equal(fresh.rv_active_level(), LEVEL.wasm_simd128);
	}
	assert.equal(fresh.rv_select(LEVEL.serial), 1);
	assert.equal(fresh.rv_active_level(), LEVEL.serial);
});

test('dispatch: RUVECTOR_SIMD forces a built level, falls back to detection otherwise', async () => {
	const forced = await loadHarness({ RUVECTOR_SIMD: 'serial' });
	assert.equal(forced.rv_select_from_environment(), LEVEL.serial);
	assert.equal(forced.rv_active_level(), LEVEL.serial);
	for (const value of ['avx2', 'neon', 'SIMD', '']) {
		const other = await loadHarness({ RUVECTOR_SIMD: value });
		other.rv_select(LEVEL.serial);
		assert.equal(other.rv_select_from_environment(), LEVEL.wasm_simd128, `RUVECTOR_SIMD=${value}`);
		assert.equal(other.rv_active_level(), LEVEL.wasm_simd128);
	}
	const unset = await loadHarness();
	unset.rv_select(LEVEL.serial);
	assert.equal(unset.rv_select_from_environment(), LEVEL.wasm_simd128);
});

for (const level of levels) {
	test(`${nameOf(level)}: double entry points`, () => {
		assert.equal(h.rv_select(level), 1);
		const [pa, pb] = place(h, 'misaligned', 3);
		const a = new Float32Array(h.memory.buffer, pa, 3);
		const b = new Float32Array(h.memory.buffer, pb, 3);
		a.set([0, 0, 0]);
		b.set([1, 2, 3]);
		assert.ok(Number.isNaN(h.rv_cosine_distance(pa, pb, 3)));
		assert.ok(Number.isNaN(h.rv_cosine_distance(pb, pa, 3)));
		assert.equal(h.rv_l2_distance(pa, pb, 3), Math.sqrt(14));
		assert.equal(h.rv_norm(pb, 3), Math.sqrt(14));

		const next = rng(2024 + level);
		let clampedAbove = 0;
		let clampedBelow = 0;
		for (const n of dims) {
			const [qa, qb] = place(h, 'against end of memory', n);
			const x = new Float32Array(h.memory.buffer, qa, n);
			const y = new Float32Array(h.memory.buffer, qb, n);
			for (let i = 0; i < n; i++) {
				x[i] = 4 * next() - 2;
				y[i] = 4 * next() - 2;
			}
			const r = reference(x, y);
			const l2 = Math.sqrt(r.l2sq);
			near(h.rv_l2_distance(qa, qb, n), l2, bound(n, l2) / 2 + 1e-15 * l2, `l2 n=${n}`);
			near(h.rv_cosine_distance(qa, qb, n), 1 - r.dot / Math.sqrt(r.normA * r.normB), 2 * bound(n, 1) + 1e-15,
				`cosine n=${n}`);
			near(h.rv_norm(qa, n), Math.sqrt(r.normA), 1e-13 * Math.sqrt(r.normA), `norm n=${n}`);
			assert.equal(h.rv_cosine_distance(qa, qa, n), 0, `identical n=${n}`);

			// Parallel and anti-parallel: float sums may put |similarity| past 1; the result is clamped.
			for (const factor of [3, -3]) {
				for (let i = 0; i < n; i++) y[i] = factor * x[i];
				const k = kernels(h, level, qa, qb, n);
				const sim = k.cos.dot / Math.sqrt(k.cos.normA * k.cos.normB);
				const d = h.rv_cosine_distance(qa, qb, n);
				if (sim > 1) {
					clampedAbove++;
					assert.equal(d, 0, `clamped to 0, n=${n}`);
				} else if (sim < -1) {
					clampedBelow++;
					assert.equal(d, 2, `clamped to 2, n=${n}`);
				} else {
					assert.equal(d, 1 - sim, `unclamped, n=${n}`);
				}
			}
		}
		assert.ok(clampedAbove > 0 && clampedBelow > 0, 'the clamp was exercised in both directions');
		h.rv_select(LEVEL.wasm_simd128);
	});
}

// The float32 batch and gather kernels of each level against that level's one-pair kernels,
// bit for bit (the same sums in the same order), and the SIMD128 ones against the serial
// twins within twice the bound above. Rows at every float offset from a line, gathered in
// scrambled order with a repeat, and the last row ending at the last byte of linear memory.
test('batch and gather kernels equal the one-pair kernels and the serial twins', () => {
	const next = rng(4242);
	const batchDims = [];
	for (let n = 0; n <= 70; n++) batchDims.push(n);
	batchDims.push(96, 100, 384, 768, 1536);
	const metrics = ['l2sq', 'dot', 'l1', 'cosine'];
	const end = h.memory.buffer.byteLength;
	const scratch = h.rv_arena() + 4 * (2 * MAX_DIM + 64);
	const pair = (level, m, q, row, n) => {
		const k = kernels(h, level, q, row, n);
		return m === 'cosine' ? [k.cos.dot, k.cos.normA, k.cos.normB] : [k[m]];
	};
	for (const scale of [1, 1e-15, 1e17]) {
		for (const n of batchDims) {
			// At most 15,000 floats at the end of memory: below them lies the module's stack.
			const rows = Math.min(1 + (n % 19), Math.floor((15000 - 16) / Math.max(n, 1)));
			const shift = n % 16;
			const block = end - 4 * (rows * n + shift); // rows * n floats after `shift` floats, ending at the end of memory
			const base = block + 4 * shift;
			const values = new Float32Array(h.memory.buffer, block, rows * n + shift);
			for (let i = 0; i < values.length; i++) values[i] = (2 * next() - 1) * scale;
			const q = h.rv_arena() + 4;
			const qv = new Float32Array(h.memory.buffer, q, n);
			for (let i = 0; i < n; i++) qv[i] = (2 * next() - 1) * scale;
			const gathered = [];
			for (let i = 0; i < rows; i++) gathered.push(block + 4 * Math.floor(next() * (rows * n + shift - n + 1)));
			gathered[rows >> 1] = base + 4 * (rows - 1) * n;
			gathered.push(gathered[0]);
			const pointers = scratch + 4 * 3 * 600;
			new Uint32Array(h.memory.buffer, pointers, gathered.length).set(gathered);
			for (const [m, metric] of metrics.entries()) {
				const width = metric === 'cosine' ? 3 : 1;
				const out = {};
				for (const level of levels) {
					const got = new Float32Array(h.memory.buffer, scratch, width * (gathered.length + 1));
					got.fill(-1);
					h.rv_f32_batch(level, m, q, base, rows, n, scratch);
					const batch = Array.from(got.subarray(0, width * (rows + 1)));
					got.fill(-1);
					h.rv_f32_gather(level, m, q, pointers, gathered.length, n, scratch);
					const gather = Array.from(got.subarray(0, width * (gathered.length + 1)));
					const where = `${metric} ${nameOf(level)} n=${n} scale=${scale}`;
					assert.equal(batch[width * rows], -1, `batch wrote past its rows: ${where}`);
					assert.equal(gather[width * gathered.length], -1, `gather wrote past its rows: ${where}`);
					for (let i = 0; i < rows; i++) {
						assert.deepEqual(batch.slice(width * i, width * (i + 1)), pair(level, metric, q, base + 4 * i * n, n), `batch row ${i}: ${where}`);
					}
					for (let i = 0; i < gathered.length; i++) {
						assert.deepEqual(gather.slice(width * i, width * (i + 1)), pair(level, metric, q, gathered[i], n), `gather row ${i}: ${where}`);
					}
					out[level] = batch;
				}
				for (let i = 0; i < rows; i++) {
					const r = reference(qv, new Float32Array(h.memory.buffer, base + 4 * i * n, n));
					const scales = metric === 'cosine' ? [r.absDot, r.normA, r.normB] : [{ l2sq: r.l2sq, dot: r.absDot, l1: r.l1 }[metric]];
					scales.forEach((s, k) => near(out[LEVEL.wasm_simd128][width * i + k], out[LEVEL.serial][width * i + k], 2 * bound(n, s), `${metric} simd128 vs serial row ${i} n=${n} scale=${scale}`));
				}
			}
		}
	}
});
