/*
 * restricted_exec.hpp — running one of the extension's own statements with less than the caller's rights.
 *
 * Core's maintenance commands (VACUUM, ANALYZE, CREATE INDEX, REFRESH MATERIALIZED VIEW) run a table owner's code as
 * that owner in a security-restricted operation, so that nobody who runs them lends it more rights (CVE-2022-1552).
 * The online migration and the state writers do the same: search_path pinned to pg_catalog, pg_temp (nothing a schema
 * owner planted is bound into the statement), optionally as another role in a security-restricted operation, and
 * optionally with session_replication_role = replica, under which user triggers and rules do not fire (only those
 * set ENABLE ALWAYS). The statement is text of this module or of the extension's own SQL, never a caller's.
 */
#pragma once

#include "pg/postgres_headers.hpp"

namespace uuid7::pg
{

/* The role that owns the relation (42P01 when there is none): whom the owner's code runs as. */
Oid TableOwner(Oid relid);

struct Restriction
{
	Oid role;     /* run as this role in a security-restricted operation; InvalidOid: as the current role */
	bool replica; /* session_replication_role = replica for the statement */
};

/* SPI_execute_with_args under the restriction; the caller has connected SPI. Returns SPI's result code. */
int ExecuteRestricted(Restriction how, const char *query, int nargs, Oid *types, Datum *values, const char *nulls,
                      bool read_only, long count);

/* Raises an internal error unless an SPI call returned expected. */
void RequireSpiResult(int rc, int expected);

/*
 * As the current role, with only search_path pinned: a check of what a caller gave that must resolve names exactly
 * as the write that follows it.
 */
int ExecuteWithPinnedPath(const char *query, int nargs, Oid *types, Datum *values, const char *nulls, bool read_only,
                          long count);

} // namespace uuid7::pg
