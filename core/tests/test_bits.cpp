// Bit kernels at every level this CPU runs, against a bit-by-bit reference: counts are exact,
// so every level must agree exactly at every length, alignment and density. Buffers end
// against a PROT_NONE page, so a kernel that reads one byte past the end crashes the test.
#include "ruvector/bits.hpp"

#include <gtest/gtest.h>

#include "guarded_memory.hpp"

#include <random>
#include <string>
#include <vector>

namespace {

using ruvector::bit_overlap;
using ruvector::bits_kernel_table;
using ruvector::simd_level;

constexpr std::size_t max_bytes = 4096;

constexpr simd_level all_levels[] = {simd_level::serial, simd_level::avx2, simd_level::avx512, simd_level::neon,
                                     simd_level::wasm_simd128};

std::vector<simd_level> available_levels()
{
	std::vector<simd_level> levels;
	for (const simd_level level : all_levels) {
		if (ruvector::bits_kernels_for(level) != nullptr) {
			levels.push_back(level);
		}
	}
	return levels;
}

// Every length 0..200 (all tail shapes of 8, 16 and 32-byte steps), then a stride to 4096.
std::vector<std::size_t> test_lengths()
{
	std::vector<std::size_t> lengths;
	for (std::size_t n = 0; n <= 200; n++) {
		lengths.push_back(n);
	}
	for (std::size_t n = 211; n < max_bytes; n += 97) {
		lengths.push_back(n);
	}
	lengths.push_back(max_bytes);
	return lengths;
}

struct reference_counts {
	std::uint64_t differ = 0;
	std::uint64_t both = 0;
	std::uint64_t either = 0;
};

reference_counts reference(const std::uint8_t* a, const std::uint8_t* b, std::size_t n)
{
	reference_counts r;
	for (std::size_t i = 0; i < n * 8; i++) {
		const bool x = ((a[i / 8] >> (7 - i % 8)) & 1U) != 0;
		const bool y = ((b[i / 8] >> (7 - i % 8)) & 1U) != 0;
		r.differ += x != y ? 1 : 0;
		r.both += x && y ? 1 : 0;
		r.either += x || y ? 1 : 0;
	}
	return r;
}

class BitsLevel : public testing::TestWithParam<simd_level> {
protected:
	const bits_kernel_table& table() const
	{
		return *ruvector::bits_kernels_for(GetParam());
	}

