// WASM float16 and bit kernels, and the float32 batches, under Node: the SIMD128 level against
// its serial twin and a double reference computed here from the raw bits, at every length
// 0..300 and a stride to 2048, misaligned by one element and ending at the last byte of linear
// memory (an over-read traps). Half inputs cover the halfvec extremes (±65504), subnormals,
// signed zeros and ordinary values. Tolerances as in test_kernels.mjs: (n + 4) * 2^-24 * sum|terms|.
// Run: node --test core/wasm/test_half_bits.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LEVEL, loadHarness, rng } from './harness.mjs';

const U = 2 ** -24;
const MAX_DIM = 2048;
const bound = (n, scale) => (n + 4) * U * scale;

const dims = [];
for (let n = 0; n <= 300; n++) dims.push(n);
for (let n = 317; n < MAX_DIM; n += 61) dims.push(n);
dims.push(MAX_DIM - 1, MAX_DIM);

// binary16 bits to a number, written from the format's definition (not from the C++ code).
function halfValue(bits) {
	const sign = bits & 0x8000 ? -1 : 1;
	const exponent = (bits >> 10) & 0x1f;
	const mantissa = bits & 0x3ff;
	if (exponent === 0) return sign * mantissa * 2 ** -24;
	return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

// The half of an integer -8..8 (exponent floor(log2 |v|), mantissa the rest), -0 for half the zeros.
function integerHalf(v, next) {
	if (v === 0) return next() < 0.5 ? 0x0000 : 0x8000;
	const m = Math.abs(v);
	const e = Math.floor(Math.log2(m));
	return (v < 0 ? 0x8000 : 0) | ((e + 15) << 10) | ((m / 2 ** e - 1) * 1024);
}

// Finite halves of one value range, as bit patterns.
const HALF_RANGES = {
	// Integers -8..8: every sum of up to 2048 terms is exact in float32, in any order.
	small: (next) => integerHalf(Math.floor(next() * 17) - 8, next),
	// Any finite half: exponents 0..30 (30 holds 65504 = 0x7bff), subnormals included.
	any: (next) => (next() < 0.5 ? 0x8000 : 0) | Math.floor(next() * 0x7c00),
	// The halfvec extremes, the smallest subnormal, the largest subnormal, the smallest normal, zeros.
	extremes: (next) => [0x7bff, 0xfbff, 0x0001, 0x8001, 0x03ff, 0x0400, 0x0000, 0x8000][Math.floor(next() * 8)],
	// Subnormals only (exponent field 0).
	subnormal: (next) => (next() < 0.5 ? 0x8000 : 0) | Math.floor(next() * 0x400),
};

function halfReference(a, b) {
	const r = { l2sq: 0, dot: 0, l1: 0, normA: 0, normB: 0, absDot: 0 };
	for (let i = 0; i < a.length; i++) {
		const x = halfValue(a[i]);
		const y = halfValue(b[i]);
		r.l2sq += (x - y) * (x - y);
		r.dot += x * y;
		r.l1 += Math.abs(x - y);
		r.normA += x * x;
		r.normB += y * y;
		r.absDot += Math.abs(x * y);
	}
	return r;
}

const h = await loadHarness();
const levels = [LEVEL.serial, LEVEL.wasm_simd128];
const nameOf = (level) => Object.keys(LEVEL).find((k) => LEVEL[k] === level);
const scratch = () => h.rv_arena() + 4 * (4 * MAX_DIM + 64);

// Byte addresses of a and b: one element past a 64-byte boundary, or ending at the end of memory.
function place(placement, n, size) {
	if (placement === 'misaligned') {
		const base = h.rv_arena();
		return [base + size, base + size + size * (MAX_DIM + 64)];
	}
	const end = h.memory.buffer.byteLength;
	return [end - size * n, end - 2 * size * n];
}

function halfKernels(level, pa, pb, n) {
	h.rv_half(level, pa, pb, n, scratch());
	const o = new Float32Array(h.memory.buffer, scratch(), 6);
	return { l2sq: o[0], dot: o[1], l1: o[2], cos: { dot: o[3], normA: o[4], normB: o[5] } };
}

function near(actual, expected, tolerance, what) {
	assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (tolerance ${tolerance})`);
}

test('half and bit levels built into the WASM module', () => {
	for (const has of [h.rv_has_half_level, h.rv_has_bits_level]) {
		assert.equal(has(LEVEL.serial), 1);
		assert.equal(has(LEVEL.wasm_simd128), 1);
		assert.equal(has(LEVEL.avx2), 0);
		assert.equal(has(LEVEL.neon), 0);
	}
});

for (const level of levels) {
	test(`${nameOf(level)}: float16 exact on small integers`, () => {
		const next = rng(31 + level);
		for (const placement of ['misaligned', 'against end of memory']) {
			for (const n of dims) {
				const [pa, pb] = place(placement, n, 2);
				const a = new Uint16Array(h.memory.buffer, pa, n);
				const b = new Uint16Array(h.memory.buffer, pb, n);
				for (let i = 0; i < n; i++) {
					a[i] = HALF_RANGES.small(next);
					b[i] = HALF_RANGES.small(next);
				}
				const r = halfReference(a, b);
				const k = halfKernels(level, pa, pb, n);
				const where = `n=${n} ${placement}`;
				assert.equal(k.l2sq, r.l2sq, `l2sq ${where}`);
				assert.equal(k.dot, r.dot, `dot ${where}`);
				assert.equal(k.l1, r.l1, `l1 ${where}`);
				assert.deepEqual(k.cos, { dot: r.dot, normA: r.normA, normB: r.normB }, `cosine ${where}`);
			}
		}
	});
}

test('wasm_simd128 float16 matches the serial twin and the double reference', () => {
	const next = rng(4242);
	for (const range of ['any', 'extremes', 'subnormal']) {
		for (const placement of ['misaligned', 'against end of memory']) {
			for (const n of dims) {
				const [pa, pb] = place(placement, n, 2);
				const a = new Uint16Array(h.memory.buffer, pa, n);
				const b = new Uint16Array(h.memory.buffer, pb, n);
				for (let i = 0; i < n; i++) {
					a[i] = HALF_RANGES[range](next);
					b[i] = HALF_RANGES[range](next);
				}
				const r = halfReference(a, b);
				const s = halfKernels(LEVEL.serial, pa, pb, n);
				const v = halfKernels(LEVEL.wasm_simd128, pa, pb, n);
				const where = `${range} n=${n} ${placement}`;
				// A product of two halves (11-bit significands, exponents >= -24) is exact in float32, so
				// only the sums round: the f32 bound applies unchanged, down to the subnormals.
				for (const [name, scale] of [
					['l2sq', r.l2sq],
					['dot', r.absDot],
					['l1', r.l1],
				]) {
					near(v[name], r[name], bound(n, scale), `${name} simd128 vs reference ${where}`);
					near(v[name], s[name], 2 * bound(n, scale), `${name} simd128 vs serial ${where}`);
				}
				for (const [name, scale] of [
					['dot', r.absDot],
					['normA', r.normA],
					['normB', r.normB],
				]) {
					near(v.cos[name], r[name], bound(n, scale), `cosine ${name} simd128 vs reference ${where}`);
					near(v.cos[name], s.cos[name], 2 * bound(n, scale), `cosine ${name} simd128 vs serial ${where}`);
				}
				if (range === 'subnormal' && n > 0) {
					// |a - b| of subnormals is a multiple of 2^-24 below 2^-13: every l1 sum is exact.
					assert.equal(v.l1, r.l1, `l1 of subnormals exact ${where}`);
					assert.equal(s.l1, r.l1, `serial l1 of subnormals exact ${where}`);
				}
			}
		}
	}
});

for (const level of levels) {
	test(`${nameOf(level)}: float16 zero vectors (both signs) give exact zeros`, () => {
		for (const n of dims) {
			const [pa, pb] = place('against end of memory', n, 2);
			const a = new Uint16Array(h.memory.buffer, pa, n);
			const b = new Uint16Array(h.memory.buffer, pb, n);
			for (let i = 0; i < n; i++) {
				a[i] = i % 2 ? 0x8000 : 0;
				b[i] = i % 3 ? 0 : 0x8000;
			}
			const k = halfKernels(level, pa, pb, n);
			assert.deepEqual(
				[k.l2sq, k.dot, k.l1, k.cos.dot, k.cos.normA, k.cos.normB].map(Math.abs),
				[0, 0, 0, 0, 0, 0],
				`n=${n}`,
			);
		}
	});
}

function popcount8(x) {
	let c = 0;
	for (let v = x; v; v &= v - 1) c++;
	return c;
}

for (const level of levels) {
	test(`${nameOf(level)}: Hamming and Jaccard counts exact`, () => {
		const next = rng(777 + level);
		for (const density of [0, 0.1, 0.5, 1]) {
			for (const placement of ['misaligned', 'against end of memory']) {
				for (const n of dims) {
					const [pa, pb] = place(placement, n, 1);
					const a = new Uint8Array(h.memory.buffer, pa, n);
					const b = new Uint8Array(h.memory.buffer, pb, n);
					for (let i = 0; i < n; i++) {
						let x = 0;
						let y = 0;
						for (let bit = 0; bit < 8; bit++) {
							if (next() < density) x |= 1 << bit;
							if (next() < density) y |= 1 << bit;
						}
						a[i] = x;
						b[i] = y;
					}
					let xor = 0;
					let and = 0;
					let or = 0;
					for (let i = 0; i < n; i++) {
						xor += popcount8(a[i] ^ b[i]);
						and += popcount8(a[i] & b[i]);
						or += popcount8(a[i] | b[i]);
					}
					h.rv_bits(level, pa, pb, n, scratch());
					const o = new Float64Array(h.memory.buffer, scratch(), 3);
					assert.deepEqual([...o], [xor, and, or], `density=${density} n=${n} ${placement}`);
				}
			}
		}
	});
}

// The bit batches row by row against the JavaScript counts and the level's pair kernels: 0, 1, 2,
// 5 and 17 rows (more than the harness's chunk of 16) of every length, back to back or apart (8
// bytes between rows, as an index entry's header, or 1..29) with random bytes between them, the
// rows starting one byte past a line or with the last row ending at the last byte of memory.
for (const level of levels) {
	test(`${nameOf(level)}: Hamming and Jaccard batches equal the pair counts`, () => {
		const next = rng(555 + level);
		for (const n of dims) {
			for (const count of [0, 1, 2, 5, 17]) {
				for (const stride of [n, n + 8, n + 1 + ((5 * n + count) % 29)]) {
					for (const placement of ['misaligned', 'against end of memory']) {
						const span = count === 0 ? 0 : (count - 1) * stride + n;
						// The arena holds 256 KiB: q, then the rows, then the results, apart.
						const q = h.rv_arena() + 1;
						const base = placement === 'misaligned' ? h.rv_arena() + 4097 : h.memory.buffer.byteLength - span;
						const out = h.rv_arena() + 131072;
						const pairOut = out + 8 * 64;
						const qBytes = new Uint8Array(h.memory.buffer, q, n);
						const rows = new Uint8Array(h.memory.buffer, base, span);
						for (let i = 0; i < n; i++) qBytes[i] = Math.floor(next() * 256);
						for (let i = 0; i < span; i++) rows[i] = Math.floor(next() * 256);
						const got = new Float64Array(h.memory.buffer, out, 3 * count + 1);
						got[3 * count] = -1;
						h.rv_bits_batch(level, q, base, count, n, stride, out);
						const batch = [...got];
						const where = `n=${n} count=${count} stride=${stride} ${placement}`;
						assert.equal(batch[3 * count], -1, `bit batch wrote past its rows: ${where}`);
						for (let r = 0; r < count; r++) {
							let xor = 0;
							let and = 0;
							let or = 0;
							for (let i = 0; i < n; i++) {
								const x = qBytes[i];
								const y = rows[r * stride + i];
								xor += popcount8(x ^ y);
								and += popcount8(x & y);
								or += popcount8(x | y);
							}
							assert.deepEqual(batch.slice(3 * r, 3 * r + 3), [xor, and, or], `row ${r}: ${where}`);
							h.rv_bits(level, q, base + r * stride, n, pairOut);
							assert.deepEqual(
								batch.slice(3 * r, 3 * r + 3),
								[...new Float64Array(h.memory.buffer, pairOut, 3)],
								`row ${r} against the pair kernels: ${where}`,
							);
						}
					}
				}
			}
		}
	});
}

for (const level of levels) {
	test(`${nameOf(level)}: l1 and cosine batches equal the one-pair kernels`, () => {
		assert.equal(h.rv_select(level), 1);
		const next = rng(99 + level);
		for (const n of [0, 1, 3, 7, 16, 17, 96, 100, 384]) {
			for (const count of [0, 1, 5, 19]) {
				const query = h.rv_arena();
				const end = h.memory.buffer.byteLength;
				const base = end - 4 * n * count; // the last row ends at the end of memory
				const q = new Float32Array(h.memory.buffer, query, n);
				const rows = new Float32Array(h.memory.buffer, base, n * count);
				for (let i = 0; i < n; i++) q[i] = 4 * next() - 2;
				for (let i = 0; i < n * count; i++) rows[i] = 4 * next() - 2;
				const out = scratch();
				const sentinel = new Float32Array(h.memory.buffer, out, 3 * count + 1);
				sentinel.fill(-1);
				h.rv_l1_batch(query, base, count, n, out);
				const l1 = [...new Float32Array(h.memory.buffer, out, count + 1)];
				assert.equal(l1[count], -1, 'l1 batch wrote past its count');
				for (let i = 0; i < count; i++) {
					assert.equal(l1[i], h.rv_l1(level, query, base + 4 * n * i, n), `l1 n=${n} row ${i}`);
				}
				sentinel.fill(-1);
				h.rv_cosine_batch(query, base, count, n, out);
				const parts = [...new Float32Array(h.memory.buffer, out, 3 * count + 1)];
				assert.equal(parts[3 * count], -1, 'cosine batch wrote past its count');
				const one = scratch() + 4 * (3 * count + 8);
				for (let i = 0; i < count; i++) {
					h.rv_cosine(level, query, base + 4 * n * i, n, one);
					assert.deepEqual(parts.slice(3 * i, 3 * i + 3), [...new Float32Array(h.memory.buffer, one, 3)],
						`cosine n=${n} row ${i}`);
				}
			}
		}
		h.rv_select(LEVEL.wasm_simd128);
	});
}
