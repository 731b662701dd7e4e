// ns per vector pair for every kernel at every level this CPU runs, plus the compiler's
// own loops (baseline.hpp), at the dimensions embedding models use. The vectors of one
// pair benchmark fit in 16 KiB, so those measure the kernels, not the memory system.
// The scan benchmarks run the batch entry points (batch.hpp) over a block far larger than
// the last-level cache, next to a plain streaming read of the same bytes: their ratio is
// the share of the measured memory bandwidth a one-to-many scan reaches.
//
// Output (make core-bench writes it to build/bench/kernels-native.json): Google Benchmark's
// JSON. Each entry of "benchmarks" has "name" = "<kernel>/<level>/<dim>" and "cpu_time" in
// "time_unit" (ns), per pair for pair benchmarks. Kernels: l2sq, dot, l1, cosine (float32),
// l2sq_f16, dot_f16, l1_f16, cosine_f16, l2sq_i8, dot_i8, hamming and jaccard (dim = bits).
// Levels: serial, avx2, avx512, neon, plain_O3_native(_assoc) (the compiler's loops);
// call_only/plain_O3_native is a kernel that reads nothing, the harness's own cost per pair.
// <kernel>_batch/<level>/<dim> and dot_gather/...: one query against the pair set's second
// vectors through the table's batch (gather) kernel; ns per row = 1e9 / items_per_second.
// Scans: "scan_<kernel>/<level>/<dim>" and "memory_read/stream/<dim>", with "bytes_per_second"
// (bytes of vectors read per second); the rows start 16 bytes past a cache line, as rows on a
// PostgreSQL page do. sparse_<metric>/*: bench_sparse_merge.cpp.
#include "baseline.hpp"
#include "ruvector/batch.hpp"
#include "ruvector/bits.hpp"
#include "ruvector/half.hpp"
#include "ruvector/int8.hpp"
#include "ruvector/kernels.hpp"

#include "ruvector/cpu.hpp"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace sparse_merge_bench {
void register_benchmarks();
} // namespace sparse_merge_bench

namespace {

using ruvector::f32_cosine_fn;
using ruvector::f32_distance_fn;

constexpr std::size_t dims[] = {96, 384, 768, 1536};
constexpr std::size_t floats_per_benchmark = 4096;

// Values of each element type: floats in [-1, 1], halves of those, int8 codes in
// [-127, 127], random bytes of bits.
template <typename T>
T random_element(std::mt19937& gen)
{
	if constexpr (std::is_same_v<T, float>) {
		return std::uniform_real_distribution<float>(-1.0F, 1.0F)(gen);
	} else if constexpr (std::is_same_v<T, std::uint16_t>) {
		return ruvector::f32_to_f16(std::uniform_real_distribution<float>(-1.0F, 1.0F)(gen));
	} else if constexpr (std::is_same_v<T, std::int8_t>) {
		return static_cast<std::int8_t>(std::uniform_int_distribution<int>(-127, 127)(gen));
	} else {
		return static_cast<std::uint8_t>(std::uniform_int_distribution<int>(0, 255)(gen));
	}
}

template <typename T>
struct pair_set {
	std::size_t dim;
	std::size_t count;
	std::vector<T> a;
	std::vector<T> b;

	explicit pair_set(std::size_t d)
	    : dim(d), count(floats_per_benchmark / (2 * d) > 0 ? floats_per_benchmark / (2 * d) : 1)
	{
		std::mt19937 gen(static_cast<unsigned>(d));
		a.resize(count * dim);
		b.resize(count * dim);
		for (T& x : a) {
			x = random_element<T>(gen);
		}
		for (T& x : b) {
			x = random_element<T>(gen);
		}
	}
};

// One pair per iteration, cycling through the set: the reported time is ns per pair.
// `dim` counts elements of T (bytes for bits).
template <typename T, typename Fn>
void run(benchmark::State& state, Fn fn, std::size_t dim)
{
	const pair_set<T> pairs(dim);
	std::size_t k = 0;
	for (auto _ : state) {
		benchmark::DoNotOptimize(fn(pairs.a.data() + k * dim, pairs.b.data() + k * dim, dim));
		k = k + 1 == pairs.count ? 0 : k + 1;
	}
	state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// One query (the first a) against every b of the set per iteration, through a level's batch
// kernel (rows one after another) or gather kernel (the same rows through pointers, in
// reverse order). items_per_second counts rows: 1e9 / it is ns per row, to set beside ns per pair.
template <typename Out, typename Batch>
void run_batch(benchmark::State& state, Batch batch, std::size_t dim)
{
	const pair_set<float> pairs(dim);
	std::vector<Out> out(pairs.count);
	for (auto _ : state) {
		batch(pairs.a.data(), pairs.b.data(), pairs.count, dim, out.data());
		benchmark::DoNotOptimize(out.data());
		benchmark::ClobberMemory();
	}
	state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * pairs.count));
}

