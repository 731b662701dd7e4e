// WebAssembly SIMD128 kernels over halves. SIMD128 has no half-precision instructions,
// so each block of 8 halves is widened to two f32x4 vectors with integer operations:
// the exponent and mantissa bits are moved into float position and the result is
// multiplied by 2^112, which rebiases the exponent (15 -> 127) and turns half
// subnormals into the right float values exactly; the sign bit is put back last. This
// is exact for every finite half (the kernels' precondition). The sums then run as in
// the f32 SIMD128 kernels: four accumulators over 16 elements per step, products
// rounded before they are added (no fused multiply-add). The last 1..7 elements are
// copied into a zeroed block of 8, which adds nothing to any sum and reads nothing past n.
#include "ruvector/half.hpp"

#if defined(RUVECTOR_HAVE_WASM_SIMD128)

#include "wasm_simd128_common.hpp"

#include <wasm_simd128.h>

namespace ruvector {

namespace {

// Exponent and mantissa of four halves (one per u32 lane) as floats
inline v128_t widen(v128_t halves)
{
	const v128_t magnitude = wasm_i32x4_shl(wasm_v128_and(halves, wasm_i32x4_splat(0x7fff)), 13);
	const v128_t scaled = wasm_f32x4_mul(magnitude, wasm_f32x4_splat(0x1p112F));
	const v128_t sign = wasm_i32x4_shl(wasm_v128_and(halves, wasm_i32x4_splat(0x8000)), 16);
	return wasm_v128_or(scaled, sign);
}

struct widened {
	v128_t low;
	v128_t high;
};

inline widened load8(const std::uint16_t* p)
{
	const v128_t halves = wasm_v128_load(p);
	return widened{widen(wasm_u32x4_extend_low_u16x8(halves)), widen(wasm_u32x4_extend_high_u16x8(halves))};
}

struct tail_block {
	std::uint16_t a[8];
	std::uint16_t b[8];
};

// Element by element rather than memcpy: the standalone kernel module links no libc.
inline tail_block copy_tail(const std::uint16_t* a, const std::uint16_t* b, std::size_t count)
{
	tail_block block{};
	for (std::size_t j = 0; j < count; j++) {
		block.a[j] = a[j];
		block.b[j] = b[j];
	}
	return block;
}

// One pass of `term` over a and b, accumulated in four lanes-of-four.
template <typename Term>
float sum_terms(const std::uint16_t* a, const std::uint16_t* b, std::size_t n, Term term)
{
	v128_t s0 = wasm_f32x4_splat(0.0F);
	v128_t s1 = s0;
	v128_t s2 = s0;
	v128_t s3 = s0;
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		const widened x0 = load8(a + i);
		const widened y0 = load8(b + i);
		const widened x1 = load8(a + i + 8);
		const widened y1 = load8(b + i + 8);
		s0 = wasm_f32x4_add(s0, term(x0.low, y0.low));
		s1 = wasm_f32x4_add(s1, term(x0.high, y0.high));
		s2 = wasm_f32x4_add(s2, term(x1.low, y1.low));
		s3 = wasm_f32x4_add(s3, term(x1.high, y1.high));
	}
	for (; i + 8 <= n; i += 8) {
		const widened x = load8(a + i);
		const widened y = load8(b + i);
		s0 = wasm_f32x4_add(s0, term(x.low, y.low));
		s1 = wasm_f32x4_add(s1, term(x.high, y.high));
	}
	if (i < n) {
		const tail_block tail = copy_tail(a + i, b + i, n - i);
		const widened x = load8(tail.a);
		const widened y = load8(tail.b);
		s2 = wasm_f32x4_add(s2, term(x.low, y.low));
		s3 = wasm_f32x4_add(s3, term(x.high, y.high));
	}
	return horizontal_sum(s0, s1, s2, s3);
}

} // namespace

float l2sq_f16_wasm_simd128(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return sum_terms(a, b, n, squared_difference);
}

float dot_f16_wasm_simd128(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return sum_terms(a, b, n, wasm_f32x4_mul);
}

float l1_f16_wasm_simd128(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return sum_terms(a, b, n, absolute_difference);
}

// Three sums per element, two accumulators each (the low and high halves of a block of 8)
cosine_parts cosine_f16_wasm_simd128(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	v128_t dot0 = wasm_f32x4_splat(0.0F);
	v128_t dot1 = dot0;
	v128_t na0 = dot0;
	v128_t na1 = dot0;
	v128_t nb0 = dot0;
	v128_t nb1 = dot0;
	const auto step = [&](const widened& x, const widened& y) {
		dot0 = wasm_f32x4_add(dot0, wasm_f32x4_mul(x.low, y.low));
		dot1 = wasm_f32x4_add(dot1, wasm_f32x4_mul(x.high, y.high));
		na0 = wasm_f32x4_add(na0, wasm_f32x4_mul(x.low, x.low));
		na1 = wasm_f32x4_add(na1, wasm_f32x4_mul(x.high, x.high));
		nb0 = wasm_f32x4_add(nb0, wasm_f32x4_mul(y.low, y.low));
		nb1 = wasm_f32x4_add(nb1, wasm_f32x4_mul(y.high, y.high));
	};
	std::size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		step(load8(a + i), load8(b + i));
	}
	if (i < n) {
		const tail_block tail = copy_tail(a + i, b + i, n - i);
		step(load8(tail.a), load8(tail.b));
	}
	return cosine_parts{horizontal_sum(wasm_f32x4_add(dot0, dot1)), horizontal_sum(wasm_f32x4_add(na0, na1)),
	                    horizontal_sum(wasm_f32x4_add(nb0, nb1))};
}

} // namespace ruvector

#endif
