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

#define RUVECTOR_KERNEL_TARGET __attribute__((target("avx2,fma")))

#include "batch_rows.hpp"
#include "x86_avx2_common.hpp"

namespace ruvector {

namespace {

struct f32_source {
	RUVECTOR_KERNEL_TARGET static __m256 load(const float* p)
	{
		return _mm256_loadu_ps(p);
	}

	// Masked-off lanes of _mm256_maskload_ps are neither read nor faulted, and load as zero.
	RUVECTOR_KERNEL_TARGET static tail_pair load_tail(const float* a, const float* b, std::size_t count)
	{
		const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
		const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)), lane);
		return tail_pair{_mm256_maskload_ps(a, mask), _mm256_maskload_ps(b, mask)};
	}
};

} // namespace

RUVECTOR_KERNEL_TARGET float l2sq_f32_avx2(const float* a, const float* b, std::size_t n)
{
	return sum_terms<f32_source, squared_difference>(a, b, n);
}

RUVECTOR_KERNEL_TARGET float dot_f32_avx2(const float* a, const float* b, std::size_t n)
{
	return sum_terms<f32_source, product>(a, b, n);
}

RUVECTOR_KERNEL_TARGET float l1_f32_avx2(const float* a, const float* b, std::size_t n)
{
	return sum_terms<f32_source, absolute_difference>(a, b, n);
}

namespace {

// Twelve accumulators (three sums x four chains) plus two loaded vectors fit the 16 YMM registers.
RUVECTOR_KERNEL_TARGET inline cosine_parts cosine_sums(const float* a, const float* b, std::size_t n)
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
		const tail_pair tail = f32_source::load_tail(a + i, b + i, n - i);
		const __m256 x = tail.a;
		const __m256 y = tail.b;
		dot1 = _mm256_fmadd_ps(x, y, dot1);
		na1 = _mm256_fmadd_ps(x, x, na1);
		nb1 = _mm256_fmadd_ps(y, y, nb1);
	}
	return cosine_parts{horizontal_sum(dot0, dot1, dot2, dot3), horizontal_sum(na0, na1, na2, na3),
	                    horizontal_sum(nb0, nb1, nb2, nb3)};
}

// The one-pair sums row by row, inlined: no call per row.
template <typename Term, typename Rows>
RUVECTOR_KERNEL_TARGET inline void sum_rows(const float* q, Rows rows, std::size_t count, std::size_t n, float* out)
{
	for (std::size_t i = 0; i < count; i++) {
		out[i] = sum_terms<f32_source, Term>(q, rows[i], n);
	}
}

template <typename Rows>
RUVECTOR_KERNEL_TARGET inline void cosine_rows(const float* q, Rows rows, std::size_t count, std::size_t n,
                                               cosine_parts* out)
{
	for (std::size_t i = 0; i < count; i++) {
		out[i] = cosine_sums(q, rows[i], n);
	}
}

} // namespace

RUVECTOR_KERNEL_TARGET cosine_parts cosine_f32_avx2(const float* a, const float* b, std::size_t n)
{
	return cosine_sums(a, b, n);
}

RUVECTOR_KERNEL_TARGET void l2sq_f32_batch_avx2(const float* q, const float* base, std::size_t count, std::size_t n,
                                                float* out)
{
	sum_rows<squared_difference>(q, contiguous_rows<float>{base, n}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void dot_f32_batch_avx2(const float* q, const float* base, std::size_t count, std::size_t n,
                                               float* out)
{
	sum_rows<product>(q, contiguous_rows<float>{base, n}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void l1_f32_batch_avx2(const float* q, const float* base, std::size_t count, std::size_t n,
                                              float* out)
{
	sum_rows<absolute_difference>(q, contiguous_rows<float>{base, n}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void cosine_f32_batch_avx2(const float* q, const float* base, std::size_t count, std::size_t n,
                                                  cosine_parts* out)
{
	cosine_rows(q, contiguous_rows<float>{base, n}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void l2sq_f32_gather_avx2(const float* q, const float* const* rows, std::size_t count,
                                                 std::size_t n, float* out)
{
	sum_rows<squared_difference>(q, gathered_rows<float>{rows}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void dot_f32_gather_avx2(const float* q, const float* const* rows, std::size_t count,
                                                std::size_t n, float* out)
{
	sum_rows<product>(q, gathered_rows<float>{rows}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void l1_f32_gather_avx2(const float* q, const float* const* rows, std::size_t count,
                                               std::size_t n, float* out)
{
	sum_rows<absolute_difference>(q, gathered_rows<float>{rows}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void cosine_f32_gather_avx2(const float* q, const float* const* rows, std::size_t count,
                                                   std::size_t n, cosine_parts* out)
{
	cosine_rows(q, gathered_rows<float>{rows}, count, n, out);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_X86
