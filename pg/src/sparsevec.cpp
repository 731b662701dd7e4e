/*
 * sparsevec type: text and binary I/O, typmod, distances, norms, comparisons, and
 * the casts between sparsevec, vector, halfvec and arrays.
 *
 * Behaviour and error texts follow pgvector 0.8.7. Indices are 0-based inside
 * (1-based in the text form), ascending and distinct; values are never zero.
 */
extern "C" {
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
}

#include "ruvector/half.hpp"
#include "ruvector/kernels.hpp"
#include "ruvector/sparse.hpp"
#include "ruvector/vector_text.hpp"
#include "halfvec.h"
#include "sparsevec.h"
#include "vector.h"
#include "vector_checks.h"
#include "vector_compare.h"
#include "vector_binary.h"

extern "C" {
PG_FUNCTION_INFO_V1(sparsevec_in);
PG_FUNCTION_INFO_V1(sparsevec_out);
PG_FUNCTION_INFO_V1(sparsevec_typmod_in);
PG_FUNCTION_INFO_V1(sparsevec_recv);
PG_FUNCTION_INFO_V1(sparsevec_send);
PG_FUNCTION_INFO_V1(sparsevec);
PG_FUNCTION_INFO_V1(sparsevec_l2_distance);
PG_FUNCTION_INFO_V1(sparsevec_l2_squared_distance);
PG_FUNCTION_INFO_V1(sparsevec_inner_product);
PG_FUNCTION_INFO_V1(sparsevec_negative_inner_product);
PG_FUNCTION_INFO_V1(sparsevec_cosine_distance);
PG_FUNCTION_INFO_V1(sparsevec_l1_distance);
PG_FUNCTION_INFO_V1(sparsevec_l2_norm);
PG_FUNCTION_INFO_V1(sparsevec_l2_normalize);
PG_FUNCTION_INFO_V1(vector_to_sparsevec);
PG_FUNCTION_INFO_V1(sparsevec_to_vector);
PG_FUNCTION_INFO_V1(halfvec_to_sparsevec);
PG_FUNCTION_INFO_V1(sparsevec_to_halfvec);
PG_FUNCTION_INFO_V1(array_to_sparsevec);
}

static void CheckDim(int dim)
{
	CheckDimensions("sparsevec", SPARSEVEC_MAX_DIM, dim);
}

static void CheckNnz(int nnz, int dim)
{
	CheckNonzeros(nnz, SPARSEVEC_MAX_NNZ, dim);
}

static void CheckElement(float value)
{
	CheckFiniteElement("sparsevec", value);
}

SparseVector* InitSparseVector(int dim, int nnz)
{
	Size size = SPARSEVEC_SIZE(nnz);
	SparseVector* result = (SparseVector*) palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	result->nnz = nnz;
	return result;
}

static ruvector::sparse_view View(const SparseVector* vector)
{
	return ruvector::sparse_view{vector->indices, SPARSEVEC_VALUES(vector), (std::size_t) vector->nnz};
}

/*
 * Parse '{1:1.5, 3:2}/5'. Zero values are dropped, the rest sorted by index; an index
 * outside 1..dim or given twice is an error.
 */
Datum sparsevec_in(PG_FUNCTION_ARGS)
{
	const char* literal = PG_GETARG_CSTRING(0);
	int32 typmod = PG_GETARG_INT32(2);
	/* Every element but the last ends in a comma: this bounds the element count before parsing */
	size_t capacity = ruvector::sparse_text_capacity(literal);

	if (capacity > SPARSEVEC_MAX_NNZ)
		CheckNnz(SPARSEVEC_MAX_NNZ + 1, SPARSEVEC_MAX_DIM);

	ruvector::sparse_text_element* elements =
	    (ruvector::sparse_text_element*) palloc(sizeof(ruvector::sparse_text_element) * capacity);
	int nnz, dim;
	ruvector::text_result parsed = ruvector::parse_sparse_text(literal, elements, &nnz, &dim);
	InputErrorDetails details = {};
	details.type = "sparsevec";
	details.maxDim = SPARSEVEC_MAX_DIM;
	details.literal = literal;
	if (parsed.error != ruvector::input_error::none) {
		details.position = parsed.position;
		details.length = parsed.length;
		ReportInputError(parsed.error, details);
	}

	CheckDim(dim);
	CheckExpectedDim(typmod, dim);
	ruvector::input_error error = ruvector::finish_sparse_text(elements, nnz, dim);
	if (error != ruvector::input_error::none)
		ReportInputError(error, details);

	SparseVector* result = InitSparseVector(dim, nnz);
	float* values = SPARSEVEC_VALUES(result);
	for (int i = 0; i < nnz; i++) {
		result->indices[i] = elements[i].index;
		values[i] = elements[i].value;
	}
	pfree(elements);
	PG_RETURN_SPARSEVEC_P(result);
}

