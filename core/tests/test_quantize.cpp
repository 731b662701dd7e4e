// SQ8 and binary codes against double-precision references: the per-dimension error bound
// of SQ8, the stored reconstruction errors, estimates equal to distances between decoded
// vectors, and exact distances always within estimate +- slack (so lower bounds are sound),
// for every metric, with queries inside and outside the trained range.
#include "ruvector/quantize.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace {

using ruvector::metric;

constexpr metric float_metrics[] = {metric::l2, metric::inner_product, metric::cosine, metric::l1};

std::vector<float> random_vectors(std::size_t count, std::size_t dim, std::uint32_t seed, float spread)
{
	std::mt19937 rng(seed);
	std::normal_distribution<float> normal(0.0F, 1.0F);
	std::vector<float> data(count * dim);
	for (std::size_t i = 0; i < data.size(); i++) {
		// Dimensions differ in centre and range, as embeddings do
		const std::size_t d = i % dim;
		data[i] = 0.1F * static_cast<float>(d % 7) + spread * (0.5F + static_cast<float>(d % 5) / 4) * normal(rng);
	}
	return data;
}

void normalize(float* x, std::size_t dim)
{
	double norm = 0;
	for (std::size_t i = 0; i < dim; i++) {
		norm += static_cast<double>(x[i]) * x[i];
	}
	norm = std::sqrt(norm);
	for (std::size_t i = 0; i < dim; i++) {
		x[i] = static_cast<float>(x[i] / norm);
	}
}

double exact_distance(metric kind, const float* a, const float* b, std::size_t dim)
{
	double sum = 0;
	for (std::size_t i = 0; i < dim; i++) {
		const double x = a[i];
		const double y = b[i];
		switch (kind) {
			case metric::l2:
				sum += (x - y) * (x - y);
				break;
			case metric::l1:
				sum += std::fabs(x - y);
				break;
			default:
				sum += x * y;
				break;
		}
	}
	switch (kind) {
		case metric::l2:
			return std::sqrt(sum);
		case metric::inner_product:
			return -sum;
		case metric::cosine:
			return 1 - sum;
		default:
			return sum;
	}
}

// A trained codebook's arrays, kept alive by the fixture
struct trained {
	std::vector<float> offset;
	float scale = 0;
};

trained train(const std::vector<float>& data, std::size_t dim, bool sq8)
{
	std::vector<float> lo(dim);
	std::vector<float> hi(dim);
	std::vector<double> sum(dim);
	ruvector::training_stats stats{lo.data(), hi.data(), sum.data(), dim, 0};
	ruvector::training_reset(stats);
	for (std::size_t i = 0; i < data.size() / dim; i++) {
		ruvector::training_add(stats, &data[i * dim]);
	}
	trained t;
	t.offset.resize(dim);
	if (sq8) {
		t.scale = ruvector::sq8_train(stats, t.offset.data());
	} else {
		ruvector::binary_train(stats, t.offset.data());
	}
	return t;
}

TEST(Sq8, ReconstructsWithinHalfAStepInsideTheTrainedRange)
{
	constexpr std::size_t dim = 97;
	const std::vector<float> data = random_vectors(500, dim, 1, 1.0F);
	const trained t = train(data, dim, true);
	const ruvector::sq8_codebook book{t.offset.data(), t.scale, dim};
	std::vector<std::int8_t> code(dim);
	std::vector<float> restored(dim);

	for (std::size_t v = 0; v < 500; v++) {
		const float* x = &data[v * dim];
		const ruvector::sq8_terms terms = ruvector::sq8_encode(book, metric::l2, x, code.data());
		ruvector::sq8_decode(book, code.data(), restored.data());
		double error2 = 0;
		double norm2 = 0;
		for (std::size_t i = 0; i < dim; i++) {
			EXPECT_LE(std::fabs(x[i] - restored[i]), t.scale / 2 * (1 + 1e-5F)) << "vector " << v << " dim " << i;
			error2 += (static_cast<double>(x[i]) - restored[i]) * (static_cast<double>(x[i]) - restored[i]);
			norm2 += static_cast<double>(restored[i]) * restored[i];
		}
		EXPECT_NEAR(terms.error, std::sqrt(error2), 1e-5);
		EXPECT_NEAR(terms.norm, std::sqrt(norm2), 1e-4);
	}
}

