// What this CPU can run, and the choice among a kernel family's per-level tables.
//
// The float32, f16 and bit kernels each keep their own tables (one per level built into
// this binary); the capability checks and the way a level picks a table live here, once.
// Nothing here runs at load time and there are no function-local statics, so it works
// inside a PGlite side module.
#pragma once

#include "ruvector/kernels.hpp"

#include <cstddef>
#include <cstdint>

namespace ruvector {

// An instruction set a family's AVX2 kernels use beyond AVX2 and FMA.
enum class cpu_extra : std::uint8_t { none, f16c, popcnt };

// Whether this CPU and OS can run the kernels of `level` plus `extra`, checked at run time.
// avx2: AVX2 and FMA in the CPU and YMM state saved by the OS (always false off x86).
// serial: always. wasm_simd128: when built for it (SIMD128 is part of the build target, so
// a module that loaded can run it). avx512 and neon: never (not written yet).
bool cpu_can_run(simd_level level, cpu_extra extra = cpu_extra::none);

// The table for `level` among a family's `tables`, or nullptr when the family has none for
// that level in this binary or this CPU cannot run it.
template <typename Table, std::size_t N>
const Table* table_for_level(const Table (&tables)[N], simd_level level, cpu_extra extra)
{
	for (const Table& table : tables) {
		if (table.level == level) {
			return cpu_can_run(level, extra) ? &table : nullptr;
		}
	}
	return nullptr;
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

// A family that follows the float32 kernels: install its table for active_kernels.level
// (which honours RUVECTOR_SIMD), else for the best level this CPU runs, else `tables[0]`,
// which must be the family's serial table.
template <typename Table, std::size_t N>
void install_following_f32(Table& active, const Table (&tables)[N], cpu_extra extra)
{
	if (install_table(active, table_for_level(tables, active_kernels.level, extra)) ||
	    install_table(active, table_for_level(tables, detect_simd_level(), extra))) {
		return;
	}
	active = tables[0];
}

} // namespace ruvector
