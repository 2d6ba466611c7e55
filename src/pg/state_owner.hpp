/*
 * state_owner.hpp — running a fixed statement on the extension's state tables as the role that owns them.
 *
 * No role but the owner may write the state tables (src/sql/state_tables.sql), and the sync trigger must read the
 * registry whatever rows the writer may see. The statements run this way are text of this module, never text a
 * caller gave; they run in a security-restricted operation (as core's maintenance commands run table owners' code),
 * with search_path pinned to pg_catalog, pg_temp, so that nothing a schema owner planted is bound into them.
 */
#pragma once

#include "pg/postgres_headers.hpp"

namespace uuid7::pg
{

/* The role that owns the extension's state tables (the owner of uuid7_online_migration in namespace_oid). */
Oid StateOwner(Oid namespace_oid);

/*
 * SPI_execute_with_args(query, ...) as StateOwner(namespace_oid); the caller has connected SPI. nulls as SPI takes
 * them (nullptr: none). Returns SPI's result code.
 */
int ExecuteAsStateOwner(Oid namespace_oid, const char *query, int nargs, Oid *types, Datum *values, const char *nulls,
                        bool read_only, long count);

} // namespace uuid7::pg
