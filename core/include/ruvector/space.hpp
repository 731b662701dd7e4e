// How an index stores one kind of vector and measures between two stored vectors:
// the element layout (bytes per vector) and the index distance (smaller is nearer).
// The graph algorithms see vectors only as bytes measured by a space, so one HNSW
// serves float32, float16 and bit vectors alike.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ruvector {

enum class element_kind : std::uint8_t { f32, f16, bit };
enum class metric : std::uint8_t { l2, inner_product, cosine, l1, hamming, jaccard };

using space_distance_fn = float (*)(const void* a, const void* b, std::size_t dim);

// A plain aggregate (trivially copyable, no initialisers) so PostgreSQL-side structs
// holding one can still be zeroed with memset.
struct vector_space {
	element_kind element;
	metric kind;
	std::size_t dim;   // elements per vector (bits for bit vectors)
	std::size_t bytes; // bytes of one stored vector; 0 for an unsupported pair
	space_distance_fn distance;

	float operator()(const void* a, const void* b) const
	{
		return distance(a, b, dim);
	}
	bool valid() const
	{
		return bytes != 0;
	}
};

// The index distance of each pair: squared L2 for l2 (same order, no square root),
// -dot for inner_product, 1 - dot for cosine (the caller stores and queries unit
// vectors, as pgvector's cosine opclasses do), L1, the Hamming count, and
// 1 - |a and b| / |a or b| for jaccard. Pairs that make no sense (bits with l2,
// floats with hamming) give a space whose valid() is false.
vector_space make_space(element_kind element, metric kind, std::size_t dim);

// The float32 index distance, without a space (tests, benchmarks).
float index_distance(metric kind, const float* a, const float* b, std::size_t dim);

} // namespace ruvector
