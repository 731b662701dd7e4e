/*
 * ivf_vacuum: VACUUM over flat and ivfflat indexes. Every data page (all pages
 * after the list directory) drops the entries of deleted rows, filling each hole
 * with the page's last entry, so entries stay packed for the scan. Pages stay in
 * their lists; appends go on at each list's last page.
 */
extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "commands/vacuum.h"
#include "utils/rel.h"
}

#include "ivf.h"
#include "pg_compat.h"

/* First data page: after the meta page, codebook and directory */
static BlockNumber FirstDataPage(const IvfMetaPageData* meta, const IvfIndexInfo* info)
{
	int perPage = (int) (IVF_PAGE_CAPACITY / info->listSize);

	return meta->directoryStart + (info->lists + perPage - 1) / perPage;
}

/* Remove the entries the callback says are dead from one page; returns how many */
static int VacuumPage(Relation index, Buffer buf, Size entrySize, IndexBulkDeleteCallback callback, void* callbackState,
                      double* remaining)
{
	Page page = BufferGetPage(buf);
	int count = IvfPageEntryCount(page, entrySize);
	int dead = 0;

	for (int i = 0; i < count; i++)
		if (callback(&IvfPageEntry(page, entrySize, i)->heaptid, callbackState))
			dead++;
	*remaining += count - dead;
	if (dead == 0)
		return 0;

	GenericXLogState* xlog = GenericXLogStart(index);
	page = GenericXLogRegisterBuffer(xlog, buf, 0);
	for (int i = 0; i < count;) {
		IvfEntry entry = IvfPageEntry(page, entrySize, i);

		if (callback(&entry->heaptid, callbackState)) {
			count--;
			if (i < count)
				memcpy(entry, IvfPageEntry(page, entrySize, count), entrySize);
		} else
			i++;
	}
	((PageHeader) page)->pd_lower = MAXALIGN(SizeOfPageHeaderData) + (Size) count * entrySize;
	GenericXLogFinish(xlog);
	return dead;
}

IndexBulkDeleteResult* ivfbulkdelete(IndexVacuumInfo* info, IndexBulkDeleteResult* stats,
                                     IndexBulkDeleteCallback callback, void* callback_state)
{
	Relation index = info->index;
	IvfMetaPageData meta;
	IvfIndexInfo indexInfo;
	BufferAccessStrategy strategy = info->strategy;
	double remaining = 0;

	if (stats == NULL)
		stats = (IndexBulkDeleteResult*) palloc0(sizeof(IndexBulkDeleteResult));
	double removedBefore = stats->tuples_removed;

	IvfLoadIndexInfo(&indexInfo, index, &meta);
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	for (BlockNumber blkno = FirstDataPage(&meta, &indexInfo); blkno < nblocks; blkno++) {
		VacuumDelayPoint();
		Buffer buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, strategy);

		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		stats->tuples_removed += VacuumPage(index, buf, indexInfo.entrySize, callback, callback_state, &remaining);
		UnlockReleaseBuffer(buf);
	}
	/* Before the heap may reuse the removed rows' TIDs, which only happens after this returns */
	if (indexInfo.flat && stats->tuples_removed > removedBefore)
		IvfCountChange(index);
	stats->num_index_tuples = remaining;
	stats->num_pages = nblocks;
	return stats;
}

/* After bulk deletion (or instead of it, when nothing was deleted): count what is left */
IndexBulkDeleteResult* ivfvacuumcleanup(IndexVacuumInfo* info, IndexBulkDeleteResult* stats)
{
	Relation index = info->index;

	if (info->analyze_only)
		return stats;
	if (stats != NULL)
		return stats;

	IvfMetaPageData meta;
	IvfIndexInfo indexInfo;
	double count = 0;

	stats = (IndexBulkDeleteResult*) palloc0(sizeof(IndexBulkDeleteResult));
	IvfLoadIndexInfo(&indexInfo, index, &meta);
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	for (BlockNumber blkno = FirstDataPage(&meta, &indexInfo); blkno < nblocks; blkno++) {
		Buffer buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, info->strategy);

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		count += IvfPageEntryCount(BufferGetPage(buf), indexInfo.entrySize);
		UnlockReleaseBuffer(buf);
	}
	stats->num_index_tuples = count;
	stats->num_pages = nblocks;
	return stats;
}
