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
