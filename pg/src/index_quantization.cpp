/*
 * index_quantization: the quantization option shared by hnsw, flat and ivfflat
 * (see index_quantization.h).
 */
extern "C" {
#include "postgres.h"
}

#include "index_quantization.h"
#include "ruvector/half.hpp"

/* In the order of ruvector::quantization */
static const char* const index_quantization_names[] = {"none", "sq8", "binary"};

static bool ParseQuantization(const char* value, ruvector::quantization* out)
{
	for (size_t i = 0; i < lengthof(index_quantization_names); i++) {
		if (pg_strcasecmp(value, index_quantization_names[i]) == 0) {
			*out = (ruvector::quantization) i;
			return true;
		}
	}
	return false;
}

/* Worded as PostgreSQL words a bad enum option */
void IndexValidateQuantization(const char* value)
{
	ruvector::quantization parsed;

	if (value != NULL && !ParseQuantization(value, &parsed))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("invalid value for enum option \"quantization\": %s", value),
		                errdetail("Valid values are \"none\", \"sq8\" and \"binary\".")));
}

ruvector::quantization IndexGetQuantization(const void* options, int offset)
{
	ruvector::quantization quantization = ruvector::quantization::none;

	if (options != NULL && offset != 0)
		ParseQuantization((const char*) options + offset, &quantization);
	return quantization;
}

const char* IndexQuantizationName(ruvector::quantization quantization)
{
	return index_quantization_names[(int) quantization];
}

void IndexValueToFloats(const ruvector::vector_space& space, const void* value, float* out)
{
	switch (space.element) {
		case ruvector::element_kind::f32:
			memcpy(out, value, sizeof(float) * space.dim);
			break;
		case ruvector::element_kind::f16:
			for (size_t i = 0; i < space.dim; i++)
				out[i] = ruvector::f16_to_f32(((const uint16*) value)[i]);
			break;
		case ruvector::element_kind::bit:
			for (size_t i = 0; i < space.dim; i++)
				out[i] = (((const uint8*) value)[i / 8] & (0x80 >> (i % 8))) ? 1.0f : 0.0f;
			break;
		case ruvector::element_kind::sparse: /* never quantized, and no ivf operator class takes sparsevec */
			elog(ERROR, "sparse vectors have no float32 form in an index");
	}
}
