/*
 * hnsw_insert: add one vector to the graph on disk (after a build, or during a
 * build that outgrew memory). Inserts and vacuum are serialised by a page lock;
 * scans read concurrently, one share-locked page at a time, and every page
 * change is a single GenericXLog record, so a scan sees old or new links.
 */
extern "C" {
#include "postgres.h"

#include "common/pg_prng.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <new>

#include "hnsw.h"

Page HnswBeginPageChange(Relation index, Buffer buf, bool building, bool newPage, GenericXLogState** xlog)
{
	if (building) {
		*xlog = NULL;
		return BufferGetPage(buf);
	}
	*xlog = GenericXLogStart(index);
	return GenericXLogRegisterBuffer(*xlog, buf, newPage ? GENERIC_XLOG_FULL_IMAGE : 0);
}

void HnswFinishPageChange(Buffer buf, GenericXLogState* xlog)
{
	if (xlog != NULL)
		GenericXLogFinish(xlog);
	else
		MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);
}

/*
 * Put a new element into the place of a freed one of the same layout (its
 * neighbour list inside, or apart), if a page from the insert page on holds one
 * with room: a larger element needs the page's free space for the difference,
 * a neighbour tuple apart enough slots for the new element's levels. Vacuum
 * points freePage at the first page it freed elements on; it moves on as those
 * fill up. `neighbors` is NULL when the element holds its list.
 */
static bool ReuseFreeElement(Relation index, HnswMetaPageData* meta, HnswElementTuple element, Size elementSize,
                             HnswNeighborTuple neighbors, Size neighborSize, bool building, ItemPointer elementTid)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	/* The first page that still has a free element, fitting or not: where the next insert looks */
	BlockNumber firstWithFree = InvalidBlockNumber;

	if (!BlockNumberIsValid(meta->freePage))
		return false;
	for (BlockNumber blkno = meta->freePage; blkno < nblocks; blkno++) {
		Buffer buf = ReadBuffer(index, blkno);
		Page page = BufferGetPage(buf);
		int freeOnPage = 0;

		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		for (OffsetNumber offno = FirstOffsetNumber; offno <= PageGetMaxOffsetNumber(page);
		     offno = OffsetNumberNext(offno)) {
			HnswElementTuple old = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, offno));

			if (old->type != HNSW_ELEMENT_TUPLE_TYPE || old->deleted != HNSW_ELEMENT_FREE)
				continue;
			freeOnPage++;
			Size oldElementSize = ItemIdGetLength(PageGetItemId(page, offno));
			if (elementSize > oldElementSize && elementSize - oldElementSize > PageGetExactFreeSpace(page))
				continue;

			ItemPointerData oldTid;
			ItemPointerSet(&oldTid, blkno, offno);
			bool oldHoldsList = HnswTidToId(&old->neighbortid) == HnswTidToId(&oldTid);
			if (oldHoldsList != (neighbors == NULL))
				continue;
			if (oldHoldsList) {
				GenericXLogState* xlog;
				page = HnswBeginPageChange(index, buf, building, false, &xlog);
				element->neighbortid = oldTid;
				if (!PageIndexTupleOverwrite(page, offno, (Item) element, elementSize))
					elog(ERROR, "failed to reuse hnsw tuples in index \"%s\"", RelationGetRelationName(index));
				*elementTid = oldTid;
				meta->freePage = BlockNumberIsValid(firstWithFree) ? firstWithFree : blkno;
				HnswFinishPageChange(buf, xlog);
				return true;
			}

			/* The neighbour tuple apart, on a page of its own (the largest vectors) */
			ItemPointerData neighborTid = old->neighbortid;
			Buffer neighborBuf = buf;
			if (ItemPointerGetBlockNumber(&neighborTid) != blkno) {
				neighborBuf = ReadBuffer(index, ItemPointerGetBlockNumber(&neighborTid));
				LockBuffer(neighborBuf, BUFFER_LOCK_EXCLUSIVE);
			}
			Page neighborPage = BufferGetPage(neighborBuf);
			OffsetNumber neighborOffno = ItemPointerGetOffsetNumber(&neighborTid);
			HnswNeighborTuple oldNeighbors =
			    (HnswNeighborTuple) PageGetItem(neighborPage, PageGetItemId(neighborPage, neighborOffno));
			if (oldNeighbors->count < neighbors->count) {
				if (neighborBuf != buf)
					UnlockReleaseBuffer(neighborBuf);
				continue;
			}

			/* Same slot count as before: the tuple keeps its size */
			Size oldNeighborSize = ItemIdGetLength(PageGetItemId(neighborPage, neighborOffno));
			uint16 slots = oldNeighbors->count;
			GenericXLogState* xlog;
			page = HnswBeginPageChange(index, buf, building, false, &xlog);
			if (neighborBuf == buf)
				neighborPage = page;
			else if (xlog != NULL)
				neighborPage = GenericXLogRegisterBuffer(xlog, neighborBuf, 0);
			element->neighbortid = neighborTid;
			HnswNeighborTuple resized = (HnswNeighborTuple) palloc(oldNeighborSize);
			memcpy(resized, neighbors, neighborSize);
			resized->count = slots;
			for (int slot = neighbors->count; slot < slots; slot++)
				resized->links[slot] = HNSW_NO_LINK;
			if (!PageIndexTupleOverwrite(page, offno, (Item) element, elementSize) ||
			    !PageIndexTupleOverwrite(neighborPage, neighborOffno, (Item) resized, oldNeighborSize))
				elog(ERROR, "failed to reuse hnsw tuples in index \"%s\"", RelationGetRelationName(index));
			ItemPointerSet(elementTid, blkno, offno);
			meta->freePage = BlockNumberIsValid(firstWithFree) ? firstWithFree : blkno;
			if (neighborBuf != buf && xlog == NULL)
				MarkBufferDirty(neighborBuf);
			HnswFinishPageChange(buf, xlog);
			if (neighborBuf != buf)
				UnlockReleaseBuffer(neighborBuf);
			pfree(resized);
			return true;
		}
		UnlockReleaseBuffer(buf);
		if (freeOnPage > 0 && !BlockNumberIsValid(firstWithFree))
			firstWithFree = blkno;
	}
	/* Nothing fitted: later inserts start at the first free element left, if any */
	meta->freePage = firstWithFree;
	return false;
}

