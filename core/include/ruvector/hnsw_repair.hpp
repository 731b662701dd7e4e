// Reachability repair after a build: link every node a search could never reach.
//
// A neighbour list that is full drops a link when a nearer node arrives (hnsw_links.hpp's link_back). If that
// link was a node's only incoming one, the node is out of reach of every search from the entry point, even of an
// exhaustive iterative scan. Concurrent inserts (hnsw_shared_graph) do this now and then, as they choose links
// without seeing each other; pruning in a serial build can too.
//
// The repair works level by level, top down. A breadth-first walk from the entry point marks every node it
// reaches and remembers, for each, the link it was first reached by: its tree link. The tree links span
// everything reached, so removing any other link strands nothing. Each node not reached is then linked from the
// nearest reached node on that level that has a slot to give: a free one, or else one of its links that is not a
// tree link (the farthest pruned such link, else the farthest). That node's link becomes the orphan's tree link
// and the walk goes on from the orphan, so everything the orphan links to is reached too. A tree leaf always has
// a slot to give, so every node gets linked in one pass, and no eviction can strand anything.
//
// Candidates are the orphan's own links and a search for its vector from the entry point (the levels above are
// repaired already, so the descent is sound); only when none of them is reached and has a slot is every reached
// node on the level tried (never seen in practice: a tree always has leaves, this only finds the nearest one).
//
// Reached is not yet found. Concurrent inserts now and then leave a node, or a small island of nodes linked among
// themselves, whose only incoming links come from far away: a walk reaches it, but a beam search for its own
// vector ends near it without stepping onto it, even at a wide beam. So after the reachability repair, level 0's
// suspects are searched for: nodes with at most 2 incoming links (3 of 3,600 in the trials that showed this) and
// the islands the repair reached through the one link it made. One the search misses is linked from the 3 nearest
// nodes the search found, each giving a slot as above. Tree links stay, so everything stays reached.
//
// A Graph provides, for a graph no insert changes meanwhile:
//
//   std::uint32_t size();                                  // nodes 0..size-1
//   int level(std::uint32_t node);                         // the node's top level
//   float distance(std::uint64_t a, std::uint64_t b);      // between two nodes
//   detail::link_list link_view(std::uint32_t node, int level); // the list, to read and change
//   std::uint32_t link_capacity(int level);                // links a list holds on the level
#pragma once

#include "ruvector/hnsw.hpp"
#include "ruvector/hnsw_links.hpp"
#include "ruvector/memory.hpp"
#include "ruvector/visited.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ruvector {

namespace detail {

constexpr std::uint32_t no_parent = UINT32_MAX;

// The Graph interface of hnsw_search_layer over a repaired graph, the query being one of its nodes.
template <class Graph>
struct repair_walk {
	Graph& graph;
	visited_set& visited;
	std::uint64_t query_node;

	float distance_to_query(std::uint64_t id)
	{
		return graph.distance(query_node, id);
	}
	float distance(std::uint64_t a, std::uint64_t b)
	{
		return graph.distance(a, b);
	}
	template <class F>
	void for_each_neighbor(std::uint64_t id, int level, F&& f)
	{
		const link_list list = graph.link_view(static_cast<std::uint32_t>(id), level);
		for (std::uint32_t i = 0; i < *list.count; i++) {
			f(std::uint64_t{list.ids[i]});
		}
	}
	bool mark_visited(std::uint64_t id)
	{
		return visited.insert(static_cast<std::size_t>(id));
	}
};

// The working state of one repair: per node whether the walk reached it and by which link.
template <class Graph>
class reachability_repair {
public:
	reachability_repair(Graph& graph, std::uint32_t entry_point, int max_level, std::uint32_t ef)
	    : graph_(graph), entry_point_(entry_point), max_level_(max_level), ef_(ef), size_(graph.size())
	{
		parent_ = static_cast<std::uint32_t*>(host.allocate(size_ * sizeof(std::uint32_t)));
		queue_ = static_cast<std::uint32_t*>(host.allocate(size_ * sizeof(std::uint32_t)));
		suspect_ = static_cast<std::uint8_t*>(host.allocate(size_));
		std::memset(suspect_, 0, size_);
		visited_.reserve(size_);
	}
	reachability_repair(const reachability_repair&) = delete;
	reachability_repair& operator=(const reachability_repair&) = delete;
	~reachability_repair()
	{
		host.deallocate(parent_);
		host.deallocate(queue_);
		host.deallocate(suspect_);
	}

