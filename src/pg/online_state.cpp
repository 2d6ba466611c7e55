/*
 * online_state.cpp — the only way to write the extension's state tables:
 *
 *   uuid7_online_state_create(tables regclass[], options jsonb, plan_options jsonb) RETURNS bigint
 *       a new online migration of tables, started by the current role, which must own them; returns its id
 *   uuid7_online_state_insert(migration bigint, target text, rows jsonb) RETURNS bigint
 *       rows (a JSON array of objects, one key per column) added to a table of the migration's state
 *   uuid7_online_state_update(migration bigint, target text, changes jsonb, relid regclass, ord integer,
 *                             expect jsonb) RETURNS bigint
 *       the columns named in changes set on the migration's row (target uuid7_online_migration), on its row of one
 *       table (uuid7_online_table, relid; every table when NULL) or of one object (uuid7_online_object, ord); only
 *       rows that contain expect (when given); returns how many rows changed
 *   uuid7_online_state_lock(migration bigint) RETURNS boolean
 *       locks the migration's row until the transaction ends (FOR UPDATE); false when there is no such row
 *   uuid7_register_migrated(relid regclass, key_column name, old_type regtype, mapping_table regclass,
 *                           uuid_version integer, timestamp_column name) RETURNS void
 *       adds a migrated table to the registry, migrated by the current role, which must own it and its mapping table
 *   uuid7_online_home() RETURNS text
 *       where the state lives: the cluster's system identifier, the database's OID and the OID of the state table
 *       uuid7_online_migration. Each differs in a copy restored from pg_dump (into a new cluster, a new database, or
 *       the same one after pg_restore --clean), where heap page numbers and OIDs held in the state mean nothing
 *
 * No role is granted INSERT, UPDATE or DELETE on the state tables: none can lock them against the others, nor write
 * a value that the extension would later act on. Each function checks who calls — a migration is started by the
 * owner of its tables; every later write comes from a role that acts as its starter (online_locks.hpp) — and then
 * writes as the tables' owner (state_owner.hpp) with a statement fixed here: the caller gives values, never SQL, and
 * only to the columns listed below.
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include <cstring>

#include "pg/online_locks.hpp"
#include "pg/restricted_exec.hpp"
#include "pg/state_owner.hpp"

extern "C"
{
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
}

namespace
{

/* What a caller may write to one state table. Lists end with nullptr. */
struct StateTable
{
	const char *name;
	const char *const *insertable; /* columns a row may give (migration_id comes from the argument) */
	const char *const *updatable;  /* columns an update may change */
	const char *owned;             /* oid[] over the row r: relations the writer must own */
	const char *row_key;           /* which rows an update changes: $1 migration, $4 relid, $5 ord */
};

const char *const kMigrationUpdatable[] = {"phase",          "state",      "worker_pid",     "lock_attempts",
                                           "key_time_base",  "last_error", "updated_at",     "finished_at",
                                           "run_started_at", "home",       "created_schema", nullptr};
const char *const kTableInsertable[] = {"relid",    "ord",           "is_key",       "key_column",
                                        "old_type", "mapping_table", "uuid_version", nullptr};
const char *const kTableUpdatable[] = {"map_cursor", "map_batches",         "map_done",         "blocks_total",
                                       "next_block", "rows_total",          "rows_done",        "batches_since_vacuum",
                                       "vacuums",    "backfill_started_at", "backfill_done_at", "map_horizon",
                                       "map_wait",   "map_round_start",     "vacuumed_after",   nullptr};
const char *const kColumnInsertable[] = {"relid", "attname", "new_name", "source", nullptr};
const char *const kObjectInsertable[] = {"ord",      "kind",     "relid",  "old_name", "contype", "deferrable_clause",
                                         "new_name", "validate", "source", nullptr};
const char *const kObjectUpdatable[] = {"done", "source", nullptr};
const char *const kNone[] = {nullptr};

