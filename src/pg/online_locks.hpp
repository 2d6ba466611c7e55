/*
 * online_locks.hpp — the locks of the online migration: the one a live worker holds (its liveness) and the gate that
 * start/resume close while the worker they launch must wait for their commit.
 *
 * Neither is an advisory lock: both are heavyweight locks on a LOCKTAG_OBJECT whose class id is the OID of the
 * extension's own table uuid7_online_migration, taken in the user lock method (the one advisory locks use, so that
 * a session lock outlives a transaction that aborts, and is released only when the process ends). No SQL function
 * takes such a lock — pg_advisory_* build LOCKTAG_ADVISORY tags, and the server's own object locks use catalog
 * OIDs as class ids in the default lock method — so no role can squat them; only this module's C code takes them.
 */
#pragma once

#include "pg/postgres_headers.hpp"

extern "C"
{
#include "storage/lock.h"
}

namespace uuid7::pg
{

/* bgw_type of the migration worker: pg_stat_activity.backend_type, and what identifies its pid as one. */
constexpr const char kWorkerType[] = "uuid7 migration";

/* objsubid of the lock tag: which lock of the migration. */
enum class MigrationLock : uint16
{
	Worker = 1, /* session lock, ExclusiveLock, held by the live worker for as long as it lives */
	Gate = 2,   /* transaction lock: ExclusiveLock by start/resume, ShareLock by each step of the worker */
};

/*
 * Migration ids that can have a worker: 1 to 2^32 - 1, so that the id fits the tag's objid exactly and two
 * migrations never share a lock. Raises 54000 for any other id (the identity sequence would take four billion
 * migrations to get there).
 */
void CheckLockableMigration(int64 migration_id);

/* The migration row as the caller sees it (its snapshot and the state's row security). Strings in the caller's context.
 */
struct MigrationAccess
{
	bool visible;
	bool member;      /* the current role has the privileges of the starter (superusers have) */
	Oid starter;      /* InvalidOid when the role no longer exists */
	char *started_by; /* NULL when not visible */
	char *state;
};
MigrationAccess ReadMigrationAccess(Oid namespace_oid, int64 migration_id);

/*
 * Raises 42704 when the caller cannot see the migration or its starter no longer exists, and 42501 ("permission
 * denied to ACTION online migration N") when the caller lacks the starter's privileges.
 */
void RequireActsAsStarter(const MigrationAccess &access, int64 migration_id, const char *action);

/*
 * The schema of the extension's state tables, for the extension installed in schema namespace_oid: uuid7_state, the
 * schema that is a member of extension uuid7 (2.0; a schema of that name some role made is never taken for it), or,
 * while the extension's SQL is still that of 1.x (the library is updated first), the extension's own schema.
 */
Oid StateNamespace(Oid namespace_oid);

/* StateNamespace(namespace_oid), quoted for a statement. */
const char *StateSchemaName(Oid namespace_oid);

/* OID of the uuid7_online_migration table of the extension installed in namespace_oid; raises if it is missing. */
Oid MigrationClassOid(Oid namespace_oid);

/*
 * SQL for the OID of the role that started migration row m: its starter column (2.0), or, while the extension's SQL is
 * still that of 1.2-1.6 (the library is updated first), the role named by started_by.
 */
const char *StarterSql(Oid class_oid);

/* The tag of one lock of a migration of the current database. */
LOCKTAG MigrationLockTag(Oid class_oid, int64 migration_id, MigrationLock which);

/*
 * The pid of the live worker of the migration, or 0: the process that holds its Worker lock, and only if that
 * process is a uuid7 migration background worker (bgw_type kWorkerType) connected to the current database.
 */
int FindWorkerPid(Oid class_oid, int64 migration_id);

} // namespace uuid7::pg
