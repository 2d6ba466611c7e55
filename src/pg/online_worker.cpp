/*
 * online_worker.cpp — the background worker that drives an online migration. The migration's logic is all SQL
 * (src/sql/online_*.sql); this file only gives it a process that can run statements no function may run
 * (CREATE/DROP INDEX CONCURRENTLY, VACUUM), and that outlives the session that started it.
 *
 *   uuid7_online_launch(migration_id bigint) RETURNS integer
 *       starts a worker for the migration in the current database, logged in as the role that started the
 *       migration (uuid7_online_migration.started_by) whoever calls it; returns its pid. The caller must have the
 *       privileges of that role (superusers have), and the caps of worker_limits.hpp must leave room.
 *
 * The worker's contract with the SQL side (functions looked up in the extension's schema):
 *
 *   uuid7_online_step(migration_id bigint) RETURNS TABLE(action text, statement text, wait_ms integer)
 *       called in a transaction of its own, again and again; exactly one row, whose action is
 *         'continue'  the step did its work in that transaction: call again at once
 *         'sleep'     wait wait_ms milliseconds (1000 when NULL), then call again
 *         'run'       commit, run `statement` as a top-level command in its own transaction (as psql would),
 *                     then call again; the step finds out from the catalogs what the statement achieved
 *         'stop'      the migration is finished, blocked or failed: the worker exits
 *   uuid7_online_fail(migration_id bigint, sqlstate text, message text) RETURNS void
 *       called in a fresh transaction when a step or statement raised an error (message: "message: detail");
 *       the worker then exits, and never retries by itself
 *
 * One worker per migration: the worker holds the session lock MigrationLock::Worker of its migration
 * (online_locks.hpp: a lock no SQL function can take) while it lives, and a second worker for the same id exits at
 * once. pg_terminate_backend ends a worker (FATAL, nothing reported); pg_cancel_backend makes the current step fail
 * with 57014, which is reported.
 *
 * The worker runs as the starter, never as the caller: a superuser resuming another role's migration must not run
 * that migration, and whatever that role could have placed in its state rows, with the superuser's rights.
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "pg/online_guard.hpp"
#include "pg/online_locks.hpp"
#include "pg/pg_compat.hpp"
#include "pg/postgres_headers.hpp"
#include "pg/worker_limits.hpp"

extern "C"
{
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "parser/analyze.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "tcop/dest.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

namespace
{

/* 'uuid' in ASCII: the advisory lock key by which the SQL of releases 1.3 to 1.6 finds a live worker. */
constexpr int32 kLegacyAdvisoryClass = 0x75756964;
constexpr int kDefaultSleepMs = 1000;

/*
 * Handed to the worker through bgw_extra. bgw_main_arg is not used for the id: where Datum is 32 bits wide an
 * int64 Datum is a pointer into the launcher's memory.
 */
struct WorkerArgs
{
	int64 migration_id;
	Oid database;
	Oid role;
};
static_assert(std::is_trivially_copyable_v<WorkerArgs> && sizeof(WorkerArgs) <= BGW_EXTRALEN,
              "WorkerArgs must fit bgw_extra as plain bytes");

/*
 * Refuses to start a worker that would only fail, or that would run as a role the caller may not act as: the
 * migration must exist and be running or waiting (start and resume set that state before they launch), the role that
 * started it must still exist, and the caller must have its privileges. Returns that role: the worker logs in as it.
 */
Oid CheckMayLaunch(int64 migration_id, Oid function_oid)
{
	const uuid7::pg::MigrationAccess access =
	    uuid7::pg::ReadMigrationAccess(get_func_namespace(function_oid), migration_id);
	uuid7::pg::RequireActsAsStarter(access, migration_id, "start the worker of");
	if (strcmp(access.state, "running") != 0 && strcmp(access.state, "waiting") != 0)
		ereport(ERROR,
		        (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		         errmsg("online migration %lld is %s: it has no worker to start", static_cast<long long>(migration_id),
		                access.state[0] == '\0' ? "in no state" : access.state),
		         errhint("uuid7_migration_resume() starts the worker of a stopped or failed migration.")));
	return access.starter;
}

