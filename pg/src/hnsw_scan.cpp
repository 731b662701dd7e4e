/*
 * hnsw_scan: ORDER BY <distance operator> LIMIT n. The first call searches the
 * graph (greedy descent, then a beam of hnsw.ef_search on layer 0); later calls
 * hand out the heap TIDs of the nearest elements in order.
 *
 * With hnsw.iterative_scan on, a scan whose rows ran out (a WHERE clause threw
 * them away) searches again with twice the beam and returns the elements it had
 * not returned yet, until hnsw.max_scan_tuples elements were visited, the
 * memory budget (work_mem * hnsw.scan_mem_multiplier) is spent, or the graph
 * has no more. relaxed_order returns them as found; strict_order drops those
 * nearer than a row already returned, so distances never decrease.
 *
 * A quantized index walks with distances estimated from codes; each batch is
 * then sorted by a lower bound of every element's exact distance, which goes
 * to the executor with xs_recheckorderby: it computes the exact distances and
 * reorders, so rows come back in exact order with exact distances. Within a
 * batch the bounds ascend; across the batches of an iterative scan they may
 * not (relaxed_order: the order is then only nearly exact), and strict_order
 * drops elements whose bound is below the last one returned, so what the
 * executor sees still ascends.
 */
extern "C" {
#include "postgres.h"

#include "access/relscan.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <new>

#include "hnsw.h"
#include "vector.h"

typedef struct HnswResultTids {
	int count;
	ItemPointerData tids[ruvector::hnsw_max_payloads];
} HnswResultTids;

typedef struct HnswScanOpaqueData {
	HnswTypeInfo typeInfo;
	MemoryContext tmpCtx; /* everything of one scan; reset on rescan */

	/* The current batch: nearest elements of the last search, ascending, and their heap TIDs */
	bool searched;
	uint32 ef;
	ruvector::candidate_list* results;
	HnswResultTids* resultTids;
	size_t nextResult;
	/* The graph the scan walks, chosen at its first search: the backend's copy or the pages */
	HnswGraphCache* cache;
	HnswCachedGraph* cachedGraph;
	HnswPageGraph* graph;
	void* query;  /* as the space stores vectors */
	bool recheck; /* distances are lower bounds: the executor re-checks them */

	/* Heap TIDs of the element being returned */
	ItemPointerData heaptids[ruvector::hnsw_max_payloads];
	int heaptidCount;
	int nextHeaptid;
	float distance; /* the element's (a lower bound when rechecking) */

	/* Iterative scans: what was returned, and how much was visited */
	HnswIdSet returned;
	uint64 visitedTotal;
	float lastDistance;
} HnswScanOpaqueData;
typedef HnswScanOpaqueData* HnswScanOpaque;

IndexScanDesc hnswbeginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	HnswScanOpaque so = (HnswScanOpaque) palloc0(sizeof(HnswScanOpaqueData));

	HnswGetIndexInfo(index, &so->typeInfo);
	/* Where lower bounds go for the executor's re-check; RelationGetIndexScan leaves them to the AM */
	scan->xs_orderbyvals = (Datum*) palloc0(sizeof(Datum) * Max(norderbys, 1));
	scan->xs_orderbynulls = (bool*) palloc(sizeof(bool) * Max(norderbys, 1));
	memset(scan->xs_orderbynulls, true, sizeof(bool) * Max(norderbys, 1));
	so->tmpCtx = AllocSetContextCreate(CurrentMemoryContext, "Hnsw scan temporary context", ALLOCSET_DEFAULT_SIZES);
	scan->opaque = so;
	return scan;
}

void hnswrescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));

	if (so->cache != NULL)
		HnswCacheRelease(so->cache);
	MemoryContextReset(so->tmpCtx);
	HnswTypeInfo typeInfo = so->typeInfo;
	MemoryContext tmpCtx = so->tmpCtx;
	memset(so, 0, sizeof(HnswScanOpaqueData));
	so->typeInfo = typeInfo;
	so->tmpCtx = tmpCtx;
}

/*
 * The query as the space stores vectors. A NULL query orders nothing: every row
 * is equally far, so any rows will do and the all-zero vector finds some; so
 * does a query the space cannot take as is (a zero vector under cosine).
 */
