/*
 * hnsw_vacuum: drop the heap TIDs of dead rows from the elements. An element
 * left without rows is marked deleted; it keeps routing searches (its links
 * stay valid), and scans pass it over.
 */
extern "C" {
#include "postgres.h"

#include "commands/vacuum.h"
#include "storage/lmgr.h"
#include "utils/rel.h"
}

#include "hnsw.h"
#include "pg_compat.h"

/* Remove the dead heap TIDs from one page's elements; true when the page changed */
static bool VacuumPage(Page page, IndexBulkDeleteCallback callback, void* callbackState,
					   IndexBulkDeleteResult* stats)
{
	bool changed = false;

	for (OffsetNumber offno = FirstOffsetNumber; offno <= PageGetMaxOffsetNumber(page);
		 offno = OffsetNumberNext(offno)) {
		HnswElementTuple element = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, offno));
		int kept = 0;

		if (element->type != HNSW_ELEMENT_TUPLE_TYPE || element->deleted)
			continue;
		for (int i = 0; i < element->heaptidCount; i++) {
			if (callback(&element->heaptids[i], callbackState))
				stats->tuples_removed++;
			else
				element->heaptids[kept++] = element->heaptids[i];
		}
		if (kept == element->heaptidCount) {
			stats->num_index_tuples += kept;
			continue;
		}
		for (int i = kept; i < element->heaptidCount; i++)
			ItemPointerSetInvalid(&element->heaptids[i]);
		element->heaptidCount = kept;
		element->deleted = kept == 0;
		stats->num_index_tuples += kept;
		changed = true;
	}
	return changed;
}

IndexBulkDeleteResult* hnswbulkdelete(IndexVacuumInfo* info, IndexBulkDeleteResult* stats,
									  IndexBulkDeleteCallback callback, void* callback_state)
{
	Relation index = info->index;

	if (stats == NULL)
		stats = (IndexBulkDeleteResult*) palloc0(sizeof(IndexBulkDeleteResult));
	stats->num_index_tuples = 0;

	/* Inserts wait: they may be linking to an element this pass changes */
	LockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++) {
		VacuumDelayPoint();

		Buffer buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, info->strategy);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		GenericXLogState* xlog = GenericXLogStart(index);
		Page page = GenericXLogRegisterBuffer(xlog, buf, 0);

		if (VacuumPage(page, callback, callback_state, stats))
			GenericXLogFinish(xlog);
		else
			GenericXLogAbort(xlog);
		UnlockReleaseBuffer(buf);
	}
	UnlockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);

	stats->num_pages = nblocks;
	return stats;
}

IndexBulkDeleteResult* hnswvacuumcleanup(IndexVacuumInfo* info, IndexBulkDeleteResult* stats)
{
	if (info->analyze_only)
		return stats;

	/* No bulkdelete pass (nothing to delete): report the size only */
	if (stats == NULL) {
		stats = (IndexBulkDeleteResult*) palloc0(sizeof(IndexBulkDeleteResult));
		stats->num_index_tuples = info->num_heap_tuples;
		stats->estimated_count = info->estimated_count;
	}
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	return stats;
}
