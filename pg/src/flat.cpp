/*
 * flat: the access method handler, options and cost estimate of flat, an exact
 * scan over compact index pages: one ivf list that every scan reads whole.
 */
extern "C" {
#include "postgres.h"

#include "access/reloptions.h"
}

#include "index_quantization.h"
#include "ivf.h"

static relopt_kind flat_relopt_kind;

extern "C" {
PG_FUNCTION_INFO_V1(flathandler);
}

/* Register the options; called once from _PG_init */
void FlatInit(void)
{
	flat_relopt_kind = add_reloption_kind();
	add_string_reloption(flat_relopt_kind, "quantization", INDEX_QUANTIZATION_OPTION_DESC, "none",
	                     IndexValidateQuantization, AccessExclusiveLock);
	FlatCacheDefineSettings();
}

static bytea* flatoptions(Datum reloptions, bool validate)
{
	static const relopt_parse_elt table[] = {
	    {"quantization", RELOPT_TYPE_STRING, offsetof(IvfOptions, quantizationOffset)},
	};

	return (bytea*) build_reloptions(reloptions, validate, flat_relopt_kind, sizeof(IvfOptions), table,
	                                 lengthof(table));
}

/* Every entry is measured */
static void flatcostestimate(PlannerInfo* root, IndexPath* path, double loop_count, Cost* indexStartupCost,
                             Cost* indexTotalCost, Selectivity* indexSelectivity, double* indexCorrelation,
                             double* indexPages)
{
	IvfCostEstimate(root, path, loop_count, indexStartupCost, indexTotalCost, indexSelectivity, indexCorrelation,
	                indexPages, 1.0);
}

IndexBuildResult* flatbuild(Relation heap, Relation index, IndexInfo* indexInfo)
{
	return IvfBuild(heap, index, indexInfo, true);
}

void flatbuildempty(Relation index)
{
	IvfBuildEmpty(index, true);
}

/* The access method: what PostgreSQL calls for CREATE INDEX ... USING flat */
Datum flathandler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine* amroutine = makeNode(IndexAmRoutine);

	IvfFillAmRoutine(amroutine);
	amroutine->ambuild = flatbuild;
	amroutine->ambuildempty = flatbuildempty;
	amroutine->amcostestimate = flatcostestimate;
	amroutine->amoptions = flatoptions;
	PG_RETURN_POINTER(amroutine);
}
