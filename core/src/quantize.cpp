// SQ8 and binary codes: training, encoding, and distances from codes with their slack.
#include "ruvector/quantize.hpp"

#include "ruvector/int8.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ruvector {

namespace {

// L1 over SQ8 codes: no int8 kernel family has it (it serves only the l1 metric); exact in int32.
std::int32_t l1_codes(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	std::int32_t sum = 0;
	for (std::size_t i = 0; i < n; i++) {
		const std::int32_t d = static_cast<std::int32_t>(a[i]) - b[i];
		sum += d < 0 ? -d : d;
	}
	return sum;
}

bool bit_is_set(const std::uint8_t* code, std::size_t i)
{
	return (code[i / 8] & (0x80U >> (i % 8))) != 0;
}

// The reconstruction error in the metric's own norm: L1 for l1, L2 otherwise.
class error_sum {
public:
	explicit error_sum(metric kind) : l1_(kind == metric::l1)
	{
	}
	void add(double d)
	{
		sum_ += l1_ ? std::fabs(d) : d * d;
	}
	float value() const
	{
		return static_cast<float>(l1_ ? sum_ : std::sqrt(sum_));
	}

private:
	bool l1_;
	double sum_ = 0;
};

constexpr float unbounded = std::numeric_limits<float>::infinity();

} // namespace

void training_reset(training_stats& stats)
{
	for (std::size_t i = 0; i < stats.dim; i++) {
		stats.lo[i] = std::numeric_limits<float>::infinity();
		stats.hi[i] = -std::numeric_limits<float>::infinity();
		stats.sum[i] = 0;
	}
	stats.count = 0;
}

void training_add(training_stats& stats, const float* x)
{
	for (std::size_t i = 0; i < stats.dim; i++) {
		stats.lo[i] = x[i] < stats.lo[i] ? x[i] : stats.lo[i];
		stats.hi[i] = x[i] > stats.hi[i] ? x[i] : stats.hi[i];
		stats.sum[i] += x[i];
	}
	stats.count++;
}

float sq8_train(const training_stats& stats, float* offset)
{
	double half_range = 0;
	for (std::size_t i = 0; i < stats.dim; i++) {
		if (stats.count == 0) {
			offset[i] = 0;
			continue;
		}
		offset[i] = static_cast<float>((static_cast<double>(stats.lo[i]) + stats.hi[i]) / 2);
		const double half = (static_cast<double>(stats.hi[i]) - stats.lo[i]) / 2;
		half_range = half > half_range ? half : half_range;
	}
	return half_range > 0 ? static_cast<float>(half_range / sq8_max_code) : 1.0F;
}

sq8_terms sq8_encode(const sq8_codebook& book, metric kind, const float* x, std::int8_t* code)
{
	error_sum error(kind);
	double offset_dot = 0;
	double norm2 = 0;
	for (std::size_t i = 0; i < book.dim; i++) {
		double steps = std::nearbyint((static_cast<double>(x[i]) - book.offset[i]) / book.scale);
		steps = steps > sq8_max_code ? sq8_max_code : (steps < -sq8_max_code ? -sq8_max_code : steps);
		code[i] = static_cast<std::int8_t>(steps);
		const double restored = book.offset[i] + static_cast<double>(book.scale) * steps;
		error.add(x[i] - restored);
		offset_dot += static_cast<double>(book.offset[i]) * steps;
		norm2 += restored * restored;
	}
	return {static_cast<float>(offset_dot * book.scale), static_cast<float>(std::sqrt(norm2)), error.value()};
}

void sq8_decode(const sq8_codebook& book, const std::int8_t* code, float* x)
{
	for (std::size_t i = 0; i < book.dim; i++) {
		x[i] = book.offset[i] + book.scale * static_cast<float>(code[i]);
	}
}

void sq8_prepare_query(const sq8_codebook& book, metric kind, const float* q, sq8_query& query)
{
	query.terms = sq8_encode(book, kind, q, query.code);
	double norm2 = 0;
	for (std::size_t i = 0; i < book.dim; i++) {
		norm2 += static_cast<double>(q[i]) * q[i];
	}
	query.norm = static_cast<float>(std::sqrt(norm2));
	query.offset_norm2 = sq8_offset_norm2(book);
}

// q^ . x^ from the codes and their terms
static double sq8_dot(const sq8_codebook& book, float offset_norm2, const std::int8_t* a, const sq8_terms& ta,
                      const std::int8_t* b, const sq8_terms& tb)
{
	const double scale2 = static_cast<double>(book.scale) * book.scale;
	return static_cast<double>(offset_norm2) + ta.offset_dot + tb.offset_dot + scale2 * dot_i8(a, b, book.dim);
}

