// Sparse distances. The serial twins against the dense serial f32 kernels over the same
// vectors: missing indices are zeros, and adding a zero term leaves a float sum unchanged,
// so a merge in index order must equal the dense index-order sum bit for bit. Every other
// level against the serial twins over index patterns that exercise the block merge (every
// length around the block size, disjoint, identical, interleaved, long runs, 1000
// non-zeros): exactly where every sum is exact (small integers), within a relative bound of
// the sum of |terms| for arbitrary floats. Inputs end against an inaccessible page, so a
// kernel that reads past nnz crashes the test.
#include "ruvector/kernels.hpp"
#include "ruvector/sparse.hpp"

#include "guarded_memory.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

using ruvector::simd_level;
using ruvector::sparse_kernel_table;
using ruvector::sparse_view;
using ruvector_test::guarded_memory;

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
	EXPECT_EQ(ruvector::l2sq_sparse_serial(a.view(), b.view()),
	          ruvector::l2sq_f32_serial(a.dense.data(), b.dense.data(), n));
	EXPECT_EQ(ruvector::dot_sparse_serial(a.view(), b.view()),
	          ruvector::dot_f32_serial(a.dense.data(), b.dense.data(), n));
	EXPECT_EQ(ruvector::l1_sparse_serial(a.view(), b.view()),
	          ruvector::l1_f32_serial(a.dense.data(), b.dense.data(), n));
	EXPECT_EQ(ruvector::sqnorm_sparse(a.view()), ruvector::dot_f32_serial(a.dense.data(), a.dense.data(), n));
	const double cosine = ruvector::cosine_distance_sparse(a.view(), b.view());
	const double dense = dense_cosine_distance(a, b);
	if (std::isnan(dense)) {
		EXPECT_TRUE(std::isnan(cosine));
	} else {
		EXPECT_EQ(cosine, dense);
	}
}

// The dispatched table, set to the serial twins for the tests that compare bit for bit
// (the cosine distance calls the dispatched dot product), and restored afterwards.
class SerialSparseKernels : public testing::Test {
protected:
	void SetUp() override
	{
		saved_ = ruvector::active_sparse_kernels;
		ASSERT_TRUE(ruvector::select_sparse_kernels(simd_level::serial));
	}
	void TearDown() override
	{
		ruvector::active_sparse_kernels = saved_;
	}

private:
	sparse_kernel_table saved_{};
};

TEST_F(SerialSparseKernels, EqualDenseIndexOrderSums)
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

TEST_F(SerialSparseKernels, EdgeCases)
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

// ---- every level against the serial twins ----------------------------------------

constexpr simd_level all_levels[] = {simd_level::serial, simd_level::avx2, simd_level::avx512, simd_level::neon,
                                     simd_level::wasm_simd128};

std::vector<simd_level> available_levels()
{
	std::vector<simd_level> levels;
	for (const simd_level level : all_levels) {
		if (ruvector::sparse_kernels_for(level) != nullptr) {
			levels.push_back(level);
		}
	}
	return levels;
}

std::string level_name(const testing::TestParamInfo<simd_level>& info)
{
	return ruvector::simd_level_name(info.param);
}

struct index_pair {
	std::vector<std::int32_t> a;
	std::vector<std::int32_t> b;
};

// Who owns the next index on the axis.
enum class owner : std::uint8_t { a, b, both };

// Walks up the index axis from `first`, giving runs of 1..max_run consecutive indices to a,
// b or both (shared) at random, until a has nnz_a and b has nnz_b. `shared` weights how
// often a run is shared; `gap` adds up to that many unused indices between runs.
index_pair runs(std::mt19937& rng, std::size_t nnz_a, std::size_t nnz_b, double shared, int max_run, int gap,
                std::int64_t first)
{
	index_pair p;
	std::uniform_int_distribution<int> run_length(1, max_run);
	std::uniform_int_distribution<int> skip(0, gap);
	std::bernoulli_distribution is_shared(shared);
	std::bernoulli_distribution to_a(0.5);
	std::int64_t x = first;
	while (p.a.size() < nnz_a || p.b.size() < nnz_b) {
		const bool need_a = p.a.size() < nnz_a;
		const bool need_b = p.b.size() < nnz_b;
		owner who = need_a ? owner::a : owner::b;
		if (need_a && need_b) {
			who = is_shared(rng) ? owner::both : (to_a(rng) ? owner::a : owner::b);
		}
		for (int k = run_length(rng); k > 0; k--, x++) {
			if (who != owner::b && p.a.size() < nnz_a) {
				p.a.push_back(static_cast<std::int32_t>(x));
			}
			if (who != owner::a && p.b.size() < nnz_b) {
				p.b.push_back(static_cast<std::int32_t>(x));
			}
		}
		x += skip(rng);
	}
	return p;
}

