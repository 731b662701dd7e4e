// AVX-512 VPOPCNTDQ bit counts: VPOPCNTQ counts the set bits of eight 64-bit words at once,
// summed into eight 64-bit lanes, 64 bytes per step with two accumulators over 128; the
// last 1..63 bytes come from a masked load (BW), which neither reads nor faults past the end.
// The batches count 32 bytes per step instead (VL; count_rows says why).
// bits_dispatch.cpp installs these only after CPUID and XGETBV say the CPU and OS support
// AVX-512 F/BW/VL with ZMM state, and VPOPCNTDQ.
#include "ruvector/bits.hpp"

#if defined(RUVECTOR_HAVE_X86)

// GCC 12's AVX-512 intrinsics start from self-initialised "undefined" registers, which
// -W(maybe-)uninitialized reports wherever they are inlined (GCC bug 105593); they are not.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#define RUVECTOR_KERNEL_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vpopcntdq")))

namespace ruvector {

namespace {

RUVECTOR_KERNEL_TARGET inline __m512i load(const std::uint8_t* p)
{
	return _mm512_loadu_si512(p);
}

// count < 64: the first `count` bytes, zeros after them.
RUVECTOR_KERNEL_TARGET inline __m512i load_tail(const std::uint8_t* p, std::size_t count)
{
	return _mm512_maskz_loadu_epi8((std::uint64_t{1} << count) - 1, p);
}

RUVECTOR_KERNEL_TARGET inline std::uint64_t lane_sum(__m512i v)
{
	return static_cast<std::uint64_t>(_mm512_reduce_add_epi64(v));
}

// The bits each count is taken over.
struct differ {
	RUVECTOR_KERNEL_TARGET static __m512i bits(__m512i x, __m512i y)
	{
		return _mm512_xor_si512(x, y);
	}
	RUVECTOR_KERNEL_TARGET static __m256i bits(__m256i x, __m256i y)
	{
		return _mm256_xor_si256(x, y);
	}
};

struct both {
	RUVECTOR_KERNEL_TARGET static __m512i bits(__m512i x, __m512i y)
	{
		return _mm512_and_si512(x, y);
	}
	RUVECTOR_KERNEL_TARGET static __m256i bits(__m256i x, __m256i y)
	{
		return _mm256_and_si256(x, y);
	}
};

struct either {
	RUVECTOR_KERNEL_TARGET static __m512i bits(__m512i x, __m512i y)
	{
		return _mm512_or_si512(x, y);
	}
	RUVECTOR_KERNEL_TARGET static __m256i bits(__m256i x, __m256i y)
	{
		return _mm256_or_si256(x, y);
	}
};

template <typename Op>
RUVECTOR_KERNEL_TARGET inline __m512i count(__m512i sum, __m512i x, __m512i y)
{
	return _mm512_add_epi64(sum, _mm512_popcnt_epi64(Op::bits(x, y)));
}

// A batch reads rows in 32-byte halves of the pair kernels' 64-byte blocks. Rows are packed
// back to back at any byte offset, and on this class of CPU (Zen 4) a 64-byte load that
// straddles two cache lines, above all a masked one, costs a scan most of its bandwidth when
// the lines come from memory: 48-byte rows (384 bits) streamed at 5-6 GB/s with the pair
// kernel's masked 64-byte loads against 20+ GB/s with 32-byte loads (docs/PERFORMANCE.md).
RUVECTOR_KERNEL_TARGET inline __m256i load_half(const std::uint8_t* p)
{
	return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

template <typename Op>
RUVECTOR_KERNEL_TARGET inline __m256i count_half(__m256i sum, __m256i x, __m256i y)
{
	return _mm256_add_epi64(sum, _mm256_popcnt_epi64(Op::bits(x, y)));
}

RUVECTOR_KERNEL_TARGET inline std::uint64_t lane_sum(__m256i v)
{
	const __m128i sum = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
	return static_cast<std::uint64_t>(_mm_cvtsi128_si64(sum)) + static_cast<std::uint64_t>(_mm_extract_epi64(sum, 1));
}

// A row's running counts in a batch: Hamming's differing bits, or Jaccard's shared and set bits.
class differ_tally {
public:
	RUVECTOR_KERNEL_TARGET differ_tally() : sum_(_mm256_setzero_si256())
	{
	}

	RUVECTOR_KERNEL_TARGET void add(__m256i x, __m256i y)
	{
		sum_ = count_half<differ>(sum_, x, y);
	}

	RUVECTOR_KERNEL_TARGET std::uint64_t result() const
	{
		return lane_sum(sum_);
	}

private:
	__m256i sum_;
};

class overlap_tally {
public:
	RUVECTOR_KERNEL_TARGET overlap_tally() : both_(_mm256_setzero_si256()), either_(_mm256_setzero_si256())
	{
	}

	RUVECTOR_KERNEL_TARGET void add(__m256i x, __m256i y)
	{
		both_ = count_half<both>(both_, x, y);
		either_ = count_half<either>(either_, x, y);
	}

	RUVECTOR_KERNEL_TARGET bit_overlap result() const
	{
		return bit_overlap{lane_sum(both_), lane_sum(either_)};
	}

private:
	__m256i both_;
	__m256i either_;
};

// The query against every row: whole 32-byte blocks, then the row's last 1..31 bytes by a
// masked load. The query's last bytes are loaded once.
template <typename Tally, typename Out>
RUVECTOR_KERNEL_TARGET inline void count_rows(const std::uint8_t* q, const std::uint8_t* base, std::size_t rows,
                                              std::size_t bytes, std::size_t stride, Out* out)
{
	const std::size_t rest = bytes % 32;
	const std::size_t whole = bytes - rest;
	const auto rest_bytes = static_cast<__mmask32>((std::uint64_t{1} << rest) - 1);
	const __m256i q_rest = _mm256_maskz_loadu_epi8(rest_bytes, q + whole);
	for (std::size_t i = 0; i < rows; i++) {
		const std::uint8_t* row = base + i * stride;
		Tally tally;
		for (std::size_t k = 0; k < whole; k += 32) {
			tally.add(load_half(q + k), load_half(row + k));
		}
		if (rest != 0) {
			tally.add(q_rest, _mm256_maskz_loadu_epi8(rest_bytes, row + whole));
		}
		out[i] = tally.result();
	}
}

} // namespace

RUVECTOR_KERNEL_TARGET std::uint64_t hamming_bits_avx512(const std::uint8_t* a, const std::uint8_t* b,
                                                         std::size_t bytes)
{
	__m512i s0 = _mm512_setzero_si512();
	__m512i s1 = _mm512_setzero_si512();
	std::size_t i = 0;
	for (; i + 128 <= bytes; i += 128) {
		s0 = count<differ>(s0, load(a + i), load(b + i));
		s1 = count<differ>(s1, load(a + i + 64), load(b + i + 64));
	}
	if (i + 64 <= bytes) {
		s0 = count<differ>(s0, load(a + i), load(b + i));
		i += 64;
	}
	if (i < bytes) {
		s1 = count<differ>(s1, load_tail(a + i, bytes - i), load_tail(b + i, bytes - i));
	}
	return lane_sum(_mm512_add_epi64(s0, s1));
}

RUVECTOR_KERNEL_TARGET bit_overlap overlap_bits_avx512(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	__m512i sum_both = _mm512_setzero_si512();
	__m512i sum_either = _mm512_setzero_si512();
	std::size_t i = 0;
	for (; i + 64 <= bytes; i += 64) {
		const __m512i x = load(a + i);
		const __m512i y = load(b + i);
		sum_both = count<both>(sum_both, x, y);
		sum_either = count<either>(sum_either, x, y);
	}
	if (i < bytes) {
		const __m512i x = load_tail(a + i, bytes - i);
		const __m512i y = load_tail(b + i, bytes - i);
		sum_both = count<both>(sum_both, x, y);
		sum_either = count<either>(sum_either, x, y);
	}
	return bit_overlap{lane_sum(sum_both), lane_sum(sum_either)};
}

RUVECTOR_KERNEL_TARGET void hamming_bits_batch_avx512(const std::uint8_t* q, const std::uint8_t* base,
                                                      std::size_t count, std::size_t bytes, std::size_t stride,
                                                      std::uint64_t* out)
{
	count_rows<differ_tally>(q, base, count, bytes, stride, out);
}

RUVECTOR_KERNEL_TARGET void overlap_bits_batch_avx512(const std::uint8_t* q, const std::uint8_t* base,
                                                      std::size_t count, std::size_t bytes, std::size_t stride,
                                                      bit_overlap* out)
{
	count_rows<overlap_tally>(q, base, count, bytes, stride, out);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_X86
