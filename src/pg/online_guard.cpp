/*
 * online_guard.cpp — the DDL guard of the online migration (the event triggers of src/sql/online_guard.sql):
 *
 *   uuid7_online_ddl_guard() RETURNS event_trigger
 *       on ddl_command_start (CREATE INDEX only), ddl_command_end and sql_drop: asks
 *       uuid7_online_guard_violation() whether the DDL being run strands an active online migration, and refuses it
 *       (55006, naming the migration, with a hint to finish or abort it) when it does
 *   uuid7_online_guard_pass(migration bigint) RETURNS void
 *       lets the rest of the current transaction change the objects of that migration (finish and abort call it);
 *       the caller must act as the migration's starter
 *
 * The question is asked as the owner of the state tables: a role doing DDL on a table may not see the migration that
 * holds it under the state's row security (it may own a new table that references the key, say). The SQL runs in a
 * security-restricted operation with search_path pinned, as every statement this module runs for someone else.
 *
 * The pass. The migration's own DDL must get through: the worker's (the whole process is the migration's: it passes
 * for its life, PassGuardForProcess), and that of finish and abort (for the rest of their transaction, recognised by
 * the backend's local transaction id). It is backend memory, not a setting: nothing but this module's C code can set
 * it, and uuid7_online_guard_pass() lets only a role acting as the migration's starter set it, for that migration's
 * objects only. Such a role can call it itself and then run DDL the guard would refuse — it can only strand its own
 * migration, which it may abort anyway; the objects of every other migration stay guarded. (A superuser can also
 * disable event triggers outright.)
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include "pg/online_guard.hpp"
#include "pg/online_locks.hpp"
#include "pg/pg_compat.hpp"
#include "pg/restricted_exec.hpp"
#include "pg/state_owner.hpp"

extern "C"
{
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "nodes/parsenodes.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
}

namespace
{

/* The migration whose own DDL this backend runs (0: none), and until when. Plain data: nothing runs at load time. */
int64 pass_migration = 0;
bool pass_for_process = false;
LocalTransactionId pass_transaction = InvalidLocalTransactionId;

int64 PassedMigration()
{
	if (pass_migration != 0 && (pass_for_process || pass_transaction == uuid7::pg::CurrentLocalXid()))
		return pass_migration;
	return 0;
}

/* Adds the last name of every column reference under node to the List * that context points to. */
bool CollectColumnNames(Node *node, void *context)
{
	if (node == nullptr)
		return false;
	if (IsA(node, ColumnRef))
	{
		Node *last = static_cast<Node *>(llast(castNode(ColumnRef, node)->fields));
		if (IsA(last, String))
		{
			List **names = static_cast<List **>(context);
			*names = lappend(*names, strVal(last));
		}
		return false;
	}
	return uuid7::pg::WalkRawTree(node, CollectColumnNames, context);
}

/* The names of the columns a CREATE INDEX mentions (key, INCLUDE, expressions, predicate), as a text[] datum. */
Datum IndexColumnNames(IndexStmt *stmt)
{
	List *names = NIL;
	List *params = list_concat_copy(stmt->indexParams, stmt->indexIncludingParams);
	ListCell *cell = nullptr;
	foreach (cell, params)
	{
		IndexElem *elem = lfirst_node(IndexElem, cell);
		if (elem->name != nullptr)
			names = lappend(names, elem->name);
		else
			(void)CollectColumnNames(elem->expr, &names);
	}
	(void)CollectColumnNames(stmt->whereClause, &names);

	Datum *texts = static_cast<Datum *>(palloc(sizeof(Datum) * (list_length(names) + 1)));
	int n = 0;
	foreach (cell, names)
		texts[n++] = CStringGetTextDatum(static_cast<char *>(lfirst(cell)));
	return PointerGetDatum(construct_array(texts, n, TEXTOID, -1, false, TYPALIGN_INT));
}

} // namespace

