/*
 * online_backfill.cpp — one batch of the online migration's backfill:
 *
 *   uuid7_online_backfill_batch(migration bigint, rel regclass, from_block bigint, to_block bigint) RETURNS bigint
 *       runs the statements uuid7_online_backfill_sql gives for the batch; returns the rows written
 *
 * The backfill is the migration's own write to every row of another role's table. Run as the migrating role, it
 * would lend that role's rights to the table owner's code it sets off, and show the application a change to every
 * row. So the keys are mapped and the new values read as the migrating role (the caller, which must act as the
 * starter: the mapping tables are its own), and only the write of the twin columns runs as the table's owner, in a
 * security-restricted operation (as CREATE INDEX and VACUUM run the owner's code), with session_replication_role =
 * replica: the table's triggers and rules do not fire for it (those set ENABLE ALWAYS excepted); its CHECK
 * constraints, index expressions and generated columns run as its owner. The write changes twin columns only, which
 * no foreign key covers yet, so replica mode skips no check the write needs.
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include "pg/online_locks.hpp"
#include "pg/restricted_exec.hpp"

extern "C"
{
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/lsyscache.h"
}

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid7_online_backfill_batch);

	/* uuid7_online_backfill_batch(migration bigint, rel regclass, from_block bigint, to_block bigint) RETURNS bigint */
	Datum uuid7_online_backfill_batch(PG_FUNCTION_ARGS)
	{
		const int64 migration = PG_GETARG_INT64(0);
		const Oid rel = PG_GETARG_OID(1);
		const Oid namespace_oid = get_func_namespace(fcinfo->flinfo->fn_oid);
		uuid7::pg::RequireActsAsStarter(uuid7::pg::ReadMigrationAccess(namespace_oid, migration), migration,
		                                "backfill");
		const uuid7::pg::Restriction as_caller = {InvalidOid, false};
		const uuid7::pg::Restriction as_owner_quiet = {uuid7::pg::TableOwner(rel), true};

		SPI_connect();
		const char *builder =
		    psprintf("SELECT map_keys, read_twins, write_twins FROM %s.uuid7_online_backfill_sql($1, $2, $3, $4)",
		             quote_identifier(get_namespace_name(namespace_oid)));
		Oid builder_types[4] = {INT8OID, REGCLASSOID, INT8OID, INT8OID};
		Datum builder_values[4] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2), PG_GETARG_DATUM(3)};
		uuid7::pg::RequireSpiResult(
		    uuid7::pg::ExecuteRestricted(as_caller, builder, 4, builder_types, builder_values, nullptr, true, 1),
		    SPI_OK_SELECT);
		if (SPI_processed != 1)
			elog(ERROR, "uuid7_online_backfill_sql returned %llu rows", static_cast<unsigned long long>(SPI_processed));
		/* SPI_getvalue copies into the procedure's context: they outlive the next statements' results */
		const char *map_keys = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		const char *read_twins = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
		const char *write_twins = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
		if (read_twins == nullptr || write_twins == nullptr)
			elog(ERROR, "uuid7_online_backfill_sql returned no statement");

		if (map_keys != nullptr)
			uuid7::pg::RequireSpiResult(
			    uuid7::pg::ExecuteRestricted(as_caller, map_keys, 0, nullptr, nullptr, nullptr, false, 0),
			    SPI_OK_INSERT);

		uuid7::pg::RequireSpiResult(
		    uuid7::pg::ExecuteRestricted(as_caller, read_twins, 0, nullptr, nullptr, nullptr, false, 1), SPI_OK_SELECT);
		const TupleDesc desc = SPI_tuptable->tupdesc;
		const int nargs = desc->natts;
		Oid *types = static_cast<Oid *>(palloc(sizeof(Oid) * nargs));
		Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * nargs));
		bool no_rows = false;
		for (int i = 0; i < nargs; i++)
		{
			bool is_null = true;
			types[i] = SPI_gettypeid(desc, i + 1);
			/* copied out of the result, which the next statement frees */
			const Datum value = SPI_getbinval(SPI_tuptable->vals[0], desc, i + 1, &is_null);
			values[i] = is_null ? static_cast<Datum>(0) : SPI_datumTransfer(value, false, -1);
			no_rows = no_rows || is_null;
		}
		uint64 written = 0;
		if (!no_rows)
		{
			uuid7::pg::RequireSpiResult(
			    uuid7::pg::ExecuteRestricted(as_owner_quiet, write_twins, nargs, types, values, nullptr, false, 0),
			    SPI_OK_UPDATE);
			written = SPI_processed;
		}
		SPI_finish();
		PG_RETURN_INT64(static_cast<int64>(written));
	}
}
