// AVX-512 BW + VNNI int8 kernels, 64 elements per register; integer sums, so exactly the
// serial result.
//   l2sq: |a-b| as an unsigned byte (max - min, at most 254), widened to 16 bits and
//         squared-and-added in pairs straight into 32-bit lanes by VPDPWSSD.
//   dot:  VPDPBUSD multiplies unsigned by signed bytes and adds groups of four into 32-bit
//         lanes, so it gets |a| and b with a's sign moved onto it (negated under a mask).
// Four accumulators hide the 5-cycle latency of the dot-product instructions. The last
// 1..63 elements are read with a masked load, which neither reads nor faults past n.
//
// The second vector (the row a batch or scan streams from memory) is read with 64-byte
// aligned loads when it starts on a 4-byte boundary but not on a line, as float32 rows are
// (x86_avx512.cpp): a 64-byte load that straddles two cache lines costs this class of CPU
// (Zen 4) a large share of a streaming scan's bandwidth. Each vector is put together from
// two aligned neighbours by VPERMT2D (32-bit lanes, hence the 4-byte condition; codes on
// PostgreSQL pages are at least 4-byte aligned). Integer sums: the result is the same.
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

#include <cstdint>

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

// Every aligned vector read holds at least one element of b (b is not 64-byte aligned, and
// reads stop at the last full block of 256), so it lies on b's pages; the bytes before b and
// past b[n-1] that it also holds are never used. AddressSanitizer cannot know that.
#define RUVECTOR_READS_WHOLE_LINES __attribute__((no_sanitize("address")))

// b's 64-byte vectors in order, from aligned loads; b must be 4-byte aligned.
class realigned_stream {
public:
	RUVECTOR_KERNEL_TARGET RUVECTOR_READS_WHOLE_LINES explicit realigned_stream(const std::int8_t* b)
	    : line_(b - reinterpret_cast<std::uintptr_t>(b) % 64),
	      lanes_(_mm512_add_epi32(_mm512_set1_epi32(static_cast<int>((b - line_) / 4)),
	                              _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))),
	      low_(_mm512_load_si512(line_))
	{
	}

	RUVECTOR_KERNEL_TARGET RUVECTOR_READS_WHOLE_LINES __m512i next()
	{
		line_ += 64;
		const __m512i high = _mm512_load_si512(line_);
		const __m512i v = _mm512_permutex2var_epi32(low_, lanes_, high);
		low_ = high;
		return v;
	}

private:
	const std::int8_t* line_;
	__m512i lanes_;
	__m512i low_;
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

// sum_terms with b's full blocks read through a realigned_stream.
template <typename Term>
RUVECTOR_KERNEL_TARGET RUVECTOR_READS_WHOLE_LINES std::int32_t sum_terms_realigned(const std::int8_t* a,
                                                                                   const std::int8_t* b, std::size_t n)
{
	__m512i s[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
	realigned_stream stream(b);
	std::size_t i = 0;
	for (; i + 256 <= n; i += 256) {
		for (std::size_t k = 0; k < 4; k++) {
			s[k] = Term::add(s[k], load(a + i + 64 * k), stream.next());
		}
	}
	for (; i + 64 <= n; i += 64) {
		s[0] = Term::add(s[0], load(a + i), load(b + i));
	}
	if (i < n) {
		s[1] = Term::add(s[1], load_tail(a + i, n - i), load_tail(b + i, n - i));
	}
	return _mm512_reduce_add_epi32(_mm512_add_epi32(_mm512_add_epi32(s[0], s[1]), _mm512_add_epi32(s[2], s[3])));
}

template <typename Term>
RUVECTOR_KERNEL_TARGET inline std::int32_t sum_i8(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	const std::uintptr_t address = reinterpret_cast<std::uintptr_t>(b);
	if (n >= 256 && address % 64 != 0 && address % 4 == 0) {
		return sum_terms_realigned<Term>(a, b, n);
	}
	return sum_terms<Term>(a, b, n);
}

} // namespace

RUVECTOR_KERNEL_TARGET std::int32_t l2sq_i8_avx512_vnni(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	return sum_i8<squared_differences>(a, b, n);
}

RUVECTOR_KERNEL_TARGET std::int32_t dot_i8_avx512_vnni(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	return sum_i8<products>(a, b, n);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_X86
