// One kernel table per level and the choice between them. Everything here is
// constant-initialised or computed on call: no constructors run at load time and
// there are no function-local statics, so this works inside a PGlite side module.
#include "ruvector/cpu.hpp"
#include "ruvector/kernels.hpp"

#include <cstdlib>
#include <string_view>

namespace ruvector {

namespace {

// One table per level built into this binary, serial first.
constexpr kernel_table tables[] = {
    {simd_level::serial, cpu_extra::none, &l2sq_f32_serial, &dot_f32_serial, &l1_f32_serial, &cosine_f32_serial,
     &l2sq_f32_batch_serial, &dot_f32_batch_serial, &l1_f32_batch_serial, &cosine_f32_batch_serial,
     &l2sq_f32_gather_serial, &dot_f32_gather_serial, &l1_f32_gather_serial, &cosine_f32_gather_serial},
#if defined(RUVECTOR_HAVE_X86)
    {simd_level::avx2, cpu_extra::none, &l2sq_f32_avx2, &dot_f32_avx2, &l1_f32_avx2, &cosine_f32_avx2,
     &l2sq_f32_batch_avx2, &dot_f32_batch_avx2, &l1_f32_batch_avx2, &cosine_f32_batch_avx2, &l2sq_f32_gather_avx2,
     &dot_f32_gather_avx2, &l1_f32_gather_avx2, &cosine_f32_gather_avx2},
    {simd_level::avx512, cpu_extra::none, &l2sq_f32_avx512, &dot_f32_avx512, &l1_f32_avx512, &cosine_f32_avx512,
     &l2sq_f32_batch_avx512, &dot_f32_batch_avx512, &l1_f32_batch_avx512, &cosine_f32_batch_avx512,
     &l2sq_f32_gather_avx512, &dot_f32_gather_avx512, &l1_f32_gather_avx512, &cosine_f32_gather_avx512},
#endif
#if defined(RUVECTOR_HAVE_NEON)
    {simd_level::neon, cpu_extra::none, &l2sq_f32_neon, &dot_f32_neon, &l1_f32_neon, &cosine_f32_neon,
     &l2sq_f32_batch_neon, &dot_f32_batch_neon, &l1_f32_batch_neon, &cosine_f32_batch_neon, &l2sq_f32_gather_neon,
     &dot_f32_gather_neon, &l1_f32_gather_neon, &cosine_f32_gather_neon},
#endif
#if defined(RUVECTOR_HAVE_WASM_SIMD128)
    {simd_level::wasm_simd128, cpu_extra::none, &l2sq_f32_wasm_simd128, &dot_f32_wasm_simd128, &l1_f32_wasm_simd128,
     &cosine_f32_wasm_simd128, &l2sq_f32_batch_wasm_simd128, &dot_f32_batch_wasm_simd128, &l1_f32_batch_wasm_simd128,
     &cosine_f32_batch_wasm_simd128, &l2sq_f32_gather_wasm_simd128, &dot_f32_gather_wasm_simd128,
     &l1_f32_gather_wasm_simd128, &cosine_f32_gather_wasm_simd128},
#endif
};

#if defined(RUVECTOR_HAVE_WASM_SIMD128)
// SIMD128 is part of the WASM build target: a module that loaded can run it.
constexpr const kernel_table& compile_time_table = tables[1];
static_assert(compile_time_table.level == simd_level::wasm_simd128);
#else
constexpr const kernel_table& compile_time_table = tables[0];
#endif

constexpr simd_level all_levels[] = {simd_level::serial, simd_level::avx2, simd_level::avx512, simd_level::neon,
                                     simd_level::wasm_simd128};

} // namespace

constinit kernel_table active_kernels = compile_time_table;

const char* simd_level_name(simd_level level)
{
	switch (level) {
		case simd_level::serial:
			return "serial";
		case simd_level::avx2:
			return "avx2";
		case simd_level::avx512:
			return "avx512";
		case simd_level::neon:
			return "neon";
		case simd_level::wasm_simd128:
			return "wasm_simd128";
	}
	return "unknown";
}

simd_level detect_simd_level()
{
	if (cpu_can_run(simd_level::avx512)) {
		return simd_level::avx512;
	}
	if (cpu_can_run(simd_level::avx2)) {
		return simd_level::avx2;
	}
	if (cpu_can_run(simd_level::neon)) {
		return simd_level::neon;
	}
	return compile_time_table.level;
}

const kernel_table* kernels_for(simd_level level)
{
	// nullptr for levels not built into this binary or that this CPU cannot run.
	return table_for_level(tables, level);
}

bool select_kernels(simd_level level)
{
	return install_table(active_kernels, kernels_for(level));
}

simd_level select_kernels_from_environment()
{
	// An unknown or unsupported name falls through to detection rather than failing:
	// the variable is a tuning knob, and core has no channel to report the mistake.
	const char* forced = std::getenv("RUVECTOR_SIMD");
	if (forced != nullptr) {
		const std::string_view name(forced);
		for (const simd_level level : all_levels) {
			if (name == simd_level_name(level) && select_kernels(level)) {
				return level;
			}
		}
	}
	const simd_level best = detect_simd_level();
	select_kernels(best);
	return best;
}

} // namespace ruvector
