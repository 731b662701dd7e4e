// Compiled with -O3 -march=native only (see CMakeLists.txt): strict float semantics,
// so the compiler may not reorder the sums.
#include "baseline.hpp"

#include <cmath>

namespace baseline_plain {
#include "baseline_loops.inc"
} // namespace baseline_plain
