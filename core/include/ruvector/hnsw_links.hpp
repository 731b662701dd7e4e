// A node's link list as both in-memory graphs store it (hnsw_memory_graph for a serial
// build, hnsw_shared_graph for a parallel one): the count, then `capacity` ids, then their
// distances to the node (float), then one byte each: whether the neighbour heuristic keeps
// the link given the links before it (1) or it was pruned (0). Links stay in ascending
// (distance, id) order, so a new link is placed, not the whole list chosen again.
//
// The functions take the graph's distance between two nodes as a callable, so each graph
// keeps its own storage and locking.
#pragma once

#include "ruvector/hnsw.hpp"

#include <cstddef>
#include <cstdint>

namespace ruvector::detail {

struct link_list {
	std::uint32_t* count;
	std::uint32_t* ids;
	float* distances;
	std::uint8_t* kept;
};

// 32-bit words of a list with room for `capacity` links.
constexpr std::size_t link_words(std::uint32_t capacity)
{
	return 1 + 2 * static_cast<std::size_t>(capacity) + (capacity + 3) / 4;
}

inline link_list view_links(std::uint32_t* list, std::uint32_t capacity)
{
	return link_list{list, list + 1, reinterpret_cast<float*>(list + 1 + capacity),
	                 reinterpret_cast<std::uint8_t*>(list + 1 + 2 * static_cast<std::size_t>(capacity))};
}

// A new node's own list: the heuristic's choice (the first `heuristic_kept` of `found`), then the fill,
// merged into ascending order with their flags.
inline void set_links(link_list list, const hnsw_candidate* found, std::size_t count, std::size_t heuristic_kept)
{
	std::size_t a = 0;
	std::size_t b = heuristic_kept;
	for (std::size_t i = 0; i < count; i++) {
		const bool take_kept = b == count || (a < heuristic_kept && candidate_less(found[a], found[b]));
		const hnsw_candidate& next = take_kept ? found[a++] : found[b++];
		list.ids[i] = static_cast<std::uint32_t>(next.id);
		list.distances[i] = next.distance;
		list.kept[i] = take_kept ? 1 : 0;
	}
	*list.count = static_cast<std::uint32_t>(count);
}

// Whether a list is as link_back maintains it: ascending, stored distances exact, no kept link nearer to an
// earlier kept link than to the node (a pruned flag may be stale: see link_back).
template <class Distance>
bool links_consistent(link_list list, std::uint32_t capacity, std::uint64_t node, Distance&& distance)
{
	if (*list.count > capacity) {
		return false;
	}
	for (std::uint32_t i = 0; i < *list.count; i++) {
		const hnsw_candidate here{list.distances[i], list.ids[i]};
		if (list.distances[i] != distance(node, list.ids[i]) ||
		    (i > 0 && !candidate_less(hnsw_candidate{list.distances[i - 1], list.ids[i - 1]}, here))) {
			return false;
		}
		for (std::uint32_t j = 0; j < i && list.kept[i] != 0; j++) {
			if (list.kept[j] != 0 && distance(list.ids[i], list.ids[j]) < list.distances[i]) {
				return false;
			}
		}
	}
	return true;
}

// Place `new_node` in a neighbour's list, as the neighbour heuristic with the fill (keep pruned) would over the
// old links and the new one, without choosing again from scratch: the flags say which links the heuristic
// keeps, and only comparisons with the new node change them. A full list drops its farthest pruned link, or
// its farthest link when the heuristic keeps them all. At most `capacity` distances per call where choosing
// again costs up to capacity^2 / 2: a 10k x 128 build computes 26 % fewer distances in all.
// `relink` and `relink_kept` are scratch with room for capacity + 1 entries.
template <class Distance>
void link_back(link_list list, std::uint32_t capacity, std::uint32_t new_node, float new_distance,
               candidate_list& relink, std::uint8_t* relink_kept, Distance&& distance)
{
	const std::uint32_t count = *list.count;
	const hnsw_candidate added{new_distance, new_node};

	// The old links and the new one, ascending, with their flags.
	relink.clear();
	std::uint32_t position = count;
	for (std::uint32_t i = 0; i < count; i++) {
		const hnsw_candidate old{list.distances[i], list.ids[i]};
		if (position == count && candidate_less(added, old)) {
			position = i;
		}
	}
	for (std::uint32_t i = 0, from = 0; i <= count; i++) {
		if (i == position) {
			relink.push_back(added);
			continue;
		}
		relink.push_back(hnsw_candidate{list.distances[from], list.ids[from]});
		relink_kept[i] = list.kept[from];
		from++;
	}

	// The new link is kept unless a kept link before it is nearer to it than the node is.
	bool keep_new = true;
	for (std::uint32_t j = 0; j < position && keep_new; j++) {
		keep_new = !(relink_kept[j] != 0 && distance(new_node, relink[j].id) < new_distance);
	}
	relink_kept[position] = keep_new ? 1 : 0;

	// A kept new link may prune kept links after it. Links pruned before stay pruned, even if what pruned
	// them goes: finding out would cost O(capacity^2) distances, the cost this placement avoids.
	if (keep_new) {
		for (std::uint32_t i = position + 1; i <= count; i++) {
			if (relink_kept[i] != 0 && distance(relink[i].id, new_node) < relink[i].distance) {
				relink_kept[i] = 0;
			}
		}
	}

	// Over capacity: drop the farthest pruned link, else the farthest.
	std::uint32_t drop = count + 1;
	if (count == capacity) {
		drop = count;
		for (std::uint32_t i = count + 1; i-- > 0;) {
			if (relink_kept[i] == 0) {
				drop = i;
				break;
			}
		}
	}
	std::uint32_t out = 0;
	for (std::uint32_t i = 0; i <= count; i++) {
		if (i == drop) {
			continue;
		}
		list.ids[out] = static_cast<std::uint32_t>(relink[i].id);
		list.distances[out] = relink[i].distance;
		list.kept[out] = relink_kept[i];
		out++;
	}
	*list.count = out;
}

// The k nodes nearest to the graph's query (set by the caller), ascending: a greedy descent from the entry point
// through the upper levels, then a beam of max(ef, k) on level 0 from where the descent ended and from the entry
// point (the repair after a build makes every node reachable from the entry point, not from every node: so a beam
// as wide as the graph finds every node). `start` is scratch for the descent; `start_walk(entries)` begins a walk
// of the graph's visited set with the entries marked.
template <class Graph, class StartWalk>
void search_from_entry(Graph& graph, std::uint32_t entry_point, int max_level, std::uint32_t k, std::uint32_t ef,
                       candidate_list& start, hnsw_search_scratch& scratch, candidate_list& out, StartWalk&& start_walk)
{
	const hnsw_candidate entry{graph.distance_to_query(entry_point), entry_point};
	start.clear();
	start.push_back(entry);
	for (int l = max_level; l >= 1; l--) {
		start_walk(start);
		hnsw_search_layer(graph, start.data(), start.size(), 1, l, scratch, start);
	}
	if (start[0].id != entry_point) {
		start.push_back(entry);
	}
	start_walk(start);
	hnsw_search_layer(graph, start.data(), start.size(), ef > k ? ef : k, 0, scratch, out);
	if (out.size() > k) {
		out.resize_down(k);
	}
}

} // namespace ruvector::detail
