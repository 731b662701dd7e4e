/*
 * Checks shared by the vector types; texts and SQLSTATEs follow pgvector 0.8.7.
 */
extern "C" {
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
}

#include "vector_checks.h"

void CheckDimensions(const char* type, int maxDim, int dim)
{
	if (dim < 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("%s must have at least 1 dimension", type)));
	if (dim > maxDim)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("%s cannot have more than %d dimensions", type, maxDim)));
}

void CheckExpectedDim(int32 typmod, int dim)
{
	if (typmod != -1 && typmod != dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected %d dimensions, not %d", typmod, dim)));
}

void CheckFiniteElement(const char* type, float value)
{
	if (isnan(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("NaN not allowed in %s", type)));
	if (isinf(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("infinite value not allowed in %s", type)));
}

void CheckSameDimensions(const char* type, int a, int b)
{
	if (a != b)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("different %s dimensions %d and %d", type, a, b)));
}

void CheckUnusedZero(int unused)
{
	if (unused != 0)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("expected unused to be 0, not %d", unused)));
}

int32 DimensionTypmod(ArrayType* modifiers, const char* type, int maxDim)
{
	int count;
	int32* values = ArrayGetIntegerTypmods(modifiers, &count);

	if (count != 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid type modifier")));
	if (values[0] < 1)
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("dimensions for type %s must be at least 1", type)));
	if (values[0] > maxDim)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("dimensions for type %s cannot exceed %d", type, maxDim)));
	return values[0];
}

float8* CheckAggregateState(ArrayType* state, const char* caller)
{
	if (ARR_NDIM(state) != 1 || ARR_DIMS(state)[0] < 1 || ARR_HASNULL(state) || ARR_ELEMTYPE(state) != FLOAT8OID)
		elog(ERROR, "%s: expected state array", caller);
	return (float8*) ARR_DATA_PTR(state);
}
