// HNSW against exact answers: recall@10 versus brute force for every metric, duplicate
// handling through payload lists, neighbour selection on a configuration worked out by
// hand, determinism, the level distribution, the host hooks, the shared graph of a
// parallel build under concurrent inserts from several threads, and the reachability
// repair after a build (on plain arrays and on both graphs).
#include "ruvector/bits.hpp"
#include "ruvector/half.hpp"
#include "ruvector/hnsw.hpp"
#include "ruvector/hnsw_links.hpp"
#include "ruvector/hnsw_repair.hpp"
#include "ruvector/hnsw_shared.hpp"
#include "ruvector/sparse.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <random>
#include <set>
#include <thread>
#include <vector>

namespace {

using ruvector::candidate_list;
using ruvector::hnsw_candidate;
using ruvector::hnsw_memory_graph;
using ruvector::hnsw_params;
using ruvector::metric;

constexpr std::uint32_t k = 10;

struct dataset {
	std::size_t dim;
	std::vector<float> points;
	std::vector<float> queries;
	std::size_t count() const
	{
		return points.size() / dim;
	}
	std::size_t query_count() const
	{
		return queries.size() / dim;
	}
};

void normalize(float* v, std::size_t dim)
{
	double norm = 0.0;
	for (std::size_t i = 0; i < dim; i++) {
		norm += static_cast<double>(v[i]) * v[i];
	}
	const auto scale = static_cast<float>(1.0 / std::sqrt(norm));
	for (std::size_t i = 0; i < dim; i++) {
		v[i] *= scale;
	}
}

// Uniform in [-1, 1]^dim, or Gaussian blobs (sigma 0.1) around `clusters` uniform centres.
// Queries come from the same distribution but are not points of the data set.
dataset make_dataset(std::size_t count, std::size_t queries, std::size_t dim, std::size_t clusters, bool unit,
                     std::uint32_t seed)
{
	std::mt19937 rng(seed);
	std::uniform_real_distribution<float> uniform(-1.0F, 1.0F);
	std::normal_distribution<float> noise(0.0F, 0.1F);
	std::vector<float> centres(clusters * dim);
	for (float& c : centres) {
		c = uniform(rng);
	}
	auto fill = [&](std::vector<float>& out, std::size_t n) {
		out.resize(n * dim);
		for (std::size_t i = 0; i < n; i++) {
			float* v = &out[i * dim];
			const std::size_t centre = clusters == 0 ? 0 : rng() % clusters;
			for (std::size_t d = 0; d < dim; d++) {
				v[d] = clusters == 0 ? uniform(rng) : centres[centre * dim + d] + noise(rng);
			}
			if (unit) {
				normalize(v, dim);
			}
		}
	};
	dataset data{dim, {}, {}};
	fill(data.points, count);
	fill(data.queries, queries);
	return data;
}

// Exact k nearest point indices per query, by the serial kernels in double where it matters.
double reference_distance(metric kind, const float* a, const float* b, std::size_t dim)
{
	double sum = 0.0;
	for (std::size_t i = 0; i < dim; i++) {
		const double x = a[i];
		const double y = b[i];
		switch (kind) {
			case metric::l2:
				sum += (x - y) * (x - y);
				break;
			case metric::inner_product:
			case metric::cosine:
				sum -= x * y;
				break;
			case metric::l1:
				sum += std::fabs(x - y);
				break;
			case metric::hamming:
			case metric::jaccard:
				ADD_FAILURE() << "no float reference for bit metrics";
				break;
		}
	}
	return kind == metric::cosine ? 1.0 + sum : sum;
}

std::vector<std::vector<std::uint64_t>> brute_force(const dataset& data, metric kind)
{
	std::vector<std::vector<std::uint64_t>> truth(data.query_count());
	std::vector<std::pair<double, std::uint64_t>> all(data.count());
	for (std::size_t q = 0; q < data.query_count(); q++) {
		for (std::size_t i = 0; i < data.count(); i++) {
			all[i] = {reference_distance(kind, &data.queries[q * data.dim], &data.points[i * data.dim], data.dim), i};
		}
		std::partial_sort(all.begin(), all.begin() + k, all.end());
		for (std::uint32_t j = 0; j < k; j++) {
			truth[q].push_back(all[j].second);
		}
	}
	return truth;
}

void build(hnsw_memory_graph& graph, const dataset& data, metric kind, const hnsw_params& params)
{
	graph.init(data.dim, kind, params);
	for (std::size_t i = 0; i < data.count(); i++) {
		graph.add(&data.points[i * data.dim], i);
	}
}

template <class Graph>
double recall(Graph& graph, const dataset& data, const std::vector<std::vector<std::uint64_t>>& truth, std::uint32_t ef)
{
	candidate_list out;
	std::size_t hits = 0;
	for (std::size_t q = 0; q < data.query_count(); q++) {
		graph.search(&data.queries[q * data.dim], k, ef, out);
		EXPECT_EQ(out.size(), k);
		for (std::size_t i = 0; i < out.size(); i++) {
			if (i > 0) {
				EXPECT_LE(out[i - 1].distance, out[i].distance);
			}
			const auto node = static_cast<std::uint32_t>(out[i].id);
			EXPECT_EQ(graph.payload_count(node), 1);
			const std::uint64_t payload = graph.payloads(node)[0];
			hits += static_cast<std::size_t>(std::count(truth[q].begin(), truth[q].end(), payload));
		}
	}
	return static_cast<double>(hits) / static_cast<double>(data.query_count() * k);
}

struct recall_case {
	metric kind;
	std::size_t dim;
	std::size_t clusters;   // 0: uniform
	std::uint32_t bound_ef; // from this ef on, recall@10 must reach
	double bound;
};

std::string case_name(const testing::TestParamInfo<recall_case>& info)
{
	static const char* const names[] = {"l2", "ip", "cosine", "l1"};
	return std::string(names[static_cast<int>(info.param.kind)]) + "_d" + std::to_string(info.param.dim) +
	       (info.param.clusters == 0 ? "_uniform" : "_clustered");
}

// Named in ctest's test list instead of a byte dump.
void PrintTo(const recall_case& c, std::ostream* out)
{
	*out << case_name({c, 0});
}

class hnsw_recall : public testing::TestWithParam<recall_case> {};

// 4000 points, 100 queries. Recall grows with ef (the build is deterministic; the small
// tolerance is for the rare query a wider beam leads elsewhere) and reaches the bound.
TEST_P(hnsw_recall, grows_with_ef_and_reaches_bound)
{
	const recall_case& c = GetParam();
	const dataset data = make_dataset(4000, 100, c.dim, c.clusters, c.kind == metric::cosine,
	                                  static_cast<std::uint32_t>(c.dim * 7 + c.clusters));
	const auto truth = brute_force(data, c.kind);
	hnsw_memory_graph graph;
	build(graph, data, c.kind, hnsw_params{});
	ASSERT_EQ(graph.size(), data.count());

	const std::uint32_t efs[] = {10, 20, 40, 100, 200};
	double previous = 0.0;
	for (const std::uint32_t ef : efs) {
		const double r = recall(graph, data, truth, ef);
		RecordProperty("recall_ef" + std::to_string(ef), std::to_string(r));
		std::printf("%s ef %u recall@10 %.3f\n", case_name({c, 0}).c_str(), ef, r);
		EXPECT_GE(r, previous - 0.01) << "ef " << ef;
		if (ef >= c.bound_ef) {
			EXPECT_GE(r, c.bound) << "ef " << ef;
		}
		previous = r;
	}
}

INSTANTIATE_TEST_SUITE_P(
    metrics, hnsw_recall,
    testing::Values(recall_case{metric::l2, 8, 0, 40, 0.99}, recall_case{metric::l2, 32, 20, 40, 0.98},
                    recall_case{metric::l2, 128, 20, 40, 0.98}, recall_case{metric::l2, 128, 0, 200, 0.95},
                    recall_case{metric::inner_product, 32, 20, 40, 0.98},
                    recall_case{metric::inner_product, 128, 0, 200, 0.95},
                    recall_case{metric::cosine, 32, 20, 40, 0.98}, recall_case{metric::cosine, 128, 0, 200, 0.95},
                    recall_case{metric::l1, 8, 0, 40, 0.99}, recall_case{metric::l1, 32, 20, 40, 0.98}),
    case_name);

TEST(hnsw_graph, empty_graph_finds_nothing)
{
	hnsw_memory_graph graph;
	graph.init(4, metric::l2, hnsw_params{});
	const float query[4] = {1, 2, 3, 4};
	candidate_list out;
	out.push_back(hnsw_candidate{1.0F, 7});
	graph.search(query, 10, 40, out);
	EXPECT_TRUE(out.empty());
	EXPECT_EQ(graph.size(), 0U);
	EXPECT_EQ(graph.max_level(), -1);
}

TEST(hnsw_graph, one_node)
{
	hnsw_memory_graph graph;
	graph.init(3, metric::l2, hnsw_params{});
	const float v[3] = {1, 2, 3};
	EXPECT_EQ(graph.add(v, 42), 0U);
	EXPECT_EQ(graph.size(), 1U);
	EXPECT_EQ(graph.max_level(), graph.level(0));
	EXPECT_EQ(graph.entry_point(), 0U);
	for (int l = 0; l <= graph.level(0); l++) {
		EXPECT_EQ(graph.neighbor_count(0, l), 0U);
	}
	const float query[3] = {1, 2, 5};
	candidate_list out;
	graph.search(query, 10, 1, out);
	ASSERT_EQ(out.size(), 1U);
	EXPECT_EQ(out[0].id, 0U);
	EXPECT_EQ(out[0].distance, 4.0F);
	EXPECT_EQ(graph.payloads(0)[0], 42U);
	EXPECT_TRUE(std::equal(std::begin(v), std::end(v), graph.vector(0)));
}

// A node holds 10 copies, so 51 copies take six nodes; a search with ef 1 and k 6 returns
// every copy through the payload lists.
TEST(hnsw_graph, duplicates_share_nodes)
{
	for (const metric kind : {metric::l2, metric::cosine}) {
		constexpr std::size_t dim = 16;
		dataset data = make_dataset(500, 0, dim, 5, true, 99);
		const std::vector<float> copy(data.points.begin(), data.points.begin() + dim);
		hnsw_memory_graph graph;
		graph.init(dim, kind, hnsw_params{});
		std::set<std::uint32_t> dup_nodes;
		for (std::uint64_t i = 0; i < 500; i++) {
			graph.add(&data.points[i * dim], i);
			if (i % 10 == 0) {
				// 50 copies interleaved with the others, payloads 1000..1049
				dup_nodes.insert(graph.add(copy.data(), 1000 + i / 10));
			}
		}
		// point 0 is itself a copy: 51 copies over 6 nodes, 500 + 50 payloads in all
		EXPECT_EQ(dup_nodes.size(), 6U);
		EXPECT_EQ(graph.size(), 499U + 6U);
		std::size_t payloads = 0;
		for (std::uint32_t n = 0; n < graph.size(); n++) {
			payloads += static_cast<std::size_t>(graph.payload_count(n));
		}
		EXPECT_EQ(payloads, 550U);

		candidate_list out;
		graph.search(copy.data(), 6, 1, out);
		std::set<std::uint64_t> found;
		for (std::size_t i = 0; i < out.size(); i++) {
			const auto node = static_cast<std::uint32_t>(out[i].id);
			EXPECT_TRUE(std::equal(copy.begin(), copy.end(), graph.vector(node)));
			found.insert(graph.payloads(node), graph.payloads(node) + graph.payload_count(node));
		}
		std::set<std::uint64_t> expected{0};
		for (std::uint64_t i = 0; i < 50; i++) {
			expected.insert(1000 + i);
		}
		EXPECT_EQ(found, expected);

		for (const std::uint32_t n : dup_nodes) {
			EXPECT_EQ(graph.payload_count(n), n == *dup_nodes.rbegin() ? 1 : ruvector::hnsw_max_payloads);
		}
		graph.search(copy.data(), 1, 1, out);
		ASSERT_EQ(out.size(), 1U);
		EXPECT_TRUE(dup_nodes.count(static_cast<std::uint32_t>(out[0].id)) == 1);
	}
}

// Points in the plane with squared L2, for hnsw_select_neighbors.
struct plane_graph {
	std::vector<std::pair<float, float>> points;
	float distance(std::uint64_t a, std::uint64_t b)
	{
		const float dx = points[a].first - points[b].first;
		const float dy = points[a].second - points[b].second;
		return dx * dx + dy * dy;
	}
};

// Base at the origin; A (1,0) dist 1; C (0,1.5) dist 2.25; B (2,0) dist 4; D (-3,0) dist 9.
// A kept. C: |C-A|^2 = 3.25 > 2.25, kept. B: |B-A|^2 = 1 < 4, dropped (A shadows it).
// D: |D-A|^2 = 16, |D-C|^2 = 11.25, both > 9, kept. E (1,0) duplicates A: |E-A|^2 = 0 < 1, dropped.
TEST(hnsw_select_neighbors, keeps_the_expected_set)
{
	plane_graph graph{{{0, 0}, {1, 0}, {2, 0}, {0, 1.5F}, {-3, 0}, {1, 0}}};
	const hnsw_candidate sorted[] = {{1, 1}, {1, 5}, {2.25F, 3}, {4, 2}, {9, 4}};
	hnsw_candidate kept[5];
	ASSERT_EQ(ruvector::hnsw_select_neighbors(graph, sorted, 5, 5, kept, false), 3U);
	EXPECT_EQ(kept[0].id, 1U);
	EXPECT_EQ(kept[1].id, 3U);
	EXPECT_EQ(kept[2].id, 4U);
	EXPECT_EQ(kept[2].distance, 9.0F);

	// At most m, in order; in place.
	hnsw_candidate in_place[5];
	std::copy(std::begin(sorted), std::end(sorted), in_place);
	ASSERT_EQ(ruvector::hnsw_select_neighbors(graph, in_place, 5, 2, in_place, false), 2U);
	EXPECT_EQ(in_place[0].id, 1U);
	EXPECT_EQ(in_place[1].id, 3U);

	// A tie, as near to a kept one as to the base, keeps the candidate: (0.5, 1) is at
	// 1.25 from both the base and (1, 0). Nudged nearer to (1, 0), it is dropped.
	plane_graph tie{{{0, 0}, {1, 0}, {0.5F, 1}, {0.75F, 1}}};
	const hnsw_candidate tie_sorted[] = {{1, 1}, {1.25F, 2}};
	EXPECT_EQ(ruvector::hnsw_select_neighbors(tie, tie_sorted, 2, 4, kept, false), 2U);
	const hnsw_candidate nudged_sorted[] = {{1, 1}, {1.5625F, 3}}; // |(0.75,1)-(1,0)|^2 = 1.0625
	EXPECT_EQ(ruvector::hnsw_select_neighbors(tie, nudged_sorted, 2, 4, kept, false), 1U);
}

// keepPrunedConnections: the heuristic's picks first, then the pruned ones nearest first.
TEST(hnsw_select_neighbors, fills_with_pruned_candidates)
{
	plane_graph graph{{{0, 0}, {1, 0}, {2, 0}, {0, 1.5F}, {-3, 0}, {1, 0}}};
	const hnsw_candidate sorted[] = {{1, 1}, {1, 5}, {2.25F, 3}, {4, 2}, {9, 4}};
	hnsw_candidate kept[5];
	ASSERT_EQ(ruvector::hnsw_select_neighbors(graph, sorted, 5, 5, kept, true), 5U);
	const std::uint64_t expected[] = {1, 3, 4, 5, 2};
	for (int i = 0; i < 5; i++) {
		EXPECT_EQ(kept[i].id, expected[i]) << i;
	}

	// Room for one pruned candidate only; in place, where kept overwrites the pruned ones.
	hnsw_candidate in_place[5];
	std::copy(std::begin(sorted), std::end(sorted), in_place);
	ASSERT_EQ(ruvector::hnsw_select_neighbors(graph, in_place, 5, 4, in_place, true), 4U);
	EXPECT_EQ(in_place[3].id, 5U);
	EXPECT_EQ(in_place[3].distance, 1.0F);
}

TEST(hnsw_graph, same_seed_same_graph)
{
	const dataset data = make_dataset(1500, 0, 16, 10, false, 5);
	hnsw_memory_graph a;
	hnsw_memory_graph b;
	hnsw_memory_graph c;
	build(a, data, metric::l2, hnsw_params{});
	build(b, data, metric::l2, hnsw_params{});
	hnsw_params other;
	other.seed = 12345;
	build(c, data, metric::l2, other);
	ASSERT_EQ(a.size(), b.size());
	EXPECT_EQ(a.entry_point(), b.entry_point());
	EXPECT_EQ(a.max_level(), b.max_level());
	bool levels_differ = false;
	for (std::uint32_t n = 0; n < a.size(); n++) {
		ASSERT_EQ(a.level(n), b.level(n));
		levels_differ = levels_differ || a.level(n) != c.level(n);
		for (int l = 0; l <= a.level(n); l++) {
			ASSERT_EQ(a.neighbor_count(n, l), b.neighbor_count(n, l));
			EXPECT_TRUE(std::equal(a.neighbors(n, l), a.neighbors(n, l) + a.neighbor_count(n, l), b.neighbors(n, l)));
		}
	}
	EXPECT_TRUE(levels_differ);
}

// Structural invariants: link counts within capacity, links point to other nodes that
// exist on that level, no link twice; layer 0 is connected from the entry point.
TEST(hnsw_graph, links_are_well_formed)
{
	const dataset data = make_dataset(2000, 0, 8, 0, false, 11);
	hnsw_params params;
	params.m = 4;
	params.ef_construction = 16;
	hnsw_memory_graph graph;
	build(graph, data, metric::l2, params);
	for (std::uint32_t n = 0; n < graph.size(); n++) {
		for (int l = 0; l <= graph.level(n); l++) {
			const std::uint32_t count = graph.neighbor_count(n, l);
			ASSERT_LE(count, ruvector::hnsw_level_capacity(params.m, l));
			// Placed link by link, each list is what the heuristic with the fill keeps over it
			EXPECT_TRUE(graph.links_consistent(n, l)) << "node " << n << " level " << l;
			std::set<std::uint32_t> seen;
			for (std::uint32_t i = 0; i < count; i++) {
				const std::uint32_t to = graph.neighbors(n, l)[i];
				ASSERT_LT(to, graph.size());
				EXPECT_NE(to, n);
				EXPECT_GE(graph.level(to), l);
				EXPECT_TRUE(seen.insert(to).second);
			}
		}
	}
	EXPECT_EQ(graph.level(graph.entry_point()), graph.max_level());
	std::vector<bool> reached(graph.size());
	std::vector<std::uint32_t> stack{graph.entry_point()};
	reached[graph.entry_point()] = true;
	std::size_t count = 1;
	while (!stack.empty()) {
		const std::uint32_t n = stack.back();
		stack.pop_back();
		for (std::uint32_t i = 0; i < graph.neighbor_count(n, 0); i++) {
			const std::uint32_t to = graph.neighbors(n, 0)[i];
			if (!reached[to]) {
				reached[to] = true;
				count++;
				stack.push_back(to);
			}
		}
	}
	EXPECT_GE(count, graph.size() * 99 / 100);
}

// P(level >= l) = M^-l, so the mean level is sum_l M^-l = 1/(M-1) (the continuous
// -ln(u)/ln(M) before flooring has mean 1/ln(M)). 200k draws: standard error of the mean
// about 0.0006 for M = 16; the tolerances are several times that.
TEST(hnsw_random_level, follows_the_geometric_law)
{
	for (const std::uint32_t m : {2U, 16U}) {
		std::uint64_t state = 777;
		constexpr int draws = 200000;
		std::vector<int> at_least(ruvector::hnsw_max_level + 2, 0);
		double sum = 0.0;
		for (int i = 0; i < draws; i++) {
			const int level = ruvector::hnsw_random_level(state, m);
			ASSERT_GE(level, 0);
			ASSERT_LE(level, ruvector::hnsw_max_level);
			sum += level;
			for (int l = 0; l <= level; l++) {
				at_least[l]++;
			}
		}
		const double mean = sum / draws;
		EXPECT_NEAR(mean, 1.0 / (m - 1.0), m == 2 ? 0.02 : 0.004) << "M " << m;
		for (int l = 1; l <= 3; l++) {
			const double expected = std::pow(static_cast<double>(m), -l);
			const double sigma = std::sqrt(expected * (1 - expected) / draws);
			EXPECT_NEAR(static_cast<double>(at_least[l]) / draws, expected, 5 * sigma + 1e-5)
			    << "M " << m << " l " << l;
		}
	}
	// The same state gives the same sequence.
	std::uint64_t s1 = 1;
	std::uint64_t s2 = 1;
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(ruvector::hnsw_random_level(s1, 16), ruvector::hnsw_random_level(s2, 16));
	}
}

