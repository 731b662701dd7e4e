// WebAssembly SIMD128 int8 kernels, 16 elements per step; integer sums, so exactly the
// serial result.
//   l2sq: |a-b| as an unsigned byte (max - min, at most 254), widened to 16 bits, squared
//         and added in pairs into 32-bit lanes by i32x4.dot_i16x8_s.
//   dot:  i16x8.extmul multiplies bytes into 16-bit products (at most 127^2); the low and
//         high halves are added in 16 bits (at most 32258), then pairwise into 32 bits.
// The last 0..15 elements are done one at a time (SIMD128 has no masked loads).
#include "ruvector/int8.hpp"

#if defined(RUVECTOR_HAVE_WASM_SIMD128)

#include <wasm_simd128.h>

namespace ruvector {

namespace {

inline std::int32_t lane_sum(v128_t v)
{
	return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) +
	       wasm_i32x4_extract_lane(v, 3);
}

inline v128_t squared_differences(v128_t x, v128_t y)
{
	const v128_t d = wasm_i8x16_sub(wasm_i8x16_max(x, y), wasm_i8x16_min(x, y));
	const v128_t low = wasm_u16x8_extend_low_u8x16(d);
	const v128_t high = wasm_u16x8_extend_high_u8x16(d);
	return wasm_i32x4_add(wasm_i32x4_dot_i16x8(low, low), wasm_i32x4_dot_i16x8(high, high));
}

inline v128_t products(v128_t x, v128_t y)
{
	const v128_t pairs = wasm_i16x8_add(wasm_i16x8_extmul_low_i8x16(x, y), wasm_i16x8_extmul_high_i8x16(x, y));
	return wasm_i32x4_extadd_pairwise_i16x8(pairs);
}

// Two accumulators over 32 elements per step, then 16, then the tail one at a time.
template <v128_t (*Term)(v128_t, v128_t)>
inline v128_t sum_blocks(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	v128_t s0 = wasm_i32x4_splat(0);
	v128_t s1 = s0;
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		s0 = wasm_i32x4_add(s0, Term(wasm_v128_load(a + i), wasm_v128_load(b + i)));
		s1 = wasm_i32x4_add(s1, Term(wasm_v128_load(a + i + 16), wasm_v128_load(b + i + 16)));
	}
	if (i + 16 <= n) {
		s0 = wasm_i32x4_add(s0, Term(wasm_v128_load(a + i), wasm_v128_load(b + i)));
	}
	return wasm_i32x4_add(s0, s1);
}

} // namespace

std::int32_t l2sq_i8_wasm_simd128(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	std::int32_t sum = lane_sum(sum_blocks<squared_differences>(a, b, n));
	for (std::size_t i = n & ~std::size_t{15}; i < n; i++) {
		const std::int32_t d = static_cast<std::int32_t>(a[i]) - static_cast<std::int32_t>(b[i]);
		sum += d * d;
	}
	return sum;
}

std::int32_t dot_i8_wasm_simd128(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	std::int32_t sum = lane_sum(sum_blocks<products>(a, b, n));
	for (std::size_t i = n & ~std::size_t{15}; i < n; i++) {
		sum += static_cast<std::int32_t>(a[i]) * static_cast<std::int32_t>(b[i]);
	}
	return sum;
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_WASM_SIMD128
