// The int8 kernel tables and their selection. The active table starts with resolvers that
// pick a table on the first call (following the float kernels' level) and then forward, so
// nothing runs at load time and this works inside a PGlite side module.
#include "ruvector/cpu.hpp"
#include "ruvector/int8.hpp"

namespace ruvector {

namespace {

// One table per level built into this binary, serial first, in increasing level order
// (install_following_f32 relies on both).
constexpr int8_kernel_table tables[] = {
    {simd_level::serial, cpu_extra::none, &l2sq_i8_serial, &dot_i8_serial},
#if defined(RUVECTOR_HAVE_X86)
    {simd_level::avx2, cpu_extra::none, &l2sq_i8_avx2, &dot_i8_avx2},
    {simd_level::avx512, cpu_extra::avx512_vnni, &l2sq_i8_avx512_vnni, &dot_i8_avx512_vnni},
#endif
#if defined(RUVECTOR_HAVE_NEON)
    {simd_level::neon, cpu_extra::none, &l2sq_i8_neon, &dot_i8_neon},
    {simd_level::neon, cpu_extra::neon_dotprod, &l2sq_i8_neon_dotprod, &dot_i8_neon_dotprod},
#endif
#if defined(RUVECTOR_HAVE_WASM_SIMD128)
    {simd_level::wasm_simd128, cpu_extra::none, &l2sq_i8_wasm_simd128, &dot_i8_wasm_simd128},
#endif
};

void resolve()
{
	install_following_f32(active_int8_kernels, tables);
}

std::int32_t l2sq_resolve(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	resolve();
	return active_int8_kernels.l2sq_i8(a, b, n);
}

std::int32_t dot_resolve(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	resolve();
	return active_int8_kernels.dot_i8(a, b, n);
}

} // namespace

constinit int8_kernel_table active_int8_kernels{simd_level::serial, cpu_extra::none, &l2sq_resolve, &dot_resolve};

const int8_kernel_table* int8_kernels_for(simd_level level)
{
	return table_for_level(tables, level);
}

bool select_int8_kernels(simd_level level)
{
	return install_table(active_int8_kernels, int8_kernels_for(level));
}

} // namespace ruvector
