// The binary forms of the vector types (the recv/send wire format, big-endian), decoded
// without PostgreSQL so they can be fuzzed:
//   vector    uint16 dim, int16 unused (0), dim float32
//   halfvec   int16 dim, int16 unused (0), dim float16 bit patterns
//   sparsevec int32 dim, int32 nnz, int32 unused (0), nnz int32 indices (0-based, ascending), nnz float32 (non-zero)
// Each step reports the first problem as an input_error, in pgvector's order of checks;
// pg/src turns each code into pgvector's error (SQLSTATE and text).
#pragma once

#include "ruvector/input_error.hpp"

#include <cstddef>
#include <cstdint>

namespace ruvector {

// The fields a header holds, for the error texts and the next step.
struct binary_header {
	int dim = 0;
	int nonzeros = 0; // sparse only
	int unused = 0;
};

// A reader over one message: each step consumes what it decoded.
struct binary_reader {
	const unsigned char* data;
	std::size_t size;
	std::size_t cursor = 0;
};

// Headers: the dimension checks, then (when expected_dim is not -1) the expected
// dimension, then the unused field; sparse checks nnz between dim and expected_dim.
input_error read_vector_header(binary_reader& reader, int max_dim, int expected_dim, binary_header* header);
input_error read_halfvec_header(binary_reader& reader, int max_dim, int expected_dim, binary_header* header);
input_error read_sparsevec_header(binary_reader& reader, int max_dim, int max_nonzeros, int expected_dim,
                                  binary_header* header);

// Elements, each checked as it is read. `out` has room for the header's counts.
input_error read_vector_elements(binary_reader& reader, int dim, float* out);
input_error read_halfvec_elements(binary_reader& reader, int dim, std::uint16_t* out);
input_error read_sparsevec_elements(binary_reader& reader, int dim, int nonzeros, std::int32_t* indices, float* values);

} // namespace ruvector
