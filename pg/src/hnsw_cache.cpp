/*
 * hnsw_cache: a backend's own copy of a whole graph, for scans.
 *
 * A scan on pages pins and share-locks a buffer for every element it measures
 * and every neighbour list it reads. In PGlite (one backend, PostgreSQL in
 * WebAssembly) that bookkeeping costs far more than the distance itself. So a
 * backend may copy an index's graph into its own memory once: vectors (or a
 * quantized index's codes) side by side, links as element numbers, heap TIDs. Scans then walk plain arrays.
 *
 * Validity: every write of the meta page bumps its change count (inserts,
 * vacuum, build), so a scan compares the count it reads under the scan lock
 * with the copy's. Vacuum bumps it before it lets the heap reuse a removed TID,
 * and waits for running scans (scan lock) before freeing elements, so a copy
 * that was valid when a scan began stays safe for that scan.
 *
 * When: a copy is made on the second scan that finds the index unchanged, so
 * workloads that change the index between queries keep scanning pages instead
 * of copying the graph again and again; and only while the copies of all
 * indexes fit in ruvector.hnsw_cache_size (on in PGlite, off natively by
 * default: a server has many backends and a cheap buffer manager). Sparse
 * vectors are not copied: each has its own size.
 */
extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include "hnsw.h"
#include "hnsw_check.h"
#include "index_copy_registry.h"

int hnsw_cache_size_kb;

extern "C" {
PG_FUNCTION_INFO_V1(ruvector_hnsw_cached_elements);
}

struct HnswGraphCache {
	MemoryContext ctx; /* owns this struct and its arrays */
	int pins;          /* scans using it */
	Size bytes;
	uint32 count; /* elements */
	uint32 stride;
	int m;
	uint32 entry;
	int entryLevel;
	char* vectors;     /* count * stride */
	uint8* levels;     /* per element */
	uint32* linkStart; /* per element: first slot in links (level 0 first, as on the pages) */
	uint32* links;     /* element numbers, HNSW_CACHE_NO_LINK for an empty slot */
	uint32* tidStart;  /* count + 1: element i's heap TIDs are heapTids[tidStart[i] .. tidStart[i+1]) */
	ItemPointerData* heapTids;
};

/*
 * A copy no longer current. Scans live within a transaction, so one still in
 * use goes with the transaction (a scan that errored out never unpins).
 */
static void ReleaseCopy(void* copy)
{
	HnswGraphCache* cache = (HnswGraphCache*) copy;

	if (cache->pins > 0 && TopTransactionContext != NULL)
		MemoryContextSetParent(cache->ctx, TopTransactionContext);
	else
		MemoryContextDelete(cache->ctx);
}

static IndexCopyRegistry graphCopies = {&hnsw_cache_size_kb, ReleaseCopy, {}, 0, false};

static Page ReadPage(Relation index, BlockNumber blkno, BufferAccessStrategy strategy, Buffer* buf)
{
	*buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, strategy);
	LockBuffer(*buf, BUFFER_LOCK_SHARE);
	return BufferGetPage(*buf);
}

/*
 * A used item of a data page, checked as every walk checks what it reads
 * (hnsw_check.h); NULL for an unused slot. Every neighbour list has at least
 * level 0's slots.
 */
static char* CheckedItem(Relation index, const HnswTypeInfo* info, int m, Page page, BlockNumber blkno,
                         OffsetNumber offno)
{
	ItemPointerData tid;
	Size length;

	if (!ItemIdIsUsed(PageGetItemId(page, offno)))
		return NULL;
	ItemPointerSet(&tid, blkno, offno);
	char* item = HnswCheckedTuple(index, page, &tid, &length);
	if (item[0] == HNSW_NEIGHBOR_TUPLE_TYPE)
		HnswCheckNeighbors(index, &tid, (HnswNeighborTuple) item, length, 0, m);
	else
		HnswCheckElement(index, &tid, (HnswElementTuple) item, length, info);
	return item;
}

/* Whether an element holds its neighbour list (hnsw.h), checked by CheckedItem then */
static bool HoldsList(HnswElementTuple element, BlockNumber blkno, OffsetNumber offno)
{
	return ItemPointerGetBlockNumberNoCheck(&element->neighbortid) == blkno &&
	       ItemPointerGetOffsetNumberNoCheck(&element->neighbortid) == offno;
}

