/*
 * hnsw_page: the meta page, new pages, and the graph as it lies on pages
 * (HnswPageGraph), which core's search and neighbour selection walk.
 */
extern "C" {
#include "postgres.h"

#include "storage/lmgr.h"
#include "utils/rel.h"
}

#include "hnsw.h"
#include "hnsw_check.h"
#include "vector.h"

void HnswCheckGrowth(Relation index, BlockNumber blocks)
{
	if (blocks > HNSW_MAX_BLOCKS)
		ereport(ERROR,
		        (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		         errmsg("hnsw index \"%s\" cannot grow past %u pages", RelationGetRelationName(index), HNSW_MAX_BLOCKS),
		         errdetail("Links between hnsw elements are 4 bytes and address at most " UINT64_FORMAT " GB of index.",
		                   ((uint64) HNSW_MAX_BLOCKS * BLCKSZ) >> 30)));
}

/* Append a new page to the relation, locked exclusively */
Buffer HnswNewBuffer(Relation index, ForkNumber forkNum)
{
	HnswCheckGrowth(index, RelationGetNumberOfBlocksInFork(index, forkNum) + 1);

	Buffer buf = ReadBufferExtended(index, forkNum, P_NEW, RBM_NORMAL, NULL);

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	return buf;
}

void HnswInitPage(Buffer buf, Page page)
{
	PageInit(page, BufferGetPageSize(buf), sizeof(HnswPageOpaqueData));
	HnswPageGetOpaque(page)->nextblkno = InvalidBlockNumber;
	HnswPageGetOpaque(page)->page_id = HNSW_PAGE_ID;
}

void HnswReadMeta(Relation index, HnswMetaPageData* meta)
{
	Buffer buf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	Page page = BufferGetPage(buf);
	HnswMetaPage onPage = HnswPageGetMeta(page);

	if (HnswPageGetOpaque(page)->page_id != HNSW_PAGE_ID || onPage->magicNumber != HNSW_MAGIC_NUMBER)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("index \"%s\" is not a ruvector hnsw index", RelationGetRelationName(index))));
	if (onPage->version != HNSW_VERSION)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("index \"%s\" has on-disk version %u, expected %u", RelationGetRelationName(index),
		                       onPage->version, HNSW_VERSION),
		                errhint("REINDEX the index.")));
	*meta = *onPage;
	UnlockReleaseBuffer(buf);
	if (meta->entryLevel < -1 || meta->entryLevel > ruvector::hnsw_max_level || meta->m < HNSW_MIN_M ||
	    meta->m > HNSW_MAX_M)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("index \"%s\" has a damaged meta page", RelationGetRelationName(index)),
		                errhint("REINDEX the index.")));
}

/* Meta page contents of an empty index */
void HnswInitMeta(HnswMetaPageData* meta, int dimensions, int m, int efConstruction)
{
	memset(meta, 0, sizeof(*meta));
	meta->magicNumber = HNSW_MAGIC_NUMBER;
	meta->version = HNSW_VERSION;
	meta->dimensions = dimensions;
	meta->m = m;
	meta->efConstruction = efConstruction;
	meta->entryBlkno = InvalidBlockNumber;
	meta->entryOffno = InvalidOffsetNumber;
	meta->entryLevel = -1;
	meta->insertPage = InvalidBlockNumber;
	meta->freePage = InvalidBlockNumber;
}

/*
 * Write the meta page; a build logs the whole relation at its end instead. Every
 * write counts as a change of the graph (see hnsw_cache.cpp).
 */
void HnswUpdateMeta(Relation index, const HnswMetaPageData* meta, bool building)
{
	Buffer buf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	uint64 changeCount = HnswPageGetMeta(BufferGetPage(buf))->changeCount + 1;
	if (building) {
		*HnswPageGetMeta(BufferGetPage(buf)) = *meta;
		HnswPageGetMeta(BufferGetPage(buf))->changeCount = changeCount;
		MarkBufferDirty(buf);
	} else {
		GenericXLogState* state = GenericXLogStart(index);
		Page page = GenericXLogRegisterBuffer(state, buf, 0);

		*HnswPageGetMeta(page) = *meta;
		HnswPageGetMeta(page)->changeCount = changeCount;
		GenericXLogFinish(state);
	}
	UnlockReleaseBuffer(buf);
}

