/*
 * hnsw_build: CREATE INDEX. The graph is built in memory by core (fast: plain
 * arrays and SIMD, no buffer manager), then written out page by page. When it
 * outgrows maintenance_work_mem, what is built so far is written out and the
 * remaining rows are inserted on disk, as pgvector does.
 *
 * Natively, when the planner grants maintenance workers, the leader and the
 * workers scan the heap in parallel and insert into one graph in a dynamic
 * shared memory segment of maintenance_work_mem (core's hnsw_shared_graph,
 * which locks per node). Whoever finds it full writes it out while the others
 * wait; then every participant inserts its remaining rows on the pages. PGlite
 * has no workers: the parallel part is not compiled there.
 *
 * A quantized index links its graph with exact distances between the vectors in
 * memory, then trains its quantizer on them and writes codes (hnsw.h).
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

#ifndef __wasm__
#include "access/parallel.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "optimizer/optimizer.h"
#include "port/atomics.h"
#include "storage/lmgr.h"
#include "storage/lwlock.h"
#include "storage/shm_toc.h"
#include "utils/snapmgr.h"
#endif
}

#include <new>

#include "ruvector/hnsw_shared.hpp"

#include "build_memory.h"
#include "hnsw.h"
#include "index_quantization.h"
#include "relation_extend.h"
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

	/* A parallel build's shared state and graph (NULL in a serial build) */
	struct HnswParallelShared* shared;
	ruvector::hnsw_shared_graph* sharedGraph;
	bool isLeader;     /* reports progress */
	bool codebookRead; /* the trained codebook was read from the meta page */

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

/* Train the quantizer on the vectors in memory and put its codebook on the meta page */
template <class Graph>
static void TrainCodec(HnswBuildState* state, Graph* graph)
{
	uint32 count = graph->size();

	if (state->typeInfo.codec.quantization == ruvector::quantization::none || count == 0)
		return;

	const void** vectors = (const void**) palloc(sizeof(void*) * count);
	for (uint32 i = 0; i < count; i++)
		vectors[i] = graph->data(i);
	HnswTrainCodec(&state->typeInfo, vectors, count);
	pfree(vectors);

	Buffer buf = ReadBuffer(state->index, HNSW_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	HnswWriteCodebook(BufferGetPage(buf), &state->typeInfo);
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);
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
	*buf = RelationGrownBuffer(state->index, blkno, extended);
	Page page = BufferGetPage(*buf);
	HnswInitPage(*buf, page);
	Assert(BufferGetBlockNumber(*buf) == blkno);
	return page;
}

/* A node's vector: in the graph, or where the graph's reference points (sparse, serial builds only) */
template <class Graph>
static const void* NodeVector(const HnswBuildState* state, const Graph* graph, uint32 node)
{
	const void* data = graph->data(node);

	return state->typeInfo.space.variable_size() ? *(const void* const*) data : data;
}

/*
 * A node's element tuple: room for the heap TIDs of its duplicates found so far,
 * and its neighbour list inside unless the two cannot share a page (hnsw.h)
 */
template <class Graph>
static Size NodeElementSize(const HnswBuildState* state, const Graph* graph, uint32 node, bool* holdsList)
{
	int slots = HnswHeapTidSlots(graph->payload_count(node));
	Size dataBytes = HnswElementDataBytes(&state->typeInfo, NodeVector(state, graph, node));
	Size combined = HNSW_ELEMENT_WITH_NEIGHBORS_SIZE(slots, dataBytes, graph->level(node), state->m);

	*holdsList = TupleFootprint(combined) <= HNSW_PAGE_CAPACITY;
	return *holdsList ? combined : HNSW_ELEMENT_TUPLE_SIZE(slots, dataBytes);
}

/*
 * Write the in-memory graph to pages after the meta page. Each node's element
 * holds its neighbour list, or, when the two cannot share a page (the largest
 * vectors), the list is a tuple of its own starting the next page; positions are
 * planned first so that links can be written in one pass.
 *
 * Nodes go out by level, highest first: elements of one level have one size, so
 * pages fill evenly (in node order a page of 16 level-0 elements that had room
 * for a 17th would often get three larger ones instead, and hold 16; 4% more
 * pages at m = 6), and the upper levels every search starts with share a few
 * pages.
 *
 * First every node no search from the entry point would reach gets a link (a
 * full neighbour list can drop a node's only incoming link, above all when
 * parallel inserts choose links without seeing each other: core's
 * hnsw_repair.hpp).
 */
