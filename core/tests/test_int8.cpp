// int8 kernels at every level this CPU runs, against a 64-bit reference: results are exact
// integers, so every level must agree exactly at every length, alignment and value range,
// up to the documented longest vectors, where the sums come within 0.01% of INT32_MAX.
// Inputs end against an inaccessible page, so an over-read crashes the test.
#include "ruvector/int8.hpp"

#include "guarded_memory.hpp"

#include <gtest/gtest.h>

#if defined(RUVECTOR_HAVE_NEON)
#include <sys/auxv.h>
#endif

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace {

using ruvector::int8_kernel_table;
using ruvector::simd_level;
using ruvector_test::guarded_memory;

constexpr std::size_t max_dim = ruvector::int8_dot_max_dim;

constexpr simd_level all_levels[] = {simd_level::serial, simd_level::avx2, simd_level::avx512, simd_level::neon,
                                     simd_level::wasm_simd128};

std::vector<simd_level> available_levels()
{
	std::vector<simd_level> levels;
	for (const simd_level level : all_levels) {
		if (ruvector::int8_kernels_for(level) != nullptr) {
			levels.push_back(level);
		}
	}
	return levels;
}

// Every length 0..300 (every tail shape of 16, 32, 64 and 256-element steps), then a stride.
std::vector<std::size_t> test_lengths()
{
	std::vector<std::size_t> lengths;
	for (std::size_t n = 0; n <= 300; n++) {
		lengths.push_back(n);
	}
	for (std::size_t n = 317; n <= 5000; n += 131) {
		lengths.push_back(n);
	}
	return lengths;
}

std::int64_t reference_l2sq(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	std::int64_t sum = 0;
	for (std::size_t i = 0; i < n; i++) {
		const std::int64_t d = std::int64_t{a[i]} - std::int64_t{b[i]};
		sum += d * d;
	}
	return sum;
}

std::int64_t reference_dot(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	std::int64_t sum = 0;
	for (std::size_t i = 0; i < n; i++) {
		sum += std::int64_t{a[i]} * std::int64_t{b[i]};
	}
	return sum;
}

class Int8Level : public testing::TestWithParam<simd_level> {
protected:
	const int8_kernel_table& table() const
	{
		return *ruvector::int8_kernels_for(GetParam());
	}

	// n elements of a and b, `offset` bytes before the guard page (so 0 ends exactly there).
	std::int8_t* a_at(std::size_t n, std::size_t offset)
	{
		return static_cast<std::int8_t*>(a_.at_end(n + offset));
	}
	std::int8_t* b_at(std::size_t n, std::size_t offset)
	{
		return static_cast<std::int8_t*>(b_.at_end(n + offset));
	}

	void expect_exact(const std::int8_t* a, const std::int8_t* b, std::size_t n, const std::string& where) const
	{
		EXPECT_EQ(std::int64_t{table().l2sq_i8(a, b, n)}, reference_l2sq(a, b, n)) << where;
		EXPECT_EQ(std::int64_t{table().dot_i8(a, b, n)}, reference_dot(a, b, n)) << where;
	}

	guarded_memory a_{max_dim};
	guarded_memory b_{max_dim};
};

std::string level_name(const testing::TestParamInfo<simd_level>& info)
{
	return ruvector::simd_level_name(info.param);
}

TEST_P(Int8Level, TableCarriesItsLevel)
{
	EXPECT_EQ(table().level, GetParam());
}

// Uniform over [-lo, hi] ranges that stress different things: the full range, the extremes
// alone (largest terms, every sign pattern), small values, and one-signed inputs.
TEST_P(Int8Level, ExactAgainstReference)
{
	std::mt19937 gen(8128);
	const struct {
		int low;
		int high;
	} ranges[] = {{-127, 127}, {-3, 3}, {0, 127}, {-127, 0}, {-127, -120}};
	for (const auto range : ranges) {
		std::uniform_int_distribution<int> value(range.low, range.high);
		for (const std::size_t n : test_lengths()) {
			// Against the guard page, and 1..3 bytes off it: every alignment mod 4 (and,
			// with the lengths above, every alignment of the vector ends mod 64).
			for (const std::size_t offset : {0, 1, 2, 3}) {
				std::int8_t* a = a_at(n, offset);
				std::int8_t* b = b_at(n, 3 - offset);
				for (std::size_t i = 0; i < n; i++) {
					a[i] = static_cast<std::int8_t>(value(gen));
					b[i] = static_cast<std::int8_t>(value(gen));
				}
				expect_exact(a, b, n,
				             "range [" + std::to_string(range.low) + ", " + std::to_string(range.high) +
				                 "] n=" + std::to_string(n) + " offset=" + std::to_string(offset));
			}
		}
	}
}

// Rows long enough for the AVX-512 realigned reads (256 elements and up), at every start
// offset from a cache line, ending against the guard page: exact at every one.
TEST_P(Int8Level, ExactAtEveryOffsetFromALine)
{
	std::mt19937 gen(4096);
	std::uniform_int_distribution<int> value(-127, 127);
	for (const std::size_t n : {std::size_t{256}, std::size_t{300}, std::size_t{511}, std::size_t{1536}}) {
		for (std::size_t offset = 0; offset < 64; offset++) {
			// b starts `offset` bytes past a line: the guard page is line-aligned, so step back from it.
			std::int8_t* b = b_at(n, (128 - offset - n % 64) % 64);
			std::int8_t* a = a_at(n, offset % 7);
			ASSERT_EQ(reinterpret_cast<std::uintptr_t>(b) % 64, offset);
			for (std::size_t i = 0; i < n; i++) {
				a[i] = static_cast<std::int8_t>(value(gen));
				b[i] = static_cast<std::int8_t>(value(gen));
			}
			expect_exact(a, b, n, "n=" + std::to_string(n) + " offset=" + std::to_string(offset));
		}
	}
}

TEST_P(Int8Level, ExtremesOnlyEverySignPattern)
{
	std::mt19937 gen(31);
	std::bernoulli_distribution positive(0.5);
	for (const std::size_t n : test_lengths()) {
		std::int8_t* a = a_at(n, 0);
		std::int8_t* b = b_at(n, 0);
		for (std::size_t i = 0; i < n; i++) {
			a[i] = positive(gen) ? 127 : -127;
			b[i] = positive(gen) ? 127 : -127;
		}
		expect_exact(a, b, n, "n=" + std::to_string(n));
	}
}

TEST_P(Int8Level, ZeroVectorsAndIdenticalVectors)
{
	std::mt19937 gen(5);
	std::uniform_int_distribution<int> value(-127, 127);
	for (const std::size_t n : test_lengths()) {
		std::int8_t* a = a_at(n, 0);
		std::int8_t* b = b_at(n, 0);
		std::int64_t norm = 0;
		for (std::size_t i = 0; i < n; i++) {
			a[i] = static_cast<std::int8_t>(value(gen));
			b[i] = 0;
			norm += std::int64_t{a[i]} * a[i];
		}
		EXPECT_EQ(table().l2sq_i8(a, b, n), norm) << n;
		EXPECT_EQ(table().dot_i8(a, b, n), 0) << n;
		EXPECT_EQ(table().l2sq_i8(b, b, n), 0) << n;
		EXPECT_EQ(table().l2sq_i8(a, a, n), 0) << n;
		EXPECT_EQ(table().dot_i8(a, a, n), norm) << n;
	}
}

// The documented bounds are tight: at the longest vectors the largest possible sums are
// within 0.01% of INT32_MAX, and every level still returns them exactly.
TEST_P(Int8Level, ExactAtTheDocumentedLongestVectors)
{
	for (const std::size_t n : {ruvector::int8_l2sq_max_dim, ruvector::int8_l2sq_max_dim - 1}) {
		std::int8_t* a = a_at(n, 1);
		std::int8_t* b = b_at(n, 0);
		for (std::size_t i = 0; i < n; i++) {
			a[i] = (i % 2 == 0) ? 127 : -127;
			b[i] = static_cast<std::int8_t>(-a[i]);
		}
		EXPECT_EQ(std::int64_t{table().l2sq_i8(a, b, n)}, static_cast<std::int64_t>(n) * 254 * 254) << n;
		expect_exact(a, b, n, "l2sq bound n=" + std::to_string(n));
	}
	const std::size_t n = ruvector::int8_dot_max_dim;
	std::int8_t* a = a_at(n, 0);
	std::int8_t* b = b_at(n, 1);
	for (const int sign : {1, -1}) {
		for (std::size_t i = 0; i < n; i++) {
			a[i] = (i % 3 == 0) ? -127 : 127;
			b[i] = static_cast<std::int8_t>(sign * a[i]);
		}
		EXPECT_EQ(std::int64_t{table().dot_i8(a, b, n)}, sign * static_cast<std::int64_t>(n) * 127 * 127);
		expect_exact(a, b, n < ruvector::int8_l2sq_max_dim ? n : ruvector::int8_l2sq_max_dim, "dot bound");
	}
	EXPECT_LT(static_cast<std::int64_t>(ruvector::int8_l2sq_max_dim + 1) * 254 * 254, std::int64_t{1} << 32);
	EXPECT_GT(static_cast<std::int64_t>(ruvector::int8_l2sq_max_dim + 1) * 254 * 254, INT32_MAX);
	EXPECT_GT(static_cast<std::int64_t>(ruvector::int8_dot_max_dim + 1) * 127 * 127, INT32_MAX);
}

INSTANTIATE_TEST_SUITE_P(Available, Int8Level, testing::ValuesIn(available_levels()), level_name);

// The dispatched entry points resolve to the best int8 table at or below the f32 level.
TEST(Int8Dispatch, FirstCallFollowsTheF32Level)
{
	const std::int8_t a[3] = {1, 2, 3};
	const std::int8_t b[3] = {1, 2, 5};
	EXPECT_EQ(ruvector::l2sq_i8(a, b, 3), 4);
	EXPECT_EQ(ruvector::dot_i8(a, b, 3), 20);
	const int8_kernel_table* expected = nullptr;
	for (const simd_level level : available_levels()) {
		if (level <= ruvector::active_kernels.level) {
			expected = ruvector::int8_kernels_for(level);
		}
	}
	ASSERT_NE(expected, nullptr);
	EXPECT_EQ(ruvector::active_int8_kernels.level, expected->level);
	EXPECT_EQ(ruvector::active_int8_kernels.l2sq_i8, expected->l2sq_i8);
	EXPECT_EQ(ruvector::active_int8_kernels.dot_i8, expected->dot_i8);
}

TEST(Int8Dispatch, SelectInstallsOnlyRunnableLevels)
{
	const int8_kernel_table saved = ruvector::active_int8_kernels;
	for (const simd_level level : all_levels) {
		const int8_kernel_table* table = ruvector::int8_kernels_for(level);
		EXPECT_EQ(ruvector::select_int8_kernels(level), table != nullptr);
		if (table != nullptr) {
			EXPECT_EQ(ruvector::active_int8_kernels.l2sq_i8, table->l2sq_i8);
		}
	}
	EXPECT_FALSE(ruvector::select_int8_kernels(static_cast<simd_level>(200)));
	ruvector::active_int8_kernels = saved;
}

#if defined(RUVECTOR_HAVE_NEON)
// Two NEON tables; the kernel's HWCAP decides (qemu -cpu max has the extension, cortex-a72 not).
TEST(Int8Dispatch, NeonUsesTheDotProductTableWhereTheKernelReportsIt)
{
	const bool dotprod = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
	const int8_kernel_table* table = ruvector::int8_kernels_for(simd_level::neon);
	ASSERT_NE(table, nullptr);
	EXPECT_EQ(table->dot_i8, dotprod ? &ruvector::dot_i8_neon_dotprod : &ruvector::dot_i8_neon);
	EXPECT_EQ(table->l2sq_i8, dotprod ? &ruvector::l2sq_i8_neon_dotprod : &ruvector::l2sq_i8_neon);
	std::printf("int8 NEON table: %s\n", dotprod ? "dotprod" : "plain");
}
#endif

#if defined(RUVECTOR_HAVE_X86)
// The AVX-512 table needs VNNI on top of F/BW/VL; this agrees with the compiler's own CPUID reading.
TEST(Int8Dispatch, Avx512NeedsVnni)
{
	__builtin_cpu_init();
	const bool avx512_vnni = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	                         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
	EXPECT_EQ(ruvector::int8_kernels_for(simd_level::avx512) != nullptr, avx512_vnni);
	EXPECT_EQ(ruvector::int8_kernels_for(simd_level::avx2) != nullptr, __builtin_cpu_supports("avx2") != 0);
}
#endif

} // namespace
