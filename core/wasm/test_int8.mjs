// WASM int8 kernels under Node: serial and SIMD128 against a JavaScript reference, exactly
// (integer results), at every length 0..300 and a stride beyond, at every alignment mod 4,
// with inputs ending at the last byte of linear memory (an over-read traps), over the full
// [-127, 127] range, the extremes alone, small values, and at the documented longest
// vectors, where the sums come within 0.01% of 2^31 - 1.
// Run: node --test core/wasm/test_int8.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LEVEL, loadHarness, rng } from './harness.mjs';

const L2SQ_MAX_DIM = 33286;
const DOT_MAX_DIM = 133144;

const dims = [];
for (let n = 0; n <= 300; n++) dims.push(n);
for (let n = 317; n <= 5000; n += 131) dims.push(n);

function reference(a, b) {
	let l2sq = 0;
	let dot = 0;
	for (let i = 0; i < a.length; i++) {
		const d = a[i] - b[i];
		l2sq += d * d;
		dot += a[i] * b[i];
	}
	return { l2sq, dot };
}

// a ends at the last byte of memory (minus `offset`), b just below it (minus 3 - offset).
function place(h, n, offset) {
	const end = h.memory.buffer.byteLength;
	const pa = end - n - offset;
	const pb = pa - n - (3 - offset);
	return [pa, pb, new Int8Array(h.memory.buffer, pa, n), new Int8Array(h.memory.buffer, pb, n)];
}

const h = await loadHarness();
const levels = [LEVEL.serial, LEVEL.wasm_simd128];
const nameOf = (level) => Object.keys(LEVEL).find((k) => LEVEL[k] === level);

test('int8 levels built into the WASM module', () => {
	assert.equal(h.rv_has_int8_level(LEVEL.serial), 1);
	assert.equal(h.rv_has_int8_level(LEVEL.wasm_simd128), 1);
	for (const level of [LEVEL.avx2, LEVEL.avx512, LEVEL.neon]) assert.equal(h.rv_has_int8_level(level), 0);
});

for (const level of levels) {
	test(`${nameOf(level)}: exact against the reference`, () => {
		const next = rng(4242 + level);
		for (const [low, high] of [[-127, 127], [-3, 3], [0, 127], [-127, -120]]) {
			for (const n of dims) {
				for (const offset of [0, 1, 2, 3]) {
					const [pa, pb, a, b] = place(h, n, offset);
					for (let i = 0; i < n; i++) {
						a[i] = low + Math.floor(next() * (high - low + 1));
						b[i] = low + Math.floor(next() * (high - low + 1));
					}
					const r = reference(a, b);
					const where = `[${low}, ${high}] n=${n} offset=${offset}`;
					assert.equal(h.rv_l2sq_i8(level, pa, pb, n), r.l2sq, `l2sq ${where}`);
					assert.equal(h.rv_dot_i8(level, pa, pb, n), r.dot, `dot ${where}`);
				}
			}
		}
	});

	test(`${nameOf(level)}: extremes, zeros and identical vectors`, () => {
		const next = rng(77 + level);
		for (const n of dims) {
			const [pa, pb, a, b] = place(h, n, 0);
			for (let i = 0; i < n; i++) {
				a[i] = next() < 0.5 ? 127 : -127;
				b[i] = next() < 0.5 ? 127 : -127;
			}
			const r = reference(a, b);
			assert.equal(h.rv_l2sq_i8(level, pa, pb, n), r.l2sq, `extremes l2sq n=${n}`);
			assert.equal(h.rv_dot_i8(level, pa, pb, n), r.dot, `extremes dot n=${n}`);
			assert.equal(h.rv_l2sq_i8(level, pa, pa, n), 0, `identical n=${n}`);
			b.fill(0);
			assert.equal(h.rv_dot_i8(level, pa, pb, n), 0, `zero dot n=${n}`);
			assert.equal(h.rv_l2sq_i8(level, pa, pb, n), reference(a, a).dot, `zero l2sq n=${n}`);
		}
	});

	test(`${nameOf(level)}: exact at the documented longest vectors`, () => {
		let [pa, pb, a, b] = place(h, L2SQ_MAX_DIM, 1);
		for (let i = 0; i < L2SQ_MAX_DIM; i++) {
			a[i] = i % 2 === 0 ? 127 : -127;
			b[i] = -a[i];
		}
		assert.equal(h.rv_l2sq_i8(level, pa, pb, L2SQ_MAX_DIM), L2SQ_MAX_DIM * 254 * 254);
		[pa, pb, a, b] = place(h, DOT_MAX_DIM, 0);
		for (const sign of [1, -1]) {
			for (let i = 0; i < DOT_MAX_DIM; i++) {
				a[i] = i % 3 === 0 ? -127 : 127;
				b[i] = sign * a[i];
			}
			assert.equal(h.rv_dot_i8(level, pa, pb, DOT_MAX_DIM), sign * DOT_MAX_DIM * 127 * 127);
		}
	});
}

test('dispatched int8 entry point follows the f32 level', async () => {
	for (const level of levels) {
		const fresh = await loadHarness();
		assert.equal(fresh.rv_select(level), 1);
		const [pa, pb, a, b] = place(fresh, 3, 0);
		a.set([1, 2, 3]);
		b.set([1, 2, 5]);
		assert.equal(fresh.rv_l2sq_i8_dispatched(pa, pb, 3), 4);
		assert.equal(fresh.rv_active_int8_level(), level);
	}
});
