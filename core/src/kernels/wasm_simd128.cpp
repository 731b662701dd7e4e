// WebAssembly SIMD128 kernels: four independent 4-lane accumulators over 16 floats per
// step (cosine: see there), then 4 floats per step, then a scalar tail (WASM has no
// masked load, and the tail must not read past n). SIMD128 has no fused multiply-add,
// so each product is rounded before it is added, as in the serial twin.
#include "ruvector/kernels.hpp"

#if defined(RUVECTOR_HAVE_WASM_SIMD128)

#include <cmath>
#include <wasm_simd128.h>

namespace ruvector {

namespace {

inline float horizontal_sum(v128_t v)
{
	v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
	v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
	return wasm_f32x4_extract_lane(v, 0);
}

inline float horizontal_sum(v128_t s0, v128_t s1, v128_t s2, v128_t s3)
{
	return horizontal_sum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
}

inline v128_t load(const float* p)
{
	return wasm_v128_load(p);
}

} // namespace

float l2sq_f32_wasm_simd128(const float* a, const float* b, std::size_t n)
{
	v128_t s0 = wasm_f32x4_splat(0.0F);
	v128_t s1 = s0;
	v128_t s2 = s0;
	v128_t s3 = s0;
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		const v128_t d0 = wasm_f32x4_sub(load(a + i), load(b + i));
		const v128_t d1 = wasm_f32x4_sub(load(a + i + 4), load(b + i + 4));
		const v128_t d2 = wasm_f32x4_sub(load(a + i + 8), load(b + i + 8));
		const v128_t d3 = wasm_f32x4_sub(load(a + i + 12), load(b + i + 12));
		s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d0, d0));
		s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(d1, d1));
		s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(d2, d2));
		s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(d3, d3));
	}
	for (; i + 4 <= n; i += 4) {
		const v128_t d = wasm_f32x4_sub(load(a + i), load(b + i));
		s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d, d));
	}
	float sum = horizontal_sum(s0, s1, s2, s3);
	for (; i < n; i++) {
		const float d = a[i] - b[i];
		sum += d * d;
	}
	return sum;
}

float dot_f32_wasm_simd128(const float* a, const float* b, std::size_t n)
{
	v128_t s0 = wasm_f32x4_splat(0.0F);
	v128_t s1 = s0;
	v128_t s2 = s0;
	v128_t s3 = s0;
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(load(a + i), load(b + i)));
		s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(load(a + i + 4), load(b + i + 4)));
		s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(load(a + i + 8), load(b + i + 8)));
		s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(load(a + i + 12), load(b + i + 12)));
	}
	for (; i + 4 <= n; i += 4) {
		s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(load(a + i), load(b + i)));
	}
	float sum = horizontal_sum(s0, s1, s2, s3);
	for (; i < n; i++) {
		sum += a[i] * b[i];
	}
	return sum;
}

float l1_f32_wasm_simd128(const float* a, const float* b, std::size_t n)
{
	v128_t s0 = wasm_f32x4_splat(0.0F);
	v128_t s1 = s0;
	v128_t s2 = s0;
	v128_t s3 = s0;
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		s0 = wasm_f32x4_add(s0, wasm_f32x4_abs(wasm_f32x4_sub(load(a + i), load(b + i))));
		s1 = wasm_f32x4_add(s1, wasm_f32x4_abs(wasm_f32x4_sub(load(a + i + 4), load(b + i + 4))));
		s2 = wasm_f32x4_add(s2, wasm_f32x4_abs(wasm_f32x4_sub(load(a + i + 8), load(b + i + 8))));
		s3 = wasm_f32x4_add(s3, wasm_f32x4_abs(wasm_f32x4_sub(load(a + i + 12), load(b + i + 12))));
	}
	for (; i + 4 <= n; i += 4) {
		s0 = wasm_f32x4_add(s0, wasm_f32x4_abs(wasm_f32x4_sub(load(a + i), load(b + i))));
	}
	float sum = horizontal_sum(s0, s1, s2, s3);
	for (; i < n; i++) {
		sum += std::fabs(a[i] - b[i]);
	}
	return sum;
}

// Two chains per sum, six accumulators: twelve (four chains) measured ~30% slower under
// Node's V8, which has fewer free vector registers than that loop needs.
cosine_parts cosine_f32_wasm_simd128(const float* a, const float* b, std::size_t n)
{
	v128_t dot0 = wasm_f32x4_splat(0.0F);
	v128_t dot1 = dot0;
	v128_t na0 = dot0;
	v128_t na1 = dot0;
	v128_t nb0 = dot0;
	v128_t nb1 = dot0;
	std::size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		v128_t x = load(a + i);
		v128_t y = load(b + i);
		dot0 = wasm_f32x4_add(dot0, wasm_f32x4_mul(x, y));
		na0 = wasm_f32x4_add(na0, wasm_f32x4_mul(x, x));
		nb0 = wasm_f32x4_add(nb0, wasm_f32x4_mul(y, y));
		x = load(a + i + 4);
		y = load(b + i + 4);
		dot1 = wasm_f32x4_add(dot1, wasm_f32x4_mul(x, y));
		na1 = wasm_f32x4_add(na1, wasm_f32x4_mul(x, x));
		nb1 = wasm_f32x4_add(nb1, wasm_f32x4_mul(y, y));
	}
	if (i + 4 <= n) {
		const v128_t x = load(a + i);
		const v128_t y = load(b + i);
		dot0 = wasm_f32x4_add(dot0, wasm_f32x4_mul(x, y));
		na0 = wasm_f32x4_add(na0, wasm_f32x4_mul(x, x));
		nb0 = wasm_f32x4_add(nb0, wasm_f32x4_mul(y, y));
		i += 4;
	}
	cosine_parts parts{horizontal_sum(wasm_f32x4_add(dot0, dot1)), horizontal_sum(wasm_f32x4_add(na0, na1)),
	                   horizontal_sum(wasm_f32x4_add(nb0, nb1))};
	for (; i < n; i++) {
		parts.dot += a[i] * b[i];
		parts.norm_a += a[i] * a[i];
		parts.norm_b += b[i] * b[i];
	}
	return parts;
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_WASM_SIMD128