TEST(visited_set, marks_once_per_walk_across_epoch_wraparound)
{
	ruvector::visited_set visited;
	visited.reserve(10);
	EXPECT_TRUE(visited.insert(3));
	EXPECT_FALSE(visited.insert(3));
	visited.reserve(1000); // keeps the marks
	EXPECT_FALSE(visited.insert(3));
	EXPECT_TRUE(visited.insert(999));
	for (int walk = 0; walk < 70000; walk++) {
		visited.next_walk();
		ASSERT_TRUE(visited.insert(static_cast<std::size_t>(walk % 7)));
		ASSERT_FALSE(visited.insert(static_cast<std::size_t>(walk % 7)));
		ASSERT_TRUE(visited.insert(999));
	}
}

TEST(candidate_list, grows_and_sorts_by_distance_then_id)
{
	candidate_list list;
	for (std::uint64_t i = 0; i < 1000; i++) {
		list.push_back(hnsw_candidate{static_cast<float>((i * 7919) % 100), 1000 - i});
	}
	ASSERT_EQ(list.size(), 1000U);
	ruvector::sort_candidates(list.data(), list.size());
	for (std::size_t i = 1; i < list.size(); i++) {
		ASSERT_TRUE(list[i - 1].distance < list[i].distance ||
		            (list[i - 1].distance == list[i].distance && list[i - 1].id < list[i].id));
	}
}