/*
 * Turn an indexed value into what the space stores, checked for its dimensions.
 * Returns false for a value that cannot be indexed (a zero vector under cosine
 * has no direction).
 */
bool HnswPrepareValue(const HnswTypeInfo* info, Datum value, void* out)
{
	int dimensions = info->valueDimensions(value);

	if (dimensions != info->dimensions)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("expected %d dimensions, not %d", info->dimensions, dimensions)));
	/* Only sparse sizes vary; space.bytes is the largest element they may have */
	if (info->valueBytes != NULL && info->valueBytes(value) > info->space.bytes)
		ereport(ERROR,
		        (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		         errmsg("sparsevec cannot have more than %d non-zero elements for hnsw index", (int) info->space.dim)));
	return info->prepare(info, value, out);
}

HnswPageGraph::HnswPageGraph(Relation index, const HnswTypeInfo* info, int m)
    : index_(index), info_(info), m_(m), ctx_(CurrentMemoryContext), knownBlocks_(RelationGetNumberOfBlocks(index))
{
	visitedMask_ = 1023;
	visited_ = (VisitedEntry*) palloc0(sizeof(VisitedEntry) * (visitedMask_ + 1));
	pinsMask_ = 255;
	pins_ = (PinnedPage*) palloc(sizeof(PinnedPage) * (pinsMask_ + 1));
	for (uint32 i = 0; i <= pinsMask_; i++)
		pins_[i].buf = InvalidBuffer;
	decoded_ = palloc(info->codec.comparableBytes);
}

void HnswPageGraph::ResetVisited()
{
	memset(visited_, 0, sizeof(VisitedEntry) * (visitedMask_ + 1));
	visitedCount_ = 0;
}

/* Open addressing with linear probing on a mixed id: ids are dense in block number */
HnswPageGraph::VisitedEntry* HnswPageGraph::FindSlot(uint64 id)
{
	uint64 key = id + 1;
	uint32 slot = (uint32) ((key * UINT64CONST(0x9E3779B97F4A7C15)) >> 32) & visitedMask_;

	while (visited_[slot].key != 0 && visited_[slot].key != key)
		slot = (slot + 1) & visitedMask_;
	return &visited_[slot];
}

void HnswPageGraph::Grow()
{
	VisitedEntry* old = visited_;
	uint32 oldSize = visitedMask_ + 1;

	visitedMask_ = oldSize * 2 - 1;
	visited_ = (VisitedEntry*) MemoryContextAllocZero(ctx_, sizeof(VisitedEntry) * (visitedMask_ + 1));
	for (uint32 i = 0; i < oldSize; i++) {
		if (old[i].key != 0)
			*FindSlot(old[i].key - 1) = old[i];
	}
	pfree(old);
}

bool HnswPageGraph::mark_visited(uint64 id)
{
	/* Keep the table at most half full so probes stay short */
	if ((visitedCount_ + 1) * 2 > visitedMask_ + 1)
		Grow();

	VisitedEntry* entry = FindSlot(id);
	if (entry->key != 0)
		return false;
	entry->key = id + 1;
	ItemPointerSetInvalid(&entry->neighbortid);
	visitedCount_++;
	return true;
}

/*
 * The walk's pin on a page: pinned on first use and kept until ReleasePins, so
 * going back to a page (the graph does, a lot) costs a share lock, not a buffer
 * lookup and a new pin each time.
 */
Buffer HnswPageGraph::Pin(BlockNumber blkno)
{
	if ((pinCount_ + 1) * 2 > pinsMask_ + 1) {
		PinnedPage* old = pins_;
		uint32 oldSize = pinsMask_ + 1;

		pinsMask_ = oldSize * 2 - 1;
		pins_ = (PinnedPage*) MemoryContextAlloc(ctx_, sizeof(PinnedPage) * (pinsMask_ + 1));
		for (uint32 i = 0; i <= pinsMask_; i++)
			pins_[i].buf = InvalidBuffer;
		for (uint32 i = 0; i < oldSize; i++) {
			if (!BufferIsValid(old[i].buf))
				continue;
			uint32 slot = (old[i].blkno * 0x9E3779B1U) & pinsMask_;
			while (BufferIsValid(pins_[slot].buf))
				slot = (slot + 1) & pinsMask_;
			pins_[slot] = old[i];
		}
		pfree(old);
	}

	uint32 slot = (blkno * 0x9E3779B1U) & pinsMask_;
	while (BufferIsValid(pins_[slot].buf)) {
		if (pins_[slot].blkno == blkno)
			return pins_[slot].buf;
		slot = (slot + 1) & pinsMask_;
	}
	pins_[slot].blkno = blkno;
	pins_[slot].buf = ReadBuffer(index_, blkno);
	pinCount_++;
	return pins_[slot].buf;
}

