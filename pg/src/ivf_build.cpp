/*
 * ivf_build: CREATE INDEX ... USING flat | ivfflat. A first pass over the table
 * samples rows (reservoir sampling) when there is something to train: the
 * quantizer's codebook, and for ivfflat the list centroids (k-means). Then the
 * meta page, codebook and list directory are written, and a second pass appends
 * every row to its list. Pages come from a RelationGrowth sized by an estimate
 * of the page count (PGlite grows the file in few steps instead of page by
 * page), are written without WAL and logged all at once at the end, as hnsw's
 * build does.
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

#include "build_memory.h"
#include "ivf.h"
#include "ruvector/half.hpp"
#include "ruvector/kmeans.hpp"

#include <cmath>

typedef struct IvfBuildState {
	/* Info */
	Relation heap;
	Relation index;
	IvfIndexInfo info;
	IvfMetaPageData meta;
	RelationGrowth growth; /* the main fork's pages */

	/* Statistics */
	double reltuples;
	double indtuples;

	/* Sampling: the float32 form of up to sampleTarget rows */
	float* samples;
	int sampleTarget;
	int sampleCount;
	uint64 seen;
	uint64 rng;

	/* ivfflat: the centroids as the space stores vectors, one after another */
	char* centroids;

	/* Memory */
	void* value; /* the current row as the space stores it */
	float* scratch;
	char* entry;
	MemoryContext tmpCtx;
} IvfBuildState;

