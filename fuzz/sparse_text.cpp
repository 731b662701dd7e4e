// libFuzzer target: the sparse text parser (sparsevec, '{1:1.5, 3:2}/5').
// Checks besides sanitizers: errors point inside the text; the element count stays
// within the capacity promised in advance; finished elements are strictly ascending
// in [0, dim), finite and non-zero; the printed form parses back to the same elements.
#include "ruvector/vector_text.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr int max_dim = 1000000000;    // SPARSEVEC_MAX_DIM
constexpr std::size_t max_nnz = 16000; // SPARSEVEC_MAX_NNZ

void check(bool condition, const char* what)
{
	if (!condition) {
		std::fprintf(stderr, "sparse_text: %s\n", what);
		std::abort();
	}
}

// Parse and finish as sparsevec_in does; false when any step refuses the text
bool parse(const std::string& text, std::vector<ruvector::sparse_text_element>& elements, int* count, int* dim)
{
	std::size_t capacity = ruvector::sparse_text_capacity(text.c_str());
	if (capacity > max_nnz)
		return false;
	elements.assign(capacity, ruvector::sparse_text_element{});
	ruvector::text_result result = ruvector::parse_sparse_text(text.c_str(), elements.data(), count, dim);
	if (result.error != ruvector::input_error::none) {
		check(result.position <= text.size(), "error position past the end");
		check(result.position + result.length <= text.size(), "error span past the end");
		return false;
	}
	check(*count >= 0 && static_cast<std::size_t>(*count) <= capacity, "more elements than the capacity");
	if (*dim < 1 || *dim > max_dim)
		return false;
	return ruvector::finish_sparse_text(elements.data(), *count, *dim) == ruvector::input_error::none;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	std::string text(reinterpret_cast<const char*>(data), size);
	text = text.c_str();

	std::vector<ruvector::sparse_text_element> elements;
	int count = -1, dim = -1;
	if (!parse(text, elements, &count, &dim))
		return 0;

	std::string printed = "{";
	for (int i = 0; i < count; i++) {
		check(elements[i].index >= 0 && elements[i].index < dim, "index outside [0, dim)");
		check(i == 0 || elements[i].index > elements[i - 1].index, "indices not strictly ascending");
		check(std::isfinite(elements[i].value) && elements[i].value != 0, "zero or non-finite value kept");
		char element[48];
		std::snprintf(element, sizeof element, "%s%d:%.9g", i > 0 ? "," : "", elements[i].index + 1,
		              static_cast<double>(elements[i].value));
		printed += element;
	}
	printed += "}/" + std::to_string(dim);

	std::vector<ruvector::sparse_text_element> again;
	int again_count = -1, again_dim = -1;
	check(parse(printed, again, &again_count, &again_dim), "printed form does not parse");
	check(again_count == count && again_dim == dim, "printed form has other counts");
	for (int i = 0; i < count; i++)
		check(again[i].index == elements[i].index && again[i].value == elements[i].value,
		      "printed form parses to other elements");
	return 0;
}
