/*
 * hnsw: the HNSW index access method. This header is the design map: options,
 * settings, the on-disk layout, the state of build and scan, and prototypes.
 *
 * The graph algorithm (search, neighbour selection) is core's (ruvector/hnsw.hpp);
 * this access method stores the graph on pages and walks it through the buffer
 * manager, computing distances on vectors read in place from the pages.
 *
 * With WITH (quantization = 'sq8' | 'binary') an element tuple holds a code
 * (ruvector/quantize.hpp) instead of the vector; the quantizer's codebook lies on
 * the meta page after HnswMetaPageData. Builds link the graph with exact
 * distances (the vectors are in memory); inserts and scans walk it with
 * distances estimated from codes, and a scan returns each row with a LOWER
 * BOUND of its distance and xs_recheckorderby set, so the executor re-ranks the
 * rows with exact distances (as flat and ivfflat do, see ivf.h).
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

#include "ruvector/hnsw.hpp"
#include "ruvector/quantize.hpp"

/* Options (WITH (...)) with their defaults and bounds, as pgvector's */
#define HNSW_DEFAULT_M 16
#define HNSW_MIN_M 2
#define HNSW_MAX_M 100
#define HNSW_DEFAULT_EF_CONSTRUCTION 64
#define HNSW_MIN_EF_CONSTRUCTION 4
#define HNSW_MAX_EF_CONSTRUCTION 1000

/* Settings */
#define HNSW_DEFAULT_EF_SEARCH 40
#define HNSW_MIN_EF_SEARCH 1
#define HNSW_MAX_EF_SEARCH 1000
#define HNSW_DEFAULT_MAX_SCAN_TUPLES 20000
#define HNSW_DEFAULT_SCAN_MEM_MULTIPLIER 1

/* hnsw.iterative_scan: go on searching when the first ef_search results run out */
typedef enum HnswIterativeScanMode {
	HNSW_ITERATIVE_SCAN_OFF,
	HNSW_ITERATIVE_SCAN_RELAXED,
	HNSW_ITERATIVE_SCAN_STRICT
} HnswIterativeScanMode;

extern int hnsw_ef_search;
extern int hnsw_iterative_scan;
extern int hnsw_max_scan_tuples;
extern double hnsw_scan_mem_multiplier;

/* An element tuple holds the whole vector, so it must fit on one page: as pgvector's limits */
#define HNSW_MAX_VECTOR_DIM 2000
#define HNSW_MAX_HALFVEC_DIM 4000
#define HNSW_MAX_BIT_DIM 64000
/* A sparse element is as large as its non-zeros: as pgvector's limit */
#define HNSW_MAX_SPARSE_NNZ 1000

/* Support functions of the operator classes */
#define HNSW_DISTANCE_PROC 1
#define HNSW_NORM_PROC 2

#define HNSW_METAPAGE_BLKNO 0
#define HNSW_MAGIC_NUMBER 0x52564E48 /* "RVNH" */
/*
 * 3: the meta page holds the quantization and its codebook.
 * 4: element tuples have room for as many heap TIDs as their node needs (heaptidSlots), not always ten.
 * 5: links are 4 bytes (HnswLink), not 6-byte TIDs; a tuple takes at least HNSW_MIN_TUPLE_SIZE bytes.
 */
#define HNSW_VERSION 5
#define HNSW_PAGE_ID 0xFF91

/* Heavyweight lock on this pseudo page number serialises inserts and vacuum */
#define HNSW_UPDATE_LOCK 0
/* Scans hold it shared while they walk; vacuum waits on it before freeing elements */
#define HNSW_SCAN_LOCK 1

/* Build progress phases reported in pg_stat_progress_create_index */
#define PROGRESS_HNSW_PHASE_LOAD 2
/* ruvector's own: the graph built in memory goes to pages */
#define PROGRESS_HNSW_PHASE_WRITE 3

typedef struct HnswOptions {
	int32 vl_len_; /* varlena header (do not touch directly!) */
	int m;
	int ef_construction;
	int quantizationOffset; /* a string: none, sq8 or binary (index_quantization.h) */
} HnswOptions;