/* splitmix64: reproducible sampling */
static uint64 NextRandom(uint64* state)
{
	uint64 z = (*state += UINT64CONST(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static const char* AmName(const IvfIndexInfo* info)
{
	return info->flat ? "flat" : "ivfflat";
}

static void SampleCallback(Relation index, ItemPointer tid, Datum* values, bool* isnull, bool tupleIsAlive,
                           void* callbackState)
{
	IvfBuildState* state = (IvfBuildState*) callbackState;

	if (isnull[0])
		return;

	MemoryContext oldCtx = MemoryContextSwitchTo(state->tmpCtx);
	if (HnswPrepareValue(&state->info.type, values[0], state->value)) {
		int slot = state->sampleCount;

		state->seen++;
		if (state->sampleCount >= state->sampleTarget) {
			uint64 j = NextRandom(&state->rng) % state->seen;
			slot = j < (uint64) state->sampleTarget ? (int) j : -1;
		} else
			state->sampleCount++;
		if (slot >= 0)
			IvfValueToFloats(&state->info, state->value, state->samples + (Size) slot * state->info.type.space.dim);
	}
	MemoryContextSwitchTo(oldCtx);
	MemoryContextReset(state->tmpCtx);
}

static void NormalizeSamples(IvfBuildState* state)
{
	size_t dim = state->info.type.space.dim;

	for (int i = 0; i < state->sampleCount; i++) {
		float* x = state->samples + (Size) i * dim;
		double norm = ruvector::norm_f32(x, dim);

		if (norm > 0)
			for (size_t j = 0; j < dim; j++)
				x[j] = (float) (x[j] / norm);
	}
}

/* The codebook of the quantizer, from the sample */
static void TrainQuantizer(IvfBuildState* state)
{
	IvfIndexInfo* info = &state->info;
	size_t dim = info->type.space.dim;
	ruvector::training_stats stats{(float*) palloc(sizeof(float) * dim), (float*) palloc(sizeof(float) * dim),
	                               (double*) palloc(sizeof(double) * dim), dim, 0};

	ruvector::training_reset(stats);
	for (int i = 0; i < state->sampleCount; i++)
		ruvector::training_add(stats, state->samples + (Size) i * dim);
	info->offset = (float*) palloc(sizeof(float) * dim);
	if (info->quantization == ruvector::quantization::sq8)
		info->scale = ruvector::sq8_train(stats, info->offset);
	else
		ruvector::binary_train(stats, info->offset);
	pfree(stats.lo);
	pfree(stats.hi);
	pfree(stats.sum);
}

/* ivfflat's centroids: k-means over the sample, then stored as the space stores vectors */
static void ComputeCentroids(IvfBuildState* state)
{
	IvfIndexInfo* info = &state->info;
	const ruvector::vector_space& space = info->type.space;
	ruvector::metric metric = space.kind;
	bool spherical = metric == ruvector::metric::cosine || metric == ruvector::metric::inner_product;

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, PROGRESS_IVF_PHASE_KMEANS);
	if (spherical)
		NormalizeSamples(state);

	ruvector::kmeans_params params;
	params.k = info->lists;
	params.dim = space.dim;
	params.spherical = spherical;
	float* centroids = (float*) palloc(sizeof(float) * space.dim * info->lists);
	ruvector::kmeans(params, state->samples, state->sampleCount, centroids);

	state->centroids = (char*) palloc0(space.bytes * info->lists);
	for (int c = 0; c < info->lists; c++) {
		const float* x = centroids + (Size) c * space.dim;
		char* stored = state->centroids + (Size) c * space.bytes;

		switch (space.element) {
			case ruvector::element_kind::f32:
				memcpy(stored, x, space.bytes);
				break;
			case ruvector::element_kind::f16:
				for (size_t i = 0; i < space.dim; i++)
					((uint16*) stored)[i] = ruvector::f32_to_f16(x[i]);
				break;
			case ruvector::element_kind::bit:
				/* The mean of 0/1 bits: a bit is set where most of the cluster has it */
				for (size_t i = 0; i < space.dim; i++)
					if (x[i] > 0.5f)
						((uint8*) stored)[i / 8] |= (uint8) (0x80 >> (i % 8));
				break;
			case ruvector::element_kind::sparse: /* no flat or ivfflat operator class takes sparsevec */
				elog(ERROR, "sparse vectors in a flat or ivfflat index");
		}
	}
	pfree(centroids);
}

/*
 * pgvector's check: the sample and the centroids must fit in maintenance_work_mem.
 * In PGlite the whole of what training takes (k-means' working arrays too) must
 * also fit in what the heap can still grow by, or the build stops here, before
 * it has taken anything.
 */
static void CheckMemory(IvfBuildState* state)
{
	/* 64 bits: in PGlite Size has 32, and lists x dimensions x samples can pass 4 GB */
	uint64 dim = state->info.type.space.dim;
	uint64 samples = (uint64) state->sampleTarget;
	uint64 lists = (uint64) state->info.lists;
	uint64 required = sizeof(float) * dim * samples;

	if (!state->info.flat)
		required += (sizeof(float) + sizeof(double)) * dim * lists;
	if (required > (uint64) maintenance_work_mem * 1024)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("memory required is " UINT64_FORMAT " MB, maintenance_work_mem is %d MB",
		                       required / (1024 * 1024) + 1, maintenance_work_mem / 1024)));

	/* k-means: each sample's nearest distance and list, each list's size and stored centroid */
	if (!state->info.flat)
		required +=
		    (sizeof(double) + sizeof(uint32)) * samples + (sizeof(uint32) + state->info.type.space.bytes) * lists;
	uint64 headroom = BuildHeapHeadroom();
	if (required > headroom)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY),
		                errmsg("memory required is " UINT64_FORMAT " MB, PGlite's heap can grow by only " UINT64_FORMAT
		                       " MB more",
		                       required / (1024 * 1024) + 1, headroom / (1024 * 1024)),
		                errhint("Build the index in a new session, whose heap is still small, or with fewer lists.")));
}

static void SampleAndTrain(IvfBuildState* state, IndexInfo* indexInfo)
{
	IvfIndexInfo* info = &state->info;
	bool quantized = info->quantization != ruvector::quantization::none;

	if (info->flat && !quantized)
		return;
	state->sampleTarget =
	    info->flat ? IVF_QUANTIZER_SAMPLES : Max(info->lists * IVFFLAT_SAMPLES_PER_LIST, IVFFLAT_MIN_SAMPLES);
	CheckMemory(state);
	state->samples =
	    (float*) palloc_extended(sizeof(float) * info->type.space.dim * state->sampleTarget, MCXT_ALLOC_HUGE);
	state->rng = 0x5eed;
	if (state->heap != NULL) {
		pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, PROGRESS_IVF_PHASE_SAMPLE);
		table_index_build_scan(state->heap, state->index, indexInfo, true, true, SampleCallback, state, NULL);
		if (!info->flat && state->sampleCount < info->lists)
			ereport(NOTICE, (errmsg("ivfflat index created with little data"), errdetail("This will cause low recall."),
			                 errhint("Drop the index until the table has more data.")));
	}
	if (quantized)
		TrainQuantizer(state);
	if (!info->flat)
		ComputeCentroids(state);
	pfree(state->samples);
	state->samples = NULL;
}

