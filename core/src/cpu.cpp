// Run-time CPU capability checks for the kernel dispatch (cpu.hpp).
#include "ruvector/cpu.hpp"

#if defined(RUVECTOR_HAVE_X86)
#include <cpuid.h>
#endif
#if defined(RUVECTOR_HAVE_NEON)
#include <sys/auxv.h>
#endif

namespace ruvector {

namespace {

#if defined(RUVECTOR_HAVE_X86)
// CPUID leaf 7 bits GCC 12's cpuid.h names differently or not at all.
constexpr unsigned int leaf7_ecx_avx512_vnni = 1U << 11;
constexpr unsigned int leaf7_ecx_avx512_vpopcntdq = 1U << 14;

// XCR0: which register state the OS saves on a context switch. Without it the first
// instruction touching those registers faults, whatever CPUID says.
unsigned int xcr0()
{
	unsigned int low = 0;
	unsigned int high = 0;
	__asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
	return low;
}

// AVX2 and FMA in the CPU with YMM state saved by the OS (OSXSAVE set, XCR0 bits 1-2),
// plus AVX-512 F/BW/VL with opmask and ZMM state saved (XCR0 bits 5-7) when `avx512`.
bool x86_runs(bool avx512, cpu_extra extra)
{
	unsigned int eax = 0;
	unsigned int ebx = 0;
	unsigned int ecx = 0;
	unsigned int edx = 0;
	if (__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx) == 0) {
		return false;
	}
	unsigned int needed_ecx1 = bit_FMA | bit_OSXSAVE | bit_AVX;
	unsigned int needed_ecx7 = 0;
	switch (extra) {
		case cpu_extra::none:
			break;
		case cpu_extra::f16c:
			needed_ecx1 |= bit_F16C;
			break;
		case cpu_extra::popcnt:
			needed_ecx1 |= bit_POPCNT;
			break;
		// The AVX-512 extensions only exist on the avx512 level.
		case cpu_extra::avx512_vnni:
			needed_ecx7 = leaf7_ecx_avx512_vnni;
			break;
		case cpu_extra::avx512_vpopcntdq:
			needed_ecx7 = leaf7_ecx_avx512_vpopcntdq;
			break;
		case cpu_extra::neon_dotprod:
			return false;
	}
	if (needed_ecx7 != 0 && !avx512) {
		return false;
	}
	if ((ecx & needed_ecx1) != needed_ecx1) {
		return false;
	}
	const unsigned int xmm_ymm_state = 0x6;
	const unsigned int opmask_zmm_state = 0xe0;
	const unsigned int needed_xcr0 = avx512 ? xmm_ymm_state | opmask_zmm_state : xmm_ymm_state;
	if ((xcr0() & needed_xcr0) != needed_xcr0) {
		return false;
	}
	if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) {
		return false;
	}
	const unsigned int needed_ebx7 = avx512 ? bit_AVX2 | bit_AVX512F | bit_AVX512BW | bit_AVX512VL : bit_AVX2;
	return (ebx & needed_ebx7) == needed_ebx7 && (ecx & needed_ecx7) == needed_ecx7;
}
#endif

#if defined(RUVECTOR_HAVE_NEON)
// Advanced SIMD is part of every AArch64 CPU; the dot-product instructions (SDOT/UDOT) are
// optional and announced by the kernel in HWCAP.
bool arm_runs(cpu_extra extra)
{
	switch (extra) {
		case cpu_extra::none:
			return true;
		case cpu_extra::neon_dotprod:
			return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
		default:
			return false;
	}
}
#endif

} // namespace

bool cpu_can_run(simd_level level, cpu_extra extra)
{
	switch (level) {
		case simd_level::serial:
#if defined(RUVECTOR_HAVE_WASM_SIMD128)
		case simd_level::wasm_simd128:
#endif
			return extra == cpu_extra::none;
#if defined(RUVECTOR_HAVE_X86)
		case simd_level::avx2:
			return x86_runs(false, extra);
		case simd_level::avx512:
			return x86_runs(true, extra);
#endif
#if defined(RUVECTOR_HAVE_NEON)
		case simd_level::neon:
			return arm_runs(extra);
#endif
		default:
			// Not built into this binary.
			return false;
	}
}

} // namespace ruvector
