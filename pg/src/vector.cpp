/*
 * vector type: text and binary I/O, typmod, and the distance functions.
 *
 * Behaviour and error texts follow pgvector 0.8.7, so applications and
 * drivers see no difference; the arithmetic is done by core's kernels.
 */
extern "C" {
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
}

#include "ruvector/kernels.hpp"
#include "vector.h"

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
}

/* Raise the "too few / too many dimensions" errors */
static void CheckDim(int dim)
{
	if (dim < 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("vector must have at least 1 dimension")));
	if (dim > VECTOR_MAX_DIM)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						errmsg("vector cannot have more than %d dimensions", VECTOR_MAX_DIM)));
}

/* Raise an error when a typmod was given and the dimensions differ */
static void CheckExpectedDim(int32 typmod, int dim)
{
	if (typmod != -1 && typmod != dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected %d dimensions, not %d", typmod, dim)));
}

/* NaN and infinities never enter a vector: every distance would be meaningless */
static void CheckElement(float value)
{
	if (isnan(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("NaN not allowed in vector")));
	if (isinf(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("infinite value not allowed in vector")));
}

/* Both operands of a distance must have the same number of dimensions */
static void CheckDims(const Vector* a, const Vector* b)
{
	if (a->dim != b->dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("different vector dimensions %d and %d", a->dim, b->dim)));
}

Vector* InitVector(int dim)
{
	Size size = VECTOR_SIZE(dim);
	Vector* result = (Vector*) palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	return result;
}

/* The whitespace the text format allows around brackets, commas and numbers */
static bool IsVectorSpace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static const char* SkipSpace(const char* p)
{
	while (IsVectorSpace(*p))
		p++;
	return p;
}

[[noreturn]] static void InvalidVectorSyntax(const char* literal, const char* detail)
{
	if (detail != NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						errmsg("invalid input syntax for type vector: \"%s\"", literal), errdetail("%s", detail)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION), errmsg("invalid input syntax for type vector: \"%s\"", literal)));
	pg_unreachable();
}

/*
 * Parse '[1, 2.5, -3e-5]'. Elements are read with strtof, as float4in does,
 * so a decimal string rounds once, straight to the nearest float.
 */
Datum vector_in(PG_FUNCTION_ARGS)
{
	const char* literal = PG_GETARG_CSTRING(0);
	int32 typmod = PG_GETARG_INT32(2);
	/* Parse into a scratch array sized for the limit: one pass, one copy */
	float* values = (float*) palloc(sizeof(float) * VECTOR_MAX_DIM);
	int dim = 0;
	const char* p = SkipSpace(literal);

	if (*p != '[')
		InvalidVectorSyntax(literal, "Vector contents must start with \"[\".");
	p = SkipSpace(p + 1);
	if (*p == ']')
		CheckDim(0);

	for (;;) {
		char* end;
		float value;

		if (dim == VECTOR_MAX_DIM)
			CheckDim(dim + 1);
		p = SkipSpace(p);
		if (*p == '\0')
			InvalidVectorSyntax(literal, NULL);

		errno = 0;
		value = strtof(p, &end);
		if (end == p)
			InvalidVectorSyntax(literal, NULL);
		if (errno == ERANGE && isinf(value))
			ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
							errmsg("\"%s\" is out of range for type vector", pnstrdup(p, end - p))));
		CheckElement(value);
		values[dim++] = value;

		p = SkipSpace(end);
		if (*p == ',')
			p++;
		else if (*p == ']') {
			p++;
			break;
		} else
			InvalidVectorSyntax(literal, NULL);
	}

	if (*SkipSpace(p) != '\0')
		InvalidVectorSyntax(literal, "Junk after closing right brace.");
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
	ArrayType* modifiers = PG_GETARG_ARRAYTYPE_P(0);
	int count;
	int32* values = ArrayGetIntegerTypmods(modifiers, &count);

	if (count != 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid type modifier")));
	if (values[0] < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("dimensions for type vector must be at least 1")));
	if (values[0] > VECTOR_MAX_DIM)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("dimensions for type vector cannot exceed %d", VECTOR_MAX_DIM)));
	PG_RETURN_INT32(values[0]);
}

/* Binary input: int16 dim, int16 unused (0), then big-endian float4 elements */
Datum vector_recv(PG_FUNCTION_ARGS)
{
	StringInfo buffer = (StringInfo) PG_GETARG_POINTER(0);
	int32 typmod = PG_GETARG_INT32(2);
	/* Read as unsigned, like pgvector, so 40000 is "too many", not negative */
	int dim = (int) pq_getmsgint(buffer, sizeof(int16));
	int unused = (int) pq_getmsgint(buffer, sizeof(int16));

	CheckDim(dim);
	CheckExpectedDim(typmod, dim);
	if (unused != 0)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected unused to be 0, not %d", unused)));

	Vector* result = InitVector(dim);
	for (int i = 0; i < dim; i++) {
		result->x[i] = pq_getmsgfloat4(buffer);
		CheckElement(result->x[i]);
	}
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

/*
 * Fetch both arguments of a distance function and check their dimensions.
 * Arguments are detoasted copies at most; they die with the call's context.
 */
static void GetVectorPair(FunctionCallInfo fcinfo, Vector** a, Vector** b)
{
	*a = PG_GETARG_VECTOR_P(0);
	*b = PG_GETARG_VECTOR_P(1);
	CheckDims(*a, *b);
}

Datum l2_distance(PG_FUNCTION_ARGS)
{
	Vector *a, *b;

	GetVectorPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8(ruvector::l2_distance_f32(a->x, b->x, a->dim));
}

/* Squared Euclidean distance: orders like l2_distance, without the square root */
Datum vector_l2_squared_distance(PG_FUNCTION_ARGS)
{
	Vector *a, *b;

	GetVectorPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8((double) ruvector::l2sq_f32(a->x, b->x, a->dim));
}

Datum inner_product(PG_FUNCTION_ARGS)
{
	Vector *a, *b;

	GetVectorPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8((double) ruvector::dot_f32(a->x, b->x, a->dim));
}

/* <#> is the negative inner product, so that ascending order means most similar */
Datum vector_negative_inner_product(PG_FUNCTION_ARGS)
{
	Vector *a, *b;

	GetVectorPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8(-(double) ruvector::dot_f32(a->x, b->x, a->dim));
}

Datum cosine_distance(PG_FUNCTION_ARGS)
{
	Vector *a, *b;

	GetVectorPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8(ruvector::cosine_distance_f32(a->x, b->x, a->dim));
}

Datum l1_distance(PG_FUNCTION_ARGS)
{
	Vector *a, *b;

	GetVectorPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8((double) ruvector::l1_f32(a->x, b->x, a->dim));
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
