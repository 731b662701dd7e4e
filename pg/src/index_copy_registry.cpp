/*
 * index_copy_registry: the slots, budget and invalidation of a backend's index
 * copies (index_copy_registry.h). Copies are made only after
 * INDEX_COPY_WARMUP_SCANS scans found the index unchanged, so workloads that
 * change an index between queries keep scanning pages instead of copying it
 * again and again.
 */
extern "C" {
#include "postgres.h"

#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/rel.h"
}

#include <climits> /* MAX_KILOBYTES is INT_MAX */

#include "index_copy_registry.h"

/* Scans that must see an index unchanged before it is copied */
#define INDEX_COPY_WARMUP_SCANS 2

static void DropCopy(const IndexCopyRegistry* registry, IndexCopySlot* slot)
{
	if (slot->copy != NULL)
		registry->release(slot->copy);
	slot->copy = NULL;
	slot->bytes = 0;
}

static void ForgetSlot(const IndexCopyRegistry* registry, IndexCopySlot* slot)
{
	DropCopy(registry, slot);
	memset(slot, 0, sizeof(*slot));
}

/* A dropped or rebuilt index: its copy is of no more use */
static void InvalidateRelation(Datum arg, Oid relid)
{
	IndexCopyRegistry* registry = (IndexCopyRegistry*) DatumGetPointer(arg);

	for (int i = 0; i < INDEX_COPY_SLOTS; i++) {
		IndexCopySlot* slot = &registry->slots[i];

		if (slot->indexOid != InvalidOid && (relid == InvalidOid || slot->indexOid == relid))
			ForgetSlot(registry, slot);
	}
}

static Size CopiedBytes(const IndexCopyRegistry* registry)
{
	Size total = 0;

	for (int i = 0; i < INDEX_COPY_SLOTS; i++)
		if (registry->slots[i].copy != NULL)
			total += registry->slots[i].bytes;
	return total;
}

static bool MakeRoomKeeping(IndexCopyRegistry* registry, Size needed, const IndexCopySlot* keep)
{
	Size budget = (Size) *registry->budgetKb * 1024;
	Size kept = keep != NULL && keep->copy != NULL ? keep->bytes : 0;

	if (needed + kept > budget)
		return false;
	while (CopiedBytes(registry) + needed > budget) {
		IndexCopySlot* victim = NULL;

		for (int i = 0; i < INDEX_COPY_SLOTS; i++) {
			IndexCopySlot* slot = &registry->slots[i];

			if (slot != keep && slot->copy != NULL && (victim == NULL || slot->lastUse < victim->lastUse))
				victim = slot;
		}
		if (victim == NULL)
			return false;
		DropCopy(registry, victim);
	}
	return true;
}

bool IndexCopyMakeRoom(IndexCopyRegistry* registry, Size needed)
{
	return MakeRoomKeeping(registry, needed, NULL);
}

/* The index's slot, or the least recently used one emptied for it */
static IndexCopySlot* FindSlot(IndexCopyRegistry* registry, Relation index)
{
	IndexCopySlot* oldest = NULL;

	for (int i = 0; i < INDEX_COPY_SLOTS; i++) {
		IndexCopySlot* slot = &registry->slots[i];

		if (slot->indexOid == RelationGetRelid(index))
			return slot;
		if (oldest == NULL || slot->lastUse < oldest->lastUse)
			oldest = slot;
	}
	ForgetSlot(registry, oldest);
	oldest->indexOid = RelationGetRelid(index);
	return oldest;
}

IndexCopySlot* IndexCopyLookup(IndexCopyRegistry* registry, Relation index, uint64 changeCount)
{
	if (!registry->callbackRegistered) {
		CacheRegisterRelcacheCallback(InvalidateRelation, PointerGetDatum(registry));
		registry->callbackRegistered = true;
	}

	IndexCopySlot* slot = FindSlot(registry, index);
	RelFileNumber relNumber = RelationGetRelFileNumber(index);

	slot->lastUse = ++registry->clock;
	if (slot->relNumber != relNumber || slot->changeCount != changeCount) {
		DropCopy(registry, slot);
		slot->relNumber = relNumber;
		slot->changeCount = changeCount;
		slot->scansSeen = 0;
	}
	/* The budget may have shrunk since the copy was made */
	if (slot->copy != NULL && !MakeRoomKeeping(registry, 0, slot))
		DropCopy(registry, slot);
	return slot;
}

bool IndexCopyDue(IndexCopySlot* slot)
{
	return slot->copy == NULL && ++slot->scansSeen == INDEX_COPY_WARMUP_SCANS;
}

void IndexCopyKeep(IndexCopySlot* slot, void* copy, Size bytes)
{
	slot->copy = copy;
	slot->bytes = copy != NULL ? bytes : 0;
}

void* IndexCopyFind(const IndexCopyRegistry* registry, Oid indexOid)
{
	for (int i = 0; i < INDEX_COPY_SLOTS; i++)
		if (registry->slots[i].indexOid == indexOid && registry->slots[i].copy != NULL)
			return registry->slots[i].copy;
	return NULL;
}

void IndexCopyDefineBudget(const char* name, const char* description, int* budgetKb)
{
#ifdef __wasm__
	int defaultKb = 256 * 1024;
#else
	int defaultKb = 0;
#endif

	DefineCustomIntVariable(name, description, "0 turns the copies off.", budgetKb, defaultKb, 0, MAX_KILOBYTES,
	                        PGC_USERSET, GUC_UNIT_KB, NULL, NULL, NULL);
}
