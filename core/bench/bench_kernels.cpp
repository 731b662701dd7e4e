// ns per vector pair for every kernel at every level this CPU runs, plus the compiler's
// own loops (baseline.hpp), at the dimensions embedding models use. The vectors of one
// benchmark fit in 16 KiB, so this measures the kernels, not the memory system.
#include "baseline.hpp"
#include "ruvector/kernels.hpp"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <random>
#include <string>
#include <vector>

namespace {

using ruvector::f32_cosine_fn;
using ruvector::f32_distance_fn;

constexpr std::size_t dims[] = {100, 384, 768, 1536};
constexpr std::size_t floats_per_benchmark = 4096;

struct pair_set {
	std::size_t dim;
	std::size_t count;
	std::vector<float> a;
	std::vector<float> b;

	explicit pair_set(std::size_t d)
	    : dim(d), count(floats_per_benchmark / (2 * d) > 0 ? floats_per_benchmark / (2 * d) : 1)
	{
		std::mt19937 gen(static_cast<unsigned>(d));
		std::uniform_real_distribution<float> dist(-1.0F, 1.0F);
		a.resize(count * dim);
		b.resize(count * dim);
		for (float& x : a) {
			x = dist(gen);
		}
		for (float& x : b) {
			x = dist(gen);
		}
	}
};

// One pair per iteration, cycling through the set: the reported time is ns per pair.
template <typename Fn>
void run(benchmark::State& state, Fn fn, std::size_t dim)
{
	const pair_set pairs(dim);
	std::size_t k = 0;
	for (auto _ : state) {
		benchmark::DoNotOptimize(fn(pairs.a.data() + k * dim, pairs.b.data() + k * dim, dim));
		k = k + 1 == pairs.count ? 0 : k + 1;
	}
	state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
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
		                             [impl, dim](benchmark::State& s) { run(s, impl.l2sq, dim); });
		benchmark::RegisterBenchmark(("dot" + suffix).c_str(),
		                             [impl, dim](benchmark::State& s) { run(s, impl.dot, dim); });
		benchmark::RegisterBenchmark(("l1" + suffix).c_str(),
		                             [impl, dim](benchmark::State& s) { run(s, impl.l1, dim); });
		benchmark::RegisterBenchmark(("cosine" + suffix).c_str(),
		                             [impl, dim](benchmark::State& s) { run(s, impl.cosine, dim); });
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
		}
	}
	register_implementation(implementation{"plain_O3_native", &baseline_plain::l2sq, &baseline_plain::dot,
	                                       &baseline_plain::l1, &baseline_plain::cosine});
	register_implementation(implementation{"plain_O3_native_assoc", &baseline_assoc::l2sq, &baseline_assoc::dot,
	                                       &baseline_assoc::l1, &baseline_assoc::cosine});
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
