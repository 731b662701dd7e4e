// Binary forms of the vector types (see vector_binary.hpp); checks follow pgvector 0.8.7.
#include "ruvector/vector_binary.hpp"

#include "ruvector/half.hpp"

#include <cmath>
#include <cstring>

namespace ruvector {
namespace {

// A big-endian unsigned integer of `bytes` bytes, as pq_getmsgint reads it
bool read_uint(binary_reader& reader, std::size_t bytes, std::uint32_t* value)
{
	if (reader.size - reader.cursor < bytes) {
		return false;
	}
	std::uint32_t result = 0;
	for (std::size_t i = 0; i < bytes; i++) {
		result = (result << 8) | reader.data[reader.cursor + i];
	}
	reader.cursor += bytes;
	*value = result;
	return true;
}

input_error check_finite(float value)
{
	if (std::isnan(value)) {
		return input_error::not_a_number;
	}
	if (std::isinf(value)) {
		return input_error::infinite;
	}
	return input_error::none;
}

input_error check_dims(int dim, int max_dim)
{
	if (dim < 1) {
		return input_error::too_few_dims;
	}
	if (dim > max_dim) {
		return input_error::too_many_dims;
	}
	return input_error::none;
}

input_error check_expected_and_unused(const binary_header& header, int expected_dim)
{
	if (expected_dim != -1 && expected_dim != header.dim) {
		return input_error::unexpected_dim;
	}
	if (header.unused != 0) {
		return input_error::unused_not_zero;
	}
	return input_error::none;
}

// uint16 dim (signed_dim: int16, as halfvec reads it) and int16 unused
input_error read_dense_header(binary_reader& reader, bool signed_dim, int max_dim, int expected_dim,
                              binary_header* header)
{
	std::uint32_t dim, unused;

	if (!read_uint(reader, 2, &dim) || !read_uint(reader, 2, &unused)) {
		return input_error::insufficient_data;
	}
	header->dim = signed_dim ? static_cast<std::int16_t>(dim) : static_cast<int>(dim);
	header->unused = static_cast<std::int16_t>(unused);
	if (input_error error = check_dims(header->dim, max_dim); error != input_error::none) {
		return error;
	}
	return check_expected_and_unused(*header, expected_dim);
}

float float_from_bits(std::uint32_t bits)
{
	float value;
	std::memcpy(&value, &bits, sizeof value);
	return value;
}

} // namespace

input_error read_vector_header(binary_reader& reader, int max_dim, int expected_dim, binary_header* header)
{
	// Unsigned, like pgvector: 40000 dimensions is "too many", not negative
	return read_dense_header(reader, false, max_dim, expected_dim, header);
}

input_error read_halfvec_header(binary_reader& reader, int max_dim, int expected_dim, binary_header* header)
{
	// Signed, like pgvector: 40000 dimensions is "at least 1", not "too many"
	return read_dense_header(reader, true, max_dim, expected_dim, header);
}

input_error read_sparsevec_header(binary_reader& reader, int max_dim, int max_nonzeros, int expected_dim,
                                  binary_header* header)
{
	std::uint32_t dim, nonzeros, unused;

	if (!read_uint(reader, 4, &dim) || !read_uint(reader, 4, &nonzeros) || !read_uint(reader, 4, &unused)) {
		return input_error::insufficient_data;
	}
	header->dim = static_cast<std::int32_t>(dim);
	header->nonzeros = static_cast<std::int32_t>(nonzeros);
	header->unused = static_cast<std::int32_t>(unused);
	if (input_error error = check_dims(header->dim, max_dim); error != input_error::none) {
		return error;
	}
	if (header->nonzeros < 0) {
		return input_error::negative_nonzeros;
	}
	if (header->nonzeros > max_nonzeros) {
		return input_error::too_many_nonzeros;
	}
	if (header->nonzeros > header->dim) {
		return input_error::nonzeros_above_dim;
	}
	return check_expected_and_unused(*header, expected_dim);
}

input_error read_vector_elements(binary_reader& reader, int dim, float* out)
{
	for (int i = 0; i < dim; i++) {
		std::uint32_t bits;
		if (!read_uint(reader, 4, &bits)) {
			return input_error::insufficient_data;
		}
		out[i] = float_from_bits(bits);
		if (input_error error = check_finite(out[i]); error != input_error::none) {
			return error;
		}
	}
	return input_error::none;
}

input_error read_halfvec_elements(binary_reader& reader, int dim, std::uint16_t* out)
{
	for (int i = 0; i < dim; i++) {
		std::uint32_t bits;
		if (!read_uint(reader, 2, &bits)) {
			return input_error::insufficient_data;
		}
		out[i] = static_cast<std::uint16_t>(bits);
		if (input_error error = check_finite(f16_to_f32(out[i])); error != input_error::none) {
			return error;
		}
	}
	return input_error::none;
}

input_error read_sparsevec_elements(binary_reader& reader, int dim, int nonzeros, std::int32_t* indices, float* values)
{
	for (int i = 0; i < nonzeros; i++) {
		std::uint32_t bits;
		if (!read_uint(reader, 4, &bits)) {
			return input_error::insufficient_data;
		}
		indices[i] = static_cast<std::int32_t>(bits);
		if (indices[i] < 0 || indices[i] >= dim) {
			return input_error::index_out_of_bounds;
		}
		if (i > 0 && indices[i] < indices[i - 1]) {
			return input_error::indices_descending;
		}
		if (i > 0 && indices[i] == indices[i - 1]) {
			return input_error::duplicate_index;
		}
	}
	for (int i = 0; i < nonzeros; i++) {
		std::uint32_t bits;
		if (!read_uint(reader, 4, &bits)) {
			return input_error::insufficient_data;
		}
		values[i] = float_from_bits(bits);
		if (input_error error = check_finite(values[i]); error != input_error::none) {
			return error;
		}
		if (values[i] == 0) {
			return input_error::zero_value;
		}
	}
	return input_error::none;
}

} // namespace ruvector