const StateTable kStateTables[] = {
    {"uuid7_online_migration", kNone, kMigrationUpdatable, nullptr, "s.id OPERATOR(pg_catalog.=) $1"},
    {"uuid7_online_table", kTableInsertable, kTableUpdatable,
     "ARRAY[r.relid::pg_catalog.oid, r.mapping_table::pg_catalog.oid]",
     "s.migration_id OPERATOR(pg_catalog.=) $1 AND ($4 IS NULL OR s.relid::pg_catalog.oid OPERATOR(pg_catalog.=) $4)"},
    {"uuid7_online_column", kColumnInsertable, kNone, "ARRAY[r.relid::pg_catalog.oid, r.source::pg_catalog.oid]",
     nullptr},
    {"uuid7_online_object", kObjectInsertable, kObjectUpdatable, "ARRAY[r.relid::pg_catalog.oid]",
     "s.migration_id OPERATOR(pg_catalog.=) $1 AND s.ord OPERATOR(pg_catalog.=) $5"},
};

const StateTable &FindStateTable(const char *name)
{
	for (const StateTable &table : kStateTables)
		if (strcmp(table.name, name) == 0)
			return table;
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("\"%s\" is not a state table of uuid7", name)));
	pg_unreachable();
}

bool Listed(const char *const *list, const char *column)
{
	for (; *list != nullptr; list++)
		if (strcmp(*list, column) == 0)
			return true;
	return false;
}

/* "s" or "r." followed by each column, comma-separated, quoted */
char *ColumnList(const char *const *columns, const char *prefix)
{
	StringInfoData list;
	initStringInfo(&list);
	for (const char *const *c = columns; *c != nullptr; c++)
		appendStringInfo(&list, "%s%s%s", c == columns ? "" : ", ", prefix, quote_identifier(*c));
	return list.data;
}

/*
 * The keys of a JSON object, or of every object of a JSON array, each checked against allowed: 42703 for any other.
 * Returns them as a nullptr-terminated list (distinct, in the order of the first row).
 */
const char **CheckedKeys(Jsonb *value, const char *const *allowed, const StateTable &table)
{
	Oid types[1] = {JSONBOID};
	Datum values[1] = {JsonbPGetDatum(value)};
	const int rc = SPI_execute_with_args("SELECT k FROM (SELECT CASE pg_catalog.jsonb_typeof($1) WHEN 'array' THEN $1 "
	                                     "ELSE pg_catalog.jsonb_build_array($1)"
	                                     " END) AS a(v), pg_catalog.jsonb_array_elements(a.v) WITH ORDINALITY AS e(o, "
	                                     "n), pg_catalog.jsonb_object_keys(e.o) "
	                                     "AS k GROUP BY k ORDER BY pg_catalog.min(e.n), k",
	                                     1, types, values, nullptr, true, 0);
	uuid7::pg::RequireSpiResult(rc, SPI_OK_SELECT);
	const char **keys = static_cast<const char **>(palloc0(sizeof(char *) * (SPI_processed + 1)));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char *key = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		if (!Listed(allowed, key))
			ereport(ERROR,
			        (errcode(ERRCODE_UNDEFINED_COLUMN),
			         errmsg("column \"%s\" of \"%s\" cannot be written", key, table.name),
			         errdetail("The extension's functions write only the columns that hold a migration's progress.")));
		keys[i] = key;
	}
	return keys;
}

/* The current role's name, as the state stores who started or migrated something. */
Datum CurrentRoleName()
{
	return DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
}