/*
 * Copy the graph: pass 1 sizes the arrays, pass 2 copies elements and the raw
 * neighbour lists, then links are turned from TIDs into element numbers. Items
 * are numbered across pages (pageItems[blkno] + offno - 1) so a TID finds its
 * element without a hash table. Runs in the caller's context until done, so an
 * error frees everything with it.
 */
static HnswGraphCache* CopyGraph(Relation index, const HnswTypeInfo* info, const HnswMetaPageData* meta)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	BufferAccessStrategy strategy = GetAccessStrategy(BAS_BULKREAD);
	uint32* pageItems = (uint32*) palloc(sizeof(uint32) * (nblocks + 1));
	uint32 elements = 0, heapTidTotal = 0, linkTotal = 0, rawLinkTotal = 0;
	int m = meta->m;

	pageItems[0] = 0;
	pageItems[HNSW_METAPAGE_BLKNO + 1] = 0;
	for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++) {
		Buffer buf;
		Page page = ReadPage(index, blkno, strategy, &buf);
		OffsetNumber maxoff = PageGetMaxOffsetNumber(page);

		for (OffsetNumber offno = FirstOffsetNumber; offno <= maxoff; offno++) {
			char* item = CheckedItem(index, info, m, page, blkno, offno);

			if (item == NULL)
				continue;
			if (item[0] == HNSW_ELEMENT_TUPLE_TYPE) {
				HnswElementTuple element = (HnswElementTuple) item;

				elements++;
				heapTidTotal += element->deleted == HNSW_ELEMENT_LIVE ? element->heaptidCount : 0;
				linkTotal += HNSW_NEIGHBOR_SLOTS(element->level, m);
				if (HoldsList(element, blkno, offno))
					rawLinkTotal += HnswTupleNeighbors(info, item)->count;
			} else if (item[0] == HNSW_NEIGHBOR_TUPLE_TYPE)
				rawLinkTotal += ((HnswNeighborTuple) item)->count;
		}
		pageItems[blkno + 1] = pageItems[blkno] + maxoff;
		UnlockReleaseBuffer(buf);
	}

	uint32 items = pageItems[nblocks];
	Size bytes = sizeof(HnswGraphCache) + (Size) elements * (info->codec.bytes + 1 + 2 * sizeof(uint32)) +
	             sizeof(uint32) + (Size) linkTotal * sizeof(uint32) + (Size) heapTidTotal * sizeof(ItemPointerData);
	if (!IndexCopyMakeRoom(&graphCopies, bytes))
		return NULL;

	MemoryContext ctx = AllocSetContextCreate(CurrentMemoryContext, "Hnsw graph cache", ALLOCSET_DEFAULT_SIZES);
	HnswGraphCache* cache = (HnswGraphCache*) MemoryContextAllocZero(ctx, sizeof(HnswGraphCache));
	cache->ctx = ctx;
	cache->bytes = bytes;
	cache->m = m;
	cache->stride = info->codec.bytes;
	cache->vectors = (char*) MemoryContextAllocHuge(ctx, Max((Size) elements * cache->stride, 1));
	cache->levels = (uint8*) MemoryContextAlloc(ctx, Max(elements, 1));
	cache->linkStart = (uint32*) MemoryContextAlloc(ctx, sizeof(uint32) * Max(elements, 1));
	cache->links = (uint32*) MemoryContextAllocHuge(ctx, sizeof(uint32) * Max(linkTotal, 1));
	cache->tidStart = (uint32*) MemoryContextAlloc(ctx, sizeof(uint32) * (elements + 1));
	cache->heapTids = (ItemPointerData*) MemoryContextAllocHuge(ctx, sizeof(ItemPointerData) * Max(heapTidTotal, 1));

	/* Temporary: item number -> element number or raw-list start, and each element's neighbour tuple */
	uint32* itemMap = (uint32*) palloc(sizeof(uint32) * Max(items, 1));
	uint32* rawStart = (uint32*) palloc(sizeof(uint32) * Max(items, 1));
	bool* itemIsElement = (bool*) palloc0(Max(items, 1));
	HnswLink* rawLinks = (HnswLink*) palloc(sizeof(HnswLink) * Max(rawLinkTotal, 1));
	uint16* rawCounts = (uint16*) palloc0(sizeof(uint16) * Max(items, 1));
	ItemPointerData* neighborTids = (ItemPointerData*) palloc(sizeof(ItemPointerData) * Max(elements, 1));
	uint32 e = 0, rawUsed = 0, linkUsed = 0;

	/* Pass 1's sizes no longer fit (natively, an insert changed a page in between): no copy this time */
	bool changed = false;

	cache->tidStart[0] = 0;
	for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks && !changed; blkno++) {
		Buffer buf;
		Page page = ReadPage(index, blkno, strategy, &buf);
		/* The index may have grown between the passes (natively): keep to what pass 1 saw */
		OffsetNumber maxoff = Min(PageGetMaxOffsetNumber(page), pageItems[blkno + 1] - pageItems[blkno]);

		for (OffsetNumber offno = FirstOffsetNumber; offno <= maxoff; offno++) {
			char* item = CheckedItem(index, info, m, page, blkno, offno);
			uint32 itemNo = pageItems[blkno] + offno - 1;

			if (item == NULL)
				continue;
			if (item[0] == HNSW_ELEMENT_TUPLE_TYPE) {
				HnswElementTuple element = (HnswElementTuple) item;
				int tidCount = element->deleted == HNSW_ELEMENT_LIVE ? element->heaptidCount : 0;
				uint32 slots = HNSW_NEIGHBOR_SLOTS(element->level, m);

				if (e == elements || cache->tidStart[e] + tidCount > heapTidTotal || linkUsed + slots > linkTotal) {
					changed = true;
					break;
				}
				memcpy(cache->vectors + (Size) e * cache->stride, HnswElementData(element), cache->stride);
				cache->levels[e] = element->level;
				memcpy(&cache->heapTids[cache->tidStart[e]], element->heaptids, sizeof(ItemPointerData) * tidCount);
				cache->tidStart[e + 1] = cache->tidStart[e] + tidCount;
				cache->linkStart[e] = linkUsed;
				linkUsed += slots;
				neighborTids[e] = element->neighbortid;
				itemMap[itemNo] = e++;
				itemIsElement[itemNo] = true;
			}
			/* A neighbour list: a tuple of its own, or inside its element */
			bool isList = item[0] == HNSW_NEIGHBOR_TUPLE_TYPE || HoldsList((HnswElementTuple) item, blkno, offno);
			if (isList) {
				HnswNeighborTuple neighbors = HnswTupleNeighbors(info, item);

				if (rawUsed + neighbors->count > rawLinkTotal) {
					changed = true;
					break;
				}
				memcpy(&rawLinks[rawUsed], neighbors->links, sizeof(HnswLink) * neighbors->count);
				rawStart[itemNo] = rawUsed;
				rawCounts[itemNo] = neighbors->count;
				rawUsed += neighbors->count;
			}
		}
		UnlockReleaseBuffer(buf);
		CHECK_FOR_INTERRUPTS();
	}
	if (changed) {
		MemoryContextDelete(ctx);
		return NULL;
	}
	cache->count = e;

	/* Item number of a TID, or -1 when it points outside what was read */
	auto itemOf = [&](const ItemPointerData* tid) -> int64 {
		BlockNumber blkno = ItemPointerGetBlockNumberNoCheck(tid);
		OffsetNumber offno = ItemPointerGetOffsetNumberNoCheck(tid);

		if (!ItemPointerIsValid(tid) || blkno <= HNSW_METAPAGE_BLKNO || blkno >= nblocks || offno < FirstOffsetNumber ||
		    offno > pageItems[blkno + 1] - pageItems[blkno])
			return -1;
		return (int64) pageItems[blkno] + offno - 1;
	};

	for (uint32 i = 0; i < cache->count; i++) {
		uint32* slots = &cache->links[cache->linkStart[i]];
		uint32 slotCount = HNSW_NEIGHBOR_SLOTS(cache->levels[i], m);
		int64 listItem = itemOf(&neighborTids[i]);

		for (uint32 s = 0; s < slotCount; s++)
			slots[s] = HNSW_CACHE_NO_LINK;
		/* A list written after pass 1 read its page (natively) is left empty: the copy is then stale anyway */
		if (listItem < 0 || rawCounts[listItem] < slotCount)
			continue;
		for (uint32 s = 0; s < slotCount; s++) {
			ItemPointerData link;
			HnswLinkToTid(rawLinks[rawStart[listItem] + s], &link);
			int64 target = itemOf(&link);

			if (target >= 0 && itemIsElement[target])
				slots[s] = itemMap[target];
		}
	}

	ItemPointerData entryTid;
	ItemPointerSet(&entryTid, meta->entryBlkno, meta->entryOffno);
	int64 entryItem = itemOf(&entryTid);
	if (entryItem < 0 || !itemIsElement[entryItem]) {
		MemoryContextDelete(ctx);
		return NULL;
	}
	cache->entry = itemMap[entryItem];
	cache->entryLevel = cache->levels[cache->entry];

	pfree(itemMap);
	pfree(rawStart);
	pfree(itemIsElement);
	pfree(rawLinks);
	pfree(rawCounts);
	pfree(neighborTids);
	pfree(pageItems);
	FreeAccessStrategy(strategy);
	MemoryContextSetParent(ctx, TopMemoryContext);
	return cache;
}

