// The f16 kernel tables and their selection, plus the double-returning distances.
// Tables are constant-initialised; the active one starts as a set of resolvers that
// pick a table on the first call. No constructors run at load time and there are no
// function-local statics, so this works inside a PGlite side module.
#include "ruvector/half.hpp"

#include <cmath>

#if defined(RUVECTOR_HAVE_X86)
#include <cpuid.h>
#endif

namespace ruvector {

namespace {

constexpr half_kernel_table serial_half_table{simd_level::serial, &l2sq_f16_serial, &dot_f16_serial, &l1_f16_serial,
                                              &cosine_f16_serial};

#if defined(RUVECTOR_HAVE_X86)
constexpr half_kernel_table avx2_half_table{simd_level::avx2, &l2sq_f16_avx2, &dot_f16_avx2, &l1_f16_avx2,
                                            &cosine_f16_avx2};

// AVX2, FMA and F16C in the CPU, and YMM state saved by the OS (OSXSAVE and XCR0 bits 1-2).
bool cpu_supports_avx2_f16c()
{
	unsigned int eax = 0;
	unsigned int ebx = 0;
	unsigned int ecx = 0;
	unsigned int edx = 0;
	if (__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx) == 0) {
		return false;
	}
	const unsigned int needed_ecx = bit_FMA | bit_OSXSAVE | bit_AVX | bit_F16C;
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
constexpr half_kernel_table wasm_simd128_half_table{simd_level::wasm_simd128, &l2sq_f16_wasm_simd128,
                                                    &dot_f16_wasm_simd128, &l1_f16_wasm_simd128,
                                                    &cosine_f16_wasm_simd128};
#endif

// The f32 level decides (it honours RUVECTOR_SIMD); a CPU with AVX2 but no F16C gets serial.
void resolve()
{
	if (!select_half_kernels(active_kernels.level)) {
		active_half_kernels = serial_half_table;
	}
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

constinit half_kernel_table active_half_kernels{simd_level::serial, &l2sq_resolve, &dot_resolve, &l1_resolve,
                                                &cosine_resolve};

const half_kernel_table* half_kernels_for(simd_level level)
{
	switch (level) {
		case simd_level::serial:
			return &serial_half_table;
#if defined(RUVECTOR_HAVE_X86)
		case simd_level::avx2:
			return cpu_supports_avx2_f16c() ? &avx2_half_table : nullptr;
#endif
#if defined(RUVECTOR_HAVE_WASM_SIMD128)
		case simd_level::wasm_simd128:
			return &wasm_simd128_half_table;
#endif
		default:
			return nullptr;
	}
}

bool select_half_kernels(simd_level level)
{
	const half_kernel_table* table = half_kernels_for(level);
	if (table == nullptr) {
		return false;
	}
	active_half_kernels = *table;
	return true;
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
