/*
 * hnsw_build: CREATE INDEX. The graph is built in memory by core (fast: plain
 * arrays and SIMD, no buffer manager), then written out page by page. When it
 * outgrows maintenance_work_mem, what is built so far is written out and the
 * remaining rows are inserted on disk, as pgvector does.
 */
extern "C" {
#include "postgres.h"

#include "access/tableam.h"
#include "access/xloginsert.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "utils/backend_progress.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <new>

#include "hnsw.h"
#include "vector.h"

typedef struct HnswBuildState {
	/* Info */
	Relation heap;
	Relation index;
	HnswTypeInfo typeInfo;
	int m;
	int efConstruction;

	/* Statistics */
	double indtuples;
	double reltuples;

	/* The graph while it fits in memory */
	ruvector::hnsw_memory_graph* graph;
	bool inMemory;
	Size memoryLimit;
	Size sparseBytes; /* sparse vectors, which the graph holds by reference, each in its own chunk */

	/* Memory */
	void* value; /* the current row's vector as the space stores it */
	MemoryContext graphCtx;
	MemoryContext tmpCtx;
} HnswBuildState;

/* What a tuple takes of a page */
static Size TupleFootprint(Size size)
{
	return MAXALIGN(size) + sizeof(ItemIdData);
}

/* The page a planned tuple goes on: the current buffer's, or the next one (pages fill in planned order) */
static Page PlannedPage(HnswBuildState* state, Buffer* buf, const ItemPointerData* tid, bool extended)
{
	BlockNumber blkno = ItemPointerGetBlockNumber(tid);

	if (BufferIsValid(*buf) && BufferGetBlockNumber(*buf) == blkno)
		return BufferGetPage(*buf);
	if (BufferIsValid(*buf)) {
		MarkBufferDirty(*buf);
		UnlockReleaseBuffer(*buf);
	}
	*buf = HnswExtendedBuffer(state->index, blkno, extended);
	Page page = BufferGetPage(*buf);
	HnswInitPage(*buf, page);
	Assert(BufferGetBlockNumber(*buf) == blkno);
	return page;
}

/* A node's vector: in the graph, or where the graph's reference points (sparse) */
static const void* NodeVector(const HnswBuildState* state, uint32 node)
{
	const void* data = state->graph->data(node);

	return state->typeInfo.space.variable_size() ? *(const void* const*) data : data;
}

static Size NodeElementSize(const HnswBuildState* state, uint32 node)
{
	return HNSW_ELEMENT_TUPLE_SIZE(state->typeInfo.space.stored_bytes(NodeVector(state, node)));
}

/*
 * Write the in-memory graph to pages after the meta page. Each node's neighbour
 * tuple follows its element on the same page, or starts the next page when the
 * two cannot share one (the largest vectors); positions are planned first so that
 * links can be written as TIDs in one pass.
 */
static void WriteGraph(HnswBuildState* state)
{
	ruvector::hnsw_memory_graph* graph = state->graph;
	uint32 count = graph->size();
	int m = state->m;
	ItemPointerData* tids = (ItemPointerData*) palloc(sizeof(ItemPointerData) * Max(count, 1));
	ItemPointerData* neighborTids = (ItemPointerData*) palloc(sizeof(ItemPointerData) * Max(count, 1));
	BlockNumber firstBlock = RelationGetNumberOfBlocks(state->index);
	BlockNumber block = firstBlock;
	OffsetNumber offset = FirstOffsetNumber;
	Size freeSpace = HNSW_PAGE_CAPACITY;
	HnswElementTuple element = (HnswElementTuple) palloc0(HNSW_ELEMENT_TUPLE_SIZE(state->typeInfo.space.bytes));
	HnswNeighborTuple neighbors = (HnswNeighborTuple) palloc0(HNSW_NEIGHBOR_TUPLE_SIZE(ruvector::hnsw_max_level, m));

	/* Plan: where each element and its neighbour tuple go */
	for (uint32 i = 0; i < count; i++) {
		Size elementNeeds = TupleFootprint(NodeElementSize(state, i));
		Size neighborNeeds = TupleFootprint(HNSW_NEIGHBOR_TUPLE_SIZE(graph->level(i), m));
		bool together = elementNeeds + neighborNeeds <= HNSW_PAGE_CAPACITY;

		if ((together ? elementNeeds + neighborNeeds : elementNeeds) > freeSpace) {
			block++;
			offset = FirstOffsetNumber;
			freeSpace = HNSW_PAGE_CAPACITY;
		}
		ItemPointerSet(&tids[i], block, offset);
		offset++;
		freeSpace -= elementNeeds;
		if (!together) {
			block++;
			offset = FirstOffsetNumber;
			freeSpace = HNSW_PAGE_CAPACITY;
		}
		ItemPointerSet(&neighborTids[i], block, offset);
		offset++;
		freeSpace -= neighborNeeds;
	}

	/* Grow the file once for every planned page where that is cheaper (PGlite) */
	bool extended = count > 0 && HnswExtendRelation(state->index, firstBlock, block + 1 - firstBlock);

	/* Write: pages fill in the same order as planned */
	Buffer buf = InvalidBuffer;
	for (uint32 i = 0; i < count; i++) {
		int level = graph->level(i);
		const void* vector = NodeVector(state, i);
		Size elementSize = NodeElementSize(state, i);
		Size neighborSize = HNSW_NEIGHBOR_TUPLE_SIZE(level, m);

		memset(element, 0, elementSize);
		element->type = HNSW_ELEMENT_TUPLE_TYPE;
		element->level = level;
		element->heaptidCount = graph->payload_count(i);
		for (int j = 0; j < element->heaptidCount; j++)
			HnswIdToTid(graph->payloads(i)[j], &element->heaptids[j]);
		element->neighbortid = neighborTids[i];
		memcpy(element->data, vector, state->typeInfo.space.stored_bytes(vector));

		memset(neighbors, 0, neighborSize);
		neighbors->type = HNSW_NEIGHBOR_TUPLE_TYPE;
		neighbors->count = HNSW_NEIGHBOR_SLOTS(level, m);
		for (int slot = 0; slot < neighbors->count; slot++)
			ItemPointerSetInvalid(&neighbors->indextids[slot]);
		for (int l = 0; l <= level; l++) {
			const uint32* links = graph->neighbors(i, l);
			int first = HnswLevelFirstSlot(l, m);

			for (uint32 j = 0; j < graph->neighbor_count(i, l); j++)
				neighbors->indextids[first + j] = tids[links[j]];
		}

		Page page = PlannedPage(state, &buf, &tids[i], extended);
		if (PageAddItem(page, (Item) element, elementSize, InvalidOffsetNumber, false, false) !=
		    ItemPointerGetOffsetNumber(&tids[i]))
			elog(ERROR, "failed to add hnsw tuples to index \"%s\"", RelationGetRelationName(state->index));
		page = PlannedPage(state, &buf, &neighborTids[i], extended);
		if (PageAddItem(page, (Item) neighbors, neighborSize, InvalidOffsetNumber, false, false) !=
		    ItemPointerGetOffsetNumber(&neighborTids[i]))
			elog(ERROR, "failed to add hnsw tuples to index \"%s\"", RelationGetRelationName(state->index));
	}
	if (BufferIsValid(buf)) {
		MarkBufferDirty(buf);
		UnlockReleaseBuffer(buf);
	}

	HnswMetaPageData meta;
	HnswReadMeta(state->index, &meta);
	if (graph->max_level() >= 0) {
		const ItemPointerData* entry = &tids[graph->entry_point()];

		meta.entryBlkno = ItemPointerGetBlockNumber(entry);
		meta.entryOffno = ItemPointerGetOffsetNumber(entry);
		meta.entryLevel = graph->max_level();
		meta.insertPage = block;
	}
	HnswUpdateMeta(state->index, &meta, true);

	pfree(tids);
	pfree(neighborTids);
	pfree(element);
	pfree(neighbors);
}

/* From now on rows go straight to the pages: the graph no longer fits in memory */
static void FlushGraph(HnswBuildState* state)
{
	ereport(NOTICE, (errmsg("hnsw graph no longer fits into maintenance_work_mem after " INT64_FORMAT " tuples",
	                        (int64) state->indtuples),
	                 errdetail("Building will take significantly more time."),
	                 errhint("Increase maintenance_work_mem to speed up builds.")));
	WriteGraph(state);
	state->inMemory = false;
	state->sparseBytes = 0;
	MemoryContextReset(state->graphCtx);
	state->graph = NULL;
}

static void BuildCallback(Relation index, ItemPointer tid, Datum* values, bool* isnull, bool tupleIsAlive,
                          void* callbackState)
{
	HnswBuildState* state = (HnswBuildState*) callbackState;

	/* NULLs are not indexed, as in every ordering index */
	if (isnull[0])
		return;

	MemoryContext oldCtx = MemoryContextSwitchTo(state->tmpCtx);
	if (HnswPrepareValue(&state->typeInfo, values[0], state->value)) {
		if (state->inMemory) {
			/* Core allocates in the current context: the graph's own */
			MemoryContextSwitchTo(state->graphCtx);
			if (state->typeInfo.space.variable_size()) {
				Size bytes = state->typeInfo.space.stored_bytes(state->value);
				void* copy = palloc(bytes);

				memcpy(copy, state->value, bytes);
				state->graph->add(&copy, HnswTidToId(tid));
				state->sparseBytes += MAXALIGN(bytes); /* PGlite exports no GetMemoryChunkSpace */
			} else
				state->graph->add(state->value, HnswTidToId(tid)); /* payload: the heap TID */
			MemoryContextSwitchTo(state->tmpCtx);
			if (state->graph->memory_bytes() + state->sparseBytes > state->memoryLimit)
				FlushGraph(state);
		} else
			HnswInsertVector(state->index, &state->typeInfo, state->value, tid, true);

		state->indtuples++;
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) state->indtuples);
	}
	MemoryContextSwitchTo(oldCtx);
	MemoryContextReset(state->tmpCtx);
}