static void* GetQuery(IndexScanDesc scan, HnswScanOpaque so)
{
	const HnswTypeInfo* info = &so->typeInfo;

	so->recheck = false;
	if (scan->orderByData->sk_flags & SK_ISNULL)
		return palloc0(info->space.bytes);

	Datum value = scan->orderByData->sk_argument;
	int dimensions = info->valueDimensions(value);
	if (dimensions != info->dimensions)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("different vector dimensions %d and %d", dimensions, info->dimensions)));
	/* A sparse query may have more non-zeros than an element can */
	Size bytes = info->space.bytes;
	if (info->valueBytes != NULL)
		bytes = Max(bytes, info->valueBytes(value));
	void* query = palloc0(bytes);
	if (!info->prepare(info, value, query))
		memset(query, 0, bytes);
	else
		so->recheck = info->codec.quantization != ruvector::quantization::none;
	return query;
}

/*
 * Search a graph from its entry: greedy descent, then a beam of so->ef on level
 * 0 from where the descent ended and from the entry point. A build makes every
 * element reachable from the entry point (not from every element), so a beam as
 * wide as the graph, as an iterative scan ends with, finds every element.
 */
template <class Graph>
static void SearchGraph(HnswScanOpaque so, Graph* graph, uint64 entryId, int entryLevel)
{
	ruvector::hnsw_search_scratch* scratch =
	    new (palloc(sizeof(ruvector::hnsw_search_scratch))) ruvector::hnsw_search_scratch();
	ruvector::candidate_list* entries = new (palloc(sizeof(ruvector::candidate_list))) ruvector::candidate_list();
	ruvector::hnsw_candidate entry = {graph->distance_to_query(entryId), entryId};

	graph->ResetVisited();
	graph->mark_visited(entryId);
	so->results->push_back(entry);

	for (int level = entryLevel; level >= 0; level--) {
		uint32 ef = level > 0 ? 1 : so->ef;

		entries->clear();
		for (size_t i = 0; i < so->results->size(); i++)
			entries->push_back((*so->results)[i]);
		if (level == 0 && (*entries)[0].id != entryId)
			entries->push_back(entry);
		so->visitedTotal += graph->VisitedCount();
		graph->ResetVisited();
		for (size_t i = 0; i < entries->size(); i++)
			graph->mark_visited((*entries)[i].id);
		ruvector::hnsw_search_layer(*graph, entries->data(), entries->size(), ef, level, *scratch, *so->results);
	}
	so->visitedTotal += graph->VisitedCount();

	if (so->recheck) {
		for (size_t i = 0; i < so->results->size(); i++)
			(*so->results)[i].distance = graph->LowerBound((*so->results)[i].id);
		ruvector::sort_candidates(so->results->data(), so->results->size());
	}
	so->resultTids = (HnswResultTids*) palloc(sizeof(HnswResultTids) * so->results->size());
	for (size_t i = 0; i < so->results->size(); i++)
		so->resultTids[i].count = graph->ReadHeapTids((*so->results)[i].id, so->resultTids[i].tids);
	graph->ReleasePins();
}

/*
 * Search the graph with a beam of so->ef, filling so->results and their heap
 * TIDs. Under the scan lock: vacuum frees deleted elements (for reuse) only when
 * no walk can stand on them. The first search picks the graph: the backend's
 * copy when one is current, else the pages; later (wider) searches keep it, so
 * element ids stay comparable across batches.
 */
static void SearchLocked(IndexScanDesc scan, HnswScanOpaque so)
{
	Relation index = scan->indexRelation;
	HnswMetaPageData meta;

	HnswReadMeta(index, &meta);
	if (so->results == NULL)
		so->results = new (palloc(sizeof(ruvector::candidate_list))) ruvector::candidate_list();
	so->results->clear();
	so->nextResult = 0;
	if (!BlockNumberIsValid(meta.entryBlkno))
		return;

	if (so->graph == NULL && so->cachedGraph == NULL) {
		so->query = GetQuery(scan, so);
		so->cache = HnswCacheAcquire(index, &so->typeInfo, &meta);
		if (so->cache != NULL) {
			so->cachedGraph = new (palloc(sizeof(HnswCachedGraph))) HnswCachedGraph(so->cache, &so->typeInfo);
			so->cachedGraph->SetQuery(so->query);
		} else {
			so->graph = new (palloc(sizeof(HnswPageGraph))) HnswPageGraph(index, &so->typeInfo, meta.m);
			so->graph->SetQuery(so->query);
		}
	}

	if (so->cachedGraph != NULL)
		SearchGraph(so, so->cachedGraph, so->cachedGraph->EntryId(), so->cachedGraph->EntryLevel());
	else {
		ItemPointerData entryTid;

		ItemPointerSet(&entryTid, meta.entryBlkno, meta.entryOffno);
		SearchGraph(so, so->graph, HnswTidToId(&entryTid), meta.entryLevel);
	}
}

