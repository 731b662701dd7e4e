// HNSW build and search on 10k x 128 clustered vectors (L2, M 16, ef_construction 64):
// build time, then query time with recall@10 against brute force as a counter, per ef.
// RUVECTOR_BENCH_POINTS overrides the number of points (the ctest smoke run uses few).
#include "ruvector/hnsw.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

namespace {

constexpr std::size_t dim = 128;
constexpr std::size_t query_count = 500;
constexpr std::uint32_t k = 10;

struct workload {
	std::size_t count;
	std::vector<float> points;
	std::vector<float> queries;
	std::vector<std::vector<std::uint32_t>> truth;
	ruvector::hnsw_memory_graph graph;
};

std::size_t point_count()
{
	const char* value = std::getenv("RUVECTOR_BENCH_POINTS");
	return value != nullptr ? std::strtoul(value, nullptr, 10) : 10000;
}

// 100 Gaussian blobs (sigma 0.25) around centres uniform in [-1, 1]^128.
void fill_clustered(std::vector<float>& out, std::size_t n, const std::vector<float>& centres, std::mt19937& rng)
{
	std::normal_distribution<float> noise(0.0F, 0.25F);
	const std::size_t clusters = centres.size() / dim;
	out.resize(n * dim);
	for (std::size_t i = 0; i < n; i++) {
		const std::size_t c = rng() % clusters;
		for (std::size_t d = 0; d < dim; d++) {
			out[i * dim + d] = centres[c * dim + d] + noise(rng);
		}
	}
}

void build(workload& w)
{
	w.graph.init(dim, ruvector::metric::l2, ruvector::hnsw_params{});
	for (std::size_t i = 0; i < w.count; i++) {
		w.graph.add(&w.points[i * dim], i);
	}
}

workload& shared_workload()
{
	static std::unique_ptr<workload> w;
	if (w) {
		return *w;
	}
	w = std::make_unique<workload>();
	w->count = point_count();
	std::mt19937 rng(42);
	std::uniform_real_distribution<float> uniform(-1.0F, 1.0F);
	std::vector<float> centres(100 * dim);
	for (float& c : centres) {
		c = uniform(rng);
	}
	fill_clustered(w->points, w->count, centres, rng);
	fill_clustered(w->queries, query_count, centres, rng);
	std::vector<std::pair<float, std::uint32_t>> all(w->count);
	for (std::size_t q = 0; q < query_count; q++) {
		for (std::size_t i = 0; i < w->count; i++) {
			all[i] = {ruvector::l2sq_f32_serial(&w->queries[q * dim], &w->points[i * dim], dim),
			          static_cast<std::uint32_t>(i)};
		}
		std::partial_sort(all.begin(), all.begin() + k, all.end());
		std::vector<std::uint32_t> ids;
		for (std::uint32_t j = 0; j < k; j++) {
			ids.push_back(all[j].second);
		}
		w->truth.push_back(ids);
	}
	build(*w);
	return *w;
}

void bm_build(benchmark::State& state)
{
	workload& w = shared_workload();
	workload fresh;
	fresh.count = w.count;
	fresh.points = w.points;
	for (auto _ : state) {
		build(fresh);
		benchmark::DoNotOptimize(fresh.graph.size());
	}
	state.counters["points"] = static_cast<double>(fresh.count);
	state.counters["MB"] = static_cast<double>(fresh.graph.memory_bytes()) / (1 << 20);
	state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(fresh.count));
}

void bm_search(benchmark::State& state)
{
	workload& w = shared_workload();
	const auto ef = static_cast<std::uint32_t>(state.range(0));
	ruvector::candidate_list out;
	std::size_t hits = 0;
	std::size_t searched = 0;
	std::size_t q = 0;
	for (auto _ : state) {
		w.graph.search(&w.queries[q * dim], k, ef, out);
		for (std::size_t i = 0; i < out.size(); i++) {
			const auto id = static_cast<std::uint32_t>(w.graph.payloads(static_cast<std::uint32_t>(out[i].id))[0]);
			hits += static_cast<std::size_t>(std::count(w.truth[q].begin(), w.truth[q].end(), id));
		}
		searched++;
		q = (q + 1) % query_count;
	}
	state.counters["recall@10"] = static_cast<double>(hits) / static_cast<double>(searched * k);
	state.SetItemsProcessed(static_cast<std::int64_t>(searched));
}

} // namespace

BENCHMARK(bm_build)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(bm_search)->Arg(10)->Arg(20)->Arg(40)->Arg(80)->Arg(160)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