TEST(Sq8, ConstantDimensionsGiveZeroCodesAndNoError)
{
	constexpr std::size_t dim = 8;
	const std::vector<float> data(10 * dim, 2.5F);
	const trained t = train(data, dim, true);
	EXPECT_EQ(t.scale, 1.0F);
	const ruvector::sq8_codebook book{t.offset.data(), t.scale, dim};
	std::vector<std::int8_t> code(dim, 1);
	const ruvector::sq8_terms terms = ruvector::sq8_encode(book, metric::l2, data.data(), code.data());
	for (const std::int8_t c : code) {
		EXPECT_EQ(c, 0);
	}
	EXPECT_EQ(terms.error, 0.0F);
}

TEST(Sq8, OutOfRangeValuesAreClampedAndTheirErrorIsStored)
{
	constexpr std::size_t dim = 4;
	const std::vector<float> data = {-1, -1, -1, -1, 1, 1, 1, 1};
	const trained t = train(data, dim, true);
	const ruvector::sq8_codebook book{t.offset.data(), t.scale, dim};
	const float x[dim] = {3, 0, 0, 0};
	std::int8_t code[dim];
	const ruvector::sq8_terms terms = ruvector::sq8_encode(book, metric::l2, x, code);
	EXPECT_EQ(code[0], ruvector::sq8_max_code);
	EXPECT_NEAR(terms.error, 2.0F, 1e-5F);
}

// Exact distance within estimate +- slack; the estimate itself is the distance of the decoded vectors
// (binary l2: with the reconstruction error added in quadrature)
void check_bounds(bool sq8, std::size_t dim, float query_spread)
{
	for (const metric kind : float_metrics) {
		std::vector<float> data = random_vectors(300, dim, 7, 1.0F);
		std::vector<float> queries = random_vectors(20, dim, 8, query_spread);
		if (kind == metric::cosine) {
			for (std::size_t v = 0; v < 300; v++) {
				normalize(&data[v * dim], dim);
			}
			for (std::size_t v = 0; v < 20; v++) {
				normalize(&queries[v * dim], dim);
			}
		}
		const trained t = train(data, dim, sq8);
		const ruvector::sq8_codebook sq8_book{t.offset.data(), t.scale, dim};
		const ruvector::binary_codebook binary_book{t.offset.data(), dim};
		std::vector<std::int8_t> query_code(dim);
		std::vector<float> table(ruvector::binary_query_table_floats(dim));
		std::vector<std::int8_t> code(dim);
		std::vector<std::uint8_t> bits(ruvector::binary_code_bytes(dim));
		std::vector<float> restored(dim);
		std::vector<float> restored_query(dim);
		for (std::size_t qi = 0; qi < 20; qi++) {
			const float* q = &queries[qi * dim];
			ruvector::sq8_query sq8_query{query_code.data(), {}, 0, 0};
			ruvector::binary_query binary_query{table.data(), nullptr, 0, 0, 0, 0, 0};
			if (sq8) {
				ruvector::sq8_prepare_query(sq8_book, kind, q, sq8_query);
				ruvector::sq8_decode(sq8_book, query_code.data(), restored_query.data());
			} else {
				ruvector::binary_prepare_query(binary_book, kind, q, binary_query);
			}
			for (std::size_t v = 0; v < 300; v++) {
				const float* x = &data[v * dim];
				ruvector::distance_bound bound{};
				double decoded = 0;
				if (sq8) {
					const ruvector::sq8_terms terms = ruvector::sq8_encode(sq8_book, kind, x, code.data());
					bound = ruvector::sq8_query_distance(sq8_book, kind, sq8_query, code.data(), terms);
					ruvector::sq8_decode(sq8_book, code.data(), restored.data());
					decoded = exact_distance(kind, restored_query.data(), restored.data(), dim);
					EXPECT_NEAR(ruvector::sq8_code_distance(sq8_book, kind, query_code.data(), sq8_query.terms,
					                                        code.data(), terms),
					            bound.estimate, 1e-3 * (1 + std::fabs(bound.estimate)));
					EXPECT_EQ(ruvector::sq8_code_distance(sq8_book, ruvector::sq8_offset_norm2(sq8_book), kind,
					                                      query_code.data(), sq8_query.terms, code.data(), terms),
					          ruvector::sq8_code_distance(sq8_book, kind, query_code.data(), sq8_query.terms,
					                                      code.data(), terms));
				} else {
					const ruvector::binary_terms terms = ruvector::binary_encode(binary_book, kind, x, bits.data());
					bound = ruvector::binary_query_distance(binary_book, kind, binary_query, bits.data(), terms);
					ruvector::binary_decode(binary_book, bits.data(), terms, restored.data());
					decoded = exact_distance(kind, q, restored.data(), dim);
				}
				const double exact = exact_distance(kind, q, x, dim);
				const double tolerance = 1e-4 * (1 + std::fabs(exact));
				if (!sq8 && kind == metric::l2) {
					// Binary l2 estimates sqrt(|q - x^|^2 + |e|^2) (e = x - x^ is orthogonal to the signs), and
					// its lower bound is never looser than the triangle inequality's |q - x^| - |e|
					const double error = exact_distance(kind, x, restored.data(), dim);
					EXPECT_GE(ruvector::lower_bound_of(bound), decoded - error - 1e-3 * (1 + decoded));
					decoded = std::sqrt(decoded * decoded + error * error);
				}
				EXPECT_NEAR(bound.estimate, decoded, tolerance) << "metric " << int(kind);
				EXPECT_LE(std::fabs(exact - bound.estimate), bound.slack + tolerance) << "metric " << int(kind);
				EXPECT_LE(ruvector::lower_bound_of(bound), exact) << "metric " << int(kind);
			}
		}
	}
}