// Test hooks: count calls and keep a header with each block's size, so the bytes still
// held are known exactly.
struct hook_counts {
	std::size_t allocations = 0;
	std::size_t deallocations = 0;
	std::size_t bytes_held = 0;
	std::size_t interrupts = 0;
};
hook_counts counts;

void* counting_allocate(std::size_t bytes)
{
	counts.allocations++;
	counts.bytes_held += bytes;
	auto* block = static_cast<std::size_t*>(std::malloc(bytes + 16));
	block[0] = bytes;
	return reinterpret_cast<char*>(block) + 16;
}

void counting_deallocate(void* pointer)
{
	counts.deallocations++;
	auto* block = reinterpret_cast<std::size_t*>(static_cast<char*>(pointer) - 16);
	counts.bytes_held -= block[0];
	std::free(block);
}

void counting_check_interrupts()
{
	counts.interrupts++;
}

TEST(host_hooks, every_allocation_goes_through_the_hooks)
{
	const ruvector::host_hooks saved = ruvector::host;
	counts = hook_counts{};
	ruvector::set_host_hooks({&counting_allocate, &counting_deallocate, &counting_check_interrupts});
	{
		const dataset data = make_dataset(1000, 10, 24, 4, false, 3);
		hnsw_memory_graph graph;
		build(graph, data, metric::l2, hnsw_params{});
		EXPECT_EQ(graph.memory_bytes(), counts.bytes_held);
		EXPECT_GE(counts.interrupts, data.count());
		candidate_list out;
		const std::size_t before_search = counts.interrupts;
		graph.search(data.queries.data(), 10, 400, out);
		EXPECT_EQ(out.size(), 10U);
		// A wide search expands many nodes and checks for interrupts on the way.
		EXPECT_GT(counts.interrupts, before_search);
		EXPECT_EQ(graph.memory_bytes() + out.capacity() * sizeof(hnsw_candidate), counts.bytes_held);
		EXPECT_GT(counts.allocations, 10U);
		// Vectors and links (the arena) dominate: at least the raw vectors.
		EXPECT_GE(graph.memory_bytes(), data.count() * data.dim * sizeof(float));
	}
	EXPECT_EQ(counts.bytes_held, 0U);
	EXPECT_EQ(counts.allocations, counts.deallocations);
	ruvector::set_host_hooks(saved);
}

} // namespace

