// The graph of a parallel index build (see hnsw_shared.hpp): the area's layout, its spin
// locks, and hnsw_memory_graph's insert with a lock around every link list it touches.
#include "ruvector/hnsw_shared.hpp"

#include "ruvector/hnsw_links.hpp"
#include "ruvector/hnsw_repair.hpp"

#include <cstring>
#if !defined(__wasm__)
#include <thread>
#endif

namespace ruvector {

// At the start of the area. Fields written by several inserters are only touched atomically.
struct hnsw_shared_graph::header {
	std::uint64_t bytes; // the area's size
	std::uint64_t used;  // bytes handed out from the area's start (atomic)
	std::uint32_t node_capacity;
	std::uint32_t size; // node numbers handed out (atomic)
	std::uint32_t m;
	std::uint32_t ef_construction;
	std::uint64_t vector_bytes;
	std::uint32_t entry_lock; // guards max_level and entry_point
	std::int32_t max_level;
	std::uint32_t entry_point;
};

namespace {

// The node table starts here, 16-byte aligned.
constexpr std::size_t table_offset = (sizeof(std::uint64_t) * 8 + 15) & ~static_cast<std::size_t>(15);

void lock(std::uint32_t& word)
{
	for (unsigned spins = 0; __atomic_exchange_n(&word, 1U, __ATOMIC_ACQUIRE) != 0;) {
		while (__atomic_load_n(&word, __ATOMIC_RELAXED) != 0) {
			// Inserters may outnumber cores: let the holder run rather than burn its time slice.
			if (++spins % 64 == 0) {
#if !defined(__wasm__)
				std::this_thread::yield();
#endif
			}
		}
	}
}

void unlock(std::uint32_t& word)
{
	__atomic_store_n(&word, 0U, __ATOMIC_RELEASE);
}

template <class T>
T* allocate_array(std::size_t count)
{
	return static_cast<T*>(host.allocate(count * sizeof(T)));
}

std::size_t round16(std::size_t bytes)
{
	return (bytes + 15) & ~static_cast<std::size_t>(15);
}

} // namespace

bool hnsw_shared_graph::format(void* area, std::size_t bytes, const vector_space& space, const hnsw_params& params)
{
	static_assert(sizeof(header) <= table_offset, "header overlaps the node table");
	const std::size_t smallest_node =
	    sizeof(node_record) + round16(((space.bytes + 7) & ~static_cast<std::size_t>(7)) +
	                                  detail::link_words(2 * params.m) * sizeof(std::uint32_t));
	if (bytes < table_offset + smallest_node) {
		return false;
	}
	// A node table for as many nodes as could fit, none above level 0; the rest is for their blocks.
	std::size_t capacity = (bytes - table_offset) / smallest_node;
	if (capacity >= hnsw_no_room) {
		capacity = hnsw_no_room - 1;
	}
	auto* head = static_cast<header*>(area);
	std::memset(head, 0, sizeof(header));
	head->bytes = bytes;
	head->used = round16(table_offset + capacity * sizeof(node_record));
	head->node_capacity = static_cast<std::uint32_t>(capacity);
	head->m = params.m;
	head->ef_construction = params.ef_construction;
	head->vector_bytes = space.bytes;
	head->max_level = -1;
	return true;
}

hnsw_shared_graph::~hnsw_shared_graph()
{
	if (neighbor_copy_ != nullptr) {
		host.deallocate(neighbor_copy_);
	}
}

void hnsw_shared_graph::attach(void* area, const vector_space& space, std::uint64_t seed)
{
	base_ = static_cast<char*>(area);
	space_ = space;
	m_ = head().m;
	ef_construction_ = head().ef_construction;
	rng_state_ = seed;
	visited_.reserve(head().node_capacity);
	if (neighbor_copy_ == nullptr) {
		neighbor_copy_ = allocate_array<std::uint32_t>(2 * static_cast<std::size_t>(m_));
	}
}

hnsw_shared_graph::header& hnsw_shared_graph::head() const
{
	return *reinterpret_cast<header*>(base_);
}

hnsw_shared_graph::node_record& hnsw_shared_graph::record(std::uint32_t node) const
{
	return reinterpret_cast<node_record*>(base_ + table_offset)[node];
}

std::size_t hnsw_shared_graph::memory_bytes() const
{
	return __atomic_load_n(&head().used, __ATOMIC_RELAXED);
}

std::uint32_t hnsw_shared_graph::size() const
{
	return __atomic_load_n(&head().size, __ATOMIC_ACQUIRE);
}

void hnsw_shared_graph::entry(int* max_level, std::uint32_t* entry_point) const
{
	lock(head().entry_lock);
	*max_level = head().max_level;
	*entry_point = head().entry_point;
	unlock(head().entry_lock);
}

int hnsw_shared_graph::max_level() const
{
	int level = 0;
	std::uint32_t node = 0;
	entry(&level, &node);
	return level;
}

std::uint32_t hnsw_shared_graph::entry_point() const
{
	int level = 0;
	std::uint32_t node = 0;
	entry(&level, &node);
	return node;
}

const std::uint64_t* hnsw_shared_graph::payloads(std::uint32_t node) const
{
	const node_record& r = record(node);
	return r.payload_count == 1 ? &r.first_payload : reinterpret_cast<const std::uint64_t*>(base_ + r.more_payloads);
}

std::uint32_t* hnsw_shared_graph::links(std::uint32_t node, int level) const
{
	auto* base = reinterpret_cast<std::uint32_t*>(base_ + record(node).block + vector_stride());
	if (level == 0) {
		return base;
	}
	return base + detail::link_words(2 * m_) + static_cast<std::size_t>(level - 1) * detail::link_words(m_);
}

std::uint32_t hnsw_shared_graph::copy_links(std::uint32_t node, int level)
{
	node_record& r = record(node);
	lock(r.lock);
	const std::uint32_t* list = links(node, level);
	const std::uint32_t count = list[0];
	std::memcpy(neighbor_copy_, list + 1, count * sizeof(std::uint32_t));
	unlock(r.lock);
	return count;
}

bool hnsw_shared_graph::links_consistent(std::uint32_t node, int level)
{
	const std::uint32_t capacity = hnsw_level_capacity(m_, level);
	return detail::links_consistent(detail::view_links(links(node, level), capacity), capacity, node,
	                                [this](std::uint64_t a, std::uint64_t b) { return distance(a, b); });
}

std::uint64_t hnsw_shared_graph::take(std::size_t bytes)
{
	bytes = round16(bytes);
	std::uint64_t used = __atomic_load_n(&head().used, __ATOMIC_RELAXED);
	do {
		if (used + bytes > head().bytes) {
			return 0;
		}
	} while (!__atomic_compare_exchange_n(&head().used, &used, used + bytes, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return used;
}

std::uint32_t hnsw_shared_graph::create_node(const void* vector, std::uint64_t payload, int level)
{
	const std::size_t words = detail::link_words(2 * m_) + static_cast<std::size_t>(level) * detail::link_words(m_);
	const std::uint64_t block = take(vector_stride() + words * sizeof(std::uint32_t));
	if (block == 0) {
		return hnsw_no_room;
	}
	std::uint32_t node = __atomic_load_n(&head().size, __ATOMIC_RELAXED);
	do {
		if (node == head().node_capacity) {
			return hnsw_no_room; // the block stays unused: the area is full anyway
		}
	} while (!__atomic_compare_exchange_n(&head().size, &node, node + 1, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));

	// Nobody reaches the node before a link to it is published under a lock, which orders these writes first.
	std::memcpy(base_ + block, vector, space_.bytes);
	record(node) = node_record{block, 0, payload, 0, static_cast<std::int8_t>(level), 1};
	for (int l = 0; l <= level; l++) {
		links(node, l)[0] = 0;
	}
	return node;
}

// Give an identical vector's node one more payload; false when it has no room for it (`full`: nor the area).
bool hnsw_shared_graph::add_payload(std::uint32_t node, std::uint64_t payload, bool* full)
{
	node_record& r = record(node);
	// The payload array is taken before locking (no host call under a lock); unused if another got there first.
	std::uint64_t array = 0;
	if (__atomic_load_n(&r.payload_count, __ATOMIC_RELAXED) == 1) {
		array = take(hnsw_max_payloads * sizeof(std::uint64_t));
		if (array == 0) {
			*full = true;
			return false;
		}
	}
	lock(r.lock);
	bool added = false;
	if (r.payload_count < hnsw_max_payloads && (r.payload_count > 1 || array != 0)) {
		if (r.payload_count == 1) {
			r.more_payloads = array;
			reinterpret_cast<std::uint64_t*>(base_ + array)[0] = r.first_payload;
		}
		reinterpret_cast<std::uint64_t*>(base_ + r.more_payloads)[r.payload_count] = payload;
		__atomic_store_n(&r.payload_count, static_cast<std::uint8_t>(r.payload_count + 1), __ATOMIC_RELAXED);
		added = true;
	}
	unlock(r.lock);
	return added;
}

void hnsw_shared_graph::start_walk(const candidate_list& entries)
{
	visited_.next_walk();
	for (std::size_t i = 0; i < entries.size(); i++) {
		visited_.insert(static_cast<std::size_t>(entries[i].id));
	}
}

std::uint32_t hnsw_shared_graph::add(const void* vector, std::uint64_t payload)
{
	host.check_interrupts();
	const int level = hnsw_random_level(rng_state_, m_);
	int max_level = 0;
	std::uint32_t entry_point = 0;
	entry(&max_level, &entry_point);
	if (max_level < 0) {
		// The first node becomes the entry point; its block is taken under the entry lock so only one does.
		lock(head().entry_lock);
		if (head().max_level < 0) {
			const std::uint32_t node = create_node(vector, payload, level);
			if (node != hnsw_no_room) {
				head().entry_point = node;
				head().max_level = level;
			}
			unlock(head().entry_lock);
			return node;
		}
		max_level = head().max_level;
		entry_point = head().entry_point;
		unlock(head().entry_lock);
	}

	// As hnsw_memory_graph::add, from the entry point seen when the insert began.
	query_ = vector;
	candidate_list* entries = &layer_results_[max_level];
	entries->clear();
	entries->push_back(hnsw_candidate{distance_to_query(entry_point), entry_point});
	for (int l = max_level; l >= 0; l--) {
		const std::uint32_t ef = l > level ? 1 : ef_construction_;
		start_walk(*entries);
		hnsw_search_layer(*this, entries->data(), entries->size(), ef, l, scratch_, layer_results_[l]);
		entries = &layer_results_[l];
	}

	const candidate_list& nearest = layer_results_[0];
	const float self_distance = space_(vector, vector);
	for (std::size_t i = 0; i < nearest.size(); i++) {
		const auto node = static_cast<std::uint32_t>(nearest[i].id);
		if (nearest[i].distance != self_distance || std::memcmp(data(node), vector, space_.bytes) != 0) {
			continue;
		}
		bool full = false;
		if (add_payload(node, payload, &full)) {
			return node;
		}
		if (full) {
			return hnsw_no_room;
		}
	}

	const std::uint32_t node = create_node(vector, payload, level);
	if (node == hnsw_no_room) {
		return node;
	}
	for (int l = level < max_level ? level : max_level; l >= 0; l--) {
		candidate_list& found = layer_results_[l];
		const std::uint32_t capacity = hnsw_level_capacity(m_, l);
		std::size_t heuristic_kept = 0;
		const std::size_t kept =
		    hnsw_select_neighbors(*this, found.data(), found.size(), capacity, found.data(), true, &heuristic_kept);
		lock(record(node).lock);
		detail::set_links(detail::view_links(links(node, l), capacity), found.data(), kept, heuristic_kept);
		unlock(record(node).lock);
		for (std::size_t i = 0; i < kept; i++) {
			const auto neighbor = static_cast<std::uint32_t>(found[i].id);
			lock(record(neighbor).lock);
			detail::link_back(detail::view_links(links(neighbor, l), capacity), capacity, node, found[i].distance,
			                  [this](std::uint64_t a, std::uint64_t b) { return distance(a, b); });
			unlock(record(neighbor).lock);
		}
	}
	if (level > max_level) {
		lock(head().entry_lock);
		if (level > head().max_level) {
			head().max_level = level;
			head().entry_point = node;
		}
		unlock(head().entry_lock);
	}
	return node;
}

void hnsw_shared_graph::search(const void* query, std::uint32_t k, std::uint32_t ef, candidate_list& out)
{
	out.clear();
	int max_level = 0;
	std::uint32_t entry_point = 0;
	entry(&max_level, &entry_point);
	if (max_level < 0 || k == 0) {
		return;
	}
	query_ = query;
	detail::search_from_entry(*this, entry_point, max_level, k, ef, layer_results_[1], scratch_, out,
	                          [this](const candidate_list& entries) { start_walk(entries); });
}

hnsw_repair_stats hnsw_shared_graph::repair_reachability()
{
	struct repair_view {
		hnsw_shared_graph& graph;

		std::uint32_t size() const
		{
			return graph.size();
		}
		int level(std::uint32_t node) const
		{
			return graph.level(node);
		}
		float distance(std::uint64_t a, std::uint64_t b)
		{
			return graph.distance(a, b);
		}
		std::uint32_t link_capacity(int level) const
		{
			return hnsw_level_capacity(graph.m_, level);
		}
		detail::link_list link_view(std::uint32_t node, int level)
		{
			return detail::view_links(graph.links(node, level), link_capacity(level));
		}
	};
	int max_level = 0;
	std::uint32_t entry_point = 0;
	entry(&max_level, &entry_point);
	repair_view view{*this};
	return hnsw_repair_reachability(view, entry_point, max_level, ef_construction_);
}

} // namespace ruvector
