/*
 * ivfflat: the access method handler, options, settings and cost estimate of
 * ivfflat (pgvector-compatible), and what it shares with flat.
 */
extern "C" {
#include "postgres.h"

#include <float.h>

#include "access/reloptions.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "optimizer/optimizer.h"
#include "utils/guc.h"
#include "utils/selfuncs.h"
#include "utils/spccache.h"
}

#include "index_am.h"
#include "index_quantization.h"
#include "ivf.h"

int ivfflat_probes = IVFFLAT_DEFAULT_PROBES;
int ivfflat_iterative_scan = IVFFLAT_ITERATIVE_SCAN_OFF;
int ivfflat_max_probes = IVFFLAT_MAX_LISTS;

static const struct config_enum_entry ivfflat_iterative_scan_options[] = {
    {"off", IVFFLAT_ITERATIVE_SCAN_OFF, false},
    {"relaxed_order", IVFFLAT_ITERATIVE_SCAN_RELAXED, false},
    {NULL, 0, false},
};
static relopt_kind ivfflat_relopt_kind;

extern "C" {
PG_FUNCTION_INFO_V1(ivfflathandler);
}

/* Register the options and settings; called once from _PG_init */
void IvfflatInit(void)
{
	ivfflat_relopt_kind = add_reloption_kind();
	add_int_reloption(ivfflat_relopt_kind, "lists", "Number of inverted lists", IVFFLAT_DEFAULT_LISTS,
	                  IVFFLAT_MIN_LISTS, IVFFLAT_MAX_LISTS, AccessExclusiveLock);
	add_string_reloption(ivfflat_relopt_kind, "quantization", INDEX_QUANTIZATION_OPTION_DESC, "none",
	                     IndexValidateQuantization, AccessExclusiveLock);

	DefineCustomIntVariable("ivfflat.probes", "Sets the number of probes", "Valid range is 1..lists.", &ivfflat_probes,
	                        IVFFLAT_DEFAULT_PROBES, IVFFLAT_MIN_LISTS, IVFFLAT_MAX_LISTS, PGC_USERSET, 0, NULL, NULL,
	                        NULL);
	DefineCustomEnumVariable("ivfflat.iterative_scan", "Sets the mode for iterative scans", NULL,
	                         &ivfflat_iterative_scan, IVFFLAT_ITERATIVE_SCAN_OFF, ivfflat_iterative_scan_options,
	                         PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("ivfflat.max_probes", "Sets the max number of probes for iterative scans", NULL,
	                        &ivfflat_max_probes, IVFFLAT_MAX_LISTS, IVFFLAT_MIN_LISTS, IVFFLAT_MAX_LISTS, PGC_USERSET,
	                        0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("ivfflat");
}

static bytea* ivfflatoptions(Datum reloptions, bool validate)
{
	static const relopt_parse_elt table[] = {
	    {"lists", RELOPT_TYPE_INT, offsetof(IvfOptions, lists)},
	    {"quantization", RELOPT_TYPE_STRING, offsetof(IvfOptions, quantizationOffset)},
	};

	return (bytea*) build_reloptions(reloptions, validate, ivfflat_relopt_kind, sizeof(IvfOptions), table,
	                                 lengthof(table));
}

/*
 * A scan does all its work before the first row: it reads `fraction` of the
 * entries, page after page, and runs one kernel per entry (no function call
 * through fmgr, so one operator cost each).
 */
void IvfCostEstimate(PlannerInfo* root, IndexPath* path, double loop_count, Cost* indexStartupCost,
                     Cost* indexTotalCost, Selectivity* indexSelectivity, double* indexCorrelation, double* indexPages,
                     double fraction)
{
	GenericCosts costs;

	/* Only an ORDER BY on the distance operator can use the index */
	if (path->indexorderbys == NIL) {
		*indexStartupCost = DBL_MAX;
		*indexTotalCost = DBL_MAX;
		*indexSelectivity = 0;
		*indexCorrelation = 0;
		*indexPages = 0;
		return;
	}

	IndexOptInfo* index = path->indexinfo;
	MemSet(&costs, 0, sizeof(costs));
	costs.numIndexTuples = Max(index->tuples, 1.0) * fraction;
	genericcostestimate(root, path, loop_count, &costs);

	/*
	 * The planner charges a sequential scan for the table's own pages only, not for the TOAST pages it reads to
	 * compute each distance when the vectors are stored out of line (vector has STORAGE external: from about 500
	 * dimensions). Charging the index's pages in full would make the much faster scan look ten times dearer
	 * there, so charge no more pages than the table's share the scan stands in for.
	 */
	double pages = Min(costs.numIndexPages, Max(index->rel->pages * fraction, 1.0));

	double randomPageCost;
	double seqPageCost;
	get_tablespace_page_costs(index->reltablespace, &randomPageCost, &seqPageCost);
	Cost cost = pages * seqPageCost + costs.numIndexTuples * cpu_operator_cost;

	*indexStartupCost = cost;
	*indexTotalCost = cost;
	*indexSelectivity = costs.indexSelectivity;
	*indexCorrelation = 0;
	*indexPages = costs.numIndexPages;
}

static void ivfflatcostestimate(PlannerInfo* root, IndexPath* path, double loop_count, Cost* indexStartupCost,
                                Cost* indexTotalCost, Selectivity* indexSelectivity, double* indexCorrelation,
                                double* indexPages)
{
	Relation index = index_open(path->indexinfo->indexoid, NoLock);
	int lists = IvfGetLists(index);
	index_close(index, NoLock);

	IvfCostEstimate(root, path, loop_count, indexStartupCost, indexTotalCost, indexSelectivity, indexCorrelation,
	                indexPages, Min(1.0, (double) ivfflat_probes / lists));
}

static bool ivfvalidate(Oid opclassoid)
{
	return true;
}

static char* ivfbuildphasename(int64 phasenum)
{
	switch (phasenum) {
		case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
			return (char*) "initializing";
		case PROGRESS_IVF_PHASE_SAMPLE:
			return (char*) "sampling";
		case PROGRESS_IVF_PHASE_KMEANS:
			return (char*) "performing k-means";
		case PROGRESS_IVF_PHASE_LOAD:
			return (char*) "loading tuples";
		default:
			return NULL;
	}
}

IndexBuildResult* ivfflatbuild(Relation heap, Relation index, IndexInfo* indexInfo)
{
	return IvfBuild(heap, index, indexInfo, false);
}

void ivfflatbuildempty(Relation index)
{
	IvfBuildEmpty(index, false);
}

/* What flat and ivfflat share: everything but build, options and cost */
void IvfFillAmRoutine(IndexAmRoutine* amroutine)
{
	SetOrderByOperatorCapabilities(amroutine);

	amroutine->aminsert = ivfinsert;
	amroutine->ambulkdelete = ivfbulkdelete;
	amroutine->amvacuumcleanup = ivfvacuumcleanup;
	amroutine->amcanreturn = NULL;
	amroutine->amproperty = NULL;
	amroutine->ambuildphasename = ivfbuildphasename;
	amroutine->amvalidate = ivfvalidate;
	amroutine->amadjustmembers = NULL;
	amroutine->ambeginscan = ivfbeginscan;
	amroutine->amrescan = ivfrescan;
	amroutine->amgettuple = ivfgettuple;
	amroutine->amgetbitmap = NULL;
	amroutine->amendscan = ivfendscan;
	amroutine->ammarkpos = NULL;
	amroutine->amrestrpos = NULL;
	amroutine->amestimateparallelscan = NULL;
	amroutine->aminitparallelscan = NULL;
	amroutine->amparallelrescan = NULL;
}

/* The access method: what PostgreSQL calls for CREATE INDEX ... USING ivfflat */
Datum ivfflathandler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine* amroutine = makeNode(IndexAmRoutine);

	IvfFillAmRoutine(amroutine);
	amroutine->ambuild = ivfflatbuild;
	amroutine->ambuildempty = ivfflatbuildempty;
	amroutine->amcostestimate = ivfflatcostestimate;
	amroutine->amoptions = ivfflatoptions;
	PG_RETURN_POINTER(amroutine);
}