distance_bound sq8_query_distance(const sq8_codebook& book, metric kind, const sq8_query& query,
                                  const std::int8_t* code, const sq8_terms& terms)
{
	switch (kind) {
		case metric::l2: {
			const auto estimate =
			    static_cast<float>(book.scale * std::sqrt(static_cast<double>(l2sq_i8(query.code, code, book.dim))));
			const float slack = query.terms.error + terms.error;
			return {estimate, slack, estimate + slack};
		}
		case metric::l1: {
			const float estimate = book.scale * static_cast<float>(l1_codes(query.code, code, book.dim));
			const float slack = query.terms.error + terms.error;
			return {estimate, slack, estimate + slack};
		}
		case metric::inner_product:
		case metric::cosine: {
			// q.x - q^.x^ = q.(x - x^) + (q - q^).x^
			const double dot = sq8_dot(book, query.offset_norm2, query.code, query.terms, code, terms);
			const float slack = query.norm * terms.error + query.terms.error * terms.norm;
			const float estimate = static_cast<float>(kind == metric::cosine ? 1.0 - dot : -dot);
			return {estimate, slack, query.norm * (terms.norm + terms.error)};
		}
		case metric::hamming:
		case metric::jaccard:
			break;
	}
	return {0, unbounded, 0};
}

float sq8_offset_norm2(const sq8_codebook& book)
{
	double offset_norm2 = 0;
	for (std::size_t i = 0; i < book.dim; i++) {
		offset_norm2 += static_cast<double>(book.offset[i]) * book.offset[i];
	}
	return static_cast<float>(offset_norm2);
}

float sq8_code_distance(const sq8_codebook& book, float offset_norm2, metric kind, const std::int8_t* a,
                        const sq8_terms& ta, const std::int8_t* b, const sq8_terms& tb)
{
	switch (kind) {
		case metric::l2:
			return static_cast<float>(book.scale * std::sqrt(static_cast<double>(l2sq_i8(a, b, book.dim))));
		case metric::l1:
			return book.scale * static_cast<float>(l1_codes(a, b, book.dim));
		case metric::inner_product:
		case metric::cosine: {
			const double dot = sq8_dot(book, offset_norm2, a, ta, b, tb);
			return static_cast<float>(kind == metric::cosine ? 1.0 - dot : -dot);
		}
		case metric::hamming:
		case metric::jaccard:
			break;
	}
	return 0;
}

float sq8_code_distance(const sq8_codebook& book, metric kind, const std::int8_t* a, const sq8_terms& ta,
                        const std::int8_t* b, const sq8_terms& tb)
{
	return sq8_code_distance(book, sq8_offset_norm2(book), kind, a, ta, b, tb);
}

void binary_train(const training_stats& stats, float* offset)
{
	for (std::size_t i = 0; i < stats.dim; i++) {
		offset[i] = stats.count == 0 ? 0.0F : static_cast<float>(stats.sum[i] / static_cast<double>(stats.count));
	}
}

binary_terms binary_encode(const binary_codebook& book, metric kind, const float* x, std::uint8_t* code)
{
	double abs_sum = 0;
	for (std::size_t i = 0; i < binary_code_bytes(book.dim); i++) {
		code[i] = 0;
	}
	for (std::size_t i = 0; i < book.dim; i++) {
		const double centred = static_cast<double>(x[i]) - book.offset[i];
		if (centred > 0) {
			code[i / 8] |= static_cast<std::uint8_t>(0x80U >> (i % 8));
		}
		abs_sum += std::fabs(centred);
	}
	const double scale = book.dim == 0 ? 0 : abs_sum / static_cast<double>(book.dim);
	error_sum error(kind);
	for (std::size_t i = 0; i < book.dim; i++) {
		const double restored = book.offset[i] + (bit_is_set(code, i) ? scale : -scale);
		error.add(x[i] - restored);
	}
	return {static_cast<float>(scale), error.value()};
}

void binary_decode(const binary_codebook& book, const std::uint8_t* code, const binary_terms& terms, float* x)
{
	for (std::size_t i = 0; i < book.dim; i++) {
		x[i] = book.offset[i] + (bit_is_set(code, i) ? terms.scale : -terms.scale);
	}
}

