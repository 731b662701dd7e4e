// ARM NEON bit counts: CNT (vcntq_u8) counts each byte, UADALP adds adjacent byte counts
// into eight 16-bit lanes. A lane gains at most 16 per 16-byte block, so lanes are flushed
// into a 64-bit total every 2048 blocks, before they could wrap. The last 0..15 bytes are
// counted a byte at a time.
#include "ruvector/bits.hpp"

#if defined(RUVECTOR_HAVE_NEON)

#include <arm_neon.h>

#include <bit>

namespace ruvector {

namespace {

constexpr std::size_t flush_blocks = 2048;

inline std::uint64_t popcount_byte(unsigned byte)
{
	return static_cast<std::uint64_t>(std::popcount(byte));
}

struct differ {
	static uint8x16_t bits(uint8x16_t x, uint8x16_t y)
	{
		return veorq_u8(x, y);
	}
	static unsigned byte(unsigned x, unsigned y)
	{
		return x ^ y;
	}
};

struct both {
	static uint8x16_t bits(uint8x16_t x, uint8x16_t y)
	{
		return vandq_u8(x, y);
	}
	static unsigned byte(unsigned x, unsigned y)
	{
		return x & y;
	}
};

struct either {
	static uint8x16_t bits(uint8x16_t x, uint8x16_t y)
	{
		return vorrq_u8(x, y);
	}
	static unsigned byte(unsigned x, unsigned y)
	{
		return x | y;
	}
};

// Set bits of Op(a, b) over `bytes` bytes.
template <typename Op>
std::uint64_t count_bits(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	std::uint64_t total = 0;
	std::size_t i = 0;
	while (i + 16 <= bytes) {
		uint16x8_t lanes = vdupq_n_u16(0);
		for (std::size_t block = 0; block < flush_blocks && i + 16 <= bytes; block++, i += 16) {
			lanes = vpadalq_u8(lanes, vcntq_u8(Op::bits(vld1q_u8(a + i), vld1q_u8(b + i))));
		}
		total += vaddlvq_u16(lanes);
	}
	for (; i < bytes; i++) {
		total += popcount_byte(Op::byte(a[i], b[i]));
	}
	return total;
}

} // namespace

std::uint64_t hamming_bits_neon(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	return count_bits<differ>(a, b, bytes);
}

bit_overlap overlap_bits_neon(const std::uint8_t* a, const std::uint8_t* b, std::size_t bytes)
{
	return bit_overlap{count_bits<both>(a, b, bytes), count_bits<either>(a, b, bytes)};
}

// The pair kernels inlined row by row: no call per row.
void hamming_bits_batch_neon(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                             std::size_t stride, std::uint64_t* out)
{
	for (std::size_t i = 0; i < count; i++) {
		out[i] = count_bits<differ>(q, base + i * stride, bytes);
	}
}

void overlap_bits_batch_neon(const std::uint8_t* q, const std::uint8_t* base, std::size_t count, std::size_t bytes,
                             std::size_t stride, bit_overlap* out)
{
	for (std::size_t i = 0; i < count; i++) {
		const std::uint8_t* row = base + i * stride;
		out[i] = bit_overlap{count_bits<both>(q, row, bytes), count_bits<either>(q, row, bytes)};
	}
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_NEON
