/*
 * worker_limits.cpp — the caps on uuid7 migration workers (see worker_limits.hpp for the settings and why).
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include <cstring>

#include "pg/online_locks.hpp"
#include "pg/worker_limits.hpp"

extern "C"
{
#include "commands/dbcommands.h"
#include "utils/lsyscache.h" /* get_database_name: here since PostgreSQL 19, in dbcommands.h before */
#include "miscadmin.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/wait_event.h"
}

namespace
{

/*
 * The defaults leave the default pool of eight background workers (max_worker_processes = 8) five slots for parallel
 * query (two per Gather by default) and logical replication (an apply worker and its table-sync workers, two per
 * subscription by default); one role or one database may run two migrations side by side, never all three places.
 */
constexpr int kDefaultMaxWorkers = 3;
constexpr int kDefaultMaxWorkersPerDatabase = 2;
constexpr int kDefaultMaxWorkersPerRole = 2;
/* MAX_BACKENDS, the ceiling of max_worker_processes: a cap at least that high is no cap. */
constexpr int kCapCeiling = 0x3FFFF;
constexpr int kCountedWaitMs = 10000;

int max_workers = kDefaultMaxWorkers;
int max_workers_per_database = kDefaultMaxWorkersPerDatabase;
int max_workers_per_role = kDefaultMaxWorkersPerRole;

/* 'uuid' 'lnch': the launch lock is one key for the whole cluster (database 0), in the user lock method. */
LOCKTAG LaunchLockTag()
{
	LOCKTAG tag;
	SET_LOCKTAG_OBJECT(tag, InvalidOid, 0x75756964, 0x6c6e6368, 0);
	tag.locktag_lockmethodid = USER_LOCKMETHOD;
	return tag;
}

struct WorkerCounts
{
	int cluster;
	int database;
	int role;
};

/* Whether pid (a live process) is a uuid7 migration worker: bgw_type, from the postmaster's worker slots. */
bool IsWorkerPid(int pid)
{
	const char *type = GetBackgroundWorkerTypeByPid(pid);
	return type != nullptr && strcmp(type, uuid7::pg::kWorkerType) == 0;
}

/*
 * The live uuid7 workers, from every PGPROC (the proc array's backing store). databaseId and roleId are set while
 * the worker connects; WaitWorkerCounted makes each launch wait for that before the next one counts.
 */
WorkerCounts CountWorkers(Oid role, Oid database)
{
	WorkerCounts counts = {0, 0, 0};
	for (uint32 i = 0; i < ProcGlobal->allProcCount; i++)
	{
		volatile PGPROC *proc = &ProcGlobal->allProcs[i];
		const int pid = proc->pid;
		if (pid == 0 || pid == MyProcPid || !IsWorkerPid(pid))
			continue;
		counts.cluster++;
		if (proc->databaseId == database)
			counts.database++;
		if (proc->roleId == role)
			counts.role++;
	}
	return counts;
}

} // namespace

namespace uuid7::pg
{

void DefineWorkerLimits()
{
	DefineCustomIntVariable(
	    "uuid7.max_workers", "Most uuid7 online migration workers that may run at once in the cluster.",
	    "Each running online migration holds one background worker slot (max_worker_processes), which parallel query "
	    "and logical replication also draw from. 0 allows none.",
	    &max_workers, kDefaultMaxWorkers, 0, kCapCeiling, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("uuid7.max_workers_per_database",
	                        "Most uuid7 online migration workers that may run at once in one database.", nullptr,
	                        &max_workers_per_database, kDefaultMaxWorkersPerDatabase, 0, kCapCeiling, PGC_SIGHUP, 0,
	                        nullptr, nullptr, nullptr);
	DefineCustomIntVariable("uuid7.max_workers_per_role",
	                        "Most uuid7 online migration workers that may run at once as one role.",
	                        "A worker runs as the role that started its migration.", &max_workers_per_role,
	                        kDefaultMaxWorkersPerRole, 0, kCapCeiling, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
	MarkGUCPrefixReserved("uuid7");
}

void BeginWorkerLaunch()
{
	const LOCKTAG tag = LaunchLockTag();
	(void)LockAcquire(&tag, ExclusiveLock, false, false);
}

void EndWorkerLaunch()
{
	const LOCKTAG tag = LaunchLockTag();
	(void)LockRelease(&tag, ExclusiveLock, false);
}

void CheckWorkerLimits(Oid role, Oid database)
{
	const WorkerCounts counts = CountWorkers(role, database);
	const char *hint = "Wait until a running online migration ends (ready, finished, failed or aborted), or have a "
	                   "superuser raise the setting (ALTER SYSTEM, then SELECT pg_reload_conf()).";
	if (counts.role >= max_workers_per_role)
	{
		const char *role_name = GetUserNameFromId(role, false);
		ereport(ERROR, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
		                errmsg("too many uuid7 migration workers run as role \"%s\"", role_name),
		                errdetail("%d already run as this role, and uuid7.max_workers_per_role is %d.", counts.role,
		                          max_workers_per_role),
		                errhint("%s", hint)));
	}
	if (counts.database >= max_workers_per_database)
		ereport(ERROR, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
		                errmsg("too many uuid7 migration workers run in database \"%s\"", get_database_name(database)),
		                errdetail("%d already run in this database, and uuid7.max_workers_per_database is %d.",
		                          counts.database, max_workers_per_database),
		                errhint("%s", hint)));
	if (counts.cluster >= max_workers)
		ereport(ERROR,
		        (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
		         errmsg("too many uuid7 migration workers run in the cluster"),
		         errdetail("%d already run in the cluster, and uuid7.max_workers is %d.", counts.cluster, max_workers),
		         errhint("%s", hint)));
}

void WaitWorkerCounted(BackgroundWorkerHandle *handle, pid_t pid)
{
	for (int waited = 0; waited < kCountedWaitMs; waited += 10)
	{
		pid_t current;
		if (GetBackgroundWorkerPid(handle, &current) != BGWH_STARTED)
			return;
		for (uint32 i = 0; i < ProcGlobal->allProcCount; i++)
		{
			volatile PGPROC *proc = &ProcGlobal->allProcs[i];
			if (proc->pid == pid && OidIsValid(proc->databaseId) && OidIsValid(proc->roleId))
				return;
		}
		(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

} // namespace uuid7::pg
