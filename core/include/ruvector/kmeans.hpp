// k-means for inverted-file indexes: k-means++ seeding, then Lloyd iterations, over
// float32 vectors stored row by row. Spherical mode (cosine and inner product indexes)
// expects unit samples, assigns by dot product and keeps the centroids unit length.
// Scratch memory comes from the host hooks (memory.hpp); the result is deterministic for a
// given seed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ruvector {

struct kmeans_params {
	std::size_t k;
	std::size_t dim;
	bool spherical;
	int max_iterations = 10;
	std::uint64_t seed = 0x5eed;
};

// Write k centroids (k * dim floats) for `count` samples. With fewer samples than k, the
// samples themselves are the first centroids and the rest repeat them (zero vectors when
// there are no samples). Returns the number of Lloyd iterations run.
int kmeans(const kmeans_params& params, const float* samples, std::size_t count, float* centroids);

// Index of the centroid nearest to x (squared L2, or largest dot product when spherical).
std::size_t kmeans_nearest(const kmeans_params& params, const float* centroids, const float* x);

} // namespace ruvector
