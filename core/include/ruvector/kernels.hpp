// Distance kernels: one declaration per metric x element type x instruction set.
//
// Every kernel has a `_serial` twin, the reference the tests compare against. The
// unsuffixed entry points (l2sq_f32, dot_f32, ...) go through one dispatch table
// that select_kernels() fills once: at load time natively (CPUID), fixed at compile
// time in the WASM build (SIMD128 is part of the build target there).
//
// Numerics follow pgvector: sums are accumulated in float32 lanes; the final
// square root and cosine division are done in double. Summation order differs
// between levels, so results agree with the serial twin within a small relative
// tolerance, not bit for bit.
//
// Rules for everything in core/ (it also runs inside PGlite's side module):
// no exceptions, no RTTI, no function-local statics with dynamic initialisation,
// no I/O, no PostgreSQL.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ruvector {

enum class simd_level : std::uint8_t { serial, avx2, avx512, neon, wasm_simd128 };

// An instruction set a family's table needs beyond its level's baseline (cpu.hpp says what
// each level's baseline is). A family may list two tables for one level, the plain one
// first: dispatch takes the last one this CPU runs.
enum class cpu_extra : std::uint8_t { none, f16c, popcnt, avx512_vnni, avx512_vpopcntdq, neon_dotprod };

// Name used in logs, benchmarks and the RUVECTOR_SIMD environment variable.
const char* simd_level_name(simd_level level);

// Dot product and the two squared norms, computed in one pass for cosine distance.
struct cosine_parts {
	float dot;
	float norm_a;
	float norm_b;
};

using f32_distance_fn = float (*)(const float* a, const float* b, std::size_t n);
using f32_cosine_fn = cosine_parts (*)(const float* a, const float* b, std::size_t n);

