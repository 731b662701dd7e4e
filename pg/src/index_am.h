/*
 * What every ruvector access method (hnsw, ivfflat, flat) tells PostgreSQL it can and
 * cannot do: each answers ORDER BY <distance operator> on one column, and nothing else.
 *
 * Include after postgres.h.
 */
#pragma once

extern "C" {
#include "access/amapi.h"
}

/* Sets the capability flags of an ordering-only index; the caller sets the callbacks */
void SetOrderByOperatorCapabilities(IndexAmRoutine* amroutine);
