/*
 * hnsw_quantize: what an hnsw element tuple stores, and how the graph walk
 * measures it. Without quantization: the vector as the space stores it, measured
 * by the space. With sq8 or binary: a code (ruvector/quantize.hpp) after its
 * correction terms; a query is measured against it by the quantizer's estimate
 * (and its lower bound for the executor's re-check), and two codes through their
 * decoded float32 vectors (neighbour selection on inserts and vacuum).
 *
 * The codebook is trained by the build on the vectors it holds in memory. An
 * index built on an empty table keeps a default codebook (offsets 0; for sq8 a
 * step of 1/127, so [-1, 1] is represented, as unit vectors need) until it is
 * rebuilt: rows outside that range get codes with large errors, which only make
 * their bounds looser (the executor still re-ranks them exactly).
 */
extern "C" {
#include "postgres.h"

#include <math.h>

#include "utils/rel.h"
}

#include "hnsw.h"
#include "index_quantization.h"

static Size TermsBytes(ruvector::quantization quantization)
{
	switch (quantization) {
		case ruvector::quantization::sq8:
			return sizeof(ruvector::sq8_terms);
		case ruvector::quantization::binary:
			return sizeof(ruvector::binary_terms);
		case ruvector::quantization::none:
			break;
	}
	return 0;
}

void HnswInitCodec(HnswTypeInfo* info, ruvector::quantization quantization)
{
	HnswCodec* codec = &info->codec;
	size_t dim = info->space.dim;

	memset(codec, 0, sizeof(*codec));
	codec->quantization = quantization;
	codec->termsBytes = TermsBytes(quantization);
	switch (quantization) {
		case ruvector::quantization::none:
			codec->bytes = info->space.bytes;
			codec->comparableBytes = info->space.bytes;
			return;
		case ruvector::quantization::sq8:
			codec->bytes = codec->termsBytes + dim;
			codec->scale = 1.0f / ruvector::sq8_max_code;
			break;
		case ruvector::quantization::binary:
			codec->bytes = codec->termsBytes + ruvector::binary_code_bytes(dim);
			break;
	}
	/* Whole floats, so the terms of the next element in a graph copy stay aligned */
	codec->bytes = TYPEALIGN(sizeof(float), codec->bytes);
	codec->comparableBytes = sizeof(float) * dim;
	codec->offset = (float*) palloc0(sizeof(float) * Max(dim, 1));
	codec->decoded = ruvector::make_space(ruvector::element_kind::f32, info->space.kind, dim);
}

void HnswTrainCodec(HnswTypeInfo* info, const void* const* vectors, Size count)
{
	HnswCodec* codec = &info->codec;
	size_t dim = info->space.dim;
	ruvector::training_stats stats;

	if (codec->quantization == ruvector::quantization::none || count == 0)
		return;
	float* floats = (float*) palloc(sizeof(float) * dim);
	stats.lo = (float*) palloc(sizeof(float) * dim);
	stats.hi = (float*) palloc(sizeof(float) * dim);
	stats.sum = (double*) palloc(sizeof(double) * dim);
	stats.dim = dim;
	ruvector::training_reset(stats);
	for (Size i = 0; i < count; i++) {
		IndexValueToFloats(info->space, vectors[i], floats);
		ruvector::training_add(stats, floats);
	}
	if (codec->quantization == ruvector::quantization::sq8)
		codec->scale = ruvector::sq8_train(stats, codec->offset);
	else
		ruvector::binary_train(stats, codec->offset);
	pfree(stats.lo);
	pfree(stats.hi);
	pfree(stats.sum);
	pfree(floats);
}

void HnswWriteCodebook(Page page, const HnswTypeInfo* info)
{
	HnswMetaPage meta = HnswPageGetMeta(page);
	const HnswCodec* codec = &info->codec;
	char* end = (char*) meta + sizeof(HnswMetaPageData);

	meta->quantization = (uint8) codec->quantization;
	meta->scale = codec->scale;
	if (codec->quantization != ruvector::quantization::none) {
		memcpy(HnswPageGetCodebook(page), codec->offset, sizeof(float) * info->space.dim);
		end = (char*) (HnswPageGetCodebook(page) + info->space.dim);
	}
	/* Up to pd_lower: a full-page image keeps the codebook */
	((PageHeader) page)->pd_lower = end - (char*) page;
}

void HnswGetIndexInfo(Relation index, HnswTypeInfo* info)
{
	HnswMetaPageData meta;

	HnswGetTypeInfo(index, info);
	HnswReadMeta(index, &meta);
	if (meta.quantization > (uint8) ruvector::quantization::binary ||
	    (meta.quantization != (uint8) ruvector::quantization::none &&
	     (info->dimensions > HNSW_CODEBOOK_MAX_DIMENSIONS || (int) meta.dimensions != info->dimensions)))
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("index \"%s\" has a damaged meta page", RelationGetRelationName(index)),
		                errhint("REINDEX the index.")));
	HnswInitCodec(info, (ruvector::quantization) meta.quantization);
	HnswReadCodebook(index, info);
}

