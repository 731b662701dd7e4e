/*
 * build_memory.cpp: the memory an index build may take.
 *
 * Include after postgres.h.
 */
#pragma once

/*
 * Bytes the build of one index may hold at once: maintenance_work_mem, and in
 * PGlite no more than BuildHeapHeadroom().
 */
Size BuildMemoryLimit(void);

/*
 * PGlite: bytes the WebAssembly heap can still grow by, less a reserve for the
 * rest of the statement and the session. Natively: SIZE_MAX.
 */
Size BuildHeapHeadroom(void);
