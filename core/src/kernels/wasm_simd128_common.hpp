// Pieces shared by the f32 and f16 WebAssembly SIMD128 kernels (wasm_simd128.cpp,
// half_wasm_simd128.cpp). SIMD128 is part of the WASM build target, so no attributes.
#pragma once

#include <wasm_simd128.h>

namespace ruvector {

namespace {

inline float horizontal_sum(v128_t v)
{
	v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
	v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
	return wasm_f32x4_extract_lane(v, 0);
}

inline float horizontal_sum(v128_t s0, v128_t s1, v128_t s2, v128_t s3)
{
	return horizontal_sum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
}

// The product is rounded before any addition: SIMD128 has no fused multiply-add.
inline v128_t squared_difference(v128_t x, v128_t y)
{
	const v128_t d = wasm_f32x4_sub(x, y);
	return wasm_f32x4_mul(d, d);
}

inline v128_t absolute_difference(v128_t x, v128_t y)
{
	return wasm_f32x4_abs(wasm_f32x4_sub(x, y));
}

} // namespace

} // namespace ruvector