// Non-zero values: small integers (every float32 sum of their products is exact at any
// order) or floats over six decades with either sign.
std::vector<float> values_for(std::mt19937& rng, std::size_t n, bool small_integers)
{
	std::vector<float> v(n);
	std::uniform_int_distribution<int> integer(1, 8);
	std::uniform_real_distribution<float> exponent(-3.0F, 3.0F);
	std::bernoulli_distribution negative(0.5);
	for (float& x : v) {
		x = small_integers ? static_cast<float>(integer(rng)) : std::pow(10.0F, exponent(rng));
		if (negative(rng)) {
			x = -x;
		}
	}
	return v;
}

// Sums of |term| in double over the same merge: the scale of a sum's rounding error.
struct term_magnitudes {
	double l2sq = 0.0;
	double dot = 0.0;
	double l1 = 0.0;
};

term_magnitudes magnitudes(sparse_view a, sparse_view b)
{
	term_magnitudes m;
	std::size_t i = 0;
	std::size_t j = 0;
	while (i < a.nnz || j < b.nnz) {
		double x = 0.0;
		double y = 0.0;
		if (j == b.nnz || (i < a.nnz && a.indices[i] < b.indices[j])) {
			x = a.values[i++];
		} else if (i == a.nnz || b.indices[j] < a.indices[i]) {
			y = b.values[j++];
		} else {
			x = a.values[i++];
			y = b.values[j++];
		}
		m.l2sq += (x - y) * (x - y);
		m.dot += std::fabs(x * y);
		m.l1 += std::fabs(x - y);
	}
	return m;
}

class SparseLevel : public testing::TestWithParam<simd_level> {
protected:
	// Looked up once: the lookup runs CPUID, which a virtual machine may trap.
	void SetUp() override
	{
		table_ = ruvector::sparse_kernels_for(GetParam());
		ASSERT_NE(table_, nullptr);
	}

	const sparse_kernel_table& table() const
	{
		return *table_;
	}

	// Copies the pair to the ends of guarded pages and compares every metric in both orders.
	void expect_matches_serial(const index_pair& p, bool small_integers, std::mt19937& rng, const std::string& what)
	{
		const std::vector<float> va = values_for(rng, p.a.size(), small_integers);
		const std::vector<float> vb = values_for(rng, p.b.size(), small_integers);
		const sparse_view a = guarded(p.a, va, a_indices_, a_values_);
		const sparse_view b = guarded(p.b, vb, b_indices_, b_values_);
		expect_close(a, b, small_integers, what + " (a, b)");
		expect_close(b, a, small_integers, what + " (b, a)");
	}

	void expect_close(sparse_view a, sparse_view b, bool exact, const std::string& what)
	{
		const term_magnitudes m = magnitudes(a, b);
		struct check {
			const char* name;
			float got;
			float want;
			double scale;
		};
		const check checks[] = {
		    {"l2sq", table().l2sq_sparse(a, b), ruvector::l2sq_sparse_serial(a, b), m.l2sq},
		    {"dot", table().dot_sparse(a, b), ruvector::dot_sparse_serial(a, b), m.dot},
		    {"l1", table().l1_sparse(a, b), ruvector::l1_sparse_serial(a, b), m.l1},
		};
		for (const check& c : checks) {
			if (exact) {
				EXPECT_EQ(c.got, c.want) << c.name << " " << what;
			} else {
				// Both sums are within about nnz * 2^-24 * scale of the true sum.
				const double bound = 2.0 * static_cast<double>(a.nnz + b.nnz + 8) * 0x1p-24 * c.scale;
				EXPECT_LE(std::fabs(static_cast<double>(c.got) - static_cast<double>(c.want)), bound)
				    << c.name << " " << what << " got " << c.got << " want " << c.want;
			}
		}
	}

private:
	static constexpr std::size_t max_nnz = 2048;

