/*
 * relation_extend: new pages for an index build, with the file grown in few
 * large steps where that is cheaper than page by page.
 *
 * PGlite's in-memory file system copies a file each time it outgrows its
 * capacity, which growing a large index one page at a time does dozens of
 * times; natively the page-by-page path is kept. hnsw's build knows its page
 * count and grows the file once (RelationGrowBy + RelationGrownBuffer); the
 * flat and ivfflat builds only estimate theirs and take pages through a
 * RelationGrowth, which grows in large steps and gives back what was not used.
 *
 * Include after postgres.h.
 */
#pragma once

extern "C" {
#include "storage/bufmgr.h"
#include "utils/relcache.h"
}

/*
 * Grow the relation's main fork by `count` zeroed blocks from `first` (its
 * end) in one step. Returns false, doing nothing, where that is not possible
 * or not cheaper (natively, temporary relations, other tablespaces).
 */
bool RelationGrowBy(Relation index, BlockNumber first, BlockNumber count);

/* Block `blkno` exclusively locked and zeroed: one RelationGrowBy made (`grown`), or a new one appended */
Buffer RelationGrownBuffer(Relation index, BlockNumber blkno, bool grown);

/* Pages handed out one after another by a build that estimates how many it needs */
typedef struct RelationGrowth {
	Relation index;
	BlockNumber next;     /* the block the next page gets */
	BlockNumber grownTo;  /* blocks from `next` up to here exist, zeroed and unused */
	BlockNumber estimate; /* pages the build expects to need in all */
	bool canGrow;         /* false once RelationGrowBy declined */
} RelationGrowth;

/* Start at the relation's end (the build owns the relation: nobody else extends it) */
void RelationGrowthInit(RelationGrowth* growth, Relation index, BlockNumber estimate);
/* The next page, exclusively locked and zeroed */
Buffer RelationGrowthNewBuffer(RelationGrowth* growth);
/* Give back blocks grown but not handed out, so that the relation ends at its last page */
void RelationGrowthFinish(RelationGrowth* growth);
