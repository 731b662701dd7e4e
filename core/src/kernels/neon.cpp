// ARM NEON (AArch64 Advanced SIMD) float32 kernels: the shared four-accumulator layout of
// neon_common.hpp over 4-lane registers, with fused multiply-add.
#include "ruvector/kernels.hpp"

#if defined(RUVECTOR_HAVE_NEON)

#include "batch_rows.hpp"
#include "neon_common.hpp"

#include <cstring>

namespace ruvector {

namespace {

struct f32_source {
	static float32x4_t load(const float* p)
	{
		return vld1q_f32(p);
	}

	static float32x4_t load_tail(const float* p, std::size_t count)
	{
		float block[4] = {};
		std::memcpy(block, p, count * sizeof(float));
		return vld1q_f32(block);
	}
};

// The one-pair sums row by row, inlined: no call per row.
template <typename Term, typename Rows>
inline void sum_rows(const float* q, Rows rows, std::size_t count, std::size_t n, float* out)
{
	for (std::size_t i = 0; i < count; i++) {
		out[i] = sum_terms<f32_source, Term>(q, rows[i], n);
	}
}

template <typename Rows>
inline void cosine_rows(const float* q, Rows rows, std::size_t count, std::size_t n, cosine_parts* out)
{
	for (std::size_t i = 0; i < count; i++) {
		out[i] = cosine_terms<f32_source>(q, rows[i], n);
	}
}

} // namespace

float l2sq_f32_neon(const float* a, const float* b, std::size_t n)
{
	return sum_terms<f32_source, squared_difference>(a, b, n);
}

float dot_f32_neon(const float* a, const float* b, std::size_t n)
{
	return sum_terms<f32_source, product>(a, b, n);
}

float l1_f32_neon(const float* a, const float* b, std::size_t n)
{
	return sum_terms<f32_source, absolute_difference>(a, b, n);
}

cosine_parts cosine_f32_neon(const float* a, const float* b, std::size_t n)
{
	return cosine_terms<f32_source>(a, b, n);
}

void l2sq_f32_batch_neon(const float* q, const float* base, std::size_t count, std::size_t n, float* out)
{
	sum_rows<squared_difference>(q, contiguous_rows<float>{base, n}, count, n, out);
}

void dot_f32_batch_neon(const float* q, const float* base, std::size_t count, std::size_t n, float* out)
{
	sum_rows<product>(q, contiguous_rows<float>{base, n}, count, n, out);
}

void l1_f32_batch_neon(const float* q, const float* base, std::size_t count, std::size_t n, float* out)
{
	sum_rows<absolute_difference>(q, contiguous_rows<float>{base, n}, count, n, out);
}

void cosine_f32_batch_neon(const float* q, const float* base, std::size_t count, std::size_t n, cosine_parts* out)
{
	cosine_rows(q, contiguous_rows<float>{base, n}, count, n, out);
}

void l2sq_f32_gather_neon(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out)
{
	sum_rows<squared_difference>(q, gathered_rows<float>{rows}, count, n, out);
}

void dot_f32_gather_neon(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out)
{
	sum_rows<product>(q, gathered_rows<float>{rows}, count, n, out);
}

void l1_f32_gather_neon(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out)
{
	sum_rows<absolute_difference>(q, gathered_rows<float>{rows}, count, n, out);
}

void cosine_f32_gather_neon(const float* q, const float* const* rows, std::size_t count, std::size_t n,
                            cosine_parts* out)
{
	cosine_rows(q, gathered_rows<float>{rows}, count, n, out);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_NEON