/* Block 0: where the graph starts and how it was built */
typedef struct HnswMetaPageData {
	uint32 magicNumber;
	uint32 version;
	uint32 dimensions;
	uint16 m;
	uint16 efConstruction;
	BlockNumber entryBlkno; /* InvalidBlockNumber while the index is empty */
	OffsetNumber entryOffno;
	int16 entryLevel;
	BlockNumber insertPage; /* last page, where new elements go first */
	BlockNumber freePage;   /* first page that may hold a free element (InvalidBlockNumber: none) */
	uint64 changeCount;     /* bumped by every write of this page: backends' graph caches compare it */
	uint8 quantization;     /* ruvector::quantization; the codebook follows this struct on the page */
	uint8 unused[3];
	float scale; /* sq8's step */
} HnswMetaPageData;
typedef HnswMetaPageData* HnswMetaPage;

typedef struct HnswPageOpaqueData {
	BlockNumber nextblkno; /* unused: pages are walked by block number */
	uint16 unused;
	uint16 page_id; /* HNSW_PAGE_ID, for tools */
} HnswPageOpaqueData;
typedef HnswPageOpaqueData* HnswPageOpaque;

#define HnswPageGetOpaque(page) ((HnswPageOpaque) PageGetSpecialPointer(page))
#define HnswPageGetMeta(page) ((HnswMetaPage) PageGetContents(page))
/* The quantizer's per-dimension offsets, after the meta data: as many as fit on the meta page */
#define HnswPageGetCodebook(page) ((float*) (PageGetContents(page) + MAXALIGN(sizeof(HnswMetaPageData))))
#define HNSW_CODEBOOK_MAX_DIMENSIONS                                                                                   \
	((int) ((BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(HnswPageOpaqueData)) -                          \
	         MAXALIGN(sizeof(HnswMetaPageData))) /                                                                     \
	        sizeof(float)))

#define HNSW_ELEMENT_TUPLE_TYPE 1
#define HNSW_NEIGHBOR_TUPLE_TYPE 2

/*
 * An element's life: live; deleted when vacuum removed its last heap TID (it
 * still routes searches, scans skip it); free once vacuum has relinked its
 * neighbours around it and no scan can reach it: an insert may then reuse the
 * element and neighbour tuples in place.
 */
#define HNSW_ELEMENT_LIVE 0
#define HNSW_ELEMENT_DELETED 1
#define HNSW_ELEMENT_FREE 2

/*
 * One graph node: its heap TIDs (identical vectors share a node), its level, where
 * its neighbour list is, and the vector itself, stored so the kernels read it in
 * place. A node has room for the heap TIDs it was written with (rounded up to what
 * the alignment of the vector after them leaves free: at least two), and grows in
 * place for another duplicate while its page has space, up to
 * ruvector::hnsw_max_payloads. pgvector always reserves ten slots (60 bytes); most
 * vectors are unique.
 */
typedef struct HnswElementTupleData {
	uint8 type;
	uint8 level;
	uint8 deleted; /* HNSW_ELEMENT_LIVE, _DELETED or _FREE */
	uint8 heaptidCount;
	uint8 heaptidSlots; /* room for heap TIDs, 1 to ruvector::hnsw_max_payloads */
	uint8 unused;
	ItemPointerData neighbortid;
	ItemPointerData heaptids[FLEXIBLE_ARRAY_MEMBER];
	/* then, at HNSW_ELEMENT_DATA_OFFSET(heaptidSlots), the vector as the index space stores it (8-byte aligned) */
} HnswElementTupleData;
typedef HnswElementTupleData* HnswElementTuple;

/* Usable bytes of an empty data page */
#define HNSW_PAGE_CAPACITY (BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(HnswPageOpaqueData)))

/*
 * A link to an element: 4 bytes, its block number above HNSW_LINK_OFFSET_BITS bits
 * of offset number; 0 (offset 0, no tuple) is no link. A 6-byte TID would cost 2
 * bytes more per slot: 24 per element at m = 6, 64 at m = 16. Every tuple takes at
 * least HNSW_MIN_TUPLE_SIZE bytes, so a page holds fewer tuples than the offset
 * bits count, and the block number has the remaining bits: an index can grow to
 * HNSW_MAX_BLOCKS pages (2^25 pages of 8 kB, 256 GiB), then inserts fail with an
 * error (HnswCheckGrowth).
 */
