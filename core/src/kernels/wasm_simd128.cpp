// WebAssembly SIMD128 kernels: four independent 4-lane accumulators over 16 floats per
// step (cosine: see there), then 4 floats per step, then a scalar tail (WASM has no
// masked load, and the tail must not read past n). SIMD128 has no fused multiply-add,
// so each product is rounded before it is added, as in the serial twin.
#include "ruvector/kernels.hpp"

#if defined(RUVECTOR_HAVE_WASM_SIMD128)

#include "wasm_simd128_common.hpp"

#include <cmath>
#include <wasm_simd128.h>

namespace ruvector {

namespace {

inline v128_t load(const float* p)
{
	return wasm_v128_load(p);
}

// Terms of the one-pass sums, on four lanes and on one element of the scalar tail
struct l2sq_term {
	static v128_t lanes(v128_t x, v128_t y)
	{
		return squared_difference(x, y);
	}
	static float scalar(float x, float y)
	{
		const float d = x - y;
		return d * d;
	}
};

struct dot_term {
	static v128_t lanes(v128_t x, v128_t y)
	{
		return wasm_f32x4_mul(x, y);
	}
	static float scalar(float x, float y)
	{
		return x * y;
	}
};

struct l1_term {
	static v128_t lanes(v128_t x, v128_t y)
	{
		return absolute_difference(x, y);
	}
	static float scalar(float x, float y)
	{
		return std::fabs(x - y);
	}
};

// Sum of Term over a and b: four accumulators over 16 floats per step, then 4 per step
// into the first, then the scalar tail added to the lane total.
template <typename Term>
float sum_terms(const float* a, const float* b, std::size_t n)
{
	v128_t s0 = wasm_f32x4_splat(0.0F);
	v128_t s1 = s0;
	v128_t s2 = s0;
	v128_t s3 = s0;
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		s0 = wasm_f32x4_add(s0, Term::lanes(load(a + i), load(b + i)));
		s1 = wasm_f32x4_add(s1, Term::lanes(load(a + i + 4), load(b + i + 4)));
		s2 = wasm_f32x4_add(s2, Term::lanes(load(a + i + 8), load(b + i + 8)));
		s3 = wasm_f32x4_add(s3, Term::lanes(load(a + i + 12), load(b + i + 12)));
	}
	for (; i + 4 <= n; i += 4) {
		s0 = wasm_f32x4_add(s0, Term::lanes(load(a + i), load(b + i)));
	}
	float sum = horizontal_sum(s0, s1, s2, s3);
	for (; i < n; i++) {
		sum += Term::scalar(a[i], b[i]);
	}
	return sum;
}

} // namespace

float l2sq_f32_wasm_simd128(const float* a, const float* b, std::size_t n)
{
	return sum_terms<l2sq_term>(a, b, n);
}

float dot_f32_wasm_simd128(const float* a, const float* b, std::size_t n)
{
	return sum_terms<dot_term>(a, b, n);
}

float l1_f32_wasm_simd128(const float* a, const float* b, std::size_t n)
{
	return sum_terms<l1_term>(a, b, n);
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
