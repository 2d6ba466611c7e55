/*
 * ordering.hpp — the rules that make generated uuids strictly increasing.
 *
 * Each generator keeps the last instant it embedded. The next instant is the clock reading, unless that would not
 * be strictly later than the last one (a burst within one clock tick, or a clock that stepped back); then it is
 * the last instant plus one minimal step. The embedded time may therefore run ahead of the real clock for a while,
 * which RFC 9562 §6.2 allows; it falls back to the real clock as soon as the clock overtakes it.
 *
 * These are pure functions of (last, now) so that the same rule serves a per-session variable and a shared atomic
 * updated by compare-and-swap (src/pg), and so that unit tests can drive them with an injected clock.
 */
#pragma once

#include "core/time_units.hpp"
#include "core/uuid_layout.hpp"

#include <cstdint>

namespace uuid7
{

/*
 * v7 embeds the millisecond and a 12-bit fraction of it (1/4096 ms, about 244.14 ns). A step of 245 ns always
 * moves the fraction by at least one, so two instants 245 ns apart always give different, ordered uuids.
 */
constexpr std::uint64_t kV7MinimalStepNs = 245;

/*
 * The ordering counts v7 instants in ns since the Unix epoch, a uint64 that would wrap at 2^64 ns (2554-07-21). It
 * is fed clock readings only, and a clock reading is at most kMaxClockNs (2262-04-11; Linux keeps the real-time
 * clock as signed 64-bit ns and refuses to be set anywhere near that, and src/pg refuses a reading beyond it on
 * any kernel). The other 2^63 ns (292 years) are headroom for running ahead of the clock, 245 ns per id: no
 * generation rate comes close to using them, so last_ns + kV7MinimalStepNs never wraps. Instants that do not come
 * from the clock (a given or shifted timestamp, up to 10889) are written through V7Instant (uuid_layout.hpp).
 */
constexpr std::uint64_t kMaxClockNs = (std::uint64_t{1} << 63) - 1;
static_assert(kMaxClockNs / kNsPerMs <= kMaxV7Millis, "every clock reading is in the v7 range");

/* Next v7 instant, in nanoseconds since the Unix epoch. */
constexpr std::uint64_t NextV7Instant(std::uint64_t last_ns, std::uint64_t now_ns) noexcept
{
	return now_ns > last_ns + kV7MinimalStepNs ? now_ns : last_ns + kV7MinimalStepNs;
}

/* Next v6 instant, in 100-ns Gregorian ticks: the field's own resolution is the minimal step. */
constexpr std::uint64_t NextV6Tick(std::uint64_t last_tick, std::uint64_t now_tick) noexcept
{
	return now_tick > last_tick ? now_tick : last_tick + 1;
}

/* A Unix-epoch clock reading as a v6/v1 timestamp (100-ns ticks since 1582-10-15). */
constexpr std::uint64_t GregorianTicksFromUnixNs(std::uint64_t unix_ns) noexcept
{
	return unix_ns / kNsPerTick + kGregorianToUnixTicks;
}

} // namespace uuid7
