/*
 * Checks shared by the vector types; texts and SQLSTATEs follow pgvector 0.8.7.
 */
extern "C" {
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/float.h"
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

void CheckNonzeros(int nonzeros, int maxNonzeros, int dim)
{
	if (nonzeros < 0)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("sparsevec cannot have negative number of elements")));
	if (nonzeros > maxNonzeros)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("sparsevec cannot have more than %d non-zero elements", maxNonzeros)));
	if (nonzeros > dim)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("sparsevec cannot have more elements than dimensions")));
}

[[noreturn]] static void InvalidSyntax(const InputErrorDetails& details, const char* detail)
{
	if (detail != NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type %s: \"%s\"", details.type, details.literal),
		                errdetail("%s", detail)));
	ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
	                errmsg("invalid input syntax for type %s: \"%s\"", details.type, details.literal)));
	pg_unreachable();
}

[[noreturn]] static void SparseError(const char* message)
{
	ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("%s", message)));
	pg_unreachable();
}

void ReportInputError(ruvector::input_error error, const InputErrorDetails& details)
{
	using ruvector::input_error;

	switch (error) {
		case input_error::missing_open_bracket:
			InvalidSyntax(details, "Vector contents must start with \"[\".");
		case input_error::missing_open_brace:
			InvalidSyntax(details, "Vector contents must start with \"{\".");
		case input_error::syntax:
			InvalidSyntax(details, NULL);
		case input_error::junk_after_bracket:
			InvalidSyntax(details, "Junk after closing right brace.");
		case input_error::missing_slash:
			InvalidSyntax(details, "Unexpected end of input.");
		case input_error::junk_after_dim:
			InvalidSyntax(details, "Junk after closing.");
		case input_error::out_of_range:
			ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			                errmsg("\"%s\" is out of range for type %s",
			                       pnstrdup(details.literal + details.position, details.length), details.type)));
			break;
		case input_error::insufficient_data:
			/* pq_getmsgint's own error */
			ereport(ERROR, (errcode(ERRCODE_PROTOCOL_VIOLATION), errmsg("insufficient data left in message")));
			break;
		case input_error::unexpected_dim:
			CheckExpectedDim(details.typmod, details.dim);
			break;
		case input_error::unused_not_zero:
			CheckUnusedZero(details.unused);
			break;
		case input_error::negative_nonzeros:
		case input_error::too_many_nonzeros:
		case input_error::nonzeros_above_dim:
			CheckNonzeros(details.nonzeros, details.maxNonzeros, details.dim);
			break;
		case input_error::indices_descending:
			SparseError("sparsevec indices must be in ascending order");
		case input_error::zero_value:
			SparseError("binary representation of sparsevec cannot contain zero values");
		case input_error::too_few_dims:
			CheckDimensions(details.type, details.maxDim, 0);
			break;
		case input_error::too_many_dims:
			CheckDimensions(details.type, details.maxDim, details.maxDim + 1);
			break;
		case input_error::not_a_number:
			CheckFiniteElement(details.type, get_float4_nan());
			break;
		case input_error::infinite:
			CheckFiniteElement(details.type, get_float4_infinity());
			break;
		case input_error::index_out_of_bounds:
			SparseError("sparsevec index out of bounds");
		case input_error::duplicate_index:
			SparseError("sparsevec indices must not contain duplicates");
		case input_error::none:
			break;
	}
	elog(ERROR, "unexpected input error %d for type %s", (int) error, details.type);
	pg_unreachable();
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