/* Raises 42501 unless the current role owns (through its roles) every relation the rows name (owned over r). */
void RequireOwnsRows(Oid namespace_oid, const StateTable &table, Jsonb *rows)
{
	const char *query = psprintf("SELECT pg_catalog.bool_and(%s.uuid7_owns_all(%s)) FROM "
	                             "pg_catalog.jsonb_populate_recordset(NULL::%s.%s, $1) AS r",
	                             quote_identifier(get_namespace_name(namespace_oid)), table.owned,
	                             uuid7::pg::StateSchemaName(namespace_oid), quote_identifier(table.name));
	Oid types[1] = {JSONBOID};
	Datum values[1] = {JsonbPGetDatum(rows)};
	const int rc = uuid7::pg::ExecuteWithPinnedPath(query, 1, types, values, nullptr, true, 1);
	uuid7::pg::RequireSpiResult(rc, SPI_OK_SELECT);
	bool is_null = true;
	const Datum owns = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null);
	if (!is_null && !DatumGetBool(owns))
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		                errmsg("permission denied to record a table of an online migration"),
		                errdetail("Only the owner of a table may migrate it.")));
}

/* Raises 42501 unless the current role owns (through its roles) the relation. */
void RequireOwns(Oid relid)
{
	if (!has_privs_of_role(GetUserId(), uuid7::pg::TableOwner(relid)))
		ereport(ERROR,
		        (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("must be owner of table %s", get_rel_name(relid))));
}

/* The extension's schema (the function's own), and a check that the caller acts as the migration's starter. */
Oid SchemaOfActingStarter(FunctionCallInfo fcinfo, int64 migration, const char *action)
{
	const Oid namespace_oid = get_func_namespace(fcinfo->flinfo->fn_oid);
	uuid7::pg::RequireActsAsStarter(uuid7::pg::ReadMigrationAccess(namespace_oid, migration), migration, action);
	return namespace_oid;
}

