/*
 * online_guard.hpp — the DDL guard's pass: which online migration's own DDL this process is running (see
 * online_guard.cpp).
 */
#pragma once

#include "pg/postgres_headers.hpp"

namespace uuid7::pg
{

/*
 * The guard lets this process change the objects of the migration for as long as it lives: called by the migration's
 * worker, every statement of which is the migration's own.
 */
void PassGuardForProcess(int64 migration_id);

} // namespace uuid7::pg