enum class Action
{
	Continue,
	Sleep,
	Run,
	Stop
};

struct Step
{
	Action action;
	char *statement; /* in statement_context */
	int wait_ms;
};

/* Worker-process state; plain data, so nothing runs at load time. */
int64 migration_id = 0;
char *step_sql = nullptr;                  /* in TopMemoryContext */
char *fail_sql = nullptr;                  /* in TopMemoryContext */
MemoryContext statement_context = nullptr; /* survives the commits a CONCURRENTLY statement makes inside itself */

/* Returns the quoted schema of the extension, or NULL when another worker already drives this migration. */
char *Attach()
{
	char *schema = nullptr;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, "uuid7 migration: attach");

	if (SPI_execute("SELECT quote_ident(n.nspname), n.oid, e.extversion FROM pg_catalog.pg_extension e "
	                "JOIN pg_catalog.pg_namespace n "
	                "ON n.oid = e.extnamespace WHERE e.extname = 'uuid7'",
	                true, 0) != SPI_OK_SELECT ||
	    SPI_processed != 1)
		ereport(ERROR,
		        (errcode(ERRCODE_UNDEFINED_OBJECT),
		         errmsg("extension \"uuid7\" is not installed in database \"%s\"", get_database_name(MyDatabaseId))));
	schema = MemoryContextStrdup(TopMemoryContext, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	bool isnull;
	const Oid namespace_oid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	const char *version = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	const bool legacy_sql = version != nullptr && strtol(version, nullptr, 10) < 2;

	/*
	 * Session level in the user lock method: held until the process exits, whatever becomes of the transactions in
	 * between (an aborted one included).
	 */
	uuid7::pg::CheckLockableMigration(migration_id);
	const LOCKTAG tag = uuid7::pg::MigrationLockTag(uuid7::pg::MigrationClassOid(namespace_oid), migration_id,
	                                                uuid7::pg::MigrationLock::Worker);
	bool locked = LockAcquire(&tag, ExclusiveLock, true, true) != LOCKACQUIRE_NOT_AVAIL;

	/*
	 * The SQL of releases 1.3 to 1.6 (a database whose extension is not updated yet) finds the worker by the session
	 * advisory lock (kLegacyAdvisoryClass, low 32 bits of the id): hold that one too, as those releases did. 2.0 never
	 * reads it, so whoever else holds it changes nothing there.
	 */
	if (locked && legacy_sql)
	{
		Oid types[2] = {INT4OID, INT4OID};
		Datum values[2] = {Int32GetDatum(kLegacyAdvisoryClass),
		                   Int32GetDatum(static_cast<int32>(static_cast<uint32>(migration_id)))};
		if (SPI_execute_with_args("SELECT pg_catalog.pg_try_advisory_lock($1, $2)", 2, types, values, nullptr, false,
		                          1) != SPI_OK_SELECT ||
		    SPI_processed != 1)
			elog(ERROR, "uuid7 migration: the advisory lock query returned no row");
		locked = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, nullptr);
	return locked ? schema : nullptr;
}

