// AVX2 bit counts (Mula's nibble table): each byte's count is the sum of two 4-bit table
// look-ups done by VPSHUFB, 32 bytes at a time; VPSADBW then adds the byte counts into four
// 64-bit lanes. The last 0..31 bytes go through POPCNT, a word and then a byte at a time.
// Every CPU with AVX2 has POPCNT; dispatch checks both before installing these.
#include "ruvector/bits.hpp"

#if defined(RUVECTOR_HAVE_X86)

#include <cstring>
#include <immintrin.h>

#define RUVECTOR_TARGET_AVX2_POPCNT __attribute__((target("avx2,popcnt")))

namespace ruvector {

namespace {

// Set bits of each byte of v, summed into the four 64-bit lanes of the result.
RUVECTOR_TARGET_AVX2_POPCNT inline __m256i popcount_lanes(__m256i v)
{
	const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2,
	                                       2, 3, 2, 3, 3, 4);
	const __m256i low_nibble = _mm256_set1_epi8(0x0f);
	const __m256i low = _mm256_and_si256(v, low_nibble);
	const __m256i high = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibble);
	const __m256i bytes = _mm256_add_epi8(_mm256_shuffle_epi8(table, low), _mm256_shuffle_epi8(table, high));
	return _mm256_sad_epu8(bytes, _mm256_setzero_si256());
}

RUVECTOR_TARGET_AVX2_POPCNT inline std::uint64_t lane_sum(__m256i v)
{
	const __m128i sum = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
	return static_cast<std::uint64_t>(_mm_cvtsi128_si64(sum)) + static_cast<std::uint64_t>(_mm_extract_epi64(sum, 1));
}

RUVECTOR_TARGET_AVX2_POPCNT inline __m256i load(const std::uint8_t* p)
{
	return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

RUVECTOR_TARGET_AVX2_POPCNT inline std::uint64_t popcount_word(std::uint64_t word)
{
	return static_cast<std::uint64_t>(_mm_popcnt_u64(word));
}

inline std::uint64_t load_word(const std::uint8_t* p)
{
	std::uint64_t word = 0;
	std::memcpy(&word, p, sizeof(word));
	return word;
}

} // namespace

RUVECTOR_TARGET_AVX2_POPCNT std::uint64_t hamming_bits_avx2(const std::uint8_t* a, const std::uint8_t* b,
                                                            std::size_t bytes)
{
	__m256i sum = _mm256_setzero_si256();
	std::size_t i = 0;
	for (; i + 32 <= bytes; i += 32) {
		sum = _mm256_add_epi64(sum, popcount_lanes(_mm256_xor_si256(load(a + i), load(b + i))));
	}
	std::uint64_t count = lane_sum(sum);
	for (; i + 8 <= bytes; i += 8) {
		count += popcount_word(load_word(a + i) ^ load_word(b + i));
	}
	for (; i < bytes; i++) {
		count += popcount_word(a[i] ^ b[i]);
	}
	return count;
}

RUVECTOR_TARGET_AVX2_POPCNT bit_overlap overlap_bits_avx2(const std::uint8_t* a, const std::uint8_t* b,
                                                          std::size_t bytes)
{
	__m256i both = _mm256_setzero_si256();
	__m256i either = _mm256_setzero_si256();
	std::size_t i = 0;
	for (; i + 32 <= bytes; i += 32) {
		const __m256i x = load(a + i);
		const __m256i y = load(b + i);
		both = _mm256_add_epi64(both, popcount_lanes(_mm256_and_si256(x, y)));
		either = _mm256_add_epi64(either, popcount_lanes(_mm256_or_si256(x, y)));
	}
	bit_overlap counts{lane_sum(both), lane_sum(either)};
	for (; i + 8 <= bytes; i += 8) {
		const std::uint64_t x = load_word(a + i);
		const std::uint64_t y = load_word(b + i);
		counts.both += popcount_word(x & y);
		counts.either += popcount_word(x | y);
	}
	for (; i < bytes; i++) {
		counts.both += popcount_word(a[i] & b[i]);
		counts.either += popcount_word(a[i] | b[i]);
	}
	return counts;
}

} // namespace ruvector

#endif
