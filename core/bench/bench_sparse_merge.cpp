// ns per pair of sparse vectors for each sparse kernel at every level this CPU runs, at 30,
// 100, 300 and 1000 non-zeros, with indices drawn from a 30522-word vocabulary (BERT's, as
// SPLADE uses), once with the overlap random vectors have and once with half of the indices
// shared. Names: "sparse_<metric>/<level>_<random|half_shared>/<nnz>".
// docs/PERFORMANCE.md states the results and which levels have a sparse table.
#include "ruvector/sparse.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace sparse_merge_bench {

namespace {

using ruvector::simd_level;
using ruvector::sparse_distance_fn;
using ruvector::sparse_view;

constexpr int vocabulary = 30522;
// Enough pairs that the branch predictor cannot learn the merge paths of the whole cycle.
constexpr std::size_t pair_count = 512;

struct sparse_vector {
	std::vector<std::int32_t> indices;
	std::vector<float> values;
	sparse_view view() const
	{
		return sparse_view{indices.data(), values.data(), indices.size()};
	}
};

// Sorted distinct indices; `shared` of them copied from `like` when given.
sparse_vector make_vector(std::mt19937& gen, std::size_t nnz, const sparse_vector* like, std::size_t shared)
{
	std::vector<std::int32_t> picked;
	if (like != nullptr) {
		std::vector<std::int32_t> pool = like->indices;
		std::shuffle(pool.begin(), pool.end(), gen);
		picked.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(shared));
	}
	std::uniform_int_distribution<int> index(0, vocabulary - 1);
	while (picked.size() < nnz) {
		const std::int32_t candidate = index(gen);
		if (std::find(picked.begin(), picked.end(), candidate) == picked.end()) {
			picked.push_back(candidate);
		}
	}
	std::sort(picked.begin(), picked.end());
	sparse_vector v;
	v.indices = picked;
	std::uniform_real_distribution<float> value(0.01F, 2.0F);
	for (std::size_t i = 0; i < nnz; i++) {
		v.values.push_back(value(gen));
	}
	return v;
}

void run(benchmark::State& state, sparse_distance_fn distance, std::size_t nnz, std::size_t shared)
{
	std::mt19937 gen(static_cast<unsigned>(nnz * 7 + shared));
	std::vector<sparse_vector> a;
	std::vector<sparse_vector> b;
	for (std::size_t k = 0; k < pair_count; k++) {
		a.push_back(make_vector(gen, nnz, nullptr, 0));
		b.push_back(make_vector(gen, nnz, &a.back(), shared));
	}
	std::size_t k = 0;
	for (auto _ : state) {
		benchmark::DoNotOptimize(distance(a[k].view(), b[k].view()));
		k = k + 1 == pair_count ? 0 : k + 1;
	}
}

struct metric {
	const char* name;
	sparse_distance_fn ruvector::sparse_kernel_table::*kernel;
};

} // namespace

// Registered from bench_kernels.cpp's main.
void register_benchmarks()
{
	const metric metrics[] = {{"sparse_dot", &ruvector::sparse_kernel_table::dot_sparse},
	                          {"sparse_l2sq", &ruvector::sparse_kernel_table::l2sq_sparse},
	                          {"sparse_l1", &ruvector::sparse_kernel_table::l1_sparse}};
	for (const metric& m : metrics) {
		for (const simd_level level : {simd_level::serial, simd_level::avx2, simd_level::avx512, simd_level::neon}) {
			const ruvector::sparse_kernel_table* table = ruvector::sparse_kernels_for(level);
			if (table == nullptr || table->level != level) {
				continue;
			}
			const sparse_distance_fn distance = table->*m.kernel;
			for (const std::size_t nnz : {std::size_t{30}, std::size_t{100}, std::size_t{300}, std::size_t{1000}}) {
				for (const bool half_shared : {false, true}) {
					const std::size_t shared = half_shared ? nnz / 2 : 0;
					const std::string name = std::string(m.name) + "/" + ruvector::simd_level_name(level) +
					                         (half_shared ? "_half_shared/" : "_random/") + std::to_string(nnz);
					benchmark::RegisterBenchmark(
					    name.c_str(), [distance, nnz, shared](benchmark::State& s) { run(s, distance, nnz, shared); });
				}
			}
		}
	}
}

} // namespace sparse_merge_bench