template <class Graph>
static void WriteGraph(HnswBuildState* state, Graph* graph)
{
	uint32 count = graph->size();
	int m = state->m;
	ItemPointerData* tids = (ItemPointerData*) palloc(sizeof(ItemPointerData) * Max(count, 1));
	ItemPointerData* neighborTids = (ItemPointerData*) palloc(sizeof(ItemPointerData) * Max(count, 1));
	BlockNumber firstBlock = RelationGetNumberOfBlocks(state->index);
	BlockNumber block = firstBlock;
	OffsetNumber offset = FirstOffsetNumber;
	Size freeSpace = HNSW_PAGE_CAPACITY;
	HnswElementTuple element = (HnswElementTuple) palloc0(HNSW_ELEMENT_WITH_NEIGHBORS_SIZE(
	    ruvector::hnsw_max_payloads, Max(state->typeInfo.space.bytes, state->typeInfo.codec.bytes),
	    ruvector::hnsw_max_level, m));
	HnswNeighborTuple neighbors = (HnswNeighborTuple) palloc0(HNSW_NEIGHBOR_TUPLE_SIZE(ruvector::hnsw_max_level, m));

	ruvector::hnsw_repair_stats repaired = graph->repair_reachability();
	if (repaired.relinked > 0 || repaired.made_findable > 0)
		ereport(DEBUG2,
		        (errmsg("hnsw graph repair linked %u unreachable and %u hard to find elements, dropping %u links",
		                repaired.relinked, repaired.made_findable, repaired.evicted)));
	TrainCodec(state, graph);

	/* The write order: nodes by level, highest first (a counting sort) */
	uint32* order = (uint32*) palloc(sizeof(uint32) * Max(count, 1));
	uint32 levelStart[ruvector::hnsw_max_level + 2] = {};
	for (uint32 i = 0; i < count; i++)
		levelStart[ruvector::hnsw_max_level - graph->level(i) + 1]++;
	for (int l = 1; l <= ruvector::hnsw_max_level + 1; l++)
		levelStart[l] += levelStart[l - 1];
	for (uint32 i = 0; i < count; i++)
		order[levelStart[ruvector::hnsw_max_level - graph->level(i)]++] = i;

	/* Plan: where each element and its neighbour tuple go */
	for (uint32 n = 0; n < count; n++) {
		uint32 i = order[n];
		bool holdsList;
		Size elementNeeds = TupleFootprint(NodeElementSize(state, graph, i, &holdsList));

		if (elementNeeds > freeSpace) {
			block++;
			offset = FirstOffsetNumber;
			freeSpace = HNSW_PAGE_CAPACITY;
		}
		ItemPointerSet(&tids[i], block, offset);
		offset++;
		freeSpace -= elementNeeds;
		neighborTids[i] = tids[i];
		if (!holdsList) {
			block++;
			ItemPointerSet(&neighborTids[i], block, FirstOffsetNumber);
			offset = OffsetNumberNext(FirstOffsetNumber);
			freeSpace = HNSW_PAGE_CAPACITY - TupleFootprint(HNSW_NEIGHBOR_TUPLE_SIZE(graph->level(i), m));
		}
	}

	HnswCheckGrowth(state->index, block + 1);
	/* Grow the file once for every planned page where that is cheaper (PGlite) */
	bool extended = count > 0 && RelationGrowBy(state->index, firstBlock, block + 1 - firstBlock);

	/* Write: pages fill in the same order as planned */
	Buffer buf = InvalidBuffer;
	for (uint32 n = 0; n < count; n++) {
		uint32 i = order[n];
		int level = graph->level(i);
		const void* vector = NodeVector(state, graph, i);
		bool holdsList;
		Size elementSize = NodeElementSize(state, graph, i, &holdsList);
		Size neighborSize = HNSW_NEIGHBOR_TUPLE_SIZE(level, m);

		memset(element, 0, elementSize);
		element->type = HNSW_ELEMENT_TUPLE_TYPE;
		element->level = level;
		element->heaptidCount = graph->payload_count(i);
		element->heaptidSlots = HnswHeapTidSlots(element->heaptidCount);
		for (int j = 0; j < element->heaptidCount; j++)
			HnswIdToTid(graph->payloads(i)[j], &element->heaptids[j]);
		for (int j = element->heaptidCount; j < element->heaptidSlots; j++)
			ItemPointerSetInvalid(&element->heaptids[j]);
		element->neighbortid = neighborTids[i];
		HnswEncode(&state->typeInfo, vector, HnswElementData(element));

		HnswNeighborTuple list = holdsList ? HnswTupleNeighbors(&state->typeInfo, (char*) element) : neighbors;
		if (!holdsList)
			memset(neighbors, 0, neighborSize);
		list->type = HNSW_NEIGHBOR_TUPLE_TYPE;
		list->count = HNSW_NEIGHBOR_SLOTS(level, m);
		for (int slot = 0; slot < list->count; slot++)
			list->links[slot] = HNSW_NO_LINK;
		for (int l = 0; l <= level; l++) {
			const uint32* links = graph->neighbors(i, l);
			int first = HnswLevelFirstSlot(l, m);

			for (uint32 j = 0; j < graph->neighbor_count(i, l); j++)
				list->links[first + j] = HnswTidToLink(&tids[links[j]]);
		}

		Page page = PlannedPage(state, &buf, &tids[i], extended);
		if (PageAddItem(page, (Item) element, elementSize, InvalidOffsetNumber, false, false) !=
		    ItemPointerGetOffsetNumber(&tids[i]))
			elog(ERROR, "failed to add hnsw tuples to index \"%s\"", RelationGetRelationName(state->index));
		if (holdsList)
			continue;
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

	pfree(order);
	pfree(tids);
	pfree(neighborTids);
	pfree(element);
	pfree(neighbors);
}

static void ReportGraphFull(double tuples)
{
	ereport(NOTICE, (errmsg("hnsw graph no longer fits into maintenance_work_mem after " INT64_FORMAT " tuples",
	                        (int64) tuples),
	                 errdetail("Building will take significantly more time."),
	                 errhint("Increase maintenance_work_mem to speed up builds.")));
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
		ReportGraphFull(state->indtuples);
	WriteGraph(state, state->graph);
	state->inMemory = false;
	state->sparseBytes = 0;
	MemoryContextReset(state->graphCtx);
	state->graph = NULL;
}

#ifndef __wasm__
/* Keys of the parallel build's entries in its DSM segment */
#define HNSW_PARALLEL_KEY_SHARED UINT64CONST(0xA000000000000001)
#define HNSW_PARALLEL_KEY_GRAPH UINT64CONST(0xA000000000000002)

/* What the leader and the workers of a parallel build share, followed by the heap scan's state */
typedef struct HnswParallelShared {
	Oid heapRelid;
	Oid indexRelid;
	bool isConcurrent;
	int flushLockTranche;
	/* Held shared by each insert into the graph, exclusive while the full graph is written out */
	LWLock flushLock;
	bool flushed; /* the graph is on the pages: rows go there */
	pg_atomic_uint64 indtuples;
	pg_atomic_uint64 workerReltuples; /* heap tuples the workers scanned */
} HnswParallelShared;

#define HNSW_PARALLEL_SCAN(shared)                                                                                     \
	((ParallelTableScanDesc) ((char*) (shared) + BUFFERALIGN(sizeof(HnswParallelShared))))
#define HNSW_FLUSH_LOCK_TRANCHE_NAME "hnsw_build_flush"

/*
 * One row into the shared graph; when it is full, the first participant to
 * find out writes it to the pages (the others wait on the lock), and from then
 * on rows are inserted on the pages, one participant at a time.
 */
static void InsertParallel(HnswBuildState* state, ItemPointer tid)
{
	HnswParallelShared* shared = state->shared;

	LWLockAcquire(&shared->flushLock, LW_SHARED);
	if (!shared->flushed) {
		MemoryContext oldCtx = MemoryContextSwitchTo(state->graphCtx);
		uint32 node = state->sharedGraph->add(state->value, HnswTidToId(tid));

		MemoryContextSwitchTo(oldCtx);
		if (node != ruvector::hnsw_no_room) {
			LWLockRelease(&shared->flushLock);
			return;
		}
		LWLockRelease(&shared->flushLock);
		LWLockAcquire(&shared->flushLock, LW_EXCLUSIVE);
		if (!shared->flushed) {
			ReportGraphFull((double) pg_atomic_read_u64(&shared->indtuples));
			WriteGraph(state, state->sharedGraph);
			shared->flushed = true;
		}
	}
	LWLockRelease(&shared->flushLock);

	/* As hnswinsert: on-page inserts take turns (page locks conflict within a parallel group) */
	LockPage(state->index, HNSW_UPDATE_LOCK, ExclusiveLock);
	/* Whoever wrote the graph out trained the quantizer: encode with its codebook */
	if (!state->codebookRead) {
		HnswReadCodebook(state->index, &state->typeInfo);
		state->codebookRead = true;
	}
	HnswInsertVector(state->index, &state->typeInfo, state->value, tid, true);
	UnlockPage(state->index, HNSW_UPDATE_LOCK, ExclusiveLock);
}
#endif

static void BuildCallback(Relation index, ItemPointer tid, Datum* values, bool* isnull, bool tupleIsAlive,
                          void* callbackState)
{
	HnswBuildState* state = (HnswBuildState*) callbackState;

	/* NULLs are not indexed, as in every ordering index */
	if (isnull[0])
		return;

	MemoryContext oldCtx = MemoryContextSwitchTo(state->tmpCtx);
	if (HnswPrepareValue(&state->typeInfo, values[0], state->value)) {
#ifndef __wasm__
		if (state->shared != NULL) {
			InsertParallel(state, tid);
			uint64 done = pg_atomic_add_fetch_u64(&state->shared->indtuples, 1);
			if (state->isLeader)
				pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) done);
			MemoryContextSwitchTo(oldCtx);
			MemoryContextReset(state->tmpCtx);
			return;
		}
#endif
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

/* The storage the options ask for; bit and sparse vectors are stored as they are */
static void InitCodec(HnswBuildState* state)
{
	ruvector::quantization quantization = HnswGetQuantization(state->index);
	const HnswTypeInfo* info = &state->typeInfo;

	if (quantization != ruvector::quantization::none && info->space.element == ruvector::element_kind::bit)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("hnsw quantization \"%s\" is not supported for bit vectors",
		                       IndexQuantizationName(quantization)),
		                errhint("Use quantization = 'none': bit vectors take one bit per dimension already.")));
	if (quantization != ruvector::quantization::none && info->space.variable_size())
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("hnsw quantization \"%s\" is not supported for sparse vectors",
		                       IndexQuantizationName(quantization)),
		                errhint("Use quantization = 'none': sparse vectors store only their non-zeros already.")));
	if (quantization != ruvector::quantization::none && info->dimensions > HNSW_CODEBOOK_MAX_DIMENSIONS)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("column cannot have more than %d dimensions for hnsw index with quantization",
		                       HNSW_CODEBOOK_MAX_DIMENSIONS)));
	HnswInitCodec(&state->typeInfo, quantization);
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
	InitCodec(state);

	state->value = palloc(state->typeInfo.space.bytes);
	/* In PGlite also what the heap can still grow by: past it the build goes on on disk, in constant memory */
	state->memoryLimit = BuildMemoryLimit();
	state->graphCtx = AllocSetContextCreate(CurrentMemoryContext, "Hnsw build graph", ALLOCSET_DEFAULT_SIZES);
	state->tmpCtx = AllocSetContextCreate(CurrentMemoryContext, "Hnsw build temporary context", ALLOCSET_DEFAULT_SIZES);
	state->isLeader = true;
}

