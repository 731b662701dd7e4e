/*
 * index_copy_registry: which indexes a backend has copied into its own memory
 * for scans (hnsw_cache.cpp, flat_cache.cpp), and when to copy or drop them.
 *
 * One registry per kind of copy: a few slots keyed by index OID, each with the
 * index's change count last seen, the scans that saw it unchanged, and the
 * copy. Copies of one kind share that kind's budget (its setting, in kB); the
 * least recently used go first. A relcache invalidation of an index (DROP,
 * REINDEX, ...) forgets its slot. The registry never looks inside a copy: it
 * frees one through the kind's release function.
 */
#ifndef RUVECTOR_INDEX_COPY_REGISTRY_H
#define RUVECTOR_INDEX_COPY_REGISTRY_H

extern "C" {
#include "postgres.h"

#include "utils/relcache.h"
}

#include "pg_compat.h"

/* Indexes remembered per backend and kind (copied or only seen) */
#define INDEX_COPY_SLOTS 8

/* What a backend knows of one index: the last change count seen, how often, and the copy */
typedef struct IndexCopySlot {
	Oid indexOid;
	RelFileNumber relNumber; /* a new one after TRUNCATE or REINDEX */
	uint64 changeCount;
	int scansSeen;
	uint64 lastUse;
	void* copy; /* NULL until copied */
	Size bytes; /* what the copy counts against the budget */
} IndexCopySlot;

typedef struct IndexCopyRegistry {
	const int* budgetKb;         /* the kind's setting */
	void (*release)(void* copy); /* frees a copy, or hands it to the scans still using it */
	IndexCopySlot slots[INDEX_COPY_SLOTS];
	uint64 clock;
	bool callbackRegistered;
} IndexCopyRegistry;

/*
 * The index's slot, used now; its copy is dropped if the index changed since
 * (another change count or relfilenode) or the budget no longer holds it.
 */
IndexCopySlot* IndexCopyLookup(IndexCopyRegistry* registry, Relation index, uint64 changeCount);

/* Whether a scan of a slot without a copy should make one: the second that finds the index unchanged */
bool IndexCopyDue(IndexCopySlot* slot);

/* Drop the least recently used copies until `needed` more bytes fit the budget; false if they cannot */
bool IndexCopyMakeRoom(IndexCopyRegistry* registry, Size needed);

/* Keep a new copy (NULL: none made) in the slot IndexCopyLookup returned */
void IndexCopyKeep(IndexCopySlot* slot, void* copy, Size bytes);

/*
 * Define a kind's budget setting (GUC_UNIT_KB, 0 turns its copies off): on in
 * PGlite, whose one backend pays most of a scan for its buffer manager; off
 * natively by default, where a server has many backends and cheap buffers.
 */
void IndexCopyDefineBudget(const char* name, const char* description, int* budgetKb);

/* The copy of an index, NULL when there is none */
void* IndexCopyFind(const IndexCopyRegistry* registry, Oid indexOid);

#endif
