/*
 * Text input shared by vector and halfvec: core parses, the errors follow pgvector 0.8.7.
 */
extern "C" {
#include "postgres.h"

#include "utils/array.h"
}

#include "ruvector/vector_text.hpp"
#include "vector_checks.h"
#include "vector_text.h"

float* ParseDenseVector(const char* literal, const char* type, int maxDim, bool (*overflows)(float value), int* dim)
{
	/* A scratch array sized for the limit: one pass, one copy by the caller */
	float* values = (float*) palloc(sizeof(float) * maxDim);
	ruvector::text_result result = ruvector::parse_dense_text(literal, maxDim, overflows, values, dim);

	if (result.error != ruvector::input_error::none) {
		InputErrorDetails details = {};
		details.type = type;
		details.maxDim = maxDim;
		details.literal = literal;
		details.position = result.position;
		details.length = result.length;
		ReportInputError(result.error, details);
	}
	return values;
}
