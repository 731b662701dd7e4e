// The graph of a parallel index build: hnsw_memory_graph's algorithm over one area of
// memory that several inserters (threads, or processes that map the area at different
// addresses) grow at the same time.
//
// Everything in the area is found by offsets and node numbers, never pointers, and it
// holds no std containers: a PostgreSQL parallel build puts it in a dynamic shared
// memory segment. Each inserter attaches its own hnsw_shared_graph object, which keeps
// its private scratch (visited set, candidate lists) in host memory.
//
// Concurrency: every node has a lock word, held while its link lists or payloads are read
// or changed (at most one node lock at a time, so no deadlock); the entry point has its
// own. Vectors never change once a node is published, so distances need no lock. Locks are
// spin locks on atomic words (yielding the CPU while they wait), so they work across
// processes and the host needs to know nothing about them. No host call (allocation,
// interrupt check) is made while a lock is held.
#pragma once

#include "ruvector/hnsw.hpp"

#include <cstddef>
#include <cstdint>

namespace ruvector {

// add()'s answer when the area has no room left for the vector; the graph is unchanged.
constexpr std::uint32_t hnsw_no_room = UINT32_MAX;

class hnsw_shared_graph {
public:
	hnsw_shared_graph() = default;
	hnsw_shared_graph(const hnsw_shared_graph&) = delete;
	hnsw_shared_graph& operator=(const hnsw_shared_graph&) = delete;
	~hnsw_shared_graph();

	// Lay out an empty graph for vectors of `space` over `bytes` at `area` (8-byte aligned). Nothing is
	// allocated from the host. False when the area is too small to hold one node.
	static bool format(void* area, std::size_t bytes, const vector_space& space, const hnsw_params& params);

	// Work on the graph formatted at `area` (this process's address of it) with vectors of the same space.
	// `seed` starts this inserter's level generator: give each inserter its own.
	void attach(void* area, const vector_space& space, std::uint64_t seed);

	// Insert a vector with its payload, while other inserters do too. As hnsw_memory_graph::add, an identical
	// vector's node takes the payload while it has room. Returns hnsw_no_room, changing nothing, when the
	// area cannot hold the new node.
	std::uint32_t add(const void* vector, std::uint64_t payload);

	// k nearest nodes to `query`, ascending, with a candidate list of max(ef, k).
	void search(const void* query, std::uint32_t k, std::uint32_t ef, candidate_list& out);

	// Link every node no walk from the entry point reaches (hnsw_repair.hpp). Only while no insert runs: it
	// changes link lists without their locks.
	hnsw_repair_stats repair_reachability();

	// Bytes of the area in use (the header and node table included).
	std::size_t memory_bytes() const;

	// Read access once no insert runs, as hnsw_memory_graph's (for writing the graph out).
	std::uint32_t size() const;
	const vector_space& space() const
	{
		return space_;
	}
	int max_level() const; // -1 when empty
	std::uint32_t entry_point() const;
	int level(std::uint32_t node) const
	{
		return record(node).level;
	}
	const void* data(std::uint32_t node) const
	{
		return base_ + record(node).block;
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
		return record(node).payload_count;
	}
	const std::uint64_t* payloads(std::uint32_t node) const;
	// As hnsw_memory_graph::links_consistent. For tests.
	bool links_consistent(std::uint32_t node, int level);

	// The Graph interface of hnsw.hpp's templates (safe while others insert).
	float distance_to_query(std::uint64_t id)
	{
		return space_(query_, data(static_cast<std::uint32_t>(id)));
	}
	float distance(std::uint64_t a, std::uint64_t b)
	{
		return space_(data(static_cast<std::uint32_t>(a)), data(static_cast<std::uint32_t>(b)));
	}
	void distances_to_query(hnsw_candidate* items, std::size_t count)
	{
		hnsw_distances_to_query(space_, query_, items, count,
		                        [this](std::uint64_t id) { return data(static_cast<std::uint32_t>(id)); });
	}
	// Copies the list under the node's lock, then visits: `f` may take other locks.
	template <class F>
	void for_each_neighbor(std::uint64_t id, int level, F&& f);
	bool mark_visited(std::uint64_t id)
	{
		return visited_.insert(static_cast<std::size_t>(id));
	}

private:
	struct header;
	struct node_record {
		std::uint64_t block;         // offset of the vector, then one link list per level (hnsw_links.hpp)
		std::uint64_t more_payloads; // offset of every payload once there are two; 0 before
		std::uint64_t first_payload;
		std::uint32_t lock; // guards the link lists and payloads
		std::int8_t level;
		std::uint8_t payload_count;
	};

	header& head() const;
	node_record& record(std::uint32_t node) const;
	std::size_t vector_stride() const
	{
		return (space_.bytes + 7) & ~static_cast<std::size_t>(7);
	}
	std::uint32_t* links(std::uint32_t node, int level) const;
	std::uint32_t copy_links(std::uint32_t node, int level);
	// Offset of `bytes` taken from the area, 0 when it has no room.
	std::uint64_t take(std::size_t bytes);
	std::uint32_t create_node(const void* vector, std::uint64_t payload, int level);
	bool add_payload(std::uint32_t node, std::uint64_t payload, bool* full);
	void start_walk(const candidate_list& entries);
	void entry(int* max_level, std::uint32_t* entry_point) const;

	char* base_ = nullptr;
	vector_space space_{};
	std::uint32_t m_ = 0;
	std::uint32_t ef_construction_ = 0;
	std::uint64_t rng_state_ = 0;
	const void* query_ = nullptr;
	visited_set visited_;
	hnsw_search_scratch scratch_;
	candidate_list layer_results_[hnsw_max_level + 1];
	std::uint32_t* neighbor_copy_ = nullptr; // one level's list, copied out under its lock
};

template <class F>
void hnsw_shared_graph::for_each_neighbor(std::uint64_t id, int level, F&& f)
{
	const std::uint32_t count = copy_links(static_cast<std::uint32_t>(id), level);
	for (std::uint32_t i = 0; i < count; i++) {
		f(std::uint64_t{neighbor_copy_[i]});
	}
}

} // namespace ruvector