typedef uint32 HnswLink;
#define HNSW_NO_LINK ((HnswLink) 0)
#define HNSW_MIN_TUPLE_SIZE 64

constexpr int HnswBitsFor(uint32 n)
{
	return n == 0 ? 0 : 1 + HnswBitsFor(n >> 1);
}

#define HNSW_LINK_OFFSET_BITS HnswBitsFor(HNSW_PAGE_CAPACITY / (HNSW_MIN_TUPLE_SIZE + sizeof(ItemIdData)))
#define HNSW_LINK_OFFSET_MASK ((((HnswLink) 1) << HNSW_LINK_OFFSET_BITS) - 1)
#define HNSW_MAX_BLOCKS (((BlockNumber) 1) << (32 - HNSW_LINK_OFFSET_BITS))

/*
 * A node's links, level 0 first: 2*m slots on level 0, then m per level up to
 * the node's level. Unused slots hold HNSW_NO_LINK. The list lies inside its
 * element tuple, after the vector, and the element's neighbortid is the
 * element's own TID (one tuple, one line pointer and one header less per
 * node); only where the two do not fit on one page (the largest vectors) is
 * it a tuple of its own on another page.
 */
typedef struct HnswNeighborTupleData {
	uint8 type;
	uint8 unused;
	uint16 count; /* number of slots */
	HnswLink links[FLEXIBLE_ARRAY_MEMBER];
} HnswNeighborTupleData;
typedef HnswNeighborTupleData* HnswNeighborTuple;

#define HNSW_TUPLE_SIZE(bytes) MAXALIGN(Max((Size) HNSW_MIN_TUPLE_SIZE, (Size) (bytes)))
#define HNSW_ELEMENT_DATA_OFFSET(slots)                                                                                \
	MAXALIGN(offsetof(HnswElementTupleData, heaptids) + sizeof(ItemPointerData) * (slots))
#define HNSW_ELEMENT_TUPLE_SIZE(slots, bytes) HNSW_TUPLE_SIZE(HNSW_ELEMENT_DATA_OFFSET(slots) + (bytes))
#define HNSW_NEIGHBOR_SLOTS(level, m) (((level) + 2) * (m))
#define HNSW_NEIGHBOR_LIST_SIZE(level, m)                                                                              \
	(offsetof(HnswNeighborTupleData, links) + sizeof(HnswLink) * HNSW_NEIGHBOR_SLOTS(level, m))
#define HNSW_NEIGHBOR_TUPLE_SIZE(level, m) HNSW_TUPLE_SIZE(HNSW_NEIGHBOR_LIST_SIZE(level, m))
/* An element tuple holding its neighbour list: the list follows the vector, 4-byte aligned as links are */
#define HNSW_ELEMENT_NEIGHBORS_OFFSET(slots, bytes) INTALIGN(HNSW_ELEMENT_DATA_OFFSET(slots) + (bytes))
#define HNSW_ELEMENT_WITH_NEIGHBORS_SIZE(slots, bytes, level, m)                                                       \
	HNSW_TUPLE_SIZE(HNSW_ELEMENT_NEIGHBORS_OFFSET(slots, bytes) + HNSW_NEIGHBOR_LIST_SIZE(level, m))

/* A TID as a link; the caller keeps the index within HNSW_MAX_BLOCKS (HnswCheckGrowth) */
static inline HnswLink HnswTidToLink(const ItemPointerData* tid)
{
	if (!ItemPointerIsValid(tid))
		return HNSW_NO_LINK;
	Assert(ItemPointerGetBlockNumber(tid) < HNSW_MAX_BLOCKS &&
	       ItemPointerGetOffsetNumber(tid) <= HNSW_LINK_OFFSET_MASK);
	return ((HnswLink) ItemPointerGetBlockNumber(tid) << HNSW_LINK_OFFSET_BITS) | ItemPointerGetOffsetNumber(tid);
}

