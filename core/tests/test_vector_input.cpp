// The text and binary readers of the vector types: each input_error at the place
// pgvector reports it, the checks in pgvector's order, and accepted values exact.
#include "ruvector/vector_binary.hpp"
#include "ruvector/vector_text.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

using ruvector::input_error;

struct dense_parse {
	ruvector::text_result result;
	std::vector<float> values;
};

dense_parse parse_dense(const char* text, int max_dim = 16000, bool half = false)
{
	dense_parse parsed{{}, std::vector<float>(max_dim)};
	int dim = 0;
	parsed.result = ruvector::parse_dense_text(text, max_dim, half ? ruvector::overflows_half : nullptr,
	                                           parsed.values.data(), &dim);
	parsed.values.resize(parsed.result.error == input_error::none ? dim : 0);
	return parsed;
}

input_error dense_error(const char* text, int max_dim = 16000, bool half = false)
{
	return parse_dense(text, max_dim, half).result.error;
}

TEST(DenseText, ParsesWithWhitespace)
{
	dense_parse parsed = parse_dense(" [ 1 ,\t2.5,-3e-5 ]\n");
	ASSERT_EQ(parsed.result.error, input_error::none);
	EXPECT_EQ(parsed.values, (std::vector<float>{1.0F, 2.5F, -3e-5F}));
}

TEST(DenseText, ErrorsInPgvectorsOrder)
{
	EXPECT_EQ(dense_error("1,2]"), input_error::missing_open_bracket);
	EXPECT_EQ(dense_error("[]"), input_error::too_few_dims);
	EXPECT_EQ(dense_error("[1,2"), input_error::syntax);
	EXPECT_EQ(dense_error("[1,,2]"), input_error::syntax);
	EXPECT_EQ(dense_error("[1;2]"), input_error::syntax);
	EXPECT_EQ(dense_error("[1] x"), input_error::junk_after_bracket);
	EXPECT_EQ(dense_error("[nan]"), input_error::not_a_number);
	EXPECT_EQ(dense_error("[-inf]"), input_error::infinite);
	EXPECT_EQ(dense_error("[1,2,3]", 2), input_error::too_many_dims);
	// The dimension limit comes before the element that would pass it is read
	EXPECT_EQ(dense_error("[1,2,x]", 2), input_error::too_many_dims);
	// An underflow reads as 0, as float4in's strtof gives it
	EXPECT_EQ(dense_error("[1e-50]"), input_error::none);
}

TEST(DenseText, OutOfRangeNamesTheNumber)
{
	ruvector::text_result result = parse_dense("[1, 1e39 ,2]").result;
	ASSERT_EQ(result.error, input_error::out_of_range);
	EXPECT_EQ(result.position, 4U);
	EXPECT_EQ(result.length, 4U);
	EXPECT_EQ(dense_error("[65504]", 16000, true), input_error::none);
	EXPECT_EQ(dense_error("[65520]", 16000, true), input_error::out_of_range);
	EXPECT_EQ(dense_error("[65520]", 16000, false), input_error::none);
	// Infinity itself is not "out of range" but "infinite", for halfvec too
	EXPECT_EQ(dense_error("[inf]", 16000, true), input_error::infinite);
}

struct sparse_parse {
	ruvector::text_result result;
	input_error finish = input_error::none;
	std::vector<ruvector::sparse_text_element> elements;
	int dim = 0;
};

sparse_parse parse_sparse(const char* text)
{
	sparse_parse parsed;
	parsed.elements.resize(ruvector::sparse_text_capacity(text));
	int count = 0;
	parsed.result = ruvector::parse_sparse_text(text, parsed.elements.data(), &count, &parsed.dim);
	if (parsed.result.error == input_error::none) {
		parsed.finish = ruvector::finish_sparse_text(parsed.elements.data(), count, parsed.dim);
		parsed.elements.resize(count);
	}
	return parsed;
}

TEST(SparseText, SortsAndDropsZeros)
{
	sparse_parse parsed = parse_sparse("{ 5:2, 1:1.5, 3:0 } / 5");
	ASSERT_EQ(parsed.result.error, input_error::none);
	ASSERT_EQ(parsed.finish, input_error::none);
	EXPECT_EQ(parsed.dim, 5);
	ASSERT_EQ(parsed.elements.size(), 2U);
	EXPECT_EQ(parsed.elements[0].index, 0);
	EXPECT_EQ(parsed.elements[0].value, 1.5F);
	EXPECT_EQ(parsed.elements[1].index, 4);
	EXPECT_EQ(parsed.elements[1].value, 2.0F);
	EXPECT_EQ(ruvector::sparse_text_capacity("{1:1,2:2,3:3}/3"), 3U);
}

