/*
 * ivf_page: options, the layout of flat and ivfflat indexes (meta page,
 * codebook, list directory, data pages), and encoding and appending entries.
 */
extern "C" {
#include "postgres.h"

#include "access/reloptions.h"
#include "storage/lmgr.h"
#include "utils/rel.h"
#include "utils/varbit.h"
}

#include "index_quantization.h"
#include "ivf.h"

int IvfGetLists(Relation index)
{
	IvfOptions* options = (IvfOptions*) index->rd_options;

	return options && options->lists > 0 ? options->lists : IVFFLAT_DEFAULT_LISTS;
}

ruvector::quantization IvfGetQuantization(Relation index)
{
	IvfOptions* options = (IvfOptions*) index->rd_options;

	return IndexGetQuantization(options, options ? options->quantizationOffset : 0);
}

/* Sizes of entries and directory entries for a type and a quantizer */
void IvfInitIndexInfo(IvfIndexInfo* info, Relation index, bool flat, int lists, ruvector::quantization quantization)
{
	memset(info, 0, sizeof(*info));
	HnswGetTypeInfo(index, &info->type);
	info->flat = flat;
	info->lists = lists;
	info->quantization = quantization;
	size_t dim = info->type.space.dim;
	switch (quantization) {
		case ruvector::quantization::none:
			info->codeBytes = info->type.space.bytes;
			break;
		case ruvector::quantization::sq8:
			info->termsBytes = sizeof(ruvector::sq8_terms);
			info->codeBytes = dim;
			break;
		case ruvector::quantization::binary:
			info->termsBytes = sizeof(ruvector::binary_terms);
			info->codeBytes = ruvector::binary_code_bytes(dim);
			break;
	}
	info->entrySize = MAXALIGN(offsetof(IvfEntryData, data) + info->termsBytes + info->codeBytes);
	info->listSize = MAXALIGN(offsetof(IvfListData, centroid) + (flat ? 0 : info->type.space.bytes));
	info->scale = 1;
}

/* An index's info as its meta page describes it, with the codebook read in */
void IvfLoadIndexInfo(IvfIndexInfo* info, Relation index, IvfMetaPageData* meta)
{
	IvfReadMeta(index, meta);
	IvfInitIndexInfo(info, index, !meta->hasCentroids, meta->lists, (ruvector::quantization) meta->quantization);
	if (info->entrySize != meta->entrySize)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("index \"%s\" has entries of %u bytes, expected %zu", RelationGetRelationName(index),
		                       meta->entrySize, (size_t) info->entrySize)));
	if (info->quantization == ruvector::quantization::none)
		return;

	int dim = info->type.dimensions;
	info->offset = (float*) palloc(sizeof(float) * dim);
	info->scale = meta->scale;
	for (int done = 0; done < dim; done += IVF_CODEBOOK_FLOATS_PER_PAGE) {
		Buffer buf = ReadBuffer(index, meta->codebookStart + done / IVF_CODEBOOK_FLOATS_PER_PAGE);

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		memcpy(info->offset + done, PageGetContents(BufferGetPage(buf)),
		       sizeof(float) * Min(dim - done, IVF_CODEBOOK_FLOATS_PER_PAGE));
		UnlockReleaseBuffer(buf);
	}
}

/* Append a new page to the relation, locked exclusively: from the build's pages, or under the extension lock */
Buffer IvfNewBuffer(Relation index, ForkNumber forkNum, RelationGrowth* building)
{
	if (building != NULL)
		return RelationGrowthNewBuffer(building);
	LockRelationForExtension(index, ExclusiveLock);
	Buffer buf = ReadBufferExtended(index, forkNum, P_NEW, RBM_NORMAL, NULL);
	UnlockRelationForExtension(index, ExclusiveLock);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	return buf;
}

void IvfInitPage(Buffer buf, Page page)
{
	PageInit(page, BufferGetPageSize(buf), sizeof(IvfPageOpaqueData));
	IvfPageGetOpaque(page)->nextblkno = InvalidBlockNumber;
	IvfPageGetOpaque(page)->page_id = IVF_PAGE_ID;
}

