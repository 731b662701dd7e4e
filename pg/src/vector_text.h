/*
 * The text format vector and halfvec share, '[1, 2.5, -3e-5]', and the pieces
 * sparsevec's '{1:1.5}/3' reuses: whitespace and the syntax error.
 *
 * Include after postgres.h.
 */
#pragma once

/* Past the whitespace the text formats allow around brackets, commas and numbers */
const char* SkipVectorSpace(const char* p);

/* "invalid input syntax for type <type>", with a DETAIL when detail is not NULL */
[[noreturn]] void InvalidVectorSyntax(const char* type, const char* literal, const char* detail);

/*
 * Parse a bracketed float list into a palloc'd array and set *dim. Elements are
 * read with strtof, as float4in does, and checked one by one in order: the
 * dimension limit, the range (a float overflow, or overflows(value) for a
 * narrower element type when not NULL), then NaN and infinities.
 */
float* ParseDenseVector(const char* literal, const char* type, int maxDim, bool (*overflows)(float value), int* dim);