/*
 * Write a new element holding its neighbour list: into a freed element's place,
 * else on the insert page if it fits, else on a new page. When the two cannot
 * share a page (the largest vectors), the list is a neighbour tuple on a new
 * page of its own, which becomes the insert page. Returns the element's TID.
 */
static void AddElement(Relation index, HnswMetaPageData* meta, const HnswTypeInfo* info, const char* stored,
                       ItemPointer heaptid, int level, ruvector::candidate_list* selected, bool building,
                       ItemPointer elementTid)
{
	int m = meta->m;
	Size dataBytes = HnswElementDataBytes(info, stored);
	int heaptidSlots = HnswHeapTidSlots(1);
	Size combinedSize = HNSW_ELEMENT_WITH_NEIGHBORS_SIZE(heaptidSlots, dataBytes, level, m);
	bool together = combinedSize + sizeof(ItemIdData) <= HNSW_PAGE_CAPACITY;
	Size elementSize = together ? combinedSize : HNSW_ELEMENT_TUPLE_SIZE(heaptidSlots, dataBytes);
	Size neighborSize = HNSW_NEIGHBOR_TUPLE_SIZE(level, m);
	HnswElementTuple element = (HnswElementTuple) palloc0(elementSize);
	HnswNeighborTuple neighbors =
	    together ? (HnswNeighborTuple) ((char*) element + HNSW_ELEMENT_NEIGHBORS_OFFSET(heaptidSlots, dataBytes))
	             : (HnswNeighborTuple) palloc0(neighborSize);
	Size needed = MAXALIGN(elementSize) + sizeof(ItemIdData);
	Buffer buf = InvalidBuffer;
	bool newPage = false;

	element->type = HNSW_ELEMENT_TUPLE_TYPE;
	element->level = level;
	element->heaptidCount = 1;
	element->heaptidSlots = heaptidSlots;
	element->heaptids[0] = *heaptid;
	for (int j = 1; j < heaptidSlots; j++)
		ItemPointerSetInvalid(&element->heaptids[j]);
	memcpy(HnswElementData(element), stored, dataBytes);

	neighbors->type = HNSW_NEIGHBOR_TUPLE_TYPE;
	neighbors->count = HNSW_NEIGHBOR_SLOTS(level, m);
	for (int slot = 0; slot < neighbors->count; slot++)
		neighbors->links[slot] = HNSW_NO_LINK;
	for (int l = 0; l <= level; l++) {
		int first = HnswLevelFirstSlot(l, m);

		for (size_t j = 0; j < selected[l].size(); j++)
			neighbors->links[first + j] = HnswIdToLink(selected[l][j].id);
	}

	if (ReuseFreeElement(index, meta, element, elementSize, together ? NULL : neighbors, neighborSize, building,
	                     elementTid)) {
		if (!together)
			pfree(neighbors);
		pfree(element);
		return;
	}
	if (BlockNumberIsValid(meta->insertPage)) {
		buf = ReadBuffer(index, meta->insertPage);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		if (PageGetExactFreeSpace(BufferGetPage(buf)) < needed) {
			UnlockReleaseBuffer(buf);
			buf = InvalidBuffer;
		}
	}
	if (!BufferIsValid(buf)) {
		LockRelationForExtension(index, ExclusiveLock);
		buf = HnswNewBuffer(index, MAIN_FORKNUM);
		UnlockRelationForExtension(index, ExclusiveLock);
		newPage = true;
		meta->insertPage = BufferGetBlockNumber(buf);
	}

	GenericXLogState* xlog;
	Page page = HnswBeginPageChange(index, buf, building, newPage, &xlog);
	if (newPage)
		HnswInitPage(buf, page);

	OffsetNumber offno = OffsetNumberNext(PageGetMaxOffsetNumber(page));
	Buffer neighborBuf = buf;
	Page neighborPage = page;
	if (!together) {
		LockRelationForExtension(index, ExclusiveLock);
		neighborBuf = HnswNewBuffer(index, MAIN_FORKNUM);
		UnlockRelationForExtension(index, ExclusiveLock);
		neighborPage = xlog != NULL ? GenericXLogRegisterBuffer(xlog, neighborBuf, GENERIC_XLOG_FULL_IMAGE)
		                            : BufferGetPage(neighborBuf);
		HnswInitPage(neighborBuf, neighborPage);
		meta->insertPage = BufferGetBlockNumber(neighborBuf);
	}
	OffsetNumber neighborOffno = together ? offno : FirstOffsetNumber;
	ItemPointerSet(&element->neighbortid, BufferGetBlockNumber(neighborBuf), neighborOffno);
	if (PageAddItem(page, (Item) element, elementSize, offno, false, false) != offno ||
	    (!together &&
	     PageAddItem(neighborPage, (Item) neighbors, neighborSize, neighborOffno, false, false) != neighborOffno))
		elog(ERROR, "failed to add hnsw tuples to index \"%s\"", RelationGetRelationName(index));
	ItemPointerSet(elementTid, BufferGetBlockNumber(buf), offno);
	/* One WAL record for both pages; then each buffer is released */
	if (neighborBuf != buf) {
		if (xlog == NULL)
			MarkBufferDirty(neighborBuf);
		HnswFinishPageChange(buf, xlog);
		UnlockReleaseBuffer(neighborBuf);
	} else
		HnswFinishPageChange(buf, xlog);

	if (!together)
		pfree(neighbors);
	pfree(element);
}

