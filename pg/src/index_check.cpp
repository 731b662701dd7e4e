/*
 * ruvector_index_check(index regclass): walk every page of a ruvector index (hnsw,
 * flat or ivfflat), like amcheck, and raise ERRCODE_INDEX_CORRUPTED at the first
 * inconsistency; returns what it counted. Takes a ShareLock on the index, so writers
 * wait while it runs and the walk sees one consistent index.
 */
extern "C" {
#include "postgres.h"

#include "access/relation.h"
#include "catalog/pg_class.h"
#include "funcapi.h"
#include "storage/lmgr.h"
#include "utils/rel.h"
}

#include "hnsw.h"
#include "index_check.h"
#include "ivf.h"

extern "C" {
PG_FUNCTION_INFO_V1(ruvector_index_check);
}

Datum ruvector_index_check(PG_FUNCTION_ARGS)
{
	Relation index = relation_open(PG_GETARG_OID(0), ShareLock);
	IndexCheckReport report = {};
	bool isIndex = index->rd_rel->relkind == RELKIND_INDEX && index->rd_indam != NULL;

	if (isIndex && index->rd_indam->ambuild == hnswbuild)
		HnswCheckIndex(index, &report);
	else if (isIndex && (index->rd_indam->ambuild == ivfflatbuild || index->rd_indam->ambuild == flatbuild))
		IvfCheckIndex(index, &report);
	else
		ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
		                errmsg("\"%s\" is not a ruvector index", RelationGetRelationName(index))));
	relation_close(index, ShareLock);

	TupleDesc desc;
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "ruvector_index_check must return a record");
	desc = BlessTupleDesc(desc);
	Datum values[5] = {Int64GetDatum(report.pages), Int64GetDatum(report.elements), Int64GetDatum(report.deleted),
	                   Int64GetDatum(report.heapTids), Int64GetDatum(report.links)};
	bool nulls[5] = {false, false, false, false, false};
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
