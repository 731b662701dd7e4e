// Half conversions against independent references (every half exactly; floats densely,
// with F16C hardware as a second opinion where the CPU has it), and the f16 kernels at
// every level this CPU runs against the serial twin and a double-precision reference.
//
// Kernel tolerance, as in test_kernels.cpp: a float32 sum of n terms t_i in any tree
// order is within (n + 2) * u * sum|t_i| of the exact sum (u = 2^-24). Widening a half
// is exact, so the same bound holds here; we allow (n + 4) * u * sum|t_i| against the
// double reference and twice that against the serial twin. Small integers, whose sums
// are exact in float32, must come out exactly equal at every level.
#include "ruvector/half.hpp"

#include "guarded_memory.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#if defined(RUVECTOR_HAVE_X86)
#include <immintrin.h>
#endif

namespace {

using ruvector::cosine_parts;
using ruvector::f16_to_f32;
using ruvector::f32_to_f16;
using ruvector::half_kernel_table;
using ruvector::simd_level;

constexpr double unit_roundoff = 1.0 / 16777216.0; // 2^-24

// The value of a half's bit pattern, from the IEEE 754 definition, in double.
double half_value(std::uint16_t h)
{
	const int sign = (h & 0x8000) != 0 ? -1 : 1;
	const int exponent = (h >> 10) & 0x1f;
	const int mantissa = h & 0x3ff;
	if (exponent == 0x1f) {
		return mantissa == 0 ? sign * std::numeric_limits<double>::infinity()
		                     : std::numeric_limits<double>::quiet_NaN();
	}
	if (exponent == 0) {
		return sign * std::ldexp(mantissa, -24);
	}
	return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

// Round to nearest half, ties to the even pattern, by search over all positive finite
// halves plus 65536 standing for infinity (pattern 0x7c00, even): beyond 65504 the
// rounding is the same rule with infinity as the next value.
std::uint16_t reference_round(float f)
{
	const std::uint16_t sign = std::signbit(f) ? 0x8000 : 0;
	const double x = std::fabs(static_cast<double>(f));
	if (x >= 65536.0) {
		return sign | 0x7c00;
	}
	// Values of patterns 0..0x7c00 increase with the pattern; find the first one >= x.
	std::uint16_t low = 0;
	std::uint16_t high = 0x7c00;
	while (low < high) {
		const auto mid = static_cast<std::uint16_t>((low + high) / 2);
		const double value = mid == 0x7c00 ? 65536.0 : half_value(mid);
		if (value < x) {
			low = static_cast<std::uint16_t>(mid + 1);
		} else {
			high = mid;
		}
	}
	if (low == 0) {
		return sign;
	}
	const double above = low == 0x7c00 ? 65536.0 : half_value(low);
	const double below = half_value(static_cast<std::uint16_t>(low - 1));
	std::uint16_t nearest = low;
	if (x - below < above - x || (x - below == above - x && (low & 1) != 0)) {
		nearest = static_cast<std::uint16_t>(low - 1);
	}
	return sign | nearest;
}

float float_from_bits(std::uint32_t bits)
{
	float f = 0.0F;
	std::memcpy(&f, &bits, sizeof f);
	return f;
}

#if defined(RUVECTOR_HAVE_X86)
__attribute__((target("f16c"))) std::uint16_t hardware_round(float f)
{
	return static_cast<std::uint16_t>(_cvtss_sh(f, 0));
}
#endif

// Runs first (gtest keeps definition order): the first dispatched call resolves the table.
TEST(HalfDispatch, FirstCallFollowsTheF32Level)
{
	const std::uint16_t a[3] = {f32_to_f16(1.0F), f32_to_f16(2.0F), f32_to_f16(3.0F)};
	const std::uint16_t b[3] = {f32_to_f16(1.0F), f32_to_f16(2.0F), f32_to_f16(5.0F)};
	EXPECT_EQ(ruvector::l2sq_f16(a, b, 3), 4.0F);
	const half_kernel_table* expected = ruvector::half_kernels_for(ruvector::active_kernels.level);
	EXPECT_EQ(ruvector::active_half_kernels.level, expected != nullptr ? expected->level : simd_level::serial);
	EXPECT_EQ(ruvector::active_half_kernels.l2sq_f16,
	          expected != nullptr ? expected->l2sq_f16 : &ruvector::l2sq_f16_serial);
}

TEST(HalfConversion, EveryHalfWidensToItsValue)
{
	for (std::uint32_t h = 0; h <= 0xffff; h++) {
		const auto bits = static_cast<std::uint16_t>(h);
		const double want = half_value(bits);
		const float got = f16_to_f32(bits);
		if (std::isnan(want)) {
			EXPECT_TRUE(std::isnan(got)) << h;
			EXPECT_TRUE(ruvector::f16_is_nan(bits)) << h;
		} else {
			EXPECT_EQ(static_cast<double>(got), want) << h;
			EXPECT_EQ(std::signbit(got), (h & 0x8000) != 0) << h;
			EXPECT_EQ(ruvector::f16_is_inf(bits), std::isinf(want)) << h;
			EXPECT_EQ(ruvector::f16_is_zero(bits), want == 0.0) << h;
		}
	}
}

TEST(HalfConversion, EveryHalfRoundTrips)
{
	for (std::uint32_t h = 0; h <= 0xffff; h++) {
		const auto bits = static_cast<std::uint16_t>(h);
		if (!ruvector::f16_is_nan(bits)) {
			EXPECT_EQ(f32_to_f16(f16_to_f32(bits)), bits) << h;
		}
	}
}

TEST(HalfConversion, NarrowingRoundsToNearestEven)
{
	// A stride through every float bit pattern (odd, so every low-bit pattern is visited),
	// plus every float near each half boundary: the ties and their neighbours.
	std::vector<float> samples;
	for (std::uint64_t bits = 0; bits <= 0xffffffffULL; bits += 4093) {
		samples.push_back(float_from_bits(static_cast<std::uint32_t>(bits)));
	}
	for (std::uint32_t h = 0; h < 0x7c00; h++) {
		const double midpoint = (half_value(static_cast<std::uint16_t>(h)) +
		                         (h + 1 == 0x7c00 ? 65536.0 : half_value(static_cast<std::uint16_t>(h + 1)))) /
		                        2;
		const auto tie = static_cast<float>(midpoint);
		for (const float f : {tie, std::nextafter(tie, 0.0F), std::nextafter(tie, 1e9F)}) {
			samples.push_back(f);
			samples.push_back(-f);
		}
	}
#if defined(RUVECTOR_HAVE_X86)
	// The avx2 table is only offered when CPUID reports F16C
	const bool f16c = ruvector::half_kernels_for(simd_level::avx2) != nullptr;
#endif
	for (const float f : samples) {
		if (std::isnan(f)) {
			EXPECT_TRUE(ruvector::f16_is_nan(f32_to_f16(f)));
			continue;
		}
		const std::uint16_t got = f32_to_f16(f);
		ASSERT_EQ(got, reference_round(f)) << f;
#if defined(RUVECTOR_HAVE_X86)
		if (f16c) {
			ASSERT_EQ(got, hardware_round(f)) << f;
		}
#endif
	}
}

TEST(HalfConversion, Limits)
{
	EXPECT_EQ(f32_to_f16(65504.0F), 0x7bff);
	EXPECT_EQ(f32_to_f16(65519.0F), 0x7bff);
	EXPECT_EQ(f32_to_f16(65520.0F), 0x7c00);
	EXPECT_EQ(f32_to_f16(-65520.0F), 0xfc00);
	EXPECT_EQ(f32_to_f16(6e-8F), 0x0001);                        // nearest to the smallest subnormal
	EXPECT_EQ(f32_to_f16(std::ldexp(1.0F, -25)), 0x0000);        // tie between 0 and 2^-24: even is 0
	EXPECT_EQ(f32_to_f16(-std::ldexp(1.0F, -25)), 0x8000);       // signed zero
	EXPECT_EQ(f32_to_f16(std::ldexp(3.0F, -26)), 0x0001);        // just above the tie
	EXPECT_EQ(f32_to_f16(1.0F + std::ldexp(1.0F, -11)), 0x3c00); // tie: 1 is even
	EXPECT_EQ(f32_to_f16(1.0F + std::ldexp(3.0F, -11)), 0x3c02); // tie: up to the even neighbour
	EXPECT_EQ(f32_to_f16(std::ldexp(1023.5F, -24)), 0x0400);     // subnormal rounding up into the normals
	EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::infinity()), 0x7c00);
	EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::denorm_min()), 0x0000);
	EXPECT_EQ(f16_to_f32(0x7bff), ruvector::half_max);
}

