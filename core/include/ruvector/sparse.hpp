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

} // namespace ruvector