/* A link as a TID (invalid for HNSW_NO_LINK); false for no link */
static inline bool HnswLinkToTid(HnswLink link, ItemPointerData* tid)
{
	OffsetNumber offno = (OffsetNumber) (link & HNSW_LINK_OFFSET_MASK);

	if (offno == InvalidOffsetNumber) {
		ItemPointerSetInvalid(tid);
		return false;
	}
	ItemPointerSet(tid, link >> HNSW_LINK_OFFSET_BITS, offno);
	return true;
}

/* Heap TID slots for `count` TIDs: as many as fit before the aligned vector, at most hnsw_max_payloads */
static inline int HnswHeapTidSlots(int count)
{
	int fit =
	    (int) ((HNSW_ELEMENT_DATA_OFFSET(count) - offsetof(HnswElementTupleData, heaptids)) / sizeof(ItemPointerData));

	return Min(fit, ruvector::hnsw_max_payloads);
}

/* An element's vector (or code), after its heap TID slots */
static inline char* HnswElementData(HnswElementTuple element)
{
	return (char*) element + HNSW_ELEMENT_DATA_OFFSET(element->heaptidSlots);
}

static inline const char* HnswElementData(const HnswElementTupleData* element)
{
	return (const char*) element + HNSW_ELEMENT_DATA_OFFSET(element->heaptidSlots);
}

/* First slot of a level in a neighbour tuple */
static inline int HnswLevelFirstSlot(int level, int m)
{
	return level == 0 ? 0 : 2 * m + (level - 1) * m;
}

/* Pack a TID into the 64-bit node id core's graph algorithms use, and back */
static inline uint64 HnswTidToId(const ItemPointerData* tid)
{
	return ((uint64) ItemPointerGetBlockNumberNoCheck(tid) << 16) | ItemPointerGetOffsetNumberNoCheck(tid);
}

static inline void HnswIdToTid(uint64 id, ItemPointerData* tid)
{
	ItemPointerSet(tid, (BlockNumber) (id >> 16), (OffsetNumber) (id & 0xFFFF));
}

static inline HnswLink HnswIdToLink(uint64 id)
{
	ItemPointerData tid;

	HnswIdToTid(id, &tid);
	return HnswTidToLink(&tid);
}

/*
 * What an element tuple stores: the vector as the space stores it, or a
 * quantizer's code after its correction terms (hnsw_quantize.cpp). Codes are
 * compared with each other through their decoded float32 form.
 */
typedef struct HnswCodec {
	ruvector::quantization quantization;
	Size bytes;      /* element data: the vector, or terms then code */
	Size termsBytes; /* correction terms before the code */
	Size comparableBytes;
	float* offset;                  /* the quantizer's per-dimension offsets (dimensions floats) */
	float scale;                    /* sq8's step */
	ruvector::vector_space decoded; /* float32, the same metric: measures decoded codes */
} HnswCodec;

/*
 * What an index needs to store and compare vectors: the space (element kind,
 * metric, bytes per vector; found from the operator class's distance function),
 * and the conversion of a column value to what the space stores.
 */
typedef struct HnswTypeInfo HnswTypeInfo;
struct HnswTypeInfo {
	ruvector::vector_space space;
	int dimensions;    /* the column's typmod */
	int maxDimensions; /* what fits on a page, as pgvector allows */
	bool normalize;    /* cosine: the index stores unit vectors */
	/* Dimensions of a value (to check it against the column's) */
	int (*valueDimensions)(Datum value);
	/* Write a value as the space stores it; false when it cannot be indexed (a zero vector under cosine) */
	bool (*prepare)(const HnswTypeInfo* info, Datum value, void* out);
	/* Bytes a value takes as the space stores it, for sizes that vary (sparse); NULL: space.bytes */
	Size (*valueBytes)(Datum value);
	/* hnsw's element storage; no quantization unless loaded from an hnsw index */
	HnswCodec codec;
};

