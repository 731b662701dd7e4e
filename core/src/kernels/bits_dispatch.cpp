// The bit kernels' tables and the choice between them. The active table starts with
// entries that pick a level on their first call (following the float kernels' level) and
// then forward, so nothing runs at load time and PostgreSQL's _PG_init needs no new call.
#include "ruvector/bits.hpp"

#if defined(RUVECTOR_HAVE_X86)
#include <cpuid.h>
#endif

namespace ruvector {

namespace {

std::uint64_t hamming_first_call(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
bit_overlap overlap_first_call(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);

constexpr bits_kernel_table serial_table{simd_level::serial, &hamming_bits_serial, &overlap_bits_serial};

#if defined(RUVECTOR_HAVE_X86)
constexpr bits_kernel_table avx2_table{simd_level::avx2, &hamming_bits_avx2, &overlap_bits_avx2};

// The float kernels' AVX2 check (CPU and OS state) plus POPCNT, which the tails use.
bool cpu_supports_avx2_popcnt()
{
	unsigned int eax = 0;
	unsigned int ebx = 0;
	unsigned int ecx = 0;
	unsigned int edx = 0;
	if (kernels_for(simd_level::avx2) == nullptr || __get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) {
		return false;
	}
	return (ecx & bit_POPCNT) != 0;
}
#endif

#if defined(RUVECTOR_HAVE_WASM_SIMD128)
constexpr bits_kernel_table wasm_simd128_table{simd_level::wasm_simd128, &hamming_bits_wasm_simd128,
                                               &overlap_bits_wasm_simd128};
#endif

// The float kernels' level if it has bit kernels, otherwise the best level available.
void install_first_choice()
{
	if (select_bits_kernels(active_kernels.level) || select_bits_kernels(detect_simd_level())) {
		return;
	}
	active_bits_kernels = serial_table;
}

std::uint64_t hamming_first_call(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	install_first_choice();
	return active_bits_kernels.hamming(a, b, bytes);
}

bit_overlap overlap_first_call(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	install_first_choice();
	return active_bits_kernels.overlap(a, b, bytes);
}

} // namespace

constinit bits_kernel_table active_bits_kernels{simd_level::serial, &hamming_first_call, &overlap_first_call};

const bits_kernel_table* bits_kernels_for(simd_level level)
{
	switch (level) {
		case simd_level::serial:
			return &serial_table;
#if defined(RUVECTOR_HAVE_X86)
		case simd_level::avx2:
			return cpu_supports_avx2_popcnt() ? &avx2_table : nullptr;
#endif
#if defined(RUVECTOR_HAVE_WASM_SIMD128)
		case simd_level::wasm_simd128:
			return &wasm_simd128_table;
#endif
		default:
			// No bit kernels at this level in this binary (avx512 and neon are not written).
			return nullptr;
	}
}

bool select_bits_kernels(simd_level level)
{
	const bits_kernel_table* table = bits_kernels_for(level);
	if (table == nullptr) {
		return false;
	}
	active_bits_kernels = *table;
	return true;
}

} // namespace ruvector
