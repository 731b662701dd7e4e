// What is wrong with a vector's text or binary input (vector_text.hpp, vector_binary.hpp):
// one code per error pgvector reports, so the PostgreSQL side maps each code to exactly
// one SQLSTATE and message.
#pragma once

#include <cstdint>

namespace ruvector {

enum class input_error : std::uint8_t {
	none,
	// text only
	missing_open_bracket, // dense: not starting with '['
	missing_open_brace,   // sparse: not starting with '{'
	syntax,               // anything else malformed, no detail
	junk_after_bracket,   // dense: text after ']'
	missing_slash,        // sparse: no '/' after '}'
	junk_after_dim,       // sparse: text after the dimension count
	out_of_range,         // a number beyond the element type
	// binary only
	insufficient_data, // the message ends early
	unexpected_dim,    // dim differs from the expected (typmod) dim
	unused_not_zero,
	negative_nonzeros,  // sparse: nnz < 0
	too_many_nonzeros,  // sparse: nnz above the limit
	nonzeros_above_dim, // sparse: nnz > dim
	indices_descending,
	zero_value, // sparse: a stored 0
	// both
	too_few_dims,
	too_many_dims,
	not_a_number,
	infinite,
	index_out_of_bounds, // sparse
	duplicate_index,     // sparse
};

} // namespace ruvector