	hnsw_repair_stats run()
	{
		for (int level = max_level_; level >= 0; level--) {
			repair_level(level);
		}
		link_hard_to_find(); // level 0's tree links are the ones in parent_ now
		return stats_;
	}

private:
	bool reached(std::uint32_t node) const
	{
		return parent_[node] != no_parent;
	}

	// Mark `start` reached (by `parent`), then everything it leads to on the level; returns how many nodes that
	// is, listed at the start of queue_.
	std::uint32_t reach_from(std::uint32_t start, std::uint32_t parent, int level)
	{
		std::uint32_t head = 0;
		std::uint32_t tail = 0;
		parent_[start] = parent;
		queue_[tail++] = start;
		while (head < tail) {
			const std::uint32_t node = queue_[head++];
			const link_list list = graph_.link_view(node, level);
			for (std::uint32_t i = 0; i < *list.count; i++) {
				const std::uint32_t to = list.ids[i];
				if (!reached(to)) {
					parent_[to] = node;
					queue_[tail++] = to;
				}
			}
		}
		return tail;
	}

	// Whether `node` can take one more link: a free slot, or a link that is not a tree link.
	bool has_slot(std::uint32_t node, int level)
	{
		const link_list list = graph_.link_view(node, level);
		if (*list.count < graph_.link_capacity(level)) {
			return true;
		}
		for (std::uint32_t i = 0; i < *list.count; i++) {
			if (parent_[list.ids[i]] != node) {
				return true;
			}
		}
		return false;
	}

	// Consider `node` as the source of the orphan's link: it must be reached and have a slot; nearest wins.
	void consider(std::uint32_t orphan, std::uint32_t node, float distance, int level, hnsw_candidate& best)
	{
		if (node == orphan || !reached(node) || graph_.level(node) < level) {
			return;
		}
		const hnsw_candidate candidate{distance, node};
		if ((best.id == no_parent || candidate_less(candidate, best)) && has_slot(node, level)) {
			best = candidate;
		}
	}

	// A search for `node`'s vector from the entry point: its ef nearest on `level`, ascending, in found_.
	void search_for(std::uint32_t node, int level)
	{
		repair_walk<Graph> walk{graph_, visited_, node};
		found_.clear();
		found_.push_back(hnsw_candidate{walk.distance_to_query(entry_point_), entry_point_});
		for (int l = max_level_; l >= level; l--) {
			visited_.next_walk();
			for (std::size_t i = 0; i < found_.size(); i++) {
				visited_.insert(static_cast<std::size_t>(found_[i].id));
			}
			hnsw_search_layer(walk, found_.data(), found_.size(), l > level ? 1 : ef_, l, scratch_, found_);
		}
	}

	// The nearest reached node with a slot, among the orphan's links and a search for its vector.
	hnsw_candidate find_source(std::uint32_t orphan, int level)
	{
		hnsw_candidate best{0.0F, no_parent};
		const link_list own = graph_.link_view(orphan, level);
		for (std::uint32_t i = 0; i < *own.count; i++) {
			consider(orphan, own.ids[i], graph_.distance(own.ids[i], orphan), level, best);
		}

		search_for(orphan, level);
		for (std::size_t i = 0; i < found_.size(); i++) {
			const auto node = static_cast<std::uint32_t>(found_[i].id);
			consider(orphan, node, graph_.distance(node, orphan), level, best);
		}
		if (best.id != no_parent) {
			return best;
		}
		for (std::uint32_t node = 0; node < size_; node++) {
			if (reached(node) && graph_.level(node) >= level) {
				consider(orphan, node, graph_.distance(node, orphan), level, best);
			}
		}
		return best;
	}

	// Put `orphan` in `source`'s list, making room by dropping a link that is not a tree link.
	void link(std::uint32_t source, std::uint32_t orphan, float distance, int level)
	{
		const std::uint32_t capacity = graph_.link_capacity(level);
		const link_list list = graph_.link_view(source, level);
		const std::uint32_t count = *list.count;
		if (count == capacity) {
			std::uint32_t drop = count;
			for (std::uint32_t i = count; i-- > 0;) {
				if (parent_[list.ids[i]] == source) {
					continue;
				}
				if (drop == count) {
					drop = i; // the farthest link that is not a tree link
				}
				if (list.kept[i] == 0) {
					drop = i; // the farthest pruned one, better still
					break;
				}
			}
			std::memmove(list.ids + drop, list.ids + drop + 1, (count - drop - 1) * sizeof(std::uint32_t));
			std::memmove(list.distances + drop, list.distances + drop + 1, (count - drop - 1) * sizeof(float));
			std::memmove(list.kept + drop, list.kept + drop + 1, count - drop - 1);
			*list.count = count - 1;
			stats_.evicted++;
		}
		// With a slot free, link_back places the orphan and drops nothing.
		link_back(list, capacity, orphan, distance,
		          [this](std::uint64_t a, std::uint64_t b) { return graph_.distance(a, b); });
	}

