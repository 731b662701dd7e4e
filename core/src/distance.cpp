// Distances as the SQL functions return them, with pgvector's numerics: float32 sums
// from the dispatched kernels, then square root and division in double.
#include "ruvector/kernels.hpp"

#include <cmath>
#include <limits>

namespace ruvector {

double l2_distance_f32(const float* a, const float* b, std::size_t n)
{
	return std::sqrt(static_cast<double>(l2sq_f32(a, b, n)));
}

double cosine_distance_f32(const float* a, const float* b, std::size_t n)
{
	const cosine_parts parts = cosine_parts_f32(a, b, n);
	// pgvector gets NaN from 0/0 here; testing the norms also covers a norm that
	// underflowed to zero while the dot product did not.
	if (parts.norm_a == 0.0F || parts.norm_b == 0.0F) {
		return std::numeric_limits<double>::quiet_NaN();
	}
	double similarity = static_cast<double>(parts.dot) /
	                    std::sqrt(static_cast<double>(parts.norm_a) * static_cast<double>(parts.norm_b));
	// Rounding can push |similarity| slightly past 1.
	if (similarity > 1.0) {
		similarity = 1.0;
	} else if (similarity < -1.0) {
		similarity = -1.0;
	}
	return 1.0 - similarity;
}

double norm_f32(const float* a, std::size_t n)
{
	double sum = 0.0;
	for (std::size_t i = 0; i < n; i++) {
		sum += static_cast<double>(a[i]) * static_cast<double>(a[i]);
	}
	return std::sqrt(sum);
}

} // namespace ruvector