Datum sparsevec_out(PG_FUNCTION_ARGS)
{
	SparseVector* vector = PG_GETARG_SPARSEVEC_P(0);
	const float* values = SPARSEVEC_VALUES(vector);
	/* Per element: up to 10 digits, ':', a float and ','; then "{}/", 10 digits and NUL */
	char* text = (char*) palloc((12 + FLOAT_SHORTEST_DECIMAL_LEN) * vector->nnz + 14);
	char* p = text;

	*p++ = '{';
	for (int i = 0; i < vector->nnz; i++) {
		if (i > 0)
			*p++ = ',';
		p += pg_ltoa(vector->indices[i] + 1, p);
		*p++ = ':';
		p += float_to_shortest_decimal_bufn(values[i], p);
	}
	*p++ = '}';
	*p++ = '/';
	p += pg_ltoa(vector->dim, p);
	*p = '\0';

	PG_FREE_IF_COPY(vector, 0);
	PG_RETURN_CSTRING(text);
}

/* sparsevec(n): one integer between 1 and SPARSEVEC_MAX_DIM */
Datum sparsevec_typmod_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(DimensionTypmod(PG_GETARG_ARRAYTYPE_P(0), "sparsevec", SPARSEVEC_MAX_DIM));
}

/* Binary input: int32 dim, nnz, unused (0), nnz 0-based int32 indices, nnz float4 values */
Datum sparsevec_recv(PG_FUNCTION_ARGS)
{
	StringInfo buffer = (StringInfo) PG_GETARG_POINTER(0);
	ruvector::binary_reader reader = BinaryReader(buffer);
	InputErrorDetails details = BinaryErrorDetails("sparsevec", SPARSEVEC_MAX_DIM, PG_GETARG_INT32(2));
	ruvector::binary_header header;

	details.maxNonzeros = SPARSEVEC_MAX_NNZ;
	ruvector::input_error error =
	    ruvector::read_sparsevec_header(reader, SPARSEVEC_MAX_DIM, SPARSEVEC_MAX_NNZ, details.typmod, &header);
	if (error != ruvector::input_error::none)
		ReportBinaryError(error, details, header);
	SparseVector* result = InitSparseVector(header.dim, header.nonzeros);
	error = ruvector::read_sparsevec_elements(reader, header.dim, header.nonzeros, result->indices,
	                                          SPARSEVEC_VALUES(result));
	if (error != ruvector::input_error::none)
		ReportBinaryError(error, details, header);
	buffer->cursor += (int) reader.cursor;
	PG_RETURN_SPARSEVEC_P(result);
}

Datum sparsevec_send(PG_FUNCTION_ARGS)
{
	SparseVector* vector = PG_GETARG_SPARSEVEC_P(0);
	const float* values = SPARSEVEC_VALUES(vector);
	StringInfoData buffer;

	pq_begintypsend(&buffer);
	pq_sendint32(&buffer, vector->dim);
	pq_sendint32(&buffer, vector->nnz);
	pq_sendint32(&buffer, vector->unused);
	for (int i = 0; i < vector->nnz; i++)
		pq_sendint32(&buffer, vector->indices[i]);
	for (int i = 0; i < vector->nnz; i++)
		pq_sendfloat4(&buffer, values[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buffer));
}

/* Length coercion: sparsevec -> sparsevec(n) checks the dimensions */
Datum sparsevec(PG_FUNCTION_ARGS)
{
	SparseVector* vector = PG_GETARG_SPARSEVEC_P(0);

	CheckExpectedDim(PG_GETARG_INT32(1), vector->dim);
	PG_RETURN_SPARSEVEC_P(vector);
}

