/*
 * vector type: text and binary I/O, typmod, casts to and from arrays,
 * distances, element-wise arithmetic, comparison, and the avg/sum aggregates.
 *
 * Behaviour and error texts follow pgvector 0.8.7, so applications and
 * drivers see no difference; the distance sums are done by core's kernels.
 */
extern "C" {
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/varbit.h"
}

#include "ruvector/bits.hpp"
#include "ruvector/kernels.hpp"
#include "vector.h"
#include "vector_checks.h"
#include "vector_binary.h"
#include "dense_vector.h"
#include "vector_compare.h"
#include "vector_text.h"

extern "C" {
PG_FUNCTION_INFO_V1(vector_in);
PG_FUNCTION_INFO_V1(vector_out);
PG_FUNCTION_INFO_V1(vector_typmod_in);
PG_FUNCTION_INFO_V1(vector_recv);
PG_FUNCTION_INFO_V1(vector_send);
PG_FUNCTION_INFO_V1(vector);
PG_FUNCTION_INFO_V1(l2_distance);
PG_FUNCTION_INFO_V1(vector_l2_squared_distance);
PG_FUNCTION_INFO_V1(inner_product);
PG_FUNCTION_INFO_V1(vector_negative_inner_product);
PG_FUNCTION_INFO_V1(cosine_distance);
PG_FUNCTION_INFO_V1(l1_distance);
PG_FUNCTION_INFO_V1(vector_dims);
PG_FUNCTION_INFO_V1(vector_norm);
PG_FUNCTION_INFO_V1(l2_normalize);
PG_FUNCTION_INFO_V1(binary_quantize);
PG_FUNCTION_INFO_V1(subvector);
PG_FUNCTION_INFO_V1(vector_spherical_distance);
PG_FUNCTION_INFO_V1(vector_add);
PG_FUNCTION_INFO_V1(vector_sub);
PG_FUNCTION_INFO_V1(vector_mul);
PG_FUNCTION_INFO_V1(vector_concat);
PG_FUNCTION_INFO_V1(vector_accum);
PG_FUNCTION_INFO_V1(vector_combine);
PG_FUNCTION_INFO_V1(vector_avg);
PG_FUNCTION_INFO_V1(array_to_vector);
PG_FUNCTION_INFO_V1(vector_to_float4);
}

/* Raise the "too few / too many dimensions" errors */
static void CheckDim(int dim)
{
	CheckDimensions("vector", VECTOR_MAX_DIM, dim);
}

static void CheckElement(float value)
{
	CheckFiniteElement("vector", value);
}

Vector* InitVector(int dim)
{
	Size size = VECTOR_SIZE(dim);
	Vector* result = (Vector*) palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	return result;
}

/*
 * Parse '[1, 2.5, -3e-5]'. Elements are read with strtof, as float4in does,
 * so a decimal string rounds once, straight to the nearest float.
 */
Datum vector_in(PG_FUNCTION_ARGS)
{
	int32 typmod = PG_GETARG_INT32(2);
	int dim;
	float* values = ParseDenseVector(PG_GETARG_CSTRING(0), "vector", VECTOR_MAX_DIM, NULL, &dim);

	CheckExpectedDim(typmod, dim);
	Vector* result = InitVector(dim);
	memcpy(result->x, values, sizeof(float) * dim);
	pfree(values);
	PG_RETURN_VECTOR_P(result);
}

/* Print each element in the shortest form that reads back to the same float */
Datum vector_out(PG_FUNCTION_ARGS)
{
	Vector* vector = PG_GETARG_VECTOR_P(0);
	char* text = (char*) palloc(FLOAT_SHORTEST_DECIMAL_LEN * vector->dim + 2);
	char* p = text;

	*p++ = '[';
	for (int i = 0; i < vector->dim; i++) {
		if (i > 0)
			*p++ = ',';
		p += float_to_shortest_decimal_bufn(vector->x[i], p);
	}
	*p++ = ']';
	*p = '\0';

	PG_FREE_IF_COPY(vector, 0);
	PG_RETURN_CSTRING(text);
}

