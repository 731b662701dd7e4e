// Sparse distances: one two-pointer merge each, terms in ascending index order.
#include "ruvector/sparse.hpp"

#include <cmath>

namespace ruvector {

namespace {

// Walk the union of both index lists in ascending order and add term(a_i, b_i) for every
// index present in either, with 0 standing in for a missing value.
template <typename Term>
float merge_sum(sparse_view a, sparse_view b, Term term)
{
	float sum = 0.0F;
	std::size_t i = 0;
	std::size_t j = 0;
	while (i < a.nnz && j < b.nnz) {
		if (a.indices[i] == b.indices[j]) {
			sum += term(a.values[i++], b.values[j++]);
		} else if (a.indices[i] < b.indices[j]) {
			sum += term(a.values[i++], 0.0F);
		} else {
			sum += term(0.0F, b.values[j++]);
		}
	}
	for (; i < a.nnz; i++) {
		sum += term(a.values[i], 0.0F);
	}
	for (; j < b.nnz; j++) {
		sum += term(0.0F, b.values[j]);
	}
	return sum;
}

} // namespace

float l2sq_sparse_serial(sparse_view a, sparse_view b)
{
	return merge_sum(a, b, [](float x, float y) {
		const float d = x - y;
		return d * d;
	});
}

float l1_sparse_serial(sparse_view a, sparse_view b)
{
	return merge_sum(a, b, [](float x, float y) { return std::fabs(x - y); });
}

// Only shared indices contribute, so the merge just skips ahead on either side.
float dot_sparse_serial(sparse_view a, sparse_view b)
{
	float sum = 0.0F;
	std::size_t i = 0;
	std::size_t j = 0;
	while (i < a.nnz && j < b.nnz) {
		if (a.indices[i] == b.indices[j]) {
			sum += a.values[i++] * b.values[j++];
		} else if (a.indices[i] < b.indices[j]) {
			i++;
		} else {
			j++;
		}
	}
	return sum;
}

float sqnorm_sparse(sparse_view a)
{
	float sum = 0.0F;
	for (std::size_t i = 0; i < a.nnz; i++) {
		sum += a.values[i] * a.values[i];
	}
	return sum;
}

double cosine_distance_sparse(sparse_view a, sparse_view b)
{
	// As pgvector: a zero norm gives 0/0 = NaN, which the clamp below leaves alone.
	double similarity = static_cast<double>(dot_sparse(a, b)) /
	                    std::sqrt(static_cast<double>(sqnorm_sparse(a)) * static_cast<double>(sqnorm_sparse(b)));
	if (similarity > 1.0) {
		similarity = 1.0;
	} else if (similarity < -1.0) {
		similarity = -1.0;
	}
	return 1.0 - similarity;
}

} // namespace ruvector