// ---- kernels -------------------------------------------------------------------

std::vector<const half_kernel_table*> available_tables()
{
	std::vector<const half_kernel_table*> tables;
	for (const simd_level level :
	     {simd_level::serial, simd_level::avx2, simd_level::avx512, simd_level::neon, simd_level::wasm_simd128}) {
		const half_kernel_table* table = ruvector::half_kernels_for(level);
		if (table != nullptr) {
			tables.push_back(table);
		}
	}
	return tables;
}

std::vector<std::size_t> test_dims()
{
	std::vector<std::size_t> dims;
	for (std::size_t n = 0; n <= 80; n++) {
		dims.push_back(n);
	}
	for (std::size_t n = 97; n <= 4000; n += 131) {
		dims.push_back(n);
	}
	return dims;
}

struct reference_sums {
	double l2sq, dot, l1, norm_a, norm_b;
	double l2sq_scale, dot_scale, l1_scale, norm_a_scale, norm_b_scale;
};

reference_sums reference(const std::vector<std::uint16_t>& a, const std::vector<std::uint16_t>& b)
{
	reference_sums r{};
	for (std::size_t i = 0; i < a.size(); i++) {
		const double x = f16_to_f32(a[i]);
		const double y = f16_to_f32(b[i]);
		r.l2sq += (x - y) * (x - y);
		r.dot += x * y;
		r.l1 += std::fabs(x - y);
		r.norm_a += x * x;
		r.norm_b += y * y;
		r.dot_scale += std::fabs(x * y);
	}
	r.l2sq_scale = r.l2sq;
	r.l1_scale = r.l1;
	r.norm_a_scale = r.norm_a;
	r.norm_b_scale = r.norm_b;
	return r;
}