// Spaces: which pairs exist, their sizes, and HNSW over float16 and bit vectors
// against brute force by the same space's distance.
TEST(vector_space, pairs_and_sizes)
{
	using ruvector::element_kind;
	using ruvector::make_space;
	EXPECT_EQ(make_space(element_kind::f32, metric::l2, 10).bytes, 40U);
	EXPECT_EQ(make_space(element_kind::f16, metric::cosine, 11).bytes, 22U);
	EXPECT_EQ(make_space(element_kind::bit, metric::hamming, 9).bytes, 2U);
	EXPECT_FALSE(make_space(element_kind::bit, metric::l2, 8).valid());
	EXPECT_FALSE(make_space(element_kind::f32, metric::jaccard, 8).valid());
	EXPECT_FALSE(make_space(element_kind::f16, metric::hamming, 8).valid());

	// Hamming and Jaccard by hand: 1100 0000 vs 1010 0000, 9 bits (second byte all zero).
	const std::uint8_t a[] = {0xC0, 0x00};
	const std::uint8_t b[] = {0xA0, 0x00};
	EXPECT_EQ(make_space(element_kind::bit, metric::hamming, 9)(a, b), 2.0F);
	EXPECT_FLOAT_EQ(make_space(element_kind::bit, metric::jaccard, 9)(a, b), 1.0F - 1.0F / 3.0F);
}

namespace {

// Recall@10 of a graph over `count` stored vectors of a space, against an exact scan.
double space_recall(const ruvector::vector_space& space, const std::vector<std::uint8_t>& stored,
                    const std::vector<std::uint8_t>& queries, std::size_t count, std::size_t query_count)
{
	hnsw_memory_graph graph;
	graph.init(space, hnsw_params{});
	for (std::size_t i = 0; i < count; i++) {
		graph.add(&stored[i * space.bytes], i);
	}
	std::size_t found = 0;
	candidate_list out;
	for (std::size_t q = 0; q < query_count; q++) {
		const void* query = &queries[q * space.bytes];
		std::vector<std::pair<float, std::uint64_t>> exact;
		for (std::size_t i = 0; i < count; i++) {
			exact.emplace_back(space(query, &stored[i * space.bytes]), i);
		}
		std::sort(exact.begin(), exact.end());
		graph.search(query, 10, 80, out);
		// Ties at the 10th distance count as found: any of them is a right answer.
		const float tenth = exact[9].first;
		for (std::size_t r = 0; r < out.size(); r++) {
			const std::uint32_t node = static_cast<std::uint32_t>(out[r].id);
			found += space(query, graph.data(node)) <= tenth ? 1 : 0;
		}
	}
	return static_cast<double>(found) / static_cast<double>(10 * query_count);
}

} // namespace

TEST(vector_space, hnsw_over_float16)
{
	const std::size_t dim = 24;
	const dataset data = make_dataset(1500, 50, dim, 10, false, 11);
	std::vector<std::uint8_t> stored(data.count() * dim * 2);
	std::vector<std::uint8_t> queries(data.query_count() * dim * 2);
	auto* s = reinterpret_cast<std::uint16_t*>(stored.data());
	auto* q = reinterpret_cast<std::uint16_t*>(queries.data());
	for (std::size_t i = 0; i < data.points.size(); i++) {
		s[i] = ruvector::f32_to_f16(data.points[i]);
	}
	for (std::size_t i = 0; i < data.queries.size(); i++) {
		q[i] = ruvector::f32_to_f16(data.queries[i]);
	}
	for (const metric kind : {metric::l2, metric::inner_product, metric::l1}) {
		const auto space = ruvector::make_space(ruvector::element_kind::f16, kind, dim);
		EXPECT_GE(space_recall(space, stored, queries, data.count(), data.query_count()), 0.95);
	}
}

TEST(vector_space, hnsw_over_bits)
{
	const std::size_t bits = 128;
	const dataset data = make_dataset(1500, 50, bits, 10, false, 12);
	const std::size_t bytes = bits / 8;
	std::vector<std::uint8_t> stored(data.count() * bytes);
	std::vector<std::uint8_t> queries(data.query_count() * bytes);
	for (std::size_t i = 0; i < data.count(); i++) {
		ruvector::binary_quantize_f32(&data.points[i * bits], bits, &stored[i * bytes]);
	}
	for (std::size_t i = 0; i < data.query_count(); i++) {
		ruvector::binary_quantize_f32(&data.queries[i * bits], bits, &queries[i * bytes]);
	}
	for (const metric kind : {metric::hamming, metric::jaccard}) {
		const auto space = ruvector::make_space(ruvector::element_kind::bit, kind, bits);
		EXPECT_GE(space_recall(space, stored, queries, data.count(), data.query_count()), 0.95);
	}
}

// Sparse vectors: blobs of different sizes, kept apart and reached through a reference
// space (as a build in memory holds them), against brute force by the sparse space, whose
// distances equal the dense ones of the same vectors.
TEST(vector_space, hnsw_over_sparse_references)
{
	const std::size_t dim = 64;
	const dataset data = make_dataset(1500, 50, dim, 10, false, 13);
	// Each vector keeps its components above a threshold: nnz varies from vector to vector.
	auto to_blob = [&](const float* dense) {
		std::vector<std::int32_t> indices;
		std::vector<float> values;
		for (std::size_t i = 0; i < dim; i++) {
			if (std::fabs(dense[i]) > 0.05F) {
				indices.push_back(static_cast<std::int32_t>(i));
				values.push_back(dense[i]);
			}
		}
		std::vector<std::uint8_t> blob(ruvector::sparse_blob_bytes(indices.size()));
		const auto arrays = ruvector::start_sparse_blob(blob.data(), indices.size());
		std::copy(indices.begin(), indices.end(), arrays.indices);
		std::copy(values.begin(), values.end(), arrays.values);
		return blob;
	};
	std::vector<std::vector<std::uint8_t>> blobs;
	std::vector<std::vector<std::uint8_t>> query_blobs;
	for (std::size_t i = 0; i < data.count(); i++) {
		blobs.push_back(to_blob(&data.points[i * dim]));
	}
	for (std::size_t i = 0; i < data.query_count(); i++) {
		query_blobs.push_back(to_blob(&data.queries[i * dim]));
	}
	auto references = [](const std::vector<std::vector<std::uint8_t>>& from) {
		std::vector<std::uint8_t> out(from.size() * sizeof(const void*));
		for (std::size_t i = 0; i < from.size(); i++) {
			const void* p = from[i].data();
			std::memcpy(&out[i * sizeof(p)], static_cast<const void*>(&p), sizeof(p));
		}
		return out;
	};
	const std::vector<std::uint8_t> stored = references(blobs);
	const std::vector<std::uint8_t> queries = references(query_blobs);

	std::set<std::size_t> sizes;
	for (const metric kind : {metric::l2, metric::inner_product, metric::l1}) {
		const auto sparse = ruvector::make_space(ruvector::element_kind::sparse, kind, dim);
		ASSERT_TRUE(sparse.valid());
		EXPECT_TRUE(sparse.variable_size());
		EXPECT_EQ(sparse.bytes, ruvector::sparse_blob_bytes(dim));
		const auto space = ruvector::make_reference_space(sparse);
		ASSERT_TRUE(space.valid());
		EXPECT_EQ(space.bytes, sizeof(const void*));
		// The stored sizes, and the distances against the dense ones of the same (thresholded) vectors
		for (std::size_t i = 0; i < 20; i++) {
			sizes.insert(sparse.stored_bytes(blobs[i].data()));
			EXPECT_EQ(sparse.stored_bytes(blobs[i].data()), blobs[i].size());
			std::vector<float> a(dim, 0.0F);
			std::vector<float> b(dim, 0.0F);
			const auto va = ruvector::read_sparse_blob(blobs[i].data());
			const auto vb = ruvector::read_sparse_blob(query_blobs[0].data());
			for (std::size_t j = 0; j < va.nnz; j++) {
				a[static_cast<std::size_t>(va.indices[j])] = va.values[j];
			}
			for (std::size_t j = 0; j < vb.nnz; j++) {
				b[static_cast<std::size_t>(vb.indices[j])] = vb.values[j];
			}
			EXPECT_NEAR(sparse(blobs[i].data(), query_blobs[0].data()),
			            ruvector::index_distance(kind, a.data(), b.data(), dim), 1e-4);
			EXPECT_EQ(space(&stored[i * sizeof(void*)], &queries[0]), sparse(blobs[i].data(), query_blobs[0].data()));
		}
		EXPECT_GE(space_recall(space, stored, queries, data.count(), data.query_count()), 0.95);
	}
	EXPECT_GT(sizes.size(), 1U);
	EXPECT_FALSE(
	    ruvector::make_reference_space(ruvector::make_space(ruvector::element_kind::f32, metric::l2, 4)).valid());
	EXPECT_FALSE(ruvector::make_space(ruvector::element_kind::sparse, metric::hamming, 4).valid());
}

