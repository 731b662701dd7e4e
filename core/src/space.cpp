// Index distances per element kind and metric, over the dispatched kernels.
#include "ruvector/space.hpp"

#include "ruvector/batch.hpp"
#include "ruvector/bits.hpp"
#include "ruvector/half.hpp"
#include "ruvector/kernels.hpp"
#include "ruvector/sparse.hpp"

#include <cstring>

namespace ruvector {

namespace {

float l2_f32(const void* a, const void* b, std::size_t dim)
{
	return l2sq_f32(static_cast<const float*>(a), static_cast<const float*>(b), dim);
}

float negative_dot_f32(const void* a, const void* b, std::size_t dim)
{
	return -dot_f32(static_cast<const float*>(a), static_cast<const float*>(b), dim);
}

float cosine_f32(const void* a, const void* b, std::size_t dim)
{
	return 1.0F - dot_f32(static_cast<const float*>(a), static_cast<const float*>(b), dim);
}

float taxicab_f32(const void* a, const void* b, std::size_t dim)
{
	return l1_f32(static_cast<const float*>(a), static_cast<const float*>(b), dim);
}

const std::uint16_t* halves(const void* p)
{
	return static_cast<const std::uint16_t*>(p);
}

float l2_f16(const void* a, const void* b, std::size_t dim)
{
	return l2sq_f16(halves(a), halves(b), dim);
}

float negative_dot_f16(const void* a, const void* b, std::size_t dim)
{
	return -dot_f16(halves(a), halves(b), dim);
}

float cosine_f16(const void* a, const void* b, std::size_t dim)
{
	return 1.0F - dot_f16(halves(a), halves(b), dim);
}

float taxicab_f16(const void* a, const void* b, std::size_t dim)
{
	return l1_f16(halves(a), halves(b), dim);
}

std::size_t bit_bytes(std::size_t bits)
{
	return (bits + 7) / 8;
}

float hamming_bit(const void* a, const void* b, std::size_t dim)
{
	return static_cast<float>(
	    hamming_bits(static_cast<const std::uint8_t*>(a), static_cast<const std::uint8_t*>(b), bit_bytes(dim)));
}

float jaccard_bit(const void* a, const void* b, std::size_t dim)
{
	return static_cast<float>(jaccard_distance_bits(static_cast<const std::uint8_t*>(a),
	                                                static_cast<const std::uint8_t*>(b), bit_bytes(dim)));
}

// hamming_bit and jaccard_bit of `count` rows at a stride, through the batch kernels, a slice at a time.
void bit_distances_at_stride(metric kind, std::size_t dim, const std::uint8_t* q, const std::uint8_t* base,
                             std::size_t stride, std::size_t count, float* out)
{
	constexpr std::size_t slice = 64;
	const std::size_t bytes = bit_bytes(dim);
	for (std::size_t first = 0; first < count; first += slice) {
		const std::size_t rows = count - first < slice ? count - first : slice;
		const std::uint8_t* rows_base = base + first * stride;
		if (kind == metric::hamming) {
			std::uint64_t differ[slice];
			active_bits_kernels.hamming_batch(q, rows_base, rows, bytes, stride, differ);
			for (std::size_t i = 0; i < rows; i++) {
				out[first + i] = static_cast<float>(differ[i]);
			}
		} else {
			bit_overlap overlap[slice];
			active_bits_kernels.overlap_batch(q, rows_base, rows, bytes, stride, overlap);
			for (std::size_t i = 0; i < rows; i++) {
				out[first + i] = static_cast<float>(jaccard_distance(overlap[i]));
			}
		}
	}
}

float l2_sparse(const void* a, const void* b, std::size_t /*dim*/)
{
	return l2sq_sparse(read_sparse_blob(a), read_sparse_blob(b));
}

float negative_dot_sparse(const void* a, const void* b, std::size_t /*dim*/)
{
	return -dot_sparse(read_sparse_blob(a), read_sparse_blob(b));
}

float cosine_sparse(const void* a, const void* b, std::size_t /*dim*/)
{
	return 1.0F - dot_sparse(read_sparse_blob(a), read_sparse_blob(b));
}

float taxicab_sparse(const void* a, const void* b, std::size_t /*dim*/)
{
	return l1_sparse(read_sparse_blob(a), read_sparse_blob(b));
}

vector_space make_sparse_space(metric kind, std::size_t max_nnz)
{
	vector_space space{element_kind::sparse, kind, max_nnz, 0, nullptr, false};
	switch (kind) {
		case metric::l2:
			space.distance = &l2_sparse;
			break;
		case metric::inner_product:
			space.distance = &negative_dot_sparse;
			break;
		case metric::cosine:
			space.distance = &cosine_sparse;
			break;
		case metric::l1:
			space.distance = &taxicab_sparse;
			break;
		case metric::hamming:
		case metric::jaccard:
			return space;
	}
	space.bytes = sparse_blob_bytes(max_nnz);
	return space;
}

// The distance between the vectors two stored pointers point to.
template <space_distance_fn Distance>
float through_references(const void* a, const void* b, std::size_t dim)
{
	return Distance(*static_cast<const void* const*>(a), *static_cast<const void* const*>(b), dim);
}

// The float32 or float16 twin of a distance.
template <class F32, class F16>
space_distance_fn pick(element_kind element, F32 f32, F16 f16)
{
	return element == element_kind::f32 ? f32 : f16;
}

} // namespace

vector_space make_space(element_kind element, metric kind, std::size_t dim)
{
	if (element == element_kind::sparse) {
		return make_sparse_space(kind, dim);
	}
	vector_space space{element, kind, dim, 0, nullptr, false};
	if (element == element_kind::bit) {
		if (kind == metric::hamming) {
			space.distance = &hamming_bit;
		} else if (kind == metric::jaccard) {
			space.distance = &jaccard_bit;
		} else {
			return space;
		}
		space.bytes = bit_bytes(dim);
		return space;
	}

	switch (kind) {
		case metric::l2:
			space.distance = pick(element, &l2_f32, &l2_f16);
			break;
		case metric::inner_product:
			space.distance = pick(element, &negative_dot_f32, &negative_dot_f16);
			break;
		case metric::cosine:
			space.distance = pick(element, &cosine_f32, &cosine_f16);
			break;
		case metric::l1:
			space.distance = pick(element, &taxicab_f32, &taxicab_f16);
			break;
		case metric::hamming:
		case metric::jaccard:
			return space;
	}
	space.bytes = dim * (element == element_kind::f32 ? sizeof(float) : sizeof(std::uint16_t));
	return space;
}

std::size_t vector_space::stored_bytes(const void* vector) const
{
	return element == element_kind::sparse && !by_reference ? sparse_blob_bytes(read_sparse_blob(vector).nnz) : bytes;
}

bool vector_space::same_vector(const void* a, const void* b) const
{
	if (by_reference) {
		a = *static_cast<const void* const*>(a);
		b = *static_cast<const void* const*>(b);
	}
	if (element != element_kind::sparse) {
		return std::memcmp(a, b, bytes) == 0;
	}
	const std::size_t size = sparse_blob_bytes(read_sparse_blob(a).nnz);
	return size == sparse_blob_bytes(read_sparse_blob(b).nnz) && std::memcmp(a, b, size) == 0;
}

void vector_space::distances(const void* query, const void* const* rows, std::size_t count, float* out) const
{
	if (element != element_kind::f32 || by_reference) {
		for (std::size_t i = 0; i < count; i++) {
			out[i] = distance(query, rows[i], dim);
		}
		return;
	}
	const auto* q = static_cast<const float*>(query);
	const auto* const* vectors = reinterpret_cast<const float* const*>(rows);
	// The same float operations as l2_f32, negative_dot_f32, cosine_f32 and taxicab_f32 above.
	switch (kind) {
		case metric::l2:
			l2sq_f32_gather(q, vectors, count, dim, out);
			return;
		case metric::inner_product:
			dot_f32_gather(q, vectors, count, dim, out);
			for (std::size_t i = 0; i < count; i++) {
				out[i] = -out[i];
			}
			return;
		case metric::cosine:
			dot_f32_gather(q, vectors, count, dim, out);
			for (std::size_t i = 0; i < count; i++) {
				out[i] = 1.0F - out[i];
			}
			return;
		case metric::l1:
			l1_f32_gather(q, vectors, count, dim, out);
			return;
		case metric::hamming:
		case metric::jaccard:
			break;
	}
	for (std::size_t i = 0; i < count; i++) {
		out[i] = distance(query, rows[i], dim);
	}
}

void vector_space::strided_distances(const void* query, const void* base, std::size_t stride, std::size_t count,
                                     float* out) const
{
	const auto* first = static_cast<const std::uint8_t*>(base);
	if (element == element_kind::bit && !by_reference) {
		bit_distances_at_stride(kind, dim, static_cast<const std::uint8_t*>(query), first, stride, count, out);
		return;
	}
	for (std::size_t i = 0; i < count; i++) {
		out[i] = distance(query, first + i * stride, dim);
	}
}

vector_space make_reference_space(const vector_space& target)
{
	vector_space space{target.element, target.kind, target.dim, 0, nullptr, true};
	if (target.element != element_kind::sparse) {
		return space;
	}
	switch (target.kind) {
		case metric::l2:
			space.distance = &through_references<&l2_sparse>;
			break;
		case metric::inner_product:
			space.distance = &through_references<&negative_dot_sparse>;
			break;
		case metric::cosine:
			space.distance = &through_references<&cosine_sparse>;
			break;
		case metric::l1:
			space.distance = &through_references<&taxicab_sparse>;
			break;
		case metric::hamming:
		case metric::jaccard:
			return space;
	}
	space.bytes = sizeof(const void*);
	return space;
}

float index_distance(metric kind, const float* a, const float* b, std::size_t dim)
{
	return make_space(element_kind::f32, kind, dim)(a, b);
}

} // namespace ruvector