TEST(Sq8, ExactDistanceIsWithinTheSlack)
{
	check_bounds(true, 64, 1.0F);
	check_bounds(true, 13, 1.0F);
}

TEST(Sq8, ExactDistanceIsWithinTheSlackForQueriesOutsideTheTrainedRange)
{
	check_bounds(true, 64, 4.0F);
}

TEST(Binary, ExactDistanceIsWithinTheSlack)
{
	check_bounds(false, 64, 1.0F);
	check_bounds(false, 13, 1.0F);
	check_bounds(false, 64, 4.0F);
}

TEST(Binary, BitsAreSignsAroundTheMeanMostSignificantFirst)
{
	constexpr std::size_t dim = 10;
	const std::vector<float> data = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
	const trained t = train(data, dim, false);
	EXPECT_EQ(t.offset[3], 1.0F);
	const ruvector::binary_codebook book{t.offset.data(), dim};
	const float x[dim] = {2, 0, 0, 0, 0, 0, 0, 2, 0, 2};
	std::uint8_t bits[2] = {0xFF, 0xFF};
	const ruvector::binary_terms terms = ruvector::binary_encode(book, metric::l2, x, bits);
	EXPECT_EQ(bits[0], 0x81);
	EXPECT_EQ(bits[1], 0x40);
	EXPECT_FLOAT_EQ(terms.scale, 1.0F);
	EXPECT_FLOAT_EQ(terms.error, 0.0F);
}

// Codes must rank well enough to be worth scanning: the 10 nearest by estimate hold most of the exact 10
TEST(Sq8, EstimatesRankNeighboursLikeExactDistances)
{
	constexpr std::size_t dim = 128;
	constexpr std::size_t count = 2000;
	const std::vector<float> data = random_vectors(count, dim, 11, 1.0F);
	const std::vector<float> queries = random_vectors(10, dim, 12, 1.0F);
	const trained t = train(data, dim, true);
	const ruvector::sq8_codebook book{t.offset.data(), t.scale, dim};
	std::vector<std::int8_t> codes(count * dim);
	std::vector<ruvector::sq8_terms> terms(count);
	for (std::size_t v = 0; v < count; v++) {
		terms[v] = ruvector::sq8_encode(book, metric::l2, &data[v * dim], &codes[v * dim]);
	}
	std::vector<std::int8_t> query_code(dim);
	std::size_t hits = 0;
	for (std::size_t qi = 0; qi < 10; qi++) {
		const float* q = &queries[qi * dim];
		ruvector::sq8_query query{query_code.data(), {}, 0, 0};
		ruvector::sq8_prepare_query(book, metric::l2, q, query);
		std::vector<std::pair<double, std::size_t>> exact(count);
		std::vector<std::pair<float, std::size_t>> estimated(count);
		for (std::size_t v = 0; v < count; v++) {
			exact[v] = {exact_distance(metric::l2, q, &data[v * dim], dim), v};
			estimated[v] = {ruvector::sq8_query_distance(book, metric::l2, query, &codes[v * dim], terms[v]).estimate,
			                v};
		}
		std::partial_sort(exact.begin(), exact.begin() + 10, exact.end());
		std::partial_sort(estimated.begin(), estimated.begin() + 10, estimated.end());
		for (std::size_t i = 0; i < 10; i++) {
			for (std::size_t j = 0; j < 10; j++) {
				hits += exact[i].second == estimated[j].second ? 1 : 0;
			}
		}
	}
	EXPECT_GE(hits, 90U);
}

} // namespace
