/*
 * halfvec type: text and binary I/O, typmod, distances, arithmetic, comparisons,
 * aggregates, and the casts between halfvec, vector and arrays.
 *
 * Behaviour and error texts follow pgvector 0.8.7. Elements are IEEE binary16 bit
 * patterns; core's half.hpp converts them (round to nearest even) and runs the
 * distance kernels, which widen to float32 as pgvector does.
 */
extern "C" {
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/varbit.h"
}

#include "ruvector/half.hpp"
#include "ruvector/vector_binary.hpp"
#include "ruvector/vector_text.hpp"
#include "halfvec.h"
#include "vector.h"
#include "vector_checks.h"
#include "vector_binary.h"
#include "dense_vector.h"
#include "vector_compare.h"
#include "vector_text.h"

using ruvector::f16_is_inf;
using ruvector::f16_is_zero;
using ruvector::f16_to_f32;
using ruvector::f32_to_f16;

extern "C" {
PG_FUNCTION_INFO_V1(halfvec_in);
PG_FUNCTION_INFO_V1(halfvec_out);
PG_FUNCTION_INFO_V1(halfvec_typmod_in);
PG_FUNCTION_INFO_V1(halfvec_recv);
PG_FUNCTION_INFO_V1(halfvec_send);
PG_FUNCTION_INFO_V1(halfvec);
PG_FUNCTION_INFO_V1(halfvec_l2_distance);
PG_FUNCTION_INFO_V1(halfvec_l2_squared_distance);
PG_FUNCTION_INFO_V1(halfvec_inner_product);
PG_FUNCTION_INFO_V1(halfvec_negative_inner_product);
PG_FUNCTION_INFO_V1(halfvec_cosine_distance);
PG_FUNCTION_INFO_V1(halfvec_spherical_distance);
PG_FUNCTION_INFO_V1(halfvec_l1_distance);
PG_FUNCTION_INFO_V1(halfvec_vector_dims);
PG_FUNCTION_INFO_V1(halfvec_l2_norm);
PG_FUNCTION_INFO_V1(halfvec_l2_normalize);
PG_FUNCTION_INFO_V1(halfvec_binary_quantize);
PG_FUNCTION_INFO_V1(halfvec_subvector);
PG_FUNCTION_INFO_V1(halfvec_add);
PG_FUNCTION_INFO_V1(halfvec_sub);
PG_FUNCTION_INFO_V1(halfvec_mul);
PG_FUNCTION_INFO_V1(halfvec_concat);
PG_FUNCTION_INFO_V1(halfvec_accum);
PG_FUNCTION_INFO_V1(halfvec_avg);
PG_FUNCTION_INFO_V1(halfvec_combine);
PG_FUNCTION_INFO_V1(halfvec_to_vector);
PG_FUNCTION_INFO_V1(vector_to_halfvec);
PG_FUNCTION_INFO_V1(array_to_halfvec);
PG_FUNCTION_INFO_V1(halfvec_to_float4);
}

void HalfvecCheckDim(int dim)
{
	CheckDimensions("halfvec", HALFVEC_MAX_DIM, dim);
}

/* NaN and infinities never enter a halfvec; widening keeps both */
static void CheckElement(uint16 value)
{
	CheckFiniteElement("halfvec", f16_to_f32(value));
}

HalfVector* InitHalfVector(int dim)
{
	Size size = HALFVEC_SIZE(dim);
	HalfVector* result = (HalfVector*) palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	return result;
}

/*
 * Infinity from a finite float means the value rounded past 65504; an infinite input
 * passes through so that the caller's element check names it.
 */
uint16 Float4ToHalf(float value)
{
	uint16 result = f32_to_f16(value);

	if (f16_is_inf(result) && !isinf(value)) {
		char* text = (char*) palloc(FLOAT_SHORTEST_DECIMAL_LEN);

		float_to_shortest_decimal_buf(value, text);
		ereport(ERROR,
		        (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("\"%s\" is out of range for type halfvec", text)));
	}
	return result;
}

/*
 * Parse '[1, 2.5, -3e-5]'. Each element is read as a float (strtof, like float4in)
 * and rounded once more to a half, as pgvector does.
 */
