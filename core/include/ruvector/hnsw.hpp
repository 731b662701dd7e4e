// HNSW (Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search
// using Hierarchical Navigable Small World graphs"): the algorithm, free of storage.
//
// The search and neighbour selection are templates over a Graph, so the same code
// walks the in-memory graph of an index build (hnsw_memory_graph below) and the
// graph on PostgreSQL pages (pg/src/hnsw*.cpp). A Graph provides, with node ids
// packed into 64 bits however the storage likes:
//
//   float distance_to_query(std::uint64_t id);        // from the query bound to this walk
//   float distance(std::uint64_t a, std::uint64_t b); // between two nodes
//   template <class F> void for_each_neighbor(std::uint64_t id, int level, F&& f); // f(std::uint64_t)
//   bool mark_visited(std::uint64_t id);              // true the first time a walk meets id
//
// and optionally, to measure a node's new neighbours in one call (a batch kernel) instead of
// one distance_to_query each, with the same results:
//   void distances_to_query(hnsw_candidate* items, std::size_t count); // items[i].distance for items[i].id
//
// Distances are "index distances": smaller is nearer (see space.hpp).
#pragma once

#include "ruvector/kernels.hpp"
#include "ruvector/memory.hpp"
#include "ruvector/space.hpp"
#include "ruvector/visited.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace ruvector {

struct hnsw_params {
	std::uint32_t m = 16;               // M (>= 2): links per node on layers >= 1; layer 0 keeps 2*M (M0)
	std::uint32_t ef_construction = 64; // efConstruction: candidate list size while inserting
	std::uint64_t seed = 0x5eed;        // level generator seed: the same inputs build the same graph
};

constexpr int hnsw_max_level = 15;
// Heap TIDs (or other payloads) one node carries: identical vectors share a node, as in
// pgvector, so a scan with a small ef still returns every duplicate.
constexpr int hnsw_max_payloads = 10;

// Links a node keeps on a level.
constexpr std::uint32_t hnsw_level_capacity(std::uint32_t m, int level)
{
	return level == 0 ? 2 * m : m;
}

// Draw a node's top level: floor(-ln(u) / ln(M)) for u uniform in (0, 1], capped.
int hnsw_random_level(std::uint64_t& rng_state, std::uint32_t m);

struct hnsw_candidate {
	float distance;
	std::uint64_t id;
};

// A growable array of candidates in host memory (see memory.hpp). No destructor work
// is needed for correctness: under PostgreSQL the memory context owns the storage.
class candidate_list {
public:
	candidate_list() = default;
	candidate_list(const candidate_list&) = delete;
	candidate_list& operator=(const candidate_list&) = delete;
	~candidate_list();

	void clear()
	{
		size_ = 0;
	}
	void push_back(hnsw_candidate candidate);
	void reserve(std::size_t capacity);
	std::size_t size() const
	{
		return size_;
	}
	std::size_t capacity() const
	{
		return capacity_;
	}
	bool empty() const
	{
		return size_ == 0;
	}
	hnsw_candidate* data()
	{
		return items_;
	}
	const hnsw_candidate* data() const
	{
		return items_;
	}
	hnsw_candidate& operator[](std::size_t i)
	{
		return items_[i];
	}
	const hnsw_candidate& operator[](std::size_t i) const
	{
		return items_[i];
	}
	void pop_back()
	{
		size_--;
	}
	void resize_down(std::size_t size)
	{
		size_ = size;
	}

private:
	hnsw_candidate* items_ = nullptr;
	std::size_t size_ = 0;
	std::size_t capacity_ = 0;
};

// Sort ascending by distance, ties by id (deterministic results).
void sort_candidates(hnsw_candidate* begin, std::size_t count);

// Working memory of one search, reused across calls so the hot path does not allocate.
struct hnsw_search_scratch {
	candidate_list frontier; // min-heap of nodes still to expand
	candidate_list results;  // max-heap of the best ef found so far
	candidate_list fresh;    // the expanded node's neighbours not visited before
};

// Beam search on one layer (the paper's SEARCH-LAYER). `entries` are nodes already
// marked visited, with their distances; they are read before `out` is written, so they
// may point into `out`. On return `out` holds up to ef (at least 1) nearest nodes found,
// sorted ascending. Calls host.check_interrupts() every 64 expanded nodes.
template <class Graph>
void hnsw_search_layer(Graph& graph, const hnsw_candidate* entries, std::size_t entry_count, std::uint32_t ef,
                       int level, hnsw_search_scratch& scratch, candidate_list& out);

