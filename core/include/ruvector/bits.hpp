// Bit-vector kernels: Hamming and Jaccard distances over packed bits, and binary
// quantisation of float32 vectors into such bits.
//
// Bits are packed most significant bit first, eight to a byte, as PostgreSQL's bit type
// stores them; unused bits of the last byte are zero, so the kernels count whole bytes.
// Counts are exact integers, so every level returns exactly what the serial twin does.
//
// Dispatch is separate from the float kernels' table (kernels.hpp) but follows its level:
// the first call installs the best bit table at or below active_kernels.level that this CPU
// runs (avx2 needs POPCNT, avx512 needs VPOPCNTDQ). select_bits_kernels() overrides it.
#pragma once

#include "ruvector/kernels.hpp"

#include <cstddef>
#include <cstdint>

namespace ruvector {

// Set bits of a & b and of a | b: Jaccard's numerator and denominator.
struct bit_overlap {
	std::uint64_t both;
	std::uint64_t either;
};

using bits_hamming_fn = std::uint64_t (*)(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
using bits_overlap_fn = bit_overlap (*)(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);

// One query against `count` rows of `bytes` bytes, row i at base + i * stride (stride >= bytes; a
// flat scan of bit vectors: stride == bytes for rows back to back, more for rows inside index
// entries, whose other bytes are never counted): out[i] = the one-pair count of (q, row i). What a
// batch saves is the call and the query's loads per row: a 384-bit row is 48 bytes, which memory
// delivers faster than one call of a pair kernel returns (docs/PERFORMANCE.md).
using bits_hamming_batch_fn = void (*)(const std::uint8_t* q, const std::uint8_t* base, std::size_t count,
                                       std::size_t bytes, std::size_t stride, std::uint64_t* out);
using bits_overlap_batch_fn = void (*)(const std::uint8_t* q, const std::uint8_t* base, std::size_t count,
                                       std::size_t bytes, std::size_t stride, bit_overlap* out);

struct bits_kernel_table {
	simd_level level;
	cpu_extra needs;
	bits_hamming_fn hamming; // popcount(a ^ b)
	bits_overlap_fn overlap; // popcount(a & b), popcount(a | b)
	bits_hamming_batch_fn hamming_batch;
	bits_overlap_batch_fn overlap_batch;
};

// The table in use. Until the first call it holds entries that choose the level and then
// forward, so it needs no set-up call and no load-time constructor.
extern bits_kernel_table active_bits_kernels;

// The table for a level, or nullptr when this build or CPU cannot run it.
const bits_kernel_table* bits_kernels_for(simd_level level);

// Install the table for `level`; returns false (and changes nothing) if unsupported.
bool select_bits_kernels(simd_level level);

// ---- per-level kernels ---------------------------------------------------------
std::uint64_t hamming_bits_serial(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
bit_overlap overlap_bits_serial(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
void hamming_bits_batch_serial(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                               std::size_t stride, std::uint64_t* out);
void overlap_bits_batch_serial(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                               std::size_t stride, bit_overlap* out);

#if defined(RUVECTOR_HAVE_X86)
// AVX2 nibble-table counts over 32-byte blocks, POPCNT for the rest.
std::uint64_t hamming_bits_avx2(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
bit_overlap overlap_bits_avx2(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
void hamming_bits_batch_avx2(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                             std::size_t stride, std::uint64_t* out);
void overlap_bits_batch_avx2(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                             std::size_t stride, bit_overlap* out);
// AVX-512 VPOPCNTDQ counts over 64-byte blocks, a masked load for the rest.
std::uint64_t hamming_bits_avx512(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
bit_overlap overlap_bits_avx512(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
void hamming_bits_batch_avx512(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                               std::size_t stride, std::uint64_t* out);
void overlap_bits_batch_avx512(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                               std::size_t stride, bit_overlap* out);
#endif

#if defined(RUVECTOR_HAVE_NEON)
std::uint64_t hamming_bits_neon(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
bit_overlap overlap_bits_neon(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
void hamming_bits_batch_neon(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                             std::size_t stride, std::uint64_t* out);
void overlap_bits_batch_neon(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                             std::size_t stride, bit_overlap* out);
#endif

#if defined(RUVECTOR_HAVE_WASM_SIMD128)
std::uint64_t hamming_bits_wasm_simd128(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
bit_overlap overlap_bits_wasm_simd128(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
void hamming_bits_batch_wasm_simd128(const std::uint8_t* q, const std::uint8_t* base, std::size_t count,
                                     std::size_t bytes, std::size_t stride, std::uint64_t* out);
void overlap_bits_batch_wasm_simd128(const std::uint8_t* q, const std::uint8_t* base, std::size_t count,
                                     std::size_t bytes, std::size_t stride, bit_overlap* out);
#endif

// ---- dispatched entry points ---------------------------------------------------
inline std::uint64_t hamming_bits(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	return active_bits_kernels.hamming(a, b, bytes);
}

inline bit_overlap overlap_bits(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	return active_bits_kernels.overlap(a, b, bytes);
}

// 1 - |a & b| / |a | b| as pgvector computes it; 1 when no bit is set in both.
inline double jaccard_distance(bit_overlap counts)
{
	if (counts.both == 0) {
		return 1.0;
	}
	return 1.0 - static_cast<double>(counts.both) / static_cast<double>(counts.either);
}

inline double jaccard_distance_bits(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	return jaccard_distance(overlap_bits(a, b, bytes));
}

// Bit i of `out` (MSB first) is set when x[i] > 0; the unused low bits of the last byte
// are cleared. `out` holds (n + 7) / 8 bytes.
void binary_quantize_f32(const float* x, std::size_t n, std::uint8_t* out);

} // namespace ruvector
