// libFuzzer target: core's in-memory HNSW fed random operation sequences.
// Header bytes choose the space (float32 l2, inner product, cosine, l1; bit hamming,
// jaccard), dim, M and efConstruction; then each operation either inserts a vector
// (few distinct byte values, so duplicates are common) or searches. Checked after
// every search and at the end:
//   - results are sorted, distinct, refer to existing nodes, carry true distances;
//   - while the graph is no larger than M, every node links every other (lists hold
//     2*M on layer 0), so a search with k = ef = size must equal brute force exactly;
//   - every inserted payload sits in exactly one node, beside its own vector;
//   - link lists respect their capacity, point to existing nodes on that layer.
#include "ruvector/hnsw.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

using ruvector::candidate_list;
using ruvector::element_kind;
using ruvector::hnsw_memory_graph;
using ruvector::metric;

void check(bool condition, const char* what)
{
	if (!condition) {
		std::fprintf(stderr, "hnsw_ops: %s\n", what);
		std::abort();
	}
}

struct input {
	const std::uint8_t* data;
	std::size_t size;
	std::size_t at = 0;

	bool empty() const
	{
		return at >= size;
	}
	std::uint8_t byte()
	{
		return at < size ? data[at++] : 0;
	}
};

// Enough for several layers at M = 2..8, few enough for thousands of runs a second
constexpr std::size_t max_operations = 150;

constexpr metric metrics[] = {metric::l2, metric::inner_product, metric::cosine,
                              metric::l1, metric::hamming,       metric::jaccard};

struct model {
	ruvector::vector_space space;
	std::vector<std::vector<std::uint8_t>> vectors; // by payload
};

// A vector from the input: floats from a small alphabet (duplicates likely), or raw bits
std::vector<std::uint8_t> read_vector(input& in, const ruvector::vector_space& space)
{
	std::vector<std::uint8_t> bytes(space.bytes);
	if (space.element == element_kind::bit) {
		for (std::uint8_t& b : bytes)
			b = in.byte() & 0x0f; // 4 low bits per byte: many equal vectors
		std::size_t tail = space.dim % 8;
		if (tail != 0)
			bytes.back() &= static_cast<std::uint8_t>(0xff << (8 - tail)); // unused bits stay zero
		return bytes;
	}
	std::vector<float> values(space.dim);
	double norm = 0;
	for (float& v : values) {
		v = static_cast<float>(static_cast<int>(in.byte() % 5) - 2);
		norm += static_cast<double>(v) * v;
	}
	if (space.kind == metric::cosine) {
		if (norm == 0)
			return {}; // the extension stores no zero vector in a cosine index
		for (float& v : values)
			v = static_cast<float>(v / std::sqrt(norm));
	}
	std::memcpy(bytes.data(), values.data(), bytes.size());
	return bytes;
}

void check_results(const hnsw_memory_graph& graph, const candidate_list& results, const std::uint8_t* query,
                   const ruvector::vector_space& space)
{
	for (std::size_t i = 0; i < results.size(); i++) {
		check(results[i].id < graph.size(), "result id beyond the graph");
		check(results[i].distance == space(query, graph.data(static_cast<std::uint32_t>(results[i].id))),
		      "result distance differs from the true distance");
		check(i == 0 || results[i - 1].distance <= results[i].distance, "results not sorted");
	}
	std::vector<std::uint64_t> ids;
	for (std::size_t i = 0; i < results.size(); i++)
		ids.push_back(results[i].id);
	std::sort(ids.begin(), ids.end());
	check(std::adjacent_find(ids.begin(), ids.end()) == ids.end(), "a node returned twice");
}

void check_exact(const hnsw_memory_graph& graph, const candidate_list& results, const std::uint8_t* query,
                 const ruvector::vector_space& space)
{
	std::vector<float> exact;
	for (std::uint32_t node = 0; node < graph.size(); node++)
		exact.push_back(space(query, graph.data(node)));
	std::sort(exact.begin(), exact.end());
	check(results.size() == exact.size(), "a small graph's search missed nodes");
	for (std::size_t i = 0; i < exact.size(); i++)
		check(results[i].distance == exact[i], "a small graph's search differs from brute force");
}

void check_structure(const hnsw_memory_graph& graph, std::uint32_t m, const model& inserted)
{
	std::vector<int> seen(inserted.vectors.size(), 0);
	for (std::uint32_t node = 0; node < graph.size(); node++) {
		check(graph.payload_count(node) >= 1 && graph.payload_count(node) <= ruvector::hnsw_max_payloads,
		      "payload count out of range");
		for (int p = 0; p < graph.payload_count(node); p++) {
			std::uint64_t payload = graph.payloads(node)[p];
			check(payload < seen.size(), "unknown payload");
			seen[payload]++;
			check(std::memcmp(inserted.vectors[payload].data(), graph.data(node), inserted.space.bytes) == 0,
			      "payload stored with another vector");
		}
		for (int level = 0; level <= graph.level(node); level++) {
			check(graph.neighbor_count(node, level) <= ruvector::hnsw_level_capacity(m, level),
			      "link list over capacity");
			for (std::uint32_t i = 0; i < graph.neighbor_count(node, level); i++) {
				std::uint32_t neighbor = graph.neighbors(node, level)[i];
				check(neighbor < graph.size() && graph.level(neighbor) >= level, "link to a missing node");
			}
		}
	}
	for (std::size_t payload = 0; payload < seen.size(); payload++)
		check(inserted.vectors[payload].empty() || seen[payload] == 1, "payload lost or duplicated");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	input in{data, size};
	metric kind = metrics[in.byte() % 6];
	bool bits = kind == metric::hamming || kind == metric::jaccard;
	std::size_t dim = 1 + in.byte() % (bits ? 40 : 8);
	ruvector::hnsw_params params;
	params.m = 2 + in.byte() % 7;
	params.ef_construction = 4 + in.byte() % 61;
	params.seed = in.byte();

	model inserted{ruvector::make_space(bits ? element_kind::bit : element_kind::f32, kind, dim), {}};
	hnsw_memory_graph graph;
	graph.init(inserted.space, params);
	candidate_list results;

	while (!in.empty() && inserted.vectors.size() < max_operations) {
		std::uint8_t op = in.byte();
		std::vector<std::uint8_t> vector = read_vector(in, inserted.space);
		if (vector.empty()) {
			inserted.vectors.emplace_back(); // a skipped zero vector keeps payload numbering simple
			continue;
		}
		if (op % 4 != 0) {
			graph.add(vector.data(), inserted.vectors.size());
			inserted.vectors.push_back(vector);
			continue;
		}
		if (graph.size() == 0)
			continue;
		std::uint32_t k = 1 + in.byte() % 20;
		std::uint32_t ef = 1 + in.byte() % 64;
		graph.search(vector.data(), k, ef, results);
		check(results.size() <= std::max(k, ef) && results.size() >= std::min<std::size_t>(1, graph.size()),
		      "result count out of range");
		check_results(graph, results, vector.data(), inserted.space);
		if (graph.size() <= params.m) {
			graph.search(vector.data(), graph.size(), graph.size(), results);
			check_exact(graph, results, vector.data(), inserted.space);
		}
	}
	check_structure(graph, params.m, inserted);
	return 0;
}
