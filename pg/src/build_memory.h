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

/*
 * BuildMemoryLimit(), and in PGlite also memory the heap holds unused (an
 * earlier statement's), found by asking malloc: for a build that takes its
 * memory bit by bit and goes on on disk when it reaches the limit (hnsw).
 */
Size BuildMemoryLimitReusingHeap(void);
