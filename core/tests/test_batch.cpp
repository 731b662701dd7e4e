// Batch entry points against the one-pair kernels they stand for: at every level this CPU
// runs, every result must be exactly the one-pair result (same table, same order), for
// empty batches, every dimension 0..70 and common model sizes, with the base block ending
// against an inaccessible page (no kernel may read past the last row).
#include "ruvector/batch.hpp"

#include "ruvector/bits.hpp"
#include "ruvector/half.hpp"
#include "ruvector/int8.hpp"
#include "ruvector/kernels.hpp"

#include "guarded_memory.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using ruvector::simd_level;
using ruvector_test::guarded_memory;

constexpr std::size_t max_vectors = 19;
constexpr std::size_t max_dim = 1536;

std::vector<std::size_t> test_dims()
{
	std::vector<std::size_t> dims;
	for (std::size_t d = 0; d <= 70; d++) {
		dims.push_back(d);
	}
	for (const std::size_t d : {96, 100, 384, 768, 1536}) {
		dims.push_back(d);
	}
	return dims;
}

std::vector<simd_level> levels()
{
	std::vector<simd_level> out;
	for (const simd_level level :
	     {simd_level::serial, simd_level::avx2, simd_level::avx512, simd_level::neon, simd_level::wasm_simd128}) {
		if (ruvector::kernels_for(level) != nullptr) {
			out.push_back(level);
		}
	}
	return out;
}

// Selects `level` in every family that has it (a family without it keeps its current table,
// and the comparison is against whatever table is installed).
class Batch : public testing::TestWithParam<simd_level> {
protected:
	void SetUp() override
	{
		saved_ = ruvector::active_kernels;
		ASSERT_TRUE(ruvector::select_kernels(GetParam()));
		ruvector::select_half_kernels(GetParam());
		ruvector::select_int8_kernels(GetParam());
		ruvector::select_bits_kernels(GetParam());
	}
	void TearDown() override
	{
		ruvector::active_kernels = saved_;
	}

	template <typename T>
	T* base_at_end(std::size_t count)
	{
		return static_cast<T*>(base_.at_end(count * sizeof(T)));
	}

	std::mt19937 gen_{99};
	guarded_memory base_{max_vectors * max_dim * sizeof(float)};

private:
	ruvector::kernel_table saved_{};
};

std::string level_name(const testing::TestParamInfo<simd_level>& info)
{
	return ruvector::simd_level_name(info.param);
}

// The pair entry points: each of the two results exactly the one-pair kernel's, rows apart in memory and the
// second ending against an inaccessible page.
TEST_P(Batch, Float32PairEqualsOnePairKernels)
{
	std::uniform_real_distribution<float> value(-2.0F, 2.0F);
	std::vector<float> row0(max_dim);
	for (const std::size_t dim : test_dims()) {
		std::vector<float> q(dim);
		float* row1 = base_at_end<float>(dim);
		for (std::size_t i = 0; i < dim; i++) {
			q[i] = value(gen_);
			row0[i] = value(gen_);
			row1[i] = value(gen_);
		}
		float l2[3] = {-1.0F, -1.0F, -1.0F};
		float dot[3] = {-1.0F, -1.0F, -1.0F};
		ruvector::l2sq_f32_pair(q.data(), row0.data(), row1, dim, l2);
		ruvector::dot_f32_pair(q.data(), row0.data(), row1, dim, dot);
		EXPECT_EQ(l2[0], ruvector::l2sq_f32(q.data(), row0.data(), dim)) << dim;
		EXPECT_EQ(l2[1], ruvector::l2sq_f32(q.data(), row1, dim)) << dim;
		EXPECT_EQ(dot[0], ruvector::dot_f32(q.data(), row0.data(), dim)) << dim;
		EXPECT_EQ(dot[1], ruvector::dot_f32(q.data(), row1, dim)) << dim;
		EXPECT_EQ(l2[2], -1.0F) << "wrote past the pair";
		EXPECT_EQ(dot[2], -1.0F) << "wrote past the pair";
	}
}

