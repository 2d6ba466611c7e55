/*
 * online_locks.cpp — the locks of the online migration (see online_locks.hpp) and the two SQL functions that read
 * and take them:
 *
 *   uuid7_online_worker_pid(migration bigint) RETURNS integer
 *       the pid of the live worker of the migration, or NULL
 *   uuid7_online_gate(migration bigint, exclusive boolean) RETURNS boolean
 *       the start/step gate, held until the end of the transaction
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include <cstring>

#include "pg/online_locks.hpp"
#include "pg/restricted_exec.hpp"

extern "C"
{
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
}

namespace uuid7::pg
{

void CheckLockableMigration(int64 migration_id)
{
	if (migration_id < 1 || migration_id > static_cast<int64>(PG_UINT32_MAX))
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("online migration %lld cannot have a worker", static_cast<long long>(migration_id)),
		                errdetail("The worker's locks take migration ids from 1 to %u.", PG_UINT32_MAX)));
}

Oid StateNamespace(Oid namespace_oid)
{
	/* the schema's membership (pg_depend, deptype 'e'), not its name alone: any role with CREATE on the database may
	 * make a schema uuid7_state while the extension is still at 1.x */
	const Oid state_namespace = get_namespace_oid("uuid7_state", true);
	if (OidIsValid(state_namespace))
	{
		const Oid extension = get_extension_oid("uuid7", true);
		if (OidIsValid(extension) && getExtensionOfObject(NamespaceRelationId, state_namespace) == extension)
			return state_namespace;
	}
	return namespace_oid;
}

const char *StateSchemaName(Oid namespace_oid)
{
	return quote_identifier(get_namespace_name(StateNamespace(namespace_oid)));
}

Oid MigrationClassOid(Oid namespace_oid)
{
	const Oid relid = get_relname_relid("uuid7_online_migration", StateNamespace(namespace_oid));
	if (!OidIsValid(relid))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
		                errmsg("table \"uuid7_online_migration\" of extension \"uuid7\" does not exist")));
	return relid;
}

const char *StarterSql(Oid class_oid)
{
	if (get_attnum(class_oid, "starter") != InvalidAttrNumber)
		return "m.starter";
	return "(SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) m.started_by)";
}

LOCKTAG MigrationLockTag(Oid class_oid, int64 migration_id, MigrationLock which)
{
	LOCKTAG tag;
	SET_LOCKTAG_OBJECT(tag, MyDatabaseId, class_oid, static_cast<uint32>(migration_id), static_cast<uint16>(which));
	/* The user lock method: a session lock survives an aborted transaction, as an advisory lock does. */
	tag.locktag_lockmethodid = USER_LOCKMETHOD;
	return tag;
}

namespace
{

bool SameTag(const LOCKTAG &a, const LOCKTAG &b)
{
	return a.locktag_field1 == b.locktag_field1 && a.locktag_field2 == b.locktag_field2 &&
	       a.locktag_field3 == b.locktag_field3 && a.locktag_field4 == b.locktag_field4 &&
	       a.locktag_type == b.locktag_type && a.locktag_lockmethodid == b.locktag_lockmethodid;
}

/* Whether pid is a uuid7 migration background worker connected to the current database. */
bool IsMigrationWorker(int pid)
{
	PGPROC *proc = BackendPidGetProc(pid);
	if (proc == nullptr || proc->databaseId != MyDatabaseId)
		return false;
	const char *type = GetBackgroundWorkerTypeByPid(pid);
	return type != nullptr && strcmp(type, kWorkerType) == 0;
}

} // namespace

MigrationAccess ReadMigrationAccess(Oid namespace_oid, int64 migration_id)
{
	MigrationAccess access = {false, false, InvalidOid, nullptr, nullptr};
	MemoryContext caller_context = CurrentMemoryContext;
	const char *query = psprintf("SELECT m.started_by::pg_catalog.text, m.state, %s FROM %s.uuid7_online_migration m"
	                             " WHERE m.id OPERATOR(pg_catalog.=) $1",
	                             StarterSql(MigrationClassOid(namespace_oid)), StateSchemaName(namespace_oid));
	Oid types[1] = {INT8OID};
	Datum values[1] = {Int64GetDatum(migration_id)};

	SPI_connect();
	const int rc = SPI_execute_with_args(query, 1, types, values, nullptr, true, 1);
	uuid7::pg::RequireSpiResult(rc, SPI_OK_SELECT);
	if (SPI_processed == 1)
	{
		access.visible = true;
		const char *started_by = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		const char *state = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
		bool is_null = true;
		const Oid starter = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &is_null));
		/* the role by OID (a role given the old name later is not it), under its name of now */
		const char *name_now = is_null ? nullptr : GetUserNameFromId(starter, true);
		access.starter = name_now == nullptr ? InvalidOid : starter;
		access.started_by = MemoryContextStrdup(caller_context, name_now != nullptr     ? name_now
		                                                        : started_by == nullptr ? ""
		                                                                                : started_by);
		access.state = MemoryContextStrdup(caller_context, state == nullptr ? "" : state);
		access.member = OidIsValid(access.starter) && has_privs_of_role(GetUserId(), access.starter);
	}
	SPI_finish();
	return access;
}

