// Kernels at every level this CPU runs, against the serial twin and a double-precision
// reference; the dispatch table; the double-returning distance entry points.
//
// Tolerance. Every kernel computes S' = sum of n float terms t_i (products or |differences|)
// with float32 roundings. Each term is rounded at most twice before it is added (difference,
// then product; FMA fuses the product into the add), and a sum of n terms in any tree order
// has depth at most n. The standard first-order bound for such a sum is
//     |S' - S| <= (n + 2) * u * sum |t_i|,      u = 2^-24,
// where S is the exact sum of the terms formed from the same float inputs. We allow
// (n + 4) * u * sum|t_i| against the double reference (exact for these inputs up to 1e-16
// relative) and twice that between a level and the serial twin. This is a worst-case bound,
// loose for large n, so a separate test uses small integers, for which every level must be
// exact: that one catches a lost, doubled or misplaced element at any n.
#include "ruvector/kernels.hpp"

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using ruvector::cosine_parts;
using ruvector::kernel_table;
using ruvector::simd_level;

constexpr double unit_roundoff = 1.0 / 16777216.0; // 2^-24
constexpr std::size_t max_dim = 2048;

constexpr simd_level all_levels[] = {simd_level::serial, simd_level::avx2, simd_level::avx512, simd_level::neon,
                                     simd_level::wasm_simd128};

std::vector<simd_level> available_levels()
{
	std::vector<simd_level> levels;
	for (const simd_level level : all_levels) {
		if (ruvector::kernels_for(level) != nullptr) {
			levels.push_back(level);
		}
	}
	return levels;
}

// All of 1..300 (every tail length and block count the kernels distinguish), then a stride to 2048.
std::vector<std::size_t> test_dims()
{
	std::vector<std::size_t> dims;
	for (std::size_t n = 1; n <= 300; n++) {
		dims.push_back(n);
	}
	for (std::size_t n = 317; n < max_dim; n += 61) {
		dims.push_back(n);
	}
	dims.push_back(max_dim - 1);
	dims.push_back(max_dim);
	return dims;
}

// A float array whose last element ends exactly where a PROT_NONE page starts: a kernel
// that reads one element past n crashes the test.
class guarded_array {
public:
	guarded_array()
	{
		page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
		data_pages_ = (max_dim * sizeof(float) + 64 + page_ - 1) / page_;
		void* mem =
		    mmap(nullptr, (data_pages_ + 1) * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED) {
			std::abort();
		}
		base_ = static_cast<char*>(mem);
		if (mprotect(base_ + data_pages_ * page_, page_, PROT_NONE) != 0) {
			std::abort();
		}
	}
	~guarded_array()
	{
		munmap(base_, (data_pages_ + 1) * page_);
	}
	guarded_array(const guarded_array&) = delete;
	guarded_array& operator=(const guarded_array&) = delete;

	// n floats ending at the guard page.
	float* at_end(std::size_t n)
	{
		return reinterpret_cast<float*>(base_ + data_pages_ * page_) - n;
	}
	// n floats starting one float past a 64-byte boundary: misaligned for every vector width.
	float* misaligned()
	{
		return reinterpret_cast<float*>(base_) + 1;
	}

private:
	std::size_t page_ = 0;
	std::size_t data_pages_ = 0;
	char* base_ = nullptr;
};

enum class placement { misaligned, against_guard };

struct reference_sums {
	double l2sq = 0; // exact sums of the float terms, in double
	double dot = 0;
	double l1 = 0;
	double norm_a = 0;
	double norm_b = 0;
	double abs_dot = 0; // sum |a_i b_i|, the scale of the dot product's error
};

reference_sums reference(const float* a, const float* b, std::size_t n)
{
	reference_sums r;
	for (std::size_t i = 0; i < n; i++) {
		const double x = a[i];
		const double y = b[i];
		r.l2sq += (x - y) * (x - y);
		r.dot += x * y;
		r.l1 += std::fabs(x - y);
		r.norm_a += x * x;
		r.norm_b += y * y;
		r.abs_dot += std::fabs(x * y);
	}
	return r;
}

