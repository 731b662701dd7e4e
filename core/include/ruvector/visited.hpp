// Visited set over dense ids 0..n-1: one 16-bit stamp per id. Starting a new walk
// bumps the epoch instead of clearing, so a walk costs nothing to begin; the stamps
// are zeroed only when the epoch wraps (every 65535 walks).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ruvector {

class visited_set {
public:
	visited_set() = default;
	visited_set(const visited_set&) = delete;
	visited_set& operator=(const visited_set&) = delete;
	~visited_set();

	// Make ids below `count` usable, keeping the marks of the current walk.
	void reserve(std::size_t count);
	// Forget every mark: the next walk starts.
	void next_walk();
	// True the first time `id` is marked in this walk.
	bool insert(std::size_t id)
	{
		if (stamps_[id] == epoch_) {
			return false;
		}
		stamps_[id] = epoch_;
		return true;
	}
	// Whether `id` is marked in this walk.
	bool contains(std::size_t id) const
	{
		return stamps_[id] == epoch_;
	}
	std::size_t capacity() const
	{
		return capacity_;
	}
	std::size_t memory_bytes() const
	{
		return capacity_ * sizeof(std::uint16_t);
	}

private:
	std::uint16_t* stamps_ = nullptr;
	std::size_t capacity_ = 0;
	std::uint16_t epoch_ = 1; // never 0, the value of an unmarked stamp
};

// Distances from one vector to nodes 0..n-1, remembered until the next vector: an insert's walks over its levels
// meet the same nodes again, and placing the new node in its neighbours' lists asks for distances to their
// neighbours, which the walk on level 0 has mostly measured. A visited_set marks which distances are current.
class distance_memo {
public:
	distance_memo() = default;
	distance_memo(const distance_memo&) = delete;
	distance_memo& operator=(const distance_memo&) = delete;
	~distance_memo();

	// Make ids below `count` usable, keeping what is remembered.
	void reserve(std::size_t count);
	// Forget every distance: they were to another vector.
	void next_vector()
	{
		known_.next_walk();
	}
	// The remembered distance to `id`, if any.
	bool find(std::size_t id, float* distance) const
	{
		if (!known_.contains(id)) {
			return false;
		}
		*distance = values_[id];
		return true;
	}
	void remember(std::size_t id, float distance)
	{
		known_.insert(id);
		values_[id] = distance;
	}
	std::size_t memory_bytes() const
	{
		return known_.memory_bytes() + known_.capacity() * sizeof(float);
	}

private:
	visited_set known_;
	float* values_ = nullptr;
};

} // namespace ruvector
