/*
 * hnsw: the access method handler, options, settings, cost estimate and the
 * type information that tells the graph code how to compute distances.
 */
extern "C" {
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/reloptions.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "utils/guc.h"
#include "utils/selfuncs.h"
#include "utils/spccache.h"
#include "utils/varbit.h"
}

#include "halfvec.h"
#include "hnsw.h"
#include "index_am.h"
#include "index_quantization.h"
#include "ruvector/half.hpp"
#include "ruvector/sparse.hpp"
#include "sparsevec.h"
#include "vector.h"

/* bit distances (bitvec.cpp), recognised in operator classes */
extern "C" {
Datum hamming_distance(PG_FUNCTION_ARGS);
Datum jaccard_distance(PG_FUNCTION_ARGS);
}

int hnsw_ef_search = HNSW_DEFAULT_EF_SEARCH;
int hnsw_iterative_scan = HNSW_ITERATIVE_SCAN_OFF;
int hnsw_max_scan_tuples = HNSW_DEFAULT_MAX_SCAN_TUPLES;
double hnsw_scan_mem_multiplier = HNSW_DEFAULT_SCAN_MEM_MULTIPLIER;

static const struct config_enum_entry hnsw_iterative_scan_options[] = {
    {"off", HNSW_ITERATIVE_SCAN_OFF, false},
    {"relaxed_order", HNSW_ITERATIVE_SCAN_RELAXED, false},
    {"strict_order", HNSW_ITERATIVE_SCAN_STRICT, false},
    {NULL, 0, false},
};
static relopt_kind hnsw_relopt_kind;

extern "C" {
PG_FUNCTION_INFO_V1(hnswhandler);
}

