// Standalone WASM module over the core kernels, for the Node tests and benchmarks in
// this folder. No libc is linked: the module imports getenv from JavaScript (so tests can
// set RUVECTOR_SIMD; allowed by imports.txt) and provides the two string routines
// dispatch.cpp calls. Built with -fno-builtin so those loops stay loops.
// Vectors live in `arena`; JavaScript writes them through the exported memory.
#include "ruvector/batch.hpp"
#include "ruvector/bits.hpp"
#include "ruvector/half.hpp"
#include "ruvector/int8.hpp"
#include "ruvector/kernels.hpp"
#include "ruvector/sparse.hpp"

#include <cstddef>

#define RV_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

constexpr std::size_t arena_floats = 1 << 16;
alignas(64) float arena[arena_floats];
// getenv results are copied here by the JavaScript side; the C string must outlive the call.
char env_value[64];

const ruvector::kernel_table* table_for(int level)
{
	return ruvector::kernels_for(static_cast<ruvector::simd_level>(level));
}

enum metric : int { metric_l2sq = 0, metric_dot = 1, metric_l1 = 2, metric_cosine = 3 };

float run_metric(const ruvector::kernel_table& t, int m, const float* a, const float* b, std::size_t n)
{
	switch (m) {
		case metric_l2sq:
			return t.l2sq_f32(a, b, n);
		case metric_dot:
			return t.dot_f32(a, b, n);
		case metric_l1:
			return t.l1_f32(a, b, n);
		default: {
			const ruvector::cosine_parts p = t.cosine_f32(a, b, n);
			return p.dot + p.norm_a + p.norm_b;
		}
	}
}

// One sparse distance between two blobs (sparse.hpp's layout: nnz, indices, values):
// m = 0 for l2sq, 1 for dot, 2 for l1.
float run_sparse(const ruvector::sparse_kernel_table& t, int m, const void* a, const void* b)
{
	const ruvector::sparse_view x = ruvector::read_sparse_blob(a);
	const ruvector::sparse_view y = ruvector::read_sparse_blob(b);
	switch (m) {
		case metric_l2sq:
			return t.l2sq_sparse(x, y);
		case metric_dot:
			return t.dot_sparse(x, y);
		default:
			return t.l1_sparse(x, y);
	}
}

} // namespace

extern "C" {

// Called by std::string_view in dispatch.cpp.
std::size_t strlen(const char* s)
{
	std::size_t n = 0;
	while (s[n] != '\0') {
		n++;
	}
	return n;
}

int memcmp(const void* x, const void* y, std::size_t n)
{
	const auto* p = static_cast<const unsigned char*>(x);
	const auto* q = static_cast<const unsigned char*>(y);
	for (std::size_t i = 0; i < n; i++) {
		if (p[i] != q[i]) {
			return p[i] < q[i] ? -1 : 1;
		}
	}
	return 0;
}

} // extern "C"

RV_EXPORT float* rv_arena()
{
	return arena;
}

RV_EXPORT std::size_t rv_arena_floats()
{
	return arena_floats;
}

RV_EXPORT char* rv_env_value()
{
	return env_value;
}

RV_EXPORT int rv_has_level(int level)
{
	return table_for(level) != nullptr ? 1 : 0;
}

RV_EXPORT float rv_l2sq(int level, const float* a, const float* b, std::size_t n)
{
	return table_for(level)->l2sq_f32(a, b, n);
}

// One query against `count` vectors stored one after another: the distance pass of an exact
// scan with nothing else around it (the benchmark's floor). Returns the sum so it is not elided.
RV_EXPORT float rv_l2sq_scan(int level, const float* query, const float* base, std::size_t count, std::size_t n)
{
	const ruvector::kernel_table* table = table_for(level);
	float sum = 0;
	for (std::size_t i = 0; i < count; i++) {
		sum += table->l2sq_f32(query, base + i * n, n);
	}
	return sum;
}

RV_EXPORT float rv_dot(int level, const float* a, const float* b, std::size_t n)
{
	return table_for(level)->dot_f32(a, b, n);
}

RV_EXPORT float rv_l1(int level, const float* a, const float* b, std::size_t n)
{
	return table_for(level)->l1_f32(a, b, n);
}

// Writes dot, |a|^2, |b|^2 to out[0..2].
RV_EXPORT void rv_cosine(int level, const float* a, const float* b, std::size_t n, float* out)
{
	const ruvector::cosine_parts p = table_for(level)->cosine_f32(a, b, n);
	out[0] = p.dot;
	out[1] = p.norm_a;
	out[2] = p.norm_b;
}

RV_EXPORT int rv_has_half_level(int level)
{
	return ruvector::half_kernels_for(static_cast<ruvector::simd_level>(level)) != nullptr ? 1 : 0;
}

