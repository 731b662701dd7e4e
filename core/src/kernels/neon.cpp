// ARM NEON (AArch64 Advanced SIMD) float32 kernels: the shared four-accumulator layout of
// neon_common.hpp over 4-lane registers, with fused multiply-add.
#include "ruvector/kernels.hpp"

#if defined(RUVECTOR_HAVE_NEON)

#include "neon_common.hpp"

#include <cstring>

namespace ruvector {

namespace {

struct f32_source {
	static float32x4_t load(const float* p)
	{
		return vld1q_f32(p);
	}

	static float32x4_t load_tail(const float* p, std::size_t count)
	{
		float block[4] = {};
		std::memcpy(block, p, count * sizeof(float));
		return vld1q_f32(block);
	}
};

} // namespace

float l2sq_f32_neon(const float* a, const float* b, std::size_t n)
{
	return sum_terms<f32_source, squared_difference>(a, b, n);
}

float dot_f32_neon(const float* a, const float* b, std::size_t n)
{
	return sum_terms<f32_source, product>(a, b, n);
}

float l1_f32_neon(const float* a, const float* b, std::size_t n)
{
	return sum_terms<f32_source, absolute_difference>(a, b, n);
}

cosine_parts cosine_f32_neon(const float* a, const float* b, std::size_t n)
{
	return cosine_terms<f32_source>(a, b, n);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_NEON