/* Bytes of an element's data: the codec's, or (sparse, never quantized) the vector's own */
static inline Size HnswElementDataBytes(const HnswTypeInfo* info, const void* data)
{
	return info->space.variable_size() ? info->space.stored_bytes(data) : info->codec.bytes;
}

/*
 * The neighbour list in the tuple at an element's neighbortid: that tuple, or
 * the element itself. Unchecked, for tuples already checked (HnswCheckedNeighbors
 * in hnsw_check.h) or written by the caller.
 */
static inline HnswNeighborTuple HnswTupleNeighbors(const HnswTypeInfo* info, char* tuple)
{
	if (tuple[0] != HNSW_ELEMENT_TUPLE_TYPE)
		return (HnswNeighborTuple) tuple;

	HnswElementTuple element = (HnswElementTuple) tuple;
	Size dataBytes = HnswElementDataBytes(info, HnswElementData(element));
	return (HnswNeighborTuple) (tuple + HNSW_ELEMENT_NEIGHBORS_OFFSET(element->heaptidSlots, dataBytes));
}

/* A query as the walk measures it: the vector, and prepared for the quantizer */
typedef struct HnswQuery {
	const void* vector; /* as the space stores vectors */
	float* floats;
	ruvector::sq8_query sq8;
	ruvector::binary_query binary;
} HnswQuery;

/* hnsw.cpp */
void HnswInit(void);
void HnswGetTypeInfo(Relation index, HnswTypeInfo* info);
int HnswGetM(Relation index);
int HnswGetEfConstruction(Relation index);
ruvector::quantization HnswGetQuantization(Relation index);

/*
 * hnsw_quantize.cpp: element storage. Distances between a query and an element
 * are in the space's units without quantization, in SQL units (quantize.hpp)
 * with it; either way every distance one walk compares is in the same units.
 */
/* Type info plus the codec the index's meta page describes */
void HnswGetIndexInfo(Relation index, HnswTypeInfo* info);
/* Sizes for a quantization, and the default codebook (see hnsw_quantize.cpp) */
void HnswInitCodec(HnswTypeInfo* info, ruvector::quantization quantization);
/* Train the quantizer on `count` vectors as the space stores them */
void HnswTrainCodec(HnswTypeInfo* info, const void* const* vectors, Size count);
/* Read the codebook from the meta page into a codec set up for its quantization */
void HnswReadCodebook(Relation index, HnswTypeInfo* info);
/* Write the quantization and codebook to a meta page */
void HnswWriteCodebook(Page page, const HnswTypeInfo* info);
void HnswEncode(const HnswTypeInfo* info, const void* vector, char* stored);
/* The form elements are compared with each other in (comparableBytes), and its distance */
void HnswDecode(const HnswTypeInfo* info, const char* stored, void* comparable);
float HnswComparableDistance(const HnswTypeInfo* info, const void* a, const void* b);
void HnswPrepareQuery(const HnswTypeInfo* info, const void* vector, HnswQuery* query);
/* What the walk compares: exact, or estimated from a code */
float HnswQueryDistance(const HnswTypeInfo* info, const HnswQuery* query, const char* stored);
/* A lower bound of the exact SQL distance (quantized indexes only) */
float HnswQueryLowerBound(const HnswTypeInfo* info, const HnswQuery* query, const char* stored);

/* A set of element ids (packed TIDs), grown in the current memory context */
typedef struct HnswIdSet {
	uint64* slots;
	uint32 mask;
	uint32 count;
} HnswIdSet;

/* hnsw_page.cpp: pages, tuples, element id sets and the on-page graph */
void HnswIdSetInit(HnswIdSet* set);
bool HnswIdSetContains(const HnswIdSet* set, uint64 id);
/* Add an id; false when it was there already */
bool HnswIdSetAdd(HnswIdSet* set, uint64 id);
Buffer HnswNewBuffer(Relation index, ForkNumber forkNum);
/* Error out when the index would grow to more than `blocks` pages, more than links address */
void HnswCheckGrowth(Relation index, BlockNumber blocks);
void HnswInitPage(Buffer buf, Page page);
void HnswInitMeta(HnswMetaPageData* meta, int dimensions, int m, int efConstruction);
void HnswReadMeta(Relation index, HnswMetaPageData* meta);
void HnswUpdateMeta(Relation index, const HnswMetaPageData* meta, bool building);
bool HnswPrepareValue(const HnswTypeInfo* info, Datum value, void* out);

