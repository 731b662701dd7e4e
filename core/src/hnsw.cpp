// HNSW: level generator, candidate lists, and the in-memory graph of an index build.
#include "ruvector/hnsw.hpp"
#include "ruvector/hnsw_links.hpp"
#include "ruvector/hnsw_repair.hpp"

#include <cmath>
#include <cstring>

namespace ruvector {

namespace {

// splitmix64: a full-period 64-bit generator with well-mixed output, small enough to
// keep its whole state in the caller's integer.
std::uint64_t next_random(std::uint64_t& state)
{
	state += 0x9e3779b97f4a7c15ULL;
	std::uint64_t z = state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

template <class T>
T* allocate_array(std::size_t count)
{
	return static_cast<T*>(host.allocate(count * sizeof(T)));
}

} // namespace

int hnsw_random_level(std::uint64_t& rng_state, std::uint32_t m)
{
	// 53 random bits give u in (0, 1]; u = 1 gives level 0, never log(0).
	const double u = static_cast<double>((next_random(rng_state) >> 11) + 1) * 0x1p-53;
	const double level = -std::log(u) / std::log(static_cast<double>(m));
	// Negated test: also caps the infinity or NaN that m = 1 gives.
	if (!(level < hnsw_max_level)) {
		return hnsw_max_level;
	}
	return static_cast<int>(level);
}

candidate_list::~candidate_list()
{
	if (items_ != nullptr) {
		host.deallocate(items_);
	}
}

void candidate_list::reserve(std::size_t capacity)
{
	if (capacity <= capacity_) {
		return;
	}
	auto* items = allocate_array<hnsw_candidate>(capacity);
	if (items_ != nullptr) {
		std::memcpy(items, items_, size_ * sizeof(hnsw_candidate));
		host.deallocate(items_);
	}
	items_ = items;
	capacity_ = capacity;
}

void candidate_list::grow()
{
	reserve(capacity_ < 16 ? 16 : 2 * capacity_);
}

void sort_candidates(hnsw_candidate* begin, std::size_t count)
{
	std::sort(begin, begin + count, detail::nearer_first{});
}

visited_set::~visited_set()
{
	if (stamps_ != nullptr) {
		host.deallocate(stamps_);
	}
}

void visited_set::reserve(std::size_t count)
{
	if (count <= capacity_) {
		return;
	}
	auto* stamps = allocate_array<std::uint16_t>(count);
	if (stamps_ != nullptr) {
		std::memcpy(stamps, stamps_, capacity_ * sizeof(std::uint16_t));
		host.deallocate(stamps_);
	}
	std::memset(stamps + capacity_, 0, (count - capacity_) * sizeof(std::uint16_t));
	stamps_ = stamps;
	capacity_ = count;
}

void visited_set::next_walk()
{
	epoch_++;
	if (epoch_ == 0) {
		// Wrapped: stamps of long-past walks would now look current.
		std::memset(stamps_, 0, capacity_ * sizeof(std::uint16_t));
		epoch_ = 1;
	}
}

distance_memo::~distance_memo()
{
	if (values_ != nullptr) {
		host.deallocate(values_);
	}
}

void distance_memo::reserve(std::size_t count)
{
	std::size_t old = known_.capacity();
	if (count <= old) {
		return;
	}
	auto* values = allocate_array<float>(count);
	if (values_ != nullptr) {
		std::memcpy(values, values_, old * sizeof(float));
		host.deallocate(values_);
	}
	values_ = values;
	known_.reserve(count);
}

hnsw_memory_graph::~hnsw_memory_graph()
{
	release();
}

void hnsw_memory_graph::release()
{
	arena_.release();
	if (nodes_ != nullptr) {
		host.deallocate(nodes_);
		nodes_ = nullptr;
	}
	size_ = 0;
	node_capacity_ = 0;
	max_level_ = -1;
	entry_point_ = 0;
}

void hnsw_memory_graph::init(const vector_space& space, const hnsw_params& params)
{
	release();
	space_ = space;
	params_ = params;
	rng_state_ = params.seed;
}

std::size_t hnsw_memory_graph::memory_bytes() const
{
	std::size_t bytes = arena_.memory_bytes() + node_capacity_ * sizeof(node_record) + visited_.memory_bytes() +
	                    query_distances_.memory_bytes();
	bytes += (scratch_.frontier.capacity() + scratch_.results.capacity() + scratch_.fresh.capacity()) *
	         sizeof(hnsw_candidate);
	for (const candidate_list& list : layer_results_) {
		bytes += list.capacity() * sizeof(hnsw_candidate);
	}
	return bytes;
}

std::uint32_t* hnsw_memory_graph::links(std::uint32_t node, int level) const
{
	auto* base = reinterpret_cast<std::uint32_t*>(static_cast<char*>(nodes_[node].block) + vector_stride());
	if (level == 0) {
		return base;
	}
	return base + detail::link_words(2 * params_.m) +
	       static_cast<std::size_t>(level - 1) * detail::link_words(params_.m);
}

std::uint32_t hnsw_memory_graph::create_node(const void* vector, std::uint64_t payload, int level)
{
	if (size_ == node_capacity_) {
		const std::uint32_t capacity = node_capacity_ < 64 ? 64 : 2 * node_capacity_;
		auto* nodes = allocate_array<node_record>(capacity);
		if (nodes_ != nullptr) {
			std::memcpy(nodes, nodes_, size_ * sizeof(node_record));
			host.deallocate(nodes_);
		}
		nodes_ = nodes;
		node_capacity_ = capacity;
		visited_.reserve(capacity);
		query_distances_.reserve(capacity);
	}
	const std::size_t words =
	    detail::link_words(2 * params_.m) + static_cast<std::size_t>(level) * detail::link_words(params_.m);
	void* block = arena_.allocate(vector_stride() + words * sizeof(std::uint32_t));
	std::memcpy(block, vector, space_.bytes);

	const std::uint32_t node = size_++;
	nodes_[node] = node_record{block, nullptr, payload, static_cast<std::int8_t>(level), 1};
	for (int l = 0; l <= level; l++) {
		links(node, l)[0] = 0;
	}
	return node;
}

void hnsw_memory_graph::start_walk(const candidate_list& entries)
{
	visited_.next_walk();
	for (std::size_t i = 0; i < entries.size(); i++) {
		visited_.insert(static_cast<std::size_t>(entries[i].id));
	}
}

// A new node's own list: the heuristic's choice, then the fill, stored in ascending order with their flags.
void hnsw_memory_graph::set_links(std::uint32_t node, int level, const hnsw_candidate* found, std::size_t count,
                                  std::size_t heuristic_kept)
{
	detail::set_links(detail::view_links(links(node, level), hnsw_level_capacity(params_.m, level)), found, count,
	                  heuristic_kept);
}

float hnsw_memory_graph::linked_distances::distance(std::uint64_t a, std::uint64_t b) const
{
	const detail::link_list list = detail::view_links(graph.links(static_cast<std::uint32_t>(a), level),
	                                                  hnsw_level_capacity(graph.params_.m, level));
	for (std::uint32_t i = 0; i < *list.count; i++) {
		if (list.ids[i] == b) {
			return list.distances[i];
		}
	}
	return graph.distance(a, b);
}

bool hnsw_memory_graph::links_consistent(std::uint32_t node, int level)
{
	const std::uint32_t capacity = hnsw_level_capacity(params_.m, level);
	return detail::links_consistent(detail::view_links(links(node, level), capacity), capacity, node,
	                                [this](std::uint64_t a, std::uint64_t b) { return distance(a, b); });
}

void hnsw_memory_graph::link_back(std::uint32_t node, int level, std::uint32_t new_node, float new_distance)
{
	const std::uint32_t capacity = hnsw_level_capacity(params_.m, level);
	// Distances to the new node are distances to the query of the insert (the same vector), mostly measured.
	detail::link_back(detail::view_links(links(node, level), capacity), capacity, new_node, new_distance,
	                  [this, new_node](std::uint64_t a, std::uint64_t b) {
		                  if (a == new_node) {
			                  return distance_to_query(b);
		                  }
		                  return b == new_node ? distance_to_query(a) : distance(a, b);
	                  });
}

std::uint32_t hnsw_memory_graph::add(const void* vector, std::uint64_t payload)
{
	host.check_interrupts();
	const int level = hnsw_random_level(rng_state_, params_.m);
	if (size_ == 0) {
		entry_point_ = create_node(vector, payload, level);
		max_level_ = level;
		return entry_point_;
	}

	// Search from the top: one greedy step per layer above the new node's level, a
	// beam of ef_construction on its own layers. Each layer's results enter the next.
	query_ = vector;
	query_distances_.next_vector();
	candidate_list* entries = &layer_results_[max_level_];
	entries->clear();
	entries->push_back(hnsw_candidate{distance_to_query(entry_point_), entry_point_});
	for (int l = max_level_; l >= 0; l--) {
		const std::uint32_t ef = l > level ? 1 : params_.ef_construction;
		start_walk(*entries);
		hnsw_search_layer(*this, entries->data(), entries->size(), ef, l, scratch_, layer_results_[l]);
		entries = &layer_results_[l];
	}

	// An identical vector is as near as the query is to itself; compare only those.
	const candidate_list& nearest = layer_results_[0];
	const float self_distance = space_(vector, vector);
	for (std::size_t i = 0; i < nearest.size(); i++) {
		const auto node = static_cast<std::uint32_t>(nearest[i].id);
		node_record& record = nodes_[node];
		if (nearest[i].distance != self_distance || record.payload_count == hnsw_max_payloads ||
		    !space_.same_vector(data(node), vector)) {
			continue;
		}
		if (record.payload_count == 1) {
			record.more_payloads =
			    static_cast<std::uint64_t*>(arena_.allocate(hnsw_max_payloads * sizeof(std::uint64_t)));
			record.more_payloads[0] = record.first_payload;
		}
		record.more_payloads[record.payload_count++] = payload;
		return node;
	}

	const std::uint32_t node = create_node(vector, payload, level);
	linked_distances linked{*this, 0};
	for (int l = level < max_level_ ? level : max_level_; l >= 0; l--) {
		linked.level = l;
		candidate_list& found = layer_results_[l];
		const std::uint32_t capacity = hnsw_level_capacity(params_.m, l);
		std::size_t heuristic_kept = 0;
		const std::size_t kept =
		    hnsw_select_neighbors(linked, found.data(), found.size(), capacity, found.data(), true, &heuristic_kept);
		set_links(node, l, found.data(), kept, heuristic_kept);
		for (std::size_t i = 0; i < kept; i++) {
			link_back(static_cast<std::uint32_t>(found[i].id), l, node, found[i].distance);
		}
	}
	if (level > max_level_) {
		max_level_ = level;
		entry_point_ = node;
	}
	return node;
}

void hnsw_memory_graph::search(const void* query, std::uint32_t k, std::uint32_t ef, candidate_list& out)
{
	out.clear();
	if (size_ == 0 || k == 0) {
		return;
	}
	query_ = query;
	query_distances_.next_vector();
	detail::search_from_entry(*this, entry_point_, max_level_, k, ef, layer_results_[1], scratch_, out,
	                          [this](const candidate_list& entries) { start_walk(entries); });
}

hnsw_repair_stats hnsw_memory_graph::repair_reachability()
{
	struct repair_view {
		hnsw_memory_graph& graph;

		std::uint32_t size() const
		{
			return graph.size_;
		}
		int level(std::uint32_t node) const
		{
			return graph.nodes_[node].level;
		}
		float distance(std::uint64_t a, std::uint64_t b)
		{
			return graph.distance(a, b);
		}
		std::uint32_t link_capacity(int level) const
		{
			return hnsw_level_capacity(graph.params_.m, level);
		}
		detail::link_list link_view(std::uint32_t node, int level)
		{
			return detail::view_links(graph.links(node, level), link_capacity(level));
		}
	};
	repair_view view{*this};
	return hnsw_repair_reachability(view, entry_point_, max_level_, params_.ef_construction);
}

} // namespace ruvector