double bound(std::size_t n, double scale)
{
	return static_cast<double>(n + 4) * unit_roundoff * scale;
}

class KernelLevel : public testing::TestWithParam<simd_level> {
protected:
	const kernel_table& table() const
	{
		return *ruvector::kernels_for(GetParam());
	}

	guarded_array a_;
	guarded_array b_;

	const float* place_a(placement p, std::size_t n)
	{
		return p == placement::misaligned ? a_.misaligned() : a_.at_end(n);
	}
	const float* place_b(placement p, std::size_t n)
	{
		return p == placement::misaligned ? b_.misaligned() : b_.at_end(n);
	}
	float* fill_a(placement p, std::size_t n)
	{
		return const_cast<float*>(place_a(p, n));
	}
	float* fill_b(placement p, std::size_t n)
	{
		return const_cast<float*>(place_b(p, n));
	}
};

std::string level_name(const testing::TestParamInfo<simd_level>& info)
{
	return ruvector::simd_level_name(info.param);
}

// a_i odd in [-7, 7], b_i even and non-zero in [-6, 6]: every term is a non-zero integer
// and every sum stays below 2^24, so float arithmetic is exact in any order.
TEST_P(KernelLevel, ExactOnSmallIntegers)
{
	std::mt19937 gen(12345);
	std::uniform_int_distribution<int> odd(-4, 3);
	std::uniform_int_distribution<int> even(1, 6);
	for (const placement p : {placement::misaligned, placement::against_guard}) {
		for (const std::size_t n : test_dims()) {
			float* a = fill_a(p, n);
			float* b = fill_b(p, n);
			for (std::size_t i = 0; i < n; i++) {
				a[i] = static_cast<float>(2 * odd(gen) + 1);
				const int e = even(gen);
				b[i] = static_cast<float>(e <= 3 ? 2 * e : -2 * (e - 3));
			}
			const reference_sums r = reference(a, b, n);
			SCOPED_TRACE("n=" + std::to_string(n) + (p == placement::misaligned ? " misaligned" : " against guard"));
			EXPECT_EQ(table().l2sq_f32(a, b, n), r.l2sq);
			EXPECT_EQ(table().dot_f32(a, b, n), r.dot);
			EXPECT_EQ(table().l1_f32(a, b, n), r.l1);
			const cosine_parts c = table().cosine_f32(a, b, n);
			EXPECT_EQ(c.dot, r.dot);
			EXPECT_EQ(c.norm_a, r.norm_a);
			EXPECT_EQ(c.norm_b, r.norm_b);
			if (HasFailure()) {
				return;
			}
		}
	}
}

// Uniform values at three magnitudes: tiny (products ~1e-30, still normal floats), unit,
// and large (1e17: 2048 squared differences of up to 2e17 sum to ~8e37 < FLT_MAX).
TEST_P(KernelLevel, MatchesSerialTwinAndDoubleReference)
{
	const kernel_table& serial = *ruvector::kernels_for(simd_level::serial);
	std::mt19937 gen(67890);
	for (const float scale : {1e-15F, 1.0F, 1e17F}) {
		std::uniform_real_distribution<float> dist(-scale, scale);
		for (const placement p : {placement::misaligned, placement::against_guard}) {
			for (const std::size_t n : test_dims()) {
				float* a = fill_a(p, n);
				float* b = fill_b(p, n);
				for (std::size_t i = 0; i < n; i++) {
					a[i] = dist(gen);
					b[i] = dist(gen);
				}
				const reference_sums r = reference(a, b, n);
				SCOPED_TRACE("scale=" + std::to_string(scale) + " n=" + std::to_string(n));

				const double l2sq = table().l2sq_f32(a, b, n);
				EXPECT_NEAR(l2sq, r.l2sq, bound(n, r.l2sq));
				EXPECT_NEAR(l2sq, serial.l2sq_f32(a, b, n), 2 * bound(n, r.l2sq));

				const double dot = table().dot_f32(a, b, n);
				EXPECT_NEAR(dot, r.dot, bound(n, r.abs_dot));
				EXPECT_NEAR(dot, serial.dot_f32(a, b, n), 2 * bound(n, r.abs_dot));

				const double l1 = table().l1_f32(a, b, n);
				EXPECT_NEAR(l1, r.l1, bound(n, r.l1));
				EXPECT_NEAR(l1, serial.l1_f32(a, b, n), 2 * bound(n, r.l1));

				const cosine_parts c = table().cosine_f32(a, b, n);
				const cosine_parts s = serial.cosine_f32(a, b, n);
				EXPECT_NEAR(c.dot, r.dot, bound(n, r.abs_dot));
				EXPECT_NEAR(c.dot, s.dot, 2 * bound(n, r.abs_dot));
				EXPECT_NEAR(c.norm_a, r.norm_a, bound(n, r.norm_a));
				EXPECT_NEAR(c.norm_a, s.norm_a, 2 * bound(n, r.norm_a));
				EXPECT_NEAR(c.norm_b, r.norm_b, bound(n, r.norm_b));
				EXPECT_NEAR(c.norm_b, s.norm_b, 2 * bound(n, r.norm_b));
				if (HasFailure()) {
					return;
				}
			}
		}
	}
}