/* Rewrite `node`'s links on one level (unused slots invalid) */
static void WriteNeighborLinks(Relation index, const HnswTypeInfo* info, int m, uint64 node, int level,
                               const ruvector::hnsw_candidate* kept, int keptCount, bool building)
{
	int capacity = (int) ruvector::hnsw_level_capacity(m, level);
	ItemPointerData elementTid;
	Buffer buf;
	HnswIdToTid(node, &elementTid);
	buf = ReadBuffer(index, ItemPointerGetBlockNumber(&elementTid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	Page page = BufferGetPage(buf);
	ItemPointerData neighbortid =
	    ((HnswElementTuple) PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumber(&elementTid))))
	        ->neighbortid;
	UnlockReleaseBuffer(buf);

	buf = ReadBuffer(index, ItemPointerGetBlockNumber(&neighbortid));
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	GenericXLogState* xlog;
	page = HnswBeginPageChange(index, buf, building, false, &xlog);
	HnswNeighborTuple neighbors = HnswTupleNeighbors(
	    info, (char*) PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumber(&neighbortid))));
	int first = HnswLevelFirstSlot(level, m);
	for (int i = 0; i < capacity; i++)
		neighbors->links[first + i] = i < keptCount ? HnswIdToLink(kept[i].id) : HNSW_NO_LINK;
	HnswFinishPageChange(buf, xlog);
}

