// AVX-512 VPOPCNTDQ bit counts: VPOPCNTQ counts the set bits of eight 64-bit words at once,
// summed into eight 64-bit lanes, 64 bytes per step with two accumulators over 128; the
// last 1..63 bytes come from a masked load (BW), which neither reads nor faults past the end.
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
};

struct both {
	RUVECTOR_KERNEL_TARGET static __m512i bits(__m512i x, __m512i y)
	{
		return _mm512_and_si512(x, y);
	}
};

struct either {
	RUVECTOR_KERNEL_TARGET static __m512i bits(__m512i x, __m512i y)
	{
		return _mm512_or_si512(x, y);
	}
};

template <typename Op>
RUVECTOR_KERNEL_TARGET inline __m512i count(__m512i sum, __m512i x, __m512i y)
{
	return _mm512_add_epi64(sum, _mm512_popcnt_epi64(Op::bits(x, y)));
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

} // namespace ruvector

#endif // RUVECTOR_HAVE_X86