static void InitBuildState(HnswBuildState* state, Relation heap, Relation index)
{
	memset(state, 0, sizeof(*state));
	state->heap = heap;
	state->index = index;
	state->m = HnswGetM(index);
	state->efConstruction = HnswGetEfConstruction(index);
	HnswGetTypeInfo(index, &state->typeInfo);

	if (state->typeInfo.dimensions < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("column does not have dimensions")));
	if (state->typeInfo.dimensions > state->typeInfo.maxDimensions)
		ereport(ERROR,
		        (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		         errmsg("column cannot have more than %d dimensions for hnsw index", state->typeInfo.maxDimensions)));
	if (state->efConstruction < 2 * state->m)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("ef_construction must be greater than or equal to 2 * m")));

	state->value = palloc(state->typeInfo.space.bytes);
	state->memoryLimit = (Size) maintenance_work_mem * 1024;
	state->graphCtx = AllocSetContextCreate(CurrentMemoryContext, "Hnsw build graph", ALLOCSET_DEFAULT_SIZES);
	state->tmpCtx = AllocSetContextCreate(CurrentMemoryContext, "Hnsw build temporary context", ALLOCSET_DEFAULT_SIZES);

	MemoryContext oldCtx = MemoryContextSwitchTo(state->graphCtx);
	ruvector::hnsw_params params;
	params.m = state->m;
	params.ef_construction = state->efConstruction;
	state->graph = new (palloc(sizeof(ruvector::hnsw_memory_graph))) ruvector::hnsw_memory_graph();
	/* Sparse vectors vary in size: the graph holds pointers to them */
	if (state->typeInfo.space.variable_size())
		state->graph->init(ruvector::make_reference_space(state->typeInfo.space), params);
	else
		state->graph->init(state->typeInfo.space, params);
	state->inMemory = true;
	MemoryContextSwitchTo(oldCtx);
}

