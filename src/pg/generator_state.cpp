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
	pg_atomic_uint64 last_v7; /* positions, core/ordering.hpp */
	pg_atomic_uint64 last_v6;
};

/* Plain pointers and integers: constant-initialised, nothing runs when the library is loaded. */
SharedOrdering *shared_ordering = nullptr;
uint64 session_last_v7 = 0; /* positions, core/ordering.hpp */
uint64 session_last_v6 = 0;
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
		pg_atomic_init_u64(&state->last_v7, 0);
		pg_atomic_init_u64(&state->last_v6, 0);
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

uint64 ClockV7Position()
{
	return V7PositionFromNs(RealTimeNs());
}
uint64 ClockV6Position()
{
	return V6PositionFromTicks(GregorianTicksFromUnixNs(RealTimeNs()));
}

/*
 * The lead over the clock is used up (a burst of over 2^20 v7 ids within a millisecond, 64 v6 ids within a tick,
 * or a clock that stepped back a little): let the clock move on. The fraction (244 ns) or the tick (100 ns) it
 * has to reach is close, so spin first; a clock that is slower than that gets a sleep, and an interrupt is
 * honoured (nothing is held here: no lock, no C++ object).
 */
void WaitForClock(int waits)
{
	if (waits < 64)
	{
		pg_spin_delay();
		return;
	}
	CHECK_FOR_INTERRUPTS();
	pg_usleep(20);
}

/*
 * Lock-free: the compare-and-swap retries only when another backend advanced the state in between. The clock is
 * read after the state every time round (see core/ordering.hpp: a reading older than the state would look like a
 * clock stepped back).
 */
uint64 AdvanceShared(pg_atomic_uint64 *last, uint64 (*clock)(), uint64 (*next)(uint64, uint64))
{
	uint64 seen = pg_atomic_read_u64(last);
	for (int waits = 0;;)
	{
		pg_read_barrier();
		const uint64 wanted = next(seen, clock());
		if (unlikely(wanted == kMustWait))
		{
			WaitForClock(waits++);
			seen = pg_atomic_read_u64(last);
			continue;
		}
		if (pg_atomic_compare_exchange_u64(last, &seen, wanted))
			return wanted;
	}
}

uint64 AdvanceSession(uint64 *last, uint64 (*clock)(), uint64 (*next)(uint64, uint64))
{
	for (int waits = 0;;)
	{
		const uint64 wanted = next(*last, clock());
		if (likely(wanted != kMustWait))
			return *last = wanted;
		WaitForClock(waits++);
	}
}

uint64 NextV7(uint64 last, uint64 now)
{
	return uuid7::NextV7Position(last, now);
}
uint64 NextV6(uint64 last, uint64 now)
{
	return uuid7::NextV6Position(last, now);
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

uint64 NextV7Position()
{
	if (shared_ordering != nullptr)
		return AdvanceShared(&shared_ordering->last_v7, ClockV7Position, NextV7);
	return AdvanceSession(&session_last_v7, ClockV7Position, NextV7);
}

uint64 NextV6Position()
{
	if (shared_ordering != nullptr)
		return AdvanceShared(&shared_ordering->last_v6, ClockV6Position, NextV6);
	return AdvanceSession(&session_last_v6, ClockV6Position, NextV6);
}

uint64 NextV7InstantNs()
{
	return V7PositionNs(NextV7Position());
}

uint64 NextV6Tick()
{
	return V6PositionTicks(NextV6Position());
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
	const uint64 position = NextV7Position();
	WriteV7Counter(out, V7PositionMillis(position), V7PositionCounter(position), RandomU64());
}

void WriteNextV6(uint8 *out)
{
	const uint64 position = NextV6Position();
	WriteV6Counter(out, V6PositionTicks(position), static_cast<uint32>(position & kV6CounterMask), RandomU64());
}

} // namespace uuid7::pg