// Identical sparse vectors share a node even when the graph holds them by reference.
TEST(vector_space, sparse_duplicates_share_nodes)
{
	const auto space =
	    ruvector::make_reference_space(ruvector::make_space(ruvector::element_kind::sparse, metric::l2, 8));
	std::vector<std::vector<std::uint8_t>> blobs;
	for (std::size_t i = 0; i < 12; i++) {
		const std::size_t nnz = i < 10 ? 2 : 3; // ten copies of one vector, then two others
		std::vector<std::uint8_t> blob(ruvector::sparse_blob_bytes(nnz));
		const auto arrays = ruvector::start_sparse_blob(blob.data(), nnz);
		for (std::size_t j = 0; j < nnz; j++) {
			arrays.indices[j] = static_cast<std::int32_t>(j * 3);
			arrays.values[j] = i < 10 ? 1.5F : static_cast<float>(i + j);
		}
		blobs.push_back(blob);
	}
	hnsw_memory_graph graph;
	graph.init(space, hnsw_params{});
	for (std::size_t i = 0; i < blobs.size(); i++) {
		const void* p = blobs[i].data();
		graph.add(static_cast<const void*>(&p), i);
	}
	EXPECT_EQ(graph.size(), 3U);
	EXPECT_EQ(graph.payload_count(0), 10);
	const void* a = blobs[0].data();
	const void* c = blobs[10].data();
	EXPECT_TRUE(space.same_vector(&a, &a));
	EXPECT_FALSE(space.same_vector(&a, &c));
}

// ---- hnsw_shared_graph: the graph of a parallel build --------------------------------

namespace {

using ruvector::hnsw_no_room;
using ruvector::hnsw_shared_graph;

// An 8-byte aligned area, as a DSM segment would be.
struct shared_area {
	explicit shared_area(std::size_t bytes) : words((bytes + 7) / 8)
	{
	}
	void* data()
	{
		return words.data();
	}
	std::size_t bytes() const
	{
		return words.size() * 8;
	}
	std::vector<std::uint64_t> words;
};

// Insert every point (payload: its index) from `threads` threads taking points from one counter, each thread
// through its own attached graph, as each process of a parallel build does. A thread stops at its first
// hnsw_no_room, as a build's inserters switch to the pages. Returns which points were inserted.
std::vector<std::uint8_t> insert_concurrently(shared_area& area, const ruvector::vector_space& space,
                                              const std::vector<const void*>& points, unsigned threads)
{
	std::vector<std::uint8_t> inserted(points.size());
	std::size_t next = 0;
	std::vector<std::thread> pool;
	for (unsigned t = 0; t < threads; t++) {
		pool.emplace_back([&, t] {
			hnsw_shared_graph graph;
			graph.attach(area.data(), space, 0x5eed + t);
			for (;;) {
				const std::size_t i = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);
				if (i >= points.size() || graph.add(points[i], i) == hnsw_no_room) {
					return;
				}
				inserted[i] = 1;
			}
		});
	}
	for (std::thread& thread : pool) {
		thread.join();
	}
	return inserted;
}

std::vector<const void*> point_addresses(const dataset& data)
{
	std::vector<const void*> points(data.count());
	for (std::size_t i = 0; i < data.count(); i++) {
		points[i] = &data.points[i * data.dim];
	}
	return points;
}

// Every node's lists are within capacity, consistent, and point to other nodes on that level; every payload
// is held exactly once, and exactly the inserted ones are.
void expect_well_formed(hnsw_shared_graph& graph, const std::vector<std::uint8_t>& inserted, std::uint32_t m)
{
	std::vector<int> held(inserted.size());
	for (std::uint32_t n = 0; n < graph.size(); n++) {
		for (int l = 0; l <= graph.level(n); l++) {
			ASSERT_LE(graph.neighbor_count(n, l), ruvector::hnsw_level_capacity(m, l));
			EXPECT_TRUE(graph.links_consistent(n, l)) << "node " << n << " level " << l;
			for (std::uint32_t i = 0; i < graph.neighbor_count(n, l); i++) {
				const std::uint32_t to = graph.neighbors(n, l)[i];
				ASSERT_LT(to, graph.size());
				EXPECT_NE(to, n);
				EXPECT_GE(graph.level(to), l);
			}
		}
		for (int p = 0; p < graph.payload_count(n); p++) {
			ASSERT_LT(graph.payloads(n)[p], held.size());
			held[graph.payloads(n)[p]]++;
		}
	}
	for (std::size_t i = 0; i < inserted.size(); i++) {
		EXPECT_EQ(held[i], inserted[i]) << "payload " << i;
	}
	if (graph.size() > 0) {
		EXPECT_EQ(graph.level(graph.entry_point()), graph.max_level());
	}
}

// One inserter runs hnsw_memory_graph's algorithm exactly: the same seed builds the same graph.
TEST(hnsw_shared_graph, one_inserter_builds_the_serial_graph)
{
	const dataset data = make_dataset(1500, 0, 16, 10, false, 21);
	hnsw_params params;
	params.m = 6;
	params.ef_construction = 24;
	hnsw_memory_graph serial;
	build(serial, data, metric::l2, params);
	const auto space = ruvector::make_space(ruvector::element_kind::f32, metric::l2, data.dim);
	shared_area area(8 << 20);
	ASSERT_TRUE(hnsw_shared_graph::format(area.data(), area.bytes(), space, params));
	hnsw_shared_graph shared;
	shared.attach(area.data(), space, params.seed);
	for (std::size_t i = 0; i < data.count(); i++) {
		ASSERT_NE(shared.add(&data.points[i * data.dim], i), hnsw_no_room);
	}
	ASSERT_EQ(shared.size(), serial.size());
	EXPECT_EQ(shared.max_level(), serial.max_level());
	EXPECT_EQ(shared.entry_point(), serial.entry_point());
	for (std::uint32_t n = 0; n < serial.size(); n++) {
		ASSERT_EQ(shared.level(n), serial.level(n));
		for (int l = 0; l <= serial.level(n); l++) {
			ASSERT_EQ(shared.neighbor_count(n, l), serial.neighbor_count(n, l));
			for (std::uint32_t i = 0; i < serial.neighbor_count(n, l); i++) {
				EXPECT_EQ(shared.neighbors(n, l)[i], serial.neighbors(n, l)[i]);
			}
		}
	}
}

