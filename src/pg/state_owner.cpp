/*
 * state_owner.cpp — running a fixed statement on the state tables as their owner (see state_owner.hpp).
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include "pg/state_owner.hpp"
#include "pg/online_locks.hpp"

extern "C"
{
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/syscache.h"
}

namespace uuid7::pg
{

Oid StateOwner(Oid namespace_oid)
{
	const Oid state_table = MigrationClassOid(namespace_oid);
	HeapTuple state_class = SearchSysCache1(RELOID, ObjectIdGetDatum(state_table));
	if (!HeapTupleIsValid(state_class))
		elog(ERROR, "cache lookup failed for relation %u", state_table);
	const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(state_class))->relowner;
	ReleaseSysCache(state_class);
	return owner;
}

namespace
{

/* SPI_execute_with_args as run_as (InvalidOid: the current role) with search_path pinned. */
int ExecutePinned(Oid run_as, const char *query, int nargs, Oid *types, Datum *values, const char *nulls,
                  bool read_only, long count)
{
	Oid saved_user = InvalidOid;
	int saved_context = 0;
	GetUserIdAndSecContext(&saved_user, &saved_context);
	/* an error in between is cleaned up by the (sub)transaction's abort, which restores both */
	const int guc_level = NewGUCNestLevel();
	(void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
	                        false);
	if (OidIsValid(run_as))
		SetUserIdAndSecContext(run_as, saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	const int rc = SPI_execute_with_args(query, nargs, types, values, nulls, read_only, count);
	if (OidIsValid(run_as))
		SetUserIdAndSecContext(saved_user, saved_context);
	AtEOXact_GUC(false, guc_level);
	return rc;
}

} // namespace

int ExecuteAsStateOwner(Oid namespace_oid, const char *query, int nargs, Oid *types, Datum *values, const char *nulls,
                        bool read_only, long count)
{
	return ExecutePinned(StateOwner(namespace_oid), query, nargs, types, values, nulls, read_only, count);
}

int ExecuteWithPinnedPath(const char *query, int nargs, Oid *types, Datum *values, const char *nulls, bool read_only,
                          long count)
{
	return ExecutePinned(InvalidOid, query, nargs, types, values, nulls, read_only, count);
}

} // namespace uuid7::pg
