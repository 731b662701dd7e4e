// Pieces shared by the f32 and f16 NEON kernels (neon.cpp, half_neon.cpp). Advanced SIMD is
// part of every AArch64 CPU, so no target attributes.
//
// Layout of every sum: four independent 4-lane accumulators over 16 elements per step
// (hides the FMA latency on two pipes), then 4 per step into the first, then the last 1..3
// elements copied into a zeroed block of four (zero pairs add nothing to any of the sums,
// and nothing past n is read) into the second.
#pragma once

#include <arm_neon.h>

#include <cstddef>

namespace ruvector {

namespace {

// Terms of the one-pass sums: each adds its term for (x, y) to the accumulator.
struct squared_difference {
	static float32x4_t add(float32x4_t sum, float32x4_t x, float32x4_t y)
	{
		const float32x4_t d = vsubq_f32(x, y);
		return vfmaq_f32(sum, d, d);
	}
};

struct product {
	static float32x4_t add(float32x4_t sum, float32x4_t x, float32x4_t y)
	{
		return vfmaq_f32(sum, x, y);
	}
};

struct absolute_difference {
	static float32x4_t add(float32x4_t sum, float32x4_t x, float32x4_t y)
	{
		return vaddq_f32(sum, vabdq_f32(x, y));
	}
};

inline float sum_of(float32x4_t s0, float32x4_t s1, float32x4_t s2, float32x4_t s3)
{
	return vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
}

// Sum of Term over a and b. Source supplies load(p) (4 elements as floats) and
// load_tail(p, count) (the first count < 4 elements, zeros after them).
template <typename Source, typename Term, typename T>
inline float sum_terms(const T* a, const T* b, std::size_t n)
{
	float32x4_t s0 = vdupq_n_f32(0.0F);
	float32x4_t s1 = s0;
	float32x4_t s2 = s0;
	float32x4_t s3 = s0;
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		s0 = Term::add(s0, Source::load(a + i), Source::load(b + i));
		s1 = Term::add(s1, Source::load(a + i + 4), Source::load(b + i + 4));
		s2 = Term::add(s2, Source::load(a + i + 8), Source::load(b + i + 8));
		s3 = Term::add(s3, Source::load(a + i + 12), Source::load(b + i + 12));
	}
	for (; i + 4 <= n; i += 4) {
		s0 = Term::add(s0, Source::load(a + i), Source::load(b + i));
	}
	if (i < n) {
		s1 = Term::add(s1, Source::load_tail(a + i, n - i), Source::load_tail(b + i, n - i));
	}
	return sum_of(s0, s1, s2, s3);
}

// Dot product and both squared norms in one pass: two chains per sum over 8 elements per
// step keep six FMAs in flight.
template <typename Source, typename T>
inline cosine_parts cosine_terms(const T* a, const T* b, std::size_t n)
{
	const float32x4_t zero = vdupq_n_f32(0.0F);
	float32x4_t dot0 = zero;
	float32x4_t dot1 = zero;
	float32x4_t na0 = zero;
	float32x4_t na1 = zero;
	float32x4_t nb0 = zero;
	float32x4_t nb1 = zero;
	std::size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		const float32x4_t x0 = Source::load(a + i);
		const float32x4_t y0 = Source::load(b + i);
		const float32x4_t x1 = Source::load(a + i + 4);
		const float32x4_t y1 = Source::load(b + i + 4);
		dot0 = vfmaq_f32(dot0, x0, y0);
		na0 = vfmaq_f32(na0, x0, x0);
		nb0 = vfmaq_f32(nb0, y0, y0);
		dot1 = vfmaq_f32(dot1, x1, y1);
		na1 = vfmaq_f32(na1, x1, x1);
		nb1 = vfmaq_f32(nb1, y1, y1);
	}
	for (; i + 4 <= n; i += 4) {
		const float32x4_t x = Source::load(a + i);
		const float32x4_t y = Source::load(b + i);
		dot0 = vfmaq_f32(dot0, x, y);
		na0 = vfmaq_f32(na0, x, x);
		nb0 = vfmaq_f32(nb0, y, y);
	}
	if (i < n) {
		const float32x4_t x = Source::load_tail(a + i, n - i);
		const float32x4_t y = Source::load_tail(b + i, n - i);
		dot1 = vfmaq_f32(dot1, x, y);
		na1 = vfmaq_f32(na1, x, x);
		nb1 = vfmaq_f32(nb1, y, y);
	}
	return cosine_parts{vaddvq_f32(vaddq_f32(dot0, dot1)), vaddvq_f32(vaddq_f32(na0, na1)),
	                    vaddvq_f32(vaddq_f32(nb0, nb1))};
}

} // namespace

} // namespace ruvector
