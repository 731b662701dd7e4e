// One query against many vectors stored back to back (a flat scan, an HNSW neighbour
// list copied into one block): out[i] = distance(q, base + i * dim) for i < n_vectors.
//
// Each result is exactly what the family's dispatched one-pair kernel returns for that
// pair (same table, same summation order), so a batch can replace a loop of single calls
// without changing any result. What the batch adds: the kernel pointer is read once, and
// the rows are read in address order, which the hardware prefetcher follows. (A software
// prefetch of the row after next measured slower on a 512 MiB scan: 22.7 against 30.3 GB/s
// at 384 dims with AVX2; docs/PERFORMANCE.md.)
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

void l2sq_f16_batch(const std::uint16_t* q, const std::uint16_t* base, std::size_t n_vectors, std::size_t dim,
                    float* out);
void dot_f16_batch(const std::uint16_t* q, const std::uint16_t* base, std::size_t n_vectors, std::size_t dim,
                   float* out);

// dim within int8.hpp's bounds, elements in [-127, 127].
void l2sq_i8_batch(const std::int8_t* q, const std::int8_t* base, std::size_t n_vectors, std::size_t dim,
                   std::int32_t* out);
void dot_i8_batch(const std::int8_t* q, const std::int8_t* base, std::size_t n_vectors, std::size_t dim,
                  std::int32_t* out);

// Two rows anywhere in memory against one query: out[i] = distance(q, row_i), exactly the dispatched one-pair
// kernel's result. A graph walk measures a node's unseen neighbours this way. At the WASM SIMD128 level one pass
// reads q once for both rows and keeps both rows' loads in flight: a 20,000 x 384 HNSW build in PGlite took
// about 17 % less CPU. Elsewhere two one-pair calls.
void l2sq_f32_pair(const float* q, const float* row0, const float* row1, std::size_t dim, float* out);
void dot_f32_pair(const float* q, const float* row0, const float* row1, std::size_t dim, float* out);

// `bytes` per vector.
void hamming_bits_batch(const std::uint8_t* q, const std::uint8_t* base, std::size_t n_vectors, std::size_t bytes,
                        std::uint64_t* out);
// Jaccard's counts (|q & row|, |q | row|) of each row.
void overlap_bits_batch(const std::uint8_t* q, const std::uint8_t* base, std::size_t n_vectors, std::size_t bytes,
                        bit_overlap* out);

} // namespace ruvector