Datum halfvec_in(PG_FUNCTION_ARGS)
{
	int32 typmod = PG_GETARG_INT32(2);
	int dim;
	float* values = ParseDenseVector(PG_GETARG_CSTRING(0), "halfvec", HALFVEC_MAX_DIM, ruvector::overflows_half, &dim);

	CheckExpectedDim(typmod, dim);
	HalfVector* result = InitHalfVector(dim);
	for (int i = 0; i < dim; i++)
		result->x[i] = f32_to_f16(values[i]);
	pfree(values);
	PG_RETURN_HALFVEC_P(result);
}

/* Each element as the shortest text of its float value, as pgvector prints halves */
Datum halfvec_out(PG_FUNCTION_ARGS)
{
	HalfVector* vector = PG_GETARG_HALFVEC_P(0);
	char* text = (char*) palloc(FLOAT_SHORTEST_DECIMAL_LEN * vector->dim + 2);
	char* p = text;

	*p++ = '[';
	for (int i = 0; i < vector->dim; i++) {
		if (i > 0)
			*p++ = ',';
		p += float_to_shortest_decimal_bufn(f16_to_f32(vector->x[i]), p);
	}
	*p++ = ']';
	*p = '\0';

	PG_FREE_IF_COPY(vector, 0);
	PG_RETURN_CSTRING(text);
}

/* halfvec(n): one integer between 1 and HALFVEC_MAX_DIM */
Datum halfvec_typmod_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(DimensionTypmod(PG_GETARG_ARRAYTYPE_P(0), "halfvec", HALFVEC_MAX_DIM));
}

/* Binary input: int16 dim, int16 unused (0), then big-endian uint16 bit patterns */
Datum halfvec_recv(PG_FUNCTION_ARGS)
{
	StringInfo buffer = (StringInfo) PG_GETARG_POINTER(0);
	ruvector::binary_reader reader = BinaryReader(buffer);
	InputErrorDetails details = BinaryErrorDetails("halfvec", HALFVEC_MAX_DIM, PG_GETARG_INT32(2));
	ruvector::binary_header header;
	ruvector::input_error error = ruvector::read_halfvec_header(reader, HALFVEC_MAX_DIM, details.typmod, &header);

	if (error != ruvector::input_error::none)
		ReportBinaryError(error, details, header);
	HalfVector* result = InitHalfVector(header.dim);
	error = ruvector::read_halfvec_elements(reader, header.dim, result->x);
	if (error != ruvector::input_error::none)
		ReportBinaryError(error, details, header);
	buffer->cursor += (int) reader.cursor;
	PG_RETURN_HALFVEC_P(result);
}