/* A fresh page in the fork: plain while building the main fork (logged at the end), WAL-logged otherwise */
static Page StartStructurePage(IvfBuildState* state, ForkNumber forkNum, Buffer* buf, GenericXLogState** xlog)
{
	bool building = forkNum == MAIN_FORKNUM;

	*buf = IvfNewBuffer(state->index, forkNum, building ? &state->growth : NULL);
	Page page = IvfBeginPageChange(state->index, *buf, building, true, xlog);
	IvfInitPage(*buf, page);
	return page;
}

static int CodebookPages(const IvfIndexInfo* info)
{
	int dim = info->type.dimensions;

	return info->quantization == ruvector::quantization::none
	           ? 0
	           : (dim + IVF_CODEBOOK_FLOATS_PER_PAGE - 1) / IVF_CODEBOOK_FLOATS_PER_PAGE;
}

static int DirectoryPages(const IvfIndexInfo* info)
{
	int perPage = (int) (IVF_PAGE_CAPACITY / info->listSize);

	return (info->lists + perPage - 1) / perPage;
}

/*
 * The pages the index will have: the structure, and each list's rows packed
 * with at most one page per list not full. The row count is exact after the
 * sampling pass and the planner's estimate otherwise (flat without
 * quantization samples nothing); a wrong one costs only extra growth steps or
 * blocks given back.
 */
static BlockNumber EstimatePages(const IvfBuildState* state)
{
	const IvfIndexInfo* info = &state->info;
	double rows = state->sampleTarget > 0 ? (double) state->seen : Max(state->heap->rd_rel->reltuples, 0);
	double perPage = (double) (IVF_PAGE_CAPACITY / info->entrySize);
	double pages = 1 + CodebookPages(info) + DirectoryPages(info) + std::ceil(rows / perPage) + Min(rows, info->lists);

	return (BlockNumber) Min(pages, (double) (MaxBlockNumber / 2));
}

/* Meta page, codebook and list directory (empty lists) */
static void WriteStructure(IvfBuildState* state, ForkNumber forkNum)
{
	IvfIndexInfo* info = &state->info;
	IvfMetaPageData* meta = &state->meta;
	int dim = info->type.dimensions;
	int codebookPages = CodebookPages(info);
	Buffer buf;
	GenericXLogState* xlog;

	memset(meta, 0, sizeof(*meta));
	meta->magicNumber = IVF_MAGIC_NUMBER;
	meta->version = IVF_VERSION;
	meta->dimensions = dim;
	meta->lists = info->lists;
	meta->hasCentroids = !info->flat;
	meta->quantization = (uint8) info->quantization;
	meta->entrySize = (uint16) info->entrySize;
	meta->scale = info->scale;
	meta->codebookStart = codebookPages > 0 ? IVF_METAPAGE_BLKNO + 1 : InvalidBlockNumber;
	meta->directoryStart = IVF_METAPAGE_BLKNO + 1 + codebookPages;

	Page page = StartStructurePage(state, forkNum, &buf, &xlog);
	*IvfPageGetMeta(page) = *meta;
	((PageHeader) page)->pd_lower = MAXALIGN(SizeOfPageHeaderData) + sizeof(IvfMetaPageData);
	IvfFinishPageChange(buf, xlog);

	for (int done = 0; done < dim && codebookPages > 0; done += IVF_CODEBOOK_FLOATS_PER_PAGE) {
		int count = Min(dim - done, IVF_CODEBOOK_FLOATS_PER_PAGE);

		page = StartStructurePage(state, forkNum, &buf, &xlog);
		if (info->offset != NULL)
			memcpy(PageGetContents(page), info->offset + done, sizeof(float) * count);
		else
			memset(PageGetContents(page), 0, sizeof(float) * count);
		((PageHeader) page)->pd_lower = MAXALIGN(SizeOfPageHeaderData) + sizeof(float) * count;
		IvfFinishPageChange(buf, xlog);
	}

	int perPage = (int) (IVF_PAGE_CAPACITY / info->listSize);
	IvfList list = (IvfList) palloc0(info->listSize);
	for (int first = 0; first < info->lists; first += perPage) {
		page = StartStructurePage(state, forkNum, &buf, &xlog);
		for (int i = first; i < Min(info->lists, first + perPage); i++) {
			list->startPage = InvalidBlockNumber;
			list->insertPage = InvalidBlockNumber;
			if (!info->flat && state->centroids != NULL)
				memcpy(list->centroid, state->centroids + (Size) i * info->type.space.bytes, info->type.space.bytes);
			memcpy((char*) page + ((PageHeader) page)->pd_lower, list, info->listSize);
			((PageHeader) page)->pd_lower += info->listSize;
		}
		IvfFinishPageChange(buf, xlog);
	}
	pfree(list);
}