/* No node: ids are (block << 16 | offset), and block 0 is the meta page */
#define HNSW_NO_NODE ((uint64) 0)

static bool Contains(const ruvector::candidate_list& list, uint64 id)
{
	for (size_t i = 0; i < list.size(); i++)
		if (list[i].id == id)
			return true;
	return false;
}

/*
 * Link `added` into `node`'s list on a level: appended while there is room,
 * otherwise the list is chosen again by the heuristic over old links + the new
 * node (which may lose), filled with the nearest pruned links so that it stays
 * full and only one link goes (without the fill a full list could shrink to a
 * few links and strand the nodes it dropped). When `added` comes in, the link
 * that goes is, if one can be, to a node `added` links to (`addedLinks`): that
 * node stays reachable through `added`. *dropped is set to the node given up,
 * if any, for `added` to keep a way to (KeepWayTo). True when `added` got the
 * link.
 */
static bool UpdateNeighborLinks(Relation index, HnswPageGraph* graph, const HnswTypeInfo* info, int m, uint64 node,
                                int level, uint64 added, const ruvector::candidate_list& addedLinks,
                                float addedDistance, void* nodeVector, bool building, uint64* dropped)
{
	ItemPointerData links[2 * HNSW_MAX_M];
	int capacity = (int) ruvector::hnsw_level_capacity(m, level);
	int count = graph->ReadNeighbors(node, level, links);
	ruvector::hnsw_candidate kept[2 * HNSW_MAX_M + 1];
	int keptCount;

	if (count < capacity) {
		for (int i = 0; i < count; i++)
			kept[i].id = HnswTidToId(&links[i]);
		kept[count].id = added;
		keptCount = count + 1;
	} else {
		ruvector::hnsw_candidate candidates[2 * HNSW_MAX_M + 1];
		bool addedKept = false;

		graph->ReadVector(node, nodeVector);
		for (int i = 0; i < count; i++) {
			candidates[i].id = HnswTidToId(&links[i]);
			candidates[i].distance = graph->DistanceFrom(nodeVector, candidates[i].id);
		}
		candidates[count] = {addedDistance, added};
		ruvector::sort_candidates(candidates, count + 1);
		keptCount = (int) HnswSelectNeighbors(graph, info, candidates, count + 1, capacity, kept, true);
		for (int i = 0; i < keptCount; i++)
			addedKept |= kept[i].id == added;
		if (!addedKept)
			return false;

		/* The candidate left out, and instead of it the farthest kept one `added` links to */
		*dropped = candidates[count].id;
		for (int i = 0; i <= count; i++) {
			bool isKept = false;
			for (int j = 0; j < keptCount && !isKept; j++)
				isKept = kept[j].id == candidates[i].id;
			if (!isKept)
				*dropped = candidates[i].id;
		}
		if (!Contains(addedLinks, *dropped)) {
			for (int i = keptCount - 1; i >= 0; i--) {
				if (kept[i].id != added && Contains(addedLinks, kept[i].id)) {
					uint64 covered = kept[i].id;
					kept[i].id = *dropped;
					*dropped = covered;
					break;
				}
			}
		}
	}
	WriteNeighborLinks(index, info, m, node, level, kept, keptCount, building);
	return true;
}