/* One call of uuid7_online_step, committed before its answer is acted on. */
Step RunStep()
{
	Step step = {Action::Stop, nullptr, kDefaultSleepMs};

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, step_sql);

	Oid types[1] = {INT8OID};
	Datum values[1] = {Int64GetDatum(migration_id)};
	int rc = SPI_execute_with_args(step_sql, 1, types, values, nullptr, false, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("uuid7_online_step returned %llu rows, expected one",
		                                                          static_cast<unsigned long long>(SPI_processed))));
	TupleDesc desc = SPI_tuptable->tupdesc;
	HeapTuple row = SPI_tuptable->vals[0];
	if (desc->natts != 3 || SPI_gettypeid(desc, 1) != TEXTOID || SPI_gettypeid(desc, 2) != TEXTOID ||
	    SPI_gettypeid(desc, 3) != INT4OID)
		ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
		                errmsg("uuid7_online_step must return (action text, statement text, wait_ms integer)")));

	const char *action = SPI_getvalue(row, desc, 1);
	const char *statement = SPI_getvalue(row, desc, 2);
	bool wait_null;
	Datum wait = SPI_getbinval(row, desc, 3, &wait_null);
	if (!wait_null)
		step.wait_ms = Max(DatumGetInt32(wait), 0);

	if (action == nullptr)
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("uuid7_online_step returned a null action")));
	else if (strcmp(action, "continue") == 0)
		step.action = Action::Continue;
	else if (strcmp(action, "sleep") == 0)
		step.action = Action::Sleep;
	else if (strcmp(action, "stop") == 0)
		step.action = Action::Stop;
	else if (strcmp(action, "run") == 0)
	{
		if (statement == nullptr)
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			                errmsg("uuid7_online_step returned 'run' without a statement")));
		step.action = Action::Run;
		step.statement = MemoryContextStrdup(statement_context, statement); /* SPI_finish frees the row */
	}
	else
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("uuid7_online_step returned an unknown action \"%s\"", action)));

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	(void)pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, nullptr);
	return step;
}

/*
 * Runs one statement the way exec_simple_query does for a client: CREATE INDEX CONCURRENTLY, VACUUM and their
 * kind refuse to run inside a function, and commit and start transactions of their own while they run. So the
 * parse and plan trees live in statement_context, not in the transaction's memory.
 */
void RunTopLevel(const char *sql)
{
	elog(LOG, "uuid7 migration %lld: %s", static_cast<long long>(migration_id), sql);
	debug_query_string = sql;
	pgstat_report_activity(STATE_RUNNING, sql);
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();

	MemoryContext old_context = MemoryContextSwitchTo(statement_context);
	List *parsetrees = pg_parse_query(sql);
	if (list_length(parsetrees) != 1)
		ereport(ERROR,
		        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		         errmsg("uuid7_online_step returned %d statements to run, expected one", list_length(parsetrees))));
	RawStmt *raw = linitial_node(RawStmt, parsetrees);

	bool snapshot_set = analyze_requires_snapshot(raw);
	if (snapshot_set)
		PushActiveSnapshot(GetTransactionSnapshot());
	List *queries = pg_analyze_and_rewrite_fixedparams(raw, sql, nullptr, 0, nullptr);
	List *plans = pg_plan_queries(queries, sql, CURSOR_OPT_PARALLEL_OK, nullptr);
	if (snapshot_set)
		PopActiveSnapshot();

	Portal portal = CreatePortal("", true, true);
	portal->visible = false;
	PortalDefineQuery(portal, nullptr, sql, CreateCommandTag(raw->stmt), plans, nullptr);
	PortalStart(portal, nullptr, 0, InvalidSnapshot);
	MemoryContextSwitchTo(old_context);

	QueryCompletion qc;
	InitializeQueryCompletion(&qc);
	(void)uuid7::pg::RunPortal(portal, None_Receiver, &qc);
	PortalDrop(portal, false);
	CommitTransactionCommand();

	debug_query_string = nullptr;
	(void)pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, nullptr);
}

/* Latch wake-ups are not all ours (a latch may already be set when the worker starts): sleep to a deadline. */
void Sleep(int wait_ms)
{
	const TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), wait_ms);
	for (;;)
	{
		const long remaining = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
		if (remaining <= 0)
			return;
		(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, remaining, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
	}
}

/* Runs steps until one says stop. Every error leaves by longjmp to the caller's PG_CATCH. */
void DriveMigration()
{
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(statement_context);
		Step step = RunStep();
		switch (step.action)
		{
		case Action::Continue:
			break;
		case Action::Sleep:
			Sleep(step.wait_ms);
			break;
		case Action::Run:
			RunTopLevel(step.statement);
			break;
		case Action::Stop:
			return;
		}
	}
}

