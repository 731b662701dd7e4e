// AVX2 bit counts (Mula's nibble table): each byte's count is the sum of two 4-bit table
// look-ups done by VPSHUFB, 32 bytes at a time; VPSADBW then adds the byte counts into four
// 64-bit lanes. The last 0..31 bytes go through POPCNT, a word and then a byte at a time,
// except in a batch's rows that have another row after them (count_rows).
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

// The bits each count is taken over.
struct differ {
	RUVECTOR_TARGET_AVX2_POPCNT static __m256i bits(__m256i x, __m256i y)
	{
		return _mm256_xor_si256(x, y);
	}
};

struct both {
	RUVECTOR_TARGET_AVX2_POPCNT static __m256i bits(__m256i x, __m256i y)
	{
		return _mm256_and_si256(x, y);
	}
};

struct either {
	RUVECTOR_TARGET_AVX2_POPCNT static __m256i bits(__m256i x, __m256i y)
	{
		return _mm256_or_si256(x, y);
	}
};

// A row's running counts in a batch: Hamming's differing bits, or Jaccard's shared and set bits.
class differ_tally {
public:
	RUVECTOR_TARGET_AVX2_POPCNT differ_tally() : sum_(_mm256_setzero_si256())
	{
	}

	RUVECTOR_TARGET_AVX2_POPCNT void add(__m256i x, __m256i y)
	{
		sum_ = _mm256_add_epi64(sum_, popcount_lanes(differ::bits(x, y)));
	}

	RUVECTOR_TARGET_AVX2_POPCNT std::uint64_t result() const
	{
		return lane_sum(sum_);
	}

	// Plus the last 0..31 bytes (the pair kernel's tail): words, then bytes.
	RUVECTOR_TARGET_AVX2_POPCNT std::uint64_t result(const std::uint8_t* q, const std::uint8_t* row,
	                                                 std::size_t rest) const
	{
		std::uint64_t count = result();
		std::size_t i = 0;
		for (; i + 8 <= rest; i += 8) {
			count += popcount_word(load_word(q + i) ^ load_word(row + i));
		}
		for (; i < rest; i++) {
			count += popcount_word(q[i] ^ row[i]);
		}
		return count;
	}

private:
	__m256i sum_;
};

class overlap_tally {
public:
	RUVECTOR_TARGET_AVX2_POPCNT overlap_tally() : both_(_mm256_setzero_si256()), either_(_mm256_setzero_si256())
	{
	}

	RUVECTOR_TARGET_AVX2_POPCNT void add(__m256i x, __m256i y)
	{
		both_ = _mm256_add_epi64(both_, popcount_lanes(both::bits(x, y)));
		either_ = _mm256_add_epi64(either_, popcount_lanes(either::bits(x, y)));
	}

	RUVECTOR_TARGET_AVX2_POPCNT bit_overlap result() const
	{
		return bit_overlap{lane_sum(both_), lane_sum(either_)};
	}

	RUVECTOR_TARGET_AVX2_POPCNT bit_overlap result(const std::uint8_t* q, const std::uint8_t* row,
	                                               std::size_t rest) const
	{
		bit_overlap counts = result();
		std::size_t i = 0;
		for (; i + 8 <= rest; i += 8) {
			const std::uint64_t x = load_word(q + i);
			const std::uint64_t y = load_word(row + i);
			counts.both += popcount_word(x & y);
			counts.either += popcount_word(x | y);
		}
		for (; i < rest; i++) {
			counts.both += popcount_word(q[i] & row[i]);
			counts.either += popcount_word(q[i] | row[i]);
		}
		return counts;
	}

private:
	__m256i both_;
	__m256i either_;
};

// 32 bytes of 0xFF then 32 of 0x00: the 32 bytes from (head_mask + 32 - count) keep the first
// `count` bytes of a block and zero the others.
alignas(64) constexpr std::uint8_t head_mask[64] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

// The query against every row. A row's last 1..31 bytes are read with a plain 32-byte load
// whenever those 32 bytes lie inside the batch (the rows after it, and any bytes between rows),
// the bytes past the row cleared by an AND with a 0xFF/0x00 window; the query's last bytes sit zero-padded in a
// register. Only the last rows count their rest as the pair kernels do (words, then bytes).
template <typename Tally, typename Out>
RUVECTOR_TARGET_AVX2_POPCNT inline void count_rows(const std::uint8_t* q, const std::uint8_t* base, std::size_t rows,
                                                   std::size_t bytes, std::size_t stride, Out* out)
{
	const std::size_t rest = bytes % 32;
	const std::size_t whole = bytes - rest;
	const __m256i rest_bytes = load(head_mask + 32 - rest);
	alignas(32) std::uint8_t q_rest_bytes[32] = {};
	if (rest != 0) {
		std::memcpy(q_rest_bytes, q + whole, rest); // q may be null when bytes is 0
	}
	const __m256i q_rest = load(q_rest_bytes);
	// One past the last row's last byte: a 32-byte load ending there or before stays inside the batch
	const std::uint8_t* const end = rows == 0 ? base : base + (rows - 1) * stride + bytes;
	for (std::size_t i = 0; i < rows; i++) {
		const std::uint8_t* row = base + i * stride;
		Tally tally;
		for (std::size_t k = 0; k < whole; k += 32) {
			tally.add(load(q + k), load(row + k));
		}
		const std::uint8_t* tail = row + whole;
		if (rest == 0) {
			out[i] = tally.result();
		} else if (end - tail >= 32) {
			tally.add(q_rest, _mm256_and_si256(rest_bytes, load(tail)));
			out[i] = tally.result();
		} else {
			out[i] = tally.result(q + whole, tail, rest);
		}
	}
}

} // namespace

RUVECTOR_TARGET_AVX2_POPCNT std::uint64_t hamming_bits_avx2(const std::uint8_t* a, const std::uint8_t* b,
                                                            std::size_t bytes)
{
	differ_tally tally;
	std::size_t i = 0;
	for (; i + 32 <= bytes; i += 32) {
		tally.add(load(a + i), load(b + i));
	}
	return tally.result(a + i, b + i, bytes - i);
}

RUVECTOR_TARGET_AVX2_POPCNT bit_overlap overlap_bits_avx2(const std::uint8_t* a, const std::uint8_t* b,
                                                          std::size_t bytes)
{
	overlap_tally tally;
	std::size_t i = 0;
	for (; i + 32 <= bytes; i += 32) {
		tally.add(load(a + i), load(b + i));
	}
	return tally.result(a + i, b + i, bytes - i);
}

RUVECTOR_TARGET_AVX2_POPCNT void hamming_bits_batch_avx2(const std::uint8_t* q, const std::uint8_t* base,
                                                         std::size_t count, std::size_t bytes, std::size_t stride,
                                                         std::uint64_t* out)
{
	count_rows<differ_tally>(q, base, count, bytes, stride, out);
}

RUVECTOR_TARGET_AVX2_POPCNT void overlap_bits_batch_avx2(const std::uint8_t* q, const std::uint8_t* base,
                                                         std::size_t count, std::size_t bytes, std::size_t stride,
                                                         bit_overlap* out)
{
	count_rows<overlap_tally>(q, base, count, bytes, stride, out);
}

} // namespace ruvector

#endif