// Four threads insert at once: the graph is well formed and as good as a serial build's (clustered l2,
// uniform cosine).
TEST(hnsw_shared_graph, concurrent_inserts_reach_serial_recall)
{
	for (const metric kind : {metric::l2, metric::cosine}) {
		const dataset data = make_dataset(4000, 100, 48, kind == metric::cosine ? 0 : 20, kind == metric::cosine, 23);
		const auto truth = brute_force(data, kind);
		const auto space = ruvector::make_space(ruvector::element_kind::f32, kind, data.dim);
		const hnsw_params params;
		shared_area area(32 << 20);
		ASSERT_TRUE(hnsw_shared_graph::format(area.data(), area.bytes(), space, params));
		const auto inserted = insert_concurrently(area, space, point_addresses(data), 4);
		hnsw_shared_graph graph;
		graph.attach(area.data(), space, 1);
		ASSERT_EQ(graph.size(), data.count());
		expect_well_formed(graph, inserted, params.m);

		hnsw_memory_graph serial;
		build(serial, data, kind, params);
		const double serial_recall = recall(serial, data, truth, 40);
		const double shared_recall = recall(graph, data, truth, 40);
		std::printf("metric %d ef 40 recall@10 serial %.3f shared (4 threads) %.3f\n", static_cast<int>(kind),
		            serial_recall, shared_recall);
		// Clustered l2 is easy (serial about 0.99), uniform 48-d cosine harder (about 0.95); the order of
		// inserts differs from run to run, hence the margin.
		EXPECT_GE(shared_recall, kind == metric::l2 ? 0.97 : 0.92);
		EXPECT_GE(shared_recall, serial_recall - 0.02);
	}
}

// Threads inserting many copies of a few vectors: each copy's payload is kept once, nodes share up to the limit.
TEST(hnsw_shared_graph, concurrent_duplicates_share_nodes)
{
	const std::size_t dim = 8;
	const std::size_t distinct = 5;
	const std::size_t copies = 200;
	std::vector<float> vectors(distinct * dim);
	for (std::size_t i = 0; i < vectors.size(); i++) {
		const std::size_t vector_number = i / dim;
		vectors[i] = static_cast<float>(i % 7) - static_cast<float>(vector_number);
	}
	std::vector<const void*> points;
	for (std::size_t c = 0; c < copies; c++) {
		for (std::size_t v = 0; v < distinct; v++) {
			points.push_back(&vectors[v * dim]);
		}
	}
	const auto space = ruvector::make_space(ruvector::element_kind::f32, metric::l2, dim);
	const hnsw_params params;
	shared_area area(4 << 20);
	ASSERT_TRUE(hnsw_shared_graph::format(area.data(), area.bytes(), space, params));
	const auto inserted = insert_concurrently(area, space, points, 4);
	hnsw_shared_graph graph;
	graph.attach(area.data(), space, 1);
	expect_well_formed(graph, inserted, params.m);
	EXPECT_GE(graph.size(), points.size() / ruvector::hnsw_max_payloads);
	EXPECT_LT(graph.size(), points.size() / 2);
	// Every payload of a node is a copy of the node's vector.
	for (std::uint32_t n = 0; n < graph.size(); n++) {
		for (int p = 0; p < graph.payload_count(n); p++) {
			EXPECT_EQ(std::memcmp(graph.data(n), points[graph.payloads(n)[p]], dim * sizeof(float)), 0);
		}
	}
}

// A small area fills up: add says so and changes nothing, threads stop, what was inserted stays searchable.
TEST(hnsw_shared_graph, a_full_area_refuses_inserts_and_stays_well_formed)
{
	const dataset data = make_dataset(4000, 20, 32, 20, false, 25);
	const auto space = ruvector::make_space(ruvector::element_kind::f32, metric::l2, data.dim);
	const hnsw_params params;
	shared_area area(256 << 10);
	ASSERT_TRUE(hnsw_shared_graph::format(area.data(), area.bytes(), space, params));
	const auto inserted = insert_concurrently(area, space, point_addresses(data), 4);
	hnsw_shared_graph graph;
	graph.attach(area.data(), space, 1);
	const auto count = static_cast<std::size_t>(std::count(inserted.begin(), inserted.end(), 1));
	EXPECT_GT(count, 100U);
	EXPECT_LT(count, data.count());
	EXPECT_EQ(graph.size(), count);
	EXPECT_LE(graph.memory_bytes(), area.bytes());
	expect_well_formed(graph, inserted, params.m);

	// Full for this vector: refused, nothing changes.
	const std::size_t used = graph.memory_bytes();
	const std::uint32_t size = graph.size();
	EXPECT_EQ(graph.add(&data.queries[0], 99999), hnsw_no_room);
	EXPECT_EQ(graph.size(), size);
	EXPECT_EQ(graph.memory_bytes(), used);

	// A search finds the nearest inserted points.
	candidate_list out;
	graph.search(&data.queries[0], k, 40, out);
	EXPECT_EQ(out.size(), k);

	// Too small for one node.
	EXPECT_FALSE(hnsw_shared_graph::format(area.data(), 64, space, params));
}

} // namespace

// ---- reachability repair after a build -------------------------------------------------

