/*
 * vector: the float32 vector type, laid out exactly as pgvector's so that
 * on-disk data, binary COPY and dumps move between the two extensions.
 *
 * Include after postgres.h and fmgr.h.
 */
#pragma once

#define VECTOR_MAX_DIM 16000

/* varlena header, dimensions, a reserved int16 (always 0), then the elements */
typedef struct Vector {
	int32 vl_len_;
	int16 dim;
	int16 unused;
	float x[FLEXIBLE_ARRAY_MEMBER];
} Vector;

#define VECTOR_SIZE(_dim) (offsetof(Vector, x) + sizeof(float) * (_dim))
#define DatumGetVector(x) ((Vector*) PG_DETOAST_DATUM(x))
#define PG_GETARG_VECTOR_P(x) DatumGetVector(PG_GETARG_DATUM(x))
#define PG_RETURN_VECTOR_P(x) PG_RETURN_POINTER(x)

/* Allocate a zeroed vector of dim elements in the current memory context */
Vector* InitVector(int dim);

/* Distance functions the index access methods recognise in their operator classes */
extern "C" {
Datum vector_l2_squared_distance(PG_FUNCTION_ARGS);
Datum vector_negative_inner_product(PG_FUNCTION_ARGS);
Datum l1_distance(PG_FUNCTION_ARGS);
}
