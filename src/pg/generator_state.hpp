/*
 * generator_state.hpp — where generated uuids get their time and their random bits.
 *
 * Ordering state lives in shared memory when the library is preloaded (shared_preload_libraries): then every
 * backend of the cluster advances one pair of atomics and uuids are strictly increasing cluster-wide. Otherwise
 * each process keeps its own state and uuids are strictly increasing within that process. Either way the embedded
 * time never runs more than 1 ms ahead of the clock (core/ordering.hpp): a burst spends counter bits, and when
 * those are used up the caller waits for the clock instead.
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

/* The next v7 position (core/ordering.hpp), strictly after every earlier one in the ordering scope. */
uint64 NextV7Position();
/* The next v6 position, likewise. */
uint64 NextV6Position();
/*
 * The instant of the next v7 position (ns since the Unix epoch: its millisecond and the start of its rand_a
 * fraction) and the tick of the next v6 position: for callers that order by themselves (migration keys). Two
 * calls may return the same value; neither is ever more than 1 ms ahead of the clock.
 */
uint64 NextV7InstantNs();
uint64 NextV6Tick();

/* 64 bits from the CSPRNG; raises an ERROR if the CSPRNG fails. */
uint64 RandomU64();

/* The next uuid of each version, written to out (16 bytes): what uuid_generate_v7() / uuid_generate_v6() return. */
void WriteNextV7(uint8 *out);
void WriteNextV6(uint8 *out);

} // namespace uuid7::pg
