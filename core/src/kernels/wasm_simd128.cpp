// WebAssembly SIMD128 kernels: four independent 4-lane accumulators over 16 floats per
// step (cosine: see there), then 4 floats per step, then a scalar tail (WASM has no
// masked load, and the tail must not read past n). SIMD128 has no fused multiply-add,
// so each product is rounded before it is added, as in the serial twin.
#include "ruvector/kernels.hpp"

#if defined(RUVECTOR_HAVE_WASM_SIMD128)

#include "batch_rows.hpp"
#include "wasm_simd128_common.hpp"

#include <cmath>
#include <wasm_simd128.h>

namespace ruvector {

namespace {

inline v128_t load(const float* p)
{
	return wasm_v128_load(p);
}

// Terms of the one-pass sums, on four lanes and on one element of the scalar tail
struct l2sq_term {
	static v128_t lanes(v128_t x, v128_t y)
	{
		return squared_difference(x, y);
	}
	static float scalar(float x, float y)
	{
		const float d = x - y;
		return d * d;
	}
};

struct dot_term {
	static v128_t lanes(v128_t x, v128_t y)
	{
		return wasm_f32x4_mul(x, y);
	}
	static float scalar(float x, float y)
	{
		return x * y;
	}
};

struct l1_term {
	static v128_t lanes(v128_t x, v128_t y)
	{
		return absolute_difference(x, y);
	}
	static float scalar(float x, float y)
	{
		return std::fabs(x - y);
	}
};

// Sum of Term over a and b: four accumulators over 16 floats per step, then 4 per step
// into the first, then the scalar tail added to the lane total.
template <typename Term>
float sum_terms(const float* a, const float* b, std::size_t n)
{
	v128_t s0 = wasm_f32x4_splat(0.0F);
	v128_t s1 = s0;
	v128_t s2 = s0;
	v128_t s3 = s0;
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		s0 = wasm_f32x4_add(s0, Term::lanes(load(a + i), load(b + i)));
		s1 = wasm_f32x4_add(s1, Term::lanes(load(a + i + 4), load(b + i + 4)));
		s2 = wasm_f32x4_add(s2, Term::lanes(load(a + i + 8), load(b + i + 8)));
		s3 = wasm_f32x4_add(s3, Term::lanes(load(a + i + 12), load(b + i + 12)));
	}
	for (; i + 4 <= n; i += 4) {
		s0 = wasm_f32x4_add(s0, Term::lanes(load(a + i), load(b + i)));
	}
	float sum = horizontal_sum(s0, s1, s2, s3);
	for (; i < n; i++) {
		sum += Term::scalar(a[i], b[i]);
	}
	return sum;
}

// Sum of Term over (a, b0) and (a, b1) in one pass, each summed exactly as sum_terms sums it: a reads once
// for both rows, and both rows' loads are in flight together (the rows are far apart in memory).
template <typename Term>
void sum_terms_pair(const float* a, const float* b0, const float* b1, std::size_t n, float* out)
{
	v128_t s0 = wasm_f32x4_splat(0.0F);
	v128_t s1 = s0;
	v128_t s2 = s0;
	v128_t s3 = s0;
	v128_t t0 = s0;
	v128_t t1 = s0;
	v128_t t2 = s0;
	v128_t t3 = s0;
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		const v128_t x0 = load(a + i);
		const v128_t x1 = load(a + i + 4);
		const v128_t x2 = load(a + i + 8);
		const v128_t x3 = load(a + i + 12);
		s0 = wasm_f32x4_add(s0, Term::lanes(x0, load(b0 + i)));
		t0 = wasm_f32x4_add(t0, Term::lanes(x0, load(b1 + i)));
		s1 = wasm_f32x4_add(s1, Term::lanes(x1, load(b0 + i + 4)));
		t1 = wasm_f32x4_add(t1, Term::lanes(x1, load(b1 + i + 4)));
		s2 = wasm_f32x4_add(s2, Term::lanes(x2, load(b0 + i + 8)));
		t2 = wasm_f32x4_add(t2, Term::lanes(x2, load(b1 + i + 8)));
		s3 = wasm_f32x4_add(s3, Term::lanes(x3, load(b0 + i + 12)));
		t3 = wasm_f32x4_add(t3, Term::lanes(x3, load(b1 + i + 12)));
	}
	for (; i + 4 <= n; i += 4) {
		const v128_t x = load(a + i);
		s0 = wasm_f32x4_add(s0, Term::lanes(x, load(b0 + i)));
		t0 = wasm_f32x4_add(t0, Term::lanes(x, load(b1 + i)));
	}
	float sum0 = horizontal_sum(s0, s1, s2, s3);
	float sum1 = horizontal_sum(t0, t1, t2, t3);
	for (; i < n; i++) {
		sum0 += Term::scalar(a[i], b0[i]);
		sum1 += Term::scalar(a[i], b1[i]);
	}
	out[0] = sum0;
	out[1] = sum1;
}

