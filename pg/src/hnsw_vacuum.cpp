/*
 * hnsw_vacuum: drop the heap TIDs of dead rows, then take the elements left
 * without rows out of the graph, so the index does not grow without bound under
 * delete and insert:
 *   1. remove dead heap TIDs; an element with none left becomes deleted
 *      (scans skip it, it still routes their walks);
 *   2. relink every live element that points at a deleted one: its new list is
 *      chosen by the neighbour heuristic from its live links and the live
 *      elements reachable through the deleted ones;
 *   3. move the entry point off a deleted element;
 *   4. wait for scans that may still stand on deleted elements, then mark them
 *      free for inserts to reuse.
 *
 * Inserts go on meanwhile (pgvector's scheme, on our serialised inserts). An
 * insert holds the update lock for its whole run and never links to a deleted
 * element (hnsw_insert.cpp): it skips them as neighbours and, in a list it
 * rewrites, keeps a deleted link rather than a live one (vacuum replaces it
 * with the live elements behind it); one that finds no live element becomes
 * the entry point. So once every insert that may have seen an element live before
 * pass 1 deleted it is over, no new link to a deleted element appears:
 *   - pass 1 needs no update lock (page locks order it with an insert's reads);
 *   - pass 2 first waits for the inserts that began in pass 1, then relinks one
 *     page at a time under the update lock, reading the lists and writing them
 *     back in one hold, so no insert's change in between is overwritten;
 *   - pass 3 reads and writes the meta page in one hold (inserts change it);
 *     after it no insert can reach a deleted element, so the elements can be
 *     freed page by page while inserts run, once scans have moved on.
 */
extern "C" {
#include "postgres.h"

#include "commands/vacuum.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include "hnsw.h"
#include "hnsw_check.h"
#include "pg_compat.h"

typedef struct HnswVacuumState {
	Relation index;
	IndexBulkDeleteResult* stats;
	IndexBulkDeleteCallback callback;
	void* callbackState;
	BufferAccessStrategy strategy;
	int m;
	HnswTypeInfo typeInfo;
	HnswIdSet deleted;
	/*
	 * The live element of the highest level pass 2 saw: the entry point if the
	 * old one goes. Pass 2, not pass 1: an element inserted during pass 1 on a
	 * page it had passed may be the only live one left
	 */
	ItemPointerData highestTid;
	int highestLevel;
	BlockNumber freedPage; /* the first page pass 4 freed elements on */
	MemoryContext tmpCtx;
} HnswVacuumState;

typedef bool (*HnswPageVisitor)(HnswVacuumState* state, Page page, BlockNumber blkno);

/* Run a visitor over every data page under an exclusive lock, logging the pages it changed */
static void ForEachPage(HnswVacuumState* state, HnswPageVisitor visit)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(state->index);

	for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++) {
		VacuumDelayPoint();

		Buffer buf = ReadBufferExtended(state->index, MAIN_FORKNUM, blkno, RBM_NORMAL, state->strategy);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		GenericXLogState* xlog = GenericXLogStart(state->index);
		Page page = GenericXLogRegisterBuffer(xlog, buf, 0);

		if (visit(state, page, blkno))
			GenericXLogFinish(xlog);
		else
			GenericXLogAbort(xlog);
		UnlockReleaseBuffer(buf);
	}
}

/* The element at offno, checked before vacuum follows or rewrites it; NULL for a neighbour tuple */
static HnswElementTuple PageElement(HnswVacuumState* state, Page page, BlockNumber blkno, OffsetNumber offno)
{
	ItemPointerData tid;
	Size length;

	ItemPointerSet(&tid, blkno, offno);
	char* tuple = HnswCheckedTuple(state->index, page, &tid, &length);
	if (*(uint8*) tuple != HNSW_ELEMENT_TUPLE_TYPE)
		return NULL;
	HnswCheckElement(state->index, &tid, (HnswElementTuple) tuple, length, &state->typeInfo);
	return (HnswElementTuple) tuple;
}

