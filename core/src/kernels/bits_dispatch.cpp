// The bit kernels' tables and the choice between them. The active table starts with
// entries that pick a level on their first call (following the float kernels' level) and
// then forward, so nothing runs at load time and PostgreSQL's _PG_init needs no new call.
#include "ruvector/bits.hpp"
#include "ruvector/cpu.hpp"

namespace ruvector {

namespace {

std::uint64_t hamming_first_call(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
bit_overlap overlap_first_call(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes);
void hamming_batch_first_call(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                              std::size_t stride, std::uint64_t* out);
void overlap_batch_first_call(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                              std::size_t stride, bit_overlap* out);

// One table per level built into this binary, serial first (install_following_f32 falls back to it).
constexpr bits_kernel_table tables[] = {
    {simd_level::serial, cpu_extra::none, &hamming_bits_serial, &overlap_bits_serial, &hamming_bits_batch_serial,
     &overlap_bits_batch_serial},
#if defined(RUVECTOR_HAVE_X86)
    {simd_level::avx2, cpu_extra::popcnt, &hamming_bits_avx2, &overlap_bits_avx2, &hamming_bits_batch_avx2,
     &overlap_bits_batch_avx2},
    {simd_level::avx512, cpu_extra::avx512_vpopcntdq, &hamming_bits_avx512, &overlap_bits_avx512,
     &hamming_bits_batch_avx512, &overlap_bits_batch_avx512},
#endif
#if defined(RUVECTOR_HAVE_NEON)
    {simd_level::neon, cpu_extra::none, &hamming_bits_neon, &overlap_bits_neon, &hamming_bits_batch_neon,
     &overlap_bits_batch_neon},
#endif
#if defined(RUVECTOR_HAVE_WASM_SIMD128)
    {simd_level::wasm_simd128, cpu_extra::none, &hamming_bits_wasm_simd128, &overlap_bits_wasm_simd128,
     &hamming_bits_batch_wasm_simd128, &overlap_bits_batch_wasm_simd128},
#endif
};

// The float kernels' level if it has bit kernels, otherwise the best level available.
// The AVX2 tails count with POPCNT.
void install_first_choice()
{
	install_following_f32(active_bits_kernels, tables);
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

void hamming_batch_first_call(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                              std::size_t stride, std::uint64_t* out)
{
	install_first_choice();
	active_bits_kernels.hamming_batch(q, base, count, bytes, stride, out);
}

void overlap_batch_first_call(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                              std::size_t stride, bit_overlap* out)
{
	install_first_choice();
	active_bits_kernels.overlap_batch(q, base, count, bytes, stride, out);
}

} // namespace

constinit bits_kernel_table active_bits_kernels{simd_level::serial,        cpu_extra::none,
                                                &hamming_first_call,       &overlap_first_call,
                                                &hamming_batch_first_call, &overlap_batch_first_call};

const bits_kernel_table* bits_kernels_for(simd_level level)
{
	// nullptr where there are no bit kernels at this level in this binary, or this CPU lacks what they need.
	return table_for_level(tables, level);
}

bool select_bits_kernels(simd_level level)
{
	return install_table(active_bits_kernels, bits_kernels_for(level));
}

} // namespace ruvector
