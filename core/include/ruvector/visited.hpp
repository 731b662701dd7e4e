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

} // namespace ruvector
