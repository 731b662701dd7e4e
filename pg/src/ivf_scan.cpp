/*
 * ivf_scan: ORDER BY <distance operator> LIMIT n over flat and ivfflat. The
 * first call measures every entry of the lists to probe (all of them for flat;
 * for ivfflat the ivfflat.probes lists whose centroids are nearest), reading the
 * vectors or codes in place on the pages, and keeps the IVF_FIRST_ROWS nearest
 * (distance, heap TID) pairs; each call then returns the next nearest. Rows
 * come in order of distance, then heap TID, so that order is one total order.
 *
 * Most queries want a LIMIT of a few rows, which an index never learns; keeping
 * only the first rows spares a heap of every row. A scan that wants more (a
 * WHERE clause threw rows away, or the executor re-checks many) measures the
 * same lists again and keeps every row after the last one returned.
 *
 * Without quantization the distances are exact and the rows come out in order.
 * With it (and for cosine, whose index holds unit vectors), each distance is a
 * lower bound of the row's exact distance, and xs_recheckorderby makes the
 * executor compute the exact one and reorder (see ivf.h).
 *
 * With ivfflat.iterative_scan = relaxed_order, a scan whose rows ran out (a WHERE
 * clause threw them away) probes the next lists, up to ivfflat.max_probes.
 */
extern "C" {
#include "postgres.h"

#include "access/relscan.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include "ivf.h"

#include <cmath>

/* A row measured: its distance as an ordered key (DistanceKey), and its heap TID */
typedef struct IvfCandidate {
	uint32 key;
	ItemPointerData tid;
} IvfCandidate;

/* Rows kept by a scan's first pass over its lists */
#define IVF_FIRST_ROWS 256

typedef struct IvfScanOpaqueData {
	IvfIndexInfo info;
	IvfMetaPageData meta;
	MemoryContext tmpCtx; /* everything of one scan; reset on rescan */

	bool started;
	bool ordered; /* false for a NULL query (or a zero one under cosine): any order will do */
	bool recheck; /* distances are lower bounds: the executor re-checks */

	/* The query as the space stores vectors, and as the quantizer compares it */
	void* query;
	ruvector::sq8_query sq8;
	ruvector::binary_query binary;
	float* queryFloats;

	/* ivfflat: lists nearest first; the lists of this pass (in probe order) [listsFirst, listsRead) */
	int* listOrder;
	int listsFirst;
	int listsRead;

	/*
	 * A pass keeps the rows after `after` (all when !hasAfter), at most `limit`
	 * of them, as a max-heap while it measures; then a min-heap the calls pop.
	 * `more`: the pass left rows out, so a next pass over the same lists starts
	 * after the last row this one kept.
	 */
	Size limit;
	bool hasAfter;
	IvfCandidate after;
	bool more;
	IvfCandidate* heap;
	Size heapCount;
	Size heapCapacity;
} IvfScanOpaqueData;
typedef IvfScanOpaqueData* IvfScanOpaque;

/*
 * A float as an unsigned key in the same order (PostgreSQL's order for float8:
 * NaN after everything, -0 equal to 0), so that ties and NaN order one way.
 */
static inline uint32 DistanceKey(float distance)
{
	uint32 bits;

	if (std::isnan(distance))
		return PG_UINT32_MAX;
	if (distance == 0)
		distance = 0;
	memcpy(&bits, &distance, sizeof(bits));
	return (bits & 0x80000000) != 0 ? ~bits : bits | 0x80000000;
}

static inline float KeyDistance(uint32 key)
{
	uint32 bits = (key & 0x80000000) != 0 ? key & 0x7fffffff : ~key;
	float distance;

	memcpy(&distance, &bits, sizeof(distance));
	return distance;
}

/* Whether a comes before b: nearer, or as near with a lower heap TID */
static inline bool Before(const IvfCandidate& a, const IvfCandidate& b)
{
	if (a.key != b.key)
		return a.key < b.key;
	BlockNumber blockA = ItemPointerGetBlockNumberNoCheck(&a.tid);
	BlockNumber blockB = ItemPointerGetBlockNumberNoCheck(&b.tid);
	if (blockA != blockB)
		return blockA < blockB;
	return ItemPointerGetOffsetNumberNoCheck(&a.tid) < ItemPointerGetOffsetNumberNoCheck(&b.tid);
}

/* Restore the heap below i: the first row on top (a min-heap), or the last (a max-heap) */
template <bool firstOnTop>
static void SiftDown(IvfCandidate* heap, Size count, Size i)
{
	IvfCandidate item = heap[i];

	for (;;) {
		Size child = 2 * i + 1;
		if (child >= count)
			break;
		if (child + 1 < count &&
		    (firstOnTop ? Before(heap[child + 1], heap[child]) : Before(heap[child], heap[child + 1])))
			child++;
		if (!(firstOnTop ? Before(heap[child], item) : Before(item, heap[child])))
			break;
		heap[i] = heap[child];
		i = child;
	}
	heap[i] = item;
}

template <bool firstOnTop>
static void Heapify(IvfScanOpaque so)
{
	for (Size i = so->heapCount / 2; i-- > 0;)
		SiftDown<firstOnTop>(so->heap, so->heapCount, i);
}

static IvfCandidate PopNearest(IvfScanOpaque so)
{
	IvfCandidate top = so->heap[0];

	so->heap[0] = so->heap[--so->heapCount];
	if (so->heapCount > 0)
		SiftDown<true>(so->heap, so->heapCount, 0);
	return top;
}

IndexScanDesc ivfbeginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	IvfScanOpaque so = (IvfScanOpaque) palloc0(sizeof(IvfScanOpaqueData));

	IvfLoadIndexInfo(&so->info, index, &so->meta);
	/* Where lower bounds go for the executor's re-check; RelationGetIndexScan leaves them to the AM */
	scan->xs_orderbyvals = (Datum*) palloc0(sizeof(Datum) * Max(norderbys, 1));
	scan->xs_orderbynulls = (bool*) palloc(sizeof(bool) * Max(norderbys, 1));
	memset(scan->xs_orderbynulls, true, sizeof(bool) * Max(norderbys, 1));
	so->tmpCtx = AllocSetContextCreate(CurrentMemoryContext, "Ivf scan temporary context", ALLOCSET_DEFAULT_SIZES);
	scan->opaque = so;
	return scan;
}

void ivfrescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;

	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));

	MemoryContextReset(so->tmpCtx);
	so->started = false;
	so->query = NULL;
	so->listOrder = NULL;
	so->listsFirst = 0;
	so->listsRead = 0;
	so->heap = NULL;
	so->heapCount = 0;
	so->heapCapacity = 0;
}

/* The query as the space stores vectors, and prepared for the quantizer; false when it orders nothing */
static bool PrepareQuery(IndexScanDesc scan, IvfScanOpaque so)
{
	IvfIndexInfo* info = &so->info;
	const HnswTypeInfo* type = &info->type;

	so->query = palloc0(type->space.bytes);
	if (scan->orderByData->sk_flags & SK_ISNULL)
		return false;

	Datum value = scan->orderByData->sk_argument;
	int dimensions = type->valueDimensions(value);
	if (dimensions != type->dimensions)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("different vector dimensions %d and %d", dimensions, type->dimensions)));
	if (!type->prepare(type, value, so->query))
		return false;

	size_t dim = type->space.dim;
	ruvector::metric metric = type->space.kind;
	if (info->quantization != ruvector::quantization::none) {
		so->queryFloats = (float*) palloc(sizeof(float) * dim);
		IvfValueToFloats(info, so->query, so->queryFloats);
	}
	if (info->quantization == ruvector::quantization::sq8) {
		ruvector::sq8_codebook book{info->offset, info->scale, dim};
		so->sq8.code = (int8*) palloc(dim);
		ruvector::sq8_prepare_query(book, metric, so->queryFloats, so->sq8);
	} else if (info->quantization == ruvector::quantization::binary) {
		ruvector::binary_codebook book{info->offset, dim};
		so->binary.table =
		    (float*) palloc_extended(sizeof(float) * ruvector::binary_query_table_floats(dim), MCXT_ALLOC_HUGE);
		ruvector::binary_prepare_query(book, metric, so->queryFloats, so->binary);
	}
	return true;
}