// Writes l2sq, dot, l1, then the cosine sums (dot, |a|^2, |b|^2) of two half vectors to out[0..5].
RV_EXPORT void rv_half(int level, const std::uint16_t* a, const std::uint16_t* b, std::size_t n, float* out)
{
	const ruvector::half_kernel_table& t = *ruvector::half_kernels_for(static_cast<ruvector::simd_level>(level));
	const ruvector::cosine_parts p = t.cosine_f16(a, b, n);
	out[0] = t.l2sq_f16(a, b, n);
	out[1] = t.dot_f16(a, b, n);
	out[2] = t.l1_f16(a, b, n);
	out[3] = p.dot;
	out[4] = p.norm_a;
	out[5] = p.norm_b;
}

RV_EXPORT int rv_has_bits_level(int level)
{
	return ruvector::bits_kernels_for(static_cast<ruvector::simd_level>(level)) != nullptr ? 1 : 0;
}

// Writes popcount(a ^ b), popcount(a & b), popcount(a | b) to out[0..2] (doubles: exact below 2^53).
RV_EXPORT void rv_bits(int level, const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes, double* out)
{
	const ruvector::bits_kernel_table& t = *ruvector::bits_kernels_for(static_cast<ruvector::simd_level>(level));
	const ruvector::bit_overlap o = t.overlap(a, b, bytes);
	out[0] = static_cast<double>(t.hamming(a, b, bytes));
	out[1] = static_cast<double>(o.both);
	out[2] = static_cast<double>(o.either);
}

// A level's bit batches over rows `stride` bytes apart: row i's popcount(q ^ row), popcount(q & row),
// popcount(q | row) to out[3i..3i+2].
RV_EXPORT void rv_bits_batch(int level, const std::uint8_t* q, const std::uint8_t* base, std::size_t count,
                             std::size_t bytes, std::size_t stride, double* out)
{
	const ruvector::bits_kernel_table& t = *ruvector::bits_kernels_for(static_cast<ruvector::simd_level>(level));
	constexpr std::size_t chunk = 16;
	std::uint64_t differ[chunk];
	ruvector::bit_overlap overlap[chunk];
	for (std::size_t first = 0; first < count; first += chunk) {
		const std::size_t rows = count - first < chunk ? count - first : chunk;
		t.hamming_batch(q, base + first * stride, rows, bytes, stride, differ);
		t.overlap_batch(q, base + first * stride, rows, bytes, stride, overlap);
		for (std::size_t i = 0; i < rows; i++) {
			out[3 * (first + i)] = static_cast<double>(differ[i]);
			out[3 * (first + i) + 1] = static_cast<double>(overlap[i].both);
			out[3 * (first + i) + 2] = static_cast<double>(overlap[i].either);
		}
	}
}

// The float32 batches at the active level: l1 into out[i], cosine sums into out[3i..3i+2].
RV_EXPORT void rv_l1_batch(const float* q, const float* base, std::size_t count, std::size_t n, float* out)
{
	ruvector::l1_f32_batch(q, base, count, n, out);
}

RV_EXPORT void rv_cosine_batch(const float* q, const float* base, std::size_t count, std::size_t n, float* out)
{
	constexpr std::size_t chunk = 16;
	ruvector::cosine_parts parts[chunk];
	for (std::size_t first = 0; first < count; first += chunk) {
		const std::size_t rows = count - first < chunk ? count - first : chunk;
		ruvector::cosine_f32_batch(q, base + first * n, rows, n, parts);
		for (std::size_t i = 0; i < rows; i++) {
			out[3 * (first + i)] = parts[i].dot;
			out[3 * (first + i) + 1] = parts[i].norm_a;
			out[3 * (first + i) + 2] = parts[i].norm_b;
		}
	}
}

RV_EXPORT int rv_has_int8_level(int level)
{
	return ruvector::int8_kernels_for(static_cast<ruvector::simd_level>(level)) != nullptr ? 1 : 0;
}

RV_EXPORT std::int32_t rv_l2sq_i8(int level, const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	return ruvector::int8_kernels_for(static_cast<ruvector::simd_level>(level))->l2sq_i8(a, b, n);
}

RV_EXPORT std::int32_t rv_dot_i8(int level, const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	return ruvector::int8_kernels_for(static_cast<ruvector::simd_level>(level))->dot_i8(a, b, n);
}

// The dispatched int8 entry points (resolved on first call, following the f32 level).
RV_EXPORT std::int32_t rv_l2sq_i8_dispatched(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	return ruvector::l2sq_i8(a, b, n);
}

RV_EXPORT int rv_active_int8_level()
{
	return static_cast<int>(ruvector::active_int8_kernels.level);
}

RV_EXPORT double rv_l2_distance(const float* a, const float* b, std::size_t n)
{
	return ruvector::l2_distance_f32(a, b, n);
}