static ruvector::hnsw_params GraphParams(const HnswBuildState* state)
{
	ruvector::hnsw_params params;
	params.m = state->m;
	params.ef_construction = state->efConstruction;
	return params;
}

/* A serial build's graph, in its own context */
static void StartMemoryGraph(HnswBuildState* state)
{
	MemoryContext oldCtx = MemoryContextSwitchTo(state->graphCtx);
	state->graph = new (palloc(sizeof(ruvector::hnsw_memory_graph))) ruvector::hnsw_memory_graph();
	/* Sparse vectors vary in size: the graph holds pointers to them */
	if (state->typeInfo.space.variable_size())
		state->graph->init(ruvector::make_reference_space(state->typeInfo.space), GraphParams(state));
	else
		state->graph->init(state->typeInfo.space, GraphParams(state));
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
	/* The default codebook until the build trains one (hnsw_quantize.cpp) */
	HnswWriteCodebook(page, &state->typeInfo);
	GenericXLogFinish(xlog);
	UnlockReleaseBuffer(buf);
}

#ifndef __wasm__
/* This participant's view of the shared graph; each draws its own levels */
static void AttachSharedGraph(HnswBuildState* state, HnswParallelShared* shared, void* area, int participant)
{
	MemoryContext oldCtx = MemoryContextSwitchTo(state->graphCtx);

	state->shared = shared;
	state->sharedGraph = new (palloc(sizeof(ruvector::hnsw_shared_graph))) ruvector::hnsw_shared_graph();
	state->sharedGraph->attach(area, state->typeInfo.space, GraphParams(state).seed + (uint64) participant);
	MemoryContextSwitchTo(oldCtx);
	LWLockRegisterTranche(shared->flushLockTranche, HNSW_FLUSH_LOCK_TRANCHE_NAME);
}