void binary_prepare_query(const binary_codebook& book, metric kind, const float* q, binary_query& query)
{
	const bool centred = kind == metric::l2 || kind == metric::l1;
	double total = 0;
	double centred_norm2 = 0;
	double offset_dot = 0;
	double offset_norm2 = 0;
	double norm2 = 0;
	for (std::size_t i = 0; i < book.dim; i++) {
		const double c = static_cast<double>(q[i]) - book.offset[i];
		total += centred ? c : q[i];
		centred_norm2 += c * c;
		offset_dot += static_cast<double>(q[i]) * book.offset[i];
		offset_norm2 += static_cast<double>(book.offset[i]) * book.offset[i];
		norm2 += static_cast<double>(q[i]) * q[i];
	}
	// Each byte value's sum is the sum of the value without its lowest set bit, plus that bit's element
	for (std::size_t j = 0; j < binary_code_bytes(book.dim); j++) {
		float* sums = query.table + j * 256;
		sums[0] = 0;
		for (unsigned value = 1; value < 256; value++) {
			const unsigned low = static_cast<unsigned>(__builtin_ctz(value));
			const std::size_t i = j * 8 + (7 - low);
			float element = 0;
			if (i < book.dim) {
				element = centred ? q[i] - book.offset[i] : q[i];
			}
			sums[value] = sums[value & (value - 1)] + element;
		}
	}
	query.q = q;
	query.total = static_cast<float>(total);
	query.centred_norm2 = static_cast<float>(centred_norm2);
	query.offset_dot = static_cast<float>(offset_dot);
	query.offset_norm = static_cast<float>(std::sqrt(offset_norm2));
	query.norm = static_cast<float>(std::sqrt(norm2));
}

// |v_perp|, the part of v orthogonal to a code's sign vector, from |v|^2 and v.signs (|signs|^2 = dim).
// Rounded up: signed_sum is a float sum of up to dim terms, whose error grows with dim.
static double perpendicular_norm(double norm2, double signed_sum, float dim)
{
	if (dim <= 0) {
		return std::sqrt(norm2);
	}
	const double margin = 1e-6 * static_cast<double>(dim) * norm2;
	const double perpendicular2 = norm2 - signed_sum * signed_sum / dim + margin;
	return std::sqrt(std::clamp(perpendicular2, 0.0, norm2));
}

distance_bound binary_query_distance(const binary_codebook& book, metric kind, const binary_query& query,
                                     const std::uint8_t* code, const binary_terms& terms)
{
	const std::size_t bytes = binary_code_bytes(book.dim);
	const auto dim = static_cast<float>(book.dim);
	switch (kind) {
		case metric::l2: {
			// |q - x^|^2 = |q - o|^2 - 2 s (q - o).signs + s^2 dim
			float set = 0;
			for (std::size_t j = 0; j < bytes; j++) {
				set += query.table[j * 256 + code[j]];
			}
			const double signed_sum = 2.0 * set - query.total;
			const double spread = static_cast<double>(terms.scale) * terms.scale * dim;
			const double decoded = query.centred_norm2 - 2 * terms.scale * signed_sum + spread;
			// x - o = s signs + e with e orthogonal to the signs (s is the mean |x_i - o_i|), so
			// |q - x|^2 = |q - x^|^2 + |e|^2 - 2 (q - o).e, and only the part of q - o orthogonal
			// to the signs meets e: |(q - o).e| <= |q - o|_perp |e|. Tighter than the triangle
			// inequality's |q - x^| - |e| (|q - o|_perp <= |q - x^|).
			const double error = terms.error;
			const double squared = decoded + error * error;
			const double cross = 2 * error * perpendicular_norm(query.centred_norm2, signed_sum, dim);
			// The float sums above cancel; widen the slack by what their rounding can move the root
			const double rounding = 1e-5 * (query.centred_norm2 + spread + error * error);
			const double estimate = std::sqrt(squared > 0 ? squared : 0.0);
			const double lowest = squared - cross - rounding > 0 ? std::sqrt(squared - cross - rounding) : 0.0;
			const auto slack = static_cast<float>(estimate - lowest);
			return {static_cast<float>(estimate), slack, static_cast<float>(estimate) + slack};
		}
		case metric::inner_product:
		case metric::cosine: {
			float set = 0;
			for (std::size_t j = 0; j < bytes; j++) {
				set += query.table[j * 256 + code[j]];
			}
			const float signed_sum = 2 * set - query.total;
			const float dot = query.offset_dot + terms.scale * signed_sum;
			const float estimate = kind == metric::cosine ? 1 - dot : -dot;
			const float restored_norm = query.offset_norm + terms.scale * std::sqrt(dim);
			// q.e = q_perp.e, as for l2: only the part of q orthogonal to the signs meets the error
			const auto perpendicular =
			    static_cast<float>(perpendicular_norm(static_cast<double>(query.norm) * query.norm, signed_sum, dim));
			return {estimate, perpendicular * terms.error, query.norm * (restored_norm + terms.error)};
		}
		case metric::l1: {
			float estimate = 0;
			for (std::size_t i = 0; i < book.dim; i++) {
				const float restored = book.offset[i] + (bit_is_set(code, i) ? terms.scale : -terms.scale);
				estimate += std::fabs(query.q[i] - restored);
			}
			return {estimate, terms.error, estimate + terms.error};
		}
		case metric::hamming:
		case metric::jaccard:
			break;
	}
	return {0, unbounded, 0};
}

} // namespace ruvector
