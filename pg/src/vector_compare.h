/*
 * The btree operators of a vector type, all read off one three-way comparison
 * int compare(FunctionCallInfo): <, <=, =, <>, >=, > and the support function.
 *
 * Include after postgres.h and fmgr.h.
 */
#pragma once

#define VECTOR_COMPARISON_FUNCTIONS(prefix, compare)                                                                   \
	extern "C" {                                                                                                       \
	PG_FUNCTION_INFO_V1(prefix##_lt);                                                                                  \
	PG_FUNCTION_INFO_V1(prefix##_le);                                                                                  \
	PG_FUNCTION_INFO_V1(prefix##_eq);                                                                                  \
	PG_FUNCTION_INFO_V1(prefix##_ne);                                                                                  \
	PG_FUNCTION_INFO_V1(prefix##_ge);                                                                                  \
	PG_FUNCTION_INFO_V1(prefix##_gt);                                                                                  \
	PG_FUNCTION_INFO_V1(prefix##_cmp);                                                                                 \
	}                                                                                                                  \
	Datum prefix##_lt(PG_FUNCTION_ARGS)                                                                                \
	{                                                                                                                  \
		PG_RETURN_BOOL(compare(fcinfo) < 0);                                                                           \
	}                                                                                                                  \
	Datum prefix##_le(PG_FUNCTION_ARGS)                                                                                \
	{                                                                                                                  \
		PG_RETURN_BOOL(compare(fcinfo) <= 0);                                                                          \
	}                                                                                                                  \
	Datum prefix##_eq(PG_FUNCTION_ARGS)                                                                                \
	{                                                                                                                  \
		PG_RETURN_BOOL(compare(fcinfo) == 0);                                                                          \
	}                                                                                                                  \
	Datum prefix##_ne(PG_FUNCTION_ARGS)                                                                                \
	{                                                                                                                  \
		PG_RETURN_BOOL(compare(fcinfo) != 0);                                                                          \
	}                                                                                                                  \
	Datum prefix##_ge(PG_FUNCTION_ARGS)                                                                                \
	{                                                                                                                  \
		PG_RETURN_BOOL(compare(fcinfo) >= 0);                                                                          \
	}                                                                                                                  \
	Datum prefix##_gt(PG_FUNCTION_ARGS)                                                                                \
	{                                                                                                                  \
		PG_RETURN_BOOL(compare(fcinfo) > 0);                                                                           \
	}                                                                                                                  \
	Datum prefix##_cmp(PG_FUNCTION_ARGS)                                                                               \
	{                                                                                                                  \
		PG_RETURN_INT32(compare(fcinfo));                                                                              \
	}
