/*
 * hnsw_check: what is read from an hnsw page is checked before it is followed, so a
 * damaged or hostile page ends in an ERRCODE_INDEX_CORRUPTED error rather than a wild
 * read; and the hnsw walk of ruvector_index_check (index_check.cpp).
 *
 * PostgreSQL already refuses a page whose header is garbage when it reads it from disk
 * ("invalid page in block"); these checks cover pages with a sane header and damaged
 * contents: tuples out of bounds, wrong types, impossible levels and counts, links to
 * blocks past the end of the index.
 */
extern "C" {
#include "postgres.h"

#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"
}

#include "hnsw.h"
#include "hnsw_check.h"
#include "index_check.h"

[[noreturn]] static void Corrupted(Relation index, const ItemPointerData* tid, const char* what)
{
	ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
	                errmsg("index \"%s\" is corrupted: %s at (%u,%u)", RelationGetRelationName(index), what,
	                       ItemPointerGetBlockNumberNoCheck(tid), ItemPointerGetOffsetNumberNoCheck(tid)),
	                errhint("REINDEX the index.")));
	pg_unreachable();
}

bool HnswIsDataPage(Page page)
{
	PageHeader header = (PageHeader) page;

	return header->pd_special == BLCKSZ - MAXALIGN(sizeof(HnswPageOpaqueData)) &&
	       HnswPageGetOpaque(page)->page_id == HNSW_PAGE_ID;
}

void HnswCheckBlock(Relation index, BlockNumber* knownBlocks, const ItemPointerData* tid)
{
	BlockNumber blkno = ItemPointerGetBlockNumberNoCheck(tid);

	/* The index only grows while it is open: look at its size again before calling a block missing */
	if (blkno >= *knownBlocks)
		*knownBlocks = RelationGetNumberOfBlocks(index);
	if (blkno == HNSW_METAPAGE_BLKNO || blkno >= *knownBlocks)
		Corrupted(index, tid, "a link to a block outside the graph");
}

char* HnswCheckedTuple(Relation index, Page page, const ItemPointerData* tid, Size* length)
{
	OffsetNumber offno = ItemPointerGetOffsetNumberNoCheck(tid);

	if (!HnswIsDataPage(page))
		Corrupted(index, tid, "a link to a page that is not an hnsw data page");
	if (offno < FirstOffsetNumber || offno > PageGetMaxOffsetNumber(page))
		Corrupted(index, tid, "a link to a missing tuple");

	ItemId itemId = PageGetItemId(page, offno);
	Size start = ItemIdGetOffset(itemId);
	*length = ItemIdGetLength(itemId);
	if (!ItemIdIsNormal(itemId) || start < ((PageHeader) page)->pd_upper ||
	    start + *length > ((PageHeader) page)->pd_special)
		Corrupted(index, tid, "a tuple outside its page's tuple space");
	return (char*) PageGetItem(page, itemId);
}

void HnswCheckElement(Relation index, const ItemPointerData* tid, HnswElementTuple element, Size length,
                      const HnswTypeInfo* info)
{
	const ruvector::vector_space* space = &info->space;

	if (length < offsetof(HnswElementTupleData, heaptids) || element->type != HNSW_ELEMENT_TUPLE_TYPE)
		Corrupted(index, tid, "a link to a tuple that is not an element");
	/* The slot count places the vector: check it before reading there */
	if (element->heaptidSlots < 1 || element->heaptidSlots > ruvector::hnsw_max_payloads ||
	    element->heaptidCount > element->heaptidSlots || element->deleted > HNSW_ELEMENT_FREE)
		Corrupted(index, tid, "an element with an impossible heap TID count or state");
	if (length < HNSW_ELEMENT_DATA_OFFSET(element->heaptidSlots))
		Corrupted(index, tid, "an element too short for its vector");

	Size room = length - HNSW_ELEMENT_DATA_OFFSET(element->heaptidSlots);
	const char* data = HnswElementData(element);
	/* A sparse vector says its own size: first that the size is there, then that it fits */
	if (space->variable_size() && (room < sizeof(uint32) || *(const uint32*) data > space->dim))
		Corrupted(index, tid, "an element with an impossible vector size");
	if (room < HnswElementDataBytes(info, data))
		Corrupted(index, tid, "an element too short for its vector");
	if (element->level > ruvector::hnsw_max_level)
		Corrupted(index, tid, "an element above the highest level");
}

