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
 * When: as hnsw's graph copies (hnsw_cache.cpp): on the second scan that finds
 * the index unchanged, and only while all copies fit in ruvector.flat_cache_size
 * (on in PGlite, off natively by default); otherwise scans walk the pages.
 */
extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include "ivf.h"
#include "pg_compat.h"

static int flat_cache_size_kb;

extern "C" {
PG_FUNCTION_INFO_V1(ruvector_flat_cached_rows);
}

/* Scans that must see an index unchanged before it is copied */
#define FLAT_CACHE_WARMUP_SCANS 2
/* Indexes remembered per backend (copied or only seen) */
#define FLAT_CACHE_ENTRIES 8

struct FlatCopy {
	MemoryContext ctx; /* owns this struct and its arrays */
	Size bytes;
	uint32 count;
	Size stride; /* bytes of one entry's terms and code */
	char* data;  /* count * stride */
	ItemPointerData* tids;
};

/* What a backend knows of one index: the last change count seen, how often, and the copy */
typedef struct FlatCacheEntry {
	Oid indexOid;
	RelFileNumber relNumber; /* a new one after TRUNCATE or REINDEX */
	uint64 changeCount;
	int scansSeen;
	uint64 lastUse;
	FlatCopy* copy; /* NULL until copied */
} FlatCacheEntry;

static FlatCacheEntry cacheEntries[FLAT_CACHE_ENTRIES];
static uint64 cacheClock;
static bool cacheCallbackRegistered;

/* Scans take their candidates from a copy before they return, so no scan holds one when it goes */
static void ForgetEntry(FlatCacheEntry* entry)
{
	if (entry->copy != NULL)
		MemoryContextDelete(entry->copy->ctx);
	memset(entry, 0, sizeof(*entry));
}

/* A dropped or rebuilt index: its copy is of no more use */
static void InvalidateRelation(Datum arg, Oid relid)
{
	for (int i = 0; i < FLAT_CACHE_ENTRIES; i++) {
		FlatCacheEntry* entry = &cacheEntries[i];

		if (entry->indexOid != InvalidOid && (relid == InvalidOid || entry->indexOid == relid))
			ForgetEntry(entry);
	}
}

static void DropCopy(FlatCacheEntry* entry)
{
	if (entry->copy != NULL)
		MemoryContextDelete(entry->copy->ctx);
	entry->copy = NULL;
}

static Size CopiedBytes(void)
{
	Size total = 0;

	for (int i = 0; i < FLAT_CACHE_ENTRIES; i++)
		if (cacheEntries[i].copy != NULL)
			total += cacheEntries[i].copy->bytes;
	return total;
}

/* Drop the least recently used copies until `needed` more bytes fit the budget; false if they cannot */
static bool MakeRoom(Size needed, const FlatCacheEntry* keep)
{
	Size budget = (Size) flat_cache_size_kb * 1024;
	Size kept = keep != NULL && keep->copy != NULL ? keep->copy->bytes : 0;

	if (needed + kept > budget)
		return false;
	while (CopiedBytes() + needed > budget) {
		FlatCacheEntry* victim = NULL;

		for (int i = 0; i < FLAT_CACHE_ENTRIES; i++) {
			FlatCacheEntry* entry = &cacheEntries[i];

			if (entry != keep && entry->copy != NULL && (victim == NULL || entry->lastUse < victim->lastUse))
				victim = entry;
		}
		if (victim == NULL)
			return false;
		DropCopy(victim);
	}
	return true;
}

static FlatCacheEntry* FindEntry(Relation index)
{
	FlatCacheEntry* slot = NULL;

	for (int i = 0; i < FLAT_CACHE_ENTRIES; i++) {
		FlatCacheEntry* entry = &cacheEntries[i];

		if (entry->indexOid == RelationGetRelid(index))
			return entry;
		if (slot == NULL || entry->lastUse < slot->lastUse)
			slot = entry;
	}
	ForgetEntry(slot);
	slot->indexOid = RelationGetRelid(index);
	return slot;
}

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

	if (!MakeRoom(bytes, NULL))
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

const FlatCopy* FlatCacheAcquire(Relation index, const IvfIndexInfo* info, const IvfMetaPageData* meta)
{
	if (flat_cache_size_kb == 0 || !info->flat)
		return NULL;
	if (!cacheCallbackRegistered) {
		CacheRegisterRelcacheCallback(InvalidateRelation, (Datum) 0);
		cacheCallbackRegistered = true;
	}

	FlatCacheEntry* entry = FindEntry(index);
	RelFileNumber relNumber = RelationGetRelFileNumber(index);

	entry->lastUse = ++cacheClock;
	if (entry->relNumber != relNumber || entry->changeCount != meta->changeCount) {
		DropCopy(entry);
		entry->relNumber = relNumber;
		entry->changeCount = meta->changeCount;
		entry->scansSeen = 0;
	}
	/* The budget may have shrunk since the copy was made */
	if (entry->copy != NULL && !MakeRoom(0, entry))
		DropCopy(entry);
	if (entry->copy == NULL && ++entry->scansSeen == FLAT_CACHE_WARMUP_SCANS)
		entry->copy = CopyEntries(index, info, meta);
	return entry->copy;
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
	/* As ruvector.hnsw_cache_size: PGlite's one backend pays most for buffers; a server has many backends */
#ifdef __wasm__
	int defaultKb = 256 * 1024;
#else
	int defaultKb = 0;
#endif

	DefineCustomIntVariable("ruvector.flat_cache_size",
	                        "Sets the memory a backend may use for copies of flat indexes that its scans read",
	                        "0 turns the copies off.", &flat_cache_size_kb, defaultKb, 0, MAX_KILOBYTES, PGC_USERSET,
	                        GUC_UNIT_KB, NULL, NULL, NULL);
}

/* Rows in this backend's copy of a flat index, NULL when it has none (for tests and curious users) */
Datum ruvector_flat_cached_rows(PG_FUNCTION_ARGS)
{
	Oid indexOid = PG_GETARG_OID(0);

	for (int i = 0; i < FLAT_CACHE_ENTRIES; i++) {
		const FlatCacheEntry* entry = &cacheEntries[i];

		if (entry->indexOid == indexOid && entry->copy != NULL)
			PG_RETURN_INT64(entry->copy->count);
	}
	PG_RETURN_NULL();
}
