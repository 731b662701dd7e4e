// Pieces shared by the f32 and f16 AVX-512 kernels (x86_avx512.cpp, half_x86_avx512.cpp).
//
// The includer defines RUVECTOR_KERNEL_TARGET (its own target attribute) first, so every
// helper here is compiled for exactly the kernels' instruction set and inlines into them;
// no -march flag is needed. Everything has internal linkage: each file gets its own copy.
//
// Layout of every sum: four independent 16-lane accumulators over 64 elements per step
// (hides the 4-cycle FMA latency), then 16 per step into the first, then a masked load of
// the last 1..15 elements into the second. Masked-off lanes are neither read nor faulted,
// and load as zero, which adds nothing to any of the sums.
#pragma once

#if !defined(RUVECTOR_KERNEL_TARGET)
#error "define RUVECTOR_KERNEL_TARGET before including x86_avx512_common.hpp"
#endif

// GCC 12's AVX-512 intrinsics start from self-initialised "undefined" registers, which
// -W(maybe-)uninitialized reports wherever they are inlined (GCC bug 105593); they are not.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace ruvector {

namespace {

// Lanes 0..count-1 of a 16-lane register, for count < 16.
RUVECTOR_KERNEL_TARGET inline __mmask16 first_lanes(std::size_t count)
{
	return static_cast<__mmask16>((1U << count) - 1);
}

// Terms of the one-pass sums: each adds its term for (x, y) to the accumulator.
struct squared_difference {
	RUVECTOR_KERNEL_TARGET static __m512 add(__m512 sum, __m512 x, __m512 y)
	{
		const __m512 d = _mm512_sub_ps(x, y);
		return _mm512_fmadd_ps(d, d, sum);
	}
};

struct product {
	RUVECTOR_KERNEL_TARGET static __m512 add(__m512 sum, __m512 x, __m512 y)
	{
		return _mm512_fmadd_ps(x, y, sum);
	}
};

struct absolute_difference {
	RUVECTOR_KERNEL_TARGET static __m512 add(__m512 sum, __m512 x, __m512 y)
	{
		return _mm512_add_ps(sum, _mm512_abs_ps(_mm512_sub_ps(x, y)));
	}
};

RUVECTOR_KERNEL_TARGET inline float sum_of(const __m512 (&s)[4])
{
	return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s[0], s[1]), _mm512_add_ps(s[2], s[3])));
}

// Sum of Term over a and b. Source supplies load(p) (16 elements as floats) and
// load_tail(p, count) (the first count < 16 elements, zeros after them).
template <typename Source, typename Term, typename T>
RUVECTOR_KERNEL_TARGET inline float sum_terms(const T* a, const T* b, std::size_t n)
{
	__m512 s0 = _mm512_setzero_ps();
	__m512 s1 = _mm512_setzero_ps();
	__m512 s2 = _mm512_setzero_ps();
	__m512 s3 = _mm512_setzero_ps();
	std::size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		s0 = Term::add(s0, Source::load(a + i), Source::load(b + i));
		s1 = Term::add(s1, Source::load(a + i + 16), Source::load(b + i + 16));
		s2 = Term::add(s2, Source::load(a + i + 32), Source::load(b + i + 32));
		s3 = Term::add(s3, Source::load(a + i + 48), Source::load(b + i + 48));
	}
	for (; i + 16 <= n; i += 16) {
		s0 = Term::add(s0, Source::load(a + i), Source::load(b + i));
	}
	if (i < n) {
		s1 = Term::add(s1, Source::load_tail(a + i, n - i), Source::load_tail(b + i, n - i));
	}
	const __m512 s[4] = {s0, s1, s2, s3};
	return sum_of(s);
}

// Dot product and both squared norms in one pass: twelve accumulators (three sums x four
// chains) and the loaded vectors fit the 32 ZMM registers.
template <typename Source, typename T>
RUVECTOR_KERNEL_TARGET inline cosine_parts cosine_terms(const T* a, const T* b, std::size_t n)
{
	__m512 dot[4];
	__m512 na[4];
	__m512 nb[4];
	for (int k = 0; k < 4; k++) {
		dot[k] = _mm512_setzero_ps();
		na[k] = _mm512_setzero_ps();
		nb[k] = _mm512_setzero_ps();
	}
	std::size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		for (int k = 0; k < 4; k++) {
			const __m512 x = Source::load(a + i + 16 * k);
			const __m512 y = Source::load(b + i + 16 * k);
			dot[k] = _mm512_fmadd_ps(x, y, dot[k]);
			na[k] = _mm512_fmadd_ps(x, x, na[k]);
			nb[k] = _mm512_fmadd_ps(y, y, nb[k]);
		}
	}
	for (; i + 16 <= n; i += 16) {
		const __m512 x = Source::load(a + i);
		const __m512 y = Source::load(b + i);
		dot[0] = _mm512_fmadd_ps(x, y, dot[0]);
		na[0] = _mm512_fmadd_ps(x, x, na[0]);
		nb[0] = _mm512_fmadd_ps(y, y, nb[0]);
	}
	if (i < n) {
		const __m512 x = Source::load_tail(a + i, n - i);
		const __m512 y = Source::load_tail(b + i, n - i);
		dot[1] = _mm512_fmadd_ps(x, y, dot[1]);
		na[1] = _mm512_fmadd_ps(x, x, na[1]);
		nb[1] = _mm512_fmadd_ps(y, y, nb[1]);
	}
	return cosine_parts{sum_of(dot), sum_of(na), sum_of(nb)};
}

} // namespace

} // namespace ruvector
