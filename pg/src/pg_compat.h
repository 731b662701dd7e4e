/*
 * pg_compat: the PostgreSQL version differences ruvector meets, as shims.
 * Include after postgres.h.
 */
#pragma once

#if PG_VERSION_NUM >= 180000
#define VacuumDelayPoint() vacuum_delay_point(false)
#else
#define VacuumDelayPoint() vacuum_delay_point()
#endif

/* The relation's file number: changes on TRUNCATE, REINDEX, VACUUM FULL */
#if PG_VERSION_NUM >= 160000
#define RelationGetRelFileNumber(relation) ((relation)->rd_locator.relNumber)
#else
typedef Oid RelFileNumber;
#define RelationGetRelFileNumber(relation) ((relation)->rd_node.relNode)
#endif
