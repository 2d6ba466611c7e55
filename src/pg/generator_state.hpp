/*
 * generator_state.hpp — where generated uuids get their time and their random bits.
 *
 * Ordering state lives in shared memory when the library is preloaded (shared_preload_libraries): then every
 * backend of the cluster advances one pair of atomics and uuids are strictly increasing cluster-wide. Otherwise
 * each process keeps its own state and uuids are strictly increasing within that process.
 * Random bits come from a per-process block of pg_strong_random output (core/random_pool).
 */
#pragma once

#include <cstdint>

#include "pg/postgres_headers.hpp"

namespace uuid7::pg
{

/* From _PG_init while preloading: reserve and attach the shared ordering state. */
void RequestSharedOrdering();
/* True when this process orders against the whole cluster. */
bool OrderingIsClusterWide();

/* The next v7 instant (ns since the Unix epoch), strictly after every earlier one in the ordering scope. */
uint64 NextV7InstantNs();
/* The next v6 instant (100-ns Gregorian ticks), likewise. */
uint64 NextV6Tick();

/* 64 bits from the CSPRNG; raises an ERROR if the CSPRNG fails. */
uint64 RandomU64();

/* The next uuid of each version, written to out (16 bytes): what uuid_generate_v7() / uuid_generate_v6() return. */
void WriteNextV7(uint8 *out);
void WriteNextV6(uint8 *out);

} // namespace uuid7::pg