/* Pass 1: remove dead heap TIDs, collect the deleted elements */
static bool RemoveHeapTids(HnswVacuumState* state, Page page, BlockNumber blkno)
{
	bool changed = false;

	for (OffsetNumber offno = FirstOffsetNumber; offno <= PageGetMaxOffsetNumber(page);
	     offno = OffsetNumberNext(offno)) {
		HnswElementTuple element = PageElement(state, page, blkno, offno);
		ItemPointerData tid;
		int kept = 0;

		if (element == NULL || element->deleted == HNSW_ELEMENT_FREE)
			continue;
		ItemPointerSet(&tid, blkno, offno);
		if (element->deleted == HNSW_ELEMENT_DELETED) {
			HnswIdSetAdd(&state->deleted, HnswTidToId(&tid));
			continue;
		}

		for (int i = 0; i < element->heaptidCount; i++) {
			if (state->callback(&element->heaptids[i], state->callbackState))
				state->stats->tuples_removed++;
			else
				element->heaptids[kept++] = element->heaptids[i];
		}
		state->stats->num_index_tuples += kept;
		if (kept != element->heaptidCount) {
			for (int i = kept; i < element->heaptidCount; i++)
				ItemPointerSetInvalid(&element->heaptids[i]);
			element->heaptidCount = kept;
			changed = true;
		}
		if (kept == 0) {
			element->deleted = HNSW_ELEMENT_DELETED;
			HnswIdSetAdd(&state->deleted, HnswTidToId(&tid));
		}
	}
	return changed;
}

/*
 * New links for `node` on one level without the deleted elements: its live links
 * plus the live elements found by walking through deleted ones, chosen by the
 * neighbour heuristic. Returns the number written to kept.
 */
static int RelinkLevel(HnswVacuumState* state, HnswPageGraph* graph, uint64 node, const void* vector, int level,
                       ruvector::hnsw_candidate* kept)
{
	int m = state->m;
	int capacity = (int) ruvector::hnsw_level_capacity(m, level);
	/*
	 * Two lists' worth of candidates is enough for the heuristic to choose from:
	 * the walk stops there. Bounding it by candidates, not by deleted elements
	 * walked, matters: with an eighth of the elements deleted, a deleted
	 * element links to about four others, so a walk through deleted ones
	 * reaches far and would gather thousands of candidates for every list.
	 * Where nearly all are deleted, the walk goes on until it has them or
	 * nothing is left to walk: elements inserted after the rows around them
	 * were deleted (also while this vacuum runs) must find each other, or only
	 * the one that becomes the entry point stays reachable.
	 */
	int pool = 2 * capacity;
	ruvector::candidate_list candidates;
	HnswIdSet seen;
	int queueSize = capacity + 1;
	uint64* queue = (uint64*) palloc(sizeof(uint64) * queueSize);
	int queueHead = 0;
	int queueTail = 0;
	ItemPointerData links[2 * HNSW_MAX_M];

	HnswIdSetInit(&seen);
	HnswIdSetAdd(&seen, node);
	queue[queueTail++] = node;
	while (queueHead < queueTail && (int) candidates.size() < pool) {
		int count = graph->ReadNeighbors(queue[queueHead++], level, links);

		for (int i = 0; i < count; i++) {
			uint64 id = HnswTidToId(&links[i]);

			if (HnswIdSetContains(&seen, id))
				continue;
			HnswIdSetAdd(&seen, id);
			if (!HnswIdSetContains(&state->deleted, id)) {
				candidates.push_back({graph->DistanceFrom(vector, id), id});
				continue;
			}
			if (queueTail == queueSize) {
				queueSize *= 2;
				queue = (uint64*) repalloc(queue, sizeof(uint64) * queueSize);
			}
			queue[queueTail++] = id;
		}
	}

	ruvector::sort_candidates(candidates.data(), candidates.size());
	return (int) HnswSelectNeighbors(graph, &state->typeInfo, candidates.data(), candidates.size(), capacity, kept,
	                                 true);
}

/* New links for one level of one element, computed before the page is locked for writing */
typedef struct HnswRelink {
	ItemPointerData neighborTid;
	int level;
	int count;
	ItemPointerData links[2 * HNSW_MAX_M];
} HnswRelink;

