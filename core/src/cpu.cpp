// Run-time CPU capability checks for the kernel dispatch (cpu.hpp).
#include "ruvector/cpu.hpp"

#if defined(RUVECTOR_HAVE_X86)
#include <cpuid.h>
#endif

namespace ruvector {

namespace {

#if defined(RUVECTOR_HAVE_X86)
// AVX2, FMA and `extra` in the CPU, and YMM state saved by the OS (OSXSAVE set and XCR0
// bits 1-2), without which the first AVX instruction would fault.
bool x86_runs_avx2(cpu_extra extra)
{
	unsigned int eax = 0;
	unsigned int ebx = 0;
	unsigned int ecx = 0;
	unsigned int edx = 0;
	if (__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx) == 0) {
		return false;
	}
	unsigned int needed_ecx = bit_FMA | bit_OSXSAVE | bit_AVX;
	switch (extra) {
		case cpu_extra::none:
			break;
		case cpu_extra::f16c:
			needed_ecx |= bit_F16C;
			break;
		case cpu_extra::popcnt:
			needed_ecx |= bit_POPCNT;
			break;
	}
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

} // namespace

bool cpu_can_run(simd_level level, [[maybe_unused]] cpu_extra extra)
{
	switch (level) {
		case simd_level::serial:
#if defined(RUVECTOR_HAVE_WASM_SIMD128)
		// SIMD128 is part of the WASM build target: a module that loaded can run it.
		case simd_level::wasm_simd128:
#endif
			return true;
#if defined(RUVECTOR_HAVE_X86)
		case simd_level::avx2:
			return x86_runs_avx2(extra);
#endif
		default:
			// Not built into this binary, or not written yet (avx512, neon).
			return false;
	}
}

} // namespace ruvector
