// Reference twins of the f16 kernels: widen each half to float32, one float32
// accumulator, one term at a time in index order, exactly as pgvector's default
// halfvec loops do (its builds for PGlite have no F16C path).
#include "ruvector/half.hpp"

#include <cmath>

namespace ruvector {

float l2sq_f16_serial(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	float sum = 0.0F;
	for (std::size_t i = 0; i < n; i++) {
		const float d = f16_to_f32(a[i]) - f16_to_f32(b[i]);
		sum += d * d;
	}
	return sum;
}

float dot_f16_serial(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	float sum = 0.0F;
	for (std::size_t i = 0; i < n; i++) {
		sum += f16_to_f32(a[i]) * f16_to_f32(b[i]);
	}
	return sum;
}

float l1_f16_serial(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	float sum = 0.0F;
	for (std::size_t i = 0; i < n; i++) {
		sum += std::fabs(f16_to_f32(a[i]) - f16_to_f32(b[i]));
	}
	return sum;
}

cosine_parts cosine_f16_serial(const std::uint16_t* a, const std::uint16_t* b, std::size_t n)
{
	cosine_parts parts{0.0F, 0.0F, 0.0F};
	for (std::size_t i = 0; i < n; i++) {
		const float x = f16_to_f32(a[i]);
		const float y = f16_to_f32(b[i]);
		parts.dot += x * y;
		parts.norm_a += x * x;
		parts.norm_b += y * y;
	}
	return parts;
}

} // namespace ruvector
