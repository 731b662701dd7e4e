// Sparse distances against the dense serial f32 kernels over the same vectors. Missing
// indices are zeros, and adding a zero term leaves a float sum unchanged, so a merge in
// index order must equal the dense index-order sum bit for bit.
#include "ruvector/kernels.hpp"
#include "ruvector/sparse.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

using ruvector::sparse_view;

struct sparse_vector {
	std::vector<std::int32_t> indices;
	std::vector<float> values;
	std::vector<float> dense;

	[[nodiscard]] sparse_view view() const
	{
		return sparse_view{indices.data(), values.data(), indices.size()};
	}
};

// Each index present with probability `density`, values uniform in [-scale, scale] \ {0}
sparse_vector random_sparse(std::mt19937& rng, std::size_t dim, double density, float scale)
{
	std::bernoulli_distribution present(density);
	std::uniform_real_distribution<float> value(-scale, scale);
	sparse_vector v;
	v.dense.assign(dim, 0.0F);
	for (std::size_t i = 0; i < dim; i++) {
		if (present(rng)) {
			float x = value(rng);
			if (x == 0.0F) {
				x = scale;
			}
			v.indices.push_back(static_cast<std::int32_t>(i));
			v.values.push_back(x);
			v.dense[i] = x;
		}
	}
	return v;
}

double dense_cosine_distance(const sparse_vector& a, const sparse_vector& b)
{
	const ruvector::cosine_parts parts = ruvector::cosine_f32_serial(a.dense.data(), b.dense.data(), a.dense.size());
	double similarity = static_cast<double>(parts.dot) /
	                    std::sqrt(static_cast<double>(parts.norm_a) * static_cast<double>(parts.norm_b));
	if (std::isnan(similarity)) {
		return similarity;
	}
	return 1.0 - std::fmax(-1.0, std::fmin(1.0, similarity));
}

void expect_same_as_dense(const sparse_vector& a, const sparse_vector& b)
{
	const std::size_t n = a.dense.size();
	EXPECT_EQ(ruvector::l2sq_sparse(a.view(), b.view()), ruvector::l2sq_f32_serial(a.dense.data(), b.dense.data(), n));
	EXPECT_EQ(ruvector::dot_sparse(a.view(), b.view()), ruvector::dot_f32_serial(a.dense.data(), b.dense.data(), n));
	EXPECT_EQ(ruvector::l1_sparse(a.view(), b.view()), ruvector::l1_f32_serial(a.dense.data(), b.dense.data(), n));
	EXPECT_EQ(ruvector::sqnorm_sparse(a.view()), ruvector::dot_f32_serial(a.dense.data(), a.dense.data(), n));
	const double cosine = ruvector::cosine_distance_sparse(a.view(), b.view());
	const double dense = dense_cosine_distance(a, b);
	if (std::isnan(dense)) {
		EXPECT_TRUE(std::isnan(cosine));
	} else {
		EXPECT_EQ(cosine, dense);
	}
}

TEST(SparseDistances, EqualDenseIndexOrderSums)
{
	std::mt19937 rng(99);
	for (const double density_a : {0.0, 0.01, 0.2, 0.9, 1.0}) {
		for (const double density_b : {0.0, 0.05, 0.5, 1.0}) {
			for (const std::size_t dim : {1, 2, 7, 64, 1000, 5000}) {
				const auto a = random_sparse(rng, dim, density_a, 10.0F);
				const auto b = random_sparse(rng, dim, density_b, 10.0F);
				expect_same_as_dense(a, b);
				expect_same_as_dense(b, a);
			}
		}
	}
}

TEST(SparseDistances, EdgeCases)
{
	const sparse_vector empty{{}, {}, std::vector<float>(5, 0.0F)};
	const sparse_vector a{{0, 3}, {3.0F, 4.0F}, {3.0F, 0.0F, 0.0F, 4.0F, 0.0F}};
	const sparse_vector disjoint{{1, 4}, {-1.0F, 2.0F}, {0.0F, -1.0F, 0.0F, 0.0F, 2.0F}};
	EXPECT_EQ(ruvector::l2sq_sparse(empty.view(), empty.view()), 0.0F);
	EXPECT_EQ(ruvector::l2sq_sparse(a.view(), empty.view()), 25.0F);
	EXPECT_EQ(ruvector::l2sq_sparse(a.view(), disjoint.view()), 30.0F);
	EXPECT_EQ(ruvector::dot_sparse(a.view(), disjoint.view()), 0.0F);
	EXPECT_EQ(ruvector::l1_sparse(a.view(), disjoint.view()), 10.0F);
	EXPECT_EQ(ruvector::l2sq_sparse(a.view(), a.view()), 0.0F);
	EXPECT_EQ(ruvector::cosine_distance_sparse(a.view(), a.view()), 0.0);
	EXPECT_EQ(ruvector::cosine_distance_sparse(a.view(), disjoint.view()), 1.0);
	EXPECT_TRUE(std::isnan(ruvector::cosine_distance_sparse(a.view(), empty.view())));
	EXPECT_TRUE(std::isnan(ruvector::cosine_distance_sparse(empty.view(), empty.view())));
	expect_same_as_dense(a, disjoint);
	expect_same_as_dense(empty, a);
}

} // namespace
