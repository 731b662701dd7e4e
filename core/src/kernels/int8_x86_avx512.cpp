// AVX-512 BW + VNNI int8 kernels, 64 elements per register; integer sums, so exactly the
// serial result.
//   l2sq: |a-b| as an unsigned byte (max - min, at most 254), widened to 16 bits and
//         squared-and-added in pairs straight into 32-bit lanes by VPDPWSSD.
//   dot:  VPDPBUSD multiplies unsigned by signed bytes and adds groups of four into 32-bit
//         lanes, so it gets |a| and b with a's sign moved onto it (negated under a mask).
// Four accumulators hide the 5-cycle latency of the dot-product instructions. The last
// 1..63 elements are read with a masked load, which neither reads nor faults past n.
// Each function carries its own target attribute; int8_dispatch.cpp installs them only
// after CPUID and XGETBV say the CPU and OS support AVX-512 F/BW/VL and VNNI.
#include "ruvector/int8.hpp"

#if defined(RUVECTOR_HAVE_X86)

// GCC 12's AVX-512 intrinsics start from self-initialised "undefined" registers, which
// -W(maybe-)uninitialized reports wherever they are inlined (GCC bug 105593); they are not.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#define RUVECTOR_KERNEL_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

namespace ruvector {

namespace {

RUVECTOR_KERNEL_TARGET inline __m512i load(const std::int8_t* p)
{
	return _mm512_loadu_si512(p);
}

// count < 64: the first `count` bytes, zeros after them.
RUVECTOR_KERNEL_TARGET inline __m512i load_tail(const std::int8_t* p, std::size_t count)
{
	return _mm512_maskz_loadu_epi8((std::uint64_t{1} << count) - 1, p);
}

struct squared_differences {
	RUVECTOR_KERNEL_TARGET static __m512i add(__m512i sum, __m512i x, __m512i y)
	{
		const __m512i d = _mm512_sub_epi8(_mm512_max_epi8(x, y), _mm512_min_epi8(x, y));
		const __m512i zero = _mm512_setzero_si512();
		const __m512i low = _mm512_unpacklo_epi8(d, zero);
		const __m512i high = _mm512_unpackhi_epi8(d, zero);
		return _mm512_dpwssd_epi32(_mm512_dpwssd_epi32(sum, low, low), high, high);
	}
};

struct products {
	RUVECTOR_KERNEL_TARGET static __m512i add(__m512i sum, __m512i x, __m512i y)
	{
		const __mmask64 negative = _mm512_movepi8_mask(x);
		const __m512i signed_y = _mm512_mask_sub_epi8(y, negative, _mm512_setzero_si512(), y);
		return _mm512_dpbusd_epi32(sum, _mm512_abs_epi8(x), signed_y);
	}
};

template <typename Term>
RUVECTOR_KERNEL_TARGET inline std::int32_t sum_terms(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	__m512i s0 = _mm512_setzero_si512();
	__m512i s1 = _mm512_setzero_si512();
	__m512i s2 = _mm512_setzero_si512();
	__m512i s3 = _mm512_setzero_si512();
	std::size_t i = 0;
	for (; i + 256 <= n; i += 256) {
		s0 = Term::add(s0, load(a + i), load(b + i));
		s1 = Term::add(s1, load(a + i + 64), load(b + i + 64));
		s2 = Term::add(s2, load(a + i + 128), load(b + i + 128));
		s3 = Term::add(s3, load(a + i + 192), load(b + i + 192));
	}
	for (; i + 64 <= n; i += 64) {
		s0 = Term::add(s0, load(a + i), load(b + i));
	}
	if (i < n) {
		s1 = Term::add(s1, load_tail(a + i, n - i), load_tail(b + i, n - i));
	}
	return _mm512_reduce_add_epi32(_mm512_add_epi32(_mm512_add_epi32(s0, s1), _mm512_add_epi32(s2, s3)));
}

} // namespace

RUVECTOR_KERNEL_TARGET std::int32_t l2sq_i8_avx512_vnni(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	return sum_terms<squared_differences>(a, b, n);
}

RUVECTOR_KERNEL_TARGET std::int32_t dot_i8_avx512_vnni(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	return sum_terms<products>(a, b, n);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_X86