void HnswReadCodebook(Relation index, HnswTypeInfo* info)
{
	if (info->codec.quantization == ruvector::quantization::none)
		return;

	Buffer buf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	memcpy(info->codec.offset, HnswPageGetCodebook(BufferGetPage(buf)), sizeof(float) * info->space.dim);
	info->codec.scale = HnswPageGetMeta(BufferGetPage(buf))->scale;
	UnlockReleaseBuffer(buf);
}

void HnswEncode(const HnswTypeInfo* info, const void* vector, char* stored)
{
	const HnswCodec* codec = &info->codec;
	size_t dim = info->space.dim;
	ruvector::metric metric = info->space.kind;

	if (codec->quantization == ruvector::quantization::none) {
		memcpy(stored, vector, HnswElementDataBytes(info, vector));
		return;
	}

	float* floats = (float*) palloc(sizeof(float) * dim);
	char* code = stored + codec->termsBytes;
	IndexValueToFloats(info->space, vector, floats);
	memset(stored, 0, codec->bytes);
	if (codec->quantization == ruvector::quantization::sq8) {
		ruvector::sq8_codebook book{codec->offset, codec->scale, dim};
		ruvector::sq8_terms terms = ruvector::sq8_encode(book, metric, floats, (int8*) code);
		memcpy(stored, &terms, sizeof(terms));
	} else {
		ruvector::binary_codebook book{codec->offset, dim};
		ruvector::binary_terms terms = ruvector::binary_encode(book, metric, floats, (uint8*) code);
		memcpy(stored, &terms, sizeof(terms));
	}
	pfree(floats);
}

void HnswDecode(const HnswTypeInfo* info, const char* stored, void* comparable)
{
	const HnswCodec* codec = &info->codec;
	size_t dim = info->space.dim;
	const char* code = stored + codec->termsBytes;

	switch (codec->quantization) {
		case ruvector::quantization::none:
			memcpy(comparable, stored, HnswElementDataBytes(info, stored));
			break;
		case ruvector::quantization::sq8: {
			ruvector::sq8_codebook book{codec->offset, codec->scale, dim};
			ruvector::sq8_decode(book, (const int8*) code, (float*) comparable);
			break;
		}
		case ruvector::quantization::binary: {
			ruvector::binary_codebook book{codec->offset, dim};
			ruvector::binary_terms terms;
			memcpy(&terms, stored, sizeof(terms));
			ruvector::binary_decode(book, (const uint8*) code, terms, (float*) comparable);
			break;
		}
	}
}

float HnswComparableDistance(const HnswTypeInfo* info, const void* a, const void* b)
{
	if (info->codec.quantization == ruvector::quantization::none)
		return info->space(a, b);

	/* SQL units, as the quantizer's estimates: the decoded space's l2 is squared */
	float distance = info->codec.decoded(a, b);
	return info->space.kind == ruvector::metric::l2 ? sqrtf(Max(distance, 0.0f)) : distance;
}

void HnswPrepareQuery(const HnswTypeInfo* info, const void* vector, HnswQuery* query)
{
	const HnswCodec* codec = &info->codec;
	size_t dim = info->space.dim;
	ruvector::metric metric = info->space.kind;

	memset(query, 0, sizeof(*query));
	query->vector = vector;
	if (codec->quantization == ruvector::quantization::none)
		return;

	query->floats = (float*) palloc(sizeof(float) * dim);
	IndexValueToFloats(info->space, vector, query->floats);
	if (codec->quantization == ruvector::quantization::sq8) {
		ruvector::sq8_codebook book{codec->offset, codec->scale, dim};
		query->sq8.code = (int8*) palloc(dim);
		ruvector::sq8_prepare_query(book, metric, query->floats, query->sq8);
	} else {
		ruvector::binary_codebook book{codec->offset, dim};
		query->binary.table =
		    (float*) palloc_extended(sizeof(float) * ruvector::binary_query_table_floats(dim), MCXT_ALLOC_HUGE);
		ruvector::binary_prepare_query(book, metric, query->floats, query->binary);
	}
}

static ruvector::distance_bound QueryBound(const HnswTypeInfo* info, const HnswQuery* query, const char* stored)
{
	const HnswCodec* codec = &info->codec;
	size_t dim = info->space.dim;
	ruvector::metric metric = info->space.kind;
	const char* code = stored + codec->termsBytes;

	if (codec->quantization == ruvector::quantization::sq8) {
		ruvector::sq8_codebook book{codec->offset, codec->scale, dim};
		ruvector::sq8_terms terms;
		memcpy(&terms, stored, sizeof(terms));
		return ruvector::sq8_query_distance(book, metric, query->sq8, (const int8*) code, terms);
	}
	ruvector::binary_codebook book{codec->offset, dim};
	ruvector::binary_terms terms;
	memcpy(&terms, stored, sizeof(terms));
	return ruvector::binary_query_distance(book, metric, query->binary, (const uint8*) code, terms);
}

float HnswQueryDistance(const HnswTypeInfo* info, const HnswQuery* query, const char* stored)
{
	if (info->codec.quantization == ruvector::quantization::none)
		return info->space(query->vector, stored);
	return QueryBound(info, query, stored).estimate;
}

float HnswQueryLowerBound(const HnswTypeInfo* info, const HnswQuery* query, const char* stored)
{
	Assert(info->codec.quantization != ruvector::quantization::none);
	return ruvector::lower_bound_of(QueryBound(info, query, stored));
}
