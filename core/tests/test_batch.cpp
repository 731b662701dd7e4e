// Batch entry points against the one-pair kernels they stand for: at every level this CPU
// runs, every result must be exactly the one-pair result (same table, same order), for
// empty batches, every dimension 0..70 and common model sizes, with the base block ending
// against an inaccessible page (no kernel may read past the last row).
#include "ruvector/batch.hpp"

#include "ruvector/bits.hpp"
#include "ruvector/half.hpp"
#include "ruvector/int8.hpp"
#include "ruvector/kernels.hpp"
#include "ruvector/space.hpp"

#include "guarded_memory.hpp"

#include <gtest/gtest.h>

#include <cmath>
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

// A bit space's strided distances (the batch kernels, 64 rows per call) against its own pair
// distance, bit for bit: rows back to back and 8 bytes apart (an index entry's header, whose
// random bytes must not count), 0..150 rows, the last row ending against the guard page.
TEST_P(Batch, BitSpaceStridedDistancesEqualPairDistances)
{
	std::uniform_int_distribution<int> value(0, 255);
	for (const ruvector::metric kind : {ruvector::metric::hamming, ruvector::metric::jaccard}) {
		for (const std::size_t bits : {1, 7, 64, 100, 384, 1000, 2048}) {
			const ruvector::vector_space space = ruvector::make_space(ruvector::element_kind::bit, kind, bits);
			ASSERT_TRUE(space.valid());
			for (const std::size_t stride : {space.bytes, space.bytes + 8}) {
				for (const std::size_t n : {0, 1, 63, 64, 65, 150}) {
					const std::size_t span = n == 0 ? 0 : (n - 1) * stride + space.bytes;
					std::vector<std::uint8_t> q(space.bytes);
					std::uint8_t* base = base_at_end<std::uint8_t>(span);
					for (auto& x : q) {
						x = static_cast<std::uint8_t>(value(gen_));
					}
					for (std::size_t i = 0; i < span; i++) {
						base[i] = static_cast<std::uint8_t>(value(gen_));
					}
					std::vector<float> out(n + 1, -1.0F);
					space.strided_distances(q.data(), base, stride, n, out.data());
					for (std::size_t i = 0; i < n; i++) {
						EXPECT_EQ(out[i], space(q.data(), base + i * stride))
						    << "bits=" << bits << " stride=" << stride << " n=" << n << " row " << i;
					}
					EXPECT_EQ(out[n], -1.0F) << "wrote past the rows";
				}
			}
		}
	}
}

// The float32 batch and gather kernels of each level's table, against that table's one-pair
// kernels (bit for bit: the same sums in the same order) and against the serial batch twins
// (exact on small integers, within the float32 rounding bound of test_kernels.cpp on
// floats). Rows of every dimension 0..70 and model sizes, at every float offset from a cache
// line, gathered in scrambled order with repeats, the last one ending against the guard page.
class Float32BatchKernels : public testing::TestWithParam<simd_level> {
protected:
	const ruvector::kernel_table& table() const
	{
		return *ruvector::kernels_for(GetParam());
	}

	std::mt19937 gen_{2024};
	guarded_memory block_{(max_vectors + 1) * max_dim * sizeof(float)};
	guarded_memory query_{max_dim * sizeof(float)};
};

enum class values { small_integers, unit_range, wide_range, zeros };

float draw(values kind, std::mt19937& gen)
{
	switch (kind) {
		case values::small_integers:
			return static_cast<float>(std::uniform_int_distribution<int>(-7, 7)(gen));
		case values::unit_range:
			return std::uniform_real_distribution<float>(-1.0F, 1.0F)(gen);
		case values::wide_range:
			return std::ldexp(std::uniform_real_distribution<float>(-1.0F, 1.0F)(gen),
			                  std::uniform_int_distribution<int>(-20, 20)(gen));
		case values::zeros:
			break;
	}
	return 0.0F;
}

// |got - want| within twice test_kernels.cpp's bound for a sum of n terms whose magnitudes add to `scale`
void expect_close(float got, float want, std::size_t n, double scale, const std::string& what)
{
	const double allowed = 2.0 * static_cast<double>(n + 4) * std::ldexp(1.0, -24) * scale;
	EXPECT_LE(std::fabs(static_cast<double>(got) - static_cast<double>(want)), allowed) << what;
}

