/*
 * build_memory: the memory an index build may take.
 *
 * Natively that is maintenance_work_mem. In PGlite the whole server lives in one
 * WebAssembly heap that grows in 64 KiB pages up to 2 GB and never shrinks. A
 * build that allocated until memory.grow failed would end with "out of memory"
 * only after taking the last of it, so builds there also stay within what the
 * heap can still grow by, keeping a reserve. Memory the heap already holds but
 * no longer uses is not counted: PGlite exports no allocator statistics, so the
 * figure errs on the safe side after an earlier statement grew the heap.
 */
extern "C" {
#include "postgres.h"

#include "miscadmin.h"
}

#include <cstdint>

#include "build_memory.h"

#ifdef __PGLITE__
/* PGlite's memory: at most 32768 pages of 64 KiB */
static constexpr uint64 PgliteHeapMaxBytes = UINT64CONST(2) * 1024 * 1024 * 1024;
static constexpr uint64 WasmPageBytes = 65536;
/* Left for the rest of the statement (writing the index out) and the statements after it */
static constexpr uint64 PgliteHeapReserveBytes = UINT64CONST(64) * 1024 * 1024;
#endif

Size BuildHeapHeadroom(void)
{
#ifdef __PGLITE__
	uint64 used = (uint64) __builtin_wasm_memory_size(0) * WasmPageBytes;

	if (used + PgliteHeapReserveBytes >= PgliteHeapMaxBytes)
		return 0;
	return (Size) (PgliteHeapMaxBytes - used - PgliteHeapReserveBytes);
#else
	return SIZE_MAX;
#endif
}

Size BuildMemoryLimit(void)
{
	return Min((Size) maintenance_work_mem * 1024, BuildHeapHeadroom());
}