/* Write one level's new links into a neighbour tuple on a page locked for writing */
static void WriteRelink(Page page, const HnswRelink* relink, int m, const HnswTypeInfo* info)
{
	HnswNeighborTuple neighbors = HnswTupleNeighbors(
	    info, (char*) PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumber(&relink->neighborTid))));
	int first = HnswLevelFirstSlot(relink->level, m);
	int capacity = (int) ruvector::hnsw_level_capacity(m, relink->level);

	for (int i = 0; i < capacity; i++)
		neighbors->links[first + i] = i < relink->count ? HnswTidToLink(&relink->links[i]) : HNSW_NO_LINK;
}

/*
 * Pass 2: relink the live elements of a page that point at deleted ones. The new
 * lists are computed with the page unlocked (the walk reads pages, this one too),
 * then written under one exclusive lock. The caller holds the update lock
 * throughout and scans do not write, so the lists cannot change in between. The
 * graph remembers pins only (vacuum marks no node visited, so it keeps no list
 * locations): each read sees the pages as they are under this hold.
 */
static void RelinkPage(HnswVacuumState* state, HnswPageGraph* graph, BlockNumber blkno)
{
	int m = state->m;
	Buffer buf = ReadBufferExtended(state->index, MAIN_FORKNUM, blkno, RBM_NORMAL, state->strategy);
	void* vector = palloc(state->typeInfo.codec.comparableBytes);
	BlockNumber knownBlocks = RelationGetNumberOfBlocks(state->index);
	HnswRelink* relinks = NULL;
	int relinkCount = 0;
	int relinkCapacity = 0;

	for (OffsetNumber offno = FirstOffsetNumber;; offno = OffsetNumberNext(offno)) {
		/* Copy out one element's state under a share lock */
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		if (offno > PageGetMaxOffsetNumber(page)) {
			LockBuffer(buf, BUFFER_LOCK_UNLOCK);
			break;
		}
		HnswElementTuple element = PageElement(state, page, blkno, offno);
		if (element == NULL || element->deleted != HNSW_ELEMENT_LIVE) {
			LockBuffer(buf, BUFFER_LOCK_UNLOCK);
			continue;
		}
		if (element->level > state->highestLevel) {
			state->highestLevel = element->level;
			ItemPointerSet(&state->highestTid, blkno, offno);
		}
		/* The neighbour list is in the element, or in a tuple on a page of its own (the largest vectors) */
		ItemPointerData neighborTid = element->neighbortid;
		Buffer neighborBuf = InvalidBuffer;
		Page neighborPage = page;
		if (ItemPointerGetBlockNumber(&neighborTid) != blkno) {
			HnswCheckBlock(state->index, &knownBlocks, &neighborTid);
			neighborBuf = ReadBufferExtended(state->index, MAIN_FORKNUM, ItemPointerGetBlockNumber(&neighborTid),
			                                 RBM_NORMAL, state->strategy);
			LockBuffer(neighborBuf, BUFFER_LOCK_SHARE);
			neighborPage = BufferGetPage(neighborBuf);
		}
		Size neighborLength;
		char* listTuple = HnswCheckedTuple(state->index, neighborPage, &neighborTid, &neighborLength);
		HnswNeighborTuple neighbors = HnswCheckedNeighbors(state->index, &neighborTid, listTuple, neighborLength,
		                                                   element->level, m, &state->typeInfo);
		int elementLevel = element->level;
		bool levelsToRelink[ruvector::hnsw_max_level + 1];
		bool any = false;

		for (int level = 0; level <= elementLevel; level++) {
			int first = HnswLevelFirstSlot(level, m);
			int capacity = (int) ruvector::hnsw_level_capacity(m, level);

			levelsToRelink[level] = false;
			for (int i = 0; i < capacity && !levelsToRelink[level]; i++) {
				ItemPointerData link;

				levelsToRelink[level] = HnswLinkToTid(neighbors->links[first + i], &link) &&
				                        HnswIdSetContains(&state->deleted, HnswTidToId(&link));
			}
			any |= levelsToRelink[level];
		}
		if (any)
			HnswDecode(&state->typeInfo, HnswElementData(element), vector);
		if (BufferIsValid(neighborBuf))
			UnlockReleaseBuffer(neighborBuf);
		LockBuffer(buf, BUFFER_LOCK_UNLOCK);
		if (!any)
			continue;

		ItemPointerData tid;
		ItemPointerSet(&tid, blkno, offno);
		for (int level = 0; level <= elementLevel; level++) {
			if (!levelsToRelink[level])
				continue;
			if (relinkCount == relinkCapacity) {
				relinkCapacity = Max(16, relinkCapacity * 2);
				relinks = relinks == NULL ? (HnswRelink*) palloc(sizeof(HnswRelink) * relinkCapacity)
				                          : (HnswRelink*) repalloc(relinks, sizeof(HnswRelink) * relinkCapacity);
			}

			HnswRelink* relink = &relinks[relinkCount++];
			ruvector::hnsw_candidate kept[2 * HNSW_MAX_M];
			MemoryContext oldCtx = MemoryContextSwitchTo(state->tmpCtx);

			relink->neighborTid = neighborTid;
			relink->level = level;
			relink->count = RelinkLevel(state, graph, HnswTidToId(&tid), vector, level, kept);
			for (int i = 0; i < relink->count; i++)
				HnswIdToTid(kept[i].id, &relink->links[i]);
			MemoryContextSwitchTo(oldCtx);
			MemoryContextReset(state->tmpCtx);
		}
	}

	if (relinkCount > 0) {
		/* The lists on this page under one lock and one WAL record; any on pages of their own, one by one */
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		GenericXLogState* xlog = GenericXLogStart(state->index);
		Page page = GenericXLogRegisterBuffer(xlog, buf, 0);

		for (int r = 0; r < relinkCount; r++)
			if (ItemPointerGetBlockNumber(&relinks[r].neighborTid) == blkno)
				WriteRelink(page, &relinks[r], m, &state->typeInfo);
		GenericXLogFinish(xlog);
		LockBuffer(buf, BUFFER_LOCK_UNLOCK);

		for (int r = 0; r < relinkCount; r++) {
			if (ItemPointerGetBlockNumber(&relinks[r].neighborTid) == blkno)
				continue;
			Buffer neighborBuf =
			    ReadBufferExtended(state->index, MAIN_FORKNUM, ItemPointerGetBlockNumber(&relinks[r].neighborTid),
			                       RBM_NORMAL, state->strategy);
			LockBuffer(neighborBuf, BUFFER_LOCK_EXCLUSIVE);
			xlog = GenericXLogStart(state->index);
			WriteRelink(GenericXLogRegisterBuffer(xlog, neighborBuf, 0), &relinks[r], m, &state->typeInfo);
			GenericXLogFinish(xlog);
			UnlockReleaseBuffer(neighborBuf);
		}
		pfree(relinks);
	}
	ReleaseBuffer(buf);
	graph->ReleasePins();
	pfree(vector);
}

