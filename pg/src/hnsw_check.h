/*
 * Checks on what is read from hnsw pages (hnsw_check.cpp). Each raises
 * ERRCODE_INDEX_CORRUPTED, naming the index and the TID, when the page is damaged.
 *
 * Include after postgres.h and hnsw.h.
 */
#pragma once

/* An initialised hnsw page that holds elements and neighbour lists (not the meta page) */
bool HnswIsDataPage(Page page);

/* A linked block must be a data page inside the index; *knownBlocks caches its size */
void HnswCheckBlock(Relation index, BlockNumber* knownBlocks, const ItemPointerData* tid);

/* The tuple a TID names on a locked page, inside the page's tuple space; sets *length */
char* HnswCheckedTuple(Relation index, Page page, const ItemPointerData* tid, Size* length);

/* An element: its type, a level and heap TID count core can hold, and room for its vector */
void HnswCheckElement(Relation index, const ItemPointerData* tid, HnswElementTuple element, Size length,
                      const HnswTypeInfo* info);

/* A neighbour list with slots for every level up to `level` */
void HnswCheckNeighbors(Relation index, const ItemPointerData* tid, HnswNeighborTuple neighbors, Size length, int level,
                        int m);

/*
 * The neighbour list in the tuple at an element's neighbortid (a neighbour
 * tuple, or the element holding it after its vector), checked as above
 */
HnswNeighborTuple HnswCheckedNeighbors(Relation index, const ItemPointerData* tid, char* tuple, Size length, int level,
                                       int m, const HnswTypeInfo* info);
