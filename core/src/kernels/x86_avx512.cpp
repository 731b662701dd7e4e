// AVX-512 (F, BW, VL) float32 kernels: the AVX2 layout with 16-lane registers
// (x86_avx512_common.hpp). Each function carries its own target attribute, so this file
// needs no -march flag; dispatch.cpp installs these only after CPUID and XGETBV say the
// CPU and OS support AVX-512 F/BW/VL with ZMM state.
#include "ruvector/kernels.hpp"

#if defined(RUVECTOR_HAVE_X86)

#define RUVECTOR_KERNEL_TARGET __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl")))

#include "x86_avx512_common.hpp"

namespace ruvector {

namespace {

struct f32_source {
	RUVECTOR_KERNEL_TARGET static __m512 load(const float* p)
	{
		return _mm512_loadu_ps(p);
	}

	RUVECTOR_KERNEL_TARGET static __m512 load_tail(const float* p, std::size_t count)
	{
		return _mm512_maskz_loadu_ps(first_lanes(count), p);
	}
};

} // namespace

RUVECTOR_KERNEL_TARGET float l2sq_f32_avx512(const float* a, const float* b, std::size_t n)
{
	return sum_terms<f32_source, squared_difference>(a, b, n);
}

RUVECTOR_KERNEL_TARGET float dot_f32_avx512(const float* a, const float* b, std::size_t n)
{
	return sum_terms<f32_source, product>(a, b, n);
}

RUVECTOR_KERNEL_TARGET float l1_f32_avx512(const float* a, const float* b, std::size_t n)
{
	return sum_terms<f32_source, absolute_difference>(a, b, n);
}

RUVECTOR_KERNEL_TARGET cosine_parts cosine_f32_avx512(const float* a, const float* b, std::size_t n)
{
	return cosine_terms<f32_source>(a, b, n);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_X86
