// Distances between sparse vectors: ascending, distinct int32 indices with their float
// values (pgvector's sparsevec layout, without the header).
//
// Each distance is one merge over the two index lists. The serial twins add terms one at a
// time in ascending index order into a float32 sum, the order pgvector's loops use, so they
// match it bit for bit. The SIMD levels compare blocks of indices (8 x 8 with AVX2) in
// register rotations instead of branching on every step, and add the terms of each block in
// lanes: like the dense float32 kernels they agree with the serial twin within a small
// relative tolerance, exactly when every sum is exact (small integers), and a pair where
// either vector has fewer non-zeros than one block takes the serial merge unchanged.
//
// Dispatch follows the float32 kernels (kernels.hpp, which honours RUVECTOR_SIMD): the
// first call installs the best sparse table at or below active_kernels.level.
#pragma once

#include "ruvector/kernels.hpp"

#include <cstddef>
#include <cstdint>

namespace ruvector {

struct sparse_view {
	const std::int32_t* indices; // ascending, no duplicates
	const float* values;
	std::size_t nnz;
};

using sparse_distance_fn = float (*)(sparse_view a, sparse_view b);

struct sparse_kernel_table {
	simd_level level;
	cpu_extra needs;
	sparse_distance_fn l2sq_sparse; // sum over all indices of (a_i - b_i)^2, a missing index being 0
	sparse_distance_fn dot_sparse;  // sum over shared indices of a_i * b_i
	sparse_distance_fn l1_sparse;   // sum over all indices of |a_i - b_i|
};

// The table in use; until the first call it holds resolvers that install a table and then
// forward the call, so it needs no set-up call and no load-time constructor.
extern sparse_kernel_table active_sparse_kernels;

// The table for a level, or nullptr when this build or CPU cannot run it (or no sparse
// kernels exist for it: docs/PERFORMANCE.md says which levels have them and why).
const sparse_kernel_table* sparse_kernels_for(simd_level level);

// Install the table for `level`; returns false (and changes nothing) if unsupported.
bool select_sparse_kernels(simd_level level);

// ---- per-level kernels ---------------------------------------------------------
float l2sq_sparse_serial(sparse_view a, sparse_view b);
float dot_sparse_serial(sparse_view a, sparse_view b);
float l1_sparse_serial(sparse_view a, sparse_view b);

#if defined(RUVECTOR_HAVE_X86)
float l2sq_sparse_avx2(sparse_view a, sparse_view b);
float dot_sparse_avx2(sparse_view a, sparse_view b);
float l1_sparse_avx2(sparse_view a, sparse_view b);
#endif

// ---- dispatched entry points ---------------------------------------------------
inline float l2sq_sparse(sparse_view a, sparse_view b)
{
	return active_sparse_kernels.l2sq_sparse(a, b);
}
inline float dot_sparse(sparse_view a, sparse_view b)
{
	return active_sparse_kernels.dot_sparse(a, b);
}
inline float l1_sparse(sparse_view a, sparse_view b)
{
	return active_sparse_kernels.l1_sparse(a, b);
}

// sum of a_i^2 in float32, in index order (the norms inside the cosine distance)
float sqnorm_sparse(sparse_view a);

// 1 - dot / sqrt(|a|^2 |b|^2) in double, clamped to [0, 2]; NaN when a norm is zero.
double cosine_distance_sparse(sparse_view a, sparse_view b);

// A sparse vector as an index stores it, in one piece: std::uint32_t nnz, then nnz
// int32 indices, then nnz float values (4-byte aligned throughout).
inline std::size_t sparse_blob_bytes(std::size_t nnz)
{
	return sizeof(std::uint32_t) + nnz * (sizeof(std::int32_t) + sizeof(float));
}

inline sparse_view read_sparse_blob(const void* blob)
{
	const auto* words = static_cast<const std::uint32_t*>(blob);
	const std::size_t nnz = words[0];
	const auto* indices = reinterpret_cast<const std::int32_t*>(words + 1);
	return sparse_view{indices, reinterpret_cast<const float*>(indices + nnz), nnz};
}

// The blob's index and value arrays, for whoever fills them after writing nnz.
struct sparse_blob_arrays {
	std::int32_t* indices;
	float* values;
};

inline sparse_blob_arrays start_sparse_blob(void* blob, std::size_t nnz)
{
	auto* words = static_cast<std::uint32_t*>(blob);
	words[0] = static_cast<std::uint32_t>(nnz);
	auto* indices = reinterpret_cast<std::int32_t*>(words + 1);
	return sparse_blob_arrays{indices, reinterpret_cast<float*>(indices + nnz)};
}

} // namespace ruvector