/* A worker: open what the leader has locked, scan its share of the heap into the shared graph */
extern "C" PGDLLEXPORT void HnswParallelBuildMain(dsm_segment* seg, shm_toc* toc);

void HnswParallelBuildMain(dsm_segment* seg, shm_toc* toc)
{
	HnswParallelShared* shared = (HnswParallelShared*) shm_toc_lookup(toc, HNSW_PARALLEL_KEY_SHARED, false);
	void* area = shm_toc_lookup(toc, HNSW_PARALLEL_KEY_GRAPH, false);
	/* The leader's lock modes (the workers are in its lock group) */
	LOCKMODE heapLockmode = shared->isConcurrent ? ShareUpdateExclusiveLock : ShareLock;
	LOCKMODE indexLockmode = shared->isConcurrent ? RowExclusiveLock : AccessExclusiveLock;
	Relation heap = table_open(shared->heapRelid, heapLockmode);
	Relation index = index_open(shared->indexRelid, indexLockmode);
	IndexInfo* indexInfo = BuildIndexInfo(index);
	HnswBuildState state;

	indexInfo->ii_Concurrent = shared->isConcurrent;
	InitBuildState(&state, heap, index);
	state.isLeader = false;
	AttachSharedGraph(&state, shared, area, ParallelWorkerNumber + 1);

	TableScanDesc scan = table_beginscan_parallel(heap, HNSW_PARALLEL_SCAN(shared));
	double reltuples = table_index_build_scan(heap, index, indexInfo, true, false, BuildCallback, &state, scan);

	pg_atomic_fetch_add_u64(&shared->workerReltuples, (uint64) reltuples);
	index_close(index, indexLockmode);
	table_close(heap, heapLockmode);
}