/*
 * Pass 4: deleted elements become free slots, for inserts to reuse at once. No
 * live element links to one (pass 2, and inserts add no such link), no insert
 * can reach one (pass 3 moved the entry point) and no scan stands on one (the
 * caller waited for them).
 */
static bool FreeDeleted(HnswVacuumState* state, Page page, BlockNumber blkno)
{
	bool changed = false;

	for (OffsetNumber offno = FirstOffsetNumber; offno <= PageGetMaxOffsetNumber(page);
	     offno = OffsetNumberNext(offno)) {
		HnswElementTuple element = PageElement(state, page, blkno, offno);

		if (element == NULL || element->deleted != HNSW_ELEMENT_DELETED)
			continue;
		element->deleted = HNSW_ELEMENT_FREE;
		if (!BlockNumberIsValid(state->freedPage))
			state->freedPage = blkno;
		changed = true;
	}
	return changed;
}

/*
 * Write vacuum's changes to the meta page, read again under the update lock:
 * inserts change it too (entry point, insert and free pages) while vacuum runs.
 * The entry point moves off a deleted element (to the live one of the highest
 * level pass 2 saw; one inserted since on a higher level is reached from below;
 * if pass 2 saw none, the first insert after it found no live element and became
 * the entry point, see HnswInsertVector); freedPage is the first page pass 4 freed elements on. Every write
 * bumps the change count backends' graph copies compare: they hold heap TIDs,
 * and a removed one must reach them before its heap slot is reused.
 */
