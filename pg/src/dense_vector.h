/*
 * What the dense types, vector and halfvec, share: both lay out dim, a reserved
 * int16 and then the elements, so one template serves either for fetching a
 * pair, running a core kernel over it, slicing and concatenating. Errors name
 * the SQL type passed in.
 *
 * Include after postgres.h, fmgr.h and vector_checks.h.
 */
#pragma once

#include <cstddef>

/*
 * Fetch both arguments and check their dimensions. Arguments are detoasted
 * copies at most; they die with the call's context.
 */
template <typename Dense>
static inline void GetDensePair(FunctionCallInfo fcinfo, const char* type, Dense** a, Dense** b)
{
	*a = (Dense*) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	*b = (Dense*) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
	CheckSameDimensions(type, (*a)->dim, (*b)->dim);
}

/* A core distance kernel over both arguments, widened to double */
template <typename Dense, typename Element, typename Result>
static inline double DensePairDistance(FunctionCallInfo fcinfo, const char* type,
                                       Result (*kernel)(const Element*, const Element*, std::size_t))
{
	Dense *a, *b;

	GetDensePair(fcinfo, type, &a, &b);
	return (double) kernel(a->x, b->x, a->dim);
}

/*
 * subvector(): count elements from the 1-based position start, clipped to the
 * vector like substring(); an empty result is an error.
 */
template <typename Dense>
static inline Dense* DenseSubvector(const Dense* a, int32 start, int32 count, const char* type, int maxDim,
                                    Dense* (*init)(int dim))
{
	int32 end;

	if (count < 1)
		CheckDimensions(type, maxDim, 0);
	/* start + count past the end, written so that it cannot overflow (a->dim - count >= 1 - INT32_MAX) */
	if (start > a->dim - count)
		end = a->dim + 1;
	else
		end = start + count;
	if (start < 1)
		start = 1;
	else if (start > a->dim)
		CheckDimensions(type, maxDim, 0);
	CheckDimensions(type, maxDim, end - start);

	Dense* result = init(end - start);
	memcpy(result->x, a->x + start - 1, sizeof(a->x[0]) * result->dim);
	return result;
}

/* a || b, within the type's dimension limit */
template <typename Dense>
static inline Dense* DenseConcat(const Dense* a, const Dense* b, const char* type, int maxDim, Dense* (*init)(int dim))
{
	CheckDimensions(type, maxDim, a->dim + b->dim);
	Dense* result = init(a->dim + b->dim);
	memcpy(result->x, a->x, sizeof(a->x[0]) * a->dim);
	memcpy(result->x + a->dim, b->x, sizeof(b->x[0]) * b->dim);
	return result;
}
