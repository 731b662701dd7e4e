/*
 * core_bridge: how core gets memory and interruption from PostgreSQL.
 */
#pragma once

/* Route core's allocations to palloc and its interrupt checks to CHECK_FOR_INTERRUPTS */
void CoreBridgeInit(void);
