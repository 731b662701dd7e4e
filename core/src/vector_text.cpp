// Text forms of the vector types (see vector_text.hpp); the syntax follows pgvector 0.8.7.
#include "ruvector/vector_text.hpp"

#include "ruvector/half.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>

namespace ruvector {
namespace {

bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

const char* skip_space(const char* p)
{
	while (is_space(*p)) {
		p++;
	}
	return p;
}

text_result fail(input_error error, const char* text, const char* at, std::size_t length = 0)
{
	return text_result{error, static_cast<std::size_t>(at - text), length};
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

// An integer, saturated to the int32 range; false when there is no number at *p
bool parse_integer(const char** p, long long* value)
{
	char* end;
	long long parsed = std::strtoll(*p, &end, 10);

	if (end == *p) {
		return false;
	}
	*p = end;
	*value = std::clamp<long long>(parsed, INT_MIN, INT_MAX);
	return true;
}

} // namespace

bool overflows_half(float value)
{
	return f16_is_inf(f32_to_f16(value)) && !std::isinf(value);
}

text_result parse_dense_text(const char* text, int max_dim, bool (*overflows)(float value), float* out, int* dim)
{
	int count = 0;
	const char* p = skip_space(text);

	if (*p != '[') {
		return fail(input_error::missing_open_bracket, text, p);
	}
	p = skip_space(p + 1);
	if (*p == ']') {
		return fail(input_error::too_few_dims, text, p);
	}

	for (;;) {
		if (count == max_dim) {
			return fail(input_error::too_many_dims, text, p);
		}
		p = skip_space(p);
		if (*p == '\0') {
			return fail(input_error::syntax, text, p);
		}

		char* end;
		errno = 0;
		float value = std::strtof(p, &end);
		if (end == p) {
			return fail(input_error::syntax, text, p);
		}
		if ((errno == ERANGE && std::isinf(value)) || (overflows != nullptr && overflows(value))) {
			return fail(input_error::out_of_range, text, p, static_cast<std::size_t>(end - p));
		}
		if (input_error error = check_finite(value); error != input_error::none) {
			return fail(error, text, p);
		}
		out[count++] = value;

		p = skip_space(end);
		if (*p == ',') {
			p++;
		} else if (*p == ']') {
			p++;
			break;
		} else {
			return fail(input_error::syntax, text, p);
		}
	}

	p = skip_space(p);
	if (*p != '\0') {
		return fail(input_error::junk_after_bracket, text, p);
	}
	*dim = count;
	return text_result{};
}

std::size_t sparse_text_capacity(const char* text)
{
	std::size_t capacity = 1;

	for (const char* c = text; *c != '\0'; c++) {
		if (*c == ',') {
			capacity++;
		}
	}
	return capacity;
}

text_result parse_sparse_text(const char* text, sparse_text_element* out, int* count, int* dim)
{
	int nonzeros = 0;
	const char* p = skip_space(text);

	if (*p != '{') {
		return fail(input_error::missing_open_brace, text, p);
	}
	p = skip_space(p + 1);
	if (*p == '}') {
		p++;
	} else {
		for (;;) {
			p = skip_space(p);
			long long index;
			if (*p == '\0' || !parse_integer(&p, &index)) {
				return fail(input_error::syntax, text, p);
			}
			p = skip_space(p);
			if (*p != ':') {
				return fail(input_error::syntax, text, p);
			}
			p = skip_space(p + 1);

			char* end;
			errno = 0;
			float value = std::strtof(p, &end);
			if (end == p) {
				return fail(input_error::syntax, text, p);
			}
			if (errno == ERANGE && (value == 0 || std::isinf(value))) {
				return fail(input_error::out_of_range, text, p, static_cast<std::size_t>(end - p));
			}
			if (input_error error = check_finite(value); error != input_error::none) {
				return fail(error, text, p);
			}
			if (value != 0) {
				// 1-based text to 0-based storage; a saturated INT_MIN stays out of bounds
				out[nonzeros].index = static_cast<std::int32_t>(std::max(index - 1, static_cast<long long>(INT_MIN)));
				out[nonzeros].value = value;
				nonzeros++;
			}

			p = skip_space(end);
			if (*p == ',') {
				p++;
			} else if (*p == '}') {
				p++;
				break;
			} else {
				return fail(input_error::syntax, text, p);
			}
		}
	}

	p = skip_space(p);
	if (*p != '/') {
		return fail(input_error::missing_slash, text, p);
	}
	p = skip_space(p + 1);
	long long parsed_dim;
	if (!parse_integer(&p, &parsed_dim)) {
		return fail(input_error::syntax, text, p);
	}
	if (*skip_space(p) != '\0') {
		return fail(input_error::junk_after_dim, text, skip_space(p));
	}
	*count = nonzeros;
	*dim = static_cast<int>(parsed_dim);
	return text_result{};
}

input_error finish_sparse_text(sparse_text_element* elements, int count, int dim)
{
	std::sort(elements, elements + count,
	          [](const sparse_text_element& x, const sparse_text_element& y) { return x.index < y.index; });
	for (int i = 0; i < count; i++) {
		if (elements[i].index < 0 || elements[i].index >= dim) {
			return input_error::index_out_of_bounds;
		}
		if (i > 0 && elements[i].index == elements[i - 1].index) {
			return input_error::duplicate_index;
		}
	}
	return input_error::none;
}

} // namespace ruvector