/*
 * A new node that no neighbour kept on level 0 has no way in: no search would
 * ever reach it (many nodes with one code, e.g. binary codes of data the
 * default codebook does not centre, made most of a graph unreachable). Give it
 * one: in a neighbour's list it takes the place of a node that it links to
 * itself, which stays reachable through it. Only when no neighbour's list shares
 * a node with its own does the nearest neighbour's last link go. Returns the
 * node given up, for `added` to keep a way to (else HNSW_NO_NODE).
 */
static uint64 EnsureWayIn(Relation index, HnswPageGraph* graph, const HnswTypeInfo* info, int m, uint64 added,
                          const ruvector::candidate_list& out, bool building)
{
	ItemPointerData links[2 * HNSW_MAX_M];
	ruvector::hnsw_candidate kept[2 * HNSW_MAX_M];

	for (size_t v = 0; v <= out.size(); v++) {
		/* After all neighbours: the nearest one, giving up its last link */
		uint64 node = out[v < out.size() ? v : 0].id;
		int count = graph->ReadNeighbors(node, 0, links);
		int replaced = v < out.size() ? -1 : count - 1;

		for (int i = 0; i < count && replaced < 0; i++)
			if (Contains(out, HnswTidToId(&links[i])))
				replaced = i;
		if (replaced < 0)
			continue;
		uint64 dropped = HnswTidToId(&links[replaced]);
		for (int i = 0; i < count; i++)
			kept[i].id = i == replaced ? added : HnswTidToId(&links[i]);
		WriteNeighborLinks(index, info, m, node, 0, kept, count, building);
		return dropped;
	}
	return HNSW_NO_NODE;
}

/*
 * A neighbour gave up its link to `id` to let the new node in, and `id` may
 * have had no other way in: the new node keeps a link to it. If its list has
 * one, that slot is pinned; otherwise the link is taken over: appended, or in
 * place of the farthest unpinned link (a node the new node's search reached, so
 * one with another way in). `pinned` marks the slots that must stay. True
 * when the list changed.
 */
static bool KeepWayTo(ruvector::candidate_list& out, uint32 capacity, bool* pinned, uint64 id)
{
	for (size_t i = 0; i < out.size(); i++) {
		if (out[i].id == id) {
			pinned[i] = true;
			return false;
		}
	}
	if (out.size() < capacity) {
		pinned[out.size()] = true;
		out.push_back({0, id});
		return true;
	}
	for (size_t i = out.size(); i-- > 0;) {
		if (!pinned[i]) {
			pinned[i] = true;
			out[i] = {0, id};
			return true;
		}
	}
	return false;
}

/*
 * Give a full element room for more heap TIDs (one alignment step), rewriting it in
 * place; false when its page has not the space, and the duplicate becomes a node of
 * its own (as pgvector's eleventh duplicate does).
 */
static bool GrowHeapTidSlots(Page page, OffsetNumber offno)
{
	ItemId itemId = PageGetItemId(page, offno);
	HnswElementTuple element = (HnswElementTuple) PageGetItem(page, itemId);
	/* The vector and any neighbour list after it move as one: their offsets from the vector's start stay */
	Size restOffset = HNSW_ELEMENT_DATA_OFFSET(element->heaptidSlots);
	Size restBytes = ItemIdGetLength(itemId) - restOffset;
	int slots = HnswHeapTidSlots(element->heaptidSlots + 1);
	Size size = HNSW_ELEMENT_DATA_OFFSET(slots) + restBytes;
	HnswElementTuple grown = (HnswElementTuple) palloc0(size);

	memcpy(grown, element, offsetof(HnswElementTupleData, heaptids) + sizeof(ItemPointerData) * element->heaptidSlots);
	grown->heaptidSlots = slots;
	for (int j = element->heaptidSlots; j < slots; j++)
		ItemPointerSetInvalid(&grown->heaptids[j]);
	memcpy(HnswElementData(grown), (const char*) element + restOffset, restBytes);
	bool grew = PageIndexTupleOverwrite(page, offno, (Item) grown, size);
	pfree(grown);
	return grew;
}