namespace {

using ruvector::hnsw_repair_stats;

// Nodes on `level` (of those that are on it) a walk from the entry point reaches.
template <class Graph>
std::size_t reachable_on(const Graph& graph, int level, std::size_t* on_level)
{
	std::vector<std::uint8_t> reached(graph.size());
	std::vector<std::uint32_t> stack{graph.entry_point()};
	reached[graph.entry_point()] = 1;
	std::size_t count = 1;
	while (!stack.empty()) {
		const std::uint32_t n = stack.back();
		stack.pop_back();
		for (std::uint32_t i = 0; i < graph.neighbor_count(n, level); i++) {
			const std::uint32_t to = graph.neighbors(n, level)[i];
			if (reached[to] == 0) {
				reached[to] = 1;
				count++;
				stack.push_back(to);
			}
		}
	}
	*on_level = 0;
	for (std::uint32_t n = 0; n < graph.size(); n++) {
		*on_level += graph.level(n) >= level ? 1 : 0;
	}
	return count;
}

// Nodes some level leaves out of reach of the entry point, summed over the levels.
template <class Graph>
std::size_t unreachable(const Graph& graph)
{
	std::size_t missing = 0;
	for (int l = 0; l <= graph.max_level(); l++) {
		std::size_t on_level = 0;
		const std::size_t reached = reachable_on(graph, l, &on_level);
		missing += on_level - reached;
	}
	return missing;
}

// link_back changes a list in place; this reference places the new link the plain way: the old links and the new
// one in order with their flags, the heuristic's comparisons with the new link, then the drop of the farthest
// pruned link (else the farthest) from a full list.
struct reference_link {
	float distance;
	std::uint32_t id;
	bool kept;
};

std::vector<reference_link> reference_link_back(std::vector<reference_link> links, std::uint32_t capacity,
                                                std::uint32_t new_node, float new_distance,
                                                const std::vector<float>& positions)
{
	const auto distance = [&](std::uint32_t a, std::uint32_t b) { return std::fabs(positions[a] - positions[b]); };
	const auto before = [](const reference_link& a, const reference_link& b) {
		return a.distance < b.distance || (a.distance == b.distance && a.id < b.id);
	};
	reference_link added{new_distance, new_node, true};
	std::size_t position = 0;
	while (position < links.size() && before(links[position], added)) {
		position++;
	}
	for (std::size_t j = 0; j < position; j++) {
		added.kept = added.kept && !(links[j].kept && distance(new_node, links[j].id) < new_distance);
	}
	if (added.kept) {
		for (std::size_t i = position; i < links.size(); i++) {
			links[i].kept = links[i].kept && !(distance(links[i].id, new_node) < links[i].distance);
		}
	}
	links.insert(links.begin() + static_cast<std::ptrdiff_t>(position), added);
	if (links.size() > capacity) {
		std::size_t drop = links.size() - 1;
		for (std::size_t i = links.size(); i-- > 0;) {
			if (!links[i].kept) {
				drop = i;
				break;
			}
		}
		links.erase(links.begin() + static_cast<std::ptrdiff_t>(drop));
	}
	return links;
}

TEST(hnsw_links, link_back_in_place_matches_the_plain_placement)
{
	std::mt19937 rng(77);
	std::uniform_real_distribution<float> coordinate(0.0F, 100.0F);
	for (int trial = 0; trial < 400; trial++) {
		const std::uint32_t capacity = 1 + rng() % 12;
		// Coarse positions: equal distances (ties broken by id) happen often.
		std::vector<float> positions(60);
		for (float& p : positions) {
			p = std::floor(coordinate(rng) / 4.0F);
		}
		const std::uint32_t node = 0;
		std::vector<std::uint32_t> words(ruvector::detail::link_words(capacity));
		const ruvector::detail::link_list list = ruvector::detail::view_links(words.data(), capacity);
		std::vector<reference_link> expected;
		for (std::uint32_t to = 1; to < positions.size(); to++) {
			const float d = std::fabs(positions[node] - positions[to]);
			ruvector::detail::link_back(list, capacity, to, d, [&](std::uint64_t a, std::uint64_t b) {
				return std::fabs(positions[a] - positions[b]);
			});
			expected = reference_link_back(expected, capacity, to, d, positions);
			ASSERT_EQ(*list.count, expected.size()) << "trial " << trial << " link " << to;
			for (std::size_t i = 0; i < expected.size(); i++) {
				EXPECT_EQ(list.ids[i], expected[i].id) << "trial " << trial << " link " << to << " slot " << i;
				EXPECT_EQ(list.distances[i], expected[i].distance) << "trial " << trial << " slot " << i;
				EXPECT_EQ(list.kept[i] != 0, expected[i].kept) << "trial " << trial << " slot " << i;
			}
		}
	}
}

// A graph on plain arrays for hnsw_repair_reachability: points on a line (distance |a - b|), link lists as
// hnsw_links.hpp lays them out, filled through link_back so their flags are what a build leaves.
class line_graph {
public:
	line_graph(std::vector<float> positions, std::vector<int> levels, std::uint32_t m)
	    : positions_(std::move(positions)), levels_(std::move(levels)), m_(m), words_(positions_.size())
	{
		for (std::size_t n = 0; n < positions_.size(); n++) {
			for (int l = 0; l <= levels_[n]; l++) {
				words_[n].push_back(std::vector<std::uint32_t>(ruvector::detail::link_words(link_capacity(l))));
			}
		}
	}
	void add_link(std::uint32_t from, std::uint32_t to, int level)
	{
		ruvector::detail::link_back(link_view(from, level), link_capacity(level), to, distance(from, to),
		                            [this](std::uint64_t a, std::uint64_t b) { return distance(a, b); });
	}

	// The repair's Graph interface
	std::uint32_t size() const
	{
		return static_cast<std::uint32_t>(positions_.size());
	}
	int level(std::uint32_t node) const
	{
		return levels_[node];
	}
	float distance(std::uint64_t a, std::uint64_t b) const
	{
		return std::fabs(positions_[a] - positions_[b]);
	}
	std::uint32_t link_capacity(int level) const
	{
		return ruvector::hnsw_level_capacity(m_, level);
	}
	ruvector::detail::link_list link_view(std::uint32_t node, int level)
	{
		return ruvector::detail::view_links(words_[node][level].data(), link_capacity(level));
	}

	// What reachable_on reads
	std::uint32_t entry_point() const
	{
		return 0;
	}
	int max_level() const
	{
		return levels_[0];
	}
	std::uint32_t neighbor_count(std::uint32_t node, int level) const
	{
		return words_[node][level][0];
	}
	const std::uint32_t* neighbors(std::uint32_t node, int level) const
	{
		return words_[node][level].data() + 1;
	}
	std::vector<std::uint32_t> list(std::uint32_t node, int level) const
	{
		return {neighbors(node, level), neighbors(node, level) + neighbor_count(node, level)};
	}
	bool consistent(std::uint32_t node, int level)
	{
		return ruvector::detail::links_consistent(link_view(node, level), link_capacity(level), node,
		                                          [this](std::uint64_t a, std::uint64_t b) { return distance(a, b); });
	}

private:
	std::vector<float> positions_;
	std::vector<int> levels_;
	std::uint32_t m_;
	std::vector<std::vector<std::vector<std::uint32_t>>> words_;
};

} // namespace

// The entry point's full list holds the only links to four nodes; an orphan sits next to it. Forcing the orphan
// into the entry point's list would strand one of the four: the repair links it from the nearest node with a
// link to spare instead, dropping that node's farthest pruned link, whose target the entry point still reaches.
TEST(hnsw_repair, links_an_orphan_without_stranding_another_node)
{
	line_graph graph({0, 10, 21, 33, 46, 1}, {0, 0, 0, 0, 0, 0}, 2);
	for (const std::uint32_t to : {1, 2, 3, 4}) {
		graph.add_link(0, to, 0);
	}
	for (const std::uint32_t to : {0, 2, 3, 4}) {
		graph.add_link(1, to, 0); // 0 and 2 kept; 3 and 4 pruned (nearer to 2 than to 1)
	}
	graph.add_link(5, 0, 0);
	std::size_t on_level = 0;
	ASSERT_EQ(reachable_on(graph, 0, &on_level), 5U);

	const hnsw_repair_stats stats = ruvector::hnsw_repair_reachability(graph, 0, 0, 8);
	EXPECT_EQ(stats.relinked, 1U);
	EXPECT_EQ(stats.evicted, 1U);
	EXPECT_EQ(reachable_on(graph, 0, &on_level), 6U);
	EXPECT_EQ(graph.list(0, 0), (std::vector<std::uint32_t>{1, 2, 3, 4}));
	EXPECT_EQ(graph.list(1, 0), (std::vector<std::uint32_t>{5, 0, 2, 3}));
	EXPECT_TRUE(graph.consistent(1, 0));
}

// A node every walk reaches, but only through one link from far away: a beam search for its own vector stops at
// its neighbours on the line without stepping onto it. The repair links it from the nearest nodes that search
// found (here, with slots free, without dropping anything), and nothing else changes.
TEST(hnsw_repair, links_a_reachable_node_its_own_search_misses)
{
	const std::uint32_t chain = 300;
	std::vector<float> positions(chain + 1);
	for (std::uint32_t n = 0; n < chain; n++) {
		positions[n] = 10.0F * static_cast<float>(n);
	}
	const std::uint32_t hidden = chain;
	positions[hidden] = 504.0F; // between nodes 50 and 51
	line_graph graph(positions, std::vector<int>(chain + 1, 0), 2);
	for (std::uint32_t n = 0; n + 1 < chain; n++) {
		graph.add_link(n, n + 1, 0);
		graph.add_link(n + 1, n, 0);
	}
	graph.add_link(hidden, 50, 0);
	graph.add_link(hidden, 51, 0);
	graph.add_link(200, hidden, 0); // its only incoming link
	std::size_t on_level = 0;
	ASSERT_EQ(reachable_on(graph, 0, &on_level), on_level);
	const std::vector<std::uint32_t> far_list = graph.list(200, 0);

	const hnsw_repair_stats stats = ruvector::hnsw_repair_reachability(graph, 0, 0, 8);
	EXPECT_EQ(stats.relinked, 0U);
	EXPECT_EQ(stats.made_findable, 1U);
	EXPECT_EQ(stats.evicted, 0U);
	EXPECT_EQ(graph.list(50, 0), (std::vector<std::uint32_t>{hidden, 49, 51}));
	EXPECT_EQ(graph.list(51, 0), (std::vector<std::uint32_t>{hidden, 50, 52}));
	EXPECT_EQ(graph.list(49, 0), (std::vector<std::uint32_t>{48, 50, hidden}));
	EXPECT_EQ(graph.list(52, 0), (std::vector<std::uint32_t>{51, 53}));
	EXPECT_EQ(graph.list(200, 0), far_list);
	for (const std::uint32_t n : {49U, 50U, 51U}) {
		EXPECT_TRUE(graph.consistent(n, 0)) << n;
	}
	EXPECT_EQ(ruvector::hnsw_repair_reachability(graph, 0, 0, 8).made_findable, 0U);
}

