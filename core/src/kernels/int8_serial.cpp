// Reference twins of the int8 kernels: one term at a time in index order, in int32.
#include "ruvector/int8.hpp"

namespace ruvector {

std::int32_t l2sq_i8_serial(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	std::int32_t sum = 0;
	for (std::size_t i = 0; i < n; i++) {
		const std::int32_t d = static_cast<std::int32_t>(a[i]) - static_cast<std::int32_t>(b[i]);
		sum += d * d;
	}
	return sum;
}

std::int32_t dot_i8_serial(const std::int8_t* a, const std::int8_t* b, std::size_t n)
{
	std::int32_t sum = 0;
	for (std::size_t i = 0; i < n; i++) {
		sum += static_cast<std::int32_t>(a[i]) * static_cast<std::int32_t>(b[i]);
	}
	return sum;
}

} // namespace ruvector