/*
 * If an element storing exactly this (the same vector, or the same code and
 * terms, which give the same bounds) has room, give it the heap TID; true when done
 */
static bool AddToDuplicate(Relation index, HnswPageGraph* graph, const HnswTypeInfo* info,
                           const ruvector::candidate_list& nearest, const char* stored, ItemPointer heaptid,
                           bool building)
{
	char* scratch = (char*) palloc(info->codec.bytes);

	for (size_t i = 0; i < nearest.size() && nearest[i].distance == nearest[0].distance; i++) {
		graph->ReadStored(nearest[i].id, scratch);
		/* A sparse vector's size comes first: vectors of other sizes differ there */
		if (memcmp(scratch, stored, HnswElementDataBytes(info, stored)) != 0)
			continue;

		ItemPointerData tid;
		HnswIdToTid(nearest[i].id, &tid);
		Buffer buf = ReadBuffer(index, ItemPointerGetBlockNumber(&tid));
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		GenericXLogState* xlog;
		Page page = HnswBeginPageChange(index, buf, building, false, &xlog);
		OffsetNumber offno = ItemPointerGetOffsetNumber(&tid);
		HnswElementTuple element = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, offno));

		if (element->deleted != HNSW_ELEMENT_LIVE || element->heaptidCount >= ruvector::hnsw_max_payloads ||
		    (element->heaptidCount == element->heaptidSlots && !GrowHeapTidSlots(page, offno))) {
			if (xlog != NULL)
				GenericXLogAbort(xlog);
			UnlockReleaseBuffer(buf);
			continue;
		}
		/* Growing moved the tuple within the page */
		element = (HnswElementTuple) PageGetItem(page, PageGetItemId(page, offno));
		element->heaptids[element->heaptidCount++] = *heaptid;
		HnswFinishPageChange(buf, xlog);
		return true;
	}
	return false;
}

/*
 * Insert a prepared vector (normalised for cosine). The caller holds the update
 * lock, or is the build. This is the paper's INSERT with core's search layer and
 * neighbour heuristic, on the graph as it lies on the pages.
 */
