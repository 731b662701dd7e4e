// AVX2 int8 kernels, 32 elements per step; integer sums, so exactly the serial result.
//   l2sq: |a-b| as an unsigned byte (max - min, at most 254), widened to 16 bits, squared
//         and added in pairs by VPMADDWD into 32-bit lanes.
//   dot:  VPMADDUBSW multiplies unsigned by signed bytes, so |a| times b with a's sign moved
//         onto it (VPSIGNB); adjacent products are added in 16 bits (at most 2 * 127^2 =
//         32258, no saturation), then widened and added in pairs by VPMADDWD against ones.
// The last 1..31 elements are read as the vectors' final 32 bytes with the bytes already
// counted zeroed (vectors shorter than 32 are copied into zeroed blocks): zero pairs add
// nothing, and nothing outside the vectors is read. Each function carries its own target attribute; int8_dispatch.cpp
// installs them only after CPUID and XGETBV say the CPU and OS support AVX2.
#include "ruvector/int8.hpp"

#if defined(RUVECTOR_HAVE_X86)

#include <immintrin.h>

#include <cstring>

#define RUVECTOR_KERNEL_TARGET __attribute__((target("avx2")))

namespace ruvector {

namespace {

RUVECTOR_KERNEL_TARGET inline __m256i load(const std::int8_t* p)
{
	return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

RUVECTOR_KERNEL_TARGET inline std::int32_t lane_sum(__m256i v)
{
	__m128i sum = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
	sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(1, 0, 3, 2)));
	sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(2, 3, 0, 1)));
	return _mm_cvtsi128_si32(sum);
}

// Sum of (x-y)^2 over 32 bytes, into eight 32-bit lanes.
RUVECTOR_KERNEL_TARGET inline __m256i squared_differences(__m256i x, __m256i y)
{
	const __m256i d = _mm256_sub_epi8(_mm256_max_epi8(x, y), _mm256_min_epi8(x, y));
	const __m256i zero = _mm256_setzero_si256();
	const __m256i low = _mm256_unpacklo_epi8(d, zero);
	const __m256i high = _mm256_unpackhi_epi8(d, zero);
	return _mm256_add_epi32(_mm256_madd_epi16(low, low), _mm256_madd_epi16(high, high));
}

// Sum of x*y over 32 bytes, into eight 32-bit lanes.
RUVECTOR_KERNEL_TARGET inline __m256i products(__m256i x, __m256i y)
{
	const __m256i pairs = _mm256_maddubs_epi16(_mm256_abs_epi8(x), _mm256_sign_epi8(y, x));
	return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
}

// 32 bytes of 0x00 then 32 of 0xFF: the 32 bytes from (tail_mask + count) keep the
// last `count` bytes of a block and zero the others.
alignas(64) constexpr std::int8_t tail_mask[64] = {0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
                                                   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
                                                   -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                                   -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};

// Vectors shorter than one block: copied into zeroed blocks. Kept out of line so that the
// common path needs no stack frame for the copies.
template <__m256i (*Term)(__m256i, __m256i)>
RUVECTOR_KERNEL_TARGET __attribute__((noinline)) std::int32_t short_sum(const std::int8_t* a, const std::int8_t* b,
                                                                        std::size_t n)
{
	alignas(32) std::int8_t x[32] = {};
	alignas(32) std::int8_t y[32] = {};
	std::memcpy(x, a, n);
	std::memcpy(y, b, n);
	return lane_sum(Term(load(x), load(y)));
}

// Sum of Term over a and b: two accumulators over 64 elements per step, then 32, then the
// last 1..31 elements as the final 32 bytes of the vectors (which overlap bytes already
// counted) with the overlap zeroed on both sides: zero pairs add nothing to either sum.
template <__m256i (*Term)(__m256i, __m256i)>
RUVECTOR_KERNEL_TARGET inline std::int32_t sum_terms(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	if (n < 32) {
		// An empty vector may come with null pointers, which memcpy must not get.
		return n == 0 ? 0 : short_sum<Term>(a, b, n);
	}
	__m256i s0 = _mm256_setzero_si256();
	__m256i s1 = _mm256_setzero_si256();
	std::size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		s0 = _mm256_add_epi32(s0, Term(load(a + i), load(b + i)));
		s1 = _mm256_add_epi32(s1, Term(load(a + i + 32), load(b + i + 32)));
	}
	if (i + 32 <= n) {
		s0 = _mm256_add_epi32(s0, Term(load(a + i), load(b + i)));
		i += 32;
	}
	if (i < n) {
		const __m256i keep = load(tail_mask + (n - i));
		s1 = _mm256_add_epi32(s1,
		                      Term(_mm256_and_si256(load(a + n - 32), keep), _mm256_and_si256(load(b + n - 32), keep)));
	}
	return lane_sum(_mm256_add_epi32(s0, s1));
}

} // namespace

RUVECTOR_KERNEL_TARGET std::int32_t l2sq_i8_avx2(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	return sum_terms<squared_differences>(a, b, n);
}

RUVECTOR_KERNEL_TARGET std::int32_t dot_i8_avx2(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	return sum_terms<products>(a, b, n);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_X86