// Sum of Term over (a, b[r]) for four rows in one pass, each summed exactly as sum_terms sums it: four rows'
// loads in flight, where sum_terms_pair has two. The accumulators outnumber V8's vector registers, but the
// spills stay in L1 while the rows come from memory.
template <typename Term>
void sum_terms_quad(const float* a, const float* const* b, std::size_t n, float* out)
{
	v128_t s[4][4];
	for (auto& row : s) {
		for (v128_t& lane : row) {
			lane = wasm_f32x4_splat(0.0F);
		}
	}
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		for (std::size_t k = 0; k < 4; k++) {
			const v128_t x = load(a + i + 4 * k);
			for (std::size_t r = 0; r < 4; r++) {
				s[r][k] = wasm_f32x4_add(s[r][k], Term::lanes(x, load(b[r] + i + 4 * k)));
			}
		}
	}
	for (; i + 4 <= n; i += 4) {
		const v128_t x = load(a + i);
		for (std::size_t r = 0; r < 4; r++) {
			s[r][0] = wasm_f32x4_add(s[r][0], Term::lanes(x, load(b[r] + i)));
		}
	}
	for (std::size_t r = 0; r < 4; r++) {
		float sum = horizontal_sum(s[r][0], s[r][1], s[r][2], s[r][3]);
		for (std::size_t j = i; j < n; j++) {
			sum += Term::scalar(a[j], b[r][j]);
		}
		out[r] = sum;
	}
}

} // namespace

float l2sq_f32_wasm_simd128(const float* a, const float* b, std::size_t n)
{
	return sum_terms<l2sq_term>(a, b, n);
}

float dot_f32_wasm_simd128(const float* a, const float* b, std::size_t n)
{
	return sum_terms<dot_term>(a, b, n);
}

float l1_f32_wasm_simd128(const float* a, const float* b, std::size_t n)
{
	return sum_terms<l1_term>(a, b, n);
}

// The three sums of one block of 4 elements.
struct cosine_lanes {
	v128_t dot;
	v128_t norm_a;
	v128_t norm_b;
};

inline cosine_lanes cosine_block(const float* a, const float* b)
{
	const v128_t x = load(a);
	const v128_t y = load(b);
	return cosine_lanes{wasm_f32x4_mul(x, y), wasm_f32x4_mul(x, x), wasm_f32x4_mul(y, y)};
}

inline cosine_lanes add(const cosine_lanes& p, const cosine_lanes& q)
{
	return cosine_lanes{wasm_f32x4_add(p.dot, q.dot), wasm_f32x4_add(p.norm_a, q.norm_a),
	                    wasm_f32x4_add(p.norm_b, q.norm_b)};
}