void HnswInsertVector(Relation index, const HnswTypeInfo* info, const void* vector, ItemPointer heaptid, bool building)
{
	HnswMetaPageData meta;
	HnswReadMeta(index, &meta);
	int m = meta.m;
	uint64 rng = pg_prng_uint64(&pg_global_prng_state);
	int level = ruvector::hnsw_random_level(rng, m);
	ruvector::candidate_list* selected =
	    (ruvector::candidate_list*) palloc0(sizeof(ruvector::candidate_list) * (level + 1));
	ItemPointerData elementTid;
	char* stored = (char*) palloc(info->codec.bytes);

	HnswEncode(info, vector, stored);
	for (int l = 0; l <= level; l++)
		new (&selected[l]) ruvector::candidate_list();

	if (!BlockNumberIsValid(meta.entryBlkno)) {
		AddElement(index, &meta, info, stored, heaptid, level, selected, building, &elementTid);
		meta.entryBlkno = ItemPointerGetBlockNumber(&elementTid);
		meta.entryOffno = ItemPointerGetOffsetNumber(&elementTid);
		meta.entryLevel = level;
		HnswUpdateMeta(index, &meta, building);
		return;
	}

	HnswPageGraph graph(index, info, m);
	ruvector::hnsw_search_scratch scratch;
	ruvector::candidate_list nearest;
	ItemPointerData entryTid;
	void* nodeVector = palloc(info->codec.comparableBytes);

	graph.SetQuery(vector);
	ItemPointerSet(&entryTid, meta.entryBlkno, meta.entryOffno);
	uint64 entryId = HnswTidToId(&entryTid);
	graph.mark_visited(entryId);
	nearest.push_back({graph.distance_to_query(entryId), entryId});

	/* Greedy descent to the new node's top level, then the beam search on each of its levels */
	for (int l = meta.entryLevel; l >= 0; l--) {
		uint32 ef = l > level ? 1 : (uint32) meta.efConstruction;
		ruvector::candidate_list entries;

		for (size_t i = 0; i < nearest.size(); i++)
			entries.push_back(nearest[i]);
		graph.ResetVisited();
		for (size_t i = 0; i < entries.size(); i++)
			graph.mark_visited(entries[i].id);
		ruvector::hnsw_search_layer(graph, entries.data(), entries.size(), ef, l, scratch, nearest);
		if (l > level)
			nearest.resize_down(1);
		else {
			ruvector::hnsw_candidate kept[2 * HNSW_MAX_M];
			uint32 capacity = ruvector::hnsw_level_capacity(m, l);
			size_t keptCount = HnswSelectNeighbors(&graph, info, nearest.data(), nearest.size(), capacity, kept, true);

			for (size_t i = 0; i < keptCount; i++)
				selected[l].push_back(kept[i]);
		}
	}

	if (AddToDuplicate(index, &graph, info, nearest, stored, heaptid, building)) {
		graph.ReleasePins();
		return;
	}

	AddElement(index, &meta, info, stored, heaptid, level, selected, building, &elementTid);
	uint64 addedId = HnswTidToId(&elementTid);
	for (int l = Min(level, meta.entryLevel); l >= 0; l--) {
		ruvector::candidate_list& out = selected[l];
		uint32 capacity = ruvector::hnsw_level_capacity(m, l);
		ruvector::hnsw_candidate neighbors[2 * HNSW_MAX_M];
		size_t neighborCount = out.size();
		bool pinned[2 * HNSW_MAX_M] = {false};
		bool linkedIn = false;

		/* `out` changes as the new node takes over links; the neighbours to update do not */
		for (size_t i = 0; i < neighborCount; i++)
			neighbors[i] = out[i];
		bool changed = false;
		for (size_t i = 0; i < neighborCount; i++) {
			uint64 dropped = HNSW_NO_NODE;

			linkedIn |= UpdateNeighborLinks(index, &graph, info, m, neighbors[i].id, l, addedId, out,
			                                neighbors[i].distance, nodeVector, building, &dropped);
			if (dropped != HNSW_NO_NODE)
				changed |= KeepWayTo(out, capacity, pinned, dropped);
		}
		if (l == 0 && !linkedIn && neighborCount > 0) {
			uint64 dropped = EnsureWayIn(index, &graph, info, m, addedId, out, building);

			if (dropped != HNSW_NO_NODE)
				changed |= KeepWayTo(out, capacity, pinned, dropped);
		}
		if (changed)
			WriteNeighborLinks(index, info, m, addedId, l, out.data(), (int) out.size(), building);
	}

	graph.ReleasePins();

	if (level > meta.entryLevel) {
		meta.entryBlkno = ItemPointerGetBlockNumber(&elementTid);
		meta.entryOffno = ItemPointerGetOffsetNumber(&elementTid);
		meta.entryLevel = level;
	}
	HnswUpdateMeta(index, &meta, building);
}

/* Insert a tuple into the index */
bool hnswinsert(Relation index, Datum* values, bool* isnull, ItemPointer heap_tid, Relation heap,
                IndexUniqueCheck checkUnique, bool indexUnchanged, IndexInfo* indexInfo)
{
	/* NULLs are not indexed */
	if (isnull[0])
		return false;

	MemoryContext insertCtx =
	    AllocSetContextCreate(CurrentMemoryContext, "Hnsw insert temporary context", ALLOCSET_DEFAULT_SIZES);
	MemoryContext oldCtx = MemoryContextSwitchTo(insertCtx);
	HnswTypeInfo info;

	HnswGetIndexInfo(index, &info);
	void* vector = palloc(info.space.bytes);
	if (HnswPrepareValue(&info, values[0], vector)) {
		LockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
		HnswInsertVector(index, &info, vector, heap_tid, false);
		UnlockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
	}

	MemoryContextSwitchTo(oldCtx);
	MemoryContextDelete(insertCtx);
	return false;
}
