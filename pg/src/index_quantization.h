/*
 * index_quantization: the WITH (quantization = ...) option that hnsw, flat and
 * ivfflat share (its values, parsing and error text), and the float32 form of
 * a stored value that the quantizers (ruvector/quantize.hpp) train and encode.
 *
 * Include after postgres.h.
 */
#pragma once

#include "ruvector/quantize.hpp"
#include "ruvector/space.hpp"

#define INDEX_QUANTIZATION_OPTION_DESC "How vectors are stored: none, sq8 or binary"

/* The reloption's validator: a bad value gets an error listing the allowed ones */
void IndexValidateQuantization(const char* value);
/* The option's value in an index's parsed options (a string at `offset`; 0 when unset): none by default */
ruvector::quantization IndexGetQuantization(const void* options, int offset);
/* The name of a quantization, as the option spells it */
const char* IndexQuantizationName(ruvector::quantization quantization);
/* A value as a space stores it (float32, float16 or bits) as float32 */
void IndexValueToFloats(const ruvector::vector_space& space, const void* value, float* out);
