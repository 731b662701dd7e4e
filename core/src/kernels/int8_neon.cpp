// ARM NEON int8 kernels, 16 elements per step; integer sums, so exactly the serial result.
// Two tables: plain Advanced SIMD, and one for CPUs with the dot-product extension (SDOT,
// UDOT; HWCAP_ASIMDDP), which int8_dispatch.cpp prefers when the kernel reports it.
//   plain l2sq: |a-b| as an unsigned byte (SABD, at most 254), squared into 16 bits by
//               UMULL (at most 64516), added in pairs into 32-bit lanes by UADALP.
//   plain dot:  SMULL into 16-bit products (at most 127^2), added in pairs by SADALP.
//   dotprod:    UDOT of |a-b| with itself and SDOT of a with b add groups of four
//               products straight into 32-bit lanes.
// The last 0..15 elements are done one at a time.
#include "ruvector/int8.hpp"

#if defined(RUVECTOR_HAVE_NEON)

#include <arm_neon.h>

#define RUVECTOR_DOTPROD_TARGET __attribute__((target("arch=armv8.2-a+dotprod")))

namespace ruvector {

namespace {

inline std::int32_t l2sq_tail(const std::int8_t* a, const std::int8_t* b, std::size_t from, std::size_t n)
{
	std::int32_t sum = 0;
	for (std::size_t i = from; i < n; i++) {
		const std::int32_t d = static_cast<std::int32_t>(a[i]) - static_cast<std::int32_t>(b[i]);
		sum += d * d;
	}
	return sum;
}

inline std::int32_t dot_tail(const std::int8_t* a, const std::int8_t* b, std::size_t from, std::size_t n)
{
	std::int32_t sum = 0;
	for (std::size_t i = from; i < n; i++) {
		sum += static_cast<std::int32_t>(a[i]) * static_cast<std::int32_t>(b[i]);
	}
	return sum;
}

inline uint8x16_t absolute_difference(const std::int8_t* a, const std::int8_t* b)
{
	return vreinterpretq_u8_s8(vabdq_s8(vld1q_s8(a), vld1q_s8(b)));
}

} // namespace

std::int32_t l2sq_i8_neon(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	// Unsigned lanes: within the documented bounds the total fits int32, so it fits here too.
	uint32x4_t s0 = vdupq_n_u32(0);
	uint32x4_t s1 = s0;
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		const uint8x16_t d = absolute_difference(a + i, b + i);
		s0 = vpadalq_u16(s0, vmull_u8(vget_low_u8(d), vget_low_u8(d)));
		s1 = vpadalq_u16(s1, vmull_high_u8(d, d));
	}
	return static_cast<std::int32_t>(vaddvq_u32(vaddq_u32(s0, s1))) + l2sq_tail(a, b, i, n);
}

std::int32_t dot_i8_neon(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	int32x4_t s0 = vdupq_n_s32(0);
	int32x4_t s1 = s0;
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		const int8x16_t x = vld1q_s8(a + i);
		const int8x16_t y = vld1q_s8(b + i);
		s0 = vpadalq_s16(s0, vmull_s8(vget_low_s8(x), vget_low_s8(y)));
		s1 = vpadalq_s16(s1, vmull_high_s8(x, y));
	}
	return vaddvq_s32(vaddq_s32(s0, s1)) + dot_tail(a, b, i, n);
}

RUVECTOR_DOTPROD_TARGET std::int32_t l2sq_i8_neon_dotprod(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	uint32x4_t s0 = vdupq_n_u32(0);
	uint32x4_t s1 = s0;
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		const uint8x16_t d0 = absolute_difference(a + i, b + i);
		const uint8x16_t d1 = absolute_difference(a + i + 16, b + i + 16);
		s0 = vdotq_u32(s0, d0, d0);
		s1 = vdotq_u32(s1, d1, d1);
	}
	if (i + 16 <= n) {
		const uint8x16_t d = absolute_difference(a + i, b + i);
		s0 = vdotq_u32(s0, d, d);
		i += 16;
	}
	return static_cast<std::int32_t>(vaddvq_u32(vaddq_u32(s0, s1))) + l2sq_tail(a, b, i, n);
}

RUVECTOR_DOTPROD_TARGET std::int32_t dot_i8_neon_dotprod(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	int32x4_t s0 = vdupq_n_s32(0);
	int32x4_t s1 = s0;
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		s0 = vdotq_s32(s0, vld1q_s8(a + i), vld1q_s8(b + i));
		s1 = vdotq_s32(s1, vld1q_s8(a + i + 16), vld1q_s8(b + i + 16));
	}
	if (i + 16 <= n) {
		s0 = vdotq_s32(s0, vld1q_s8(a + i), vld1q_s8(b + i));
		i += 16;
	}
	return vaddvq_s32(vaddq_s32(s0, s1)) + dot_tail(a, b, i, n);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_NEON
