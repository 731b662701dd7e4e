// WebAssembly SIMD128 bit counts: i8x16.popcnt counts each byte, two pairwise widening adds
// turn 16 byte counts into four 32-bit lanes. A lane gains at most 32 per 16-byte block, so
// lanes are flushed into a 64-bit total every 2^20 blocks, long before they could wrap.
// The last 0..15 bytes are counted a byte at a time (no masked loads in SIMD128).
#include "ruvector/bits.hpp"

#if defined(RUVECTOR_HAVE_WASM_SIMD128)

#include <bit>
#include <wasm_simd128.h>

namespace ruvector {

namespace {

constexpr std::size_t flush_blocks = std::size_t{1} << 20;

inline v128_t popcount_lanes(v128_t v)
{
	return wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(wasm_i8x16_popcnt(v)));
}

inline std::uint64_t lane_sum(v128_t v)
{
	return static_cast<std::uint64_t>(wasm_u32x4_extract_lane(v, 0)) + wasm_u32x4_extract_lane(v, 1) +
	       wasm_u32x4_extract_lane(v, 2) + wasm_u32x4_extract_lane(v, 3);
}

inline std::uint64_t popcount_byte(unsigned byte)
{
	return static_cast<std::uint64_t>(std::popcount(byte));
}

} // namespace

std::uint64_t hamming_bits_wasm_simd128(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	std::uint64_t count = 0;
	std::size_t i = 0;
	while (i + 16 <= bytes) {
		v128_t sum = wasm_i32x4_splat(0);
		for (std::size_t block = 0; block < flush_blocks && i + 16 <= bytes; block++, i += 16) {
			sum = wasm_i32x4_add(sum, popcount_lanes(wasm_v128_xor(wasm_v128_load(a + i), wasm_v128_load(b + i))));
		}
		count += lane_sum(sum);
	}
	for (; i < bytes; i++) {
		count += popcount_byte(a[i] ^ b[i]);
	}
	return count;
}

bit_overlap overlap_bits_wasm_simd128(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	bit_overlap counts{0, 0};
	std::size_t i = 0;
	while (i + 16 <= bytes) {
		v128_t both = wasm_i32x4_splat(0);
		v128_t either = both;
		for (std::size_t block = 0; block < flush_blocks && i + 16 <= bytes; block++, i += 16) {
			const v128_t x = wasm_v128_load(a + i);
			const v128_t y = wasm_v128_load(b + i);
			both = wasm_i32x4_add(both, popcount_lanes(wasm_v128_and(x, y)));
			either = wasm_i32x4_add(either, popcount_lanes(wasm_v128_or(x, y)));
		}
		counts.both += lane_sum(both);
		counts.either += lane_sum(either);
	}
	for (; i < bytes; i++) {
		counts.both += popcount_byte(a[i] & b[i]);
		counts.either += popcount_byte(a[i] | b[i]);
	}
	return counts;
}

// The pair kernels row by row through direct calls: no call_indirect (and its signature check) per row.
void hamming_bits_batch_wasm_simd128(const std::uint8_t* q, const std::uint8_t* base, std::size_t count,
                                     std::size_t bytes, std::size_t stride, std::uint64_t* out)
{
	for (std::size_t i = 0; i < count; i++) {
		out[i] = hamming_bits_wasm_simd128(q, base + i * stride, bytes);
	}
}

void overlap_bits_batch_wasm_simd128(const std::uint8_t* q, const std::uint8_t* base, std::size_t count,
                                     std::size_t bytes, std::size_t stride, bit_overlap* out)
{
	for (std::size_t i = 0; i < count; i++) {
		out[i] = overlap_bits_wasm_simd128(q, base + i * stride, bytes);
	}
}

} // namespace ruvector

#endif