static void BuildCallback(Relation index, ItemPointer tid, Datum* values, bool* isnull, bool tupleIsAlive,
                          void* callbackState)
{
	IvfBuildState* state = (IvfBuildState*) callbackState;
	IvfIndexInfo* info = &state->info;

	if (isnull[0])
		return;

	MemoryContext oldCtx = MemoryContextSwitchTo(state->tmpCtx);
	if (HnswPrepareValue(&info->type, values[0], state->value)) {
		int list = info->flat ? 0 : IvfNearestList(info, state->centroids, state->value);
		IvfEntry entry = (IvfEntry) state->entry;

		entry->heaptid = *tid;
		IvfEncode(info, state->value, state->scratch, entry->data);
		IvfAppendEntry(state->index, info, &state->meta, list, state->entry, &state->growth);
		state->indtuples++;
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) state->indtuples);
	}
	MemoryContextSwitchTo(oldCtx);
	MemoryContextReset(state->tmpCtx);
}

static void InitBuildState(IvfBuildState* state, Relation heap, Relation index, bool flat)
{
	memset(state, 0, sizeof(*state));
	state->heap = heap;
	state->index = index;
	IvfInitIndexInfo(&state->info, index, flat, flat ? 1 : IvfGetLists(index), IvfGetQuantization(index));

	IvfIndexInfo* info = &state->info;
	if (info->type.dimensions < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("column does not have dimensions")));
	if (info->type.dimensions > info->type.maxDimensions)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("column cannot have more than %d dimensions for %s index", info->type.maxDimensions,
		                       AmName(info))));
	if (info->quantization != ruvector::quantization::none && info->type.space.element == ruvector::element_kind::bit)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("quantization is not supported for bit columns"),
		                errhint("Use quantization = 'none': bits are already one bit per dimension.")));

	state->value = palloc0(info->type.space.bytes);
	state->scratch = (float*) palloc(sizeof(float) * Max(info->type.space.dim, 1));
	state->entry = (char*) palloc0(info->entrySize);
	state->tmpCtx = AllocSetContextCreate(CurrentMemoryContext, "Ivf build temporary context", ALLOCSET_DEFAULT_SIZES);
}

IndexBuildResult* IvfBuild(Relation heap, Relation index, IndexInfo* indexInfo, bool flat)
{
	IvfBuildState state;

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));

	InitBuildState(&state, heap, index, flat);
	SampleAndTrain(&state, indexInfo);
	RelationGrowthInit(&state.growth, index, EstimatePages(&state));
	WriteStructure(&state, MAIN_FORKNUM);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, PROGRESS_IVF_PHASE_LOAD);
	state.reltuples = table_index_build_scan(heap, index, indexInfo, true, true, BuildCallback, &state, NULL);
	RelationGrowthFinish(&state.growth);

	/* Pages were written without WAL: log them all at once */
	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);

	MemoryContextDelete(state.tmpCtx);

	IndexBuildResult* result = (IndexBuildResult*) palloc(sizeof(IndexBuildResult));
	result->heap_tuples = state.reltuples;
	result->index_tuples = state.indtuples;
	return result;
}

/* An unlogged table's index starts from its init fork: the structure of an empty index */
void IvfBuildEmpty(Relation index, bool flat)
{
	IvfBuildState state;

	InitBuildState(&state, NULL, index, flat);
	if (!flat) {
		state.centroids = (char*) palloc0(state.info.type.space.bytes * state.info.lists);
	}
	WriteStructure(&state, INIT_FORKNUM);
	MemoryContextDelete(state.tmpCtx);
}
