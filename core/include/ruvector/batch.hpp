// One query against many vectors stored back to back (a flat scan, an HNSW neighbour
// list copied into one block): out[i] = distance(q, base + i * dim) for i < n_vectors.
//
// Each result is exactly what the family's dispatched one-pair kernel returns for that
// pair (same table, same summation order), so a batch can replace a loop of single calls
// without changing any result. What the batch adds: the kernel pointer is read once, and
// the vector after next is prefetched while the current one is summed, which keeps a scan
// of data larger than the caches streaming from memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ruvector {

void l2sq_f32_batch(const float* q, const float* base, std::size_t n_vectors, std::size_t dim, float* out);
void dot_f32_batch(const float* q, const float* base, std::size_t n_vectors, std::size_t dim, float* out);

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

} // namespace ruvector
