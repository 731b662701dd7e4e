// Compact codes for float32 vectors, and how far a distance measured on codes can be from
// the exact one.
//
// SQ8: one signed byte per dimension, x^_i = offset_i + scale * c_i with c_i in [-127, 127].
// The offset is per dimension (the centre of the trained range), the scale is ONE value for
// all dimensions. A shared scale is what lets two codes be compared with plain integer
// kernels: |a^ - b^|^2 = scale^2 * sum (ca_i - cb_i)^2 and
// a^.b^ = |offset|^2 + a.offset_dot + b.offset_dot + scale^2 * sum ca_i cb_i, where
// offset_dot = scale * sum offset_i c_i is stored with each code. Per-dimension scales would
// fit skewed dimensions better but need a float multiply per dimension; embedding
// dimensions have similar ranges, so the integer kernels win.
//
// Binary: one sign bit per dimension of x - offset (offset = the trained mean, so the bits
// split every dimension in two), x^_i = offset_i + scale_x * (bit ? 1 : -1) with a per-vector
// scale_x = mean |x_i - offset_i|, the best such scale for L2. A query is compared with a code
// through a table of the query's partial sums per byte of code (no query quantization).
//
// Every code also stores its reconstruction error (|x - x^|, the L1 norm for the l1 metric),
// so a distance measured on codes comes with a slack: |exact - estimate| <= slack by the
// triangle inequality (L2, L1) or Cauchy-Schwarz (inner product, cosine). estimate - slack is
// then a lower bound of the exact distance, which is what lets an index return candidates
// from codes and still produce rows in exact order (the executor re-checks them).
//
// Distances here are in SQL units: Euclidean (not squared) for l2, -a.b for inner_product,
// 1 - a.b for cosine (unit vectors), L1 for l1.
#pragma once

#include "ruvector/space.hpp"

#include <cstddef>
#include <cstdint>

namespace ruvector {

enum class quantization : std::uint8_t { none, sq8, binary };

inline constexpr int sq8_max_code = 127;

// Per-dimension statistics of a training sample, over caller-owned arrays of `dim` entries.
struct training_stats {
	float* lo;
	float* hi;
	double* sum;
	std::size_t dim;
	std::uint64_t count;
};

void training_reset(training_stats& stats);
void training_add(training_stats& stats, const float* x);

// A trained SQ8 codebook; `offset` is caller-owned (dim floats).
struct sq8_codebook {
	const float* offset;
	float scale;
	std::size_t dim;
};

// Per-code correction terms, stored next to the code.
struct sq8_terms {
	float offset_dot; // scale * sum offset_i c_i
	float norm;       // |x^|
	float error;      // |x - x^| (L1 for the l1 metric)
};

// Fill offset (the centre of each dimension's range) and return the scale (the largest half
// range over 127; 1 when every dimension is constant). Values inside the trained range are
// then reconstructed within scale / 2 per dimension.
float sq8_train(const training_stats& stats, float* offset);

// Encode x; values outside the trained range are clamped (the stored error stays exact).
sq8_terms sq8_encode(const sq8_codebook& book, metric kind, const float* x, std::int8_t* code);
void sq8_decode(const sq8_codebook& book, const std::int8_t* code, float* x);

// An estimate of a distance from codes, and how far the exact distance can be from it.
struct distance_bound {
	float estimate;
	float slack; // |exact - estimate| <= slack, up to float rounding
	// Size of the products the exact distance sums: bounds its rounding error (see lower_bound_of).
	float magnitude;
};

// A lower bound of the exact distance, allowing for the float32 rounding of both sides.
inline float lower_bound_of(const distance_bound& bound)
{
	constexpr float rounding = 1.0F / 8192;
	return bound.estimate - bound.slack - rounding * (bound.magnitude + 1.0F);
}

// A query prepared for SQ8 codes: quantized with the same codebook (so the integer kernels
// apply); `code` is caller-owned (dim bytes).
struct sq8_query {
	std::int8_t* code;
	sq8_terms terms; // of the query's own code
	float norm;      // |q|
	float offset_norm2;
};

void sq8_prepare_query(const sq8_codebook& book, metric kind, const float* q, sq8_query& query);
distance_bound sq8_query_distance(const sq8_codebook& book, metric kind, const sq8_query& query,
                                  const std::int8_t* code, const sq8_terms& terms);
// |offset|^2, which inner-product and cosine estimates need: compute it once per codebook.
float sq8_offset_norm2(const sq8_codebook& book);
// Estimated distance between two codes (symmetric; for graph builds over codes).
float sq8_code_distance(const sq8_codebook& book, float offset_norm2, metric kind, const std::int8_t* a,
                        const sq8_terms& ta, const std::int8_t* b, const sq8_terms& tb);
// The same, computing |offset|^2 on each call (O(dim) more work for inner product and cosine).
float sq8_code_distance(const sq8_codebook& book, metric kind, const std::int8_t* a, const sq8_terms& ta,
                        const std::int8_t* b, const sq8_terms& tb);

// Binary codes: (dim + 7) / 8 bytes, most significant bit first, as PostgreSQL's bit type.
struct binary_codebook {
	const float* offset; // per-dimension mean
	std::size_t dim;
};

struct binary_terms {
	float scale; // mean |x_i - offset_i|
	float error; // |x - x^| (L1 for the l1 metric)
};

inline std::size_t binary_code_bytes(std::size_t dim)
{
	return (dim + 7) / 8;
}

// Fill offset with the per-dimension mean.
void binary_train(const training_stats& stats, float* offset);
binary_terms binary_encode(const binary_codebook& book, metric kind, const float* x, std::uint8_t* code);
void binary_decode(const binary_codebook& book, const std::uint8_t* code, const binary_terms& terms, float* x);

// A query prepared for binary codes: for each byte position of a code and each of its 256
// values, the sum of the query's elements whose bits are set (centred on the offset for l2
// and l1, raw for inner product and cosine). `table` is caller-owned:
// binary_query_table_floats(dim) floats.
struct binary_query {
	float* table;
	const float* q; // the query itself (l1 reads it element by element)
	float total;    // sum of the same elements over all bits
	float centred_norm2;
	float offset_dot;  // q . offset
	float offset_norm; // |offset|
	float norm;        // |q|
};

inline std::size_t binary_query_table_floats(std::size_t dim)
{
	return binary_code_bytes(dim) * 256;
}

void binary_prepare_query(const binary_codebook& book, metric kind, const float* q, binary_query& query);
distance_bound binary_query_distance(const binary_codebook& book, metric kind, const binary_query& query,
                                     const std::uint8_t* code, const binary_terms& terms);

} // namespace ruvector
