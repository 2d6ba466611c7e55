/*
 * state_owner.cpp — running a fixed statement on the state tables as their owner (see state_owner.hpp).
 *
 * PG regime throughout: no C++ object with a destructor lives in these frames.
 */
#include "pg/state_owner.hpp"
#include "pg/online_locks.hpp"
#include "pg/restricted_exec.hpp"

namespace uuid7::pg
{

Oid StateOwner(Oid namespace_oid)
{
	return TableOwner(MigrationClassOid(namespace_oid));
}

int ExecuteAsStateOwner(Oid namespace_oid, const char *query, int nargs, Oid *types, Datum *values, const char *nulls,
                        bool read_only, long count)
{
	return ExecuteRestricted({StateOwner(namespace_oid), false}, query, nargs, types, values, nulls, read_only, count);
}

} // namespace uuid7::pg
