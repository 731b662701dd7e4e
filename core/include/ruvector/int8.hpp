// Signed 8-bit kernels, for scalar-quantised (SQ8) codes: the squared L2 distance and the
// dot product of two int8 vectors, as exact 32-bit integers.
//
// Precondition: every element is in [-127, 127] (SQ8 never produces -128; the AVX2 and
// AVX-512 dot products negate elements, and -(-128) does not fit a byte).
//
// Exactness: every level computes the same integer, which the serial twin defines. The
// largest term is 254^2 = 64516 for l2sq and 127^2 = 16129 for dot, so the result fits
// int32 for n <= 33286 (l2sq) and n <= 133144 (dot), since 33286 * 64516 < 2^31. Within those
// bounds partial sums in 32-bit lanes cannot overflow either, since each is a sum of a
// subset of the terms (l2sq terms are non-negative; a subset of dot terms is bounded by
// the sum of their magnitudes). Callers with longer vectors must split them.
//
// Dispatch follows the float32 kernels (kernels.hpp, which honours RUVECTOR_SIMD): the
// first call installs the best int8 table at or below active_kernels.level.
#pragma once

#include "ruvector/kernels.hpp"

#include <cstddef>
#include <cstdint>

namespace ruvector {

// Longest vectors whose results fit int32 (see above).
constexpr std::size_t int8_l2sq_max_dim = 33286;
constexpr std::size_t int8_dot_max_dim = 133144;

using i8_distance_fn = std::int32_t (*)(const std::int8_t* a, const std::int8_t* b, std::size_t n);

struct int8_kernel_table {
	simd_level level;
	cpu_extra needs;
	i8_distance_fn l2sq_i8; // sum (a-b)^2
	i8_distance_fn dot_i8;  // sum a*b
};

// The table in use; until the first call it holds resolvers that install a table and then
// forward the call, so it needs no set-up call and no load-time constructor.
extern int8_kernel_table active_int8_kernels;

// The table for a level, or nullptr when this build or CPU cannot run it.
const int8_kernel_table* int8_kernels_for(simd_level level);

// Install the table for `level`; returns false (and changes nothing) if unsupported.
bool select_int8_kernels(simd_level level);

// ---- per-level kernels ---------------------------------------------------------
std::int32_t l2sq_i8_serial(const std::int8_t* a, const std::int8_t* b, std::size_t n);
std::int32_t dot_i8_serial(const std::int8_t* a, const std::int8_t* b, std::size_t n);

#if defined(RUVECTOR_HAVE_X86)
std::int32_t l2sq_i8_avx2(const std::int8_t* a, const std::int8_t* b, std::size_t n);
std::int32_t dot_i8_avx2(const std::int8_t* a, const std::int8_t* b, std::size_t n);
// AVX-512 BW + VNNI (VPDPWSSD, VPDPBUSD).
std::int32_t l2sq_i8_avx512_vnni(const std::int8_t* a, const std::int8_t* b, std::size_t n);
std::int32_t dot_i8_avx512_vnni(const std::int8_t* a, const std::int8_t* b, std::size_t n);
#endif

#if defined(RUVECTOR_HAVE_NEON)
std::int32_t l2sq_i8_neon(const std::int8_t* a, const std::int8_t* b, std::size_t n);
std::int32_t dot_i8_neon(const std::int8_t* a, const std::int8_t* b, std::size_t n);
// With the dot-product extension (SDOT, UDOT).
std::int32_t l2sq_i8_neon_dotprod(const std::int8_t* a, const std::int8_t* b, std::size_t n);
std::int32_t dot_i8_neon_dotprod(const std::int8_t* a, const std::int8_t* b, std::size_t n);
#endif

#if defined(RUVECTOR_HAVE_WASM_SIMD128)
std::int32_t l2sq_i8_wasm_simd128(const std::int8_t* a, const std::int8_t* b, std::size_t n);
std::int32_t dot_i8_wasm_simd128(const std::int8_t* a, const std::int8_t* b, std::size_t n);
#endif

// ---- dispatched entry points ---------------------------------------------------
inline std::int32_t l2sq_i8(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	return active_int8_kernels.l2sq_i8(a, b, n);
}

inline std::int32_t dot_i8(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	return active_int8_kernels.dot_i8(a, b, n);
}

} // namespace ruvector
