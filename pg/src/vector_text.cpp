/*
 * Text input shared by the vector types; syntax errors follow pgvector 0.8.7.
 */
extern "C" {
#include "postgres.h"

#include <math.h>

#include "utils/array.h"
}

#include "vector_checks.h"
#include "vector_text.h"

static bool IsVectorSpace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

const char* SkipVectorSpace(const char* p)
{
	while (IsVectorSpace(*p))
		p++;
	return p;
}

void InvalidVectorSyntax(const char* type, const char* literal, const char* detail)
{
	if (detail != NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type %s: \"%s\"", type, literal), errdetail("%s", detail)));
	ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
	                errmsg("invalid input syntax for type %s: \"%s\"", type, literal)));
	pg_unreachable();
}

float* ParseDenseVector(const char* literal, const char* type, int maxDim, bool (*overflows)(float value), int* dim)
{
	/* A scratch array sized for the limit: one pass, one copy by the caller */
	float* values = (float*) palloc(sizeof(float) * maxDim);
	int count = 0;
	const char* p = SkipVectorSpace(literal);

	if (*p != '[')
		InvalidVectorSyntax(type, literal, "Vector contents must start with \"[\".");
	p = SkipVectorSpace(p + 1);
	if (*p == ']')
		CheckDimensions(type, maxDim, 0);

	for (;;) {
		char* end;
		float value;

		if (count == maxDim)
			CheckDimensions(type, maxDim, count + 1);
		p = SkipVectorSpace(p);
		if (*p == '\0')
			InvalidVectorSyntax(type, literal, NULL);

		errno = 0;
		value = strtof(p, &end);
		if (end == p)
			InvalidVectorSyntax(type, literal, NULL);
		if ((errno == ERANGE && isinf(value)) || (overflows != NULL && overflows(value)))
			ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			                errmsg("\"%s\" is out of range for type %s", pnstrdup(p, end - p), type)));
		CheckFiniteElement(type, value);
		values[count++] = value;

		p = SkipVectorSpace(end);
		if (*p == ',')
			p++;
		else if (*p == ']') {
			p++;
			break;
		} else
			InvalidVectorSyntax(type, literal, NULL);
	}

	if (*SkipVectorSpace(p) != '\0')
		InvalidVectorSyntax(type, literal, "Junk after closing right brace.");
	*dim = count;
	return values;
}