void HnswPageGraph::ReleasePins()
{
	for (uint32 i = 0; i <= pinsMask_ && pinCount_ > 0; i++) {
		if (BufferIsValid(pins_[i].buf)) {
			ReleaseBuffer(pins_[i].buf);
			pins_[i].buf = InvalidBuffer;
			pinCount_--;
		}
	}
}

/* Share-lock the page of a TID and return the tuple there, checked to lie on the page; the caller unlocks */
char* HnswPageGraph::LockTuple(const ItemPointerData* tid, Buffer* buf, Size* length)
{
	HnswCheckBlock(index_, &knownBlocks_, tid);
	*buf = Pin(ItemPointerGetBlockNumber(tid));
	LockBuffer(*buf, BUFFER_LOCK_SHARE);
	return HnswCheckedTuple(index_, BufferGetPage(*buf), tid, length);
}

HnswElementTuple HnswPageGraph::LockElement(uint64 id, Buffer* buf)
{
	ItemPointerData tid;

	Size length;
	HnswIdToTid(id, &tid);
	HnswElementTuple element = (HnswElementTuple) LockTuple(&tid, buf, &length);
	HnswCheckElement(index_, &tid, element, length, info_);
	return element;
}

float HnswPageGraph::DistanceFrom(const void* vector, uint64 id)
{
	Buffer buf;
	HnswElementTuple element = LockElement(id, &buf);
	const void* other = HnswElementData(element);

	if (info_->codec.quantization != ruvector::quantization::none) {
		HnswDecode(info_, HnswElementData(element), decoded_);
		other = decoded_;
	}
	float distance = HnswComparableDistance(info_, vector, other);
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	return distance;
}

float HnswPageGraph::LowerBound(uint64 id)
{
	Buffer buf;
	HnswElementTuple element = LockElement(id, &buf);
	float bound = HnswQueryLowerBound(info_, &query_, HnswElementData(element));

	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	return bound;
}

float HnswPageGraph::distance_to_query(uint64 id)
{
	Buffer buf;
	HnswElementTuple element = LockElement(id, &buf);
	float distance = HnswQueryDistance(info_, &query_, HnswElementData(element));
	ItemPointerData neighbortid = element->neighbortid;

	LockBuffer(buf, BUFFER_LOCK_UNLOCK);

	/* The search expands nodes it has measured: keep the way to their links */
	VisitedEntry* entry = FindSlot(id);
	if (entry->key != 0)
		entry->neighbortid = neighbortid;
	return distance;
}

int HnswPageGraph::ReadVector(uint64 id, void* dst)
{
	Buffer buf;
	HnswElementTuple element = LockElement(id, &buf);
	int level = element->level;

	HnswDecode(info_, HnswElementData(element), dst);
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	return level;
}

void HnswPageGraph::ReadStored(uint64 id, void* dst)
{
	Buffer buf;
	HnswElementTuple element = LockElement(id, &buf);

	const char* data = HnswElementData(element);

	memcpy(dst, data, HnswElementDataBytes(info_, data));
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
}

int HnswPageGraph::ReadHeapTids(uint64 id, ItemPointerData* tids)
{
	Buffer buf;
	HnswElementTuple element = LockElement(id, &buf);
	int count = element->deleted ? 0 : element->heaptidCount;

	memcpy(tids, element->heaptids, sizeof(ItemPointerData) * count);
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	return count;
}

