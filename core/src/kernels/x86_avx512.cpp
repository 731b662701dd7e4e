// AVX-512 (F, BW, VL) float32 kernels: the AVX2 layout with 16-lane registers
// (x86_avx512_common.hpp). Each function carries its own target attribute, so this file
// needs no -march flag; dispatch.cpp installs these only after CPUID and XGETBV say the
// CPU and OS support AVX-512 F/BW/VL with ZMM state.
//
// The second vector (the row a batch or scan streams from memory) is read with 64-byte
// aligned loads when it is not aligned itself: a 64-byte load that straddles two cache lines
// costs this class of CPU (Zen 4) about a third of the bandwidth of a scan larger than the
// caches (17 against 26-30 GB/s at 1536 dims, docs/PERFORMANCE.md). Each vector of b is then
// put together from two aligned neighbours by VPERMT2PS, so every lane holds the same element
// as with unaligned loads and the sums are bit for bit the same at any alignment.
#include "ruvector/kernels.hpp"

#include <cstdint>

#if defined(RUVECTOR_HAVE_X86)

#define RUVECTOR_KERNEL_TARGET __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl")))

#include "batch_rows.hpp"
#include "x86_avx512_common.hpp"

namespace ruvector {

namespace {

struct f32_source {
	RUVECTOR_KERNEL_TARGET static __m512 load(const float* p)
	{
		return _mm512_loadu_ps(p);
	}

	RUVECTOR_KERNEL_TARGET static __m512 load_tail(const float* p, std::size_t count)
	{
		return _mm512_maskz_loadu_ps(first_lanes(count), p);
	}
};

// Every aligned vector read holds at least one element of b (b is not 64-byte aligned, and
// reads stop at the last full block of 64), so it lies on b's pages; the floats before b and
// past b[n-1] that it also holds are never used. AddressSanitizer cannot know that.
#define RUVECTOR_READS_WHOLE_LINES __attribute__((no_sanitize("address")))

// b's 16-float vectors in order, from aligned loads.
class realigned_stream {
public:
	RUVECTOR_KERNEL_TARGET RUVECTOR_READS_WHOLE_LINES explicit realigned_stream(const float* b)
	    : line_(b - (reinterpret_cast<std::uintptr_t>(b) % 64) / sizeof(float)),
	      lanes_(_mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(b - line_)),
	                              _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))),
	      low_(_mm512_load_ps(line_))
	{
	}

	RUVECTOR_KERNEL_TARGET RUVECTOR_READS_WHOLE_LINES __m512 next()
	{
		line_ += 16;
		const __m512 high = _mm512_load_ps(line_);
		const __m512 v = _mm512_permutex2var_ps(low_, lanes_, high);
		low_ = high;
		return v;
	}

private:
	const float* line_;
	__m512i lanes_;
	__m512 low_;
};

RUVECTOR_KERNEL_TARGET inline bool misaligned(const float* p)
{
	return reinterpret_cast<std::uintptr_t>(p) % 64 != 0;
}