void HnswCheckNeighbors(Relation index, const ItemPointerData* tid, HnswNeighborTuple neighbors, Size length, int level,
                        int m)
{
	if (length < offsetof(HnswNeighborTupleData, links) || neighbors->type != HNSW_NEIGHBOR_TUPLE_TYPE)
		Corrupted(index, tid, "an element whose neighbour list is not a neighbour tuple");
	if (neighbors->count < HNSW_NEIGHBOR_SLOTS(level, m) ||
	    length < offsetof(HnswNeighborTupleData, links) + sizeof(HnswLink) * neighbors->count)
		Corrupted(index, tid, "a neighbour list too short for its element's level");
}

HnswNeighborTuple HnswCheckedNeighbors(Relation index, const ItemPointerData* tid, char* tuple, Size length, int level,
                                       int m, const HnswTypeInfo* info)
{
	if (length >= 1 && tuple[0] == HNSW_ELEMENT_TUPLE_TYPE) {
		HnswElementTuple element = (HnswElementTuple) tuple;

		HnswCheckElement(index, tid, element, length, info);
		Size offset =
		    HNSW_ELEMENT_NEIGHBORS_OFFSET(element->heaptidSlots, HnswElementDataBytes(info, HnswElementData(element)));
		if (offset > length)
			Corrupted(index, tid, "an element too short for its neighbour list");
		length -= offset;
	}
	HnswNeighborTuple neighbors = HnswTupleNeighbors(info, tuple);
	HnswCheckNeighbors(index, tid, neighbors, length, level, m);
	return neighbors;
}

/* ---- the walk of ruvector_index_check ----------------------------------------------- */

/*
 * The tuple at tid, on one of the pages the caller holds locked (held[0..heldCount)), or
 * on another page this locks (*otherBuf, released by the caller)
 */
static char* ReadCheckedTuple(Relation index, BlockNumber* knownBlocks, const ItemPointerData* tid, const Buffer* held,
                              int heldCount, Size* length, Buffer* otherBuf)
{
	HnswCheckBlock(index, knownBlocks, tid);
	*otherBuf = InvalidBuffer;
	for (int i = 0; i < heldCount; i++) {
		if (BufferGetBlockNumber(held[i]) == ItemPointerGetBlockNumber(tid))
			return HnswCheckedTuple(index, BufferGetPage(held[i]), tid, length);
	}
	*otherBuf = ReadBuffer(index, ItemPointerGetBlockNumber(tid));
	LockBuffer(*otherBuf, BUFFER_LOCK_SHARE);
	return HnswCheckedTuple(index, BufferGetPage(*otherBuf), tid, length);
}

static void ReleaseIfValid(Buffer buf)
{
	if (BufferIsValid(buf))
		UnlockReleaseBuffer(buf);
}

/* One element: its heap TIDs, its neighbour list, and every link in it */
static void CheckElementLinks(Relation index, const HnswTypeInfo* info, int m, BlockNumber* knownBlocks, Buffer buf,
                              const ItemPointerData* tid, HnswElementTuple element, IndexCheckReport* report)
{
	if (element->deleted == HNSW_ELEMENT_LIVE && element->heaptidCount == 0)
		Corrupted(index, tid, "a live element without heap TIDs");
	for (int i = 0; i < element->heaptidCount; i++) {
		if (!ItemPointerIsValid(&element->heaptids[i]))
			Corrupted(index, tid, "an element with an invalid heap TID");
	}
	report->heapTids += element->deleted == HNSW_ELEMENT_LIVE ? element->heaptidCount : 0;

	Size length;
	Buffer held[2] = {buf, InvalidBuffer};
	char* listTuple = ReadCheckedTuple(index, knownBlocks, &element->neighbortid, held, 1, &length, &held[1]);
	if (listTuple[0] == HNSW_ELEMENT_TUPLE_TYPE && HnswTidToId(&element->neighbortid) != HnswTidToId(tid))
		Corrupted(index, tid, "an element whose neighbour list is another element's");
	HnswNeighborTuple neighbors =
	    HnswCheckedNeighbors(index, &element->neighbortid, listTuple, length, element->level, m, info);
	/* A reused neighbour tuple may have more slots than its element's level needs: they stay empty */
	for (int slot = HNSW_NEIGHBOR_SLOTS(element->level, m); slot < neighbors->count; slot++) {
		if (neighbors->links[slot] != HNSW_NO_LINK)
			Corrupted(index, &element->neighbortid, "a link in a slot above its element's level");
	}

	for (int level = 0; level <= element->level; level++) {
		int first = HnswLevelFirstSlot(level, m);
		for (int i = 0; i < (int) ruvector::hnsw_level_capacity(m, level); i++) {
			ItemPointerData link;
			if (!HnswLinkToTid(neighbors->links[first + i], &link))
				continue;

			/* A link on level L must reach an element that lives on level L */
			Size linkLength;
			Buffer linkBuf;
			HnswElementTuple target = (HnswElementTuple) ReadCheckedTuple(
			    index, knownBlocks, &link, held, BufferIsValid(held[1]) ? 2 : 1, &linkLength, &linkBuf);
			HnswCheckElement(index, &link, target, linkLength, info);
			if (target->level < level)
				Corrupted(index, &link, "a link on a level above its target's");
			ReleaseIfValid(linkBuf);
			report->links++;
		}
	}
	ReleaseIfValid(held[1]);
}