/* The meta page of an empty index, in the given fork */
static void CreateMetaPage(Relation index, const HnswBuildState* state, ForkNumber forkNum)
{
	Buffer buf = HnswNewBuffer(index, forkNum);
	GenericXLogState* xlog = GenericXLogStart(index);
	Page page = GenericXLogRegisterBuffer(xlog, buf, GENERIC_XLOG_FULL_IMAGE);

	HnswInitPage(buf, page);
	HnswInitMeta(HnswPageGetMeta(page), state->typeInfo.dimensions, state->m, state->efConstruction);
	((PageHeader) page)->pd_lower = ((char*) HnswPageGetMeta(page) + sizeof(HnswMetaPageData)) - (char*) page;
	GenericXLogFinish(xlog);
	UnlockReleaseBuffer(buf);
}

IndexBuildResult* hnswbuild(Relation heap, Relation index, IndexInfo* indexInfo)
{
	HnswBuildState state;

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));

	InitBuildState(&state, heap, index);
	CreateMetaPage(index, &state, MAIN_FORKNUM);

	/* The planner's row estimate, so progress views can show a fraction (PGlite exports no multi-param update) */
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, (int64) Max(heap->rd_rel->reltuples, 0));
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, PROGRESS_HNSW_PHASE_LOAD);
	state.reltuples = table_index_build_scan(heap, index, indexInfo, true, true, BuildCallback, &state, NULL);

	if (state.inMemory) {
		pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, PROGRESS_HNSW_PHASE_WRITE);
		WriteGraph(&state);
	}

	/* Pages were written without WAL: log them all at once */
	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);

	MemoryContextDelete(state.graphCtx);
	MemoryContextDelete(state.tmpCtx);

	IndexBuildResult* result = (IndexBuildResult*) palloc(sizeof(IndexBuildResult));
	result->heap_tuples = state.reltuples;
	result->index_tuples = state.indtuples;
	return result;
}

/* An unlogged table's index starts from its init fork: just the meta page */
void hnswbuildempty(Relation index)
{
	HnswBuildState state;

	memset(&state, 0, sizeof(state));
	state.m = HnswGetM(index);
	state.efConstruction = HnswGetEfConstruction(index);
	HnswGetTypeInfo(index, &state.typeInfo);
	CreateMetaPage(index, &state, INIT_FORKNUM);
}