void IvfReadMeta(Relation index, IvfMetaPageData* meta)
{
	Buffer buf = ReadBuffer(index, IVF_METAPAGE_BLKNO);

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	Page page = BufferGetPage(buf);
	IvfMetaPage onPage = IvfPageGetMeta(page);

	if (IvfPageGetOpaque(page)->page_id != IVF_PAGE_ID || onPage->magicNumber != IVF_MAGIC_NUMBER)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED), errmsg("index \"%s\" is not a ruvector flat or ivfflat index",
		                                                         RelationGetRelationName(index))));
	if (onPage->version != IVF_VERSION)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("index \"%s\" has on-disk version %u, expected %u", RelationGetRelationName(index),
		                       onPage->version, IVF_VERSION),
		                errhint("REINDEX the index.")));
	*meta = *onPage;
	UnlockReleaseBuffer(buf);
}

/* A page change: WAL-logged through GenericXLog, or plain while a build writes (it logs all pages at its end) */
Page IvfBeginPageChange(Relation index, Buffer buf, bool building, bool newPage, GenericXLogState** xlog)
{
	if (building) {
		*xlog = NULL;
		return BufferGetPage(buf);
	}
	*xlog = GenericXLogStart(index);
	return GenericXLogRegisterBuffer(*xlog, buf, newPage ? GENERIC_XLOG_FULL_IMAGE : 0);
}

void IvfFinishPageChange(Buffer buf, GenericXLogState* xlog)
{
	if (xlog != NULL)
		GenericXLogFinish(xlog);
	else
		MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);
}

/* A list's first data page, InvalidBlockNumber while it is empty */
BlockNumber IvfListStart(Relation index, const IvfMetaPageData* meta, const IvfIndexInfo* info, int list)
{
	BlockNumber listBlkno;
	Size listOffset;

	IvfListLocation(meta, info, list, &listBlkno, &listOffset);
	Buffer buf = ReadBuffer(index, listBlkno);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	BlockNumber start = ((IvfList) ((char*) BufferGetPage(buf) + listOffset))->startPage;
	UnlockReleaseBuffer(buf);
	return start;
}

/*
 * Backends' copies of a flat index (flat_cache.cpp) are valid while this count
 * stays the same. Counted after the change: a copy that read the old count is
 * dropped by its next scan, and one that read the new count also read the change.
 */
void IvfCountChange(Relation index)
{
	Buffer buf = ReadBuffer(index, IVF_METAPAGE_BLKNO);

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	GenericXLogState* xlog = GenericXLogStart(index);
	Page page = GenericXLogRegisterBuffer(xlog, buf, 0);
	IvfPageGetMeta(page)->changeCount++;
	GenericXLogFinish(xlog);
	UnlockReleaseBuffer(buf);
}

static bool PageHasRoom(Page page, Size entrySize)
{
	PageHeader header = (PageHeader) page;

	return (Size) header->pd_lower + entrySize <= (Size) header->pd_upper;
}

static void PageAddEntry(Page page, const char* entry, Size entrySize)
{
	PageHeader header = (PageHeader) page;

	memcpy((char*) page + header->pd_lower, entry, entrySize);
	header->pd_lower += entrySize;
}

void IvfListLocation(const IvfMetaPageData* meta, const IvfIndexInfo* info, int list, BlockNumber* blkno, Size* offset)
{
	int perPage = (int) (IVF_PAGE_CAPACITY / info->listSize);

	*blkno = meta->directoryStart + list / perPage;
	*offset = MAXALIGN(SizeOfPageHeaderData) + (Size) (list % perPage) * info->listSize;
}

void IvfValueToFloats(const IvfIndexInfo* info, const void* value, float* out)
{
	IndexValueToFloats(info->type.space, value, out);
}