TEST_P(Float32BatchKernels, EqualOnePairKernelsAndSerialTwins)
{
	const ruvector::kernel_table& serial = *ruvector::kernels_for(simd_level::serial);
	for (const values kind : {values::small_integers, values::unit_range, values::wide_range, values::zeros}) {
		for (const std::size_t dim : test_dims()) {
			const std::size_t n = 1 + dim % max_vectors;
			// A block of n rows plus up to 15 floats before it, so the rows start at every offset from a line.
			const std::size_t shift = dim % 16;
			float* block = static_cast<float*>(block_.at_end((n * dim + shift) * sizeof(float)));
			float* q = static_cast<float*>(query_.at_end(dim * sizeof(float)));
			for (std::size_t i = 0; i < n * dim + shift; i++) {
				block[i] = draw(kind, gen_);
			}
			for (std::size_t i = 0; i < dim; i++) {
				q[i] = draw(kind, gen_);
			}
			const float* base = block + shift;
			// Gathered rows: anywhere in the block at any float offset, in any order, the last row of the
			// block (ending against the guard page) among them, and one row twice.
			std::vector<const float*> rows(n + 1);
			for (std::size_t i = 0; i < n; i++) {
				rows[i] = block + std::uniform_int_distribution<std::size_t>(0, n * dim + shift - dim)(gen_);
			}
			rows[n / 2] = base + (n - 1) * dim;
			rows[n] = rows[0];
			const std::size_t gathered = n + 1;

			std::vector<float> out(gathered + 1);
			std::vector<float> twin(gathered + 1);
			std::vector<ruvector::cosine_parts> parts(gathered + 1);
			std::vector<ruvector::cosine_parts> twin_parts(gathered + 1);
			const std::string at = "dim " + std::to_string(dim) + " values " + std::to_string(static_cast<int>(kind));
			const struct {
				const char* name;
				ruvector::f32_distance_fn pair;
				ruvector::f32_batch_fn batch;
				ruvector::f32_gather_fn gather;
				ruvector::f32_distance_fn serial_pair;
				ruvector::f32_batch_fn serial_batch;
				ruvector::f32_gather_fn serial_gather;
				double (*scale)(float x, float y); // magnitude of one term
			} metrics[] = {
			    {"l2sq", table().l2sq_f32, table().l2sq_f32_batch, table().l2sq_f32_gather, serial.l2sq_f32,
			     serial.l2sq_f32_batch, serial.l2sq_f32_gather,
			     [](float x, float y) { return (double{x} - y) * (double{x} - y); }},
			    {"dot", table().dot_f32, table().dot_f32_batch, table().dot_f32_gather, serial.dot_f32,
			     serial.dot_f32_batch, serial.dot_f32_gather,
			     [](float x, float y) { return std::fabs(double{x} * y); }},
			    {"l1", table().l1_f32, table().l1_f32_batch, table().l1_f32_gather, serial.l1_f32, serial.l1_f32_batch,
			     serial.l1_f32_gather, [](float x, float y) { return std::fabs(double{x} - y); }},
			};
			for (const auto& m : metrics) {
				out[n] = -1.0F;
				m.batch(q, base, n, dim, out.data());
				m.serial_batch(q, base, n, dim, twin.data());
				EXPECT_EQ(out[n], -1.0F) << m.name << " batch wrote past its rows, " << at;
				for (std::size_t i = 0; i < n; i++) {
					const float* row = base + i * dim;
					EXPECT_EQ(out[i], m.pair(q, row, dim)) << m.name << " batch row " << i << ", " << at;
					EXPECT_EQ(twin[i], m.serial_pair(q, row, dim)) << m.name << " serial batch row " << i << ", " << at;
					double scale = 0;
					for (std::size_t k = 0; k < dim; k++) {
						scale += m.scale(q[k], row[k]);
					}
					if (kind == values::small_integers || kind == values::zeros) {
						EXPECT_EQ(out[i], twin[i]) << m.name << " against the serial twin, row " << i << ", " << at;
					} else {
						expect_close(out[i], twin[i], dim, scale, std::string(m.name) + " serial twin, " + at);
					}
				}
				out[gathered] = -1.0F;
				m.gather(q, rows.data(), gathered, dim, out.data());
				m.serial_gather(q, rows.data(), gathered, dim, twin.data());
				EXPECT_EQ(out[gathered], -1.0F) << m.name << " gather wrote past its rows, " << at;
				for (std::size_t i = 0; i < gathered; i++) {
					EXPECT_EQ(out[i], m.pair(q, rows[i], dim)) << m.name << " gather row " << i << ", " << at;
					EXPECT_EQ(twin[i], m.serial_pair(q, rows[i], dim))
					    << m.name << " serial gather row " << i << ", " << at;
				}
			}

			table().cosine_f32_batch(q, base, n, dim, parts.data());
			serial.cosine_f32_batch(q, base, n, dim, twin_parts.data());
			for (std::size_t i = 0; i < n; i++) {
				const ruvector::cosine_parts one = table().cosine_f32(q, base + i * dim, dim);
				EXPECT_EQ(parts[i].dot, one.dot) << "cosine batch row " << i << ", " << at;
				EXPECT_EQ(parts[i].norm_a, one.norm_a) << "cosine batch row " << i << ", " << at;
				EXPECT_EQ(parts[i].norm_b, one.norm_b) << "cosine batch row " << i << ", " << at;
				const ruvector::cosine_parts ref = ruvector::cosine_f32_serial(q, base + i * dim, dim);
				EXPECT_EQ(twin_parts[i].dot, ref.dot) << at;
				EXPECT_EQ(twin_parts[i].norm_a, ref.norm_a) << at;
				EXPECT_EQ(twin_parts[i].norm_b, ref.norm_b) << at;
				// sum |q_k row_k| <= (|q|^2 + |row|^2) / 2
				const double scale = static_cast<double>(ref.norm_a) + static_cast<double>(ref.norm_b);
				expect_close(parts[i].dot, ref.dot, dim, scale, "cosine dot, " + at);
				expect_close(parts[i].norm_a, ref.norm_a, dim, ref.norm_a, "cosine |q|^2, " + at);
				expect_close(parts[i].norm_b, ref.norm_b, dim, ref.norm_b, "cosine |row|^2, " + at);
			}
			table().cosine_f32_gather(q, rows.data(), gathered, dim, parts.data());
			for (std::size_t i = 0; i < gathered; i++) {
				const ruvector::cosine_parts one = table().cosine_f32(q, rows[i], dim);
				EXPECT_EQ(parts[i].dot, one.dot) << "cosine gather row " << i << ", " << at;
				EXPECT_EQ(parts[i].norm_a, one.norm_a) << "cosine gather row " << i << ", " << at;
				EXPECT_EQ(parts[i].norm_b, one.norm_b) << "cosine gather row " << i << ", " << at;
			}
			if (HasFailure()) {
				return;
			}
		}
	}
}

INSTANTIATE_TEST_SUITE_P(Available, Float32BatchKernels, testing::ValuesIn(levels()), level_name);

INSTANTIATE_TEST_SUITE_P(Available, Batch, testing::ValuesIn(levels()), level_name);

} // namespace