	static sparse_view guarded(const std::vector<std::int32_t>& indices, const std::vector<float>& values,
	                           guarded_memory& index_memory, guarded_memory& value_memory)
	{
		const std::size_t n = indices.size();
		auto* i = static_cast<std::int32_t*>(index_memory.at_end(n * sizeof(std::int32_t)));
		auto* v = static_cast<float*>(value_memory.at_end(n * sizeof(float)));
		if (n > 0) {
			std::memcpy(i, indices.data(), n * sizeof(std::int32_t));
			std::memcpy(v, values.data(), n * sizeof(float));
		}
		return sparse_view{i, v, n};
	}

	const sparse_kernel_table* table_ = nullptr;
	guarded_memory a_indices_{max_nnz * sizeof(std::int32_t)};
	guarded_memory a_values_{max_nnz * sizeof(float)};
	guarded_memory b_indices_{max_nnz * sizeof(std::int32_t)};
	guarded_memory b_values_{max_nnz * sizeof(float)};
};

// Every pair of lengths around one and two blocks (every shape of the last partial block on
// either side), with no, some and full sharing, in short and long runs.
TEST_P(SparseLevel, EveryLengthAroundTheBlock)
{
	std::mt19937 rng(7);
	for (std::size_t nnz_a = 0; nnz_a <= 40; nnz_a++) {
		for (std::size_t nnz_b = 0; nnz_b <= 40; nnz_b++) {
			for (const double shared : {0.0, 0.3, 1.0}) {
				for (const int max_run : {1, 12}) {
					const index_pair p = runs(rng, nnz_a, nnz_b, shared, max_run, 3, 0);
					const std::string what = std::to_string(nnz_a) + "/" + std::to_string(nnz_b) + " shared " +
					                         std::to_string(shared) + " runs " + std::to_string(max_run);
					expect_matches_serial(p, true, rng, what);
					expect_matches_serial(p, false, rng, what);
				}
			}
		}
	}
}

// Longer vectors, up to 1000 non-zeros and lopsided lengths, indices anywhere in int32.
TEST_P(SparseLevel, LongAndLopsided)
{
	std::mt19937 rng(11);
	const std::size_t lengths[] = {0, 1, 8, 63, 100, 257, 512, 999, 1000};
	for (const std::size_t nnz_a : lengths) {
		for (const std::size_t nnz_b : lengths) {
			for (const double shared : {0.0, 0.05, 0.5, 0.95}) {
				for (const int max_run : {1, 3, 64}) {
					for (const std::int64_t first : {std::int64_t{0}, std::int64_t{INT_MIN}, std::int64_t{-500}}) {
						const index_pair p = runs(rng, nnz_a, nnz_b, shared, max_run, 40, first);
						const std::string what = std::to_string(nnz_a) + "/" + std::to_string(nnz_b) + " shared " +
						                         std::to_string(shared) + " runs " + std::to_string(max_run) +
						                         " from " + std::to_string(first);
						expect_matches_serial(p, true, rng, what);
						expect_matches_serial(p, false, rng, what);
					}
				}
			}
		}
	}
}

