/*
 * ivf: the flat and ivfflat access methods. This header is the design map:
 * options, settings, the on-disk layout, and prototypes.
 *
 * Both store index entries in lists of pages; a flat index is one list that
 * every scan reads whole, an ivfflat index has `lists` lists, each with a
 * centroid (k-means over a sample), and a scan reads the ivfflat.probes lists
 * whose centroids are nearest to the query.
 *
 * An entry is a heap TID and the vector as the index stores it, packed one after
 * the other on the page (no line pointers), so a scan runs the SIMD kernels over
 * the page in place. With WITH (quantization = 'sq8' | 'binary') the entry holds
 * a code (ruvector/quantize.hpp) instead of the vector, and the scan returns, in
 * ascending order, a LOWER BOUND of each row's distance (estimate - slack) with
 * xs_recheckorderby set: the executor (IndexNextWithReorder) recomputes the exact
 * distance from the heap row and reorders, so rows still come back in exact
 * order with exact distances; only rows whose bound is below the k-th exact
 * distance are fetched from the heap. A bound never exceeds the exact distance,
 * which is what the executor requires ("index returned tuples in wrong order").
 *
 * Layout: block 0 the meta page; then the codebook (per-dimension offsets of the
 * quantizer, floats packed over whole pages); then the list directory (each
 * list's first and last page and, for ivfflat, its centroid, packed at a fixed
 * size); then data pages, each list a chain through nextblkno.
 *
 * Include after postgres.h.
 */
#pragma once

extern "C" {
#include "access/amapi.h"
#include "access/generic_xlog.h"
#include "storage/bufmgr.h"
#include "utils/relcache.h"
}

#include "hnsw.h" /* HnswTypeInfo: the operator classes and value conversion are hnsw's */
#include "relation_extend.h"
#include "ruvector/quantize.hpp"

/* ivfflat options and settings, as pgvector's */
#define IVFFLAT_DEFAULT_LISTS 100
#define IVFFLAT_MIN_LISTS 1
#define IVFFLAT_MAX_LISTS 32768
#define IVFFLAT_DEFAULT_PROBES 1

typedef enum IvfflatIterativeScanMode {
	IVFFLAT_ITERATIVE_SCAN_OFF,
	IVFFLAT_ITERATIVE_SCAN_RELAXED
} IvfflatIterativeScanMode;

extern int ivfflat_probes;
extern int ivfflat_iterative_scan;
extern int ivfflat_max_probes;

/* k-means: pgvector's sample size (50 rows per list, at least 10000) */
#define IVFFLAT_SAMPLES_PER_LIST 50
#define IVFFLAT_MIN_SAMPLES 10000
/* Rows a quantizer is trained on */
#define IVF_QUANTIZER_SAMPLES 10000

/* Support functions, as hnsw's */
#define IVF_DISTANCE_PROC 1
#define IVF_NORM_PROC 2

#define IVF_METAPAGE_BLKNO 0
#define IVF_MAGIC_NUMBER 0x52564946 /* "RVIF" */
#define IVF_VERSION 2               /* 2: the change count */
#define IVF_PAGE_ID 0xFF92

/* Build progress phases reported in pg_stat_progress_create_index */
#define PROGRESS_IVF_PHASE_SAMPLE 2
#define PROGRESS_IVF_PHASE_KMEANS 3
#define PROGRESS_IVF_PHASE_LOAD 4

/* WITH (...): lists for ivfflat; quantization for both (a string offset into the struct) */
typedef struct IvfOptions {
	int32 vl_len_; /* varlena header (do not touch directly!) */
	int lists;
	int quantizationOffset;
} IvfOptions;

