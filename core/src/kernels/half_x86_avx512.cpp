// AVX-512 (F, BW, VL) kernels over halves: VCVTPH2PS (part of AVX-512 F) widens 16 halves
// to 16 floats exactly, then the sums run as in the f32 AVX-512 kernels
// (x86_avx512_common.hpp); the last 1..15 halves come from a masked 16-bit load (BW, VL).
// half_dispatch.cpp installs these only after CPUID and XGETBV say the CPU and OS support
// AVX-512 F/BW/VL with ZMM state.
#include "ruvector/half.hpp"

#if defined(RUVECTOR_HAVE_X86)

#define RUVECTOR_KERNEL_TARGET __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl")))

#include "x86_avx512_common.hpp"

namespace ruvector {

namespace {

struct f16_source {
	RUVECTOR_KERNEL_TARGET static __m512 load(const std::uint16_t* p)
	{
		return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
	}

	RUVECTOR_KERNEL_TARGET static __m512 load_tail(const std::uint16_t* p, std::size_t count)
	{
		return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(first_lanes(count), p));
	}
};

} // namespace

RUVECTOR_KERNEL_TARGET float l2sq_f16_avx512(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return sum_terms<f16_source, squared_difference>(a, b, n);
}

RUVECTOR_KERNEL_TARGET float dot_f16_avx512(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return sum_terms<f16_source, product>(a, b, n);
}

RUVECTOR_KERNEL_TARGET float l1_f16_avx512(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return sum_terms<f16_source, absolute_difference>(a, b, n);
}

RUVECTOR_KERNEL_TARGET cosine_parts cosine_f16_avx512(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return cosine_terms<f16_source>(a, b, n);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_X86
