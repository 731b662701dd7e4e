/*
 * relation_extend: new pages for an index build, with the file grown in few
 * large steps in PGlite (see relation_extend.h).
 */
extern "C" {
#include "postgres.h"

#include <unistd.h>

#include "catalog/pg_tablespace_d.h"
#include "utils/rel.h"
}

#include "relation_extend.h"

/* Smallest step of a RelationGrowth past its estimate: steps grow with the relation (a quarter of it) */
#define RELATION_GROWTH_MIN_STEP 16

#ifdef __PGLITE__
/*
 * The path of the relation's file, where setting its length directly is sound:
 * a plain relation of the default tablespace whose first segment holds
 * `blocks`. PGlite exports no smgr call that extends by many blocks.
 */
static bool GrowablePath(Relation index, BlockNumber blocks, char* path, size_t size)
{
	const RelFileLocator* locator = &index->rd_locator;

	if (locator->spcOid != DEFAULTTABLESPACE_OID || RelationUsesLocalBuffers(index) || blocks > RELSEG_SIZE)
		return false;
	snprintf(path, size, "base/%u/%u", locator->dbOid, locator->relNumber);
	return true;
}
#endif

bool RelationGrowBy(Relation index, BlockNumber first, BlockNumber count)
{
#ifdef __PGLITE__
	char path[MAXPGPATH];

	if ((uint64) first + count > RELSEG_SIZE || !GrowablePath(index, first + count, path, sizeof(path)) ||
	    RelationGetNumberOfBlocks(index) != first)
		return false;
	return truncate(path, (off_t) (first + count) * BLCKSZ) == 0 && RelationGetNumberOfBlocks(index) == first + count;
#else
	(void) index;
	(void) first;
	(void) count;
	return false;
#endif
}

Buffer RelationGrownBuffer(Relation index, BlockNumber blkno, bool grown)
{
	if (grown)
		return ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_ZERO_AND_LOCK, NULL);

	Buffer buf = ReadBufferExtended(index, MAIN_FORKNUM, P_NEW, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	Assert(BufferGetBlockNumber(buf) == blkno);
	return buf;
}

void RelationGrowthInit(RelationGrowth* growth, Relation index, BlockNumber estimate)
{
	growth->index = index;
	growth->next = RelationGetNumberOfBlocks(index);
	growth->grownTo = growth->next;
	growth->estimate = estimate;
	growth->canGrow = true;
}

Buffer RelationGrowthNewBuffer(RelationGrowth* growth)
{
	if (growth->next == growth->grownTo && growth->canGrow) {
		/* Up to the estimate, or (past it) by a step in proportion to the relation */
		BlockNumber step = growth->estimate > growth->next ? growth->estimate - growth->next : 0;

		step = Max(step, Max(growth->next / 4, RELATION_GROWTH_MIN_STEP));
		if (RelationGrowBy(growth->index, growth->next, step))
			growth->grownTo = growth->next + step;
		else
			growth->canGrow = false;
	}
	Buffer buf = RelationGrownBuffer(growth->index, growth->next, growth->next < growth->grownTo);
	growth->next++;
	return buf;
}

void RelationGrowthFinish(RelationGrowth* growth)
{
	if (growth->grownTo == growth->next)
		return;
#ifdef __PGLITE__
	/* No buffer holds the blocks given back: pages are handed out in order and these never were */
	char path[MAXPGPATH];

	if (!GrowablePath(growth->index, growth->next, path, sizeof(path)) ||
	    truncate(path, (off_t) growth->next * BLCKSZ) != 0 || RelationGetNumberOfBlocks(growth->index) != growth->next)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not give back unused blocks of index \"%s\"",
		                                                  RelationGetRelationName(growth->index))));
#endif
	growth->grownTo = growth->next;
}