typedef struct IvfMetaPageData {
	uint32 magicNumber;
	uint32 version;
	uint32 dimensions;
	uint32 lists;              /* 1 for flat */
	uint8 hasCentroids;        /* ivfflat: the directory holds a centroid per list */
	uint8 quantization;        /* ruvector::quantization */
	uint16 entrySize;          /* bytes of one entry on a data page */
	float scale;               /* sq8's step */
	BlockNumber codebookStart; /* offsets for sq8 and binary; InvalidBlockNumber without quantization */
	BlockNumber directoryStart;
	uint64 changeCount; /* flat: bumped by every insert and VACUUM that removes rows (flat_cache.cpp) */
} IvfMetaPageData;
typedef IvfMetaPageData* IvfMetaPage;

typedef struct IvfPageOpaqueData {
	BlockNumber nextblkno; /* the next data page of the same list */
	uint16 unused;
	uint16 page_id; /* IVF_PAGE_ID, for tools */
} IvfPageOpaqueData;
typedef IvfPageOpaqueData* IvfPageOpaque;

#define IvfPageGetOpaque(page) ((IvfPageOpaque) PageGetSpecialPointer(page))
#define IvfPageGetMeta(page) ((IvfMetaPage) PageGetContents(page))

/* One list in the directory */
typedef struct IvfListData {
	BlockNumber startPage;                /* InvalidBlockNumber while the list is empty */
	BlockNumber insertPage;               /* the last page, where entries are appended */
	char centroid[FLEXIBLE_ARRAY_MEMBER]; /* ivfflat: as the space stores vectors */
} IvfListData;
typedef IvfListData* IvfList;

/* One row: its heap TID, then the correction terms of a code, then the vector or code */
typedef struct IvfEntryData {
	ItemPointerData heaptid;
	uint16 unused;
	char data[FLEXIBLE_ARRAY_MEMBER];
} IvfEntryData;
typedef IvfEntryData* IvfEntry;

/*
 * How an index stores and measures rows: the type (hnsw's type info: space,
 * conversion), the quantizer, and the sizes that follow from them.
 */
typedef struct IvfIndexInfo {
	HnswTypeInfo type;
	ruvector::quantization quantization;
	bool flat; /* one list, no centroids */
	int lists;
	Size termsBytes; /* correction terms per entry */
	Size codeBytes;  /* the stored vector or code */
	Size entrySize;
	Size listSize; /* a directory entry */
	float* offset; /* the quantizer's per-dimension offsets (dimensions floats) */
	float scale;
} IvfIndexInfo;

/* Capacity of a page's contents, and how many fixed-size items fit */
#define IVF_PAGE_CAPACITY (BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(IvfPageOpaqueData)))
#define IVF_CODEBOOK_FLOATS_PER_PAGE ((int) (IVF_PAGE_CAPACITY / sizeof(float)))

/* Entries lie packed from the start of the page contents up to pd_lower (inline: scans call these per entry) */
static inline int IvfPageEntryCount(Page page, Size entrySize)
{
	/* A page extended but never written (a crash between the two) holds nothing */
	if (PageIsNew(page))
		return 0;
	return (int) ((((PageHeader) page)->pd_lower - MAXALIGN(SizeOfPageHeaderData)) / entrySize);
}

static inline IvfEntry IvfPageEntry(Page page, Size entrySize, int i)
{
	return (IvfEntry) (PageGetContents(page) + (Size) i * entrySize);
}

/* ivfflat.cpp and flat.cpp */
void IvfflatInit(void);
void FlatInit(void);
IndexBuildResult* ivfflatbuild(Relation heap, Relation index, IndexInfo* indexInfo);
IndexBuildResult* flatbuild(Relation heap, Relation index, IndexInfo* indexInfo);
void ivfflatbuildempty(Relation index);
void flatbuildempty(Relation index);