// Neighbour selection heuristic (the paper's SELECT-NEIGHBORS-HEURISTIC, as hnswlib and
// pgvector use it): walking `sorted` (ascending distance to the base node), keep a
// candidate unless it is strictly nearer to a candidate kept before it than to the base
// (a tie keeps it: a kept node identical to the base would otherwise hide all the rest).
// With `keep_pruned` (the paper's keepPrunedConnections, as pgvector builds), slots the
// heuristic leaves empty are filled with the nearest pruned candidates: fuller lists,
// better recall at a small beam for a few more distances per hop.
// Writes up to `m` kept candidates to `kept` and returns how many; `kept` may be `sorted`.
// The first `*heuristic_kept` of them (if asked for) are the heuristic's own choice, the rest the fill.
template <class Graph>
std::size_t hnsw_select_neighbors(Graph& graph, const hnsw_candidate* sorted, std::size_t count, std::uint32_t m,
                                  hnsw_candidate* kept, bool keep_pruned = true, std::size_t* heuristic_kept = nullptr);

// What hnsw_repair_reachability (hnsw_repair.hpp) changed.
struct hnsw_repair_stats {
	std::uint32_t relinked = 0;      // nodes given a link because no walk from the entry point reached them
	std::uint32_t evicted = 0;       // links removed to make room for one
	std::uint32_t made_findable = 0; // reachable nodes a search for their own vector missed, given links
};

// A Graph's distances_to_query over stored vectors of `space`: the vectors' addresses
// (vector_of(id)) in chunks, each measured by one space.distances call.
template <class VectorOf>
void hnsw_distances_to_query(const vector_space& space, const void* query, hnsw_candidate* items, std::size_t count,
                             VectorOf vector_of)
{
	constexpr std::size_t chunk = 64;
	const void* rows[chunk];
	float out[chunk];
	for (std::size_t first = 0; first < count; first += chunk) {
		const std::size_t n = count - first < chunk ? count - first : chunk;
		for (std::size_t i = 0; i < n; i++) {
			rows[i] = vector_of(items[first + i].id);
		}
		space.distances(query, rows, n, out);
		for (std::size_t i = 0; i < n; i++) {
			items[first + i].distance = out[i];
		}
	}
}

// The graph an index build grows in memory: nodes are numbered 0.. in insertion order.
// Each node's vector and link lists sit in one block of an arena (host memory).
// Node ids in the Graph interface are these numbers.
class hnsw_memory_graph {
public:
	hnsw_memory_graph() = default;
	hnsw_memory_graph(const hnsw_memory_graph&) = delete;
	hnsw_memory_graph& operator=(const hnsw_memory_graph&) = delete;
	~hnsw_memory_graph();

	// Start empty (dropping anything held before), for vectors of a space.
	void init(const vector_space& space, const hnsw_params& params);
	// The same for float32 vectors.
	void init(std::size_t dim, metric kind, const hnsw_params& params)
	{
		init(make_space(element_kind::f32, kind, dim), params);
	}

	// Insert a vector with its payload. A node found while inserting whose vector is
	// identical (bit for bit) takes the payload instead, while it has room for
	// hnsw_max_payloads; returns the node that holds the payload.
	std::uint32_t add(const void* vector, std::uint64_t payload);

	// k nearest nodes to `query`, ascending, with a candidate list of max(ef, k).
	void search(const void* query, std::uint32_t k, std::uint32_t ef, candidate_list& out);

	// Link every node no walk from the entry point reaches (hnsw_repair.hpp): once the inserts are done.
	hnsw_repair_stats repair_reachability();

	// Bytes held: what an index build compares with maintenance_work_mem. Everything
	// this graph took from the host, the object itself excluded.
	std::size_t memory_bytes() const;

	// Read access, for writing the graph out.
	std::uint32_t size() const
	{
		return size_;
	}
	const vector_space& space() const
	{
		return space_;
	}
	int max_level() const // -1 when empty
	{
		return max_level_;
	}
	std::uint32_t entry_point() const // 0 when empty
	{
		return entry_point_;
	}
	int level(std::uint32_t node) const
	{
		return nodes_[node].level;
	}
	// A node's stored vector: space().bytes bytes
	const void* data(std::uint32_t node) const
	{
		return nodes_[node].block;
	}
	const float* vector(std::uint32_t node) const // float32 spaces
	{
		return static_cast<const float*>(data(node));
	}
	std::uint32_t neighbor_count(std::uint32_t node, int level) const
	{
		return links(node, level)[0];
	}
	const std::uint32_t* neighbors(std::uint32_t node, int level) const
	{
		return links(node, level) + 1;
	}
	int payload_count(std::uint32_t node) const
	{
		return nodes_[node].payload_count;
	}
	const std::uint64_t* payloads(std::uint32_t node) const
	{
		const node_record& record = nodes_[node];
		return record.payload_count == 1 ? &record.first_payload : record.more_payloads;
	}

