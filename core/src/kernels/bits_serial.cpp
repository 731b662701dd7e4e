// Reference twins of the bit kernels, and binary quantisation. Words are loaded with
// memcpy (PostgreSQL's bit data is only 4-byte aligned), then the last 0..7 bytes alone.
#include "ruvector/bits.hpp"

#include <bit>
#include <cstring>

namespace ruvector {

namespace {

inline std::uint64_t load_word(const std::uint8_t* p)
{
	std::uint64_t word = 0;
	std::memcpy(&word, p, sizeof(word));
	return word;
}

} // namespace

std::uint64_t hamming_bits_serial(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	std::uint64_t count = 0;
	std::size_t i = 0;
	for (; i + 8 <= bytes; i += 8) {
		count += static_cast<std::uint64_t>(std::popcount(load_word(a + i) ^ load_word(b + i)));
	}
	for (; i < bytes; i++) {
		count += static_cast<std::uint64_t>(std::popcount(static_cast<unsigned>(a[i] ^ b[i])));
	}
	return count;
}

bit_overlap overlap_bits_serial(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	bit_overlap counts{0, 0};
	std::size_t i = 0;
	for (; i + 8 <= bytes; i += 8) {
		const std::uint64_t x = load_word(a + i);
		const std::uint64_t y = load_word(b + i);
		counts.both += static_cast<std::uint64_t>(std::popcount(x & y));
		counts.either += static_cast<std::uint64_t>(std::popcount(x | y));
	}
	for (; i < bytes; i++) {
		counts.both += static_cast<std::uint64_t>(std::popcount(static_cast<unsigned>(a[i] & b[i])));
		counts.either += static_cast<std::uint64_t>(std::popcount(static_cast<unsigned>(a[i] | b[i])));
	}
	return counts;
}

void hamming_bits_batch_serial(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                               std::size_t stride, std::uint64_t* out)
{
	for (std::size_t i = 0; i < count; i++) {
		out[i] = hamming_bits_serial(q, base + i * stride, bytes);
	}
}

void overlap_bits_batch_serial(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                               std::size_t stride, bit_overlap* out)
{
	for (std::size_t i = 0; i < count; i++) {
		out[i] = overlap_bits_serial(q, base + i * stride, bytes);
	}
}

void binary_quantize_f32(const float* x, std::size_t n, std::uint8_t* out)
{
	std::size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		unsigned byte = 0;
		for (std::size_t j = 0; j < 8; j++) {
			byte = (byte << 1) | (x[i + j] > 0.0F ? 1U : 0U);
		}
		out[i / 8] = static_cast<std::uint8_t>(byte);
	}
	if (i < n) {
		unsigned byte = 0;
		for (std::size_t j = 0; j < 8; j++) {
			byte = (byte << 1) | (i + j < n && x[i + j] > 0.0F ? 1U : 0U);
		}
		out[i / 8] = static_cast<std::uint8_t>(byte);
	}
}

} // namespace ruvector
