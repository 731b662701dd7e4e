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

#define RUVECTOR_KERNEL_TARGET __attribute__((target("avx2,fma,f16c")))

#include "x86_avx2_common.hpp"

namespace ruvector {

namespace {

struct f16_source {
	RUVECTOR_KERNEL_TARGET static __m256 load(const std::uint16_t* p)
	{
		return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
	}

	// Copied into zeroed blocks of 8 first, so nothing past count is read.
	RUVECTOR_KERNEL_TARGET static tail_pair load_tail(const std::uint16_t* a, const std::uint16_t* b, std::size_t count)
	{
		std::uint16_t block_a[8] = {};
		std::uint16_t block_b[8] = {};
		std::memcpy(block_a, a, count * sizeof(std::uint16_t));
		std::memcpy(block_b, b, count * sizeof(std::uint16_t));
		return tail_pair{load(block_a), load(block_b)};
	}
};

} // namespace

RUVECTOR_KERNEL_TARGET float l2sq_f16_avx2(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return sum_terms<f16_source, squared_difference>(a, b, n);
}

RUVECTOR_KERNEL_TARGET float dot_f16_avx2(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return sum_terms<f16_source, product>(a, b, n);
}

RUVECTOR_KERNEL_TARGET float l1_f16_avx2(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return sum_terms<f16_source, absolute_difference>(a, b, n);
}

// Three sums per element: two accumulators each over 16 elements per step keep six FMA
// chains in flight.
RUVECTOR_KERNEL_TARGET cosine_parts cosine_f16_avx2(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	__m256 dot0 = _mm256_setzero_ps();
	__m256 dot1 = _mm256_setzero_ps();
	__m256 na0 = _mm256_setzero_ps();
	__m256 na1 = _mm256_setzero_ps();
	__m256 nb0 = _mm256_setzero_ps();
	__m256 nb1 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		const __m256 x0 = f16_source::load(a + i);
		const __m256 y0 = f16_source::load(b + i);
		const __m256 x1 = f16_source::load(a + i + 8);
		const __m256 y1 = f16_source::load(b + i + 8);
		dot0 = _mm256_fmadd_ps(x0, y0, dot0);
		na0 = _mm256_fmadd_ps(x0, x0, na0);
		nb0 = _mm256_fmadd_ps(y0, y0, nb0);
		dot1 = _mm256_fmadd_ps(x1, y1, dot1);
		na1 = _mm256_fmadd_ps(x1, x1, na1);
		nb1 = _mm256_fmadd_ps(y1, y1, nb1);
	}
	for (; i + 8 <= n; i += 8) {
		const __m256 x = f16_source::load(a + i);
		const __m256 y = f16_source::load(b + i);
		dot0 = _mm256_fmadd_ps(x, y, dot0);
		na0 = _mm256_fmadd_ps(x, x, na0);
		nb0 = _mm256_fmadd_ps(y, y, nb0);
	}
	if (i < n) {
		const tail_pair tail = f16_source::load_tail(a + i, b + i, n - i);
		const __m256 x = tail.a;
		const __m256 y = tail.b;
		dot1 = _mm256_fmadd_ps(x, y, dot1);
		na1 = _mm256_fmadd_ps(x, x, na1);
		nb1 = _mm256_fmadd_ps(y, y, nb1);
	}
	return cosine_parts{horizontal_sum(_mm256_add_ps(dot0, dot1)), horizontal_sum(_mm256_add_ps(na0, na1)),
	                    horizontal_sum(_mm256_add_ps(nb0, nb1))};
}

} // namespace ruvector

#endif
