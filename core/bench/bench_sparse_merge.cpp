// Does a SIMD merge of sorted indices earn a place next to the scalar sparse kernels?
// ns per pair of sparse vectors for the sparse dot product (the merge that decides every
// sparse metric) at 30, 100 and 300 non-zeros, with indices drawn from a 30522-word
// vocabulary (BERT's, as SPLADE uses), once with the overlap random vectors have and once
// with half of the indices shared:
//   sparse_dot/serial         the library's two-pointer merge (sparse_serial.cpp)
//   sparse_dot/branchless     the same merge with both pointers advanced by comparisons
//   sparse_dot/avx2_blocks    8 x 8 blocks of indices compared in 8 rotations (VPCMPEQD),
//                             matching values multiplied under the match mask, then the
//                             block with the smaller last index is left; a scalar merge
//                             finishes. The candidate a SIMD kernel would be.
// docs/PERFORMANCE.md states the result and the decision.
#include "ruvector/sparse.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>

namespace sparse_merge_bench {

namespace {

using ruvector::sparse_view;

constexpr int vocabulary = 30522;
// Enough pairs that the branch predictor cannot learn the merge paths of the whole cycle.
constexpr std::size_t pair_count = 512;

struct sparse_vector {
	std::vector<std::int32_t> indices;
	std::vector<float> values;
	sparse_view view() const
	{
		return sparse_view{indices.data(), values.data(), indices.size()};
	}
};

// Sorted distinct indices; `shared` of them copied from `like` when given.
sparse_vector make_vector(std::mt19937& gen, std::size_t nnz, const sparse_vector* like, std::size_t shared)
{
	std::vector<std::int32_t> picked;
	if (like != nullptr) {
		std::vector<std::int32_t> pool = like->indices;
		std::shuffle(pool.begin(), pool.end(), gen);
		picked.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(shared));
	}
	std::uniform_int_distribution<int> index(0, vocabulary - 1);
	while (picked.size() < nnz) {
		const std::int32_t candidate = index(gen);
		if (std::find(picked.begin(), picked.end(), candidate) == picked.end()) {
			picked.push_back(candidate);
		}
	}
	std::sort(picked.begin(), picked.end());
	sparse_vector v;
	v.indices = picked;
	std::uniform_real_distribution<float> value(0.01F, 2.0F);
	for (std::size_t i = 0; i < nnz; i++) {
		v.values.push_back(value(gen));
	}
	return v;
}

float dot_branchless(sparse_view a, sparse_view b)
{
	float sum = 0.0F;
	std::size_t i = 0;
	std::size_t j = 0;
	while (i < a.nnz && j < b.nnz) {
		const std::int32_t x = a.indices[i];
		const std::int32_t y = b.indices[j];
		sum += x == y ? a.values[i] * b.values[j] : 0.0F;
		i += static_cast<std::size_t>(x <= y);
		j += static_cast<std::size_t>(y <= x);
	}
	return sum;
}

#define SPARSE_BENCH_TARGET __attribute__((target("avx2,fma")))

SPARSE_BENCH_TARGET float dot_avx2_blocks(sparse_view a, sparse_view b)
{
	// Rotating lanes by r: lane k takes lane (k + r) % 8.
	__m256 sums = _mm256_setzero_ps();
	std::size_t i = 0;
	std::size_t j = 0;
	while (i + 8 <= a.nnz && j + 8 <= b.nnz) {
		const __m256i ia = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.indices + i));
		__m256i ib = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.indices + j));
		const __m256 va = _mm256_loadu_ps(a.values + i);
		__m256 vb = _mm256_loadu_ps(b.values + j);
		const __m256i rotate = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0);
		for (int r = 0; r < 8; r++) {
			const __m256 match = _mm256_castsi256_ps(_mm256_cmpeq_epi32(ia, ib));
			sums = _mm256_add_ps(sums, _mm256_and_ps(match, _mm256_mul_ps(va, vb)));
			ib = _mm256_permutevar8x32_epi32(ib, rotate);
			vb = _mm256_permutevar8x32_ps(vb, rotate);
		}
		const std::int32_t last_a = a.indices[i + 7];
		const std::int32_t last_b = b.indices[j + 7];
		i += last_a <= last_b ? 8 : 0;
		j += last_b <= last_a ? 8 : 0;
	}
	__m128 half = _mm_add_ps(_mm256_castps256_ps128(sums), _mm256_extractf128_ps(sums, 1));
	half = _mm_add_ps(half, _mm_movehl_ps(half, half));
	half = _mm_add_ss(half, _mm_movehdup_ps(half));
	const sparse_view rest_a{a.indices + i, a.values + i, a.nnz - i};
	const sparse_view rest_b{b.indices + j, b.values + j, b.nnz - j};
	return _mm_cvtss_f32(half) + ruvector::dot_sparse(rest_a, rest_b);
}

template <float (*Dot)(sparse_view, sparse_view)>
void run(benchmark::State& state, std::size_t nnz, std::size_t shared)
{
	std::mt19937 gen(static_cast<unsigned>(nnz * 7 + shared));
	std::vector<sparse_vector> a;
	std::vector<sparse_vector> b;
	for (std::size_t k = 0; k < pair_count; k++) {
		a.push_back(make_vector(gen, nnz, nullptr, 0));
		b.push_back(make_vector(gen, nnz, &a.back(), shared));
	}
	for (std::size_t k = 0; k < pair_count; k++) {
		const float expected = ruvector::dot_sparse(a[k].view(), b[k].view());
		const float got = Dot(a[k].view(), b[k].view());
		if (got < expected * 0.999F - 1e-6F || got > expected * 1.001F + 1e-6F) {
			state.SkipWithError("differs from the serial merge");
			return;
		}
	}
	std::size_t k = 0;
	for (auto _ : state) {
		benchmark::DoNotOptimize(Dot(a[k].view(), b[k].view()));
		k = k + 1 == pair_count ? 0 : k + 1;
	}
}

} // namespace

// Registered from bench_kernels.cpp's main on x86-64 CPUs with AVX2.
void register_benchmarks()
{
	for (const std::size_t nnz : {std::size_t{30}, std::size_t{100}, std::size_t{300}}) {
		for (const bool half_shared : {false, true}) {
			const std::size_t shared = half_shared ? nnz / 2 : 0;
			const std::string suffix = std::string(half_shared ? "_half_shared/" : "_random/") + std::to_string(nnz);
			benchmark::RegisterBenchmark(("sparse_dot/serial" + suffix).c_str(), [nnz, shared](benchmark::State& s) {
				run<ruvector::dot_sparse>(s, nnz, shared);
			});
			benchmark::RegisterBenchmark(("sparse_dot/branchless" + suffix).c_str(),
			                             [nnz, shared](benchmark::State& s) { run<dot_branchless>(s, nnz, shared); });
			benchmark::RegisterBenchmark(("sparse_dot/avx2_blocks" + suffix).c_str(),
			                             [nnz, shared](benchmark::State& s) { run<dot_avx2_blocks>(s, nnz, shared); });
		}
	}
}

} // namespace sparse_merge_bench

#endif // __x86_64__
