// Plain loops compiled in their own translation units with -O3 -march=native, as the
// yardstick for the hand-written kernels. Same signatures as the kernels.
#pragma once

#include "ruvector/kernels.hpp"

namespace baseline_plain {
float l2sq(const float* a, const float* b, std::size_t n);
float dot(const float* a, const float* b, std::size_t n);
float l1(const float* a, const float* b, std::size_t n);
ruvector::cosine_parts cosine(const float* a, const float* b, std::size_t n);
// Reads nothing and returns 0: the cost of one call through the benchmark's loop and a
// function pointer, which every ns/pair figure includes.
float call_only(const float* a, const float* b, std::size_t n);
} // namespace baseline_plain

// The same loops with the reassociation flags pgvector compiles with.
namespace baseline_assoc {
float l2sq(const float* a, const float* b, std::size_t n);
float dot(const float* a, const float* b, std::size_t n);
float l1(const float* a, const float* b, std::size_t n);
ruvector::cosine_parts cosine(const float* a, const float* b, std::size_t n);
} // namespace baseline_assoc