TEST_P(KernelLevel, ZeroAndIdenticalVectors)
{
	for (const std::size_t n : test_dims()) {
		float* a = fill_a(placement::misaligned, n);
		float* b = fill_b(placement::misaligned, n);
		for (std::size_t i = 0; i < n; i++) {
			a[i] = 0.0F;
			b[i] = 0.0F;
		}
		SCOPED_TRACE("n=" + std::to_string(n));
		EXPECT_EQ(table().l2sq_f32(a, b, n), 0.0F);
		EXPECT_EQ(table().dot_f32(a, b, n), 0.0F);
		EXPECT_EQ(table().l1_f32(a, b, n), 0.0F);
		const cosine_parts zero = table().cosine_f32(a, b, n);
		EXPECT_EQ(zero.dot, 0.0F);
		EXPECT_EQ(zero.norm_a, 0.0F);
		EXPECT_EQ(zero.norm_b, 0.0F);

		for (std::size_t i = 0; i < n; i++) {
			a[i] = static_cast<float>(i % 7) - 3.25F;
		}
		EXPECT_EQ(table().l2sq_f32(a, a, n), 0.0F);
		EXPECT_EQ(table().l1_f32(a, a, n), 0.0F);
		const cosine_parts same = table().cosine_f32(a, a, n);
		EXPECT_EQ(same.dot, same.norm_a);
		EXPECT_EQ(same.norm_a, same.norm_b);
	}
}

// The same pair gives the same bits wherever it sits: identical rows at different offsets
// must not get different distances (AVX-512 reads a misaligned b through aligned loads).
TEST_P(KernelLevel, SameResultAtEveryAlignment)
{
	std::mt19937 gen(11);
	std::uniform_real_distribution<float> value(-3.0F, 3.0F);
	for (const std::size_t n :
	     {std::size_t{63}, std::size_t{64}, std::size_t{65}, std::size_t{100}, std::size_t{384}, std::size_t{1000}}) {
		std::vector<float> x(n);
		std::vector<float> y(n);
		for (std::size_t i = 0; i < n; i++) {
			x[i] = value(gen);
			y[i] = value(gen);
		}
		std::vector<float> a_block(n + 32);
		std::vector<float> b_block(n + 32);
		float first[6] = {};
		for (std::size_t shift = 0; shift < 16; shift++) {
			// b moves through every float offset within a 64-byte line; a moves the other way.
			float* a = a_block.data() + (15 - shift);
			float* b = b_block.data() + shift;
			std::copy(x.begin(), x.end(), a);
			std::copy(y.begin(), y.end(), b);
			const cosine_parts c = table().cosine_f32(a, b, n);
			const float got[6] = {table().l2sq_f32(a, b, n),
			                      table().dot_f32(a, b, n),
			                      table().l1_f32(a, b, n),
			                      c.dot,
			                      c.norm_a,
			                      c.norm_b};
			for (int k = 0; k < 6; k++) {
				if (shift == 0) {
					first[k] = got[k];
				}
				EXPECT_EQ(got[k], first[k]) << "n=" << n << " shift=" << shift << " result " << k;
			}
		}
	}
}

