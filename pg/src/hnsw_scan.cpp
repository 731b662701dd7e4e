/*
 * hnsw_scan: ORDER BY <distance operator> LIMIT n. The first call searches the
 * graph (greedy descent, then a beam of hnsw.ef_search on layer 0); later calls
 * hand out the heap TIDs of the nearest elements in order.
 */
extern "C" {
#include "postgres.h"

#include "access/relscan.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <new>

#include "hnsw.h"
#include "vector.h"

typedef struct HnswScanOpaqueData {
	HnswTypeInfo typeInfo;
	bool searched;
	ruvector::candidate_list* results; /* nearest elements, ascending */
	size_t nextResult;
	HnswPageGraph* graph;
	ItemPointerData heaptids[ruvector::hnsw_max_payloads];
	int heaptidCount;
	int nextHeaptid;
	MemoryContext tmpCtx; /* everything of one search; reset on rescan */
} HnswScanOpaqueData;
typedef HnswScanOpaqueData* HnswScanOpaque;

IndexScanDesc hnswbeginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	HnswScanOpaque so = (HnswScanOpaque) palloc0(sizeof(HnswScanOpaqueData));

	HnswGetTypeInfo(index, &so->typeInfo);
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

	so->searched = false;
	so->results = NULL;
	so->graph = NULL;
	so->nextResult = 0;
	so->heaptidCount = 0;
	so->nextHeaptid = 0;
	MemoryContextReset(so->tmpCtx);
}

/*
 * The query as the graph stores vectors. A NULL query orders nothing: every row
 * is equally far, so any rows will do and the zero vector finds some.
 */
static float* GetQuery(IndexScanDesc scan, HnswScanOpaque so)
{
	int dim = so->typeInfo.dimensions;
	float* query = (float*) palloc0(sizeof(float) * dim);

	if (scan->orderByData->sk_flags & SK_ISNULL)
		return query;

	Vector* vector = DatumGetVector(scan->orderByData->sk_argument);
	if (vector->dim != dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION), errmsg("different vector dimensions %d and %d", vector->dim, dim)));
	if (!HnswPrepareValue(&so->typeInfo, scan->orderByData->sk_argument, query))
		memset(query, 0, sizeof(float) * dim);
	return query;
}

static void Search(IndexScanDesc scan, HnswScanOpaque so)
{
	Relation index = scan->indexRelation;
	HnswMetaPageData meta;

	HnswReadMeta(index, &meta);
	so->results = new (palloc(sizeof(ruvector::candidate_list))) ruvector::candidate_list();
	if (!BlockNumberIsValid(meta.entryBlkno))
		return;

	so->graph = new (palloc(sizeof(HnswPageGraph))) HnswPageGraph(index, &so->typeInfo, meta.m);
	ruvector::hnsw_search_scratch* scratch =
		new (palloc(sizeof(ruvector::hnsw_search_scratch))) ruvector::hnsw_search_scratch();
	ruvector::candidate_list* entries = new (palloc(sizeof(ruvector::candidate_list))) ruvector::candidate_list();
	HnswPageGraph* graph = so->graph;
	ItemPointerData entryTid;

	graph->SetQuery(GetQuery(scan, so));
	ItemPointerSet(&entryTid, meta.entryBlkno, meta.entryOffno);
	uint64 entryId = HnswTidToId(&entryTid);
	graph->mark_visited(entryId);
	so->results->push_back({graph->distance_to_query(entryId), entryId});

	for (int level = meta.entryLevel; level >= 0; level--) {
		uint32 ef = level > 0 ? 1 : (uint32) hnsw_ef_search;

		entries->clear();
		for (size_t i = 0; i < so->results->size(); i++)
			entries->push_back((*so->results)[i]);
		graph->ResetVisited();
		for (size_t i = 0; i < entries->size(); i++)
			graph->mark_visited((*entries)[i].id);
		ruvector::hnsw_search_layer(*graph, entries->data(), entries->size(), ef, level, *scratch, *so->results);
	}
}

/* Return the next heap TID, nearest first */
bool hnswgettuple(IndexScanDesc scan, ScanDirection dir)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;
	MemoryContext oldCtx = MemoryContextSwitchTo(so->tmpCtx);

	/*
	 * Without an order the scan would return only the ef_search rows near some
	 * point, not every row: refuse (PostgreSQL 18 plans this when seqscan is off
	 * and the ORDER BY folds to a constant).
	 */
	if (scan->orderByData == NULL)
		elog(ERROR, "cannot scan hnsw index without order");

	if (!so->searched) {
		Search(scan, so);
		so->searched = true;
	}

	/* Elements whose rows are all deleted hold no TIDs and are passed over */
	while (so->nextHeaptid >= so->heaptidCount && so->nextResult < so->results->size()) {
		so->heaptidCount = so->graph->ReadHeapTids((*so->results)[so->nextResult++].id, so->heaptids);
		so->nextHeaptid = 0;
	}
	MemoryContextSwitchTo(oldCtx);

	if (so->nextHeaptid >= so->heaptidCount)
		return false;

	scan->xs_heaptid = so->heaptids[so->nextHeaptid++];
	scan->xs_recheck = false;
	scan->xs_recheckorderby = false;
	return true;
}

void hnswendscan(IndexScanDesc scan)
{
	HnswScanOpaque so = (HnswScanOpaque) scan->opaque;

	MemoryContextDelete(so->tmpCtx);
	pfree(so);
	scan->opaque = NULL;
}