Datum halfvec_send(PG_FUNCTION_ARGS)
{
	HalfVector* vector = PG_GETARG_HALFVEC_P(0);
	StringInfoData buffer;

	pq_begintypsend(&buffer);
	pq_sendint16(&buffer, vector->dim);
	pq_sendint16(&buffer, vector->unused);
	for (int i = 0; i < vector->dim; i++)
		pq_sendint16(&buffer, vector->x[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}

/* Length coercion: halfvec -> halfvec(n) checks the dimensions */
Datum halfvec(PG_FUNCTION_ARGS)
{
	HalfVector* vector = PG_GETARG_HALFVEC_P(0);

	CheckExpectedDim(PG_GETARG_INT32(1), vector->dim);
	PG_RETURN_HALFVEC_P(vector);
}

/* Fetch both arguments of a two-vector function and check their dimensions */
static void GetHalfvecPair(FunctionCallInfo fcinfo, HalfVector** a, HalfVector** b)
{
	GetDensePair(fcinfo, "halfvec", a, b);
}

Datum halfvec_l2_distance(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(DensePairDistance<HalfVector>(fcinfo, "halfvec", ruvector::l2_distance_f16));
}

/* Squared Euclidean distance: orders like l2_distance, without the square root */
Datum halfvec_l2_squared_distance(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(DensePairDistance<HalfVector>(fcinfo, "halfvec", ruvector::l2sq_f16));
}

Datum halfvec_inner_product(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(DensePairDistance<HalfVector>(fcinfo, "halfvec", ruvector::dot_f16));
}

/* <#> is the negative inner product, so that ascending order means most similar */
Datum halfvec_negative_inner_product(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(-DensePairDistance<HalfVector>(fcinfo, "halfvec", ruvector::dot_f16));
}

Datum halfvec_cosine_distance(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(DensePairDistance<HalfVector>(fcinfo, "halfvec", ruvector::cosine_distance_f16));
}

/* Angle between unit vectors as a fraction of pi (pgvector's spherical k-means distance) */
Datum halfvec_spherical_distance(PG_FUNCTION_ARGS)
{
	double dot = DensePairDistance<HalfVector>(fcinfo, "halfvec", ruvector::dot_f16);

	/* Rounding can push the product of unit vectors slightly past +-1, where acos is NaN */
	if (dot > 1)
		dot = 1;
	else if (dot < -1)
		dot = -1;
	PG_RETURN_FLOAT8(acos(dot) / M_PI);
}

Datum halfvec_l1_distance(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(DensePairDistance<HalfVector>(fcinfo, "halfvec", ruvector::l1_f16));
}

Datum halfvec_vector_dims(PG_FUNCTION_ARGS)
{
	HalfVector* vector = PG_GETARG_HALFVEC_P(0);

	PG_RETURN_INT32(vector->dim);
}

Datum halfvec_l2_norm(PG_FUNCTION_ARGS)
{
	HalfVector* vector = PG_GETARG_HALFVEC_P(0);

	PG_RETURN_FLOAT8(ruvector::norm_f16(vector->x, vector->dim));
}

/* Divide by the norm in double, round to float, then to half (pgvector's order); zero stays zero */
Datum halfvec_l2_normalize(PG_FUNCTION_ARGS)
{
	HalfVector* vector = PG_GETARG_HALFVEC_P(0);
	HalfVector* result = InitHalfVector(vector->dim);
	double norm = ruvector::norm_f16(vector->x, vector->dim);

	if (norm > 0) {
		for (int i = 0; i < vector->dim; i++) {
			result->x[i] = f32_to_f16((float) (f16_to_f32(vector->x[i]) / norm));
			if (f16_is_inf(result->x[i]))
				float_overflow_error();
		}
	}
	PG_RETURN_HALFVEC_P(result);
}

/* One bit per element, set when the element is positive, first element in the high bit */
Datum halfvec_binary_quantize(PG_FUNCTION_ARGS)
{
	HalfVector* vector = PG_GETARG_HALFVEC_P(0);
	int size = VARBITTOTALLEN(vector->dim);
	VarBit* result = (VarBit*) palloc0(size);
	bits8* bits = VARBITS(result);

	SET_VARSIZE(result, size);
	VARBITLEN(result) = vector->dim;
	for (int i = 0; i < vector->dim; i++)
		if (f16_to_f32(vector->x[i]) > 0)
			bits[i / 8] |= (bits8) (0x80 >> (i % 8));
	PG_RETURN_VARBIT_P(result);
}

/* Elements start .. start + count - 1 (1-based, clipped like substring) */
Datum halfvec_subvector(PG_FUNCTION_ARGS)
{
	HalfVector* vector = PG_GETARG_HALFVEC_P(0);

	PG_RETURN_HALFVEC_P(
	    DenseSubvector(vector, PG_GETARG_INT32(1), PG_GETARG_INT32(2), "halfvec", HALFVEC_MAX_DIM, InitHalfVector));
}

/* Element-wise float operation, rounded back to half */
template <typename Operation>
static HalfVector* ElementWise(const HalfVector* a, const HalfVector* b, Operation operation)
{
	HalfVector* result = InitHalfVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = f32_to_f16(operation(f16_to_f32(a->x[i]), f16_to_f32(b->x[i])));
	return result;
}

/* A finite sum or difference that rounded to infinity */
static HalfVector* CheckOverflow(HalfVector* result)
{
	for (int i = 0; i < result->dim; i++)
		if (f16_is_inf(result->x[i]))
			float_overflow_error();
	return result;
}

Datum halfvec_add(PG_FUNCTION_ARGS)
{
	HalfVector *a, *b;

	GetHalfvecPair(fcinfo, &a, &b);
	PG_RETURN_HALFVEC_P(CheckOverflow(ElementWise(a, b, [](float x, float y) { return x + y; })));
}

Datum halfvec_sub(PG_FUNCTION_ARGS)
{
	HalfVector *a, *b;

	GetHalfvecPair(fcinfo, &a, &b);
	PG_RETURN_HALFVEC_P(CheckOverflow(ElementWise(a, b, [](float x, float y) { return x - y; })));
}

/* Also an error: a product of two non-zero halves that rounds to zero (checked element by element) */
Datum halfvec_mul(PG_FUNCTION_ARGS)
{
	HalfVector *a, *b;

	GetHalfvecPair(fcinfo, &a, &b);
	HalfVector* result = ElementWise(a, b, [](float x, float y) { return x * y; });

	for (int i = 0; i < result->dim; i++) {
		if (f16_is_inf(result->x[i]))
			float_overflow_error();
		if (f16_is_zero(result->x[i]) && !f16_is_zero(a->x[i]) && !f16_is_zero(b->x[i]))
			float_underflow_error();
	}
	PG_RETURN_HALFVEC_P(result);
}

Datum halfvec_concat(PG_FUNCTION_ARGS)
{
	PG_RETURN_HALFVEC_P(
	    DenseConcat(PG_GETARG_HALFVEC_P(0), PG_GETARG_HALFVEC_P(1), "halfvec", HALFVEC_MAX_DIM, InitHalfVector));
}

/* Element by element by value (so -0 = 0), then the shorter vector first, like arrays */
static int HalfvecCompare(FunctionCallInfo fcinfo)
{
	HalfVector* a = PG_GETARG_HALFVEC_P(0);
	HalfVector* b = PG_GETARG_HALFVEC_P(1);
	int dim = Min(a->dim, b->dim);

	for (int i = 0; i < dim; i++) {
		float x = f16_to_f32(a->x[i]);
		float y = f16_to_f32(b->x[i]);

		if (x < y)
			return -1;
		if (x > y)
			return 1;
	}
	if (a->dim != b->dim)
		return a->dim < b->dim ? -1 : 1;
	return 0;
}

VECTOR_COMPARISON_FUNCTIONS(halfvec, HalfvecCompare)

/*
 * Aggregate state: float8[] {count, sum_1, ..., sum_dim}; the initial state {0} has no
 * dimensions yet. The same layout as pgvector's, so its element checks carry over.
 */
static int StateDims(ArrayType* state)
{
	return ARR_DIMS(state)[0] - 1;
}

static ArrayType* MakeState(const float8* values, int dim)
{
	Datum* datums = (Datum*) palloc(sizeof(Datum) * (dim + 1));

	for (int i = 0; i <= dim; i++)
		datums[i] = Float8GetDatum(values[i]);
	return construct_array(datums, dim + 1, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

Datum halfvec_accum(PG_FUNCTION_ARGS)
{
	ArrayType* state = PG_GETARG_ARRAYTYPE_P(0);
	HalfVector* value = PG_GETARG_HALFVEC_P(1);
	const float8* sums = CheckAggregateState(state, "halfvec_accum");
	int dim = StateDims(state);
	bool first = dim == 0;

	if (first)
		dim = value->dim;
	else
		CheckExpectedDim(dim, value->dim);

	float8* next = (float8*) palloc(sizeof(float8) * (dim + 1));
	next[0] = sums[0] + 1.0;
	for (int i = 0; i < dim; i++) {
		double x = (double) f16_to_f32(value->x[i]);

		next[i + 1] = first ? x : sums[i + 1] + x;
		if (isinf(next[i + 1]))
			float_overflow_error();
	}
	PG_RETURN_ARRAYTYPE_P(MakeState(next, dim));
}

/* Merge two partial states (parallel aggregation); an empty side contributes nothing */
Datum halfvec_combine(PG_FUNCTION_ARGS)
{
	ArrayType* state1 = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType* state2 = PG_GETARG_ARRAYTYPE_P(1);
	/* pgvector shares vector's combine function here, so its errors carry that name */
	const float8* sums1 = CheckAggregateState(state1, "vector_combine");
	const float8* sums2 = CheckAggregateState(state2, "vector_combine");

	if (sums1[0] == 0.0)
		PG_RETURN_ARRAYTYPE_P(MakeState(sums2, StateDims(state2)));
	if (sums2[0] == 0.0)
		PG_RETURN_ARRAYTYPE_P(MakeState(sums1, StateDims(state1)));

	int dim = StateDims(state1);
	CheckExpectedDim(dim, StateDims(state2));
	float8* merged = (float8*) palloc(sizeof(float8) * (dim + 1));
	merged[0] = sums1[0] + sums2[0];
	for (int i = 1; i <= dim; i++) {
		merged[i] = sums1[i] + sums2[i];
		if (isinf(merged[i]))
			float_overflow_error();
	}
	PG_RETURN_ARRAYTYPE_P(MakeState(merged, dim));
}

/* SQL's AVG of no rows is NULL */
Datum halfvec_avg(PG_FUNCTION_ARGS)
{
	ArrayType* state = PG_GETARG_ARRAYTYPE_P(0);
	const float8* sums = CheckAggregateState(state, "halfvec_avg");
	double count = sums[0];

	if (count == 0.0)
		PG_RETURN_NULL();

	int dim = StateDims(state);
	HalfvecCheckDim(dim);
	HalfVector* result = InitHalfVector(dim);
	for (int i = 0; i < dim; i++) {
		result->x[i] = Float4ToHalf((float) (sums[i + 1] / count));
		CheckElement(result->x[i]);
	}
	PG_RETURN_HALFVEC_P(result);
}

/* Widening is exact */
Datum halfvec_to_vector(PG_FUNCTION_ARGS)
{
	HalfVector* vector = PG_GETARG_HALFVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	CheckDimensions("vector", VECTOR_MAX_DIM, vector->dim);
	CheckExpectedDim(typmod, vector->dim);
	Vector* result = InitVector(vector->dim);
	for (int i = 0; i < vector->dim; i++)
		result->x[i] = f16_to_f32(vector->x[i]);
	PG_RETURN_POINTER(result);
}

Datum vector_to_halfvec(PG_FUNCTION_ARGS)
{
	Vector* vector = (Vector*) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	int32 typmod = PG_GETARG_INT32(1);

	HalfvecCheckDim(vector->dim);
	CheckExpectedDim(typmod, vector->dim);
	HalfVector* result = InitHalfVector(vector->dim);
	for (int i = 0; i < vector->dim; i++)
		result->x[i] = Float4ToHalf(vector->x[i]);
	PG_RETURN_HALFVEC_P(result);
}

Datum* DeconstructVectorArray(ArrayType* array, int* count)
{
	int16 typlen;
	bool typbyval;
	char typalign;
	Datum* elements;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("array must be 1-D")));
	if (ARR_HASNULL(array) && array_contains_nulls(array))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("array must not contain nulls")));
	get_typlenbyvalalign(ARR_ELEMTYPE(array), &typlen, &typbyval, &typalign);
	deconstruct_array(array, ARR_ELEMTYPE(array), typlen, typbyval, typalign, &elements, NULL, count);
	return elements;
}

