// How an index stores one kind of vector and measures between two stored vectors:
// the element layout (bytes per vector) and the index distance (smaller is nearer).
// The graph algorithms see vectors only as bytes measured by a space, so one HNSW
// serves float32, float16 and bit vectors alike.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ruvector {

enum class element_kind : std::uint8_t { f32, f16, bit, sparse };
enum class metric : std::uint8_t { l2, inner_product, cosine, l1, hamming, jaccard };

using space_distance_fn = float (*)(const void* a, const void* b, std::size_t dim);

// A plain aggregate (trivially copyable, no initialisers) so PostgreSQL-side structs
// holding one can still be zeroed with memset.
struct vector_space {
	element_kind element;
	metric kind;
	std::size_t dim;   // elements per vector (bits for bit vectors; for sparse, the most non-zeros one may have)
	std::size_t bytes; // bytes of one stored vector (sparse: the largest); 0 for an unsupported pair
	space_distance_fn distance;
	bool by_reference; // stored vectors are pointers to the vectors (make_reference_space)

	float operator()(const void* a, const void* b) const
	{
		return distance(a, b, dim);
	}
	bool valid() const
	{
		return bytes != 0;
	}
	// Whether stored vectors differ in size (sparse blobs, see sparse.hpp)
	bool variable_size() const
	{
		return element == element_kind::sparse;
	}
	// The size of this stored vector: bytes, or a sparse blob's own size
	std::size_t stored_bytes(const void* vector) const;
	// Whether two stored vectors are the same, bit for bit (through references too)
	bool same_vector(const void* a, const void* b) const;
	// out[i] = (*this)(query, rows[i]) for i < count, bit for bit: float32 spaces through one
	// gather kernel (kernels.hpp), the others pair by pair.
	void distances(const void* query, const void* const* rows, std::size_t count, float* out) const;
	// out[i] = (*this)(query, base + i * stride) for i < count (stride >= bytes; the bytes between
	// rows are not read as vectors), bit for bit: bit spaces through the bit batch kernels
	// (bits.hpp), the others pair by pair. Rows inside index entries, e.g. a flat scan's page.
	void strided_distances(const void* query, const void* base, std::size_t stride, std::size_t count,
	                       float* out) const;
};

// The index distance of each pair: squared L2 for l2 (same order, no square root),
// -dot for inner_product, 1 - dot for cosine (the caller stores and queries unit
// vectors, as pgvector's cosine opclasses do), L1, the Hamming count, and
// 1 - |a and b| / |a or b| for jaccard. Pairs that make no sense (bits with l2,
// floats with hamming) give a space whose valid() is false.
vector_space make_space(element_kind element, metric kind, std::size_t dim);

// Sparse vectors (element_kind::sparse) are stored as sparse blobs (sparse.hpp) with
// the same index distances; cosine's blobs hold unit vectors too.
//
// A space whose stored vectors are pointers to the vectors of `target`, a sparse space:
// a graph built in memory holds sparse vectors of any size this way, each allocated
// on its own. Not valid for other element kinds, whose vectors are stored in place.
vector_space make_reference_space(const vector_space& target);

// The float32 index distance, without a space (tests, benchmarks).
float index_distance(metric kind, const float* a, const float* b, std::size_t dim);

} // namespace ruvector
