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

#include "build_memory.h"
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

	/* Memory */
	void* value; /* the current row's vector as the space stores it */
	MemoryContext graphCtx;
	MemoryContext tmpCtx;
} HnswBuildState;

/* Usable bytes of an empty page, and what a tuple takes of them */
static Size PageCapacity(void)
{
	return BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(HnswPageOpaqueData));
}

static Size TupleFootprint(Size size)
{
	return MAXALIGN(size) + sizeof(ItemIdData);
}

/*
 * Write the in-memory graph to pages after the meta page. Each node's element and
 * neighbour tuples share a page; positions are planned first so that links can
 * be written as TIDs in one pass.
 */
static void WriteGraph(HnswBuildState* state)
{
	ruvector::hnsw_memory_graph* graph = state->graph;
	uint32 count = graph->size();
	int m = state->m;
	Size elementSize = HNSW_ELEMENT_TUPLE_SIZE(state->typeInfo.space.bytes);
	ItemPointerData* tids = (ItemPointerData*) palloc(sizeof(ItemPointerData) * Max(count, 1));
	BlockNumber firstBlock = RelationGetNumberOfBlocks(state->index);
	BlockNumber block = firstBlock;
	OffsetNumber offset = FirstOffsetNumber;
	Size freeSpace = PageCapacity();
	HnswElementTuple element = (HnswElementTuple) palloc0(elementSize);
	HnswNeighborTuple neighbors = (HnswNeighborTuple) palloc0(HNSW_NEIGHBOR_TUPLE_SIZE(ruvector::hnsw_max_level, m));

	/* Plan: where each element goes (its neighbour tuple follows it) */
	for (uint32 i = 0; i < count; i++) {
		Size needed = TupleFootprint(elementSize) + TupleFootprint(HNSW_NEIGHBOR_TUPLE_SIZE(graph->level(i), m));

		if (needed > freeSpace) {
			block++;
			offset = FirstOffsetNumber;
			freeSpace = PageCapacity();
		}
		ItemPointerSet(&tids[i], block, offset);
		offset += 2;
		freeSpace -= needed;
	}

	/* Grow the file once for every planned page where that is cheaper (PGlite) */
	bool extended = count > 0 && HnswExtendRelation(state->index, firstBlock, block + 1 - firstBlock);

	/* Write: pages fill in the same order as planned */
	Buffer buf = InvalidBuffer;
	Page page = NULL;
	for (uint32 i = 0; i < count; i++) {
		int level = graph->level(i);
		Size neighborSize = HNSW_NEIGHBOR_TUPLE_SIZE(level, m);

		if (!BufferIsValid(buf) || ItemPointerGetBlockNumber(&tids[i]) != BufferGetBlockNumber(buf)) {
			if (BufferIsValid(buf)) {
				MarkBufferDirty(buf);
				UnlockReleaseBuffer(buf);
			}
			buf = HnswExtendedBuffer(state->index, ItemPointerGetBlockNumber(&tids[i]), extended);
			page = BufferGetPage(buf);
			HnswInitPage(buf, page);
			Assert(BufferGetBlockNumber(buf) == ItemPointerGetBlockNumber(&tids[i]));
		}

		memset(element, 0, elementSize);
		element->type = HNSW_ELEMENT_TUPLE_TYPE;
		element->level = level;
		element->heaptidCount = graph->payload_count(i);
		for (int j = 0; j < element->heaptidCount; j++)
			HnswIdToTid(graph->payloads(i)[j], &element->heaptids[j]);
		ItemPointerSet(&element->neighbortid, ItemPointerGetBlockNumber(&tids[i]),
		               OffsetNumberNext(ItemPointerGetOffsetNumber(&tids[i])));
		memcpy(element->data, graph->data(i), graph->space().bytes);

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

		if (PageAddItem(page, (Item) element, elementSize, InvalidOffsetNumber, false, false) !=
		        ItemPointerGetOffsetNumber(&tids[i]) ||
		    PageAddItem(page, (Item) neighbors, neighborSize, InvalidOffsetNumber, false, false) !=
		        OffsetNumberNext(ItemPointerGetOffsetNumber(&tids[i])))
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
	pfree(element);
	pfree(neighbors);
}

/* From now on rows go straight to the pages: the graph no longer fits in memory */
static void FlushGraph(HnswBuildState* state)
{
	if (state->memoryLimit < (Size) maintenance_work_mem * 1024)
		ereport(NOTICE,
		        (errmsg("hnsw graph no longer fits into the memory PGlite's heap can still grow by after " INT64_FORMAT
		                " tuples",
		                (int64) state->indtuples),
		         errdetail("The heap can grow by %zu MB more. Building will take significantly more time.",
		                   state->memoryLimit / (1024 * 1024)),
		         errhint("Build the index in a new session, whose heap is still small.")));
	else
		ereport(NOTICE, (errmsg("hnsw graph no longer fits into maintenance_work_mem after " INT64_FORMAT " tuples",
		                        (int64) state->indtuples),
		                 errdetail("Building will take significantly more time."),
		                 errhint("Increase maintenance_work_mem to speed up builds.")));
	WriteGraph(state);
	state->inMemory = false;
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
			state->graph->add(state->value, HnswTidToId(tid)); /* payload: the heap TID */
			MemoryContextSwitchTo(state->tmpCtx);
			if (state->graph->memory_bytes() > state->memoryLimit)
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
	/* In PGlite also what the heap can still grow by: past it the build goes on on disk, in constant memory */
	state->memoryLimit = BuildMemoryLimit();
	state->graphCtx = AllocSetContextCreate(CurrentMemoryContext, "Hnsw build graph", ALLOCSET_DEFAULT_SIZES);
	state->tmpCtx = AllocSetContextCreate(CurrentMemoryContext, "Hnsw build temporary context", ALLOCSET_DEFAULT_SIZES);

	MemoryContext oldCtx = MemoryContextSwitchTo(state->graphCtx);
	ruvector::hnsw_params params;
	params.m = state->m;
	params.ef_construction = state->efConstruction;
	state->graph = new (palloc(sizeof(ruvector::hnsw_memory_graph))) ruvector::hnsw_memory_graph();
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
