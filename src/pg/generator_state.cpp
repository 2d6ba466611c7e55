/*
 * generator_state.cpp — the clock, the ordering state (per process or in shared memory) and the random source.
 */
#include "pg/generator_state.hpp"

#include "core/ordering.hpp"
#include "core/random_pool.hpp"
#include "core/uuid_layout.hpp"

#include <ctime>

#include "pg/postgres_headers.hpp"

extern "C"
{
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
}

namespace uuid7::pg
{
namespace
{

struct SharedOrdering
{
	pg_atomic_uint64 last_v7_ns;
	pg_atomic_uint64 last_v6_tick;
};

/* Plain pointers and integers: constant-initialised, nothing runs when the library is loaded. */
SharedOrdering *shared_ordering = nullptr;
uint64 session_last_v7_ns = 0;
uint64 session_last_v6_tick = 0;
RandomPool random_pool;

shmem_startup_hook_type previous_shmem_startup_hook = nullptr;
shmem_request_hook_type previous_shmem_request_hook = nullptr;

constexpr const char *kShmemName = "uuid7 ordering state";

void OnShmemRequest()
{
	if (previous_shmem_request_hook != nullptr)
		previous_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(SharedOrdering)));
}

void OnShmemStartup()
{
	if (previous_shmem_startup_hook != nullptr)
		previous_shmem_startup_hook();
	bool found = false;
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	auto *state = static_cast<SharedOrdering *>(ShmemInitStruct(kShmemName, sizeof(SharedOrdering), &found));
	if (!found)
	{
		pg_atomic_init_u64(&state->last_v7_ns, 0);
		pg_atomic_init_u64(&state->last_v6_tick, 0);
	}
	LWLockRelease(AddinShmemInitLock);
	shared_ordering = state;
}

/* Whole seconds below kMaxClockNs: a reading with fewer seconds stays below it whatever its tv_nsec. */
constexpr uint64 kMaxClockSeconds = kMaxClockNs / 1000000000;

uint64 RealTimeNs()
{
	struct timespec now;
	const bool read = clock_gettime(CLOCK_REALTIME, &now) == 0;
	/*
	 * A reading before 1970 or past 2262-04-11 would wrap the ns count (kMaxClockNs in core/ordering.hpp). One
	 * unsigned comparison refuses both: the hot path costs what a sign test alone did.
	 */
	if (unlikely(!read || static_cast<uint64>(now.tv_sec) >= kMaxClockSeconds))
		ereport(ERROR, (errcode(ERRCODE_SYSTEM_ERROR), errmsg("could not read the real-time clock"),
		                read ? errdetail("The clock reads a time before 1970-01-01 or after 2262-04-11.") : 0));
	return static_cast<uint64>(now.tv_sec) * 1000000000 + static_cast<uint64>(now.tv_nsec);
}

/* Lock-free: the compare-and-swap retries only when another backend advanced the state in between. */
uint64 AdvanceShared(pg_atomic_uint64 *last, uint64 now, uint64 (*next)(uint64, uint64))
{
	uint64 seen = pg_atomic_read_u64(last);
	for (;;)
	{
		const uint64 wanted = next(seen, now);
		if (pg_atomic_compare_exchange_u64(last, &seen, wanted))
			return wanted;
	}
}

uint64 NextV7(uint64 last, uint64 now)
{
	return NextV7Instant(last, now);
}
uint64 NextV6(uint64 last, uint64 now)
{
	return uuid7::NextV6Tick(last, now);
}

} // namespace

void RequestSharedOrdering()
{
	previous_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = OnShmemRequest;
	previous_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = OnShmemStartup;
}

bool OrderingIsClusterWide()
{
	return shared_ordering != nullptr;
}

uint64 NextV7InstantNs()
{
	const uint64 now = RealTimeNs();
	if (shared_ordering != nullptr)
		return AdvanceShared(&shared_ordering->last_v7_ns, now, NextV7);
	session_last_v7_ns = NextV7Instant(session_last_v7_ns, now);
	return session_last_v7_ns;
}

uint64 NextV6Tick()
{
	const uint64 now = GregorianTicksFromUnixNs(RealTimeNs());
	if (shared_ordering != nullptr)
		return AdvanceShared(&shared_ordering->last_v6_tick, now, NextV6);
	session_last_v6_tick = uuid7::NextV6Tick(session_last_v6_tick, now);
	return session_last_v6_tick;
}

uint64 RandomU64()
{
	uint64 value = 0;
	/* MyProcPid changes across fork(): a block inherited from the postmaster is never reused by a backend. */
	if (likely(random_pool.TakeU64(MyProcPid, value)))
		return value;
	if (!pg_strong_random(random_pool.RefillTarget(), RandomPool::kCapacity))
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("could not generate random values")));
	random_pool.MarkFilled(MyProcPid);
	random_pool.TakeU64(MyProcPid, value);
	return value;
}

void WriteNextV7(uint8 *out)
{
	WriteV7(out, NextV7InstantNs(), RandomU64());
}

void WriteNextV6(uint8 *out)
{
	WriteRandomV6(out, NextV6Tick(), RandomU64());
}

} // namespace uuid7::pg