TEST(SparseText, Errors)
{
	EXPECT_EQ(parse_sparse("[1:1]/2").result.error, input_error::missing_open_brace);
	EXPECT_EQ(parse_sparse("{1:1}").result.error, input_error::missing_slash);
	EXPECT_EQ(parse_sparse("{1:1}/2 x").result.error, input_error::junk_after_dim);
	EXPECT_EQ(parse_sparse("{1 1}/2").result.error, input_error::syntax);
	EXPECT_EQ(parse_sparse("{1:}/2").result.error, input_error::syntax);
	EXPECT_EQ(parse_sparse("{1:1}/").result.error, input_error::syntax);
	EXPECT_EQ(parse_sparse("{1:nan}/2").result.error, input_error::not_a_number);
	// Sparse text also refuses an underflow to zero, as pgvector does
	EXPECT_EQ(parse_sparse("{1:1e-50}/2").result.error, input_error::out_of_range);
	EXPECT_EQ(parse_sparse("{0:1}/2").finish, input_error::index_out_of_bounds);
	EXPECT_EQ(parse_sparse("{3:1}/2").finish, input_error::index_out_of_bounds);
	EXPECT_EQ(parse_sparse("{2:1,2:3}/2").finish, input_error::duplicate_index);
	// Saturated indices stay out of bounds rather than wrapping into range
	EXPECT_EQ(parse_sparse("{-99999999999:1}/2").finish, input_error::index_out_of_bounds);
	EXPECT_EQ(parse_sparse("{4294967297:1}/2").finish, input_error::index_out_of_bounds);
}

std::vector<unsigned char> bytes(std::initializer_list<int> values)
{
	return std::vector<unsigned char>(values.begin(), values.end());
}

TEST(BinaryInput, Vector)
{
	// dim 2, unused 0, 1.0f, -2.0f
	std::vector<unsigned char> message = bytes({0, 2, 0, 0, 0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0});
	ruvector::binary_reader reader{message.data(), message.size()};
	ruvector::binary_header header;
	ASSERT_EQ(ruvector::read_vector_header(reader, 16000, -1, &header), input_error::none);
	float values[2];
	ASSERT_EQ(ruvector::read_vector_elements(reader, header.dim, values), input_error::none);
	EXPECT_EQ(values[0], 1.0F);
	EXPECT_EQ(values[1], -2.0F);
	EXPECT_EQ(reader.cursor, message.size());

	ruvector::binary_reader short_reader{message.data(), message.size() - 1};
	ASSERT_EQ(ruvector::read_vector_header(short_reader, 16000, -1, &header), input_error::none);
	EXPECT_EQ(ruvector::read_vector_elements(short_reader, header.dim, values), input_error::insufficient_data);

	ruvector::binary_reader typmod_reader{message.data(), message.size()};
	EXPECT_EQ(ruvector::read_vector_header(typmod_reader, 16000, 3, &header), input_error::unexpected_dim);

	// 40000 reads unsigned for vector (too many) but signed for halfvec (too few)
	std::vector<unsigned char> big = bytes({0x9c, 0x40, 0, 0});
	ruvector::binary_reader vector_reader{big.data(), big.size()};
	EXPECT_EQ(ruvector::read_vector_header(vector_reader, 16000, -1, &header), input_error::too_many_dims);
	ruvector::binary_reader half_reader{big.data(), big.size()};
	EXPECT_EQ(ruvector::read_halfvec_header(half_reader, 16000, -1, &header), input_error::too_few_dims);

	std::vector<unsigned char> unused = bytes({0, 1, 0, 7});
	ruvector::binary_reader unused_reader{unused.data(), unused.size()};
	EXPECT_EQ(ruvector::read_vector_header(unused_reader, 16000, -1, &header), input_error::unused_not_zero);
	EXPECT_EQ(header.unused, 7);
}

TEST(BinaryInput, Sparsevec)
{
	// dim 5, nnz 2, unused 0, indices 3 then 1, values 1.0f 2.0f
	std::vector<unsigned char> message = bytes({0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1});
	ruvector::binary_reader reader{message.data(), message.size()};
	ruvector::binary_header header;
	ASSERT_EQ(ruvector::read_sparsevec_header(reader, 1000000000, 16000, -1, &header), input_error::none);
	std::int32_t indices[2];
	float values[2];
	EXPECT_EQ(ruvector::read_sparsevec_elements(reader, header.dim, header.nonzeros, indices, values),
	          input_error::indices_descending);

	std::vector<unsigned char> above = bytes({0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0});
	ruvector::binary_reader above_reader{above.data(), above.size()};
	EXPECT_EQ(ruvector::read_sparsevec_header(above_reader, 1000000000, 16000, -1, &header),
	          input_error::nonzeros_above_dim);

	std::vector<unsigned char> zero = bytes({0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0});
	ruvector::binary_reader zero_reader{zero.data(), zero.size()};
	ASSERT_EQ(ruvector::read_sparsevec_header(zero_reader, 1000000000, 16000, -1, &header), input_error::none);
	EXPECT_EQ(ruvector::read_sparsevec_elements(zero_reader, header.dim, header.nonzeros, indices, values),
	          input_error::zero_value);
}

} // namespace
