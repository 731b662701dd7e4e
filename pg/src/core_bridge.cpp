/*
 * core_bridge: core allocates through hooks (ruvector/memory.hpp). Here they are
 * palloc in the memory context current at the call, so an ERROR that longjmps
 * over core's frames leaks nothing: the context is reset or deleted with its
 * statement. Interrupt checks let a long build or scan be cancelled.
 */
extern "C" {
#include "postgres.h"

#include "miscadmin.h"
#include "utils/memutils.h"
}

#include "core_bridge.h"
#include "ruvector/memory.hpp"

static void* PgAllocate(std::size_t bytes)
{
	/* Huge: a build's vector storage can pass palloc's 1 GB limit */
	return MemoryContextAllocHuge(CurrentMemoryContext, bytes);
}

static void PgDeallocate(void* pointer)
{
	if (pointer != NULL)
		pfree(pointer);
}

static void PgCheckInterrupts()
{
	CHECK_FOR_INTERRUPTS();
}

void CoreBridgeInit(void)
{
	ruvector::set_host_hooks({PgAllocate, PgDeallocate, PgCheckInterrupts});
}
