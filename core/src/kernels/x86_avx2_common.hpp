// Pieces shared by the AVX2 kernels (x86_avx2.cpp, half_x86_avx2.cpp, sparse_x86_avx2.cpp).
//
// The includer defines RUVECTOR_KERNEL_TARGET (its own target attribute) first, so every
// helper here is compiled for exactly the kernels' instruction set and inlines into them;
// no -march flag is needed. Everything has internal linkage: each file gets its own copy.
#pragma once

#if !defined(RUVECTOR_KERNEL_TARGET)
#error "define RUVECTOR_KERNEL_TARGET before including x86_avx2_common.hpp"
#endif

#include <immintrin.h>

#include <cstddef>

namespace ruvector {

namespace {

RUVECTOR_KERNEL_TARGET inline float horizontal_sum(__m256 v)
{
	__m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
	sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
	return _mm_cvtss_f32(sum);
}

RUVECTOR_KERNEL_TARGET inline float horizontal_sum(__m256 s0, __m256 s1, __m256 s2, __m256 s3)
{
	return horizontal_sum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

RUVECTOR_KERNEL_TARGET inline __m256 abs_ps(__m256 v)
{
	return _mm256_andnot_ps(_mm256_set1_ps(-0.0F), v);
}

// The last 1..7 elements of a and b, widened to 8 lanes; the lanes past them are zero.
struct tail_pair {
	__m256 a;
	__m256 b;
};

// Terms of the one-pass sums: each adds its term for (x, y) to the accumulator.
struct squared_difference {
	RUVECTOR_KERNEL_TARGET static __m256 add(__m256 sum, __m256 x, __m256 y)
	{
		const __m256 d = _mm256_sub_ps(x, y);
		return _mm256_fmadd_ps(d, d, sum);
	}
};

struct product {
	RUVECTOR_KERNEL_TARGET static __m256 add(__m256 sum, __m256 x, __m256 y)
	{
		return _mm256_fmadd_ps(x, y, sum);
	}
};

struct absolute_difference {
	RUVECTOR_KERNEL_TARGET static __m256 add(__m256 sum, __m256 x, __m256 y)
	{
		return _mm256_add_ps(sum, abs_ps(_mm256_sub_ps(x, y)));
	}
};

// Sum of Term over a and b: four independent 8-lane accumulators over 32 elements per step,
// then 8 per step into the first, then the tail into the second. Source supplies
// load(p) (8 elements as floats) and load_tail(a, b, count) (a tail_pair).
template <typename Source, typename Term, typename T>
RUVECTOR_KERNEL_TARGET inline float sum_terms(const T* a, const T* b, std::size_t n)
{
	__m256 s0 = _mm256_setzero_ps();
	__m256 s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps();
	__m256 s3 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		s0 = Term::add(s0, Source::load(a + i), Source::load(b + i));
		s1 = Term::add(s1, Source::load(a + i + 8), Source::load(b + i + 8));
		s2 = Term::add(s2, Source::load(a + i + 16), Source::load(b + i + 16));
		s3 = Term::add(s3, Source::load(a + i + 24), Source::load(b + i + 24));
	}
	for (; i + 8 <= n; i += 8) {
		s0 = Term::add(s0, Source::load(a + i), Source::load(b + i));
	}
	if (i < n) {
		const tail_pair tail = Source::load_tail(a + i, b + i, n - i);
		s1 = Term::add(s1, tail.a, tail.b);
	}
	return horizontal_sum(s0, s1, s2, s3);
}

} // namespace

} // namespace ruvector
