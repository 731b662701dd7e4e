// k-means++ seeding and Lloyd iterations over the dispatched float32 kernels.
#include "ruvector/kmeans.hpp"

#include "ruvector/kernels.hpp"
#include "ruvector/memory.hpp"

#include <cmath>
#include <cstring>
#include <limits>

namespace ruvector {

namespace {

// splitmix64, as the HNSW level generator
std::uint64_t next_random(std::uint64_t& state)
{
	std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

double uniform(std::uint64_t& state)
{
	return static_cast<double>(next_random(state) >> 11) * 0x1p-53;
}

// Distance used for assignment: smaller is nearer
float assign_distance(const kmeans_params& params, const float* a, const float* b)
{
	return params.spherical ? -dot_f32(a, b, params.dim) : l2sq_f32(a, b, params.dim);
}

// Non-negative spread for k-means++ sampling
double seeding_weight(const kmeans_params& params, const float* a, const float* b)
{
	if (params.spherical) {
		const double d = 1.0 - dot_f32(a, b, params.dim);
		return d > 0 ? d : 0;
	}
	return l2sq_f32(a, b, params.dim);
}

void normalize(float* x, std::size_t dim)
{
	double norm2 = 0;
	for (std::size_t i = 0; i < dim; i++) {
		norm2 += static_cast<double>(x[i]) * x[i];
	}
	if (norm2 == 0) {
		return;
	}
	const double norm = std::sqrt(norm2);
	for (std::size_t i = 0; i < dim; i++) {
		x[i] = static_cast<float>(x[i] / norm);
	}
}

void copy_vector(float* dst, const float* src, std::size_t dim)
{
	std::memcpy(dst, src, dim * sizeof(float));
}

// k-means++: each next centroid is a sample drawn with probability proportional to its
// distance to the nearest centroid so far
void seed_centroids(const kmeans_params& params, const float* samples, std::size_t count, float* centroids,
                    double* nearest)
{
	std::uint64_t rng = params.seed;
	const std::size_t dim = params.dim;
	copy_vector(centroids, samples + (next_random(rng) % count) * dim, dim);
	for (std::size_t i = 0; i < count; i++) {
		nearest[i] = seeding_weight(params, samples + i * dim, centroids);
	}
	for (std::size_t c = 1; c < params.k; c++) {
		double total = 0;
		for (std::size_t i = 0; i < count; i++) {
			total += nearest[i];
		}
		std::size_t chosen = next_random(rng) % count;
		if (total > 0) {
			double target = uniform(rng) * total;
			for (std::size_t i = 0; i < count; i++) {
				target -= nearest[i];
				if (target <= 0) {
					chosen = i;
					break;
				}
			}
		}
		float* centroid = centroids + c * dim;
		copy_vector(centroid, samples + chosen * dim, dim);
		for (std::size_t i = 0; i < count; i++) {
			const double d = seeding_weight(params, samples + i * dim, centroid);
			nearest[i] = d < nearest[i] ? d : nearest[i];
		}
		host.check_interrupts();
	}
}

} // namespace

std::size_t kmeans_nearest(const kmeans_params& params, const float* centroids, const float* x)
{
	std::size_t best = 0;
	float best_distance = std::numeric_limits<float>::infinity();
	for (std::size_t c = 0; c < params.k; c++) {
		const float d = assign_distance(params, x, centroids + c * params.dim);
		if (d < best_distance) {
			best_distance = d;
			best = c;
		}
	}
	return best;
}

int kmeans(const kmeans_params& params, const float* samples, std::size_t count, float* centroids)
{
	const std::size_t dim = params.dim;
	if (count <= params.k) {
		for (std::size_t c = 0; c < params.k; c++) {
			if (count == 0) {
				std::memset(centroids + c * dim, 0, dim * sizeof(float));
			} else {
				copy_vector(centroids + c * dim, samples + (c % count) * dim, dim);
			}
		}
		return 0;
	}

	auto* nearest = static_cast<double*>(host.allocate(count * sizeof(double)));
	auto* assigned = static_cast<std::uint32_t*>(host.allocate(count * sizeof(std::uint32_t)));
	auto* sums = static_cast<double*>(host.allocate(params.k * dim * sizeof(double)));
	auto* sizes = static_cast<std::uint32_t*>(host.allocate(params.k * sizeof(std::uint32_t)));
	seed_centroids(params, samples, count, centroids, nearest);

	int iteration = 0;
	for (; iteration < params.max_iterations; iteration++) {
		std::size_t moved = 0;
		for (std::size_t i = 0; i < count; i++) {
			const auto c = static_cast<std::uint32_t>(kmeans_nearest(params, centroids, samples + i * dim));
			moved += (iteration == 0 || assigned[i] != c) ? 1 : 0;
			assigned[i] = c;
			if (i % 256 == 0) {
				host.check_interrupts();
			}
		}
		if (moved == 0) {
			break;
		}
		std::memset(sums, 0, params.k * dim * sizeof(double));
		std::memset(sizes, 0, params.k * sizeof(std::uint32_t));
		for (std::size_t i = 0; i < count; i++) {
			double* sum = sums + static_cast<std::size_t>(assigned[i]) * dim;
			const float* x = samples + i * dim;
			for (std::size_t j = 0; j < dim; j++) {
				sum[j] += x[j];
			}
			sizes[assigned[i]]++;
		}
		// An empty cluster keeps its centroid: it may win samples back next round
		for (std::size_t c = 0; c < params.k; c++) {
			if (sizes[c] == 0) {
				continue;
			}
			float* centroid = centroids + c * dim;
			for (std::size_t j = 0; j < dim; j++) {
				centroid[j] = static_cast<float>(sums[c * dim + j] / sizes[c]);
			}
			if (params.spherical) {
				normalize(centroid, dim);
			}
		}
	}
	host.deallocate(nearest);
	host.deallocate(assigned);
	host.deallocate(sums);
	host.deallocate(sizes);
	return iteration;
}

} // namespace ruvector
