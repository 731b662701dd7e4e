/*
 * ivf_check: the flat/ivfflat walk of ruvector_index_check. Every list of the
 * directory is followed page by page: each page must be a data page inside the
 * index that no other list (and no earlier page of the same list) holds, with a
 * whole number of entries, each with a valid heap TID; the directory's insert page
 * must be the list's last page (the two change in one WAL record).
 */
extern "C" {
#include "postgres.h"

#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"
}

#include "index_check.h"
#include "ivf.h"

[[noreturn]] static void Corrupted(Relation index, BlockNumber blkno, const char* what)
{
	ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
	                errmsg("index \"%s\" is corrupted: %s at block %u", RelationGetRelationName(index), what, blkno),
	                errhint("REINDEX the index.")));
	pg_unreachable();
}

/* One list's chain of pages; marks each page in `owned` */
static void CheckList(Relation index, const IvfIndexInfo* info, BlockNumber firstDataPage, BlockNumber nblocks,
                      bool* owned, BlockNumber startPage, BlockNumber insertPage, IndexCheckReport* report)
{
	BlockNumber last = InvalidBlockNumber;

	for (BlockNumber blkno = startPage; BlockNumberIsValid(blkno);) {
		CHECK_FOR_INTERRUPTS();
		if (blkno < firstDataPage || blkno >= nblocks)
			Corrupted(index, blkno, "a list linking to a block that is not a data page");
		if (owned[blkno])
			Corrupted(index, blkno, "a list that loops or shares a page with another list");
		owned[blkno] = true;

		Buffer buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		PageHeader header = (PageHeader) page;
		if (header->pd_special != BLCKSZ - MAXALIGN(sizeof(IvfPageOpaqueData)) ||
		    IvfPageGetOpaque(page)->page_id != IVF_PAGE_ID)
			Corrupted(index, blkno, "a list page that is not a flat/ivfflat data page");
		if (header->pd_lower < MAXALIGN(SizeOfPageHeaderData) ||
		    (header->pd_lower - MAXALIGN(SizeOfPageHeaderData)) % info->entrySize != 0)
			Corrupted(index, blkno, "a data page holding a partial entry");

		int count = IvfPageEntryCount(page, info->entrySize);
		for (int i = 0; i < count; i++) {
			if (!ItemPointerIsValid(&IvfPageEntry(page, info->entrySize, i)->heaptid))
				Corrupted(index, blkno, "an entry with an invalid heap TID");
		}
		report->elements += count;
		report->heapTids += count;
		last = blkno;
		blkno = IvfPageGetOpaque(page)->nextblkno;
		UnlockReleaseBuffer(buf);
	}
	if (last != insertPage)
		Corrupted(index, BlockNumberIsValid(last) ? last : insertPage,
		          "a list whose directory entry does not name its last page");
}

void IvfCheckIndex(Relation index, IndexCheckReport* report)
{
	IvfMetaPageData meta;
	IvfIndexInfo info;

	IvfLoadIndexInfo(&info, index, &meta);
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	if (meta.lists < IVFFLAT_MIN_LISTS || meta.lists > IVFFLAT_MAX_LISTS || (!meta.hasCentroids && meta.lists != 1))
		Corrupted(index, IVF_METAPAGE_BLKNO, "a meta page with an impossible list count");

	BlockNumber lastDirectoryPage;
	Size offset;
	IvfListLocation(&meta, &info, (int) meta.lists - 1, &lastDirectoryPage, &offset);
	if (meta.directoryStart <= IVF_METAPAGE_BLKNO || lastDirectoryPage >= nblocks)
		Corrupted(index, IVF_METAPAGE_BLKNO, "a meta page whose list directory lies outside the index");

	bool* owned = (bool*) palloc0(sizeof(bool) * nblocks);
	for (int list = 0; list < (int) meta.lists; list++) {
		BlockNumber blkno;
		IvfListLocation(&meta, &info, list, &blkno, &offset);
		Buffer buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		IvfList entry = (IvfList) ((char*) BufferGetPage(buf) + offset);
		BlockNumber startPage = entry->startPage;
		BlockNumber insertPage = entry->insertPage;
		UnlockReleaseBuffer(buf);

		CheckList(index, &info, lastDirectoryPage + 1, nblocks, owned, startPage, insertPage, report);
	}
	pfree(owned);
	report->pages = nblocks;
	report->links = meta.lists;
}
