// The rule every kernel family uses to follow the float32 level (cpu.hpp), on a family of
// stand-in tables: the best table at or below active_kernels.level that this CPU runs.
#include "ruvector/cpu.hpp"

#include <gtest/gtest.h>

namespace {

using ruvector::cpu_extra;
using ruvector::simd_level;

struct fake_table {
	simd_level level;
	cpu_extra needs;
	int id;
};

// What the real families list on this architecture: serial, two x86 levels (the top one
// needing an extension), or NEON without and with the dot-product extension.
constexpr fake_table tables[] = {
    {simd_level::serial, cpu_extra::none, 0},        {simd_level::avx2, cpu_extra::none, 1},
    {simd_level::avx512, cpu_extra::avx512_vnni, 2}, {simd_level::neon, cpu_extra::none, 3},
    {simd_level::neon, cpu_extra::neon_dotprod, 4},
};

// The id the rule should pick, worked out from cpu_can_run directly.
int expected_id(simd_level cap)
{
	int id = 0;
	for (const fake_table& t : tables) {
		if (t.level <= cap && ruvector::cpu_can_run(t.level, t.needs)) {
			id = t.id;
		}
	}
	return id;
}

TEST(FollowF32, PicksBestRunnableTableAtOrBelowTheF32Level)
{
	const ruvector::kernel_table saved = ruvector::active_kernels;
	for (const simd_level level :
	     {simd_level::serial, simd_level::avx2, simd_level::avx512, simd_level::neon, simd_level::wasm_simd128}) {
		ruvector::active_kernels.level = level;
		fake_table active{simd_level::serial, cpu_extra::none, -1};
		ruvector::install_following_f32(active, tables);
		EXPECT_EQ(active.id, expected_id(level)) << ruvector::simd_level_name(level);
		EXPECT_LE(active.level, level);
	}
	// Forced to serial, every family is serial.
	ruvector::active_kernels.level = simd_level::serial;
	fake_table active{simd_level::avx2, cpu_extra::none, -1};
	ruvector::install_following_f32(active, tables);
	EXPECT_EQ(active.id, 0);
	ruvector::active_kernels = saved;
}

TEST(FollowF32, TableForLevelPrefersTheExtendedTableWhenItRuns)
{
	const fake_table* neon = ruvector::table_for_level(tables, simd_level::neon);
	if (!ruvector::cpu_can_run(simd_level::neon)) {
		EXPECT_EQ(neon, nullptr);
	} else {
		ASSERT_NE(neon, nullptr);
		EXPECT_EQ(neon->id, ruvector::cpu_can_run(simd_level::neon, cpu_extra::neon_dotprod) ? 4 : 3);
	}
	const fake_table* avx512 = ruvector::table_for_level(tables, simd_level::avx512);
	EXPECT_EQ(avx512 != nullptr, ruvector::cpu_can_run(simd_level::avx512, cpu_extra::avx512_vnni));
	EXPECT_EQ(ruvector::table_for_level(tables, static_cast<simd_level>(200)), nullptr);
}

TEST(CpuCanRun, SerialAlwaysAndExtensionsOnlyOnTheirLevel)
{
	EXPECT_TRUE(ruvector::cpu_can_run(simd_level::serial));
	EXPECT_FALSE(ruvector::cpu_can_run(simd_level::serial, cpu_extra::avx512_vnni));
	EXPECT_FALSE(ruvector::cpu_can_run(simd_level::avx2, cpu_extra::avx512_vnni));
	EXPECT_FALSE(ruvector::cpu_can_run(simd_level::avx2, cpu_extra::neon_dotprod));
	EXPECT_FALSE(ruvector::cpu_can_run(simd_level::neon, cpu_extra::f16c));
	// A level implies the ones below it on the same architecture.
	if (ruvector::cpu_can_run(simd_level::avx512)) {
		EXPECT_TRUE(ruvector::cpu_can_run(simd_level::avx2));
	}
}

} // namespace