std::vector<std::uint16_t> random_halves(std::mt19937& rng, std::size_t n, float scale)
{
	std::uniform_real_distribution<float> uniform(-scale, scale);
	std::vector<std::uint16_t> v(n);
	for (auto& h : v) {
		h = f32_to_f16(uniform(rng));
	}
	return v;
}

void expect_close(double got, double want, double scale, std::size_t n, double factor, const char* what,
                  simd_level level)
{
	const double bound = factor * (static_cast<double>(n) + 4) * unit_roundoff * scale;
	EXPECT_LE(std::fabs(got - want), bound) << what << " n=" << n << " level=" << ruvector::simd_level_name(level);
}

TEST(HalfKernels, MatchReferenceAndSerialTwin)
{
	std::mt19937 rng(20240607);
	for (const half_kernel_table* t : available_tables()) {
		for (const std::size_t n : test_dims()) {
			// Mixed magnitudes, subnormals included, far from overflow in float32
			const float scale = n % 3 == 0 ? 1.0F : (n % 3 == 1 ? 60000.0F : 1e-4F);
			const auto a = random_halves(rng, n, scale);
			const auto b = random_halves(rng, n, scale);
			const reference_sums r = reference(a, b);
			const cosine_parts parts = t->cosine_f16(a.data(), b.data(), n);
			const cosine_parts serial = ruvector::cosine_f16_serial(a.data(), b.data(), n);
			expect_close(t->l2sq_f16(a.data(), b.data(), n), r.l2sq, r.l2sq_scale, n, 1, "l2sq", t->level);
			expect_close(t->dot_f16(a.data(), b.data(), n), r.dot, r.dot_scale, n, 1, "dot", t->level);
			expect_close(t->l1_f16(a.data(), b.data(), n), r.l1, r.l1_scale, n, 1, "l1", t->level);
			expect_close(parts.dot, r.dot, r.dot_scale, n, 1, "cosine dot", t->level);
			expect_close(parts.norm_a, r.norm_a, r.norm_a_scale, n, 1, "cosine norm_a", t->level);
			expect_close(parts.norm_b, r.norm_b, r.norm_b_scale, n, 1, "cosine norm_b", t->level);
			expect_close(t->l2sq_f16(a.data(), b.data(), n), ruvector::l2sq_f16_serial(a.data(), b.data(), n),
			             r.l2sq_scale, n, 2, "l2sq vs serial", t->level);
			expect_close(t->dot_f16(a.data(), b.data(), n), ruvector::dot_f16_serial(a.data(), b.data(), n),
			             r.dot_scale, n, 2, "dot vs serial", t->level);
			expect_close(t->l1_f16(a.data(), b.data(), n), ruvector::l1_f16_serial(a.data(), b.data(), n), r.l1_scale,
			             n, 2, "l1 vs serial", t->level);
			expect_close(parts.norm_a, serial.norm_a, r.norm_a_scale, n, 2, "norm_a vs serial", t->level);
		}
	}
}

