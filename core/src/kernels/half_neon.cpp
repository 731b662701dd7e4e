// ARM NEON kernels over halves: FCVTL (vcvt_f32_f16, part of base AArch64) widens four
// halves to four floats exactly, then the sums run as in the f32 NEON kernels
// (neon_common.hpp). No half-precision arithmetic is used, so no extension is needed.
#include "ruvector/half.hpp"

#if defined(RUVECTOR_HAVE_NEON)

#include "neon_common.hpp"

#include <cstring>

namespace ruvector {

namespace {

struct f16_source {
	static float32x4_t load(const std::uint16_t* p)
	{
		return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p)));
	}

	static float32x4_t load_tail(const std::uint16_t* p, std::size_t count)
	{
		std::uint16_t block[4] = {};
		std::memcpy(block, p, count * sizeof(std::uint16_t));
		return load(block);
	}
};

} // namespace

float l2sq_f16_neon(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return sum_terms<f16_source, squared_difference>(a, b, n);
}

float dot_f16_neon(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return sum_terms<f16_source, product>(a, b, n);
}

float l1_f16_neon(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return sum_terms<f16_source, absolute_difference>(a, b, n);
}

cosine_parts cosine_f16_neon(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return cosine_terms<f16_source>(a, b, n);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_NEON