namespace uuid7::pg
{

void PassGuardForProcess(int64 migration_id)
{
	pass_migration = migration_id;
	pass_for_process = true;
}

} // namespace uuid7::pg

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_online_ddl_guard);
	PG_FUNCTION_INFO_V1(uuid7_online_guard_pass);

	/* uuid7_online_ddl_guard() RETURNS event_trigger */
	Datum uuid7_online_ddl_guard(PG_FUNCTION_ARGS)
	{
		if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
			ereport(ERROR, (errcode(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED),
			                errmsg("uuid7_online_ddl_guard() must be called as an event trigger")));
		EventTriggerData *data = reinterpret_cast<EventTriggerData *>(fcinfo->context);
		const Oid namespace_oid = get_func_namespace(fcinfo->flinfo->fn_oid);
		/* DROP EXTENSION: the state goes with it, and there is nothing left to guard */
		if (!OidIsValid(namespace_oid) ||
		    !OidIsValid(get_relname_relid("uuid7_online_migration", uuid7::pg::StateNamespace(namespace_oid))))
			PG_RETURN_VOID();

		Oid types[4] = {TEXTOID, INT8OID, OIDOID, TEXTARRAYOID};
		Datum values[4] = {CStringGetTextDatum(data->event), Int64GetDatum(PassedMigration()), 0, 0};
		char nulls[5] = {' ', ' ', 'n', 'n', '\0'};
		if (strcmp(data->event, "ddl_command_start") == 0)
		{
			/* only CREATE INDEX is asked about before it runs (its event trigger's WHEN TAG) */
			if (data->parsetree == nullptr || !IsA(data->parsetree, IndexStmt))
				PG_RETURN_VOID();
			IndexStmt *stmt = castNode(IndexStmt, data->parsetree);
			/* resolved as the command will resolve it; a table that does not exist is the command's error */
			const Oid table = RangeVarGetRelid(stmt->relation, NoLock, true);
			if (!OidIsValid(table))
				PG_RETURN_VOID();
			values[2] = ObjectIdGetDatum(table);
			values[3] = IndexColumnNames(stmt);
			nulls[2] = nulls[3] = ' ';
		}
		if (PassedMigration() == 0)
			nulls[1] = 'n';

		const char *query = psprintf("SELECT migration_id, message, detail, hint FROM "
		                             "%s.uuid7_online_guard_violation($1, $2, $3, $4)",
		                             quote_identifier(get_namespace_name(namespace_oid)));
		SPI_connect();
		/* not read-only: the catalog must be read as the command left it, through a new snapshot */
		const int rc = uuid7::pg::ExecuteAsStateOwner(namespace_oid, query, 4, types, values, nulls, false, 1);
		uuid7::pg::RequireSpiResult(rc, SPI_OK_SELECT);
		if (SPI_processed == 1)
		{
			/* the abort of the transaction cleans up SPI */
			const char *message = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
			const char *detail = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
			const char *hint = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);
			ereport(ERROR, (errcode(ERRCODE_OBJECT_IN_USE), errmsg("%s", message),
			                detail != nullptr ? errdetail("%s", detail) : 0, hint != nullptr ? errhint("%s", hint) : 0));
		}
		SPI_finish();
		PG_RETURN_VOID();
	}

	/* uuid7_online_guard_pass(migration bigint) RETURNS void   (STRICT) */
	Datum uuid7_online_guard_pass(PG_FUNCTION_ARGS)
	{
		const int64 migration = PG_GETARG_INT64(0);
		const Oid namespace_oid = get_func_namespace(fcinfo->flinfo->fn_oid);
		uuid7::pg::RequireActsAsStarter(uuid7::pg::ReadMigrationAccess(namespace_oid, migration), migration,
		                                "run the DDL of");
		if (!pass_for_process)
		{
			pass_migration = migration;
			pass_transaction = uuid7::pg::CurrentLocalXid();
		}
		PG_RETURN_VOID();
	}
}
