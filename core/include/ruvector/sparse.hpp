// Distances between sparse vectors: ascending, distinct int32 indices with their float
// values (pgvector's sparsevec layout, without the header).
//
// Each distance is one merge over the two index lists. Terms are added one at a time in
// ascending index order into a float32 sum, which is the order pgvector's loops use, so
// results match it bit for bit. The merge is bound by its data-dependent branches, not
// by arithmetic; with at most 16000 non-zeros per vector there is no SIMD variant.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ruvector {

struct sparse_view {
	const std::int32_t* indices; // ascending, no duplicates
	const float* values;         // non-zero
	std::size_t nnz;
};

// sum over all indices of (a_i - b_i)^2, where a missing index is 0
float l2sq_sparse(sparse_view a, sparse_view b);
// sum over shared indices of a_i * b_i
float dot_sparse(sparse_view a, sparse_view b);
// sum over all indices of |a_i - b_i|
float l1_sparse(sparse_view a, sparse_view b);
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
