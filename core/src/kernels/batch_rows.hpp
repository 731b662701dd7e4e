// Where the rows of a batch kernel are (kernels.hpp: *_batch, *_gather). Each ISA file loops
// over one of these with its own one-pair sum, so a batch result is the pair result.
#pragma once

#include <cstddef>

namespace ruvector {

namespace {

// Rows of n elements stored one after another from base.
template <typename T>
struct contiguous_rows {
	const T* base;
	std::size_t n;

	const T* operator[](std::size_t i) const
	{
		return base + i * n;
	}
};

// Rows anywhere, one pointer each.
template <typename T>
struct gathered_rows {
	const T* const* rows;

	const T* operator[](std::size_t i) const
	{
		return rows[i];
	}
};

} // namespace

} // namespace ruvector
