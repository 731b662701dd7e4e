// Compiled with -O3 -march=native plus pgvector's -fassociative-math family (see
// CMakeLists.txt), which lets the compiler vectorise the sums.
#include "baseline.hpp"

#include <cmath>

namespace baseline_assoc {
#include "baseline_loops.inc"
} // namespace baseline_assoc
