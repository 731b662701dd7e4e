/*
 * The text format vector and halfvec share, '[1, 2.5, -3e-5]', read by core's parser
 * (ruvector/vector_text.hpp); its errors become pgvector's.
 *
 * Include after postgres.h.
 */
#pragma once

/*
 * Parse a bracketed float list into a palloc'd array and set *dim. Elements are
 * read with strtof, as float4in does, and checked one by one in order: the
 * dimension limit, the range (a float overflow, or overflows(value) for a
 * narrower element type when not NULL), then NaN and infinities.
 */
float* ParseDenseVector(const char* literal, const char* type, int maxDim, bool (*overflows)(float value), int* dim);
