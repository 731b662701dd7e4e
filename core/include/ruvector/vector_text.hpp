// The text forms of the vector types, parsed without PostgreSQL so they can be fuzzed:
//   dense  '[1, 2.5, -3e-5]'    (vector, halfvec)
//   sparse '{1:1.5, 3:2}/5'     (sparsevec; 1-based indices in the text)
// A parser reports the first problem as an input_error; pg/src/vector_text.cpp turns each code
// into pgvector's error (SQLSTATE and text), so the order of the checks is pgvector's.
#pragma once

#include "ruvector/input_error.hpp"

#include <cstddef>
#include <cstdint>

namespace ruvector {

struct text_result {
	input_error error = input_error::none;
	std::size_t position = 0; // offset into the text where the problem starts
	std::size_t length = 0;   // out_of_range: length of the offending number
};

// A finite float that rounds past the largest half (65504): halfvec's range check.
bool overflows_half(float value);

// Parse a dense literal into `out` (room for max_dim floats) and set *dim. Numbers are
// read with strtof, as float4in does; per element the checks run in this order: the
// dimension limit, the range (strtof overflow, or overflows(value) when not null), then
// NaN and infinity.
text_result parse_dense_text(const char* text, int max_dim, bool (*overflows)(float value), float* out, int* dim);

struct sparse_text_element {
	std::int32_t index; // 0-based
	float value;        // never 0: zeros in the text are dropped
};

// Elements a sparse literal can hold at most (one more than its commas): the room
// parse_sparse_text needs, known before parsing so a huge literal is refused first.
std::size_t sparse_text_capacity(const char* text);

// Parse a sparse literal into `out` (sparse_text_capacity elements) in text order; sets
// *count and *dim. Indices are saturated to the int32 range (out-of-range ones fail in
// finish_sparse_text). The caller checks *dim before finish_sparse_text.
text_result parse_sparse_text(const char* text, sparse_text_element* out, int* count, int* dim);

// Sort parsed elements by index and check each lies in [0, dim) and differs from the one
// before it.
input_error finish_sparse_text(sparse_text_element* elements, int count, int dim);

} // namespace ruvector
