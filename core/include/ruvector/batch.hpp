// One query against many vectors stored back to back (a flat scan, an HNSW neighbour
// list copied into one block): out[i] = distance(q, base + i * dim) for i < n_vectors.
//
// Each result is exactly what the family's dispatched one-pair kernel returns for that
// pair (same table, same summation order), so a batch can replace a loop of single calls
// without changing any result. float32 and bit batches are kernels of their own in their
// dispatch tables (kernels.hpp, bits.hpp), which loop over rows with the pair's sums inlined;
// the other families call their one-pair kernel per row through a pointer read once. Rows are read
// in address order, which the hardware prefetcher follows. (A software prefetch of the row
// after next measured slower on a 512 MiB scan: 22.7 against 30.3 GB/s at 384 dims with
// AVX2; docs/PERFORMANCE.md.)
//
// The float32 gathers take the rows through pointers (an HNSW node's neighbours).
#pragma once

#include "ruvector/bits.hpp"
#include "ruvector/kernels.hpp"

#include <cstddef>
#include <cstdint>

namespace ruvector {

void l2sq_f32_batch(const float* q, const float* base, std::size_t n_vectors, std::size_t dim, float* out);
void dot_f32_batch(const float* q, const float* base, std::size_t n_vectors, std::size_t dim, float* out);
void l1_f32_batch(const float* q, const float* base, std::size_t n_vectors, std::size_t dim, float* out);
// The one-pass cosine sums (dot, |q|^2, |row|^2) of each row; cosine_distance_f32 turns them into a distance.
void cosine_f32_batch(const float* q, const float* base, std::size_t n_vectors, std::size_t dim, cosine_parts* out);

inline void l2sq_f32_gather(const float* q, const float* const* rows, std::size_t n_vectors, std::size_t dim,
                            float* out)
{
	active_kernels.l2sq_f32_gather(q, rows, n_vectors, dim, out);
}
inline void dot_f32_gather(const float* q, const float* const* rows, std::size_t n_vectors, std::size_t dim, float* out)
{
	active_kernels.dot_f32_gather(q, rows, n_vectors, dim, out);
}
inline void l1_f32_gather(const float* q, const float* const* rows, std::size_t n_vectors, std::size_t dim, float* out)
{
	active_kernels.l1_f32_gather(q, rows, n_vectors, dim, out);
}
inline void cosine_f32_gather(const float* q, const float* const* rows, std::size_t n_vectors, std::size_t dim,
                              cosine_parts* out)
{
	active_kernels.cosine_f32_gather(q, rows, n_vectors, dim, out);
}

void l2sq_f16_batch(const std::uint16_t* q, const std::uint16_t* base, std::size_t n_vectors, std::size_t dim,
                    float* out);
void dot_f16_batch(const std::uint16_t* q, const std::uint16_t* base, std::size_t n_vectors, std::size_t dim,
                   float* out);

// dim within int8.hpp's bounds, elements in [-127, 127].
void l2sq_i8_batch(const std::int8_t* q, const std::int8_t* base, std::size_t n_vectors, std::size_t dim,
                   std::int32_t* out);
void dot_i8_batch(const std::int8_t* q, const std::int8_t* base, std::size_t n_vectors, std::size_t dim,
                  std::int32_t* out);

// `bytes` per vector.
void hamming_bits_batch(const std::uint8_t* q, const std::uint8_t* base, std::size_t n_vectors, std::size_t bytes,
                        std::uint64_t* out);
// Jaccard's counts (|q & row|, |q | row|) of each row.
void overlap_bits_batch(const std::uint8_t* q, const std::uint8_t* base, std::size_t n_vectors, std::size_t bytes,
                        bit_overlap* out);

} // namespace ruvector
