/*
 * flat_cache: a backend's own copy of a flat index's entries, for scans.
 *
 * A flat scan reads every page of the index, and in PGlite pinning, locking
 * and releasing thousands of buffers per query costs a large share of the scan
 * (docs/PERFORMANCE.md). So a backend may copy the entries once: the vectors
 * (or codes with their terms) back to back in one array, the heap TIDs in
 * another. Scans then run the distance kernels over the array.
 *
 * Validity: the meta page counts every insert and every VACUUM that removed
 * rows (IvfCountChange, after the change), so a copy labelled with the count
 * read before copying is current exactly while the count is unchanged. A scan
 * reads the count when it starts, and takes its candidates from the copy at
 * once, as a page walk would from the pages.
 *
 * When: as hnsw's graph copies (index_copy_registry.h): on the second scan that
 * finds the index unchanged, and only while all copies fit in
 * ruvector.flat_cache_size (on in PGlite, off natively by default); otherwise
 * scans walk the pages.
 */
extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include "index_copy_registry.h"
#include "ivf.h"

static int flat_cache_size_kb;

extern "C" {
PG_FUNCTION_INFO_V1(ruvector_flat_cached_rows);
}

struct FlatCopy {
	MemoryContext ctx; /* owns this struct and its arrays */
	Size bytes;
	uint32 count;
	Size stride; /* bytes of one entry's terms and code */
	char* data;  /* count * stride */
	ItemPointerData* tids;
};

/* Scans take their candidates from a copy before they return, so no scan holds one when it goes */
static void ReleaseCopy(void* copy)
{
	MemoryContextDelete(((FlatCopy*) copy)->ctx);
}

static IndexCopyRegistry flatCopies = {&flat_cache_size_kb, ReleaseCopy, {}, 0, false};

/*
 * Copy the list's entries, first page to last. The arrays are sized for full
 * pages of every block the index has (an upper bound); natively, pages appended
 * after that are left out, and the copy is stale by the next scan anyway. Runs
 * in the caller's context until done, so an error frees everything with it.
 */
static FlatCopy* CopyEntries(Relation index, const IvfIndexInfo* info, const IvfMetaPageData* meta)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	Size perPage = IVF_PAGE_CAPACITY / info->entrySize;
	Size stride = info->entrySize - offsetof(IvfEntryData, data);
	Size capacity = (Size) nblocks * perPage;
	Size bytes = sizeof(FlatCopy) + capacity * (stride + sizeof(ItemPointerData));

	if (!IndexCopyMakeRoom(&flatCopies, bytes))
		return NULL;

	MemoryContext ctx = AllocSetContextCreate(CurrentMemoryContext, "Flat index copy", ALLOCSET_DEFAULT_SIZES);
	FlatCopy* copy = (FlatCopy*) MemoryContextAllocZero(ctx, sizeof(FlatCopy));
	copy->ctx = ctx;
	copy->bytes = bytes;
	copy->stride = stride;
	copy->data = (char*) MemoryContextAllocHuge(ctx, Max(capacity * stride, 1));
	copy->tids = (ItemPointerData*) MemoryContextAllocHuge(ctx, sizeof(ItemPointerData) * Max(capacity, 1));

	BufferAccessStrategy strategy = GetAccessStrategy(BAS_BULKREAD);
	BlockNumber blkno = IvfListStart(index, meta, info, 0);
	BlockNumber walked = 0;
	Size count = 0;
	while (BlockNumberIsValid(blkno)) {
		if (blkno >= nblocks || ++walked > nblocks) {
			/* Grown since it was sized (natively), or a damaged chain, which the page walk reports */
			MemoryContextDelete(ctx);
			FreeAccessStrategy(strategy);
			return NULL;
		}
		Buffer buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, strategy);

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		int entries = IvfPageEntryCount(page, info->entrySize);
		for (int i = 0; i < entries && count < capacity; i++, count++) {
			IvfEntry entry = IvfPageEntry(page, info->entrySize, i);

			copy->tids[count] = entry->heaptid;
			memcpy(copy->data + count * stride, entry->data, stride);
		}
		blkno = IvfPageGetOpaque(page)->nextblkno;
		UnlockReleaseBuffer(buf);
		CHECK_FOR_INTERRUPTS();
	}
	FreeAccessStrategy(strategy);
	copy->count = (uint32) count;
	MemoryContextSetParent(ctx, TopMemoryContext);
	return copy;
}

const FlatCopy* FlatCacheAcquire(Relation index, const IvfIndexInfo* info, const IvfMetaPageData* meta, bool newScan)
{
	if (flat_cache_size_kb == 0 || !info->flat)
		return NULL;

	IndexCopySlot* slot = IndexCopyLookup(&flatCopies, index, meta->changeCount);

	if (newScan && IndexCopyDue(slot)) {
		FlatCopy* copy = CopyEntries(index, info, meta);

		IndexCopyKeep(slot, copy, copy != NULL ? copy->bytes : 0);
	}
	return (const FlatCopy*) slot->copy;
}

uint32 FlatCopyCount(const FlatCopy* copy)
{
	return copy->count;
}

const char* FlatCopyData(const FlatCopy* copy, uint32 i)
{
	return copy->data + (Size) i * copy->stride;
}

Size FlatCopyStride(const FlatCopy* copy)
{
	return copy->stride;
}

const ItemPointerData* FlatCopyTid(const FlatCopy* copy, uint32 i)
{
	return &copy->tids[i];
}

void FlatCacheDefineSettings(void)
{
	IndexCopyDefineBudget("ruvector.flat_cache_size",
	                      "Sets the memory a backend may use for copies of flat indexes that its scans read",
	                      &flat_cache_size_kb);
}

/* Rows in this backend's copy of a flat index, NULL when it has none (for tests and curious users) */
Datum ruvector_flat_cached_rows(PG_FUNCTION_ARGS)
{
	const FlatCopy* copy = (const FlatCopy*) IndexCopyFind(&flatCopies, PG_GETARG_OID(0));

	if (copy == NULL)
		PG_RETURN_NULL();
	PG_RETURN_INT64(copy->count);
}