static void GetSparsevecPair(FunctionCallInfo fcinfo, SparseVector** a, SparseVector** b)
{
	*a = PG_GETARG_SPARSEVEC_P(0);
	*b = PG_GETARG_SPARSEVEC_P(1);
	CheckSameDimensions("sparsevec", (*a)->dim, (*b)->dim);
}

Datum sparsevec_l2_distance(PG_FUNCTION_ARGS)
{
	SparseVector *a, *b;

	GetSparsevecPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8(sqrt((double) ruvector::l2sq_sparse(View(a), View(b))));
}

Datum sparsevec_l2_squared_distance(PG_FUNCTION_ARGS)
{
	SparseVector *a, *b;

	GetSparsevecPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8((double) ruvector::l2sq_sparse(View(a), View(b)));
}

Datum sparsevec_inner_product(PG_FUNCTION_ARGS)
{
	SparseVector *a, *b;

	GetSparsevecPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8((double) ruvector::dot_sparse(View(a), View(b)));
}

Datum sparsevec_negative_inner_product(PG_FUNCTION_ARGS)
{
	SparseVector *a, *b;

	GetSparsevecPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8(-(double) ruvector::dot_sparse(View(a), View(b)));
}

Datum sparsevec_cosine_distance(PG_FUNCTION_ARGS)
{
	SparseVector *a, *b;

	GetSparsevecPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8(ruvector::cosine_distance_sparse(View(a), View(b)));
}

Datum sparsevec_l1_distance(PG_FUNCTION_ARGS)
{
	SparseVector *a, *b;

	GetSparsevecPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8((double) ruvector::l1_sparse(View(a), View(b)));
}

/* The values are the non-zero elements, so the dense norm is theirs (double accumulation) */
Datum sparsevec_l2_norm(PG_FUNCTION_ARGS)
{
	SparseVector* vector = PG_GETARG_SPARSEVEC_P(0);

	PG_RETURN_FLOAT8(ruvector::norm_f32(SPARSEVEC_VALUES(vector), vector->nnz));
}

/* Values that underflow to zero in float are dropped, keeping the no-zeros invariant */
Datum sparsevec_l2_normalize(PG_FUNCTION_ARGS)
{
	SparseVector* vector = PG_GETARG_SPARSEVEC_P(0);
	const float* values = SPARSEVEC_VALUES(vector);
	double norm = ruvector::norm_f32(values, vector->nnz);
	float* scaled = (float*) palloc(sizeof(float) * Max(vector->nnz, 1));
	int nnz = 0;

	for (int i = 0; i < vector->nnz; i++) {
		scaled[i] = (float) (values[i] / norm);
		if (isinf(scaled[i]))
			float_overflow_error();
		if (scaled[i] != 0)
			nnz++;
	}

	SparseVector* result = InitSparseVector(vector->dim, nnz);
	float* result_values = SPARSEVEC_VALUES(result);
	for (int i = 0, j = 0; i < vector->nnz; i++) {
		if (scaled[i] != 0) {
			result->indices[j] = vector->indices[i];
			result_values[j++] = scaled[i];
		}
	}
	pfree(scaled);
	PG_RETURN_SPARSEVEC_P(result);
}

/*
 * pgvector's order: compare element by element as if dense, but only where one side's
 * next non-zero lies inside the other's dimensions; then the shorter vector first.
 */
static int SparsevecCompare(FunctionCallInfo fcinfo)
{
	SparseVector* a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector* b = PG_GETARG_SPARSEVEC_P(1);
	const float* ax = SPARSEVEC_VALUES(a);
	const float* bx = SPARSEVEC_VALUES(b);
	int nnz = Min(a->nnz, b->nnz);

	for (int i = 0; i < nnz; i++) {
		/* The side with the lower index has a non-zero where the other has zero */
		if (a->indices[i] < b->indices[i])
			return ax[i] < 0 ? -1 : 1;
		if (a->indices[i] > b->indices[i])
			return bx[i] < 0 ? 1 : -1;
		if (ax[i] < bx[i])
			return -1;
		if (ax[i] > bx[i])
			return 1;
	}
	if (a->nnz < b->nnz && b->indices[nnz] < a->dim)
		return bx[nnz] < 0 ? 1 : -1;
	if (a->nnz > b->nnz && a->indices[nnz] < b->dim)
		return ax[nnz] < 0 ? -1 : 1;
	if (a->dim != b->dim)
		return a->dim < b->dim ? -1 : 1;
	return 0;
}

