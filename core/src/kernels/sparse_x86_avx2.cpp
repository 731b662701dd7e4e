// AVX2 sparse kernels: the merge of two sorted index lists in 8 x 8 blocks.
//
// Each step loads 8 indices of a and 8 of b and compares them in all 8 lane rotations of
// a's block (VPERMD), so every equal pair in the two blocks meets once, with no branch per
// index. Then the block with the smaller last index is retired (both when equal), as a
// two-pointer merge retires a single index: every index of a retired block has met all of
// its possible partners, since the other list's indices up to it are in the blocks it was
// compared with.
//
// Per lane of a's current block, `partner` collects the value of the equal index of b (0
// until found), rotating along with a's indices; per lane of b's current block, `b_matched`
// marks the lanes that met an equal index. Retiring a's block adds term(a_i, partner_i) for
// every lane, which is the shared term or a's lone term; retiring b's block adds b's lone
// term for its unmatched lanes. When either list has fewer than 8 indices left, the block
// still held by the other list adds its finished lanes (those below the first index not
// yet loaded on the other side) and the serial merge takes the rest.
//
// Each function carries its own target attribute; sparse_dispatch.cpp installs them only
// after CPUID and XGETBV say the CPU and OS support AVX2.
#include "ruvector/sparse.hpp"

#if defined(RUVECTOR_HAVE_X86)

#include <immintrin.h>

#include <cmath>

#define RUVECTOR_KERNEL_TARGET __attribute__((target("avx2,fma")))

#include "x86_avx2_common.hpp"

namespace ruvector {

namespace {

constexpr std::size_t block = 8;

// The metrics, each as its term for a's lanes (with the partner's value, 0 for none), its
// lone term for b's unmatched lanes, the same two in scalar form, and its serial merge.
struct sparse_l2sq {
	static constexpr bool counts_lone_b = true;
	RUVECTOR_KERNEL_TARGET static __m256 a_term(__m256 a, __m256 partner)
	{
		const __m256 d = _mm256_sub_ps(a, partner);
		return _mm256_mul_ps(d, d);
	}
	RUVECTOR_KERNEL_TARGET static __m256 lone_b_term(__m256 b)
	{
		return _mm256_mul_ps(b, b);
	}
	static float a_term(float a, float partner)
	{
		const float d = a - partner;
		return d * d;
	}
	static float lone_b_term(float b)
	{
		return b * b;
	}
	static float rest(sparse_view a, sparse_view b)
	{
		return l2sq_sparse_serial(a, b);
	}
};

struct sparse_dot {
	// b's lone indices add nothing.
	static constexpr bool counts_lone_b = false;
	RUVECTOR_KERNEL_TARGET static __m256 a_term(__m256 a, __m256 partner)
	{
		return _mm256_mul_ps(a, partner);
	}
	RUVECTOR_KERNEL_TARGET static __m256 lone_b_term(__m256 b)
	{
		return b;
	}
	static float a_term(float a, float partner)
	{
		return a * partner;
	}
	static float lone_b_term(float /*b*/)
	{
		return 0.0F;
	}
	static float rest(sparse_view a, sparse_view b)
	{
		return dot_sparse_serial(a, b);
	}
};

struct sparse_l1 {
	static constexpr bool counts_lone_b = true;
	RUVECTOR_KERNEL_TARGET static __m256 a_term(__m256 a, __m256 partner)
	{
		return abs_ps(_mm256_sub_ps(a, partner));
	}
	RUVECTOR_KERNEL_TARGET static __m256 lone_b_term(__m256 b)
	{
		return abs_ps(b);
	}
	static float a_term(float a, float partner)
	{
		return std::fabs(a - partner);
	}
	static float lone_b_term(float b)
	{
		return std::fabs(b);
	}
	static float rest(sparse_view a, sparse_view b)
	{
		return l1_sparse_serial(a, b);
	}
};

RUVECTOR_KERNEL_TARGET inline __m256i load_indices(const std::int32_t* p)
{
	return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

template <typename Metric>
RUVECTOR_KERNEL_TARGET float merge_blocks(sparse_view a, sparse_view b)
{
	// Lane k takes lane k + 1 (mod 8); eight rotations bring a block back to its own order.
	const __m256i rotate = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0);
	__m256 sum = _mm256_setzero_ps();
	__m256 partner = _mm256_setzero_ps();
	__m256i b_matched = _mm256_setzero_si256();
	std::size_t i = 0;
	std::size_t j = 0;
	while (i + block <= a.nnz && j + block <= b.nnz) {
		__m256i a_indices = load_indices(a.indices + i);
		const __m256i b_indices = load_indices(b.indices + j);
		const __m256 b_values = _mm256_loadu_ps(b.values + j);
		for (std::size_t r = 0; r < block; r++) {
			const __m256i equal = _mm256_cmpeq_epi32(a_indices, b_indices);
			partner = _mm256_or_ps(partner, _mm256_and_ps(_mm256_castsi256_ps(equal), b_values));
			if constexpr (Metric::counts_lone_b) {
				b_matched = _mm256_or_si256(b_matched, equal);
			}
			a_indices = _mm256_permutevar8x32_epi32(a_indices, rotate);
			partner = _mm256_permutevar8x32_ps(partner, rotate);
		}
		const std::int32_t last_a = a.indices[i + block - 1];
		const std::int32_t last_b = b.indices[j + block - 1];
		if (last_a <= last_b) {
			sum = _mm256_add_ps(sum, Metric::a_term(_mm256_loadu_ps(a.values + i), partner));
			partner = _mm256_setzero_ps();
			i += block;
		}
		if (last_b <= last_a) {
			if constexpr (Metric::counts_lone_b) {
				const __m256 lone = _mm256_andnot_ps(_mm256_castsi256_ps(b_matched), Metric::lone_b_term(b_values));
				sum = _mm256_add_ps(sum, lone);
				b_matched = _mm256_setzero_si256();
			}
			j += block;
		}
	}
	// At most one list still holds a loaded block; its lanes below the other list's next
	// index have met every partner they can have.
	float finished = 0.0F;
	if (i + block <= a.nnz) {
		alignas(32) float partners[block];
		_mm256_store_ps(partners, partner);
		for (std::size_t k = 0; k < block && (j == b.nnz || a.indices[i] < b.indices[j]); k++, i++) {
			finished += Metric::a_term(a.values[i], partners[k]);
		}
	} else if (j + block <= b.nnz) {
		const auto matched = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(b_matched)));
		for (std::size_t k = 0; k < block && (i == a.nnz || b.indices[j] < a.indices[i]); k++, j++) {
			if ((matched >> k & 1U) == 0) {
				finished += Metric::lone_b_term(b.values[j]);
			}
		}
	}
	const sparse_view rest_a{a.indices + i, a.values + i, a.nnz - i};
	const sparse_view rest_b{b.indices + j, b.values + j, b.nnz - j};
	return horizontal_sum(sum) + finished + Metric::rest(rest_a, rest_b);
}

} // namespace

RUVECTOR_KERNEL_TARGET float l2sq_sparse_avx2(sparse_view a, sparse_view b)
{
	return merge_blocks<sparse_l2sq>(a, b);
}

RUVECTOR_KERNEL_TARGET float dot_sparse_avx2(sparse_view a, sparse_view b)
{
	return merge_blocks<sparse_dot>(a, b);
}

RUVECTOR_KERNEL_TARGET float l1_sparse_avx2(sparse_view a, sparse_view b)
{
	return merge_blocks<sparse_l1>(a, b);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_X86