// One query against many rows of n floats: out[i] = the one-pair kernel of the same table on
// (q, row i), bit for bit (the same sums in the same order). A batch reads rows stored one
// after another from `base` (a flat scan); a gather reads them through `rows` (an HNSW
// neighbour list). What they save is the call per pair: at 96 dims under V8 the indirect call,
// its signature check and the function's entry cost about as much as the arithmetic.
using f32_batch_fn = void (*)(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
using f32_gather_fn = void (*)(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
using f32_cosine_batch_fn = void (*)(const float* q, const float* base, std::size_t count, std::size_t n,
                                     cosine_parts* out);
using f32_cosine_gather_fn = void (*)(const float* q, const float* const* rows, std::size_t count, std::size_t n,
                                      cosine_parts* out);

struct kernel_table {
	simd_level level;
	cpu_extra needs;
	f32_distance_fn l2sq_f32; // sum (a-b)^2
	f32_distance_fn dot_f32;  // sum a*b
	f32_distance_fn l1_f32;   // sum |a-b|
	f32_cosine_fn cosine_f32; // dot, |a|^2, |b|^2
	f32_batch_fn l2sq_f32_batch;
	f32_batch_fn dot_f32_batch;
	f32_batch_fn l1_f32_batch;
	f32_cosine_batch_fn cosine_f32_batch;
	f32_gather_fn l2sq_f32_gather;
	f32_gather_fn dot_f32_gather;
	f32_gather_fn l1_f32_gather;
	f32_cosine_gather_fn cosine_f32_gather;
};

// The table in use. Constant-initialised to the best compile-time level, so it is
// valid before select_kernels() runs.
extern kernel_table active_kernels;

// Best level this CPU supports (CPUID natively; the compile-time level in WASM).
simd_level detect_simd_level();

// The table for a level, or nullptr when this build or CPU cannot run it.
const kernel_table* kernels_for(simd_level level);

// Install the table for `level`; returns false (and changes nothing) if unsupported.
bool select_kernels(simd_level level);

// Pick the level once: RUVECTOR_SIMD=serial|avx2|avx512|neon|wasm_simd128 if set
// and supported, otherwise detect_simd_level(). Returns the level chosen.
simd_level select_kernels_from_environment();

// ---- per-level kernels ---------------------------------------------------------
float l2sq_f32_serial(const float* a, const float* b, std::size_t n);
float dot_f32_serial(const float* a, const float* b, std::size_t n);
float l1_f32_serial(const float* a, const float* b, std::size_t n);
cosine_parts cosine_f32_serial(const float* a, const float* b, std::size_t n);
void l2sq_f32_batch_serial(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void dot_f32_batch_serial(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void l1_f32_batch_serial(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void cosine_f32_batch_serial(const float* q, const float* base, std::size_t count, std::size_t n, cosine_parts* out);
void l2sq_f32_gather_serial(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void dot_f32_gather_serial(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void l1_f32_gather_serial(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void cosine_f32_gather_serial(const float* q, const float* const* rows, std::size_t count, std::size_t n,
                              cosine_parts* out);

#if defined(__x86_64__) || defined(_M_X64)
#define RUVECTOR_HAVE_X86 1
float l2sq_f32_avx2(const float* a, const float* b, std::size_t n);
float dot_f32_avx2(const float* a, const float* b, std::size_t n);
float l1_f32_avx2(const float* a, const float* b, std::size_t n);
cosine_parts cosine_f32_avx2(const float* a, const float* b, std::size_t n);
void l2sq_f32_batch_avx2(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void dot_f32_batch_avx2(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void l1_f32_batch_avx2(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void cosine_f32_batch_avx2(const float* q, const float* base, std::size_t count, std::size_t n, cosine_parts* out);
void l2sq_f32_gather_avx2(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void dot_f32_gather_avx2(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void l1_f32_gather_avx2(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void cosine_f32_gather_avx2(const float* q, const float* const* rows, std::size_t count, std::size_t n,
                            cosine_parts* out);
float l2sq_f32_avx512(const float* a, const float* b, std::size_t n);
float dot_f32_avx512(const float* a, const float* b, std::size_t n);
float l1_f32_avx512(const float* a, const float* b, std::size_t n);
cosine_parts cosine_f32_avx512(const float* a, const float* b, std::size_t n);
void l2sq_f32_batch_avx512(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void dot_f32_batch_avx512(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void l1_f32_batch_avx512(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void cosine_f32_batch_avx512(const float* q, const float* base, std::size_t count, std::size_t n, cosine_parts* out);
void l2sq_f32_gather_avx512(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void dot_f32_gather_avx512(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void l1_f32_gather_avx512(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void cosine_f32_gather_avx512(const float* q, const float* const* rows, std::size_t count, std::size_t n,
                              cosine_parts* out);
#endif

#if defined(__aarch64__)
#define RUVECTOR_HAVE_NEON 1
float l2sq_f32_neon(const float* a, const float* b, std::size_t n);
float dot_f32_neon(const float* a, const float* b, std::size_t n);
float l1_f32_neon(const float* a, const float* b, std::size_t n);
cosine_parts cosine_f32_neon(const float* a, const float* b, std::size_t n);
void l2sq_f32_batch_neon(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void dot_f32_batch_neon(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void l1_f32_batch_neon(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void cosine_f32_batch_neon(const float* q, const float* base, std::size_t count, std::size_t n, cosine_parts* out);
void l2sq_f32_gather_neon(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void dot_f32_gather_neon(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void l1_f32_gather_neon(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void cosine_f32_gather_neon(const float* q, const float* const* rows, std::size_t count, std::size_t n,
                            cosine_parts* out);
#endif

#if defined(__wasm_simd128__)
#define RUVECTOR_HAVE_WASM_SIMD128 1
float l2sq_f32_wasm_simd128(const float* a, const float* b, std::size_t n);
float dot_f32_wasm_simd128(const float* a, const float* b, std::size_t n);
float l1_f32_wasm_simd128(const float* a, const float* b, std::size_t n);
cosine_parts cosine_f32_wasm_simd128(const float* a, const float* b, std::size_t n);
void l2sq_f32_batch_wasm_simd128(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void dot_f32_batch_wasm_simd128(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void l1_f32_batch_wasm_simd128(const float* q, const float* base, std::size_t count, std::size_t n, float* out);
void cosine_f32_batch_wasm_simd128(const float* q, const float* base, std::size_t count, std::size_t n,
                                   cosine_parts* out);
void l2sq_f32_gather_wasm_simd128(const float* q, const float* const* rows, std::size_t count, std::size_t n,
                                  float* out);
void dot_f32_gather_wasm_simd128(const float* q, const float* const* rows, std::size_t count, std::size_t n,
                                 float* out);
void l1_f32_gather_wasm_simd128(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out);
void cosine_f32_gather_wasm_simd128(const float* q, const float* const* rows, std::size_t count, std::size_t n,
                                    cosine_parts* out);
#endif

// ---- dispatched entry points ---------------------------------------------------
inline float l2sq_f32(const float* a, const float* b, std::size_t n)
{
	return active_kernels.l2sq_f32(a, b, n);
}
inline float dot_f32(const float* a, const float* b, std::size_t n)
{
	return active_kernels.dot_f32(a, b, n);
}
inline float l1_f32(const float* a, const float* b, std::size_t n)
{
	return active_kernels.l1_f32(a, b, n);
}
inline cosine_parts cosine_parts_f32(const float* a, const float* b, std::size_t n)
{
	return active_kernels.cosine_f32(a, b, n);
}

// Distances as SQL reports them (double, as pgvector computes them from float sums).
double l2_distance_f32(const float* a, const float* b, std::size_t n);
// 1 - cos, clamped to [0, 2]; NaN when either vector has zero norm.
double cosine_distance_f32(const float* a, const float* b, std::size_t n);
// sqrt(sum a^2), accumulated in double as pgvector's vector_norm does.
double norm_f32(const float* a, std::size_t n);

} // namespace ruvector