RV_EXPORT double rv_cosine_distance(const float* a, const float* b, std::size_t n)
{
	return ruvector::cosine_distance_f32(a, b, n);
}

RV_EXPORT double rv_norm(const float* a, std::size_t n)
{
	return ruvector::norm_f32(a, n);
}

RV_EXPORT int rv_active_level()
{
	return static_cast<int>(ruvector::active_kernels.level);
}

RV_EXPORT int rv_detect_level()
{
	return static_cast<int>(ruvector::detect_simd_level());
}

RV_EXPORT int rv_select(int level)
{
	return ruvector::select_kernels(static_cast<ruvector::simd_level>(level)) ? 1 : 0;
}

RV_EXPORT int rv_select_from_environment()
{
	return static_cast<int>(ruvector::select_kernels_from_environment());
}

// The int8 twin of rv_bench: m = 0 for l2sq_i8, 1 for dot_i8, over int8 pairs.
RV_EXPORT std::int32_t rv_bench_i8(int level, int m, const std::int8_t* data, std::size_t n, std::size_t pairs,
                                   std::size_t iterations)
{
	const ruvector::int8_kernel_table& t = *ruvector::int8_kernels_for(static_cast<ruvector::simd_level>(level));
	const ruvector::i8_distance_fn fn = m == 0 ? t.l2sq_i8 : t.dot_i8;
	std::int32_t sink = 0;
	std::size_t k = 0;
	for (std::size_t it = 0; it < iterations; it++) {
		const std::int8_t* a = data + 2 * k * n;
		sink += fn(a, a + n, n);
		k = k + 1 == pairs ? 0 : k + 1;
	}
	return sink;
}

RV_EXPORT int rv_has_sparse_level(int level)
{
	return ruvector::sparse_kernels_for(static_cast<ruvector::simd_level>(level)) != nullptr ? 1 : 0;
}

RV_EXPORT float rv_sparse(int level, int m, const void* a, const void* b)
{
	return run_sparse(*ruvector::sparse_kernels_for(static_cast<ruvector::simd_level>(level)), m, a, b);
}

// The dispatched sparse entry points (resolved on first call, following the f32 level).
RV_EXPORT float rv_dot_sparse_dispatched(const void* a, const void* b)
{
	return ruvector::dot_sparse(ruvector::read_sparse_blob(a), ruvector::read_sparse_blob(b));
}

RV_EXPORT int rv_active_sparse_level()
{
	return static_cast<int>(ruvector::active_sparse_kernels.level);
}

// The sparse twin of rv_bench: pair k is the blobs at base + offsets[2k] and base + offsets[2k + 1].
RV_EXPORT float rv_bench_sparse(int level, int m, const std::uint8_t* base, const std::uint32_t* offsets,
                                std::size_t pairs, std::size_t iterations)
{
	const ruvector::sparse_kernel_table& t = *ruvector::sparse_kernels_for(static_cast<ruvector::simd_level>(level));
	float sink = 0.0F;
	std::size_t k = 0;
	for (std::size_t it = 0; it < iterations; it++) {
		sink += run_sparse(t, m, base + offsets[2 * k], base + offsets[2 * k + 1]);
		k = k + 1 == pairs ? 0 : k + 1;
	}
	return sink;
}

// Benchmark loop inside WASM, so the JS-to-WASM call is not what gets timed: `iterations`
// calls cycling over `pairs` consecutive (a, b) pairs of n floats starting at `data`.
RV_EXPORT float rv_bench(int level, int m, const float* data, std::size_t n, std::size_t pairs, std::size_t iterations)
{
	const ruvector::kernel_table& t = *table_for(level);
	float sink = 0.0F;
	std::size_t k = 0;
	for (std::size_t it = 0; it < iterations; it++) {
		const float* a = data + 2 * k * n;
		sink += run_metric(t, m, a, a + n, n);
		k = k + 1 == pairs ? 0 : k + 1;
	}
	return sink;
}

// The float16 and bit twins of rv_bench: m = 0..3 for l2sq, dot, l1, cosine over half pairs;
// m = 0 for Hamming, 1 for the Jaccard counts over pairs of `bytes`.
RV_EXPORT float rv_bench_half(int level, int m, const std::uint16_t* data, std::size_t n, std::size_t pairs,
                              std::size_t iterations)
{
	const ruvector::half_kernel_table& t = *ruvector::half_kernels_for(static_cast<ruvector::simd_level>(level));
	float sink = 0.0F;
	std::size_t k = 0;
	for (std::size_t it = 0; it < iterations; it++) {
		const std::uint16_t* a = data + 2 * k * n;
		const std::uint16_t* b = a + n;
		switch (m) {
			case metric_l2sq:
				sink += t.l2sq_f16(a, b, n);
				break;
			case metric_dot:
				sink += t.dot_f16(a, b, n);
				break;
			case metric_l1:
				sink += t.l1_f16(a, b, n);
				break;
			default: {
				const ruvector::cosine_parts p = t.cosine_f16(a, b, n);
				sink += p.dot + p.norm_a + p.norm_b;
			}
		}
		k = k + 1 == pairs ? 0 : k + 1;
	}
	return sink;
}