/*
 * The graph on pages as core's search walks it (the Graph concept's search part;
 * neighbour selection goes through HnswSelectNeighbors): node ids are packed
 * element TIDs. Reads each element tuple under a share lock, one page at a time.
 */
class HnswPageGraph {
public:
	HnswPageGraph(Relation index, const HnswTypeInfo* info, int m);

	/* The query, as the space stores vectors */
	void SetQuery(const void* query)
	{
		HnswPrepareQuery(info_, query, &query_);
	}
	/* Forget every node seen, for a new walk */
	void ResetVisited();
	/* Nodes seen since the last reset */
	uint32 VisitedCount() const
	{
		return visitedCount_;
	}

	/* Distance from the query to a node; remembers where its neighbour list is */
	float distance_to_query(uint64 id);
	template <class F>
	void for_each_neighbor(uint64 id, int level, F&& visit);
	bool mark_visited(uint64 id);

	/* Distance from a comparable vector (e.g. another node's, read before) to a node */
	float DistanceFrom(const void* vector, uint64 id);
	/* A node's vector in comparable form (codec.comparableBytes); returns its level */
	int ReadVector(uint64 id, void* dst);
	/* A node's element data as stored (codec.bytes) */
	void ReadStored(uint64 id, void* dst);
	/* A lower bound of the query's exact distance to a node (quantized indexes) */
	float LowerBound(uint64 id);
	/* A node's links on one level; returns how many were written to tids */
	int ReadNeighbors(uint64 id, int level, ItemPointerData* tids);
	/* Drop the pins the walk took; every user calls it when done reading */
	void ReleasePins();
	/* Heap TIDs of a node, for the scan; count 0 when the node is deleted */
	int ReadHeapTids(uint64 id, ItemPointerData* tids);
	/* Whether a node is live (not deleted or free): as measured by this walk, or read now */
	bool IsLive(uint64 id);

private:
	struct VisitedEntry {
		uint64 key;                  /* id + 1, 0 = empty */
		ItemPointerData neighbortid; /* valid once the node was measured */
		bool live;
	};
	struct PinnedPage {
		BlockNumber blkno;
		Buffer buf; /* InvalidBuffer: empty slot */
	};
	VisitedEntry* FindSlot(uint64 id);
	void Grow();
	Buffer Pin(BlockNumber blkno);
	char* LockTuple(const ItemPointerData* tid, Buffer* buf, Size* length);
	HnswElementTuple LockElement(uint64 id, Buffer* buf);

	Relation index_;
	const HnswTypeInfo* info_;
	int m_;
	HnswQuery query_ = {};
	void* decoded_; /* a node decoded for DistanceFrom */
	VisitedEntry* visited_;
	uint32 visitedMask_;
	uint32 visitedCount_ = 0;
	/* Where the tables grow: the graph's own context, whatever is current when a walk allocates */
	MemoryContext ctx_;
	PinnedPage* pins_; /* open addressing by block number */
	uint32 pinsMask_;
	uint32 pinCount_ = 0;
	BlockNumber knownBlocks_; /* the index's size as last seen, to catch links past its end */
};

template <class F>
void HnswPageGraph::for_each_neighbor(uint64 id, int level, F&& visit)
{
	/* Copied out first: no buffer lock is held while the search reads other pages */
	ItemPointerData tids[2 * HNSW_MAX_M];
	int count = ReadNeighbors(id, level, tids);

	for (int i = 0; i < count; i++)
		visit(HnswTidToId(&tids[i]));
}

/*
 * Core's neighbour heuristic over candidates whose vectors are read from the pages once.
 * keepPruned fills a new element's list up (as the build does); re-selecting a full
 * list does not, so the list has room for the next links (see core's link_back).
 */
size_t HnswSelectNeighbors(HnswPageGraph* graph, const HnswTypeInfo* info, const ruvector::hnsw_candidate* sorted,
                           size_t count, uint32 m, ruvector::hnsw_candidate* kept, bool keepPruned);