void RequireActsAsStarter(const MigrationAccess &access, int64 migration_id, const char *action)
{
	if (!access.visible)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
		                errmsg("online migration %lld does not exist", static_cast<long long>(migration_id))));
	if (!OidIsValid(access.starter))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
		                errmsg("role \"%s\", which started online migration %lld, does not exist", access.started_by,
		                       static_cast<long long>(migration_id)),
		                errdetail("The worker of a migration runs as the role that started it."),
		                errhint("Abort the migration (uuid7_migration_abort) and start it again.")));
	if (!access.member)
		ereport(
		    ERROR,
		    (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		     errmsg("permission denied to %s online migration %lld", action, static_cast<long long>(migration_id)),
		     errdetail("Only roles with the privileges of role \"%s\", which started it, may.", access.started_by)));
}

int FindWorkerPid(Oid class_oid, int64 migration_id)
{
	if (migration_id < 1 || migration_id > static_cast<int64>(PG_UINT32_MAX))
		return 0; /* no worker can hold the lock of such an id: launch refuses it */
	const LOCKTAG tag = MigrationLockTag(class_oid, migration_id, MigrationLock::Worker);
	LockData *data = GetLockStatusData();
	int pid = 0;
	for (int i = 0; i < data->nelements && pid == 0; i++)
	{
		const LockInstanceData *lock = &data->locks[i];
		if (lock->pid != 0 && (lock->holdMask & LOCKBIT_ON(ExclusiveLock)) != 0 && SameTag(lock->locktag, tag) &&
		    IsMigrationWorker(lock->pid))
			pid = lock->pid;
	}
	pfree(data->locks);
	pfree(data);
	return pid;
}

} // namespace uuid7::pg

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_online_worker_pid);
	PG_FUNCTION_INFO_V1(uuid7_online_gate);

	/*
	 * uuid7_online_worker_pid(migration bigint) RETURNS integer   (STRICT)
	 *
	 * Reads the lock table, as pg_locks does, so a worker that ended in any way (exit, kill -9 and the crash recovery
	 * that follows, restart) is never taken for a live one; and checks who the holder is, so nothing but the
	 * migration's own worker makes it look alive.
	 */
	Datum uuid7_online_worker_pid(PG_FUNCTION_ARGS)
	{
		const int64 id = PG_GETARG_INT64(0);
		const Oid class_oid = uuid7::pg::MigrationClassOid(get_func_namespace(fcinfo->flinfo->fn_oid));
		const int pid = uuid7::pg::FindWorkerPid(class_oid, id);
		if (pid == 0)
			PG_RETURN_NULL();
		PG_RETURN_INT32(pid);
	}

	/*
	 * uuid7_online_gate(migration bigint, exclusive boolean) RETURNS boolean   (STRICT)
	 *
	 * exclusive: start and resume close the gate until their transaction ends (waiting for a step that holds it);
	 * raises 42704 when the migration is not visible to the caller and 42501 when the caller has not the privileges
	 * of the role that started it; returns true.
	 * shared: a step of the worker passes the gate without waiting, and keeps it open until its transaction ends;
	 * returns false when the gate is closed, and false without taking anything when the caller may not act on the
	 * migration. For a migration the caller cannot see (a start not committed yet, or rolled back) it only tests
	 * the gate: true once nothing holds it closed, and nothing stays held, so no role can close the gate of a
	 * migration that has yet to start.
	 */
	Datum uuid7_online_gate(PG_FUNCTION_ARGS)
	{
		const int64 id = PG_GETARG_INT64(0);
		const bool exclusive = PG_GETARG_BOOL(1);
		uuid7::pg::CheckLockableMigration(id);
		const Oid namespace_oid = get_func_namespace(fcinfo->flinfo->fn_oid);
		const Oid class_oid = uuid7::pg::MigrationClassOid(namespace_oid);
		const uuid7::pg::MigrationAccess access = uuid7::pg::ReadMigrationAccess(namespace_oid, id);
		const LOCKTAG tag = uuid7::pg::MigrationLockTag(class_oid, id, uuid7::pg::MigrationLock::Gate);

		if (exclusive)
		{
			uuid7::pg::RequireActsAsStarter(access, id, "close the gate of");
			(void)LockAcquire(&tag, ExclusiveLock, false, false);
			PG_RETURN_BOOL(true);
		}

		if (access.visible && !access.member)
			PG_RETURN_BOOL(false);
		if (LockAcquire(&tag, ShareLock, false, true) == LOCKACQUIRE_NOT_AVAIL)
			PG_RETURN_BOOL(false);
		if (!access.visible)
			(void)LockRelease(&tag, ShareLock, false);
		PG_RETURN_BOOL(true);
	}

} // extern "C"
