// The f16 kernel tables and their selection, plus the double-returning distances.
// Tables are constant-initialised; the active one starts as a set of resolvers that
// pick a table on the first call. No constructors run at load time and there are no
// function-local statics, so this works inside a PGlite side module.
#include "ruvector/cpu.hpp"
#include "ruvector/half.hpp"

#include <cmath>

namespace ruvector {

namespace {

// One table per level built into this binary, serial first (install_following_f32 falls back to it).
constexpr half_kernel_table tables[] = {
    {simd_level::serial, cpu_extra::none, &l2sq_f16_serial, &dot_f16_serial, &l1_f16_serial, &cosine_f16_serial},
#if defined(RUVECTOR_HAVE_X86)
    {simd_level::avx2, cpu_extra::f16c, &l2sq_f16_avx2, &dot_f16_avx2, &l1_f16_avx2, &cosine_f16_avx2},
    {simd_level::avx512, cpu_extra::none, &l2sq_f16_avx512, &dot_f16_avx512, &l1_f16_avx512, &cosine_f16_avx512},
#endif
#if defined(RUVECTOR_HAVE_NEON)
    {simd_level::neon, cpu_extra::none, &l2sq_f16_neon, &dot_f16_neon, &l1_f16_neon, &cosine_f16_neon},
#endif
#if defined(RUVECTOR_HAVE_WASM_SIMD128)
    {simd_level::wasm_simd128, cpu_extra::none, &l2sq_f16_wasm_simd128, &dot_f16_wasm_simd128, &l1_f16_wasm_simd128,
     &cosine_f16_wasm_simd128},
#endif
};

// The f32 level decides (it honours RUVECTOR_SIMD); a CPU with AVX2 but no F16C gets serial.
void resolve()
{
	install_following_f32(active_half_kernels, tables);
}

float l2sq_resolve(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	resolve();
	return active_half_kernels.l2sq_f16(a, b, n);
}

float dot_resolve(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	resolve();
	return active_half_kernels.dot_f16(a, b, n);
}

float l1_resolve(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	resolve();
	return active_half_kernels.l1_f16(a, b, n);
}

cosine_parts cosine_resolve(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	resolve();
	return active_half_kernels.cosine_f16(a, b, n);
}

} // namespace

constinit half_kernel_table active_half_kernels{simd_level::serial, cpu_extra::none, &l2sq_resolve,
                                                &dot_resolve,       &l1_resolve,     &cosine_resolve};

const half_kernel_table* half_kernels_for(simd_level level)
{
	return table_for_level(tables, level);
}

bool select_half_kernels(simd_level level)
{
	return install_table(active_half_kernels, half_kernels_for(level));
}

double l2_distance_f16(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	return std::sqrt(static_cast<double>(l2sq_f16(a, b, n)));
}

double cosine_distance_f16(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	const cosine_parts parts = cosine_parts_f16(a, b, n);
	// As pgvector: a zero norm gives 0/0 = NaN, which the clamp below leaves alone.
	double similarity = static_cast<double>(parts.dot) /
	                    std::sqrt(static_cast<double>(parts.norm_a) * static_cast<double>(parts.norm_b));
	if (similarity > 1.0) {
		similarity = 1.0;
	} else if (similarity < -1.0) {
		similarity = -1.0;
	}
	return 1.0 - similarity;
}

double norm_f16(const std::uint16_t* a, std::size_t n)
{
	double sum = 0.0;
	for (std::size_t i = 0; i < n; i++) {
		const double x = f16_to_f32(a[i]);
		sum += x * x;
	}
	return std::sqrt(sum);
}

} // namespace ruvector