/*
 * hnsw_cache.cpp: a backend's copy of a whole graph (vectors, links as element
 * numbers, heap TIDs) that scans walk instead of the pages; see the file.
 */
extern int hnsw_cache_size_kb;
typedef struct HnswGraphCache HnswGraphCache;
#define HNSW_CACHE_NO_LINK UINT32_MAX

void HnswCacheDefineSettings(void);
/*
 * The copy of this index that is current for the meta page read under the scan
 * lock (made now if it is worth it), pinned for the caller; NULL to use the pages.
 */
HnswGraphCache* HnswCacheAcquire(Relation index, const HnswTypeInfo* info, const HnswMetaPageData* meta);
void HnswCacheRelease(HnswGraphCache* cache);

/* The copy as core's search walks it (the Graph concept's search part); node ids are element numbers */
class HnswCachedGraph {
public:
	HnswCachedGraph(const HnswGraphCache* cache, const HnswTypeInfo* info);

	void SetQuery(const void* query)
	{
		HnswPrepareQuery(info_, query, &query_);
	}
	void ResetVisited()
	{
		visited_->next_walk();
		visitedCount_ = 0;
	}
	uint32 VisitedCount() const
	{
		return visitedCount_;
	}
	uint64 EntryId() const;
	int EntryLevel() const;

	float distance_to_query(uint64 id);
	void distances_to_query(ruvector::hnsw_candidate* items, size_t count);
	template <class F>
	void for_each_neighbor(uint64 id, int level, F&& visit)
	{
		uint32 count;
		const uint32* links = Links(id, level, &count);

		for (uint32 i = 0; i < count; i++)
			if (links[i] != HNSW_CACHE_NO_LINK)
				visit((uint64) links[i]);
	}
	bool mark_visited(uint64 id)
	{
		if (!visited_->insert(id))
			return false;
		visitedCount_++;
		return true;
	}
	int ReadHeapTids(uint64 id, ItemPointerData* tids);
	float LowerBound(uint64 id);
	/* Nothing is pinned: the copy is the scan's (HnswCacheRelease) */
	void ReleasePins()
	{
	}

private:
	const uint32* Links(uint64 id, int level, uint32* count) const;

	const HnswGraphCache* cache_;
	const HnswTypeInfo* info_;
	HnswQuery query_ = {};
	ruvector::visited_set* visited_; /* the copy's (HnswGraphCache) */
	uint32 visitedCount_ = 0;
};

/* hnsw_insert.cpp: page changes, WAL-logged unless the build logs everything at its end */
Page HnswBeginPageChange(Relation index, Buffer buf, bool building, bool newPage, GenericXLogState** xlog);
void HnswFinishPageChange(Buffer buf, GenericXLogState* xlog);

/* hnsw_build.cpp (natively also the parallel build; its workers start in HnswParallelBuildMain) */
IndexBuildResult* hnswbuild(Relation heap, Relation index, IndexInfo* indexInfo);
void hnswbuildempty(Relation index);

/* hnsw_insert.cpp */
bool hnswinsert(Relation index, Datum* values, bool* isnull, ItemPointer heap_tid, Relation heap,
                IndexUniqueCheck checkUnique, bool indexUnchanged, IndexInfo* indexInfo);
void HnswInsertVector(Relation index, const HnswTypeInfo* info, const void* vector, ItemPointer heaptid, bool building);

/* hnsw_scan.cpp */
IndexScanDesc hnswbeginscan(Relation index, int nkeys, int norderbys);
void hnswrescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys);
bool hnswgettuple(IndexScanDesc scan, ScanDirection dir);
void hnswendscan(IndexScanDesc scan);

/* hnsw_vacuum.cpp */
IndexBulkDeleteResult* hnswbulkdelete(IndexVacuumInfo* info, IndexBulkDeleteResult* stats,
                                      IndexBulkDeleteCallback callback, void* callback_state);
IndexBulkDeleteResult* hnswvacuumcleanup(IndexVacuumInfo* info, IndexBulkDeleteResult* stats);