HnswGraphCache* HnswCacheAcquire(Relation index, const HnswTypeInfo* info, const HnswMetaPageData* meta)
{
	/* Copies hold vectors side by side at one stride: sparse vectors, each its own size, stay on the pages */
	if (hnsw_cache_size_kb == 0 || !BlockNumberIsValid(meta->entryBlkno) || info->space.variable_size())
		return NULL;

	IndexCopySlot* slot = IndexCopyLookup(&graphCopies, index, meta->changeCount);

	if (IndexCopyDue(slot)) {
		HnswGraphCache* copy = CopyGraph(index, info, meta);

		IndexCopyKeep(slot, copy, copy != NULL ? copy->bytes : 0);
	}
	HnswGraphCache* cache = (HnswGraphCache*) slot->copy;
	if (cache == NULL)
		return NULL;
	cache->pins++;
	return cache;
}

void HnswCacheRelease(HnswGraphCache* cache)
{
	cache->pins--;
}

HnswCachedGraph::HnswCachedGraph(const HnswGraphCache* cache, const HnswTypeInfo* info) : cache_(cache), info_(info)
{
	visited_.reserve(cache->count);
}

uint64 HnswCachedGraph::EntryId() const
{
	return cache_->entry;
}

int HnswCachedGraph::EntryLevel() const
{
	return cache_->entryLevel;
}