// sum_terms (x86_avx512_common.hpp) with b read through a realigned_stream: the same
// accumulators in the same order, so the same result.
template <typename Term>
RUVECTOR_KERNEL_TARGET RUVECTOR_READS_WHOLE_LINES float sum_terms_realigned(const float* a, const float* b,
                                                                            std::size_t n)
{
	__m512 s[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
	realigned_stream stream(b);
	std::size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		for (std::size_t k = 0; k < 4; k++) {
			s[k] = Term::add(s[k], _mm512_loadu_ps(a + i + 16 * k), stream.next());
		}
	}
	for (; i + 16 <= n; i += 16) {
		s[0] = Term::add(s[0], _mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
	}
	if (i < n) {
		s[1] = Term::add(s[1], f32_source::load_tail(a + i, n - i), f32_source::load_tail(b + i, n - i));
	}
	return sum_of(s);
}

template <typename Term>
RUVECTOR_KERNEL_TARGET inline float sum_f32(const float* a, const float* b, std::size_t n)
{
	if (n >= 64 && misaligned(b)) {
		return sum_terms_realigned<Term>(a, b, n);
	}
	return sum_terms<f32_source, Term>(a, b, n);
}

// b's 16-float vectors in order, read as they are: rows that are aligned or too short to realign.
class direct_stream {
public:
	explicit direct_stream(const float* b) : next_(b)
	{
	}

	RUVECTOR_KERNEL_TARGET __m512 next()
	{
		const __m512 v = _mm512_loadu_ps(next_);
		next_ += 16;
		return v;
	}

private:
	const float* next_;
};

// Whether a cosine pass adds |a|^2 too. A batch does not: |q|^2 is the same sum for every row,
// so it is counted once (norm_of) and each streamed row costs two FMAs per 16 floats, not three.
enum class count_norm_a : bool { no, yes };

template <count_norm_a NormA>
RUVECTOR_KERNEL_TARGET inline void add_cosine_terms(__m512& dot, __m512& na, __m512& nb, __m512 x, __m512 y)
{
	dot = _mm512_fmadd_ps(x, y, dot);
	if constexpr (NormA == count_norm_a::yes) {
		na = _mm512_fmadd_ps(x, x, na);
	}
	nb = _mm512_fmadd_ps(y, y, nb);
}

// cosine_terms (x86_avx512_common.hpp) with b's full blocks from `stream`: the same accumulators
// in the same order, so the same result. Without |a|^2, norm_a is left 0.
template <count_norm_a NormA, typename Stream>
RUVECTOR_KERNEL_TARGET RUVECTOR_READS_WHOLE_LINES inline cosine_parts cosine_streamed(const float* a, const float* b,
                                                                                      std::size_t n, Stream stream)
{
	__m512 dot[4];
	__m512 na[4];
	__m512 nb[4];
	for (std::size_t k = 0; k < 4; k++) {
		dot[k] = _mm512_setzero_ps();
		na[k] = _mm512_setzero_ps();
		nb[k] = _mm512_setzero_ps();
	}
	std::size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		for (std::size_t k = 0; k < 4; k++) {
			add_cosine_terms<NormA>(dot[k], na[k], nb[k], _mm512_loadu_ps(a + i + 16 * k), stream.next());
		}
	}
	for (; i + 16 <= n; i += 16) {
		add_cosine_terms<NormA>(dot[0], na[0], nb[0], _mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
	}
	if (i < n) {
		add_cosine_terms<NormA>(dot[1], na[1], nb[1], f32_source::load_tail(a + i, n - i),
		                        f32_source::load_tail(b + i, n - i));
	}
	return cosine_parts{sum_of(dot), NormA == count_norm_a::yes ? sum_of(na) : 0.0F, sum_of(nb)};
}

template <count_norm_a NormA>
RUVECTOR_KERNEL_TARGET inline cosine_parts cosine_f32(const float* a, const float* b, std::size_t n)
{
	if (n >= 64 && misaligned(b)) {
		return cosine_streamed<NormA>(a, b, n, realigned_stream(b));
	}
	return cosine_streamed<NormA>(a, b, n, direct_stream(b));
}

// |a|^2 exactly as cosine_streamed sums it: the same lanes into the same accumulators.
struct square_of_first {
	RUVECTOR_KERNEL_TARGET static __m512 add(__m512 sum, __m512 x, __m512 /*y*/)
	{
		return _mm512_fmadd_ps(x, x, sum);
	}
};

// The one-pair sums row by row, inlined: no call per row.
template <typename Term, typename Rows>
RUVECTOR_KERNEL_TARGET inline void sum_rows(const float* q, Rows rows, std::size_t count, std::size_t n, float* out)
{
	for (std::size_t i = 0; i < count; i++) {
		out[i] = sum_f32<Term>(q, rows[i], n);
	}
}

template <typename Rows>
RUVECTOR_KERNEL_TARGET inline void cosine_rows(const float* q, Rows rows, std::size_t count, std::size_t n,
                                               cosine_parts* out)
{
	const float norm_q = sum_terms<f32_source, square_of_first>(q, q, n);
	for (std::size_t i = 0; i < count; i++) {
		out[i] = cosine_f32<count_norm_a::no>(q, rows[i], n);
		out[i].norm_a = norm_q;
	}
}

} // namespace

RUVECTOR_KERNEL_TARGET float l2sq_f32_avx512(const float* a, const float* b, std::size_t n)
{
	return sum_f32<squared_difference>(a, b, n);
}

RUVECTOR_KERNEL_TARGET float dot_f32_avx512(const float* a, const float* b, std::size_t n)
{
	return sum_f32<product>(a, b, n);
}

RUVECTOR_KERNEL_TARGET float l1_f32_avx512(const float* a, const float* b, std::size_t n)
{
	return sum_f32<absolute_difference>(a, b, n);
}

RUVECTOR_KERNEL_TARGET cosine_parts cosine_f32_avx512(const float* a, const float* b, std::size_t n)
{
	return cosine_f32<count_norm_a::yes>(a, b, n);
}

RUVECTOR_KERNEL_TARGET void l2sq_f32_batch_avx512(const float* q, const float* base, std::size_t count, std::size_t n,
                                                  float* out)
{
	sum_rows<squared_difference>(q, contiguous_rows<float>{base, n}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void dot_f32_batch_avx512(const float* q, const float* base, std::size_t count, std::size_t n,
                                                 float* out)
{
	sum_rows<product>(q, contiguous_rows<float>{base, n}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void l1_f32_batch_avx512(const float* q, const float* base, std::size_t count, std::size_t n,
                                                float* out)
{
	sum_rows<absolute_difference>(q, contiguous_rows<float>{base, n}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void cosine_f32_batch_avx512(const float* q, const float* base, std::size_t count, std::size_t n,
                                                    cosine_parts* out)
{
	cosine_rows(q, contiguous_rows<float>{base, n}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void l2sq_f32_gather_avx512(const float* q, const float* const* rows, std::size_t count,
                                                   std::size_t n, float* out)
{
	sum_rows<squared_difference>(q, gathered_rows<float>{rows}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void dot_f32_gather_avx512(const float* q, const float* const* rows, std::size_t count,
                                                  std::size_t n, float* out)
{
	sum_rows<product>(q, gathered_rows<float>{rows}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void l1_f32_gather_avx512(const float* q, const float* const* rows, std::size_t count,
                                                 std::size_t n, float* out)
{
	sum_rows<absolute_difference>(q, gathered_rows<float>{rows}, count, n, out);
}

RUVECTOR_KERNEL_TARGET void cosine_f32_gather_avx512(const float* q, const float* const* rows, std::size_t count,
                                                     std::size_t n, cosine_parts* out)
{
	cosine_rows(q, gathered_rows<float>{rows}, count, n, out);
}

} // namespace ruvector

#endif // RUVECTOR_HAVE_X86