static void Search(IndexScanDesc scan, HnswScanOpaque so)
{
	LockPage(scan->indexRelation, HNSW_SCAN_LOCK, ShareLock);
	SearchLocked(scan, so);
	UnlockPage(scan->indexRelation, HNSW_SCAN_LOCK, ShareLock);
}

/*
 * Search again with a wider beam, if iterative scans are on and the limits
 * allow; false when the scan is over.
 */
static bool NextBatch(IndexScanDesc scan, HnswScanOpaque so)
{
	if (hnsw_iterative_scan == HNSW_ITERATIVE_SCAN_OFF)
		return false;
	/* The last search saw fewer elements than its beam: it reached all it can */
	if (so->results->size() < so->ef)
		return false;
	if (so->visitedTotal >= (uint64) hnsw_max_scan_tuples)
		return false;
	if ((double) MemoryContextMemAllocated(so->tmpCtx, true) > work_mem * 1024.0 * hnsw_scan_mem_multiplier)
		return false;

	so->ef = (uint32) Min((uint64) so->ef * 2, (uint64) hnsw_max_scan_tuples);
	Search(scan, so);
	return true;
}

/* Return the next heap TID, nearest first */
bool hnswgettuple(IndexScanDesc scan, ScanDirection dir)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	MemoryContext oldCtx = MemoryContextSwitchTo(so->tmpCtx);
	bool iterative = hnsw_iterative_scan != HNSW_ITERATIVE_SCAN_OFF;

	/*
	 * Without an order the scan would return only the ef_search rows near some
	 * point, not every row: refuse (PostgreSQL 18 plans this when seqscan is off
	 * and the ORDER BY folds to a constant).
	 */
	if (scan->orderByData == NULL)
		elog(ERROR, "cannot scan hnsw index without order");

	if (!so->searched) {
		so->ef = (uint32) hnsw_ef_search;
		so->lastDistance = -get_float4_infinity();
		Search(scan, so);
		so->searched = true;
	}

	while (so->nextHeaptid >= so->heaptidCount) {
		if (so->nextResult >= so->results->size()) {
			if (!NextBatch(scan, so))
				break;
			continue;
		}

		HnswResultTids* tids = &so->resultTids[so->nextResult];
		ruvector::hnsw_candidate next = (*so->results)[so->nextResult++];
		if (iterative) {
			if (so->returned.slots == NULL)
				HnswIdSetInit(&so->returned);
			if (!HnswIdSetAdd(&so->returned, next.id))
				continue;
			if (hnsw_iterative_scan == HNSW_ITERATIVE_SCAN_STRICT && next.distance < so->lastDistance)
				continue;
			so->lastDistance = next.distance;
		}
		/* Elements whose rows are all deleted hold no TIDs and are passed over */
		so->heaptidCount = tids->count;
		so->distance = next.distance;
		memcpy(so->heaptids, tids->tids, sizeof(ItemPointerData) * tids->count);
		so->nextHeaptid = 0;
		CHECK_FOR_INTERRUPTS();
	}
	if (so->nextHeaptid >= so->heaptidCount) {
		MemoryContextSwitchTo(oldCtx);
		return false;
	}

	scan->xs_heaptid = so->heaptids[so->nextHeaptid++];
	scan->xs_recheck = false;
	scan->xs_recheckorderby = so->recheck;
	if (so->recheck) {
		/* float8 may be passed by reference (PGlite): the datum lives in the scan's context */
		scan->xs_orderbyvals[0] = Float8GetDatum((double) so->distance);
		scan->xs_orderbynulls[0] = false;
	}
	MemoryContextSwitchTo(oldCtx);
	return true;
}

void hnswendscan(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	if (so->cache != NULL)
		HnswCacheRelease(so->cache);
	MemoryContextDelete(so->tmpCtx);
	pfree(so);
	scan->opaque = NULL;
}