static void AddCandidate(IvfScanOpaque so, float distance, const ItemPointerData* tid)
{
	IvfCandidate row{DistanceKey(distance), *tid};

	if (so->hasAfter && !Before(so->after, row))
		return; /* returned by an earlier pass */
	if (so->heapCount == so->limit) {
		/* The row or the farthest kept one is left out: most rows end here at the first comparison */
		so->more = true;
		if (Before(row, so->heap[0])) {
			so->heap[0] = row;
			SiftDown<false>(so->heap, so->heapCount, 0);
		}
		return;
	}
	if (so->heapCount == so->heapCapacity) {
		so->heapCapacity = Min(Max(so->heapCapacity * 2, 1024), so->limit);
		Size bytes = sizeof(IvfCandidate) * so->heapCapacity;
		so->heap = so->heap == NULL ? (IvfCandidate*) palloc_extended(bytes, MCXT_ALLOC_HUGE)
		                            : (IvfCandidate*) repalloc_huge(so->heap, bytes);
	}
	so->heap[so->heapCount++] = row;
	if (so->heapCount == so->limit)
		Heapify<false>(so);
}

/* Rows measured per kernel call: a page's entries, or a slice of a copy */
#define IVF_MEASURE_CHUNK 256

/*
 * The distance to the query (or a lower bound of it) of each row, given its
 * entry's terms and code: row i's at base + i * stride (entries on a page, or
 * a copy's rows).
 */
static void MeasureRows(IvfScanOpaque so, const char* base, Size stride, int count, float* out)
{
	const IvfIndexInfo* info = &so->info;
	const ruvector::vector_space& space = info->type.space;
	ruvector::metric metric = space.kind;

	if (!so->ordered) {
		for (int i = 0; i < count; i++)
			out[i] = 0;
		return;
	}

	switch (info->quantization) {
		case ruvector::quantization::none:
			/*
			 * The rows in place: bit through the bit batch kernels, the rest one pair kernel call per row, not the
			 * space's gather: under V8 the SIMD128 gather streams a 30 MB scan about 2x slower than the pair kernel
			 * row by row (docs/PERFORMANCE.md). Either way the same bits as a pair call.
			 */
			space.strided_distances(so->query, base, stride, count, out);
			/* Unit vectors in the index: 1 - dot is the cosine distance up to rounding */
			for (int i = 0; so->recheck && i < count; i++)
				out[i] = ruvector::lower_bound_of({out[i], 0, 1});
			break;
		case ruvector::quantization::sq8: {
			ruvector::sq8_codebook book{info->offset, info->scale, space.dim};
			for (int i = 0; i < count; i++) {
				const char* row = base + i * stride;
				const ruvector::sq8_terms* terms = (const ruvector::sq8_terms*) row;
				const int8* code = (const int8*) (row + info->termsBytes);

				out[i] = ruvector::lower_bound_of(ruvector::sq8_query_distance(book, metric, so->sq8, code, *terms));
			}
			break;
		}
		case ruvector::quantization::binary: {
			ruvector::binary_codebook book{info->offset, space.dim};
			for (int i = 0; i < count; i++) {
				const char* row = base + i * stride;
				const ruvector::binary_terms* terms = (const ruvector::binary_terms*) row;
				const uint8* code = (const uint8*) (row + info->termsBytes);

				out[i] =
				    ruvector::lower_bound_of(ruvector::binary_query_distance(book, metric, so->binary, code, *terms));
			}
			break;
		}
	}
}