INSTANTIATE_TEST_SUITE_P(Available, KernelLevel, testing::ValuesIn(available_levels()), level_name);

// ---- dispatch ------------------------------------------------------------------

// Restores the table and RUVECTOR_SIMD after each test, so test order does not matter.
class Dispatch : public testing::Test {
protected:
	void SetUp() override
	{
		saved_ = ruvector::active_kernels;
	}
	void TearDown() override
	{
		ruvector::active_kernels = saved_;
		unsetenv("RUVECTOR_SIMD");
	}

	static bool same_table(const kernel_table& x, const kernel_table& y)
	{
		return x.level == y.level && x.l2sq_f32 == y.l2sq_f32 && x.dot_f32 == y.dot_f32 && x.l1_f32 == y.l1_f32 &&
		       x.cosine_f32 == y.cosine_f32;
	}

private:
	kernel_table saved_{};
};

TEST_F(Dispatch, StartsAtCompileTimeLevel)
{
	// Native builds carry no compile-time SIMD level; the table is usable before any selection.
	EXPECT_TRUE(same_table(ruvector::active_kernels, *ruvector::kernels_for(simd_level::serial)));
}

TEST_F(Dispatch, DetectionAgreesWithCompilerBuiltin)
{
#if defined(RUVECTOR_HAVE_X86)
	// The builtin does not check XCR0; on the machines we test, the OS saves YMM and ZMM state.
	__builtin_cpu_init();
	const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	                    __builtin_cpu_supports("avx512vl");
	simd_level best = simd_level::serial;
	if (avx512) {
		best = simd_level::avx512;
	} else if (avx2) {
		best = simd_level::avx2;
	}
	EXPECT_EQ(ruvector::detect_simd_level(), best);
	EXPECT_EQ(ruvector::kernels_for(simd_level::avx2) != nullptr, avx2);
	EXPECT_EQ(ruvector::kernels_for(simd_level::avx512) != nullptr, avx512);
#elif defined(RUVECTOR_HAVE_NEON)
	EXPECT_EQ(ruvector::detect_simd_level(), simd_level::neon);
#else
	EXPECT_EQ(ruvector::detect_simd_level(), simd_level::serial);
#endif
}

TEST_F(Dispatch, TablesCarryTheirLevel)
{
	for (const simd_level level : available_levels()) {
		EXPECT_EQ(ruvector::kernels_for(level)->level, level);
	}
}

TEST_F(Dispatch, SelectInstallsTableAndEntryPointsUseIt)
{
	const float a[5] = {1, 2, 3, 4, 5};
	const float b[5] = {5, 4, 3, 2, 1};
	for (const simd_level level : available_levels()) {
		ASSERT_TRUE(ruvector::select_kernels(level));
		EXPECT_TRUE(same_table(ruvector::active_kernels, *ruvector::kernels_for(level)));
		EXPECT_EQ(ruvector::l2sq_f32(a, b, 5), 40.0F);
		EXPECT_EQ(ruvector::dot_f32(a, b, 5), 35.0F);
		EXPECT_EQ(ruvector::l1_f32(a, b, 5), 12.0F);
		const cosine_parts c = ruvector::cosine_parts_f32(a, b, 5);
		EXPECT_EQ(c.dot, 35.0F);
		EXPECT_EQ(c.norm_a, 55.0F);
		EXPECT_EQ(c.norm_b, 55.0F);
	}
}