RV_EXPORT double rv_bench_bits(int level, int m, const std::uint8_t* data, std::size_t bytes, std::size_t pairs,
                               std::size_t iterations)
{
	const ruvector::bits_kernel_table& t = *ruvector::bits_kernels_for(static_cast<ruvector::simd_level>(level));
	std::uint64_t sink = 0;
	std::size_t k = 0;
	for (std::size_t it = 0; it < iterations; it++) {
		const std::uint8_t* a = data + 2 * k * bytes;
		if (m == 0) {
			sink += t.hamming(a, a + bytes, bytes);
		} else {
			const ruvector::bit_overlap o = t.overlap(a, a + bytes, bytes);
			sink += o.both + o.either;
		}
		k = k + 1 == pairs ? 0 : k + 1;
	}
	return static_cast<double>(sink);
}

// The batch twin of rv_bench_bits: `iterations` rows in all, as batches of up to 512 rows (the
// pairs' bytes, back to back) against the first row; ns per row compares with ns per pair.
RV_EXPORT double rv_bench_bits_batch(int level, int m, const std::uint8_t* data, std::size_t bytes, std::size_t pairs,
                                     std::size_t iterations)
{
	const ruvector::bits_kernel_table& t = *ruvector::bits_kernels_for(static_cast<ruvector::simd_level>(level));
	constexpr std::size_t max_rows = 512;
	std::uint64_t differ[max_rows];
	ruvector::bit_overlap overlap[max_rows];
	const std::size_t rows = 2 * pairs < max_rows ? 2 * pairs : max_rows;
	std::uint64_t sink = 0;
	for (std::size_t done = 0; done < iterations; done += rows) {
		const std::size_t count = iterations - done < rows ? iterations - done : rows;
		if (m == 0) {
			t.hamming_batch(data, data, count, bytes, bytes, differ);
			sink += differ[0];
		} else {
			t.overlap_batch(data, data, count, bytes, bytes, overlap);
			sink += overlap[0].both + overlap[0].either;
		}
	}
	return static_cast<double>(sink);
}

// The float32 batch (rows one after another from base) and gather (rows at the addresses in
// `rows`) kernels of a level: m = 0..3 for l2sq, dot, l1, cosine; cosine writes its three sums
// per row to out[3i..3i+2], the others one float per row.
RV_EXPORT void rv_f32_batch(int level, int m, const float* q, const float* base, std::size_t count, std::size_t n,
                            float* out)
{
	const ruvector::kernel_table& t = *table_for(level);
	switch (m) {
		case metric_l2sq:
			t.l2sq_f32_batch(q, base, count, n, out);
			break;
		case metric_dot:
			t.dot_f32_batch(q, base, count, n, out);
			break;
		case metric_l1:
			t.l1_f32_batch(q, base, count, n, out);
			break;
		default:
			static_assert(sizeof(ruvector::cosine_parts) == 3 * sizeof(float));
			t.cosine_f32_batch(q, base, count, n, reinterpret_cast<ruvector::cosine_parts*>(out));
	}
}

RV_EXPORT void rv_f32_gather(int level, int m, const float* q, const float* const* rows, std::size_t count,
                             std::size_t n, float* out)
{
	const ruvector::kernel_table& t = *table_for(level);
	switch (m) {
		case metric_l2sq:
			t.l2sq_f32_gather(q, rows, count, n, out);
			break;
		case metric_dot:
			t.dot_f32_gather(q, rows, count, n, out);
			break;
		case metric_l1:
			t.l1_f32_gather(q, rows, count, n, out);
			break;
		default:
			t.cosine_f32_gather(q, rows, count, n, reinterpret_cast<ruvector::cosine_parts*>(out));
	}
}

// The batch twin of rv_bench: `iterations` rows in all, as batches of `pairs` rows (the b halves
// of rv_bench's pairs, so the same bytes) against the first a; ns per row compares with ns per pair.
RV_EXPORT float rv_bench_batch(int level, int m, const float* data, std::size_t n, std::size_t pairs,
                               std::size_t iterations)
{
	constexpr std::size_t max_rows = 512;
	float out[3 * max_rows];
	const std::size_t rows = 2 * pairs < max_rows ? 2 * pairs : max_rows;
	float sink = 0.0F;
	for (std::size_t done = 0; done < iterations; done += rows) {
		const std::size_t count = iterations - done < rows ? iterations - done : rows;
		rv_f32_batch(level, m, data, data, count, n, out);
		sink += out[0];
	}
	return sink;
}