TEST_P(Batch, Float32EqualsOnePairKernels)
{
	std::uniform_real_distribution<float> value(-2.0F, 2.0F);
	for (const std::size_t dim : test_dims()) {
		for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, max_vectors}) {
			std::vector<float> q(dim);
			float* base = base_at_end<float>(n * dim);
			for (float& x : q) {
				x = value(gen_);
			}
			for (std::size_t i = 0; i < n * dim; i++) {
				base[i] = value(gen_);
			}
			std::vector<float> l2(n + 1, -1.0F);
			std::vector<float> dot(n + 1, -1.0F);
			std::vector<float> l1(n + 1, -1.0F);
			std::vector<ruvector::cosine_parts> cosine(n + 1, ruvector::cosine_parts{-1.0F, -1.0F, -1.0F});
			ruvector::l2sq_f32_batch(q.data(), base, n, dim, l2.data());
			ruvector::dot_f32_batch(q.data(), base, n, dim, dot.data());
			ruvector::l1_f32_batch(q.data(), base, n, dim, l1.data());
			ruvector::cosine_f32_batch(q.data(), base, n, dim, cosine.data());
			for (std::size_t i = 0; i < n; i++) {
				const float* row = base + i * dim;
				EXPECT_EQ(l2[i], ruvector::l2sq_f32(q.data(), row, dim)) << dim << " " << i;
				EXPECT_EQ(dot[i], ruvector::dot_f32(q.data(), row, dim)) << dim << " " << i;
				EXPECT_EQ(l1[i], ruvector::l1_f32(q.data(), row, dim)) << dim << " " << i;
				const ruvector::cosine_parts one = ruvector::cosine_parts_f32(q.data(), row, dim);
				EXPECT_EQ(cosine[i].dot, one.dot) << dim << " " << i;
				EXPECT_EQ(cosine[i].norm_a, one.norm_a) << dim << " " << i;
				EXPECT_EQ(cosine[i].norm_b, one.norm_b) << dim << " " << i;
				// And the level's table agrees with the serial reference (batch and pair could share a bug).
				const float tolerance = 1e-4F * (1.0F + ruvector::l1_f32_serial(q.data(), row, dim));
				EXPECT_NEAR(l1[i], ruvector::l1_f32_serial(q.data(), row, dim), tolerance) << dim << " " << i;
				const ruvector::cosine_parts serial = ruvector::cosine_f32_serial(q.data(), row, dim);
				EXPECT_NEAR(cosine[i].dot, serial.dot, 1e-4F * (1.0F + serial.norm_a + serial.norm_b)) << dim;
				EXPECT_NEAR(cosine[i].norm_a, serial.norm_a, 1e-4F * (1.0F + serial.norm_a)) << dim;
				EXPECT_NEAR(cosine[i].norm_b, serial.norm_b, 1e-4F * (1.0F + serial.norm_b)) << dim;
			}
			EXPECT_EQ(l2[n], -1.0F) << "wrote past n_vectors";
			EXPECT_EQ(dot[n], -1.0F) << "wrote past n_vectors";
			EXPECT_EQ(l1[n], -1.0F) << "wrote past n_vectors";
			EXPECT_EQ(cosine[n].dot, -1.0F) << "wrote past n_vectors";
		}
	}
}

TEST_P(Batch, Float16EqualsOnePairKernels)
{
	std::uniform_real_distribution<float> value(-100.0F, 100.0F);
	for (const std::size_t dim : test_dims()) {
		const std::size_t n = max_vectors;
		std::vector<std::uint16_t> q(dim);
		std::uint16_t* base = base_at_end<std::uint16_t>(n * dim);
		for (auto& x : q) {
			x = ruvector::f32_to_f16(value(gen_));
		}
		for (std::size_t i = 0; i < n * dim; i++) {
			base[i] = ruvector::f32_to_f16(value(gen_));
		}
		std::vector<float> l2(n);
		std::vector<float> dot(n);
		ruvector::l2sq_f16_batch(q.data(), base, n, dim, l2.data());
		ruvector::dot_f16_batch(q.data(), base, n, dim, dot.data());
		for (std::size_t i = 0; i < n; i++) {
			EXPECT_EQ(l2[i], ruvector::l2sq_f16(q.data(), base + i * dim, dim)) << dim << " " << i;
			EXPECT_EQ(dot[i], ruvector::dot_f16(q.data(), base + i * dim, dim)) << dim << " " << i;
		}
	}
}

TEST_P(Batch, Int8EqualsOnePairKernels)
{
	std::uniform_int_distribution<int> value(-127, 127);
	for (const std::size_t dim : test_dims()) {
		const std::size_t n = max_vectors;
		std::vector<std::int8_t> q(dim);
		std::int8_t* base = base_at_end<std::int8_t>(n * dim);
		for (auto& x : q) {
			x = static_cast<std::int8_t>(value(gen_));
		}
		for (std::size_t i = 0; i < n * dim; i++) {
			base[i] = static_cast<std::int8_t>(value(gen_));
		}
		std::vector<std::int32_t> l2(n);
		std::vector<std::int32_t> dot(n);
		ruvector::l2sq_i8_batch(q.data(), base, n, dim, l2.data());
		ruvector::dot_i8_batch(q.data(), base, n, dim, dot.data());
		for (std::size_t i = 0; i < n; i++) {
			EXPECT_EQ(l2[i], ruvector::l2sq_i8_serial(q.data(), base + i * dim, dim)) << dim << " " << i;
			EXPECT_EQ(dot[i], ruvector::dot_i8_serial(q.data(), base + i * dim, dim)) << dim << " " << i;
		}
	}
}

TEST_P(Batch, HammingAndJaccardEqualSerial)
{
	std::uniform_int_distribution<int> value(0, 255);
	for (const std::size_t bytes : test_dims()) {
		const std::size_t n = max_vectors;
		std::vector<std::uint8_t> q(bytes);
		std::uint8_t* base = base_at_end<std::uint8_t>(n * bytes);
		for (auto& x : q) {
			x = static_cast<std::uint8_t>(value(gen_));
		}
		for (std::size_t i = 0; i < n * bytes; i++) {
			base[i] = static_cast<std::uint8_t>(value(gen_));
		}
		std::vector<std::uint64_t> out(n);
		std::vector<ruvector::bit_overlap> overlap(n);
		ruvector::hamming_bits_batch(q.data(), base, n, bytes, out.data());
		ruvector::overlap_bits_batch(q.data(), base, n, bytes, overlap.data());
		for (std::size_t i = 0; i < n; i++) {
			const std::uint8_t* row = base + i * bytes;
			EXPECT_EQ(out[i], ruvector::hamming_bits_serial(q.data(), row, bytes)) << bytes << " " << i;
			const ruvector::bit_overlap serial = ruvector::overlap_bits_serial(q.data(), row, bytes);
			EXPECT_EQ(overlap[i].both, serial.both) << bytes << " " << i;
			EXPECT_EQ(overlap[i].either, serial.either) << bytes << " " << i;
		}
	}
}

INSTANTIATE_TEST_SUITE_P(Available, Batch, testing::ValuesIn(levels()), level_name);

} // namespace