TEST_F(Dispatch, RefusesUnsupportedLevels)
{
	ASSERT_TRUE(ruvector::select_kernels(simd_level::serial));
	const kernel_table before = ruvector::active_kernels;
	// Levels of another architecture, and outside the enum.
#if defined(RUVECTOR_HAVE_X86)
	const simd_level foreign = simd_level::neon;
#else
	const simd_level foreign = simd_level::avx2;
#endif
	for (const simd_level level : {foreign, static_cast<simd_level>(200)}) {
		EXPECT_EQ(ruvector::kernels_for(level), nullptr);
		EXPECT_FALSE(ruvector::select_kernels(level));
		EXPECT_TRUE(same_table(ruvector::active_kernels, before));
	}
#if !defined(RUVECTOR_HAVE_WASM_SIMD128)
	EXPECT_FALSE(ruvector::select_kernels(simd_level::wasm_simd128));
#endif
}

TEST_F(Dispatch, EnvironmentForcesSupportedLevel)
{
	for (const simd_level level : available_levels()) {
		ASSERT_EQ(setenv("RUVECTOR_SIMD", ruvector::simd_level_name(level), 1), 0);
		EXPECT_EQ(ruvector::select_kernels_from_environment(), level);
		EXPECT_TRUE(same_table(ruvector::active_kernels, *ruvector::kernels_for(level)));
	}
}

TEST_F(Dispatch, EnvironmentFallsBackToDetection)
{
	const simd_level best = ruvector::detect_simd_level();
#if defined(RUVECTOR_HAVE_X86)
	const char* foreign = "neon";
#else
	const char* foreign = "avx512";
#endif
	for (const char* value : {foreign, "AVX2", "fast", ""}) {
		ASSERT_TRUE(ruvector::select_kernels(simd_level::serial));
		ASSERT_EQ(setenv("RUVECTOR_SIMD", value, 1), 0);
		EXPECT_EQ(ruvector::select_kernels_from_environment(), best) << "RUVECTOR_SIMD=" << value;
		EXPECT_EQ(ruvector::active_kernels.level, best);
	}
	unsetenv("RUVECTOR_SIMD");
	ASSERT_TRUE(ruvector::select_kernels(simd_level::serial));
	EXPECT_EQ(ruvector::select_kernels_from_environment(), best);
	EXPECT_EQ(ruvector::active_kernels.level, best);
}

TEST_F(Dispatch, LevelNames)
{
	EXPECT_STREQ(ruvector::simd_level_name(simd_level::serial), "serial");
	EXPECT_STREQ(ruvector::simd_level_name(simd_level::avx2), "avx2");
	EXPECT_STREQ(ruvector::simd_level_name(simd_level::avx512), "avx512");
	EXPECT_STREQ(ruvector::simd_level_name(simd_level::neon), "neon");
	EXPECT_STREQ(ruvector::simd_level_name(simd_level::wasm_simd128), "wasm_simd128");
}

// ---- double entry points, under every level ------------------------------------

class Distance : public KernelLevel {
protected:
	void SetUp() override
	{
		saved_ = ruvector::active_kernels;
		ASSERT_TRUE(ruvector::select_kernels(GetParam()));
	}
	void TearDown() override
	{
		ruvector::active_kernels = saved_;
	}

private:
	kernel_table saved_{};
};

TEST_P(Distance, CosineOfZeroVectorIsNaN)
{
	const float zero[3] = {0, 0, 0};
	const float x[3] = {1, 2, 3};
	EXPECT_TRUE(std::isnan(ruvector::cosine_distance_f32(zero, x, 3)));
	EXPECT_TRUE(std::isnan(ruvector::cosine_distance_f32(x, zero, 3)));
	EXPECT_TRUE(std::isnan(ruvector::cosine_distance_f32(zero, zero, 3)));
	// |a|^2 underflows to zero in float32 while a * b does not: still a zero-norm vector.
	const float tiny[1] = {1e-25F};
	const float big[1] = {1e10F};
	EXPECT_TRUE(std::isnan(ruvector::cosine_distance_f32(tiny, big, 1)));
}

TEST_P(Distance, IdenticalVectorsHaveDistanceZero)
{
	std::mt19937 gen(4242);
	std::uniform_real_distribution<float> dist(-100.0F, 100.0F);
	for (const std::size_t n : test_dims()) {
		float* a = fill_a(placement::misaligned, n);
		for (std::size_t i = 0; i < n; i++) {
			a[i] = dist(gen);
		}
		EXPECT_EQ(ruvector::cosine_distance_f32(a, a, n), 0.0) << "n=" << n;
		EXPECT_EQ(ruvector::l2_distance_f32(a, a, n), 0.0) << "n=" << n;
	}
}

