/*
 * ruvector_index_check(index regclass): walk every page of a ruvector index (hnsw,
 * flat or ivfflat), like amcheck, and raise ERRCODE_INDEX_CORRUPTED at the first
 * inconsistency; returns what it counted. Takes a ShareLock on the index, so writers
 * wait while it runs and the walk sees one consistent index. On a hot standby no lock
 * holds off the one writer, WAL replay, and ShareLock cannot be taken: there the check
 * runs only while replay is paused.
 */
extern "C" {
#include "postgres.h"

#include "access/relation.h"
#include "access/xlog.h"
#include "catalog/pg_class.h"
#include "funcapi.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
}

#include "hnsw.h"
#include "index_check.h"
#include "ivf.h"

extern "C" {
PG_FUNCTION_INFO_V1(ruvector_index_check);
}

/*
 * The lock that keeps writers out during the walk. On a standby, replay must be paused
 * (asked through pg_get_wal_replay_pause_state(): PGlite, never in recovery, does not
 * export the recovery functions behind it).
 */
static LOCKMODE IndexCheckLockMode(void)
{
	if (!RecoveryInProgress())
		return ShareLock;

	FmgrInfo pauseState;
	fmgr_info(F_PG_GET_WAL_REPLAY_PAUSE_STATE, &pauseState);
	char* state = text_to_cstring(DatumGetTextPP(FunctionCall0Coll(&pauseState, InvalidOid)));
	if (strcmp(state, "paused") != 0)
		ereport(ERROR,
		        (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		         errmsg("ruvector_index_check needs WAL replay paused during recovery"),
		         errdetail("WAL replay is \"%s\" and could change the index while the check reads it.", state),
		         errhint("Run SELECT pg_wal_replay_pause(), then the check, then SELECT pg_wal_replay_resume().")));
	return AccessShareLock;
}

Datum ruvector_index_check(PG_FUNCTION_ARGS)
{
	LOCKMODE lockmode = IndexCheckLockMode();
	Relation index = relation_open(PG_GETARG_OID(0), lockmode);
	IndexCheckReport report = {};
	bool isIndex = index->rd_rel->relkind == RELKIND_INDEX && index->rd_indam != NULL;

	if (isIndex && index->rd_indam->ambuild == hnswbuild)
		HnswCheckIndex(index, &report);
	else if (isIndex && (index->rd_indam->ambuild == ivfflatbuild || index->rd_indam->ambuild == flatbuild))
		IvfCheckIndex(index, &report);
	else
		ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
		                errmsg("\"%s\" is not a ruvector index", RelationGetRelationName(index))));
	relation_close(index, lockmode);

	TupleDesc desc;
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "ruvector_index_check must return a record");
	desc = BlessTupleDesc(desc);
	Datum values[5] = {Int64GetDatum(report.pages), Int64GetDatum(report.elements), Int64GetDatum(report.deleted),
	                   Int64GetDatum(report.heapTids), Int64GetDatum(report.links)};
	bool nulls[5] = {false, false, false, false, false};
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
