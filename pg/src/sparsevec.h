/*
 * sparsevec: the sparse float32 vector type, laid out exactly as pgvector's:
 * a header, nnz ascending 0-based int32 indices, then nnz non-zero float4 values.
 *
 * Include after postgres.h and fmgr.h.
 */
#pragma once

#define SPARSEVEC_MAX_DIM 1000000000
#define SPARSEVEC_MAX_NNZ 16000

typedef struct SparseVector {
	int32 vl_len_;
	int32 dim;
	int32 nnz;
	int32 unused;
	int32 indices[FLEXIBLE_ARRAY_MEMBER];
} SparseVector;

#define SPARSEVEC_SIZE(_nnz) (offsetof(SparseVector, indices) + (sizeof(int32) + sizeof(float)) * (_nnz))
/* The values follow the indices */
#define SPARSEVEC_VALUES(x) ((float*) ((x)->indices + (x)->nnz))
#define DatumGetSparseVector(x) ((SparseVector*) PG_DETOAST_DATUM(x))
#define PG_GETARG_SPARSEVEC_P(x) DatumGetSparseVector(PG_GETARG_DATUM(x))
#define PG_RETURN_SPARSEVEC_P(x) PG_RETURN_POINTER(x)

/* Allocate a zeroed sparse vector with room for nnz elements in the current memory context */
SparseVector* InitSparseVector(int dim, int nnz);

/* Distance functions the index access methods recognise in their operator classes */
extern "C" {
Datum sparsevec_l2_squared_distance(PG_FUNCTION_ARGS);
Datum sparsevec_negative_inner_product(PG_FUNCTION_ARGS);
Datum sparsevec_l1_distance(PG_FUNCTION_ARGS);
Datum sparsevec_l2_norm(PG_FUNCTION_ARGS);
}