/* Records the error through uuid7_online_fail in a transaction of its own; an error here only reaches the log. */
void ReportFailure(ErrorData *error)
{
	const char *sqlstate = unpack_sql_state(error->sqlerrcode);
	/* The state gets the message only: an error's detail can quote row values, which only the server log keeps. */
	const char *message = error->message;
	ereport(LOG, (errmsg("uuid7 migration %lld stopped on an error", static_cast<long long>(migration_id)),
	              errdetail("SQLSTATE %s: %s%s%s", sqlstate, message, error->detail != nullptr ? ": " : "",
	                        error->detail != nullptr ? error->detail : "")));

	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, fail_sql);
		Oid types[3] = {INT8OID, TEXTOID, TEXTOID};
		Datum values[3] = {Int64GetDatum(migration_id), CStringGetTextDatum(sqlstate), CStringGetTextDatum(message)};
		if (SPI_execute_with_args(fail_sql, 3, types, values, nullptr, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "uuid7_online_fail could not be called");
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		(void)pgstat_report_stat(true);
	}
	PG_CATCH();
	{
		EmitErrorReport();
		FlushErrorState();
		elog(LOG, "uuid7 migration %lld: could not record the failure", static_cast<long long>(migration_id));
		proc_exit(1); /* aborts the transaction on the way out */
	}
	PG_END_TRY();
}

} // namespace

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_online_launch);

	PGDLLEXPORT void uuid7_online_worker_main(Datum main_arg);

	/*
	 * uuid7_online_launch(migration_id bigint) RETURNS integer   (STRICT)
	 *
	 * Returns once the worker process exists and is counted against the caps (not once it has done anything). The
	 * worker runs in the current database as the role that started the migration, whoever calls this.
	 */
	Datum uuid7_online_launch(PG_FUNCTION_ARGS)
	{
		const int64 id = PG_GETARG_INT64(0);

		if (RecoveryInProgress())
			ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
			                errmsg("cannot start a uuid7 migration worker during recovery")));
		uuid7::pg::CheckLockableMigration(id);
		WorkerArgs args = {id, MyDatabaseId, CheckMayLaunch(id, fcinfo->flinfo->fn_oid)};

		/* The worker logs in as this role: refuse here, with a reason, what would otherwise kill it at start-up. */
		HeapTuple role = SearchSysCache1(AUTHOID, ObjectIdGetDatum(args.role));
		if (!HeapTupleIsValid(role))
			elog(ERROR, "cache lookup failed for role %u", args.role);
		const bool can_login = reinterpret_cast<Form_pg_authid>(GETSTRUCT(role))->rolcanlogin;
		ReleaseSysCache(role);
		if (!can_login)
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			         errmsg("role \"%s\" cannot run a uuid7 migration worker", GetUserNameFromId(args.role, false)),
			         errdetail("The worker logs in as the role that started the migration, which may not log in."),
			         errhint("Give that role LOGIN, or start the migration as a role with LOGIN.")));

		BackgroundWorker worker;
		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = BGW_NEVER_RESTART;
		strlcpy(worker.bgw_library_name, "uuid7", BGW_MAXLEN);
		strlcpy(worker.bgw_function_name, "uuid7_online_worker_main", BGW_MAXLEN);
		snprintf(worker.bgw_name, BGW_MAXLEN, "uuid7 migration %lld", static_cast<long long>(id));
		strlcpy(worker.bgw_type, uuid7::pg::kWorkerType, BGW_MAXLEN);
		worker.bgw_main_arg = (Datum)0;
		memcpy(worker.bgw_extra, &args, sizeof(args));
		worker.bgw_notify_pid = MyProcPid;

		/* Count and register under the launch lock: two launches cannot both take the last place under a cap. */
		uuid7::pg::BeginWorkerLaunch();
		uuid7::pg::CheckWorkerLimits(args.role, args.database);
		BackgroundWorkerHandle *handle;
		if (!RegisterDynamicBackgroundWorker(&worker, &handle))
			ereport(ERROR, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
			                errmsg("could not start the uuid7 migration worker"),
			                errhint("Raise max_worker_processes (it needs a free slot for each running migration).")));

		pid_t pid;
		switch (WaitForBackgroundWorkerStartup(handle, &pid))
		{
		case BGWH_STARTED:
			break;
		case BGWH_STOPPED:
			ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			                errmsg("the uuid7 migration worker for migration %lld exited before it was seen running",
			                       static_cast<long long>(id)),
			                errhint("The server log says why.")));
			break;
		case BGWH_POSTMASTER_DIED:
		default:
			ereport(ERROR, (errcode(ERRCODE_ADMIN_SHUTDOWN),
			                errmsg("could not start the uuid7 migration worker: the server is shutting down")));
			break;
		}
		uuid7::pg::WaitWorkerCounted(handle, pid);
		uuid7::pg::EndWorkerLaunch();
		PG_RETURN_INT32(pid);
	}

	/*
	 * Entry point of the worker process (bgw_function_name). Exits 0 when a step says stop or another worker holds
	 * the migration, 1 after a failure (reported through uuid7_online_fail).
	 */
	PGDLLEXPORT void uuid7_online_worker_main(Datum main_arg)
	{
		WorkerArgs args;
		memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));
		migration_id = args.migration_id;
		/* every statement of this process is the migration's own: the DDL guard lets them change its objects */
		uuid7::pg::PassGuardForProcess(migration_id);

		/* die() only sets a flag: the worker stops at its next CHECK_FOR_INTERRUPTS, wherever that is. */
		pqsignal(SIGTERM, die);
		pqsignal(SIGHUP, SignalHandlerForConfigReload);
		BackgroundWorkerUnblockSignals();
		BackgroundWorkerInitializeConnectionByOid(args.database, args.role, 0);
		pgstat_report_appname(MyBgworkerEntry->bgw_name);
		/* Index builds in this process alone: parallel workers would take more cores from the application. */
		SetConfigOption("max_parallel_maintenance_workers", "0", PGC_USERSET, PGC_S_SESSION);
		/*
		 * The statements it runs were written under search_path = pg_catalog, pg_temp (index expressions and predicates
		 * deparsed there): they run under the same, whatever the role's or database's setting says.
		 */
		SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION);

		statement_context =
		    AllocSetContextCreate(TopMemoryContext, "uuid7 migration statement", ALLOCSET_DEFAULT_SIZES);

		/*
		 * An error before the migration is attached cannot be reported through SQL: uncaught, the bgworker machinery
		 * logs it and the process exits 1.
		 */
		char *schema = Attach();
		if (schema == nullptr)
		{
			elog(LOG, "uuid7 migration %lld: another worker is running it; exiting",
			     static_cast<long long>(migration_id));
			proc_exit(0);
		}
		step_sql = MemoryContextStrdup(
		    TopMemoryContext, psprintf("SELECT action, statement, wait_ms FROM %s.uuid7_online_step($1)", schema));
		fail_sql = MemoryContextStrdup(TopMemoryContext, psprintf("SELECT %s.uuid7_online_fail($1, $2, $3)", schema));
		elog(LOG, "uuid7 migration %lld: worker started", static_cast<long long>(migration_id));

		ErrorData *error = nullptr;
		PG_TRY();
		{
			DriveMigration();
		}
		PG_CATCH();
		{
			/* Out of the failed transaction first, like PostgresMain's error recovery; the copy outlives it. */
			HOLD_INTERRUPTS();
			debug_query_string = nullptr;
			MemoryContextSwitchTo(TopMemoryContext);
			error = CopyErrorData();
			FlushErrorState();
			AbortCurrentTransaction();
			QueryCancelPending = false; /* a cancel that raised this error must not also cancel the report */
			RESUME_INTERRUPTS();
		}
		PG_END_TRY();

		if (error != nullptr)
		{
			ReportFailure(error);
			proc_exit(1);
		}
		elog(LOG, "uuid7 migration %lld: worker stopped", static_cast<long long>(migration_id));
		proc_exit(0);
	}

} // extern "C"