/* vector(n): one integer between 1 and VECTOR_MAX_DIM */
Datum vector_typmod_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(DimensionTypmod(PG_GETARG_ARRAYTYPE_P(0), "vector", VECTOR_MAX_DIM));
}

/* Binary input: int16 dim, int16 unused (0), then big-endian float4 elements */
Datum vector_recv(PG_FUNCTION_ARGS)
{
	StringInfo buffer = (StringInfo) PG_GETARG_POINTER(0);
	ruvector::binary_reader reader = BinaryReader(buffer);
	InputErrorDetails details = BinaryErrorDetails("vector", VECTOR_MAX_DIM, PG_GETARG_INT32(2));
	ruvector::binary_header header;
	ruvector::input_error error = ruvector::read_vector_header(reader, VECTOR_MAX_DIM, details.typmod, &header);

	if (error != ruvector::input_error::none)
		ReportBinaryError(error, details, header);
	Vector* result = InitVector(header.dim);
	error = ruvector::read_vector_elements(reader, header.dim, result->x);
	if (error != ruvector::input_error::none)
		ReportBinaryError(error, details, header);
	buffer->cursor += (int) reader.cursor;
	PG_RETURN_VECTOR_P(result);
}

Datum vector_send(PG_FUNCTION_ARGS)
{
	Vector* vector = PG_GETARG_VECTOR_P(0);
	StringInfoData buffer;

	pq_begintypsend(&buffer);
	pq_sendint16(&buffer, vector->dim);
	pq_sendint16(&buffer, vector->unused);
	for (int i = 0; i < vector->dim; i++)
		pq_sendfloat4(&buffer, vector->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}

/* Length coercion: vector -> vector(n) checks the dimensions */
Datum vector(PG_FUNCTION_ARGS)
{
	Vector* vector = PG_GETARG_VECTOR_P(0);

	CheckExpectedDim(PG_GETARG_INT32(1), vector->dim);
	PG_RETURN_VECTOR_P(vector);
}

/* Fetch both arguments of a two-vector function and check their dimensions */
static void GetVectorPair(FunctionCallInfo fcinfo, Vector** a, Vector** b)
{
	GetDensePair(fcinfo, "vector", a, b);
}

Datum l2_distance(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(DensePairDistance<Vector>(fcinfo, "vector", ruvector::l2_distance_f32));
}

/* Squared Euclidean distance: orders like l2_distance, without the square root */
Datum vector_l2_squared_distance(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(DensePairDistance<Vector>(fcinfo, "vector", ruvector::l2sq_f32));
}

Datum inner_product(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(DensePairDistance<Vector>(fcinfo, "vector", ruvector::dot_f32));
}

/* <#> is the negative inner product, so that ascending order means most similar */
Datum vector_negative_inner_product(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(-DensePairDistance<Vector>(fcinfo, "vector", ruvector::dot_f32));
}

Datum cosine_distance(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(DensePairDistance<Vector>(fcinfo, "vector", ruvector::cosine_distance_f32));
}

Datum l1_distance(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(DensePairDistance<Vector>(fcinfo, "vector", ruvector::l1_f32));
}

Datum vector_dims(PG_FUNCTION_ARGS)
{
	Vector* vector = PG_GETARG_VECTOR_P(0);

	PG_RETURN_INT32(vector->dim);
}

Datum vector_norm(PG_FUNCTION_ARGS)
{
	Vector* vector = PG_GETARG_VECTOR_P(0);

	PG_RETURN_FLOAT8(ruvector::norm_f32(vector->x, vector->dim));
}

/* Unit vector in the same direction; the zero vector stays zero. The norm is taken in double, as pgvector does */
Datum l2_normalize(PG_FUNCTION_ARGS)
{
	Vector* a = PG_GETARG_VECTOR_P(0);
	double norm = ruvector::norm_f32(a->x, a->dim);
	Vector* result = InitVector(a->dim);

	if (norm > 0) {
		for (int i = 0; i < a->dim; i++)
			result->x[i] = (float) ((double) a->x[i] / norm);
	}
	PG_RETURN_VECTOR_P(result);
}

/* One bit per element, set when the element is positive: the input of bit_hamming_ops indexes */
Datum binary_quantize(PG_FUNCTION_ARGS)
{
	Vector* a = PG_GETARG_VECTOR_P(0);
	VarBit* result = (VarBit*) palloc(VARBITTOTALLEN(a->dim));

	SET_VARSIZE(result, VARBITTOTALLEN(a->dim));
	VARBITLEN(result) = a->dim;
	ruvector::binary_quantize_f32(a->x, a->dim, VARBITS(result));
	PG_RETURN_VARBIT_P(result);
}

/* count elements from the 1-based position start, clipped like substring() */
Datum subvector(PG_FUNCTION_ARGS)
{
	Vector* a = PG_GETARG_VECTOR_P(0);

	PG_RETURN_VECTOR_P(DenseSubvector(a, PG_GETARG_INT32(1), PG_GETARG_INT32(2), "vector", VECTOR_MAX_DIM, InitVector));
}

/* Angle between unit vectors as a fraction of pi: ivfflat's support for inner product and cosine */
Datum vector_spherical_distance(PG_FUNCTION_ARGS)
{
	double dot = DensePairDistance<Vector>(fcinfo, "vector", ruvector::dot_f32);

	/* Rounding can push the product of unit vectors slightly past +-1, outside acos's domain */
	if (dot > 1)
		dot = 1;
	else if (dot < -1)
		dot = -1;
	PG_RETURN_FLOAT8(acos(dot) / M_PI);
}

/*
 * The result of an element-wise operation. Inside an aggregate (sum's transition
 * and combine functions) the state, argument 0, is updated in place instead of
 * copied for every row, as PostgreSQL allows transition functions to do.
 */
static Vector* ElementwiseResult(FunctionCallInfo fcinfo, Vector* a)
{
	if (AggCheckCallContext(fcinfo, NULL))
		return a;
	return InitVector(a->dim);
}

/* An infinite result of + or - is an overflow: inputs are always finite */
static void CheckOverflow(const Vector* result)
{
	for (int i = 0; i < result->dim; i++) {
		if (isinf(result->x[i]))
			float_overflow_error();
	}
}

Datum vector_add(PG_FUNCTION_ARGS)
{
	Vector *a, *b;

	GetVectorPair(fcinfo, &a, &b);
	Vector* result = ElementwiseResult(fcinfo, a);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = a->x[i] + b->x[i];
	CheckOverflow(result);
	PG_RETURN_VECTOR_P(result);
}

Datum vector_sub(PG_FUNCTION_ARGS)
{
	Vector *a, *b;

	GetVectorPair(fcinfo, &a, &b);
	Vector* result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = a->x[i] - b->x[i];
	CheckOverflow(result);
	PG_RETURN_VECTOR_P(result);
}

/* Products also underflow: a zero from two non-zero factors is an error, as in float4mul */
Datum vector_mul(PG_FUNCTION_ARGS)
{
	Vector *a, *b;

	GetVectorPair(fcinfo, &a, &b);
	Vector* result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = a->x[i] * b->x[i];
	CheckOverflow(result);
	for (int i = 0; i < a->dim; i++) {
		if (result->x[i] == 0 && !(a->x[i] == 0 || b->x[i] == 0))
			float_underflow_error();
	}
	PG_RETURN_VECTOR_P(result);
}

Datum vector_concat(PG_FUNCTION_ARGS)
{
	PG_RETURN_VECTOR_P(DenseConcat(PG_GETARG_VECTOR_P(0), PG_GETARG_VECTOR_P(1), "vector", VECTOR_MAX_DIM, InitVector));
}

/* Element by element over the common prefix, then the shorter vector first; -0 equals 0 */
static int VectorCompare(FunctionCallInfo fcinfo)
{
	Vector* a = PG_GETARG_VECTOR_P(0);
	Vector* b = PG_GETARG_VECTOR_P(1);
	int dim = Min(a->dim, b->dim);

	for (int i = 0; i < dim; i++) {
		if (a->x[i] < b->x[i])
			return -1;
		if (a->x[i] > b->x[i])
			return 1;
	}
	return (a->dim > b->dim) - (a->dim < b->dim);
}

VECTOR_COMPARISON_FUNCTIONS(vector, VectorCompare)

/*
 * avg(vector)'s state is a float8[]: the row count, then the running sum of
 * each element in double. '{0}' (no elements yet) is the initial state. The
 * layout is pgvector's, so a state built by either extension reads the same.
 */
#define STATE_DIMS(array) (ARR_DIMS(array)[0] - 1)

/* A 1-D array of n elements of a fixed-size, by-value type: the layout construct_array builds */
static ArrayType* NewArray(int n, Oid elemtype, int elemsize)
{
	Size size = ARR_OVERHEAD_NONULLS(1) + (Size) n * elemsize;
	ArrayType* array = (ArrayType*) palloc0(size);

	SET_VARSIZE(array, size);
	array->ndim = 1;
	array->dataoffset = 0;
	array->elemtype = elemtype;
	ARR_DIMS(array)[0] = n;
	ARR_LBOUND(array)[0] = 1;
	return array;
}

/* Where to write the next state: the input state itself when an aggregate lets us update it in place */
static ArrayType* StateResult(FunctionCallInfo fcinfo, ArrayType* state)
{
	if (AggCheckCallContext(fcinfo, NULL))
		return state;
	return NewArray(STATE_DIMS(state) + 1, FLOAT8OID, sizeof(float8));
}

/* The sum of doubles overflows only to infinity; NaN cannot arise from finite vector elements */
static void CheckStateOverflow(const float8* values, int dim)
{
	for (int i = 1; i <= dim; i++) {
		if (isinf(values[i]))
			float_overflow_error();
	}
}

Datum vector_accum(PG_FUNCTION_ARGS)
{
	ArrayType* state = PG_GETARG_ARRAYTYPE_P(0);
	Vector* v = PG_GETARG_VECTOR_P(1);
	float8* values = CheckAggregateState(state, "vector_accum");
	float8 n = values[0] + 1.0;

	/* The first vector fixes the dimensions */
	if (STATE_DIMS(state) == 0) {
		ArrayType* result = NewArray(v->dim + 1, FLOAT8OID, sizeof(float8));
		float8* sums = (float8*) ARR_DATA_PTR(result);

		sums[0] = n;
		for (int i = 0; i < v->dim; i++)
			sums[i + 1] = (double) v->x[i];
		PG_RETURN_ARRAYTYPE_P(result);
	}

	CheckExpectedDim(STATE_DIMS(state), v->dim);
	ArrayType* result = StateResult(fcinfo, state);
	float8* sums = (float8*) ARR_DATA_PTR(result);

	sums[0] = n;
	for (int i = 0; i < v->dim; i++)
		sums[i + 1] = values[i + 1] + (double) v->x[i];
	CheckStateOverflow(sums, v->dim);
	PG_RETURN_ARRAYTYPE_P(result);
}

/* Merge two partial states (parallel aggregation); a state with no elements yet takes the other's */
Datum vector_combine(PG_FUNCTION_ARGS)
{
	ArrayType* state1 = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType* state2 = PG_GETARG_ARRAYTYPE_P(1);
	float8* values1 = CheckAggregateState(state1, "vector_combine");
	float8* values2 = CheckAggregateState(state2, "vector_combine");
	int dim1 = STATE_DIMS(state1);
	int dim2 = STATE_DIMS(state2);
	float8 n = values1[0] + values2[0];

	if (dim1 == 0 || dim2 == 0) {
		int dim = dim1 == 0 ? dim2 : dim1;
		const float8* from = dim1 == 0 ? values2 : values1;
		ArrayType* result = NewArray(dim + 1, FLOAT8OID, sizeof(float8));
		float8* sums = (float8*) ARR_DATA_PTR(result);

		sums[0] = n;
		memcpy(sums + 1, from + 1, sizeof(float8) * dim);
		PG_RETURN_ARRAYTYPE_P(result);
	}

	CheckExpectedDim(dim1, dim2);
	ArrayType* result = StateResult(fcinfo, state1);
	float8* sums = (float8*) ARR_DATA_PTR(result);

	sums[0] = n;
	for (int i = 1; i <= dim1; i++)
		sums[i] = values1[i] + values2[i];
	CheckStateOverflow(sums, dim1);
	PG_RETURN_ARRAYTYPE_P(result);
}

/* avg's final function: NULL for no rows, otherwise each sum divided by the count, in double */
Datum vector_avg(PG_FUNCTION_ARGS)
{
	ArrayType* state = PG_GETARG_ARRAYTYPE_P(0);
	float8* values = CheckAggregateState(state, "vector_avg");
	float8 n = values[0];

	if (n == 0.0)
		PG_RETURN_NULL();
	CheckDim(STATE_DIMS(state));

	Vector* result = InitVector(STATE_DIMS(state));
	for (int i = 0; i < result->dim; i++) {
		result->x[i] = (float) (values[i + 1] / n);
		CheckElement(result->x[i]);
	}
	PG_RETURN_VECTOR_P(result);
}

/*
 * Casts from int4[], real[], float8[] and numeric[]: one dimension, no NULLs.
 * Elements are converted first and checked afterwards, so a numeric that does
 * not fit a float4 reports that before any NaN does, as in pgvector.
 */
Datum array_to_vector(PG_FUNCTION_ARGS)
{
	ArrayType* array = PG_GETARG_ARRAYTYPE_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	Oid elemtype = ARR_ELEMTYPE(array);

	if (ARR_NDIM(array) > 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("array must be 1-D")));
	if (ARR_HASNULL(array) && array_contains_nulls(array))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("array must not contain nulls")));

	int dim = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	CheckDim(dim);
	CheckExpectedDim(typmod, dim);

	Vector* result = InitVector(dim);
	/* Without NULLs, fixed-size elements lie packed from ARR_DATA_PTR on */
	if (elemtype == INT4OID) {
		const int32* data = (const int32*) ARR_DATA_PTR(array);
		for (int i = 0; i < dim; i++)
			result->x[i] = (float) data[i];
	} else if (elemtype == FLOAT4OID) {
		memcpy(result->x, ARR_DATA_PTR(array), sizeof(float) * dim);
	} else if (elemtype == FLOAT8OID) {
		const float8* data = (const float8*) ARR_DATA_PTR(array);
		for (int i = 0; i < dim; i++)
			result->x[i] = (float) data[i];
	} else if (elemtype == NUMERICOID) {
		Datum* elems;
		int count;

		deconstruct_array(array, NUMERICOID, -1, false, TYPALIGN_INT, &elems, NULL, &count);
		for (int i = 0; i < count; i++)
			result->x[i] = DatumGetFloat4(DirectFunctionCall1(numeric_float4, elems[i]));
		pfree(elems);
	} else
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("unsupported array type")));

	for (int i = 0; i < dim; i++)
		CheckElement(result->x[i]);
	PG_RETURN_VECTOR_P(result);
}

/* vector -> real[], the implicit cast */
Datum vector_to_float4(PG_FUNCTION_ARGS)
{
	Vector* vector = PG_GETARG_VECTOR_P(0);
	ArrayType* result = NewArray(vector->dim, FLOAT4OID, sizeof(float4));

	memcpy(ARR_DATA_PTR(result), vector->x, sizeof(float) * vector->dim);
	PG_RETURN_ARRAYTYPE_P(result);
}
