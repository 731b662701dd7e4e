/*
 * Binary input shared by vector, halfvec and sparsevec: core reads, the errors follow pgvector 0.8.7.
 */
extern "C" {
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/array.h"
}

#include "vector_checks.h"
#include "vector_binary.h"

ruvector::binary_reader BinaryReader(StringInfo buffer)
{
	return ruvector::binary_reader{(const unsigned char*) buffer->data + buffer->cursor,
	                               (size_t) (buffer->len - buffer->cursor)};
}

InputErrorDetails BinaryErrorDetails(const char* type, int maxDim, int32 typmod)
{
	InputErrorDetails details = {};

	details.type = type;
	details.maxDim = maxDim;
	details.typmod = typmod;
	return details;
}

void ReportBinaryError(ruvector::input_error error, InputErrorDetails details, const ruvector::binary_header& header)
{
	details.dim = header.dim;
	details.nonzeros = header.nonzeros;
	details.unused = header.unused;
	ReportInputError(error, details);
}