/* ivf_page.cpp: options, layout, pages, entries */
int IvfGetLists(Relation index);
ruvector::quantization IvfGetQuantization(Relation index);
void IvfInitIndexInfo(IvfIndexInfo* info, Relation index, bool flat, int lists, ruvector::quantization quantization);
void IvfLoadIndexInfo(IvfIndexInfo* info, Relation index, IvfMetaPageData* meta);
Buffer IvfNewBuffer(Relation index, ForkNumber forkNum, RelationGrowth* building);
void IvfInitPage(Buffer buf, Page page);
void IvfReadMeta(Relation index, IvfMetaPageData* meta);
Page IvfBeginPageChange(Relation index, Buffer buf, bool building, bool newPage, GenericXLogState** xlog);
void IvfFinishPageChange(Buffer buf, GenericXLogState* xlog);
void IvfListLocation(const IvfMetaPageData* meta, const IvfIndexInfo* info, int list, BlockNumber* blkno, Size* offset);
BlockNumber IvfListStart(Relation index, const IvfMetaPageData* meta, const IvfIndexInfo* info, int list);
/* Fill an entry's terms and code from a value as the space stores it (float32, float16 or bits) */
void IvfEncode(const IvfIndexInfo* info, const void* value, float* scratch, char* entryData);
/* Append one entry to a list; the directory is updated when the list grows a page. A build passes its pages
 * (`building`) and writes without WAL; otherwise NULL */
void IvfAppendEntry(Relation index, const IvfIndexInfo* info, const IvfMetaPageData* meta, int list, const char* entry,
                    RelationGrowth* building);
/* The float32 form of a stored value (quantizers and k-means work on floats) */
void IvfValueToFloats(const IvfIndexInfo* info, const void* value, float* out);

/* Count a change of a flat index's entries on its meta page, WAL-logged; after the change itself */
void IvfCountChange(Relation index);

/* flat_cache.cpp: a backend's own copy of a flat index's entries, for scans */
typedef struct FlatCopy FlatCopy;
void FlatCacheDefineSettings(void);
/*
 * The copy to scan instead of the pages, or NULL; `meta` read by this scan (its
 * change count). A new scan counts towards copying; a scan's later pass does not.
 */
const FlatCopy* FlatCacheAcquire(Relation index, const IvfIndexInfo* info, const IvfMetaPageData* meta, bool newScan);
uint32 FlatCopyCount(const FlatCopy* copy);
const char* FlatCopyData(const FlatCopy* copy, uint32 i); /* entry i's terms and code */
Size FlatCopyStride(const FlatCopy* copy);                /* bytes from one entry's data to the next's */
const ItemPointerData* FlatCopyTid(const FlatCopy* copy, uint32 i);

/* ivf_build.cpp */
IndexBuildResult* IvfBuild(Relation heap, Relation index, IndexInfo* indexInfo, bool flat);
void IvfBuildEmpty(Relation index, bool flat);

/* ivf_insert.cpp */
bool ivfinsert(Relation index, Datum* values, bool* isnull, ItemPointer heap_tid, Relation heap,
               IndexUniqueCheck checkUnique, bool indexUnchanged, IndexInfo* indexInfo);
int IvfNearestList(const IvfIndexInfo* info, const char* centroids, const void* value);

/* ivf_scan.cpp */
IndexScanDesc ivfbeginscan(Relation index, int nkeys, int norderbys);
void ivfrescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys);
bool ivfgettuple(IndexScanDesc scan, ScanDirection dir);
void ivfendscan(IndexScanDesc scan);

/* ivf_vacuum.cpp */
IndexBulkDeleteResult* ivfbulkdelete(IndexVacuumInfo* info, IndexBulkDeleteResult* stats,
                                     IndexBulkDeleteCallback callback, void* callback_state);
IndexBulkDeleteResult* ivfvacuumcleanup(IndexVacuumInfo* info, IndexBulkDeleteResult* stats);

/* Shared by both handlers */
void IvfFillAmRoutine(IndexAmRoutine* amroutine);
void IvfCostEstimate(PlannerInfo* root, IndexPath* path, double loop_count, Cost* indexStartupCost,
                     Cost* indexTotalCost, Selectivity* indexSelectivity, double* indexCorrelation, double* indexPages,
                     double fraction);