/* Register the options and settings; called once from _PG_init */
void HnswInit(void)
{
	hnsw_relopt_kind = add_reloption_kind();
	add_int_reloption(hnsw_relopt_kind, "m", "Max number of connections", HNSW_DEFAULT_M, HNSW_MIN_M, HNSW_MAX_M,
	                  AccessExclusiveLock);
	add_int_reloption(hnsw_relopt_kind, "ef_construction", "Size of the dynamic candidate list for construction",
	                  HNSW_DEFAULT_EF_CONSTRUCTION, HNSW_MIN_EF_CONSTRUCTION, HNSW_MAX_EF_CONSTRUCTION,
	                  AccessExclusiveLock);
	add_string_reloption(hnsw_relopt_kind, "quantization", INDEX_QUANTIZATION_OPTION_DESC, "none",
	                     IndexValidateQuantization, AccessExclusiveLock);

	DefineCustomIntVariable("hnsw.ef_search", "Sets the size of the dynamic candidate list for search",
	                        "Valid range is 1..1000.", &hnsw_ef_search, HNSW_DEFAULT_EF_SEARCH, HNSW_MIN_EF_SEARCH,
	                        HNSW_MAX_EF_SEARCH, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("hnsw.iterative_scan", "Sets the mode for iterative scans", NULL, &hnsw_iterative_scan,
	                         HNSW_ITERATIVE_SCAN_OFF, hnsw_iterative_scan_options, PGC_USERSET, 0, NULL, NULL, NULL);
	/* The upper bound is as pgvector's: a scan may visit every tuple */
	DefineCustomIntVariable("hnsw.max_scan_tuples", "Sets the max number of tuples to visit for iterative scans", NULL,
	                        &hnsw_max_scan_tuples, HNSW_DEFAULT_MAX_SCAN_TUPLES, 1, INT_MAX, PGC_USERSET, 0, NULL, NULL,
	                        NULL);
	DefineCustomRealVariable("hnsw.scan_mem_multiplier", "Sets the multiple of work_mem to use for iterative scans",
	                         NULL, &hnsw_scan_mem_multiplier, HNSW_DEFAULT_SCAN_MEM_MULTIPLIER, 1, 1000, PGC_USERSET, 0,
	                         NULL, NULL, NULL);
	MarkGUCPrefixReserved("hnsw");
	HnswCacheDefineSettings();
	MarkGUCPrefixReserved("ruvector");
}

static bytea* hnswoptions(Datum reloptions, bool validate)
{
	static const relopt_parse_elt table[] = {
	    {"m", RELOPT_TYPE_INT, offsetof(HnswOptions, m)},
	    {"ef_construction", RELOPT_TYPE_INT, offsetof(HnswOptions, ef_construction)},
	    {"quantization", RELOPT_TYPE_STRING, offsetof(HnswOptions, quantizationOffset)},
	};

	return (bytea*) build_reloptions(reloptions, validate, hnsw_relopt_kind, sizeof(HnswOptions), table,
	                                 lengthof(table));
}

int HnswGetM(Relation index)
{
	HnswOptions* options = (HnswOptions*) index->rd_options;

	return options ? options->m : HNSW_DEFAULT_M;
}

int HnswGetEfConstruction(Relation index)
{
	HnswOptions* options = (HnswOptions*) index->rd_options;

	return options ? options->ef_construction : HNSW_DEFAULT_EF_CONSTRUCTION;
}

ruvector::quantization HnswGetQuantization(Relation index)
{
	HnswOptions* options = (HnswOptions*) index->rd_options;

	return IndexGetQuantization(options, options ? options->quantizationOffset : 0);
}

/* vector columns: float32 elements, stored as they are or as unit vectors */
static int VectorDimensions(Datum value)
{
	return DatumGetVector(value)->dim;
}

static bool PrepareVector(const HnswTypeInfo* info, Datum value, void* out)
{
	Vector* vector = DatumGetVector(value);
	float* stored = (float*) out;

	if (!info->normalize) {
		memcpy(stored, vector->x, sizeof(float) * vector->dim);
		return true;
	}

	double norm = ruvector::norm_f32(vector->x, vector->dim);
	if (norm == 0)
		return false;
	for (int i = 0; i < vector->dim; i++)
		stored[i] = (float) (vector->x[i] / norm);
	return true;
}

/* halfvec columns: float16 elements; unit vectors are rounded back to halves, as pgvector's l2_normalize */
static int HalfvecDimensions(Datum value)
{
	return DatumGetHalfVector(value)->dim;
}

static bool PrepareHalfvec(const HnswTypeInfo* info, Datum value, void* out)
{
	HalfVector* vector = DatumGetHalfVector(value);
	uint16* stored = (uint16*) out;

	if (!info->normalize) {
		memcpy(stored, vector->x, sizeof(uint16) * vector->dim);
		return true;
	}

	double norm = ruvector::norm_f16(vector->x, vector->dim);
	if (norm == 0)
		return false;
	for (int i = 0; i < vector->dim; i++)
		stored[i] = ruvector::f32_to_f16((float) (ruvector::f16_to_f32(vector->x[i]) / norm));
	return true;
}

/* bit columns: the bits as they are, most significant first */
static int BitDimensions(Datum value)
{
	return VARBITLEN(DatumGetVarBitP(value));
}

static bool PrepareBit(const HnswTypeInfo* info, Datum value, void* out)
{
	VarBit* bits = DatumGetVarBitP(value);

	memcpy(out, VARBITS(bits), VARBITBYTES(bits));
	return true;
}

/* sparsevec columns: the non-zeros as a sparse blob, its size theirs */
static int SparsevecDimensions(Datum value)
{
	return DatumGetSparseVector(value)->dim;
}

static Size SparsevecBytes(Datum value)
{
	return ruvector::sparse_blob_bytes(DatumGetSparseVector(value)->nnz);
}

static bool PrepareSparsevec(const HnswTypeInfo* info, Datum value, void* out)
{
	SparseVector* vector = DatumGetSparseVector(value);
	const float* values = SPARSEVEC_VALUES(vector);
	ruvector::sparse_blob_arrays stored = ruvector::start_sparse_blob(out, vector->nnz);

	memcpy(stored.indices, vector->indices, sizeof(int32) * vector->nnz);
	if (!info->normalize) {
		memcpy(stored.values, values, sizeof(float) * vector->nnz);
		return true;
	}

	double norm = 0;
	for (int i = 0; i < vector->nnz; i++)
		norm += (double) values[i] * values[i];
	norm = sqrt(norm);
	if (norm == 0)
		return false;
	for (int i = 0; i < vector->nnz; i++)
		stored.values[i] = (float) (values[i] / norm);
	return true;
}

/*
 * The operator classes hnsw knows, by their distance function (support function
 * 1): its address says which type and metric, with no catalog lookups and no
 * name matching. Cosine classes share inner product's function and add a norm
 * function (support function 2): their vectors are normalised.
 */
typedef struct HnswOpclassInfo {
	PGFunction distance;
	ruvector::element_kind element;
	ruvector::metric metric; /* inner_product becomes cosine with a norm function */
	int maxDimensions;
	int (*valueDimensions)(Datum value);
	bool (*prepare)(const HnswTypeInfo* info, Datum value, void* out);
	Size (*valueBytes)(Datum value);
} HnswOpclassInfo;

static const HnswOpclassInfo hnsw_opclasses[] = {
    {vector_l2_squared_distance, ruvector::element_kind::f32, ruvector::metric::l2, HNSW_MAX_VECTOR_DIM,
     VectorDimensions, PrepareVector},
    {vector_negative_inner_product, ruvector::element_kind::f32, ruvector::metric::inner_product, HNSW_MAX_VECTOR_DIM,
     VectorDimensions, PrepareVector},
    {l1_distance, ruvector::element_kind::f32, ruvector::metric::l1, HNSW_MAX_VECTOR_DIM, VectorDimensions,
     PrepareVector},
    {halfvec_l2_squared_distance, ruvector::element_kind::f16, ruvector::metric::l2, HNSW_MAX_HALFVEC_DIM,
     HalfvecDimensions, PrepareHalfvec},
    {halfvec_negative_inner_product, ruvector::element_kind::f16, ruvector::metric::inner_product, HNSW_MAX_HALFVEC_DIM,
     HalfvecDimensions, PrepareHalfvec},
    {halfvec_l1_distance, ruvector::element_kind::f16, ruvector::metric::l1, HNSW_MAX_HALFVEC_DIM, HalfvecDimensions,
     PrepareHalfvec},
    {hamming_distance, ruvector::element_kind::bit, ruvector::metric::hamming, HNSW_MAX_BIT_DIM, BitDimensions,
     PrepareBit},
    {jaccard_distance, ruvector::element_kind::bit, ruvector::metric::jaccard, HNSW_MAX_BIT_DIM, BitDimensions,
     PrepareBit},
    {sparsevec_l2_squared_distance, ruvector::element_kind::sparse, ruvector::metric::l2, SPARSEVEC_MAX_DIM,
     SparsevecDimensions, PrepareSparsevec, SparsevecBytes},
    {sparsevec_negative_inner_product, ruvector::element_kind::sparse, ruvector::metric::inner_product,
     SPARSEVEC_MAX_DIM, SparsevecDimensions, PrepareSparsevec, SparsevecBytes},
    {sparsevec_l1_distance, ruvector::element_kind::sparse, ruvector::metric::l1, SPARSEVEC_MAX_DIM,
     SparsevecDimensions, PrepareSparsevec, SparsevecBytes},
};

void HnswGetTypeInfo(Relation index, HnswTypeInfo* info)
{
	FmgrInfo* distance = index_getprocinfo(index, 1, HNSW_DISTANCE_PROC);
	bool hasNorm = OidIsValid(index_getprocid(index, 1, HNSW_NORM_PROC));
	const HnswOpclassInfo* opclass = NULL;

	for (size_t i = 0; i < lengthof(hnsw_opclasses) && opclass == NULL; i++) {
		if (hnsw_opclasses[i].distance == distance->fn_addr)
			opclass = &hnsw_opclasses[i];
	}
	if (opclass == NULL)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("operator class of index \"%s\" has a distance function hnsw does not support",
		                       RelationGetRelationName(index))));

	ruvector::metric metric = opclass->metric;
	if (hasNorm && metric == ruvector::metric::inner_product)
		metric = ruvector::metric::cosine;
	info->dimensions = TupleDescAttr(index->rd_att, 0)->atttypmod;
	info->maxDimensions = opclass->maxDimensions;
	info->normalize = hasNorm;
	info->valueDimensions = opclass->valueDimensions;
	info->prepare = opclass->prepare;
	info->valueBytes = opclass->valueBytes;
	/* A column without dimensions gets no space: the build refuses it. A sparse space's size is its non-zeros */
	size_t spaceDimensions =
	    opclass->element == ruvector::element_kind::sparse ? HNSW_MAX_SPARSE_NNZ : (size_t) Max(info->dimensions, 0);
	info->space = ruvector::make_space(opclass->element, metric, spaceDimensions);
	HnswInitCodec(info, ruvector::quantization::none);
}

