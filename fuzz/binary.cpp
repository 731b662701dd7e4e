// libFuzzer target: the binary (recv) readers of vector, halfvec and sparsevec.
// The first byte picks the type and whether a typmod applies; the rest is the message.
// Checks besides sanitizers: a reader never consumes more than the message holds;
// accepted values obey the type's rules; and the bytes consumed are exactly what the
// send side writes for the decoded value (the format round-trips bit for bit).
#include "ruvector/half.hpp"
#include "ruvector/vector_binary.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

constexpr int dense_max_dim = 16000;
constexpr int sparse_max_dim = 1000000000;
constexpr int sparse_max_nnz = 16000;

void check(bool condition, const char* what)
{
	if (!condition) {
		std::fprintf(stderr, "binary: %s\n", what);
		std::abort();
	}
}

void put_uint(std::vector<std::uint8_t>& out, std::uint32_t value, int bytes)
{
	for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8)
		out.push_back(static_cast<std::uint8_t>(value >> shift));
}

std::uint32_t float_bits(float value)
{
	std::uint32_t bits;
	std::memcpy(&bits, &value, sizeof bits);
	return bits;
}

// What the send side writes for the decoded value
std::vector<std::uint8_t> encode(int type, const ruvector::binary_header& header, const std::vector<float>& floats,
                                 const std::vector<std::uint16_t>& halves, const std::vector<std::int32_t>& indices)
{
	std::vector<std::uint8_t> out;
	if (type == 2) {
		put_uint(out, static_cast<std::uint32_t>(header.dim), 4);
		put_uint(out, static_cast<std::uint32_t>(header.nonzeros), 4);
		put_uint(out, 0, 4);
		for (int i = 0; i < header.nonzeros; i++)
			put_uint(out, static_cast<std::uint32_t>(indices[i]), 4);
		for (int i = 0; i < header.nonzeros; i++)
			put_uint(out, float_bits(floats[i]), 4);
		return out;
	}
	put_uint(out, static_cast<std::uint32_t>(header.dim), 2);
	put_uint(out, 0, 2);
	for (int i = 0; i < header.dim; i++) {
		if (type == 0)
			put_uint(out, float_bits(floats[i]), 4);
		else
			put_uint(out, halves[i], 2);
	}
	return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	if (size == 0)
		return 0;
	int type = data[0] % 3; // 0 vector, 1 halfvec, 2 sparsevec
	// A typmod of 1..8 in some runs, so the expected-dimension check is reached too
	int expected_dim = (data[0] / 3) % 9 == 0 ? -1 : (data[0] / 3) % 9;
	ruvector::binary_reader reader{data + 1, size - 1};
	ruvector::binary_header header;
	std::vector<float> floats;
	std::vector<std::uint16_t> halves;
	std::vector<std::int32_t> indices;
	ruvector::input_error error;

	if (type == 2) {
		error = ruvector::read_sparsevec_header(reader, sparse_max_dim, sparse_max_nnz, expected_dim, &header);
		if (error == ruvector::input_error::none) {
			check(header.nonzeros >= 0 && header.nonzeros <= sparse_max_nnz && header.nonzeros <= header.dim,
			      "sparse header accepted a bad nnz");
			indices.resize(header.nonzeros);
			floats.resize(header.nonzeros);
			error =
			    ruvector::read_sparsevec_elements(reader, header.dim, header.nonzeros, indices.data(), floats.data());
		}
	} else {
		error = type == 0 ? ruvector::read_vector_header(reader, dense_max_dim, expected_dim, &header)
		                  : ruvector::read_halfvec_header(reader, dense_max_dim, expected_dim, &header);
		if (error == ruvector::input_error::none) {
			check(header.dim >= 1 && header.dim <= dense_max_dim, "dense header accepted a bad dim");
			floats.resize(header.dim);
			halves.resize(header.dim);
			error = type == 0 ? ruvector::read_vector_elements(reader, header.dim, floats.data())
			                  : ruvector::read_halfvec_elements(reader, header.dim, halves.data());
		}
	}
	check(reader.cursor <= reader.size, "reader consumed more than the message");
	if (error != ruvector::input_error::none)
		return 0;

	check(expected_dim == -1 || header.dim == expected_dim, "typmod not enforced");
	check(header.unused == 0, "non-zero unused field accepted");
	for (int i = 0; i < (type == 2 ? header.nonzeros : header.dim); i++) {
		float value = type == 1 ? ruvector::f16_to_f32(halves[i]) : floats[i];
		check(std::isfinite(value), "non-finite element accepted");
		if (type == 2) {
			check(value != 0, "sparse zero accepted");
			check(indices[i] >= 0 && indices[i] < header.dim, "sparse index out of bounds accepted");
			check(i == 0 || indices[i] > indices[i - 1], "sparse indices not strictly ascending");
		}
	}
	std::vector<std::uint8_t> sent = encode(type, header, floats, halves, indices);
	check(sent.size() == reader.cursor, "consumed bytes differ from the encoded size");
	check(std::memcmp(sent.data(), data + 1, sent.size()) == 0, "encoded bytes differ from the message");
	return 0;
}