/* Every entry of one page */
static void MeasurePage(IvfScanOpaque so, Page page)
{
	Size entrySize = so->info.entrySize;
	int count = IvfPageEntryCount(page, entrySize);
	float distances[IVF_MEASURE_CHUNK];

	for (int first = 0; first < count; first += IVF_MEASURE_CHUNK) {
		int n = Min(count - first, IVF_MEASURE_CHUNK);

		MeasureRows(so, IvfPageEntry(page, entrySize, first)->data, entrySize, n, distances);
		for (int i = 0; i < n; i++)
			AddCandidate(so, distances[i], &IvfPageEntry(page, entrySize, first + i)->heaptid);
	}
}

/* Every entry of a backend's copy of a flat index (flat_cache.cpp) */
static void MeasureCopy(IvfScanOpaque so, const FlatCopy* copy)
{
	uint32 count = FlatCopyCount(copy);
	float distances[IVF_MEASURE_CHUNK];

	for (uint32 first = 0; first < count; first += IVF_MEASURE_CHUNK) {
		int n = (int) Min(count - first, (uint32) IVF_MEASURE_CHUNK);

		MeasureRows(so, FlatCopyData(copy, first), FlatCopyStride(copy), n, distances);
		for (int i = 0; i < n; i++)
			AddCandidate(so, distances[i], FlatCopyTid(copy, first + i));
		CHECK_FOR_INTERRUPTS();
	}
}

/* Read one list's pages, first to last */
static void MeasureList(IndexScanDesc scan, IvfScanOpaque so, int list)
{
	Relation index = scan->indexRelation;
	BlockNumber blkno = IvfListStart(index, &so->meta, &so->info, list);

	/* A damaged chain must end in an error, not loop: no list has more pages than the index */
	BlockNumber knownBlocks = RelationGetNumberOfBlocks(index);
	BlockNumber walked = 0;
	while (BlockNumberIsValid(blkno)) {
		if (blkno >= knownBlocks || walked >= knownBlocks)
			knownBlocks = RelationGetNumberOfBlocks(index);
		if (blkno >= knownBlocks || ++walked > knownBlocks)
			ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
			                errmsg("index \"%s\" is corrupted: list %d loops or leaves the index at block %u",
			                       RelationGetRelationName(index), list, blkno),
			                errhint("REINDEX the index.")));
		Buffer buf = ReadBuffer(index, blkno);

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		MeasurePage(so, page);
		blkno = IvfPageGetOpaque(page)->nextblkno;
		UnlockReleaseBuffer(buf);
		CHECK_FOR_INTERRUPTS();
	}
}

typedef struct IvfListDistance {
	float distance;
	int list;
} IvfListDistance;

static int CompareListDistances(const void* a, const void* b)
{
	float da = ((const IvfListDistance*) a)->distance;
	float db = ((const IvfListDistance*) b)->distance;

	return da < db ? -1 : (da > db ? 1 : ((const IvfListDistance*) a)->list - ((const IvfListDistance*) b)->list);
}

/* ivfflat: every list, nearest centroid first */
static void OrderLists(IndexScanDesc scan, IvfScanOpaque so)
{
	const IvfIndexInfo* info = &so->info;
	int perPage = (int) (IVF_PAGE_CAPACITY / info->listSize);
	IvfListDistance* distances = (IvfListDistance*) palloc(sizeof(IvfListDistance) * info->lists);

	for (int first = 0; first < info->lists; first += perPage) {
		Buffer buf = ReadBuffer(scan->indexRelation, so->meta.directoryStart + first / perPage);

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		for (int i = first; i < Min(info->lists, first + perPage); i++) {
			IvfList list = (IvfList) (PageGetContents(page) + (Size) (i - first) * info->listSize);

			distances[i].distance = so->ordered ? info->type.space(so->query, list->centroid) : 0;
			distances[i].list = i;
		}
		UnlockReleaseBuffer(buf);
	}
	qsort(distances, info->lists, sizeof(IvfListDistance), CompareListDistances);
	so->listOrder = (int*) palloc(sizeof(int) * info->lists);
	for (int i = 0; i < info->lists; i++)
		so->listOrder[i] = distances[i].list;
	pfree(distances);
}

/*
 * One pass over the lists [listsFirst, listsRead) (flat: its one list, from the
 * backend's copy when there is one), keeping the first `limit` rows after
 * `after`; then the kept rows become the min-heap the calls pop.
 */
