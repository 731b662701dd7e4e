// AVX2 + FMA + F16C kernels over halves: VCVTPH2PS widens 8 halves to 8 floats
// exactly, then the sums run as in the f32 AVX2 kernels (four 8-lane accumulators over
// 32 elements per step, then 8 per step). The last 1..7 elements are copied into a
// zeroed block first: zero pairs add nothing to any of the sums, and nothing past n is read.
// Each function carries its own target attribute; half_dispatch.cpp installs them only
// after CPUID says the CPU and OS support AVX2, FMA and F16C.
#include "ruvector/half.hpp"

#if defined(RUVECTOR_HAVE_X86)

#include <immintrin.h>

#include <cstring>

#define RUVECTOR_TARGET_F16C __attribute__((target("avx2,fma,f16c")))

namespace ruvector {

namespace {

RUVECTOR_TARGET_F16C inline __m256 load8(const std::uint16_t* p)
{
	return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// The tail as two zero-padded blocks of 8
struct tail_block {
	std::uint16_t a[8];
	std::uint16_t b[8];
};

inline tail_block copy_tail(const std::uint16_t* a, const std::uint16_t* b, std::size_t count)
{
	tail_block block{};
	std::memcpy(block.a, a, count * sizeof(std::uint16_t));
	std::memcpy(block.b, b, count * sizeof(std::uint16_t));
	return block;
}

RUVECTOR_TARGET_F16C inline float horizontal_sum(__m256 v)
{
	__m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
	sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
	return _mm_cvtss_f32(sum);
}

RUVECTOR_TARGET_F16C inline float horizontal_sum(__m256 s0, __m256 s1, __m256 s2, __m256 s3)
{
	return horizontal_sum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

RUVECTOR_TARGET_F16C inline __m256 abs_ps(__m256 v)
{
	return _mm256_andnot_ps(_mm256_set1_ps(-0.0F), v);
}

} // namespace

RUVECTOR_TARGET_F16C float l2sq_f16_avx2(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	__m256 s0 = _mm256_setzero_ps();
	__m256 s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps();
	__m256 s3 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		const __m256 d0 = _mm256_sub_ps(load8(a + i), load8(b + i));
		const __m256 d1 = _mm256_sub_ps(load8(a + i + 8), load8(b + i + 8));
		const __m256 d2 = _mm256_sub_ps(load8(a + i + 16), load8(b + i + 16));
		const __m256 d3 = _mm256_sub_ps(load8(a + i + 24), load8(b + i + 24));
		s0 = _mm256_fmadd_ps(d0, d0, s0);
		s1 = _mm256_fmadd_ps(d1, d1, s1);
		s2 = _mm256_fmadd_ps(d2, d2, s2);
		s3 = _mm256_fmadd_ps(d3, d3, s3);
	}
	for (; i + 8 <= n; i += 8) {
		const __m256 d = _mm256_sub_ps(load8(a + i), load8(b + i));
		s0 = _mm256_fmadd_ps(d, d, s0);
	}
	if (i < n) {
		const tail_block tail = copy_tail(a + i, b + i, n - i);
		const __m256 d = _mm256_sub_ps(load8(tail.a), load8(tail.b));
		s1 = _mm256_fmadd_ps(d, d, s1);
	}
	return horizontal_sum(s0, s1, s2, s3);
}

RUVECTOR_TARGET_F16C float dot_f16_avx2(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	__m256 s0 = _mm256_setzero_ps();
	__m256 s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps();
	__m256 s3 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		s0 = _mm256_fmadd_ps(load8(a + i), load8(b + i), s0);
		s1 = _mm256_fmadd_ps(load8(a + i + 8), load8(b + i + 8), s1);
		s2 = _mm256_fmadd_ps(load8(a + i + 16), load8(b + i + 16), s2);
		s3 = _mm256_fmadd_ps(load8(a + i + 24), load8(b + i + 24), s3);
	}
	for (; i + 8 <= n; i += 8) {
		s0 = _mm256_fmadd_ps(load8(a + i), load8(b + i), s0);
	}
	if (i < n) {
		const tail_block tail = copy_tail(a + i, b + i, n - i);
		s1 = _mm256_fmadd_ps(load8(tail.a), load8(tail.b), s1);
	}
	return horizontal_sum(s0, s1, s2, s3);
}

RUVECTOR_TARGET_F16C float l1_f16_avx2(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	__m256 s0 = _mm256_setzero_ps();
	__m256 s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps();
	__m256 s3 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		s0 = _mm256_add_ps(s0, abs_ps(_mm256_sub_ps(load8(a + i), load8(b + i))));
		s1 = _mm256_add_ps(s1, abs_ps(_mm256_sub_ps(load8(a + i + 8), load8(b + i + 8))));
		s2 = _mm256_add_ps(s2, abs_ps(_mm256_sub_ps(load8(a + i + 16), load8(b + i + 16))));
		s3 = _mm256_add_ps(s3, abs_ps(_mm256_sub_ps(load8(a + i + 24), load8(b + i + 24))));
	}
	for (; i + 8 <= n; i += 8) {
		s0 = _mm256_add_ps(s0, abs_ps(_mm256_sub_ps(load8(a + i), load8(b + i))));
	}
	if (i < n) {
		const tail_block tail = copy_tail(a + i, b + i, n - i);
		s1 = _mm256_add_ps(s1, abs_ps(_mm256_sub_ps(load8(tail.a), load8(tail.b))));
	}
	return horizontal_sum(s0, s1, s2, s3);
}

// Three sums per element: two accumulators each over 16 elements per step keep six FMA
// chains in flight.
RUVECTOR_TARGET_F16C cosine_parts cosine_f16_avx2(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	__m256 dot0 = _mm256_setzero_ps();
	__m256 dot1 = _mm256_setzero_ps();
	__m256 na0 = _mm256_setzero_ps();
	__m256 na1 = _mm256_setzero_ps();
	__m256 nb0 = _mm256_setzero_ps();
	__m256 nb1 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		const __m256 x0 = load8(a + i);
		const __m256 y0 = load8(b + i);
		const __m256 x1 = load8(a + i + 8);
		const __m256 y1 = load8(b + i + 8);
		dot0 = _mm256_fmadd_ps(x0, y0, dot0);
		na0 = _mm256_fmadd_ps(x0, x0, na0);
		nb0 = _mm256_fmadd_ps(y0, y0, nb0);
		dot1 = _mm256_fmadd_ps(x1, y1, dot1);
		na1 = _mm256_fmadd_ps(x1, x1, na1);
		nb1 = _mm256_fmadd_ps(y1, y1, nb1);
	}
	for (; i + 8 <= n; i += 8) {
		const __m256 x = load8(a + i);
		const __m256 y = load8(b + i);
		dot0 = _mm256_fmadd_ps(x, y, dot0);
		na0 = _mm256_fmadd_ps(x, x, na0);
		nb0 = _mm256_fmadd_ps(y, y, nb0);
	}
	if (i < n) {
		const tail_block tail = copy_tail(a + i, b + i, n - i);
		const __m256 x = load8(tail.a);
		const __m256 y = load8(tail.b);
		dot1 = _mm256_fmadd_ps(x, y, dot1);
		na1 = _mm256_fmadd_ps(x, x, na1);
		nb1 = _mm256_fmadd_ps(y, y, nb1);
	}
	return cosine_parts{horizontal_sum(_mm256_add_ps(dot0, dot1)), horizontal_sum(_mm256_add_ps(na0, na1)),
	                    horizontal_sum(_mm256_add_ps(nb0, nb1))};
}

} // namespace ruvector

#endif