// Small integers: every product and partial sum is exact in float32, at any summation order.
TEST(HalfKernels, ExactForSmallIntegers)
{
	std::mt19937 rng(7);
	std::uniform_int_distribution<int> digit(-8, 8);
	for (const half_kernel_table* t : available_tables()) {
		for (const std::size_t n : test_dims()) {
			std::vector<std::uint16_t> a(n);
			std::vector<std::uint16_t> b(n);
			double l2sq = 0;
			double dot = 0;
			double l1 = 0;
			double na = 0;
			double nb = 0;
			for (std::size_t i = 0; i < n; i++) {
				const int x = digit(rng);
				const int y = digit(rng);
				a[i] = f32_to_f16(static_cast<float>(x));
				b[i] = f32_to_f16(static_cast<float>(y));
				l2sq += (x - y) * (x - y);
				dot += x * y;
				l1 += std::abs(x - y);
				na += x * x;
				nb += y * y;
			}
			EXPECT_EQ(t->l2sq_f16(a.data(), b.data(), n), l2sq) << n;
			EXPECT_EQ(t->dot_f16(a.data(), b.data(), n), dot) << n;
			EXPECT_EQ(t->l1_f16(a.data(), b.data(), n), l1) << n;
			const cosine_parts parts = t->cosine_f16(a.data(), b.data(), n);
			EXPECT_EQ(parts.dot, dot) << n;
			EXPECT_EQ(parts.norm_a, na) << n;
			EXPECT_EQ(parts.norm_b, nb) << n;
		}
	}
}

// Inputs that end at an inaccessible page (an over-read crashes), at both 2-byte alignments
// mod 4 and every length mod 64, made of halfvec's extremes (+-65504), subnormals
// (+-2^-24 .. 2^-14) and zeros: each sum must match the double reference within the bound.
TEST(HalfKernels, ExtremesAndSubnormalsAgainstGuardPage)
{
	constexpr std::size_t max_n = 300;
	ruvector_test::guarded_memory memory_a(2 * max_n + 8);
	ruvector_test::guarded_memory memory_b(2 * max_n + 8);
	std::mt19937 rng(65504);
	const std::uint16_t specials[] = {0x7bff, 0xfbff, 0x0001, 0x8001, 0x03ff, 0x83ff, 0x0400, 0x0000, 0x8000, 0x3c00};
	std::uniform_int_distribution<std::size_t> pick(0, std::size(specials) - 1);
	for (const half_kernel_table* t : available_tables()) {
		for (std::size_t n = 0; n <= max_n; n++) {
			for (const std::size_t offset : {0, 1}) {
				auto* pa = static_cast<std::uint16_t*>(memory_a.at_end(2 * (n + offset)));
				auto* pb = static_cast<std::uint16_t*>(memory_b.at_end(2 * (n + 1 - offset)));
				std::vector<std::uint16_t> a(n);
				std::vector<std::uint16_t> b(n);
				for (std::size_t i = 0; i < n; i++) {
					a[i] = pa[i] = specials[pick(rng)];
					// Mostly small values against the extremes, so sums stay finite in float32.
					b[i] = pb[i] = i % 4 == 0 ? specials[pick(rng)] : f32_to_f16(static_cast<float>(i % 7) - 3.0F);
				}
				const reference_sums r = reference(a, b);
				const cosine_parts parts = t->cosine_f16(pa, pb, n);
				expect_close(t->l2sq_f16(pa, pb, n), r.l2sq, r.l2sq_scale, n, 1, "l2sq", t->level);
				expect_close(t->dot_f16(pa, pb, n), r.dot, r.dot_scale, n, 1, "dot", t->level);
				expect_close(t->l1_f16(pa, pb, n), r.l1, r.l1_scale, n, 1, "l1", t->level);
				expect_close(parts.dot, r.dot, r.dot_scale, n, 1, "cosine dot", t->level);
				expect_close(parts.norm_a, r.norm_a, r.norm_a_scale, n, 1, "cosine norm_a", t->level);
				expect_close(parts.norm_b, r.norm_b, r.norm_b_scale, n, 1, "cosine norm_b", t->level);
			}
		}
	}
}

TEST(HalfDistances, AsSqlReportsThem)
{
	const std::uint16_t a[2] = {f32_to_f16(3.0F), f32_to_f16(4.0F)};
	const std::uint16_t b[2] = {f32_to_f16(0.0F), f32_to_f16(0.0F)};
	const std::uint16_t c[2] = {f32_to_f16(-6.0F), f32_to_f16(-8.0F)};
	for (const half_kernel_table* t : available_tables()) {
		ASSERT_TRUE(ruvector::select_half_kernels(t->level));
		EXPECT_EQ(ruvector::l2_distance_f16(a, b, 2), 5.0);
		EXPECT_TRUE(std::isnan(ruvector::cosine_distance_f16(a, b, 2)));
		EXPECT_EQ(ruvector::cosine_distance_f16(a, c, 2), 2.0);
		EXPECT_EQ(ruvector::cosine_distance_f16(a, a, 2), 0.0);
		EXPECT_EQ(ruvector::norm_f16(a, 2), 5.0);
	}
#if defined(RUVECTOR_HAVE_X86)
	EXPECT_FALSE(ruvector::select_half_kernels(simd_level::neon));
#else
	EXPECT_FALSE(ruvector::select_half_kernels(simd_level::avx2));
#endif
}

} // namespace
