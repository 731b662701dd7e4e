/*
 * Module entry: the magic block, load-time setup, and functions that describe
 * the build rather than any one type.
 */
extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
}

#include "core_bridge.h"
#include "hnsw.h"
#include "ivf.h"
#include "ruvector/kernels.hpp"

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
PG_FUNCTION_INFO_V1(ruvector_simd_level);
}

/* Once per process, before any query runs: kernels, core's hooks, options and settings */
void _PG_init(void)
{
	ruvector::select_kernels_from_environment();
	CoreBridgeInit();
	HnswInit();
	IvfflatInit();
	FlatInit();
}

/* Which kernel family this process uses: serial, avx2, ... or wasm_simd128 in PGlite */
Datum ruvector_simd_level(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(ruvector::simd_level_name(ruvector::active_kernels.level)));
}
