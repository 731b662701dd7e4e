// AVX2 + FMA kernels. Each function carries its own target attribute, so this file
// needs no -march flag and the binary still runs on CPUs without AVX2: dispatch.cpp
// installs these only after CPUID and XGETBV say the CPU and OS support them.
//
// Layout of every kernel: four independent 8-lane accumulators over 32 floats per
// step (hides the 4-cycle FMA latency on two FMA ports), then 8 floats per step,
// then a masked load for the last 1..7 elements, which never touches memory past n.
#include "ruvector/kernels.hpp"

#if defined(RUVECTOR_HAVE_X86)

#include <immintrin.h>

#define RUVECTOR_TARGET_AVX2 __attribute__((target("avx2,fma")))

namespace ruvector {

namespace {

// Lanes [0, rem) selected; masked-off lanes of _mm256_maskload_ps are neither read nor faulted.
RUVECTOR_TARGET_AVX2 inline __m256i tail_mask(std::size_t rem)
{
	const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rem)), lane);
}

RUVECTOR_TARGET_AVX2 inline float horizontal_sum(__m256 v)
{
	__m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
	sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
	return _mm_cvtss_f32(sum);
}

RUVECTOR_TARGET_AVX2 inline float horizontal_sum(__m256 s0, __m256 s1, __m256 s2, __m256 s3)
{
	return horizontal_sum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

RUVECTOR_TARGET_AVX2 inline __m256 abs_ps(__m256 v)
{
	return _mm256_andnot_ps(_mm256_set1_ps(-0.0F), v);
}

} // namespace

RUVECTOR_TARGET_AVX2 float l2sq_f32_avx2(const float* a, const float* b, std::size_t n)
{
	__m256 s0 = _mm256_setzero_ps();
	__m256 s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps();
	__m256 s3 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
		const __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
		const __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
		s0 = _mm256_fmadd_ps(d0, d0, s0);
		s1 = _mm256_fmadd_ps(d1, d1, s1);
		s2 = _mm256_fmadd_ps(d2, d2, s2);
		s3 = _mm256_fmadd_ps(d3, d3, s3);
	}
	for (; i + 8 <= n; i += 8) {
		const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		s0 = _mm256_fmadd_ps(d, d, s0);
	}
	if (i < n) {
		const __m256i mask = tail_mask(n - i);
		const __m256 d = _mm256_sub_ps(_mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask));
		s1 = _mm256_fmadd_ps(d, d, s1);
	}
	return horizontal_sum(s0, s1, s2, s3);
}

RUVECTOR_TARGET_AVX2 float dot_f32_avx2(const float* a, const float* b, std::size_t n)
{
	__m256 s0 = _mm256_setzero_ps();
	__m256 s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps();
	__m256 s3 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
		s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
		s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
	}
	for (; i + 8 <= n; i += 8) {
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
	}
	if (i < n) {
		const __m256i mask = tail_mask(n - i);
		s1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask), s1);
	}
	return horizontal_sum(s0, s1, s2, s3);
}

RUVECTOR_TARGET_AVX2 float l1_f32_avx2(const float* a, const float* b, std::size_t n)
{
	__m256 s0 = _mm256_setzero_ps();
	__m256 s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps();
	__m256 s3 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		s0 = _mm256_add_ps(s0, abs_ps(_mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))));
		s1 = _mm256_add_ps(s1, abs_ps(_mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8))));
		s2 = _mm256_add_ps(s2, abs_ps(_mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16))));
		s3 = _mm256_add_ps(s3, abs_ps(_mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24))));
	}
	for (; i + 8 <= n; i += 8) {
		s0 = _mm256_add_ps(s0, abs_ps(_mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i))));
	}
	if (i < n) {
		const __m256i mask = tail_mask(n - i);
		s1 = _mm256_add_ps(s1, abs_ps(_mm256_sub_ps(_mm256_maskload_ps(a + i, mask), _mm256_maskload_ps(b + i, mask))));
	}
	return horizontal_sum(s0, s1, s2, s3);
}

// Twelve accumulators (three sums x four chains) plus two loaded vectors fit the 16 YMM registers.
RUVECTOR_TARGET_AVX2 cosine_parts cosine_f32_avx2(const float* a, const float* b, std::size_t n)
{
	__m256 dot0 = _mm256_setzero_ps();
	__m256 dot1 = _mm256_setzero_ps();
	__m256 dot2 = _mm256_setzero_ps();
	__m256 dot3 = _mm256_setzero_ps();
	__m256 na0 = _mm256_setzero_ps();
	__m256 na1 = _mm256_setzero_ps();
	__m256 na2 = _mm256_setzero_ps();
	__m256 na3 = _mm256_setzero_ps();
	__m256 nb0 = _mm256_setzero_ps();
	__m256 nb1 = _mm256_setzero_ps();
	__m256 nb2 = _mm256_setzero_ps();
	__m256 nb3 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m256 x = _mm256_loadu_ps(a + i);
		__m256 y = _mm256_loadu_ps(b + i);
		dot0 = _mm256_fmadd_ps(x, y, dot0);
		na0 = _mm256_fmadd_ps(x, x, na0);
		nb0 = _mm256_fmadd_ps(y, y, nb0);
		x = _mm256_loadu_ps(a + i + 8);
		y = _mm256_loadu_ps(b + i + 8);
		dot1 = _mm256_fmadd_ps(x, y, dot1);
		na1 = _mm256_fmadd_ps(x, x, na1);
		nb1 = _mm256_fmadd_ps(y, y, nb1);
		x = _mm256_loadu_ps(a + i + 16);
		y = _mm256_loadu_ps(b + i + 16);
		dot2 = _mm256_fmadd_ps(x, y, dot2);
		na2 = _mm256_fmadd_ps(x, x, na2);
		nb2 = _mm256_fmadd_ps(y, y, nb2);
		x = _mm256_loadu_ps(a + i + 24);
		y = _mm256_loadu_ps(b + i + 24);
		dot3 = _mm256_fmadd_ps(x, y, dot3);
		na3 = _mm256_fmadd_ps(x, x, na3);
		nb3 = _mm256_fmadd_ps(y, y, nb3);
	}
	for (; i + 8 <= n; i += 8) {
		const __m256 x = _mm256_loadu_ps(a + i);
		const __m256 y = _mm256_loadu_ps(b + i);
		dot0 = _mm256_fmadd_ps(x, y, dot0);
		na0 = _mm256_fmadd_ps(x, x, na0);
		nb0 = _mm256_fmadd_ps(y, y, nb0);
	}
	if (i < n) {
		const __m256i mask = tail_mask(n - i);
		const __m256 x = _mm256_maskload_ps(a + i, mask);
		const __m256 y = _mm256_maskload_ps(b + i, mask);
		dot1 = _mm256_fmadd_ps(x, y, dot1);
		na1 = _mm256_fmadd_ps(x, x, na1);
		nb1 = _mm256_fmadd_ps(y, y, nb1);
	}
	return cosine_parts{horizontal_sum(dot0, dot1, dot2, dot3), horizontal_sum(na0, na1, na2, na3),
	                    horizontal_sum(nb0, nb1, nb2, nb3)};
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_X86