/* The schema of the state tables, quoted (uuid7_state since 2.0). */
const char *SchemaName(Oid namespace_oid)
{
	return uuid7::pg::StateSchemaName(namespace_oid);
}

} // namespace

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_online_state_create);
	PG_FUNCTION_INFO_V1(uuid7_online_state_insert);
	PG_FUNCTION_INFO_V1(uuid7_online_state_update);
	PG_FUNCTION_INFO_V1(uuid7_online_state_lock);
	PG_FUNCTION_INFO_V1(uuid7_register_migrated);
	PG_FUNCTION_INFO_V1(uuid7_online_home);

	/* uuid7_online_state_create(tables regclass[], options jsonb, plan_options jsonb) RETURNS bigint   (STRICT) */
	Datum uuid7_online_state_create(PG_FUNCTION_ARGS)
	{
		ArrayType *tables = PG_GETARG_ARRAYTYPE_P(0);
		Datum *oids = nullptr;
		bool *oid_nulls = nullptr;
		int n = 0;
		deconstruct_array(tables, REGCLASSOID, sizeof(Oid), true, TYPALIGN_INT, &oids, &oid_nulls, &n);
		if (n == 0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("an online migration needs a table")));
		for (int i = 0; i < n; i++)
		{
			if (oid_nulls[i])
				ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("the tables may not contain NULL")));
			RequireOwns(DatumGetObjectId(oids[i]));
		}
		const Oid namespace_oid = get_func_namespace(fcinfo->flinfo->fn_oid);
		const char *query = psprintf("INSERT INTO %s.uuid7_online_migration (tables, options, plan_options, started_by,"
		                             " starter) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		                             SchemaName(namespace_oid));
		Oid types[5] = {REGCLASSARRAYOID, JSONBOID, JSONBOID, NAMEOID, OIDOID};
		Datum values[5] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2), CurrentRoleName(),
		                   ObjectIdGetDatum(GetUserId())};
		SPI_connect();
		const int rc = uuid7::pg::ExecuteAsStateOwner(namespace_oid, query, 5, types, values, nullptr, false, 0);
		if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
			elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
		bool is_null = true;
		const int64 id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null));
		SPI_finish();
		PG_RETURN_INT64(id);
	}

	/* uuid7_online_state_insert(migration bigint, target text, rows jsonb) RETURNS bigint   (STRICT) */
	Datum uuid7_online_state_insert(PG_FUNCTION_ARGS)
	{
		const int64 migration = PG_GETARG_INT64(0);
		const StateTable &table = FindStateTable(text_to_cstring(PG_GETARG_TEXT_PP(1)));
		Jsonb *rows = PG_GETARG_JSONB_P(2);
		const Oid namespace_oid = SchemaOfActingStarter(fcinfo, migration, "record");
		const char *schema = SchemaName(namespace_oid);

		SPI_connect();
		const char **keys = CheckedKeys(rows, table.insertable, table);
		if (keys[0] == nullptr)
		{
			SPI_finish();
			PG_RETURN_INT64(0);
		}
		RequireOwnsRows(namespace_oid, table, rows);
		const char *query = psprintf("INSERT INTO %s.%s AS s (migration_id, %s) SELECT $1, %s FROM "
		                             "pg_catalog.jsonb_populate_recordset(NULL::%s.%s, $2) AS r ON CONFLICT DO NOTHING",
		                             schema, quote_identifier(table.name), ColumnList(keys, ""), ColumnList(keys, "r."),
		                             schema, quote_identifier(table.name));
		Oid types[2] = {INT8OID, JSONBOID};
		Datum values[2] = {Int64GetDatum(migration), JsonbPGetDatum(rows)};
		const int rc = uuid7::pg::ExecuteAsStateOwner(namespace_oid, query, 2, types, values, nullptr, false, 0);
		uuid7::pg::RequireSpiResult(rc, SPI_OK_INSERT);
		const uint64 inserted = SPI_processed;
		SPI_finish();
		PG_RETURN_INT64(static_cast<int64>(inserted));
	}

	/*
	 * uuid7_online_state_update(migration bigint, target text, changes jsonb, relid regclass DEFAULT NULL,
	 *                           ord integer DEFAULT NULL, expect jsonb DEFAULT NULL) RETURNS bigint
	 *
	 * Not STRICT (relid, ord and expect may be NULL); NULL migration, target or changes: 22004. The columns not named
	 * in changes keep their values (jsonb_populate_record over the row itself); a JSON null sets NULL.
	 */
	Datum uuid7_online_state_update(PG_FUNCTION_ARGS)
	{
		if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
			ereport(ERROR,
			        (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("migration, target and changes may not be NULL")));
		const int64 migration = PG_GETARG_INT64(0);
		const StateTable &table = FindStateTable(text_to_cstring(PG_GETARG_TEXT_PP(1)));
		if (table.row_key == nullptr || table.updatable[0] == nullptr)
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("rows of \"%s\" are never changed", table.name)));
		if (strcmp(table.name, "uuid7_online_object") == 0 && PG_ARGISNULL(4))
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("an object is named by its ord")));
		Jsonb *changes = PG_GETARG_JSONB_P(2);
		const Oid namespace_oid = SchemaOfActingStarter(fcinfo, migration, "record the progress of");
		const char *schema = SchemaName(namespace_oid);

		SPI_connect();
		(void)CheckedKeys(changes, table.updatable, table);
		const char *query =
		    psprintf("UPDATE %s.%s AS s SET (%s) = (SELECT %s FROM pg_catalog.jsonb_populate_record(s, $2) AS r)"
		             " WHERE %s AND ($3 IS NULL OR pg_catalog.to_jsonb(s) OPERATOR(pg_catalog.@>) $3)",
		             schema, quote_identifier(table.name), ColumnList(table.updatable, ""),
		             ColumnList(table.updatable, "r."), table.row_key);
		Oid types[5] = {INT8OID, JSONBOID, JSONBOID, OIDOID, INT4OID};
		Datum values[5] = {Int64GetDatum(migration), JsonbPGetDatum(changes), PG_GETARG_DATUM(5), PG_GETARG_DATUM(3),
		                   PG_GETARG_DATUM(4)};
		char nulls[6] = {
		    ' ', ' ', PG_ARGISNULL(5) ? 'n' : ' ', PG_ARGISNULL(3) ? 'n' : ' ', PG_ARGISNULL(4) ? 'n' : ' ', '\0'};
		const int rc = uuid7::pg::ExecuteAsStateOwner(namespace_oid, query, 5, types, values, nulls, false, 0);
		uuid7::pg::RequireSpiResult(rc, SPI_OK_UPDATE);
		const uint64 updated = SPI_processed;
		SPI_finish();
		PG_RETURN_INT64(static_cast<int64>(updated));
	}

	/* uuid7_online_state_lock(migration bigint) RETURNS boolean   (STRICT) */
	Datum uuid7_online_state_lock(PG_FUNCTION_ARGS)
	{
		const int64 migration = PG_GETARG_INT64(0);
		const Oid namespace_oid = get_func_namespace(fcinfo->flinfo->fn_oid);
		const uuid7::pg::MigrationAccess access = uuid7::pg::ReadMigrationAccess(namespace_oid, migration);
		if (!access.visible)
			PG_RETURN_BOOL(false);
		uuid7::pg::RequireActsAsStarter(access, migration, "lock");
		const char *query =
		    psprintf("SELECT 1 FROM %s.uuid7_online_migration AS s WHERE s.id OPERATOR(pg_catalog.=) $1 "
		             "FOR UPDATE",
		             SchemaName(namespace_oid));
		Oid types[1] = {INT8OID};
		Datum values[1] = {Int64GetDatum(migration)};
		SPI_connect();
		const int rc = uuid7::pg::ExecuteAsStateOwner(namespace_oid, query, 1, types, values, nullptr, false, 0);
		uuid7::pg::RequireSpiResult(rc, SPI_OK_SELECT);
		const bool found = SPI_processed == 1;
		SPI_finish();
		PG_RETURN_BOOL(found);
	}

	/*
	 * uuid7_register_migrated(relid regclass, key_column name, old_type regtype, mapping_table regclass,
	 *                         uuid_version integer, timestamp_column name) RETURNS void
	 *
	 * Not STRICT: timestamp_column may be NULL; any other NULL: 22004. A table registered already: 23505.
	 */
	Datum uuid7_register_migrated(PG_FUNCTION_ARGS)
	{
		for (int i = 0; i < 5; i++)
			if (PG_ARGISNULL(i))
				ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				                errmsg("only the timestamp column of a migrated table may be NULL")));
		RequireOwns(PG_GETARG_OID(0));
		RequireOwns(PG_GETARG_OID(3));
		const Oid namespace_oid = get_func_namespace(fcinfo->flinfo->fn_oid);
		const char *query =
		    psprintf("INSERT INTO %s.uuid7_migrated_table (relid, key_column, old_type, mapping_table,"
		             " uuid_version, timestamp_column, migrated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		             SchemaName(namespace_oid));
		Oid types[7] = {REGCLASSOID, NAMEOID, REGTYPEOID, REGCLASSOID, INT4OID, NAMEOID, NAMEOID};
		Datum values[7] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1),
		                   PG_GETARG_DATUM(2), PG_GETARG_DATUM(3),
		                   PG_GETARG_DATUM(4), PG_ARGISNULL(5) ? static_cast<Datum>(0) : PG_GETARG_DATUM(5),
		                   CurrentRoleName()};
		char nulls[8] = {' ', ' ', ' ', ' ', ' ', PG_ARGISNULL(5) ? 'n' : ' ', ' ', '\0'};
		SPI_connect();
		const int rc = uuid7::pg::ExecuteAsStateOwner(namespace_oid, query, 7, types, values, nulls, false, 0);
		uuid7::pg::RequireSpiResult(rc, SPI_OK_INSERT);
		SPI_finish();
		PG_RETURN_VOID();
	}

	/* uuid7_online_home() RETURNS text */
	Datum uuid7_online_home(PG_FUNCTION_ARGS)
	{
		const Oid class_oid = uuid7::pg::MigrationClassOid(get_func_namespace(fcinfo->flinfo->fn_oid));
		PG_RETURN_TEXT_P(
		    cstring_to_text(psprintf(UINT64_FORMAT "/%u/%u", GetSystemIdentifier(), MyDatabaseId, class_oid)));
	}
}
