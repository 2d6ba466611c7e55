/*
 * restricted_exec.cpp — running one of the extension's own statements with less than the caller's rights (see
 * restricted_exec.hpp).
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include "pg/restricted_exec.hpp"

extern "C"
{
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "utils/syscache.h"
#include "miscadmin.h"
#include "utils/guc.h"
}

namespace uuid7::pg
{

Oid TableOwner(Oid relid)
{
	HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("relation with OID %u does not exist", relid)));
	const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

int ExecuteRestricted(Restriction how, const char *query, int nargs, Oid *types, Datum *values, const char *nulls,
                      bool read_only, long count)
{
	Oid saved_user = InvalidOid;
	int saved_context = 0;
	GetUserIdAndSecContext(&saved_user, &saved_context);
	/* an error in between is cleaned up by the (sub)transaction's abort, which restores the role and the settings */
	const int guc_level = NewGUCNestLevel();
	(void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
	                        false);
	/* a superuser-only setting, set for the extension's own statement only: the caller's code cannot change it */
	if (how.replica)
		(void)set_config_option("session_replication_role", "replica", PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
		                        0, false);
	if (OidIsValid(how.role))
		SetUserIdAndSecContext(how.role, saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	const int rc = SPI_execute_with_args(query, nargs, types, values, nulls, read_only, count);
	if (OidIsValid(how.role))
		SetUserIdAndSecContext(saved_user, saved_context);
	AtEOXact_GUC(false, guc_level);
	return rc;
}

void RequireSpiResult(int rc, int expected)
{
	if (rc != expected)
		elog(ERROR, "SPI_execute_with_args failed: %s", SPI_result_code_string(rc));
}

int ExecuteWithPinnedPath(const char *query, int nargs, Oid *types, Datum *values, const char *nulls, bool read_only,
                          long count)
{
	return ExecuteRestricted({InvalidOid, false}, query, nargs, types, values, nulls, read_only, count);
}

} // namespace uuid7::pg
