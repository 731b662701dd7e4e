/*
 * ruvector_index_check(regclass) (index_check.cpp): one walk per access method, each
 * raising ERRCODE_INDEX_CORRUPTED at the first inconsistency and counting what it saw.
 *
 * Include after postgres.h.
 */
#pragma once

extern "C" {
#include "utils/relcache.h"
}

typedef struct IndexCheckReport {
	int64 pages;
	int64 elements; /* hnsw: element tuples; flat/ivfflat: entries */
	int64 deleted;  /* hnsw: deleted or free elements; flat/ivfflat: 0 (vacuum removes entries) */
	int64 heapTids; /* heap TIDs of live elements or entries */
	int64 links;    /* hnsw: neighbour links; flat/ivfflat: lists */
} IndexCheckReport;

/* hnsw_check.cpp */
void HnswCheckIndex(Relation index, IndexCheckReport* report);
/* ivf_check.cpp: flat and ivfflat */
void IvfCheckIndex(Relation index, IndexCheckReport* report);