// Named shapes: identical lists, one list inside the other, all of a before all of b,
// strictly alternating indices, and indices at the top of int32.
TEST_P(SparseLevel, NamedShapes)
{
	std::mt19937 rng(13);
	for (const std::size_t n : {std::size_t{8}, std::size_t{9}, std::size_t{24}, std::size_t{100}, std::size_t{1000}}) {
		index_pair identical;
		index_pair subset;
		index_pair before;
		index_pair alternating;
		index_pair top;
		for (std::size_t k = 0; k < n; k++) {
			const auto x = static_cast<std::int32_t>(k);
			identical.a.push_back(x * 3);
			subset.a.push_back(x);
			if (k % 3 != 1) {
				subset.b.push_back(x);
			}
			before.a.push_back(x);
			before.b.push_back(x + static_cast<std::int32_t>(n));
			alternating.a.push_back(2 * x);
			alternating.b.push_back(2 * x + 1);
			top.a.push_back(INT_MAX - static_cast<std::int32_t>(2 * (n - 1 - k)));
			top.b.push_back(INT_MAX - static_cast<std::int32_t>(n - 1 - k));
		}
		identical.b = identical.a;
		for (const auto* p : {&identical, &subset, &before, &alternating, &top}) {
			const std::string what = "shape " + std::to_string(p - &identical) + " n " + std::to_string(n);
			expect_matches_serial(*p, true, rng, what);
			expect_matches_serial(*p, false, rng, what);
		}
	}
}

// A vector against itself: L2 and L1 are exactly 0, the dot product is exactly |a|^2's
// terms summed in some order, and every level gets the same cosine distance 0 for identical
// small-integer vectors.
TEST_P(SparseLevel, IdenticalVectorsAreAtDistanceZero)
{
	std::mt19937 rng(17);
	for (const std::size_t n : {std::size_t{0}, std::size_t{7}, std::size_t{8}, std::size_t{77}, std::size_t{1000}}) {
		const index_pair p = runs(rng, n, 0, 0.0, 5, 9, 0);
		const std::vector<float> values = values_for(rng, n, false);
		const sparse_view a{p.a.data(), values.data(), n};
		EXPECT_EQ(table().l2sq_sparse(a, a), 0.0F);
		EXPECT_EQ(table().l1_sparse(a, a), 0.0F);
	}
}

INSTANTIATE_TEST_SUITE_P(Available, SparseLevel, testing::ValuesIn(available_levels()), level_name);

// The dispatched entry points resolve to the best sparse table at or below the f32 level.
TEST(SparseDispatch, FirstCallFollowsTheF32Level)
{
	const std::int32_t indices[2] = {1, 4};
	const float values[2] = {3.0F, 4.0F};
	const sparse_view a{indices, values, 2};
	EXPECT_EQ(ruvector::dot_sparse(a, a), 25.0F);
	const sparse_kernel_table* expected = nullptr;
	for (const simd_level level : available_levels()) {
		if (level <= ruvector::active_kernels.level) {
			expected = ruvector::sparse_kernels_for(level);
		}
	}
	ASSERT_NE(expected, nullptr);
	EXPECT_EQ(ruvector::active_sparse_kernels.level, expected->level);
	EXPECT_EQ(ruvector::active_sparse_kernels.dot_sparse, expected->dot_sparse);
	EXPECT_EQ(ruvector::active_sparse_kernels.l2sq_sparse, expected->l2sq_sparse);
	EXPECT_EQ(ruvector::active_sparse_kernels.l1_sparse, expected->l1_sparse);
}

TEST(SparseDispatch, SelectInstallsOnlyRunnableLevels)
{
	const sparse_kernel_table saved = ruvector::active_sparse_kernels;
	for (const simd_level level : all_levels) {
		const sparse_kernel_table* table = ruvector::sparse_kernels_for(level);
		EXPECT_EQ(ruvector::select_sparse_kernels(level), table != nullptr);
		if (table != nullptr) {
			EXPECT_EQ(ruvector::active_sparse_kernels.dot_sparse, table->dot_sparse);
		}
	}
	EXPECT_FALSE(ruvector::select_sparse_kernels(static_cast<simd_level>(200)));
	ruvector::active_sparse_kernels = saved;
}

#if defined(RUVECTOR_HAVE_X86)
// The AVX2 table is there wherever this CPU runs AVX2 (the test build asserts the level it
// measured faster actually gets used).
TEST(SparseDispatch, Avx2TableWhereTheCpuRunsAvx2)
{
	EXPECT_EQ(ruvector::sparse_kernels_for(simd_level::avx2) != nullptr,
	          ruvector::kernels_for(simd_level::avx2) != nullptr);
}
#endif

} // namespace
