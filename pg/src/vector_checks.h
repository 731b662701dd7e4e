/*
 * The checks vector, halfvec and sparsevec share: dimension limits, typmods,
 * finite elements and the binary format's reserved field. Each takes the SQL
 * type name, so the error texts stay pgvector's word for word.
 *
 * Include after postgres.h and utils/array.h.
 */
#pragma once

#include "ruvector/input_error.hpp"

/* "<type> must have at least 1 dimension" / "<type> cannot have more than <max> dimensions" */
void CheckDimensions(const char* type, int maxDim, int dim);

/* Raise an error when a typmod was given and the dimensions differ */
void CheckExpectedDim(int32 typmod, int dim);

/* NaN and infinities never enter a vector of any type: every distance would be meaningless */
void CheckFiniteElement(const char* type, float value);

/* Both operands of a two-vector function must have the same number of dimensions */
void CheckSameDimensions(const char* type, int a, int b);

/* The binary formats reserve a field that must be 0 */
void CheckUnusedZero(int unused);

/* sparsevec's count of non-zero elements: not negative, at most maxNonzeros and dim */
void CheckNonzeros(int nonzeros, int maxNonzeros, int dim);

/* What an input error's text names besides its code: the literal, or the binary header's fields */
struct InputErrorDetails {
	const char* type;
	int maxDim;
	const char* literal; /* text input */
	size_t position;     /* text input: where the problem starts */
	size_t length;       /* out_of_range: the number's length */
	int dim;             /* binary input: the header's fields, and the typmod they were checked against */
	int nonzeros;
	int maxNonzeros;
	int unused;
	int32 typmod;
};

/* The error for an input code of core's text and binary readers, as pgvector words it */
[[noreturn]] void ReportInputError(ruvector::input_error error, const InputErrorDetails& details);

/* <type>(n): the single integer modifier, between 1 and maxDim */
int32 DimensionTypmod(ArrayType* modifiers, const char* type, int maxDim);

/* The float8[] {count, sum_1, ..., sum_dim} state of avg and sum; caller names the function in the error */
float8* CheckAggregateState(ArrayType* state, const char* caller);
