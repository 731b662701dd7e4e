// libFuzzer target: the dense text parser (vector and halfvec, '[1, 2.5, -3e-5]').
// The first byte picks the type; the rest is the literal. Beyond "no crash, no
// sanitizer report" it checks what the parser promises: an error points inside the
// text; a parsed vector has 1..max_dim finite elements (in half range for halfvec),
// and its printed form parses back to the same bits.
#include "ruvector/vector_text.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int max_dim = 16000; // VECTOR_MAX_DIM and HALFVEC_MAX_DIM

void check(bool condition, const char* what)
{
	if (!condition) {
		std::fprintf(stderr, "dense_text: %s\n", what);
		std::abort();
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	if (size == 0)
		return 0;
	bool half = (data[0] & 1) != 0;
	auto overflows = half ? ruvector::overflows_half : nullptr;
	// A C string as PostgreSQL passes it: the text up to the first NUL
	std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
	text = text.c_str();

	std::vector<float> values(max_dim);
	int dim = -1;
	ruvector::text_result result = ruvector::parse_dense_text(text.c_str(), max_dim, overflows, values.data(), &dim);
	if (result.error != ruvector::input_error::none) {
		check(result.position <= text.size(), "error position past the end");
		check(result.position + result.length <= text.size(), "error span past the end");
		check(result.error != ruvector::input_error::out_of_range || result.length > 0, "empty out-of-range span");
		return 0;
	}
	check(dim >= 1 && dim <= max_dim, "dimension outside 1..max_dim");
	std::string printed = "[";
	for (int i = 0; i < dim; i++) {
		check(std::isfinite(values[i]), "non-finite element accepted");
		check(!half || !ruvector::overflows_half(values[i]), "halfvec element beyond the half range accepted");
		char number[32];
		std::snprintf(number, sizeof number, "%s%.9g", i > 0 ? "," : "", static_cast<double>(values[i]));
		printed += number;
	}
	printed += "]";

	std::vector<float> again(max_dim);
	int again_dim = -1;
	result = ruvector::parse_dense_text(printed.c_str(), max_dim, overflows, again.data(), &again_dim);
	check(result.error == ruvector::input_error::none, "printed form does not parse");
	check(again_dim == dim, "printed form has another dimension");
	check(std::memcmp(values.data(), again.data(), sizeof(float) * dim) == 0, "printed form parses to other bits");
	return 0;
}
