/*
 * module.cpp — the module's identity and start-up: PG_MODULE_MAGIC and _PG_init.
 */
#include "pg/generator_state.hpp"
#include "pg/pg_compat.hpp"
#include "pg/worker_limits.hpp"

#include "pg/postgres_headers.hpp"

extern "C"
{
#include "miscadmin.h"

	UUID7_MODULE_MAGIC("uuid7", UUID7_VERSION);

	UUID7_DECLARE_PG_INIT

	/*
	 * Shared ordering state can only be reserved while shared_preload_libraries is processed; loaded later (by
	 * CREATE EXTENSION or a first call), the module orders per process. The worker caps (uuid7.max_workers...) are
	 * defined whenever the library is loaded: a launch always reads them.
	 */
	void _PG_init(void)
	{
		if (process_shared_preload_libraries_in_progress)
			uuid7::pg::RequestSharedOrdering();
		uuid7::pg::DefineWorkerLimits();
	}

} // extern "C"