static void MeasurePass(IndexScanDesc scan, IvfScanOpaque so, bool firstPass)
{
	const IvfIndexInfo* info = &so->info;

	so->heapCount = 0;
	so->more = false;
	if (info->flat) {
		/* The change count as of now: the meta page was read when the scan began, maybe many rescans ago */
		IvfReadMeta(scan->indexRelation, &so->meta);
		const FlatCopy* copy = FlatCacheAcquire(scan->indexRelation, info, &so->meta, firstPass);
		if (copy != NULL)
			MeasureCopy(so, copy);
		else
			MeasureList(scan, so, 0);
	} else {
		for (int i = so->listsFirst; i < so->listsRead; i++)
			MeasureList(scan, so, so->listOrder[i]);
	}
	if (so->more)
		so->after = so->heap[0]; /* the farthest kept: heapCount == limit, a max-heap */
	Heapify<true>(so);
}

/* The first pass over the lists from listsFirst up to `upTo` (in probe order) */
static void StartPass(IndexScanDesc scan, IvfScanOpaque so, int upTo)
{
	so->listsFirst = so->listsRead;
	so->listsRead = upTo;
	so->limit = IVF_FIRST_ROWS;
	so->hasAfter = false;
	MeasurePass(scan, so, true);
}

static void StartScan(IndexScanDesc scan, IvfScanOpaque so)
{
	const IvfIndexInfo* info = &so->info;

	so->ordered = PrepareQuery(scan, so);
	so->recheck = so->ordered && (info->quantization != ruvector::quantization::none || info->type.normalize);
	if (info->flat) {
		StartPass(scan, so, 1);
		return;
	}
	OrderLists(scan, so);
	StartPass(scan, so, Min(ivfflat_probes, info->lists));
}

/*
 * The pass's rows are all returned: if it left rows out, every row after them
 * from the same lists; else, for ivfflat's iterative scan, the lists up to
 * max_probes. False when there is nothing more.
 */
static bool NextPass(IndexScanDesc scan, IvfScanOpaque so)
{
	if (so->more) {
		so->limit = SIZE_MAX;
		so->hasAfter = true;
		MeasurePass(scan, so, false);
		return true;
	}
	if (so->info.flat || ivfflat_iterative_scan == IVFFLAT_ITERATIVE_SCAN_OFF)
		return false;
	int upTo = Min(Max(ivfflat_max_probes, ivfflat_probes), so->info.lists);
	if (so->listsRead >= upTo)
		return false;
	StartPass(scan, so, upTo);
	return true;
}

/* Return the next heap TID, nearest first */
bool ivfgettuple(IndexScanDesc scan, ScanDirection dir)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;
	MemoryContext oldCtx = MemoryContextSwitchTo(so->tmpCtx);

	/* As hnsw: without an order there is nothing this index can do */
	if (scan->orderByData == NULL)
		elog(ERROR, "cannot scan %s index without order", so->info.flat ? "flat" : "ivfflat");

	if (!so->started) {
		StartScan(scan, so);
		so->started = true;
	}
	while (so->heapCount == 0) {
		if (!NextPass(scan, so)) {
			MemoryContextSwitchTo(oldCtx);
			return false;
		}
	}

	IvfCandidate next = PopNearest(so);
	scan->xs_heaptid = next.tid;
	scan->xs_recheck = false;
	scan->xs_recheckorderby = so->recheck;
	if (so->recheck) {
		/* float8 may be passed by reference (PGlite): the datum lives in the scan's context */
		scan->xs_orderbyvals[0] = Float8GetDatum((double) KeyDistance(next.key));
		scan->xs_orderbynulls[0] = false;
	}
	MemoryContextSwitchTo(oldCtx);
	return true;
}

void ivfendscan(IndexScanDesc scan)
{
	IvfScanOpaque so = (IvfScanOpaque) scan->opaque;

	MemoryContextDelete(so->tmpCtx);
	pfree(so);
	scan->opaque = NULL;
}