/*
 * Build with the workers the planner grants (max_parallel_maintenance_workers,
 * the table's size and parallel_workers option), the leader taking part. False
 * when there are none or no segment could be had: the caller builds serially.
 */
static bool BuildParallel(HnswBuildState* state, IndexInfo* indexInfo)
{
	Relation heap = state->heap;
	Relation index = state->index;

	/* The shared graph holds vectors in place: sparse vectors, each its own size, are built serially */
	if (!IsNormalProcessingMode() || state->typeInfo.space.variable_size())
		return false;
	int requested = plan_create_index_workers(RelationGetRelid(heap), RelationGetRelid(index));
	if (requested <= 0)
		return false;

	EnterParallelMode();
	ParallelContext* pcxt = CreateParallelContext("ruvector", "HnswParallelBuildMain", requested);
	Snapshot snapshot = indexInfo->ii_Concurrent ? RegisterSnapshot(GetTransactionSnapshot()) : SnapshotAny;
	Size sharedSize = BUFFERALIGN(sizeof(HnswParallelShared)) + table_parallelscan_estimate(heap, snapshot);
	/* The graph takes maintenance_work_mem, as a serial build's may */
	Size graphSize = state->memoryLimit;

	shm_toc_estimate_chunk(&pcxt->estimator, sharedSize);
	shm_toc_estimate_chunk(&pcxt->estimator, graphSize);
	shm_toc_estimate_keys(&pcxt->estimator, 2);
	InitializeParallelDSM(pcxt);

	void* area = NULL;
	if (pcxt->seg != NULL) {
		area = shm_toc_allocate(pcxt->toc, graphSize);
		if (!ruvector::hnsw_shared_graph::format(area, graphSize, state->typeInfo.space, GraphParams(state)))
			area = NULL;
	}
	if (area == NULL) {
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		if (IsMVCCSnapshot(snapshot))
			UnregisterSnapshot(snapshot);
		return false;
	}

	HnswParallelShared* shared = (HnswParallelShared*) shm_toc_allocate(pcxt->toc, sharedSize);
	shared->heapRelid = RelationGetRelid(heap);
	shared->indexRelid = RelationGetRelid(index);
	shared->isConcurrent = indexInfo->ii_Concurrent;
	/* One tranche per backend, named in each participant (only wait events show the name) */
	static int flushLockTranche = 0;
	if (flushLockTranche == 0)
		flushLockTranche = LWLockNewTrancheId();
	shared->flushLockTranche = flushLockTranche;
	LWLockInitialize(&shared->flushLock, shared->flushLockTranche);
	shared->flushed = false;
	pg_atomic_init_u64(&shared->indtuples, 0);
	pg_atomic_init_u64(&shared->workerReltuples, 0);
	table_parallelscan_initialize(heap, HNSW_PARALLEL_SCAN(shared), snapshot);
	shm_toc_insert(pcxt->toc, HNSW_PARALLEL_KEY_SHARED, shared);
	shm_toc_insert(pcxt->toc, HNSW_PARALLEL_KEY_GRAPH, area);

	LaunchParallelWorkers(pcxt);
	if (pcxt->nworkers_launched == 0) {
		WaitForParallelWorkersToFinish(pcxt);
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		if (IsMVCCSnapshot(snapshot))
			UnregisterSnapshot(snapshot);
		return false;
	}
	ereport(DEBUG1, (errmsg("using %d parallel workers", pcxt->nworkers_launched)));

	/* The leader scans too */
	AttachSharedGraph(state, shared, area, 0);
	TableScanDesc scan = table_beginscan_parallel(heap, HNSW_PARALLEL_SCAN(shared));
	double reltuples = table_index_build_scan(heap, index, indexInfo, true, true, BuildCallback, state, scan);

	WaitForParallelWorkersToAttach(pcxt);
	WaitForParallelWorkersToFinish(pcxt);
	state->reltuples = reltuples + (double) pg_atomic_read_u64(&shared->workerReltuples);
	state->indtuples = (double) pg_atomic_read_u64(&shared->indtuples);
	if (!shared->flushed) {
		pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, PROGRESS_HNSW_PHASE_WRITE);
		WriteGraph(state, state->sharedGraph);
	}

	/* The segment goes with the context: nothing may point into it after */
	state->shared = NULL;
	state->sharedGraph = NULL;
	DestroyParallelContext(pcxt);
	ExitParallelMode();
	if (IsMVCCSnapshot(snapshot))
		UnregisterSnapshot(snapshot);
	return true;
}
#endif

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
	bool parallel = false;
#ifndef __wasm__
	parallel = BuildParallel(&state, indexInfo);
#endif
	if (!parallel) {
		StartMemoryGraph(&state);
		state.reltuples = table_index_build_scan(heap, index, indexInfo, true, true, BuildCallback, &state, NULL);

		if (state.inMemory) {
			pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, PROGRESS_HNSW_PHASE_WRITE);
			WriteGraph(&state, state.graph);
		}
	}
	if (state.indtuples == 0 && state.typeInfo.codec.quantization != ruvector::quantization::none)
		ereport(NOTICE, (errmsg("hnsw index created with no data to train its quantizer"),
		                 errdetail("Codes use a default codebook: answers stay exact, recall may be low."),
		                 errhint("REINDEX the index once the table holds data.")));

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
	state.index = index;
	state.m = HnswGetM(index);
	state.efConstruction = HnswGetEfConstruction(index);
	HnswGetTypeInfo(index, &state.typeInfo);
	InitCodec(&state);
	CreateMetaPage(index, &state, INIT_FORKNUM);
}