int HnswPageGraph::ReadNeighbors(uint64 id, int level, ItemPointerData* tids)
{
	VisitedEntry* entry = FindSlot(id);
	ItemPointerData neighbortid;

	/* Nodes reached through the search were measured first; others are read now */
	if (entry->key != 0 && ItemPointerIsValid(&entry->neighbortid))
		neighbortid = entry->neighbortid;
	else {
		Buffer buf;
		HnswElementTuple element = LockElement(id, &buf);

		neighbortid = element->neighbortid;
		LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	}

	Buffer buf;
	Size length;
	char* tuple = LockTuple(&neighbortid, &buf, &length);
	HnswNeighborTuple neighbors = HnswCheckedNeighbors(index_, &neighbortid, tuple, length, level, m_, info_);
	int first = HnswLevelFirstSlot(level, m_);
	int capacity = (int) ruvector::hnsw_level_capacity(m_, level);
	int count = 0;

	for (int i = 0; i < capacity; i++) {
		if (HnswLinkToTid(neighbors->links[first + i], &tids[count]))
			count++;
	}
	LockBuffer(buf, BUFFER_LOCK_UNLOCK);
	return count;
}

/*
 * Core's neighbour selection over vectors read once. The heuristic measures
 * candidates against each other (up to count^2 / 2 pairs); through the pages
 * each pair would read two tuples. Here the candidates' vectors are copied out
 * once and the selection runs on local ids (positions in `sorted`).
 */
namespace {
struct LocalCandidates {
	const HnswTypeInfo* info;
	const char* vectors;

	float distance(uint64 a, uint64 b)
	{
		Size bytes = info->codec.comparableBytes;

		return HnswComparableDistance(info, vectors + a * bytes, vectors + b * bytes);
	}
};
} // namespace

size_t HnswSelectNeighbors(HnswPageGraph* graph, const HnswTypeInfo* info, const ruvector::hnsw_candidate* sorted,
                           size_t count, uint32 m, ruvector::hnsw_candidate* kept, bool keepPruned)
{
	if (count == 0)
		return 0;

	Size bytes = info->codec.comparableBytes;
	char* vectors = (char*) palloc(count * bytes);
	ruvector::hnsw_candidate* local = (ruvector::hnsw_candidate*) palloc(sizeof(ruvector::hnsw_candidate) * count);
	for (size_t i = 0; i < count; i++) {
		graph->ReadVector(sorted[i].id, vectors + i * bytes);
		local[i] = {sorted[i].distance, i};
	}

	LocalCandidates candidates{info, vectors};
	size_t keptCount = ruvector::hnsw_select_neighbors(candidates, local, count, m, local, keepPruned);
	for (size_t i = 0; i < keptCount; i++)
		kept[i] = sorted[local[i].id];

	pfree(vectors);
	pfree(local);
	return keptCount;
}

/* Element id sets: open addressing over id + 1 (0 marks an empty slot) */
static uint64* IdSetSlot(const HnswIdSet* set, uint64 id)
{
	uint32 slot = (uint32) (((id + 1) * UINT64CONST(0x9E3779B97F4A7C15)) >> 32) & set->mask;

	while (set->slots[slot] != 0 && set->slots[slot] != id + 1)
		slot = (slot + 1) & set->mask;
	return &set->slots[slot];
}

void HnswIdSetInit(HnswIdSet* set)
{
	set->mask = 255;
	set->slots = (uint64*) palloc0(sizeof(uint64) * (set->mask + 1));
	set->count = 0;
}

bool HnswIdSetContains(const HnswIdSet* set, uint64 id)
{
	return set->count > 0 && *IdSetSlot(set, id) != 0;
}

bool HnswIdSetAdd(HnswIdSet* set, uint64 id)
{
	/* Keep it at most half full so probes stay short */
	if ((set->count + 1) * 2 > set->mask + 1) {
		uint64* old = set->slots;
		uint32 oldSize = set->mask + 1;

		set->mask = oldSize * 2 - 1;
		set->slots = (uint64*) palloc0(sizeof(uint64) * (set->mask + 1));
		for (uint32 i = 0; i < oldSize; i++) {
			if (old[i] != 0)
				*IdSetSlot(set, old[i] - 1) = old[i];
		}
		pfree(old);
	}
	uint64* slot = IdSetSlot(set, id);
	if (*slot != 0)
		return false;
	*slot = id + 1;
	set->count++;
	return true;
}