	void repair_level(int level)
	{
		for (std::uint32_t node = 0; node < size_; node++) {
			parent_[node] = no_parent;
		}
		reach_from(entry_point_, entry_point_, level);
		for (std::uint32_t node = 0; node < size_; node++) {
			if (reached(node) || graph_.level(node) < level) {
				continue;
			}
			const hnsw_candidate source = find_source(node, level);
			if (source.id == no_parent) {
				continue; // cannot happen: a reached node without tree children has a slot
			}
			link(static_cast<std::uint32_t>(source.id), node, source.distance, level);
			const std::uint32_t island = reach_from(node, static_cast<std::uint32_t>(source.id), level);
			for (std::uint32_t i = 0; level == 0 && i < island; i++) {
				suspect_[queue_[i]] = 1; // reached through the one link just made
			}
			stats_.relinked++;
		}
	}

	static bool links_to(link_list list, std::uint32_t node)
	{
		for (std::uint32_t i = 0; i < *list.count; i++) {
			if (list.ids[i] == node) {
				return true;
			}
		}
		return false;
	}

	// On level 0, link each node that a search for its own vector misses from its nearest found nodes, among those
	// with few incoming links or reached through a link the repair made (the header comment says why). Runs after
	// repair_level(0): parent_ holds its tree.
	void link_hard_to_find()
	{
		constexpr std::uint32_t few_incoming = 2;
		constexpr std::uint32_t new_links = 3;
		std::uint32_t* incoming = queue_; // the walk's queue is free now
		std::memset(incoming, 0, size_ * sizeof(std::uint32_t));
		for (std::uint32_t node = 0; node < size_; node++) {
			const link_list list = graph_.link_view(node, 0);
			for (std::uint32_t i = 0; i < *list.count; i++) {
				incoming[list.ids[i]]++;
			}
		}
		for (std::uint32_t node = 0; node < size_; node++) {
			if ((suspect_[node] == 0 && incoming[node] > few_incoming) || node == entry_point_) {
				continue;
			}
			search_for(node, 0);
			bool found = false;
			for (std::size_t i = 0; i < found_.size() && !found; i++) {
				found = found_[i].id == node;
			}
			if (found) {
				continue;
			}
			std::uint32_t linked = 0;
			for (std::size_t i = 0; i < found_.size() && linked < new_links; i++) {
				const auto source = static_cast<std::uint32_t>(found_[i].id);
				if (!reached(source) || !has_slot(source, 0) || links_to(graph_.link_view(source, 0), node)) {
					continue;
				}
				link(source, node, graph_.distance(source, node), 0);
				linked++;
			}
			stats_.made_findable += linked > 0 ? 1 : 0;
		}
	}

	Graph& graph_;
	std::uint32_t entry_point_;
	int max_level_;
	std::uint32_t ef_;
	std::uint32_t size_;
	std::uint32_t* parent_ = nullptr; // the node whose link first reached it; no_parent while unreached
	std::uint32_t* queue_ = nullptr;
	std::uint8_t* suspect_ = nullptr; // level 0: reached only through a link the repair made, or few links
	candidate_list found_;
	hnsw_search_scratch scratch_;
	visited_set visited_;
	hnsw_repair_stats stats_;
};

} // namespace detail

// Make every node reachable from the entry point on every level it is on, as the header comment describes.
// `ef` is the beam of the search for each orphan's nearest reached nodes (the build's ef_construction).
template <class Graph>
hnsw_repair_stats hnsw_repair_reachability(Graph& graph, std::uint32_t entry_point, int max_level, std::uint32_t ef)
{
	if (graph.size() == 0 || max_level < 0) {
		return hnsw_repair_stats{};
	}
	detail::reachability_repair<Graph> repair(graph, entry_point, max_level, ef);
	return repair.run();
}

} // namespace ruvector