static void UpdateMeta(HnswVacuumState* state, BlockNumber freedPage)
{
	HnswMetaPageData meta;
	ItemPointerData entryTid;

	LockPage(state->index, HNSW_UPDATE_LOCK, ExclusiveLock);
	HnswReadMeta(state->index, &meta);
	ItemPointerSet(&entryTid, meta.entryBlkno, meta.entryOffno);
	if (BlockNumberIsValid(meta.entryBlkno) && HnswIdSetContains(&state->deleted, HnswTidToId(&entryTid))) {
		if (state->highestLevel >= 0) {
			meta.entryBlkno = ItemPointerGetBlockNumber(&state->highestTid);
			meta.entryOffno = ItemPointerGetOffsetNumber(&state->highestTid);
		} else {
			meta.entryBlkno = InvalidBlockNumber;
			meta.entryOffno = InvalidOffsetNumber;
		}
		meta.entryLevel = state->highestLevel;
	}
	if (BlockNumberIsValid(freedPage) && (!BlockNumberIsValid(meta.freePage) || freedPage < meta.freePage))
		meta.freePage = freedPage;
	HnswUpdateMeta(state->index, &meta, false);
	UnlockPage(state->index, HNSW_UPDATE_LOCK, ExclusiveLock);
}

IndexBulkDeleteResult* hnswbulkdelete(IndexVacuumInfo* info, IndexBulkDeleteResult* stats,
                                      IndexBulkDeleteCallback callback, void* callback_state)
{
	Relation index = info->index;
	HnswVacuumState state;

	if (stats == NULL)
		stats = (IndexBulkDeleteResult*) palloc0(sizeof(IndexBulkDeleteResult));
	stats->num_index_tuples = 0;

	memset(&state, 0, sizeof(state));
	state.index = index;
	state.stats = stats;
	state.callback = callback;
	state.callbackState = callback_state;
	state.strategy = info->strategy;
	state.highestLevel = -1;
	state.freedPage = InvalidBlockNumber;
	HnswGetIndexInfo(index, &state.typeInfo);
	HnswIdSetInit(&state.deleted);

	HnswMetaPageData meta;
	HnswReadMeta(index, &meta);
	state.m = meta.m;
	double removedBefore = stats->tuples_removed;
	ForEachPage(&state, RemoveHeapTids);

	if (state.deleted.count > 0) {
		/* Each level's relinking gets a context of its own, reset after it */
		state.tmpCtx =
		    AllocSetContextCreate(CurrentMemoryContext, "Hnsw vacuum temporary context", ALLOCSET_DEFAULT_SIZES);
		HnswPageGraph graph(index, &state.typeInfo, state.m);
		/*
		 * Wait for the inserts that may have seen an element live before pass 1
		 * deleted it (and put it in a list, maybe on a page they added); pages
		 * added after this hold new elements only, which link to no deleted one
		 */
		LockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
		UnlockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
		BlockNumber nblocks = RelationGetNumberOfBlocks(index);
		for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < nblocks; blkno++) {
			/* Sleeps (vacuum_cost_delay) with no lock held */
			VacuumDelayPoint();
			LockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
			RelinkPage(&state, &graph, blkno);
			UnlockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
		}
		MemoryContextDelete(state.tmpCtx);

		/* Inserts after this start from a live entry point: they reach no deleted element */
		UpdateMeta(&state, InvalidBlockNumber);

		/* A scan that began before may still walk through deleted elements */
		LockPage(index, HNSW_SCAN_LOCK, ExclusiveLock);
		UnlockPage(index, HNSW_SCAN_LOCK, ExclusiveLock);

		ForEachPage(&state, FreeDeleted);
		UpdateMeta(&state, state.freedPage);
	} else if (stats->tuples_removed != removedBefore)
		UpdateMeta(&state, InvalidBlockNumber);

	stats->num_pages = RelationGetNumberOfBlocks(index);
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