template <typename Out, typename Gather>
void run_gather(benchmark::State& state, Gather gather, std::size_t dim)
{
	const pair_set<float> pairs(dim);
	std::vector<const float*> rows(pairs.count);
	for (std::size_t i = 0; i < pairs.count; i++) {
		rows[i] = pairs.b.data() + (pairs.count - 1 - i) * dim;
	}
	std::vector<Out> out(pairs.count);
	for (auto _ : state) {
		gather(pairs.a.data(), rows.data(), pairs.count, dim, out.data());
		benchmark::DoNotOptimize(out.data());
		benchmark::ClobberMemory();
	}
	state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * pairs.count));
}

void register_batches(const char* level, const ruvector::kernel_table& t)
{
	for (const std::size_t dim : dims) {
		const std::string suffix = std::string("/") + level + "/" + std::to_string(dim);
		benchmark::RegisterBenchmark(("l2sq_batch" + suffix).c_str(),
		                             [&t, dim](benchmark::State& s) { run_batch<float>(s, t.l2sq_f32_batch, dim); });
		benchmark::RegisterBenchmark(("dot_batch" + suffix).c_str(),
		                             [&t, dim](benchmark::State& s) { run_batch<float>(s, t.dot_f32_batch, dim); });
		benchmark::RegisterBenchmark(("l1_batch" + suffix).c_str(),
		                             [&t, dim](benchmark::State& s) { run_batch<float>(s, t.l1_f32_batch, dim); });
		benchmark::RegisterBenchmark(("cosine_batch" + suffix).c_str(), [&t, dim](benchmark::State& s) {
			run_batch<ruvector::cosine_parts>(s, t.cosine_f32_batch, dim);
		});
		benchmark::RegisterBenchmark(("dot_gather" + suffix).c_str(),
		                             [&t, dim](benchmark::State& s) { run_gather<float>(s, t.dot_f32_gather, dim); });
	}
}

struct implementation {
	std::string name;
	f32_distance_fn l2sq;
	f32_distance_fn dot;
	f32_distance_fn l1;
	f32_cosine_fn cosine;
};

void register_implementation(const implementation& impl)
{
	for (const std::size_t dim : dims) {
		const std::string suffix = "/" + impl.name + "/" + std::to_string(dim);
		benchmark::RegisterBenchmark(("l2sq" + suffix).c_str(),
		                             [impl, dim](benchmark::State& s) { run<float>(s, impl.l2sq, dim); });
		benchmark::RegisterBenchmark(("dot" + suffix).c_str(),
		                             [impl, dim](benchmark::State& s) { run<float>(s, impl.dot, dim); });
		benchmark::RegisterBenchmark(("l1" + suffix).c_str(),
		                             [impl, dim](benchmark::State& s) { run<float>(s, impl.l1, dim); });
		benchmark::RegisterBenchmark(("cosine" + suffix).c_str(),
		                             [impl, dim](benchmark::State& s) { run<float>(s, impl.cosine, dim); });
	}
}

template <typename T, typename Fn>
void register_pairs(const std::string& kernel, const char* level, Fn fn, std::size_t elements_per_dim_unit = 1)
{
	for (const std::size_t dim : dims) {
		const std::size_t elements = dim / elements_per_dim_unit;
		benchmark::RegisterBenchmark((kernel + "/" + level + "/" + std::to_string(dim)).c_str(),
		                             [fn, elements](benchmark::State& s) { run<T>(s, fn, elements); });
	}
}

// Scans read 512 MiB of vectors, far beyond any last-level cache; RUVECTOR_BENCH_SCAN_MIB
// overrides it (the smoke test in ctest uses a small block).
std::size_t scan_bytes()
{
	const char* mib = std::getenv("RUVECTOR_BENCH_SCAN_MIB");
	return (mib != nullptr ? std::strtoull(mib, nullptr, 10) : 512) << 20;
}

