// Reference twins: one float32 accumulator, one term at a time, in index order.
// This is the summation pgvector's plain loops perform (without -fassociative-math),
// and the baseline every other level is tested against.
#include "ruvector/kernels.hpp"

#include "batch_rows.hpp"

#include <cmath>

namespace ruvector {

float l2sq_f32_serial(const float* a, const float* b, std::size_t n)
{
	float sum = 0.0F;
	for (std::size_t i = 0; i < n; i++) {
		const float d = a[i] - b[i];
		sum += d * d;
	}
	return sum;
}

float dot_f32_serial(const float* a, const float* b, std::size_t n)
{
	float sum = 0.0F;
	for (std::size_t i = 0; i < n; i++) {
		sum += a[i] * b[i];
	}
	return sum;
}

float l1_f32_serial(const float* a, const float* b, std::size_t n)
{
	float sum = 0.0F;
	for (std::size_t i = 0; i < n; i++) {
		sum += std::fabs(a[i] - b[i]);
	}
	return sum;
}

cosine_parts cosine_f32_serial(const float* a, const float* b, std::size_t n)
{
	cosine_parts parts{0.0F, 0.0F, 0.0F};
	for (std::size_t i = 0; i < n; i++) {
		parts.dot += a[i] * b[i];
		parts.norm_a += a[i] * a[i];
		parts.norm_b += b[i] * b[i];
	}
	return parts;
}

// Batch twins: the serial one-pair kernels, row by row.
namespace {

template <typename Rows, typename Out, typename Pair>
void each_row(const float* q, Rows rows, std::size_t count, std::size_t n, Out* out, Pair pair)
{
	for (std::size_t i = 0; i < count; i++) {
		out[i] = pair(q, rows[i], n);
	}
}

} // namespace

void l2sq_f32_batch_serial(const float* q, const float* base, std::size_t count, std::size_t n, float* out)
{
	each_row(q, contiguous_rows<float>{base, n}, count, n, out, &l2sq_f32_serial);
}

void dot_f32_batch_serial(const float* q, const float* base, std::size_t count, std::size_t n, float* out)
{
	each_row(q, contiguous_rows<float>{base, n}, count, n, out, &dot_f32_serial);
}

void l1_f32_batch_serial(const float* q, const float* base, std::size_t count, std::size_t n, float* out)
{
	each_row(q, contiguous_rows<float>{base, n}, count, n, out, &l1_f32_serial);
}

void cosine_f32_batch_serial(const float* q, const float* base, std::size_t count, std::size_t n, cosine_parts* out)
{
	each_row(q, contiguous_rows<float>{base, n}, count, n, out, &cosine_f32_serial);
}

void l2sq_f32_gather_serial(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out)
{
	each_row(q, gathered_rows<float>{rows}, count, n, out, &l2sq_f32_serial);
}

void dot_f32_gather_serial(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out)
{
	each_row(q, gathered_rows<float>{rows}, count, n, out, &dot_f32_serial);
}

void l1_f32_gather_serial(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out)
{
	each_row(q, gathered_rows<float>{rows}, count, n, out, &l1_f32_serial);
}

void cosine_f32_gather_serial(const float* q, const float* const* rows, std::size_t count, std::size_t n,
                              cosine_parts* out)
{
	each_row(q, gathered_rows<float>{rows}, count, n, out, &cosine_f32_serial);
}

} // namespace ruvector