// One accumulator per sum; each step of 16 elements adds its four blocks as a tree
// ((b0 + b1) + (b2 + b3)) before the one add into the accumulator, so the accumulators'
// add chains are short without more live registers. Under V8 this is ~25% faster than six
// accumulators over 8 elements per step (51 against 64 ns/pair at 384 dims), which needs
// one dependent add per block and more loop overhead per element; twelve accumulators
// spill (docs/PERFORMANCE.md).
namespace {

inline cosine_parts cosine_sums(const float* a, const float* b, std::size_t n)
{
	const v128_t zero = wasm_f32x4_splat(0.0F);
	cosine_lanes sum{zero, zero, zero};
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		const cosine_lanes low = add(cosine_block(a + i, b + i), cosine_block(a + i + 4, b + i + 4));
		const cosine_lanes high = add(cosine_block(a + i + 8, b + i + 8), cosine_block(a + i + 12, b + i + 12));
		sum = add(sum, add(low, high));
	}
	for (; i + 4 <= n; i += 4) {
		sum = add(sum, cosine_block(a + i, b + i));
	}
	cosine_parts parts{horizontal_sum(sum.dot), horizontal_sum(sum.norm_a), horizontal_sum(sum.norm_b)};
	for (; i < n; i++) {
		parts.dot += a[i] * b[i];
		parts.norm_a += a[i] * a[i];
		parts.norm_b += b[i] * b[i];
	}
	return parts;
}

// The one-pair sums, inlined, four rows per pass (sum_terms_quad), then two, then one: no call per row, q read
// once per pass, and several rows' loads in flight. HNSW builds in PGlite, whose walks gather a node's new
// neighbours: two rows per pass took about 20 % less CPU than one (20,000 x 384), four about 25 % less than two
// (Fashion-MNIST 20,000 x 784).
template <typename Term, typename Rows>
inline void sum_rows(const float* q, Rows rows, std::size_t count, std::size_t n, float* out)
{
	std::size_t i = 0;
	for (; i + 4 <= count; i += 4) {
		const float* const four[4] = {rows[i], rows[i + 1], rows[i + 2], rows[i + 3]};
		sum_terms_quad<Term>(q, four, n, out + i);
	}
	for (; i + 2 <= count; i += 2) {
		sum_terms_pair<Term>(q, rows[i], rows[i + 1], n, out + i);
	}
	if (i < count) {
		out[i] = sum_terms<Term>(q, rows[i], n);
	}
}

template <typename Rows>
inline void cosine_rows(const float* q, Rows rows, std::size_t count, std::size_t n, cosine_parts* out)
{
	for (std::size_t i = 0; i < count; i++) {
		out[i] = cosine_sums(q, rows[i], n);
	}
}

} // namespace

cosine_parts cosine_f32_wasm_simd128(const float* a, const float* b, std::size_t n)
{
	return cosine_sums(a, b, n);
}

void l2sq_f32_batch_wasm_simd128(const float* q, const float* base, std::size_t count, std::size_t n, float* out)
{
	sum_rows<l2sq_term>(q, contiguous_rows<float>{base, n}, count, n, out);
}

void dot_f32_batch_wasm_simd128(const float* q, const float* base, std::size_t count, std::size_t n, float* out)
{
	sum_rows<dot_term>(q, contiguous_rows<float>{base, n}, count, n, out);
}

void l1_f32_batch_wasm_simd128(const float* q, const float* base, std::size_t count, std::size_t n, float* out)
{
	sum_rows<l1_term>(q, contiguous_rows<float>{base, n}, count, n, out);
}

void cosine_f32_batch_wasm_simd128(const float* q, const float* base, std::size_t count, std::size_t n,
                                   cosine_parts* out)
{
	cosine_rows(q, contiguous_rows<float>{base, n}, count, n, out);
}

void l2sq_f32_gather_wasm_simd128(const float* q, const float* const* rows, std::size_t count, std::size_t n,
                                  float* out)
{
	sum_rows<l2sq_term>(q, gathered_rows<float>{rows}, count, n, out);
}

void dot_f32_gather_wasm_simd128(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out)
{
	sum_rows<dot_term>(q, gathered_rows<float>{rows}, count, n, out);
}

void l1_f32_gather_wasm_simd128(const float* q, const float* const* rows, std::size_t count, std::size_t n, float* out)
{
	sum_rows<l1_term>(q, gathered_rows<float>{rows}, count, n, out);
}

void cosine_f32_gather_wasm_simd128(const float* q, const float* const* rows, std::size_t count, std::size_t n,
                                    cosine_parts* out)
{
	cosine_rows(q, gathered_rows<float>{rows}, count, n, out);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_WASM_SIMD128
