/*
 * ivf_insert: INSERT into a flat or ivfflat index. The row goes to the list
 * whose centroid is nearest (flat: the only list), appended to its last page.
 */
extern "C" {
#include "postgres.h"

#include "utils/memutils.h"
#include "utils/rel.h"
}

#include "ivf.h"

/* The list whose centroid (in an array of lists stored centroids) is nearest to a value */
int IvfNearestList(const IvfIndexInfo* info, const char* centroids, const void* value)
{
	const ruvector::vector_space& space = info->type.space;
	int best = 0;
	float bestDistance = 0;

	for (int i = 0; i < info->lists; i++) {
		float distance = space(value, centroids + (Size) i * space.bytes);

		if (i == 0 || distance < bestDistance) {
			best = i;
			bestDistance = distance;
		}
	}
	return best;
}

/* The same, reading the centroids from the directory pages */
static int NearestListOnPages(Relation index, const IvfIndexInfo* info, const IvfMetaPageData* meta, const void* value)
{
	int perPage = (int) (IVF_PAGE_CAPACITY / info->listSize);
	int best = 0;
	float bestDistance = 0;

	for (int first = 0; first < info->lists; first += perPage) {
		Buffer buf = ReadBuffer(index, meta->directoryStart + first / perPage);

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		for (int i = first; i < Min(info->lists, first + perPage); i++) {
			IvfList list = (IvfList) (PageGetContents(page) + (Size) (i - first) * info->listSize);
			float distance = info->type.space(value, list->centroid);

			if (i == 0 || distance < bestDistance) {
				best = i;
				bestDistance = distance;
			}
		}
		UnlockReleaseBuffer(buf);
	}
	return best;
}

bool ivfinsert(Relation index, Datum* values, bool* isnull, ItemPointer heap_tid, Relation heap,
               IndexUniqueCheck checkUnique, bool indexUnchanged, IndexInfo* indexInfo)
{
	/* NULLs are not indexed */
	if (isnull[0])
		return false;

	MemoryContext insertCtx =
	    AllocSetContextCreate(CurrentMemoryContext, "Ivf insert temporary context", ALLOCSET_DEFAULT_SIZES);
	MemoryContext oldCtx = MemoryContextSwitchTo(insertCtx);
	IvfMetaPageData meta;
	IvfIndexInfo info;

	IvfLoadIndexInfo(&info, index, &meta);
	void* value = palloc0(info.type.space.bytes);
	if (HnswPrepareValue(&info.type, values[0], value)) {
		int list = info.flat ? 0 : NearestListOnPages(index, &info, &meta, value);
		IvfEntry entry = (IvfEntry) palloc0(info.entrySize);
		float* scratch = (float*) palloc(sizeof(float) * Max(info.type.space.dim, 1));

		entry->heaptid = *heap_tid;
		IvfEncode(&info, value, scratch, entry->data);
		IvfAppendEntry(index, &info, &meta, list, (const char*) entry, NULL);
		/* The entry is not visible to anyone before this transaction commits, after the count */
		if (info.flat)
			IvfCountChange(index);
	}

	MemoryContextSwitchTo(oldCtx);
	MemoryContextDelete(insertCtx);
	return false;
}
