/*
 * worker_limits.hpp — how many uuid7 migration workers may run at once: in the whole cluster, per database, per role.
 *
 * Every online migration holds a background worker slot (max_worker_processes) for as long as it runs, and parallel
 * query, logical replication and other extensions take theirs from the same pool. Three settings (PGC_SIGHUP: one
 * value for every session, set in postgresql.conf or with ALTER SYSTEM and a reload) cap the uuid7 share:
 *
 *   uuid7.max_workers               (default 3)  workers in the cluster
 *   uuid7.max_workers_per_database  (default 2)  workers connected to one database
 *   uuid7.max_workers_per_role      (default 2)  workers running as one role (the role that started the migration)
 *
 * uuid7_online_launch counts the live workers (the proc array, by bgw_type) under a cluster-wide lock that it holds
 * until its own worker is counted too, so two launches cannot both take the last place.
 */
#pragma once

#include "pg/postgres_headers.hpp"

extern "C"
{
#include "postmaster/bgworker.h"
}

namespace uuid7::pg
{

/* From _PG_init: define the three settings (whenever the library is loaded, preloaded or not). */
void DefineWorkerLimits();

/*
 * Serialises launches cluster-wide: an exclusive lock (transaction level, user lock method) on a key no SQL
 * function can take. Released by EndWorkerLaunch, or by the end of the transaction on an error.
 */
void BeginWorkerLaunch();
void EndWorkerLaunch();

/* Raises 53400 when one more worker, running as role in database, would pass a cap. Call between Begin and End. */
void CheckWorkerLimits(Oid role, Oid database);

/*
 * Waits (at most 10 s) until the started worker shows its database and role in the proc array, where the next
 * launch counts it, or has exited.
 */
void WaitWorkerCounted(BackgroundWorkerHandle *handle, pid_t pid);

} // namespace uuid7::pg