/*
 * A scan does all its work before returning the first row: it measures about
 * ef_search * m elements on layer 0 (each expanded element's links, many seen
 * before) plus m per upper layer. Charge those as index tuples through the
 * generic estimate, then price their pages as sequential reads: a graph walk
 * keeps returning to the same hot pages, unlike the random heap fetches the
 * generic estimate assumes.
 */
static void hnswcostestimate(PlannerInfo* root, IndexPath* path, double loop_count, Cost* indexStartupCost,
                             Cost* indexTotalCost, Selectivity* indexSelectivity, double* indexCorrelation,
                             double* indexPages)
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
	Relation indexRel = index_open(index->indexoid, NoLock);
	int m = HnswGetM(indexRel);
	index_close(indexRel, NoLock);

	double tuples = Max(index->tuples, 1.0);
	double levels = log(tuples) / log((double) m);
	MemSet(&costs, 0, sizeof(costs));
	costs.numIndexTuples = Min(tuples, (double) hnsw_ef_search * m + levels * m);
	genericcostestimate(root, path, loop_count, &costs);

	double randomPageCost;
	double seqPageCost;
	get_tablespace_page_costs(index->reltablespace, &randomPageCost, &seqPageCost);
	Cost cost = costs.indexTotalCost - costs.numIndexPages * Max(randomPageCost - seqPageCost, 0.0);

	*indexStartupCost = cost;
	*indexTotalCost = cost;
	*indexSelectivity = costs.indexSelectivity;
	*indexCorrelation = 0;
	*indexPages = costs.numIndexPages;
}