void IvfEncode(const IvfIndexInfo* info, const void* value, float* scratch, char* entryData)
{
	ruvector::metric metric = info->type.space.kind;
	char* code = entryData + info->termsBytes;

	switch (info->quantization) {
		case ruvector::quantization::none:
			memcpy(code, value, info->codeBytes);
			break;
		case ruvector::quantization::sq8: {
			ruvector::sq8_codebook book{info->offset, info->scale, info->type.space.dim};
			IvfValueToFloats(info, value, scratch);
			ruvector::sq8_terms terms = ruvector::sq8_encode(book, metric, scratch, (int8*) code);
			memcpy(entryData, &terms, sizeof(terms));
			break;
		}
		case ruvector::quantization::binary: {
			ruvector::binary_codebook book{info->offset, info->type.space.dim};
			IvfValueToFloats(info, value, scratch);
			ruvector::binary_terms terms = ruvector::binary_encode(book, metric, scratch, (uint8*) code);
			memcpy(entryData, &terms, sizeof(terms));
			break;
		}
	}
}

/*
 * Append to a list's last page, or to a new page linked after it. The directory
 * page stays locked throughout, so appends to its lists take turns; lock order is
 * directory page, then data pages.
 */
void IvfAppendEntry(Relation index, const IvfIndexInfo* info, const IvfMetaPageData* meta, int list, const char* entry,
                    RelationGrowth* building)
{
	BlockNumber listBlkno;
	Size listOffset;

	IvfListLocation(meta, info, list, &listBlkno, &listOffset);
	Buffer listBuf = ReadBuffer(index, listBlkno);
	LockBuffer(listBuf, BUFFER_LOCK_EXCLUSIVE);
	IvfList onPage = (IvfList) ((char*) BufferGetPage(listBuf) + listOffset);
	BlockNumber insertPage = onPage->insertPage;

	Buffer buf = InvalidBuffer;
	if (BlockNumberIsValid(insertPage)) {
		buf = ReadBuffer(index, insertPage);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		if (PageHasRoom(BufferGetPage(buf), info->entrySize)) {
			GenericXLogState* xlog;
			Page page = IvfBeginPageChange(index, buf, building != NULL, false, &xlog);

			PageAddEntry(page, entry, info->entrySize);
			IvfFinishPageChange(buf, xlog);
			UnlockReleaseBuffer(listBuf);
			return;
		}
	}

	/* A new page: link it after the last one and point the directory at it, in one WAL record */
	Buffer newBuf = IvfNewBuffer(index, MAIN_FORKNUM, building);
	GenericXLogState* xlog = building != NULL ? NULL : GenericXLogStart(index);
	Page newPage = xlog ? GenericXLogRegisterBuffer(xlog, newBuf, GENERIC_XLOG_FULL_IMAGE) : BufferGetPage(newBuf);
	Page listPage = xlog ? GenericXLogRegisterBuffer(xlog, listBuf, 0) : BufferGetPage(listBuf);

	IvfInitPage(newBuf, newPage);
	PageAddEntry(newPage, entry, info->entrySize);
	if (BufferIsValid(buf)) {
		Page prevPage = xlog ? GenericXLogRegisterBuffer(xlog, buf, 0) : BufferGetPage(buf);
		IvfPageGetOpaque(prevPage)->nextblkno = BufferGetBlockNumber(newBuf);
	}
	IvfList list_ = (IvfList) ((char*) listPage + listOffset);
	if (!BlockNumberIsValid(list_->startPage))
		list_->startPage = BufferGetBlockNumber(newBuf);
	list_->insertPage = BufferGetBlockNumber(newBuf);

	if (xlog != NULL)
		GenericXLogFinish(xlog);
	else {
		MarkBufferDirty(newBuf);
		MarkBufferDirty(listBuf);
		if (BufferIsValid(buf))
			MarkBufferDirty(buf);
	}
	UnlockReleaseBuffer(newBuf);
	if (BufferIsValid(buf))
		UnlockReleaseBuffer(buf);
	UnlockReleaseBuffer(listBuf);
}
