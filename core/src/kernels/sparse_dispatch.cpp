// The sparse kernel tables and their selection. The active table starts with resolvers that
// pick a table on the first call (following the float kernels' level) and then forward, so
// nothing runs at load time and this works inside a PGlite side module.
#include "ruvector/cpu.hpp"
#include "ruvector/sparse.hpp"

namespace ruvector {

namespace {

// One table per level built into this binary, serial first, in increasing level order
// (install_following_f32 relies on both). Levels without a table here fall back to the best
// one below: docs/PERFORMANCE.md has the measurements behind each omission.
constexpr sparse_kernel_table tables[] = {
    {simd_level::serial, cpu_extra::none, &l2sq_sparse_serial, &dot_sparse_serial, &l1_sparse_serial},
#if defined(RUVECTOR_HAVE_X86)
    {simd_level::avx2, cpu_extra::none, &l2sq_sparse_avx2, &dot_sparse_avx2, &l1_sparse_avx2},
#endif
};

void resolve()
{
	install_following_f32(active_sparse_kernels, tables);
}

float l2sq_resolve(sparse_view a, sparse_view b)
{
	resolve();
	return active_sparse_kernels.l2sq_sparse(a, b);
}

float dot_resolve(sparse_view a, sparse_view b)
{
	resolve();
	return active_sparse_kernels.dot_sparse(a, b);
}

float l1_resolve(sparse_view a, sparse_view b)
{
	resolve();
	return active_sparse_kernels.l1_sparse(a, b);
}

} // namespace

constinit sparse_kernel_table active_sparse_kernels{simd_level::serial, cpu_extra::none, &l2sq_resolve, &dot_resolve,
                                                    &l1_resolve};

const sparse_kernel_table* sparse_kernels_for(simd_level level)
{
	return table_for_level(tables, level);
}

bool select_sparse_kernels(simd_level level)
{
	return install_table(active_sparse_kernels, sparse_kernels_for(level));
}

} // namespace ruvector