static bool hnswvalidate(Oid opclassoid)
{
	return true;
}

static char* hnswbuildphasename(int64 phasenum)
{
	switch (phasenum) {
		case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
			return (char*) "initializing";
		case PROGRESS_HNSW_PHASE_LOAD:
			return (char*) "loading tuples";
		case PROGRESS_HNSW_PHASE_WRITE:
			return (char*) "writing graph";
		default:
			return NULL;
	}
}

/* The access method: what PostgreSQL calls for CREATE INDEX ... USING hnsw */
Datum hnswhandler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine* amroutine = makeNode(IndexAmRoutine);

	SetOrderByOperatorCapabilities(amroutine);

	amroutine->ambuild = hnswbuild;
	amroutine->ambuildempty = hnswbuildempty;
	amroutine->aminsert = hnswinsert;
	amroutine->ambulkdelete = hnswbulkdelete;
	amroutine->amvacuumcleanup = hnswvacuumcleanup;
	amroutine->amcanreturn = NULL;
	amroutine->amcostestimate = hnswcostestimate;
	amroutine->amoptions = hnswoptions;
	amroutine->amproperty = NULL;
	amroutine->ambuildphasename = hnswbuildphasename;
	amroutine->amvalidate = hnswvalidate;
	amroutine->amadjustmembers = NULL;
	amroutine->ambeginscan = hnswbeginscan;
	amroutine->amrescan = hnswrescan;
	amroutine->amgettuple = hnswgettuple;
	amroutine->amgetbitmap = NULL;
	amroutine->amendscan = hnswendscan;
	amroutine->ammarkpos = NULL;
	amroutine->amrestrpos = NULL;
	amroutine->amestimateparallelscan = NULL;
	amroutine->aminitparallelscan = NULL;
	amroutine->amparallelrescan = NULL;

	PG_RETURN_POINTER(amroutine);
}