float ArrayElementToFloat4(Oid type, Datum element)
{
	switch (type) {
		case INT4OID:
			return (float) DatumGetInt32(element);
		case FLOAT8OID:
			return (float) DatumGetFloat8(element);
		case FLOAT4OID:
			return DatumGetFloat4(element);
		case NUMERICOID:
			return DatumGetFloat4(DirectFunctionCall1(numeric_float4, element));
		default:
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("unsupported array type")));
			pg_unreachable();
	}
}

/* Out-of-range elements fail first, in order; NaN and infinities are checked after all converted */
Datum array_to_halfvec(PG_FUNCTION_ARGS)
{
	ArrayType* array = PG_GETARG_ARRAYTYPE_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	int count;
	Datum* elements = DeconstructVectorArray(array, &count);

	HalfvecCheckDim(count);
	CheckExpectedDim(typmod, count);
	HalfVector* result = InitHalfVector(count);
	for (int i = 0; i < count; i++)
		result->x[i] = Float4ToHalf(ArrayElementToFloat4(ARR_ELEMTYPE(array), elements[i]));
	pfree(elements);
	for (int i = 0; i < count; i++)
		CheckElement(result->x[i]);
	PG_RETURN_HALFVEC_P(result);
}

Datum halfvec_to_float4(PG_FUNCTION_ARGS)
{
	HalfVector* vector = PG_GETARG_HALFVEC_P(0);
	Datum* datums = (Datum*) palloc(sizeof(Datum) * vector->dim);

	for (int i = 0; i < vector->dim; i++)
		datums[i] = Float4GetDatum(f16_to_f32(vector->x[i]));
	ArrayType* result = construct_array(datums, vector->dim, FLOAT4OID, sizeof(float4), true, TYPALIGN_INT);
	pfree(datums);
	PG_RETURN_POINTER(result);
}