float HnswCachedGraph::distance_to_query(uint64 id)
{
	return HnswQueryDistance(info_, &query_, cache_->vectors + (Size) id * cache_->stride);
}

float HnswCachedGraph::LowerBound(uint64 id)
{
	return HnswQueryLowerBound(info_, &query_, cache_->vectors + (Size) id * cache_->stride);
}

int HnswCachedGraph::ReadHeapTids(uint64 id, ItemPointerData* tids)
{
	uint32 first = cache_->tidStart[id];
	int count = (int) (cache_->tidStart[id + 1] - first);

	memcpy(tids, &cache_->heapTids[first], sizeof(ItemPointerData) * count);
	return count;
}

const uint32* HnswCachedGraph::Links(uint64 id, int level, uint32* count) const
{
	*count = level <= cache_->levels[id] ? ruvector::hnsw_level_capacity(cache_->m, level) : 0;
	return &cache_->links[cache_->linkStart[id] + HnswLevelFirstSlot(level, cache_->m)];
}

void HnswCacheDefineSettings(void)
{
	IndexCopyDefineBudget("ruvector.hnsw_cache_size",
	                      "Sets the memory a backend may use for copies of hnsw graphs that its scans walk",
	                      &hnsw_cache_size_kb);
}

/* Elements in this backend's copy of an index's graph, NULL when it has none (for tests and curious users) */
Datum ruvector_hnsw_cached_elements(PG_FUNCTION_ARGS)
{
	const HnswGraphCache* cache = (const HnswGraphCache*) IndexCopyFind(&graphCopies, PG_GETARG_OID(0));

	if (cache == NULL)
		PG_RETURN_NULL();
	PG_RETURN_INT64(cache->count);
}
