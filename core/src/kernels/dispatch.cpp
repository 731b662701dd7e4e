// One kernel table per level and the choice between them. Everything here is
// constant-initialised or computed on call: no constructors run at load time and
// there are no function-local statics, so this works inside a PGlite side module.
#include "ruvector/kernels.hpp"

#include <cstdlib>
#include <string_view>

#if defined(RUVECTOR_HAVE_X86)
#include <cpuid.h>
#endif

namespace ruvector {

namespace {

constexpr kernel_table serial_table{simd_level::serial, &l2sq_f32_serial, &dot_f32_serial, &l1_f32_serial,
                                    &cosine_f32_serial};

#if defined(RUVECTOR_HAVE_X86)
constexpr kernel_table avx2_table{simd_level::avx2, &l2sq_f32_avx2, &dot_f32_avx2, &l1_f32_avx2, &cosine_f32_avx2};

// AVX2 and FMA in the CPU, and YMM state saved by the OS (OSXSAVE set and XCR0 bits 1-2),
// without which the first AVX instruction would fault.
bool cpu_supports_avx2_fma()
{
	unsigned int eax = 0;
	unsigned int ebx = 0;
	unsigned int ecx = 0;
	unsigned int edx = 0;
	if (__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx) == 0) {
		return false;
	}
	const unsigned int needed_ecx = bit_FMA | bit_OSXSAVE | bit_AVX;
	if ((ecx & needed_ecx) != needed_ecx) {
		return false;
	}
	unsigned int xcr0_low = 0;
	unsigned int xcr0_high = 0;
	__asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
	const unsigned int xmm_ymm_state = 0x6;
	if ((xcr0_low & xmm_ymm_state) != xmm_ymm_state) {
		return false;
	}
	if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) {
		return false;
	}
	return (ebx & bit_AVX2) != 0;
}
#endif

#if defined(RUVECTOR_HAVE_WASM_SIMD128)
constexpr kernel_table wasm_simd128_table{simd_level::wasm_simd128, &l2sq_f32_wasm_simd128, &dot_f32_wasm_simd128,
                                          &l1_f32_wasm_simd128, &cosine_f32_wasm_simd128};
// SIMD128 is part of the WASM build target: a module that loaded can run it.
constexpr const kernel_table& compile_time_table = wasm_simd128_table;
#else
constexpr const kernel_table& compile_time_table = serial_table;
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
#if defined(RUVECTOR_HAVE_X86)
	if (cpu_supports_avx2_fma()) {
		return simd_level::avx2;
	}
#endif
	return compile_time_table.level;
}

const kernel_table* kernels_for(simd_level level)
{
	switch (level) {
		case simd_level::serial:
			return &serial_table;
#if defined(RUVECTOR_HAVE_X86)
		case simd_level::avx2:
			return cpu_supports_avx2_fma() ? &avx2_table : nullptr;
#endif
#if defined(RUVECTOR_HAVE_WASM_SIMD128)
		case simd_level::wasm_simd128:
			return &wasm_simd128_table;
#endif
		default:
			// Not built into this binary (avx512 and neon are not written yet), or not a level.
			return nullptr;
	}
}

bool select_kernels(simd_level level)
{
	const kernel_table* table = kernels_for(level);
	if (table == nullptr) {
		return false;
	}
	active_kernels = *table;
	return true;
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
