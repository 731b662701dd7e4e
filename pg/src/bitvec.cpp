/*
 * Distances between bit strings (PostgreSQL's bit and varbit types), for
 * binary-quantised embeddings: Hamming and Jaccard, counted by core's kernels.
 */
extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "utils/varbit.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif
}

#include "ruvector/bits.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(hamming_distance);
PG_FUNCTION_INFO_V1(jaccard_distance);
}

/* Fetch both bit strings; they must have the same length */
static void GetBitPair(FunctionCallInfo fcinfo, VarBit** a, VarBit** b)
{
	*a = PG_GETARG_VARBIT_P(0);
	*b = PG_GETARG_VARBIT_P(1);
	if (VARBITLEN(*a) != VARBITLEN(*b))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("different bit lengths %d and %d", VARBITLEN(*a), VARBITLEN(*b))));
}

/* Number of differing bits; the unused bits of the last byte are always zero */
Datum hamming_distance(PG_FUNCTION_ARGS)
{
	VarBit *a, *b;

	GetBitPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8((double) ruvector::hamming_bits(VARBITS(a), VARBITS(b), VARBITBYTES(a)));
}

/* 1 - |a AND b| / |a OR b|, and 1 when no bit is set in both */
Datum jaccard_distance(PG_FUNCTION_ARGS)
{
	VarBit *a, *b;

	GetBitPair(fcinfo, &a, &b);
	PG_RETURN_FLOAT8(ruvector::jaccard_distance_bits(VARBITS(a), VARBITS(b), VARBITBYTES(a)));
}