void HnswCheckIndex(Relation index, IndexCheckReport* report)
{
	HnswMetaPageData meta;
	HnswTypeInfo info;
	int m = HnswGetM(index);
	BlockNumber knownBlocks = RelationGetNumberOfBlocks(index);
	ItemPointerData metaTid;

	HnswReadMeta(index, &meta);
	HnswGetIndexInfo(index, &info);
	ItemPointerSet(&metaTid, HNSW_METAPAGE_BLKNO, InvalidOffsetNumber);
	if (meta.m != m || (int) meta.dimensions != info.dimensions)
		Corrupted(index, &metaTid, "a meta page whose m or dimensions differ from the index definition");
	if (meta.entryLevel < -1 || meta.entryLevel > ruvector::hnsw_max_level ||
	    (meta.entryBlkno == InvalidBlockNumber) != (meta.entryLevel == -1))
		Corrupted(index, &metaTid, "a meta page with an impossible entry point");

	report->pages = knownBlocks;
	for (BlockNumber blkno = HNSW_METAPAGE_BLKNO + 1; blkno < knownBlocks; blkno++) {
		CHECK_FOR_INTERRUPTS();
		Buffer buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);

		/* An extension that a crash left uninitialised holds nothing */
		if (PageIsNew(page)) {
			UnlockReleaseBuffer(buf);
			continue;
		}
		for (OffsetNumber offno = FirstOffsetNumber; offno <= PageGetMaxOffsetNumber(page); offno++) {
			ItemPointerData tid;
			Size length;

			ItemPointerSet(&tid, blkno, offno);
			if (!ItemIdIsUsed(PageGetItemId(page, offno)))
				continue;
			char* tuple = HnswCheckedTuple(index, page, &tid, &length);
			if (length >= 1 && *(uint8*) tuple == HNSW_NEIGHBOR_TUPLE_TYPE)
				continue; /* checked through its element */

			HnswElementTuple element = (HnswElementTuple) tuple;
			HnswCheckElement(index, &tid, element, length, &info);
			report->elements++;
			if (element->deleted == HNSW_ELEMENT_FREE) {
				report->deleted++;
				continue; /* no longer part of the graph */
			}
			if (element->deleted == HNSW_ELEMENT_DELETED)
				report->deleted++;
			CheckElementLinks(index, &info, m, &knownBlocks, buf, &tid, element, report);
		}
		UnlockReleaseBuffer(buf);
	}

	if (meta.entryBlkno != InvalidBlockNumber) {
		ItemPointerData entry;
		Size length;
		Buffer buf = InvalidBuffer;

		ItemPointerSet(&entry, meta.entryBlkno, meta.entryOffno);
		HnswCheckBlock(index, &knownBlocks, &entry);
		buf = ReadBuffer(index, meta.entryBlkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		HnswElementTuple element = (HnswElementTuple) HnswCheckedTuple(index, BufferGetPage(buf), &entry, &length);
		HnswCheckElement(index, &entry, element, length, &info);
		if (element->level != meta.entryLevel || element->deleted == HNSW_ELEMENT_FREE)
			Corrupted(index, &entry, "an entry point that is free or not on the entry level");
		UnlockReleaseBuffer(buf);
	}
}