	ruvector_test::guarded_memory a_{max_bytes};
	ruvector_test::guarded_memory b_{max_bytes};
};

std::string level_name(const testing::TestParamInfo<simd_level>& info)
{
	return ruvector::simd_level_name(info.param);
}

// Each bit set with probability p: sparse, balanced and dense inputs, so that counts of 0
// and of every bit are both covered.
TEST_P(BitsLevel, ExactAgainstBitByBitReference)
{
	std::mt19937 gen(2024);
	for (const double p : {0.0, 0.02, 0.5, 0.97, 1.0}) {
		std::bernoulli_distribution bit(p);
		for (const std::size_t n : test_lengths()) {
			// Against the guard page, and one byte off it (misaligned for every vector width).
			for (const std::size_t offset : {std::size_t{0}, std::size_t{1}}) {
				auto* a = static_cast<std::uint8_t*>(a_.at_end(n + offset));
				auto* b = static_cast<std::uint8_t*>(b_.at_end(n + offset + 32 * offset));
				for (std::size_t i = 0; i < n; i++) {
					unsigned x = 0;
					unsigned y = 0;
					for (int j = 0; j < 8; j++) {
						x = (x << 1) | (bit(gen) ? 1U : 0U);
						y = (y << 1) | (bit(gen) ? 1U : 0U);
					}
					a[i] = static_cast<std::uint8_t>(x);
					b[i] = static_cast<std::uint8_t>(y);
				}
				const reference_counts r = reference(a, b, n);
				SCOPED_TRACE("p=" + std::to_string(p) + " n=" + std::to_string(n) +
				             " offset=" + std::to_string(offset));
				EXPECT_EQ(table().hamming(a, b, n), r.differ);
				const bit_overlap o = table().overlap(a, b, n);
				EXPECT_EQ(o.both, r.both);
				EXPECT_EQ(o.either, r.either);
				if (HasFailure()) {
					return;
				}
			}
		}
	}
}

// All ones against all zeros: every bit counts, the largest totals the lanes accumulate.
TEST_P(BitsLevel, AllBitsDiffer)
{
	auto* a = static_cast<std::uint8_t*>(a_.at_end(max_bytes));
	auto* b = static_cast<std::uint8_t*>(b_.at_end(max_bytes));
	for (std::size_t i = 0; i < max_bytes; i++) {
		a[i] = 0xff;
		b[i] = 0x00;
	}
	EXPECT_EQ(table().hamming(a, b, max_bytes), 8 * max_bytes);
	const bit_overlap o = table().overlap(a, b, max_bytes);
	EXPECT_EQ(o.both, 0U);
	EXPECT_EQ(o.either, 8 * max_bytes);
}

// The batch kernels against the serial pair twins, row by row: 0, 1, 2 and 5 rows of every length
// 0..200 bytes and a stride to 4096, sparse, balanced and dense bits, the rows back to back or
// apart (8 bytes between them, as an index entry's header, or 1..61), the block starting at
// many byte offsets from a cache line and ending against the guard page (so a read past the
// last row crashes) or up to 63 bytes before it. Rows and the bytes between them are random
// bits, so a kernel that counted a row's neighbour bytes (a batch reads past a row's end into
// what follows) fails; one result past the rows is a sentinel that must stay untouched.
TEST_P(BitsLevel, BatchEqualsSerialPairKernels)
{
	constexpr std::size_t max_rows = 5;
	constexpr std::size_t max_between = 61;
	ruvector_test::guarded_memory block(max_rows * (max_bytes + max_between) + 64);
	std::mt19937 gen(99);
	constexpr std::uint64_t sentinel = 0x5eed;
	// Each bit set with probability 1/8, 1/2 or 7/8.
	for (const int density : {1, 4, 7}) {
		const auto random_byte = [&] {
			const auto x = static_cast<std::uint8_t>(gen());
			const auto y = static_cast<std::uint8_t>(gen());
			const auto z = static_cast<std::uint8_t>(gen());
			return static_cast<std::uint8_t>(density == 1 ? x & y & z : density == 7 ? x | y | z : x);
		};
		for (const std::size_t n : test_lengths()) {
			for (const std::size_t rows : {std::size_t{0}, std::size_t{1}, std::size_t{2}, max_rows}) {
				const std::size_t before_guard = (n * 7 + rows * 13) % 64;
				for (const std::size_t stride : {n, n + 8, n + 1 + (n * 5 + rows) % max_between}) {
					for (const std::size_t gap : {std::size_t{0}, before_guard}) {
						// The last row ends `gap` bytes before the guard page.
						const std::size_t span = rows == 0 ? 0 : (rows - 1) * stride + n;
						auto* base = static_cast<std::uint8_t*>(block.at_end(span + gap));
						auto* q = static_cast<std::uint8_t*>(a_.at_end(n));
						for (std::size_t i = 0; i < n; i++) {
							q[i] = random_byte();
						}
						for (std::size_t i = 0; i < span; i++) {
							base[i] = random_byte();
						}
						std::vector<std::uint64_t> differ(rows + 1, sentinel);
						std::vector<bit_overlap> overlap(rows + 1, bit_overlap{sentinel, sentinel});
						table().hamming_batch(q, base, rows, n, stride, differ.data());
						table().overlap_batch(q, base, rows, n, stride, overlap.data());
						SCOPED_TRACE("density=" + std::to_string(density) + "/8 n=" + std::to_string(n) +
						             " rows=" + std::to_string(rows) + " stride=" + std::to_string(stride) +
						             " gap=" + std::to_string(gap));
						for (std::size_t i = 0; i < rows; i++) {
							const std::uint8_t* row = base + i * stride;
							EXPECT_EQ(differ[i], ruvector::hamming_bits_serial(q, row, n)) << "row " << i;
							const bit_overlap want = ruvector::overlap_bits_serial(q, row, n);
							EXPECT_EQ(overlap[i].both, want.both) << "row " << i;
							EXPECT_EQ(overlap[i].either, want.either) << "row " << i;
						}
						EXPECT_EQ(differ[rows], sentinel) << "wrote past the rows";
						EXPECT_EQ(overlap[rows].both, sentinel) << "wrote past the rows";
						if (HasFailure()) {
							return;
						}
					}
				}
			}
		}
	}
}

INSTANTIATE_TEST_SUITE_P(Available, BitsLevel, testing::ValuesIn(available_levels()), level_name);

// The first dispatched call takes the float kernels' level. ctest runs each test in its own
// process, and no test before this one calls through the active table.
TEST(BitsDispatch, FirstCallFollowsFloatKernelLevel)
{
	ASSERT_TRUE(ruvector::select_kernels(simd_level::serial));
	const std::uint8_t a[] = {0xf0, 0x0f};
	const std::uint8_t b[] = {0xff, 0x00};
	EXPECT_EQ(ruvector::hamming_bits(a, b, 2), 8U);
	EXPECT_EQ(ruvector::active_bits_kernels.level, simd_level::serial);
	EXPECT_EQ(ruvector::active_bits_kernels.hamming, &ruvector::hamming_bits_serial);
}

TEST(BitsDispatch, SelectInstallsOnlyAvailableLevels)
{
	for (const simd_level level : all_levels) {
		const bits_kernel_table* table = ruvector::bits_kernels_for(level);
		EXPECT_EQ(ruvector::select_bits_kernels(level), table != nullptr);
		if (table != nullptr) {
			EXPECT_EQ(ruvector::active_bits_kernels.level, level);
			EXPECT_EQ(ruvector::active_bits_kernels.overlap, table->overlap);
		}
	}
	// This test binary is native: the serial twin always, WASM never.
	EXPECT_NE(ruvector::bits_kernels_for(simd_level::serial), nullptr);
	EXPECT_EQ(ruvector::bits_kernels_for(simd_level::wasm_simd128), nullptr);
}

// pgvector's values: 1 - |a & b| / |a | b|, and 1 when no bit is set in both.
TEST(BitsDistance, JaccardMatchesPgvectorFormula)
{
	const std::uint8_t a[] = {0xa0}; // 1010
	const std::uint8_t b[] = {0x60}; // 0110
	EXPECT_DOUBLE_EQ(ruvector::jaccard_distance_bits(a, b, 1), 1.0 - 1.0 / 3.0);
	const std::uint8_t zero[] = {0x00};
	EXPECT_EQ(ruvector::jaccard_distance_bits(zero, zero, 1), 1.0);
	EXPECT_EQ(ruvector::jaccard_distance_bits(a, zero, 1), 1.0);
	EXPECT_EQ(ruvector::jaccard_distance_bits(a, a, 1), 0.0);
	EXPECT_EQ(ruvector::jaccard_distance_bits(a, b, 0), 1.0);
}

TEST(BinaryQuantize, SetsBitsOfPositiveElementsMostSignificantFirst)
{
	std::mt19937 gen(7);
	std::uniform_int_distribution<int> pick(0, 4);
	const float values[] = {-1.0F, -0.0F, 0.0F, 1e-45F, 2.5F};
	for (std::size_t n = 1; n <= 67; n++) {
		std::vector<float> x(n);
		for (float& v : x) {
			v = values[pick(gen)];
		}
		// Poisoned output: every byte, including the last one's unused bits, must be written.
		std::vector<std::uint8_t> out((n + 7) / 8, 0xa5);
		ruvector::binary_quantize_f32(x.data(), n, out.data());
		std::vector<std::uint8_t> want((n + 7) / 8, 0);
		for (std::size_t i = 0; i < n; i++) {
			if (x[i] > 0.0F) {
				want[i / 8] = static_cast<std::uint8_t>(want[i / 8] | (0x80U >> (i % 8)));
			}
		}
		EXPECT_EQ(out, want) << "n=" << n;
	}
}

} // namespace