	// Whether a node's list on a level is as link_back maintains it: ascending, stored distances exact, no kept
	// link nearer to an earlier kept link than to the node (a pruned flag may be stale: see link_back). For tests.
	bool links_consistent(std::uint32_t node, int level);

	// The Graph interface used by the templates above.
	float distance_to_query(std::uint64_t id)
	{
		const auto node = static_cast<std::uint32_t>(id);
		float measured;
		if (!query_distances_.find(node, &measured)) {
			measured = space_(query_, data(node));
			query_distances_.remember(node, measured);
		}
		return measured;
	}
	float distance(std::uint64_t a, std::uint64_t b)
	{
		return space_(data(static_cast<std::uint32_t>(a)), data(static_cast<std::uint32_t>(b)));
	}
	// Measured in one gather, and remembered (a node an upper level's walk measured is measured again, the same).
	void distances_to_query(hnsw_candidate* items, std::size_t count)
	{
		hnsw_distances_to_query(space_, query_, items, count,
		                        [this](std::uint64_t id) { return data(static_cast<std::uint32_t>(id)); });
		for (std::size_t i = 0; i < count; i++) {
			query_distances_.remember(static_cast<std::size_t>(items[i].id), items[i].distance);
		}
	}
	template <class F>
	void for_each_neighbor(std::uint64_t id, int level, F&& f);
	bool mark_visited(std::uint64_t id)
	{
		return visited_.insert(static_cast<std::size_t>(id));
	}

private:
	struct node_record {
		void* block;                  // the vector, then one link list per level 0..level (see links())
		std::uint64_t* more_payloads; // every payload, once there are two
		std::uint64_t first_payload;
		std::int8_t level;
		std::uint8_t payload_count;
	};

	// Bytes from a node's vector to its links: the vector rounded up so links stay aligned.
	std::size_t vector_stride() const
	{
		return (space_.bytes + 7) & ~static_cast<std::size_t>(7);
	}
	// A node's link list on a level, laid out as hnsw_links.hpp describes.
	std::uint32_t* links(std::uint32_t node, int level) const;
	std::uint32_t create_node(const void* vector, std::uint64_t payload, int level);
	// The graph as the neighbour heuristic sees it on one level: a distance between two nodes is read from the
	// first one's links when it has one to the other (links store their distances, which are symmetric), else
	// measured. The heuristic compares candidates near one another, often linked already.
	struct linked_distances {
		hnsw_memory_graph& graph;
		int level;
		float distance(std::uint64_t a, std::uint64_t b) const;
	};
	void set_links(std::uint32_t node, int level, const hnsw_candidate* found, std::size_t count,
	               std::size_t heuristic_kept);
	void link_back(std::uint32_t node, int level, std::uint32_t new_node, float new_distance);
	// New visited walk over `entries`, marking them.
	void start_walk(const candidate_list& entries);
	void release();

	vector_space space_{};
	hnsw_params params_;
	std::uint64_t rng_state_ = 0;
	node_record* nodes_ = nullptr;
	std::uint32_t size_ = 0;
	std::uint32_t node_capacity_ = 0;
	int max_level_ = -1;
	std::uint32_t entry_point_ = 0;
	const void* query_ = nullptr;
	host_arena arena_;
	visited_set visited_;
	distance_memo query_distances_; // from query_: this insert's (or search's) vector
	hnsw_search_scratch scratch_;
	// Results per layer while inserting (each layer's are the next one's entries).
	candidate_list layer_results_[hnsw_max_level + 1];
};

// ---- template and inline definitions --------------------------------------------

namespace detail {

// Order by distance, then id: a strict total order, so heaps and sorts are deterministic.
inline bool candidate_less(const hnsw_candidate& a, const hnsw_candidate& b)
{
	return a.distance < b.distance || (a.distance == b.distance && a.id < b.id);
}

// The order and its reverse as function objects, which heap and sort code inlines (a function pointer it calls).
struct nearer_first {
	bool operator()(const hnsw_candidate& a, const hnsw_candidate& b) const
	{
		return candidate_less(a, b);
	}
};
struct farther_first {
	bool operator()(const hnsw_candidate& a, const hnsw_candidate& b) const
	{
		return candidate_less(b, a);
	}
};

// Push onto a heap ordered by `before` (its top is the element no other precedes).
template <class Compare>
void heap_push(candidate_list& heap, hnsw_candidate candidate, Compare before)
{
	heap.push_back(candidate);
	std::push_heap(heap.data(), heap.data() + heap.size(), before);
}

template <class Compare>
hnsw_candidate heap_pop(candidate_list& heap, Compare before)
{
	std::pop_heap(heap.data(), heap.data() + heap.size(), before);
	const hnsw_candidate top = heap[heap.size() - 1];
	heap.pop_back();
	return top;
}

// Replace the top of a non-empty heap: one pass down, where a push and a pop take two.
template <class Compare>
void heap_replace_top(candidate_list& heap, hnsw_candidate candidate, Compare before)
{
	hnsw_candidate* items = heap.data();
	const std::size_t size = heap.size();
	std::size_t hole = 0;
	for (;;) {
		std::size_t child = 2 * hole + 1;
		if (child >= size) {
			break;
		}
		// The child the heap's order puts above the other
		if (child + 1 < size && before(items[child], items[child + 1])) {
			child++;
		}
		if (!before(candidate, items[child])) {
			break;
		}
		items[hole] = items[child];
		hole = child;
	}
	items[hole] = candidate;
}

} // namespace detail

