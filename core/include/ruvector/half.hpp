// IEEE 754 binary16 ("half") values and the distance kernels over them.
//
// Halves are stored as their raw bits (std::uint16_t). Conversions round to nearest,
// ties to even, like F16C's VCVTPS2PH with imm 0 and C's (_Float16) cast; the scalar
// functions here are the reference every kernel is tested against.
//
// Kernel numerics follow pgvector's halfvec: each half is widened to float32 (exact),
// and sums are accumulated in float32 lanes; the final square root and cosine
// division are done in double. The serial twins add one term at a time in index
// order, as pgvector's plain loops do, so they match it bit for bit.
//
// Dispatch: the f16 table follows the level chosen for the f32 kernels
// (kernels.hpp, which honours RUVECTOR_SIMD). It is resolved on first use, so no
// initialisation call is needed: the avx2 level here also requires F16C (AVX-512 F has its own
// conversions).
//
// Precondition of every kernel: finite inputs (halfvec never stores NaN or infinity).
#pragma once

#include "ruvector/kernels.hpp"

#include <cstddef>
#include <cstdint>

namespace ruvector {

// bit_cast is missing from the Emscripten sysroot's libc++; GCC and clang share the builtin.
template <typename To, typename From>
constexpr To bit_cast(From from)
{
	return __builtin_bit_cast(To, from);
}

// Largest finite half; anything that rounds beyond it becomes infinity.
constexpr float half_max = 65504.0F;

constexpr bool f16_is_inf(std::uint16_t h)
{
	return (h & 0x7fffU) == 0x7c00U;
}

constexpr bool f16_is_nan(std::uint16_t h)
{
	return (h & 0x7c00U) == 0x7c00U && (h & 0x03ffU) != 0;
}

// +0 and -0
constexpr bool f16_is_zero(std::uint16_t h)
{
	return (h & 0x7fffU) == 0;
}

// Exact: every half is a float.
constexpr float f16_to_f32(std::uint16_t h)
{
	const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000U) << 16;
	const std::uint32_t exponent = (h >> 10) & 0x1fU;
	std::uint32_t mantissa = h & 0x03ffU;
	if (exponent == 0x1fU) {
		// Infinity, or NaN with its payload (a non-zero mantissa stays non-zero)
		return bit_cast<float>(sign | 0x7f800000U | (mantissa << 13));
	}
	if (exponent == 0) {
		if (mantissa == 0) {
			return bit_cast<float>(sign);
		}
		// Subnormal: shift the leading one up to the implicit bit, one exponent step each
		std::uint32_t biased = 127 - 14;
		while ((mantissa & 0x0400U) == 0) {
			mantissa <<= 1;
			biased--;
		}
		return bit_cast<float>(sign | (biased << 23) | ((mantissa & 0x03ffU) << 13));
	}
	return bit_cast<float>(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

// Round to nearest, ties to even. Values whose rounding reaches 65520 become infinity;
// the caller decides whether that is an error.
constexpr std::uint16_t f32_to_f16(float f)
{
	const std::uint32_t bits = bit_cast<std::uint32_t>(f);
	const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000U);
	const std::uint32_t exponent = (bits >> 23) & 0xffU;
	const std::uint32_t mantissa = bits & 0x007fffffU;
	if (exponent == 0xffU) {
		// Infinity stays infinity; NaN stays NaN (quiet bit set, top of the payload kept)
		return static_cast<std::uint16_t>(sign | 0x7c00U | (mantissa != 0 ? 0x0200U | (mantissa >> 13) : 0));
	}
	const int unbiased = static_cast<int>(exponent) - 127;
	if (unbiased < -25) {
		// Below half the smallest subnormal (2^-25): always rounds to zero
		return sign;
	}
	// Significand with its implicit bit (float subnormals were caught above), and how many of
	// its low bits fall below the half's last place: 13 for normal halves, more for subnormals.
	const std::uint32_t significand = mantissa | 0x00800000U;
	const int shift = unbiased < -14 ? 13 + (-14 - unbiased) : 13;
	std::uint32_t rounded = significand >> shift;
	const std::uint32_t remainder = significand & ((1U << shift) - 1);
	const std::uint32_t halfway = 1U << (shift - 1);
	if (remainder > halfway || (remainder == halfway && (rounded & 1U) != 0)) {
		rounded++;
	}
	if (unbiased < -14) {
		// Subnormal result; rounding up to 0x400 lands exactly on the smallest normal's encoding
		return static_cast<std::uint16_t>(sign | rounded);
	}
	// Normal: the implicit bit becomes the exponent's +1 when the carry overflows the mantissa
	const std::uint32_t encoded = (static_cast<std::uint32_t>(unbiased + 15) << 10) + (rounded - 0x0400U);
	if (encoded >= 0x7c00U) {
		return static_cast<std::uint16_t>(sign | 0x7c00U);
	}
	return static_cast<std::uint16_t>(sign | encoded);
}

using f16_distance_fn = float (*)(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
using f16_cosine_fn = cosine_parts (*)(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);

struct half_kernel_table {
	simd_level level;
	cpu_extra needs;
	f16_distance_fn l2sq_f16; // sum (a-b)^2
	f16_distance_fn dot_f16;  // sum a*b
	f16_distance_fn l1_f16;   // sum |a-b|
	f16_cosine_fn cosine_f16; // dot, |a|^2, |b|^2
};

// The table in use; until the first call it holds resolvers that install the table for
// active_kernels.level (or the best below it this CPU runs) and then forward the call.
extern half_kernel_table active_half_kernels;

// The table for a level, or nullptr when this build or CPU cannot run it.
const half_kernel_table* half_kernels_for(simd_level level);

// Install the table for `level`; returns false (and changes nothing) if unsupported.
bool select_half_kernels(simd_level level);

// ---- per-level kernels ---------------------------------------------------------
float l2sq_f16_serial(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
float dot_f16_serial(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
float l1_f16_serial(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
cosine_parts cosine_f16_serial(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);

#if defined(RUVECTOR_HAVE_X86)
float l2sq_f16_avx2(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
float dot_f16_avx2(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
float l1_f16_avx2(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
cosine_parts cosine_f16_avx2(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
float l2sq_f16_avx512(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
float dot_f16_avx512(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
float l1_f16_avx512(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
cosine_parts cosine_f16_avx512(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
#endif

#if defined(RUVECTOR_HAVE_NEON)
float l2sq_f16_neon(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
float dot_f16_neon(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
float l1_f16_neon(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
cosine_parts cosine_f16_neon(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
#endif

#if defined(RUVECTOR_HAVE_WASM_SIMD128)
float l2sq_f16_wasm_simd128(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
float dot_f16_wasm_simd128(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
float l1_f16_wasm_simd128(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
cosine_parts cosine_f16_wasm_simd128(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
#endif

// ---- dispatched entry points ---------------------------------------------------
inline float l2sq_f16(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return active_half_kernels.l2sq_f16(a, b, n);
}
inline float dot_f16(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return active_half_kernels.dot_f16(a, b, n);
}
inline float l1_f16(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return active_half_kernels.l1_f16(a, b, n);
}
inline cosine_parts cosine_parts_f16(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return active_half_kernels.cosine_f16(a, b, n);
}

// Distances as SQL reports them, computed from the float sums as pgvector does.
double l2_distance_f16(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
// 1 - dot / sqrt(|a|^2 |b|^2) in double, clamped to [0, 2]; NaN when a norm is zero.
double cosine_distance_f16(const std::uint16_t* a, const std::uint16_t* b, std::size_t n);
// sqrt(sum a^2), accumulated in double in index order.
double norm_f16(const std::uint16_t* a, std::size_t n);

} // namespace ruvector