// A block of vectors larger than the caches, shared by every scan benchmark of one type
// (allocated on first use, so `--benchmark_filter` runs that skip scans stay small). It
// starts 16 bytes past a 64-byte line: rows on PostgreSQL pages are 8-byte aligned at best.
template <typename T>
struct scan_rows {
	std::vector<T> storage;
	const T* data;
	std::size_t size;
};

template <typename T>
const scan_rows<T>& scan_block()
{
	static const scan_rows<T> block = [] {
		constexpr std::size_t offset_elements = 16 / sizeof(T);
		const std::size_t count = scan_bytes() / sizeof(T);
		scan_rows<T> rows{std::vector<T>(count + 64 / sizeof(T) + offset_elements), nullptr, count};
		T* start = rows.storage.data();
		while (reinterpret_cast<std::uintptr_t>(start) % 64 != 0) {
			start++;
		}
		start += offset_elements;
		std::mt19937 gen(7);
		for (std::size_t i = 0; i < count; i++) {
			start[i] = random_element<T>(gen);
		}
		rows.data = start;
		return rows;
	}();
	return block;
}

// One query against every vector of the block per iteration, in batches of scan_batch_rows rows
// whose results are consumed before the next batch (as a flat scan feeds its top-k heap), so the
// results stay in L1. A single batch over the whole block would also stream its results to
// memory: for 384-bit rows that is 8 bytes written per 48 read, and the write stream, not the
// kernel, then limited the scan (docs/PERFORMANCE.md).
constexpr std::size_t scan_batch_rows = 512;

template <typename T, typename Out, typename Batch>
void run_scan(benchmark::State& state, ruvector::simd_level level, Batch batch, std::size_t dim)
{
	const scan_rows<T>& block = scan_block<T>();
	const std::size_t n = block.size / dim;
	std::vector<Out> out(scan_batch_rows);
	const ruvector::kernel_table saved = ruvector::active_kernels;
	ruvector::select_kernels(level);
	ruvector::select_half_kernels(level);
	ruvector::select_int8_kernels(level);
	ruvector::select_bits_kernels(level);
	for (auto _ : state) {
		for (std::size_t first = 0; first < n; first += scan_batch_rows) {
			const std::size_t rows = n - first < scan_batch_rows ? n - first : scan_batch_rows;
			batch(block.data, block.data + first * dim, rows, dim, out.data());
			benchmark::DoNotOptimize(out.data());
			benchmark::ClobberMemory();
		}
	}
	ruvector::active_kernels = saved;
	state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * dim * sizeof(T)));
}

// The memory system's own pace on the same block: a streaming read that adds every 64-bit
// word, four independent sums so the adds never wait on each other.
void run_memory_read(benchmark::State& state)
{
	const scan_rows<float>& block = scan_block<float>();
	const auto* words = reinterpret_cast<const std::uint64_t*>(block.data);
	const std::size_t count = block.size * sizeof(float) / sizeof(std::uint64_t);
	for (auto _ : state) {
		std::uint64_t s0 = 0;
		std::uint64_t s1 = 0;
		std::uint64_t s2 = 0;
		std::uint64_t s3 = 0;
		for (std::size_t i = 0; i + 4 <= count; i += 4) {
			s0 += words[i];
			s1 += words[i + 1];
			s2 += words[i + 2];
			s3 += words[i + 3];
		}
		benchmark::DoNotOptimize(s0 + s1 + s2 + s3);
	}
	state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * count * sizeof(std::uint64_t)));
}