VECTOR_COMPARISON_FUNCTIONS(sparsevec, SparsevecCompare)

/* A sparse vector of the non-zero floats of a dense array (-0 counts as zero) */
static SparseVector* FromDense(const float* dense, int dim)
{
	int nnz = 0;

	for (int i = 0; i < dim; i++)
		if (dense[i] != 0)
			nnz++;
	SparseVector* result = InitSparseVector(dim, nnz);
	float* values = SPARSEVEC_VALUES(result);
	for (int i = 0, j = 0; i < dim; i++) {
		if (dense[i] != 0) {
			result->indices[j] = i;
			values[j++] = dense[i];
		}
	}
	return result;
}

Datum vector_to_sparsevec(PG_FUNCTION_ARGS)
{
	Vector* vector = (Vector*) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	int32 typmod = PG_GETARG_INT32(1);

	CheckDim(vector->dim);
	CheckExpectedDim(typmod, vector->dim);
	PG_RETURN_SPARSEVEC_P(FromDense(vector->x, vector->dim));
}

Datum halfvec_to_sparsevec(PG_FUNCTION_ARGS)
{
	HalfVector* vector = PG_GETARG_HALFVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	CheckDim(vector->dim);
	CheckExpectedDim(typmod, vector->dim);
	float* dense = (float*) palloc(sizeof(float) * vector->dim);
	for (int i = 0; i < vector->dim; i++)
		dense[i] = ruvector::f16_to_f32(vector->x[i]);
	SparseVector* result = FromDense(dense, vector->dim);
	pfree(dense);
	PG_RETURN_SPARSEVEC_P(result);
}

/* The dense result is bounded by vector's 16000 dimensions, with vector's error */
Datum sparsevec_to_vector(PG_FUNCTION_ARGS)
{
	SparseVector* vector = PG_GETARG_SPARSEVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	const float* values = SPARSEVEC_VALUES(vector);

	if (vector->dim > VECTOR_MAX_DIM)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("vector cannot have more than %d dimensions", VECTOR_MAX_DIM)));
	CheckExpectedDim(typmod, vector->dim);
	Vector* result = InitVector(vector->dim);
	for (int i = 0; i < vector->nnz; i++)
		result->x[vector->indices[i]] = values[i];
	PG_RETURN_POINTER(result);
}

Datum sparsevec_to_halfvec(PG_FUNCTION_ARGS)
{
	SparseVector* vector = PG_GETARG_SPARSEVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	const float* values = SPARSEVEC_VALUES(vector);

	HalfvecCheckDim(vector->dim);
	CheckExpectedDim(typmod, vector->dim);
	HalfVector* result = InitHalfVector(vector->dim);
	for (int i = 0; i < vector->nnz; i++)
		result->x[vector->indices[i]] = Float4ToHalf(values[i]);
	PG_RETURN_HALFVEC_P(result);
}

/* Elements are converted to float first; the non-zero count is checked before NaN and infinities */
Datum array_to_sparsevec(PG_FUNCTION_ARGS)
{
	ArrayType* array = PG_GETARG_ARRAYTYPE_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	int count;
	Datum* elements = DeconstructVectorArray(array, &count);

	CheckDim(count);
	CheckExpectedDim(typmod, count);
	float* dense = (float*) palloc(sizeof(float) * count);
	int nnz = 0;
	for (int i = 0; i < count; i++) {
		dense[i] = ArrayElementToFloat4(ARR_ELEMTYPE(array), elements[i]);
		if (dense[i] != 0)
			nnz++;
	}
	pfree(elements);
	CheckNnz(nnz, count);
	for (int i = 0; i < count; i++)
		CheckElement(dense[i]);
	SparseVector* result = FromDense(dense, count);
	pfree(dense);
	PG_RETURN_SPARSEVEC_P(result);
}