template <class Graph>
void hnsw_search_layer(Graph& graph, const hnsw_candidate* entries, std::size_t entry_count, std::uint32_t ef,
                       int level, hnsw_search_scratch& scratch, candidate_list& out)
{
	if (ef == 0) {
		ef = 1;
	}
	// frontier: min-heap (nearest on top); results: max-heap (farthest kept on top).
	candidate_list& frontier = scratch.frontier;
	candidate_list& results = scratch.results;
	frontier.clear();
	results.clear();
	for (std::size_t i = 0; i < entry_count; i++) {
		detail::heap_push(frontier, entries[i], detail::farther_first{});
		detail::heap_push(results, entries[i], detail::nearer_first{});
		if (results.size() > ef) {
			detail::heap_pop(results, detail::nearer_first{});
		}
	}
	std::uint32_t expanded = 0;
	while (!frontier.empty()) {
		const hnsw_candidate nearest = detail::heap_pop(frontier, detail::farther_first{});
		// Everything left is farther than the farthest result: the beam cannot improve.
		if (results.size() >= ef && detail::candidate_less(results[0], nearest)) {
			break;
		}
		if ((++expanded & 63) == 0) {
			host.check_interrupts();
		}
		candidate_list& fresh = scratch.fresh;
		fresh.clear();
		graph.for_each_neighbor(nearest.id, level, [&](std::uint64_t id) {
			if (graph.mark_visited(id)) {
				fresh.push_back(hnsw_candidate{0.0F, id});
			}
		});
		if constexpr (requires { graph.distances_to_query(fresh.data(), fresh.size()); }) {
			graph.distances_to_query(fresh.data(), fresh.size());
		} else {
			for (std::size_t i = 0; i < fresh.size(); i++) {
				fresh[i].distance = graph.distance_to_query(fresh[i].id);
			}
		}
		for (std::size_t i = 0; i < fresh.size(); i++) {
			const hnsw_candidate candidate = fresh[i];
			if (results.size() < ef) {
				detail::heap_push(frontier, candidate, detail::farther_first{});
				detail::heap_push(results, candidate, detail::nearer_first{});
			} else if (detail::candidate_less(candidate, results[0])) {
				// Nearer than the farthest result, which it replaces
				detail::heap_push(frontier, candidate, detail::farther_first{});
				detail::heap_replace_top(results, candidate, detail::nearer_first{});
			}
		}
	}
	out.clear();
	out.reserve(results.size());
	for (std::size_t i = 0; i < results.size(); i++) {
		out.push_back(results[i]);
	}
	sort_candidates(out.data(), out.size());
}

template <class Graph>
std::size_t hnsw_select_neighbors(Graph& graph, const hnsw_candidate* sorted, std::size_t count, std::uint32_t m,
                                  hnsw_candidate* kept, bool keep_pruned, std::size_t* heuristic_kept)
{
	// Pruned candidates are copied aside: `kept` may overwrite them in `sorted`.
	candidate_list pruned;
	std::size_t kept_count = 0;
	for (std::size_t i = 0; i < count && kept_count < m; i++) {
		const hnsw_candidate candidate = sorted[i];
		bool keep = true;
		for (std::size_t j = 0; j < kept_count; j++) {
			if (graph.distance(candidate.id, kept[j].id) < candidate.distance) {
				keep = false;
				break;
			}
		}
		if (keep) {
			kept[kept_count++] = candidate;
		} else if (keep_pruned && pruned.size() < m) {
			pruned.push_back(candidate);
		}
	}
	if (heuristic_kept != nullptr) {
		*heuristic_kept = kept_count;
	}
	for (std::size_t i = 0; i < pruned.size() && kept_count < m; i++) {
		kept[kept_count++] = pruned[i];
	}
	return kept_count;
}

template <class F>
void hnsw_memory_graph::for_each_neighbor(std::uint64_t id, int level, F&& f)
{
	const std::uint32_t* list = links(static_cast<std::uint32_t>(id), level);
	const std::uint32_t count = list[0];
	for (std::uint32_t i = 1; i <= count; i++) {
		f(std::uint64_t{list[i]});
	}
}

} // namespace ruvector