// Parallel and anti-parallel vectors whose float sums put |similarity| past 1: the result
// must be clamped to exactly 0 and 2. The search over seeds is deterministic.
TEST_P(Distance, SimilarityIsClamped)
{
	std::mt19937 gen(777);
	std::uniform_real_distribution<float> dist(0.1F, 10.0F);
	bool saw_above = false;
	bool saw_below = false;
	const std::size_t n = 97;
	float* a = fill_a(placement::misaligned, n);
	float* b = fill_b(placement::misaligned, n);
	for (int trial = 0; trial < 2000 && !(saw_above && saw_below); trial++) {
		const float factor = trial % 2 == 0 ? 3.0F : -3.0F;
		for (std::size_t i = 0; i < n; i++) {
			a[i] = dist(gen);
			b[i] = factor * a[i];
		}
		const cosine_parts c = ruvector::cosine_parts_f32(a, b, n);
		const double similarity =
		    static_cast<double>(c.dot) / std::sqrt(static_cast<double>(c.norm_a) * static_cast<double>(c.norm_b));
		const double distance = ruvector::cosine_distance_f32(a, b, n);
		if (similarity > 1.0) {
			saw_above = true;
			EXPECT_EQ(distance, 0.0);
		} else if (similarity < -1.0) {
			saw_below = true;
			EXPECT_EQ(distance, 2.0);
		} else {
			EXPECT_EQ(distance, 1.0 - similarity);
		}
	}
	EXPECT_TRUE(saw_above);
	EXPECT_TRUE(saw_below);
}

// Against sqrt and cosine computed from double sums. With the kernel bounds above,
// l2 is within (n+4)u/2 relative (sqrt halves the error) and the cosine distance within
// 2(n+4)u absolute (Cauchy-Schwarz bounds sum|a_i b_i| by sqrt(|a|^2 |b|^2)).
TEST_P(Distance, MatchesDoubleReference)
{
	std::mt19937 gen(2024);
	std::uniform_real_distribution<float> dist(-2.0F, 2.0F);
	for (const std::size_t n : test_dims()) {
		float* a = fill_a(placement::against_guard, n);
		float* b = fill_b(placement::against_guard, n);
		for (std::size_t i = 0; i < n; i++) {
			a[i] = dist(gen);
			b[i] = dist(gen);
		}
		const reference_sums r = reference(a, b, n);
		SCOPED_TRACE("n=" + std::to_string(n));
		const double l2 = std::sqrt(r.l2sq);
		EXPECT_NEAR(ruvector::l2_distance_f32(a, b, n), l2, bound(n, l2) / 2 + 1e-15 * l2);
		const double cosine = 1.0 - r.dot / std::sqrt(r.norm_a * r.norm_b);
		EXPECT_NEAR(ruvector::cosine_distance_f32(a, b, n), cosine, 2 * bound(n, 1.0) + 1e-15);
		// norm_f32 accumulates in double: only double rounding separates it from the reference.
		EXPECT_NEAR(ruvector::norm_f32(a, n), std::sqrt(r.norm_a), 1e-13 * std::sqrt(r.norm_a));
	}
}

INSTANTIATE_TEST_SUITE_P(Available, Distance, testing::ValuesIn(available_levels()), level_name);

TEST(Norm, ExactValues)
{
	const float v[4] = {3, 4, 12, 84};
	EXPECT_EQ(ruvector::norm_f32(v, 2), 5.0);
	EXPECT_EQ(ruvector::norm_f32(v, 4), 85.0);
	// 1e30^2 overflows float32 but not the double accumulator.
	const float big[2] = {3e30F, 4e30F};
	EXPECT_NEAR(ruvector::norm_f32(big, 2), 5e30, 5e30 * 1e-7);
	EXPECT_EQ(ruvector::norm_f32(v, 0), 0.0);
}

} // namespace
