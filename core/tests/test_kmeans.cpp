// k-means on data with known clusters: every true centre is found, every sample is assigned
// to the centroid of its own cluster, spherical centroids stay unit length, and small
// samples become the centroids themselves.
#include "ruvector/kmeans.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

constexpr std::size_t dim = 16;
constexpr std::size_t clusters = 8;
constexpr std::size_t per_cluster = 100;

struct clustered_data {
	std::vector<float> centres;
	std::vector<float> samples;
	std::vector<std::size_t> labels;
};

clustered_data make_clusters(bool unit)
{
	std::mt19937 rng(3);
	std::normal_distribution<float> normal(0.0F, 1.0F);
	clustered_data data;
	data.centres.resize(clusters * dim);
	for (float& x : data.centres) {
		x = 10.0F * normal(rng);
	}
	for (std::size_t c = 0; c < clusters; c++) {
		for (std::size_t i = 0; i < per_cluster; i++) {
			std::vector<float> x(dim);
			double norm2 = 0;
			for (std::size_t j = 0; j < dim; j++) {
				x[j] = data.centres[c * dim + j] + 0.5F * normal(rng);
				norm2 += static_cast<double>(x[j]) * x[j];
			}
			for (std::size_t j = 0; j < dim && unit; j++) {
				x[j] = static_cast<float>(x[j] / std::sqrt(norm2));
			}
			data.samples.insert(data.samples.end(), x.begin(), x.end());
			data.labels.push_back(c);
		}
	}
	return data;
}

void expect_clusters_recovered(bool spherical)
{
	const clustered_data data = make_clusters(spherical);
	const ruvector::kmeans_params params{clusters, dim, spherical, 20, 42};
	std::vector<float> centroids(clusters * dim);
	ruvector::kmeans(params, data.samples.data(), data.labels.size(), centroids.data());

	// Samples of one true cluster share one centroid, and different clusters get different ones
	std::vector<std::size_t> centroid_of(clusters, clusters);
	for (std::size_t i = 0; i < data.labels.size(); i++) {
		const std::size_t c = ruvector::kmeans_nearest(params, centroids.data(), &data.samples[i * dim]);
		if (centroid_of[data.labels[i]] == clusters) {
			centroid_of[data.labels[i]] = c;
		}
		EXPECT_EQ(c, centroid_of[data.labels[i]]) << "sample " << i;
	}
	for (std::size_t a = 0; a < clusters; a++) {
		for (std::size_t b = a + 1; b < clusters; b++) {
			EXPECT_NE(centroid_of[a], centroid_of[b]);
		}
	}
	if (spherical) {
		for (std::size_t c = 0; c < clusters; c++) {
			double norm2 = 0;
			for (std::size_t j = 0; j < dim; j++) {
				norm2 += static_cast<double>(centroids[c * dim + j]) * centroids[c * dim + j];
			}
			EXPECT_NEAR(norm2, 1.0, 1e-5);
		}
	}
}

TEST(Kmeans, FindsSeparatedClusters)
{
	expect_clusters_recovered(false);
}

TEST(Kmeans, SphericalFindsSeparatedDirections)
{
	expect_clusters_recovered(true);
}

TEST(Kmeans, FewerSamplesThanCentroidsRepeatsThem)
{
	const std::vector<float> samples = {1, 2, 3, 4, 5, 6};
	const ruvector::kmeans_params params{3, 2, false, 10, 1};
	std::vector<float> centroids(6, -1);
	ruvector::kmeans(params, samples.data(), 2, centroids.data());
	EXPECT_EQ(centroids, (std::vector<float>{1, 2, 3, 4, 1, 2}));
	ruvector::kmeans(params, samples.data(), 0, centroids.data());
	EXPECT_EQ(centroids, std::vector<float>(6, 0));
}

} // namespace