// Random graphs on two levels whose full lists all point into a few hubs, so most nodes are orphans and every
// link the repair makes needs an eviction: afterwards every node is reachable on each of its levels, and every
// list is well formed.
TEST(hnsw_repair, random_graphs_become_reachable)
{
	for (std::uint32_t seed = 1; seed <= 20; seed++) {
		std::mt19937 rng(seed);
		const std::size_t count = 300;
		std::vector<float> positions(count);
		std::vector<int> levels(count);
		std::vector<std::uint32_t> upper;
		for (std::size_t n = 0; n < count; n++) {
			positions[n] = std::uniform_real_distribution<float>(0.0F, 1000.0F)(rng);
			levels[n] = n == 0 || rng() % 4 == 0 ? 1 : 0;
			if (levels[n] == 1) {
				upper.push_back(static_cast<std::uint32_t>(n));
			}
		}
		line_graph graph(positions, levels, 2);
		for (std::uint32_t n = 0; n < count; n++) {
			for (int l = 0; l <= levels[n]; l++) {
				// Links to the first nodes on the level only: the hubs.
				const std::size_t hubs = l == 0 ? 12 : 6;
				for (std::uint32_t tries = 0; tries < 3 * graph.link_capacity(l); tries++) {
					const std::uint32_t to = l == 0 ? static_cast<std::uint32_t>(rng() % hubs) : upper[rng() % hubs];
					const std::vector<std::uint32_t> links = graph.list(n, l);
					if (to != n && std::find(links.begin(), links.end(), to) == links.end()) {
						graph.add_link(n, to, l);
					}
				}
			}
		}
		std::size_t on_level = 0;
		ASSERT_LT(reachable_on(graph, 0, &on_level), count / 2);

		const hnsw_repair_stats stats = ruvector::hnsw_repair_reachability(graph, 0, 1, 8);
		EXPECT_GT(stats.relinked, 0U);
		EXPECT_GT(stats.evicted, 0U);
		for (int l = 0; l <= 1; l++) {
			EXPECT_EQ(reachable_on(graph, l, &on_level), on_level) << "seed " << seed << " level " << l;
		}
		for (std::uint32_t n = 0; n < count; n++) {
			for (int l = 0; l <= levels[n]; l++) {
				const std::vector<std::uint32_t> links = graph.list(n, l);
				ASSERT_LE(links.size(), graph.link_capacity(l));
				EXPECT_TRUE(graph.consistent(n, l));
				EXPECT_EQ(std::set<std::uint32_t>(links.begin(), links.end()).size(), links.size());
				for (const std::uint32_t to : links) {
					EXPECT_NE(to, n);
					EXPECT_GE(levels[to], l);
				}
			}
		}
	}
}

namespace {

// After the repair every node is reachable on every level it is on, a beam as wide as the graph finds the exact
// nearest neighbours, and recall at ef 40 is at least what it was before.
template <class Graph>
void expect_repaired(Graph& graph, const dataset& data, const std::vector<std::vector<std::uint64_t>>& truth,
                     const char* what)
{
	const std::size_t unreachable_before = unreachable(graph);
	const double recall_before = recall(graph, data, truth, 40);
	const hnsw_repair_stats stats = graph.repair_reachability();
	const double recall_after = recall(graph, data, truth, 40);
	std::printf("%s: %zu unreachable (node, level) pairs, %u nodes relinked, %u links evicted; recall@10 at ef 40 "
	            "%.3f before, %.3f after\n",
	            what, unreachable_before, stats.relinked, stats.evicted, recall_before, recall_after);
	EXPECT_GT(stats.relinked, 0U) << "the data should leave orphans";
	std::size_t on_level = 0;
	for (int l = 0; l <= graph.max_level(); l++) {
		EXPECT_EQ(reachable_on(graph, l, &on_level), on_level) << what << " level " << l;
	}
	EXPECT_EQ(recall(graph, data, truth, graph.size()), 1.0) << what;
	EXPECT_GE(recall_after, recall_before) << what;
	EXPECT_EQ(graph.repair_reachability().relinked, 0U) << what;
}

} // namespace

// m = 2 on tight clusters leaves most nodes unreachable (clusters cut off whole): the serial graph and the
// shared graph built by four threads are repaired.
TEST(hnsw_repair, m2_clustered_graphs_become_reachable)
{
	const dataset data = make_dataset(6000, 100, 8, 30, false, 41);
	const auto truth = brute_force(data, metric::l2);
	hnsw_params params;
	params.m = 2;
	params.ef_construction = 8;

	hnsw_memory_graph serial;
	build(serial, data, metric::l2, params);
	expect_repaired(serial, data, truth, "serial");
	for (std::uint32_t n = 0; n < serial.size(); n++) {
		for (int l = 0; l <= serial.level(n); l++) {
			ASSERT_TRUE(serial.links_consistent(n, l));
		}
	}

	const auto space = ruvector::make_space(ruvector::element_kind::f32, metric::l2, data.dim);
	shared_area area(32 << 20);
	ASSERT_TRUE(hnsw_shared_graph::format(area.data(), area.bytes(), space, params));
	const auto inserted = insert_concurrently(area, space, point_addresses(data), 4);
	hnsw_shared_graph shared;
	shared.attach(area.data(), space, 1);
	ASSERT_EQ(shared.size(), data.count());
	expect_repaired(shared, data, truth, "shared, 4 threads");
	expect_well_formed(shared, inserted, params.m);
}

// Many copies of few vectors (nodes of identical vectors link among themselves first), four threads, m = 2:
// after the repair a beam as wide as the graph returns every copy.
TEST(hnsw_repair, duplicate_heavy_shared_graph_returns_every_copy)
{
	const std::size_t dim = 4;
	const std::size_t distinct = 150;
	const std::size_t copies = 25;
	std::mt19937 rng(43);
	std::vector<float> vectors(distinct * dim);
	for (float& x : vectors) {
		x = std::uniform_real_distribution<float>(-1.0F, 1.0F)(rng);
	}
	std::vector<const void*> points;
	for (std::size_t c = 0; c < copies; c++) {
		for (std::size_t v = 0; v < distinct; v++) {
			points.push_back(&vectors[v * dim]);
		}
	}
	const auto space = ruvector::make_space(ruvector::element_kind::f32, metric::l2, dim);
	hnsw_params params;
	params.m = 2;
	params.ef_construction = 8;
	shared_area area(8 << 20);
	ASSERT_TRUE(hnsw_shared_graph::format(area.data(), area.bytes(), space, params));
	const auto inserted = insert_concurrently(area, space, points, 4);
	hnsw_shared_graph graph;
	graph.attach(area.data(), space, 1);
	graph.repair_reachability();
	expect_well_formed(graph, inserted, params.m);
	std::size_t on_level = 0;
	for (int l = 0; l <= graph.max_level(); l++) {
		EXPECT_EQ(reachable_on(graph, l, &on_level), on_level) << "level " << l;
	}
	for (std::size_t v = 0; v < distinct; v += 7) {
		candidate_list out;
		graph.search(&vectors[v * dim], graph.size(), graph.size(), out);
		std::size_t found = 0;
		for (std::size_t i = 0; i < out.size() && out[i].distance == 0.0F; i++) {
			found += static_cast<std::size_t>(graph.payload_count(static_cast<std::uint32_t>(out[i].id)));
		}
		EXPECT_EQ(found, copies) << "vector " << v;
	}
}
