/*
 * halfvec: the float16 vector type, laid out exactly as pgvector's so that
 * on-disk data, binary COPY and dumps move between the two extensions.
 *
 * Include after postgres.h, fmgr.h and utils/array.h.
 */
#pragma once

#define HALFVEC_MAX_DIM 16000

/* varlena header, dimensions, a reserved int16 (always 0), then IEEE binary16 bit patterns */
typedef struct HalfVector {
	int32 vl_len_;
	int16 dim;
	int16 unused;
	uint16 x[FLEXIBLE_ARRAY_MEMBER];
} HalfVector;

#define HALFVEC_SIZE(_dim) (offsetof(HalfVector, x) + sizeof(uint16) * (_dim))
#define DatumGetHalfVector(x) ((HalfVector*) PG_DETOAST_DATUM(x))
#define PG_GETARG_HALFVEC_P(x) DatumGetHalfVector(PG_GETARG_DATUM(x))
#define PG_RETURN_HALFVEC_P(x) PG_RETURN_POINTER(x)

/* Allocate a zeroed half vector of dim elements in the current memory context */
HalfVector* InitHalfVector(int dim);

/* Raise pgvector's "halfvec must have at least 1 dimension" / "cannot have more than" errors */
void HalfvecCheckDim(int dim);

/* Round a float to a half; a finite value beyond the half range is pgvector's out-of-range error */
uint16 Float4ToHalf(float value);

/* The elements of a 1-D int4/float4/float8/numeric array without NULLs (pgvector's array checks) */
Datum* DeconstructVectorArray(ArrayType* array, int* count);

/* One such element as a float, rounded once as pgvector does (numeric through numeric_float4) */
float ArrayElementToFloat4(Oid type, Datum element);

/* Distance functions the index access methods recognise in their operator classes */
extern "C" {
Datum halfvec_l2_squared_distance(PG_FUNCTION_ARGS);
Datum halfvec_negative_inner_product(PG_FUNCTION_ARGS);
Datum halfvec_l1_distance(PG_FUNCTION_ARGS);
Datum halfvec_l2_norm(PG_FUNCTION_ARGS);
}
