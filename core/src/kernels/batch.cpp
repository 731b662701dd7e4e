// Batch entry points (batch.hpp): float32 and bits through their tables' batch kernels; the
// other families' dispatched one-pair kernel over consecutive vectors. Such a family's table is
// resolved by one ordinary dispatched call first, so its first-call resolver has run before
// the pointer is read.
#include "ruvector/batch.hpp"

#include "ruvector/bits.hpp"
#include "ruvector/half.hpp"
#include "ruvector/int8.hpp"
#include "ruvector/kernels.hpp"

namespace ruvector {

namespace {

template <typename T, typename Out, typename Kernel>
void scan(Kernel kernel, const T* q, const T* base, std::size_t n_vectors, std::size_t dim, Out* out)
{
	for (std::size_t i = 0; i < n_vectors; i++) {
		out[i] = kernel(q, base + i * dim, dim);
	}
}

} // namespace

void l2sq_f32_batch(const float* q, const float* base, std::size_t n_vectors, std::size_t dim, float* out)
{
	active_kernels.l2sq_f32_batch(q, base, n_vectors, dim, out);
}

void dot_f32_batch(const float* q, const float* base, std::size_t n_vectors, std::size_t dim, float* out)
{
	active_kernels.dot_f32_batch(q, base, n_vectors, dim, out);
}

void l1_f32_batch(const float* q, const float* base, std::size_t n_vectors, std::size_t dim, float* out)
{
	active_kernels.l1_f32_batch(q, base, n_vectors, dim, out);
}

void cosine_f32_batch(const float* q, const float* base, std::size_t n_vectors, std::size_t dim, cosine_parts* out)
{
	active_kernels.cosine_f32_batch(q, base, n_vectors, dim, out);
}

void l2sq_f16_batch(const std::uint16_t* q, const std::uint16_t* base, std::size_t n_vectors, std::size_t dim,
                    float* out)
{
	l2sq_f16(q, q, 0);
	scan(active_half_kernels.l2sq_f16, q, base, n_vectors, dim, out);
}

void dot_f16_batch(const std::uint16_t* q, const std::uint16_t* base, std::size_t n_vectors, std::size_t dim,
                   float* out)
{
	dot_f16(q, q, 0);
	scan(active_half_kernels.dot_f16, q, base, n_vectors, dim, out);
}

void l2sq_i8_batch(const std::int8_t* q, const std::int8_t* base, std::size_t n_vectors, std::size_t dim,
                   std::int32_t* out)
{
	l2sq_i8(q, q, 0);
	scan(active_int8_kernels.l2sq_i8, q, base, n_vectors, dim, out);
}

void dot_i8_batch(const std::int8_t* q, const std::int8_t* base, std::size_t n_vectors, std::size_t dim,
                  std::int32_t* out)
{
	dot_i8(q, q, 0);
	scan(active_int8_kernels.dot_i8, q, base, n_vectors, dim, out);
}

void hamming_bits_batch(const std::uint8_t* q, const std::uint8_t* base, std::size_t n_vectors, std::size_t bytes,
                        std::uint64_t* out)
{
	active_bits_kernels.hamming_batch(q, base, n_vectors, bytes, bytes, out);
}

void overlap_bits_batch(const std::uint8_t* q, const std::uint8_t* base, std::size_t n_vectors, std::size_t bytes,
                        bit_overlap* out)
{
	active_bits_kernels.overlap_batch(q, base, n_vectors, bytes, bytes, out);
}

} // namespace ruvector
