// What this CPU can run, and the choice among a kernel family's per-level tables.
//
// The float32, f16, int8 and bit kernels each keep their own tables (one per level built into
// this binary); the capability checks and the way a level picks a table live here, once.
// Nothing here runs at load time and there are no function-local statics, so it works
// inside a PGlite side module.
#pragma once

#include "ruvector/kernels.hpp"

#include <cstddef>
#include <cstdint>

namespace ruvector {

// Whether this CPU and OS can run the kernels of `level` plus `extra`, checked at run time.
// Baselines: avx2 = AVX2 + FMA with YMM state saved by the OS; avx512 = that plus AVX-512
// F, BW and VL with opmask and ZMM state saved (XCR0 bits 5-7); neon = Advanced SIMD, part
// of every AArch64 CPU; serial = always; wasm_simd128 = when built for it (SIMD128 is part
// of the build target, so a module that loaded can run it). Levels not built into this
// binary are never runnable.
bool cpu_can_run(simd_level level, cpu_extra extra = cpu_extra::none);

// The table for `level` among a family's `tables` that this CPU runs (the last listed when
// there are two, e.g. one needing an extension), or nullptr when there is none.
template <typename Table, std::size_t N>
const Table* table_for_level(const Table (&tables)[N], simd_level level)
{
	const Table* found = nullptr;
	for (const Table& table : tables) {
		if (table.level == level && cpu_can_run(level, table.needs)) {
			found = &table;
		}
	}
	return found;
}

// Copy `table` into `active`; returns false (and changes nothing) when it is nullptr.
template <typename Table>
bool install_table(Table& active, const Table* table)
{
	if (table == nullptr) {
		return false;
	}
	active = *table;
	return true;
}

// A family that follows the float32 kernels installs the last of its `tables` whose level
// is at most active_kernels.level (which honours RUVECTOR_SIMD) and that this CPU runs:
// forcing f32 down to avx2 forces every family down with it, and a family with no table at
// the f32 level (or whose table needs an extension this CPU lacks) takes the best one below.
// `tables` are listed serial first, in increasing level order; serial always runs.
template <typename Table, std::size_t N>
void install_following_f32(Table& active, const Table (&tables)[N])
{
	for (const Table& table : tables) {
		if (table.level <= active_kernels.level && cpu_can_run(table.level, table.needs)) {
			active = table;
		}
	}
}

} // namespace ruvector