void register_scans(ruvector::simd_level level)
{
	const char* name = ruvector::simd_level_name(level);
	for (const std::size_t dim : {std::size_t{384}, std::size_t{1536}}) {
		const std::string suffix = std::string("/") + name + "/" + std::to_string(dim);
		benchmark::RegisterBenchmark(("scan_dot_f32" + suffix).c_str(), [level, dim](benchmark::State& s) {
			run_scan<float, float>(s, level, ruvector::dot_f32_batch, dim);
		})->Unit(benchmark::kMillisecond);
		benchmark::RegisterBenchmark(("scan_cosine_f32" + suffix).c_str(), [level, dim](benchmark::State& s) {
			run_scan<float, ruvector::cosine_parts>(s, level, ruvector::cosine_f32_batch, dim);
		})->Unit(benchmark::kMillisecond);
		benchmark::RegisterBenchmark(("scan_dot_f16" + suffix).c_str(), [level, dim](benchmark::State& s) {
			run_scan<std::uint16_t, float>(s, level, ruvector::dot_f16_batch, dim);
		})->Unit(benchmark::kMillisecond);
		benchmark::RegisterBenchmark(("scan_dot_i8" + suffix).c_str(), [level, dim](benchmark::State& s) {
			run_scan<std::int8_t, std::int32_t>(s, level, ruvector::dot_i8_batch, dim);
		})->Unit(benchmark::kMillisecond);
		// dim bits: the same row count as the float scans, 1/32 of the bytes
		benchmark::RegisterBenchmark(("scan_hamming" + suffix).c_str(), [level, dim](benchmark::State& s) {
			run_scan<std::uint8_t, std::uint64_t>(s, level, ruvector::hamming_bits_batch, dim / 8);
		})->Unit(benchmark::kMillisecond);
		benchmark::RegisterBenchmark(("scan_jaccard" + suffix).c_str(), [level, dim](benchmark::State& s) {
			run_scan<std::uint8_t, ruvector::bit_overlap>(s, level, ruvector::overlap_bits_batch, dim / 8);
		})->Unit(benchmark::kMillisecond);
	}
}

} // namespace

int main(int argc, char** argv)
{
	benchmark::Initialize(&argc, argv);
	for (const ruvector::simd_level level : {ruvector::simd_level::serial, ruvector::simd_level::avx2,
	                                         ruvector::simd_level::avx512, ruvector::simd_level::neon}) {
		const ruvector::kernel_table* table = ruvector::kernels_for(level);
		if (table != nullptr) {
			register_implementation(implementation{ruvector::simd_level_name(level), table->l2sq_f32, table->dot_f32,
			                                       table->l1_f32, table->cosine_f32});
			register_batches(ruvector::simd_level_name(level), *table);
		}
	}
	for (const ruvector::simd_level level : {ruvector::simd_level::serial, ruvector::simd_level::avx2,
	                                         ruvector::simd_level::avx512, ruvector::simd_level::neon}) {
		const char* name = ruvector::simd_level_name(level);
		if (const ruvector::half_kernel_table* t = ruvector::half_kernels_for(level)) {
			register_pairs<std::uint16_t>("l2sq_f16", name, t->l2sq_f16);
			register_pairs<std::uint16_t>("dot_f16", name, t->dot_f16);
			register_pairs<std::uint16_t>("l1_f16", name, t->l1_f16);
			register_pairs<std::uint16_t>("cosine_f16", name, t->cosine_f16);
		}
		if (const ruvector::int8_kernel_table* t = ruvector::int8_kernels_for(level)) {
			register_pairs<std::int8_t>("l2sq_i8", name, t->l2sq_i8);
			register_pairs<std::int8_t>("dot_i8", name, t->dot_i8);
		}
		if (const ruvector::bits_kernel_table* t = ruvector::bits_kernels_for(level)) {
			register_pairs<std::uint8_t>("hamming", name, t->hamming, 8);
			register_pairs<std::uint8_t>("jaccard", name, t->overlap, 8);
		}
		if (ruvector::kernels_for(level) != nullptr) {
			register_scans(level);
		}
	}
	for (const std::size_t dim : {std::size_t{384}, std::size_t{1536}}) {
		benchmark::RegisterBenchmark(("memory_read/stream/" + std::to_string(dim)).c_str(), run_memory_read)
		    ->Unit(benchmark::kMillisecond);
	}
	register_implementation(implementation{"plain_O3_native", &baseline_plain::l2sq, &baseline_plain::dot,
	                                       &baseline_plain::l1, &baseline_plain::cosine});
	register_implementation(implementation{"plain_O3_native_assoc", &baseline_assoc::l2sq, &baseline_assoc::dot,
	                                       &baseline_assoc::l1, &baseline_assoc::cosine});
	register_pairs<float>("call_only", "plain_O3_native", &baseline_plain::call_only);
	sparse_merge_bench::register_benchmarks();
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
