/*
 * ordering.hpp — the rules that make generated uuids strictly increasing without running ahead of the clock.
 *
 * Each generator keeps the last *position* it embedded: a 64-bit number that sorts exactly as the uuids it makes.
 *   v7: unix_ms << 20 | a 20-bit counter within the millisecond. The counter's top 12 bits are rand_a, its low 8
 *       bits the top 8 bits of rand_b (RFC 9562 §6.2 method 1, seeded by method 3: a clock reading starts the
 *       counter at the 12-bit fraction of the millisecond, low 8 bits zero).
 *   v6: gregorian_ticks << 6 | a 6-bit counter within the 100-ns tick, kept in the top 6 bits of clock_seq.
 * The next position is the clock reading when that is later than the last one. Otherwise (a burst within one
 * tick, a clock that stands still or stepped back) the generator advances the last position, but never past
 * `clock + max lead` (1 ms): by one whole step of the clock field (rand_a, or the 100-ns tick) while the lead stays
 * within half the bound, which keeps the time fields distinct under any rate the clock field can carry; beyond
 * that by one count of the counter bits (2^19 v7 ids, 320000 v6 ids fill the other half); when even that would
 * pass the bound, the caller must wait for the clock (kMustWait). Under a sustained burst the lead settles between
 * half the bound and the bound, and every 244 ns (v7) or 100 ns (v6) of real time frees 256 (v7) or 64 (v6)
 * positions: over 10^9 v7 ids per second before anyone waits. So no burst, however large, can push the embedded time more than 1 ms ahead of the
 * clock (uuid7 1.6 moved it 245 ns ahead per id: 20M calls ran it seconds ahead, for every database).
 *
 * A clock that stepped back by more than kMaxClockWait beyond the lead is not waited for (a leap second or an NTP
 * step would stall every generator for as long as the step): the counter then advances by one count per id, so the
 * ids stay strictly increasing and their time crawls 1 ms per 2^20 (v7) or 640000 (v6) ids until the clock
 * catches up. Only the clock stepping back can cause this; no rate of calls can.
 *
 * The caller must read the clock *after* it read the last position (src/pg: the shared atomic, then the clock).
 * Then the last position came from a reading no later than `now` and is at most `now + max lead`: a slow caller's
 * stale reading cannot masquerade as a clock step back.
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

/* Returned instead of a position: the lead is used up, read the clock again (positions are never 0 otherwise). */
constexpr std::uint64_t kMustWait = 0;

/*
 * The rule shared by v7 and v6. step: one unit of the clock field (in positions); max_lead: the bound on
 * `next - now`; max_wait: how far past the bound the last position may be (a clock stepped back) and still be
 * waited for.
 */
constexpr std::uint64_t NextOrderedPosition(std::uint64_t last, std::uint64_t now, std::uint64_t step,
                                            std::uint64_t max_lead, std::uint64_t max_wait) noexcept
{
	if (now > last)
		return now;
	const std::uint64_t ceiling = now + max_lead;
	if (last + step <= now + max_lead / 2)
		return last + step;
	if (last < ceiling)
		return last + 1;
	if (last - ceiling <= max_wait)
		return kMustWait;
	return last + 1; /* the clock stepped back further than is worth waiting for: keep order, crawl */
}

/* ---- v7 ------------------------------------------------------------------------------------------------------ */

/* kV7CounterBits and kV7RandBCounterBits: uuid_layout.hpp (where the counter sits in the uuid). */
constexpr std::uint64_t kV7PositionsPerMs = std::uint64_t{1} << kV7CounterBits;
constexpr std::uint64_t kV7CounterMask = kV7PositionsPerMs - 1;
/* One unit of rand_a (1/4096 ms, about 244 ns). */
constexpr std::uint64_t kV7FractionStep = std::uint64_t{1} << kV7RandBCounterBits;
/* The bound on the lead over the clock: 1 ms. */
constexpr std::uint64_t kV7MaxLead = kV7PositionsPerMs;
/* A clock step back of up to 10 ms (beyond the lead) is waited for; a longer one is crawled through. */
constexpr std::uint64_t kV7MaxClockWait = 10 * kV7PositionsPerMs;

/*
 * Clock readings are at most kMaxClockNs (2262-04-11; Linux keeps the real-time clock as signed 64-bit ns, and
 * src/pg refuses a reading beyond it on any kernel). Instants that do not come from the clock (a given or shifted
 * timestamp, up to 10889) are written through V7Instant (uuid_layout.hpp), never through a position.
 */
constexpr std::uint64_t kMaxClockNs = (std::uint64_t{1} << 63) - 1;
static_assert(kMaxClockNs / kNsPerMs <= kMaxV7Millis, "every clock reading is in the v7 range");
/*
 * Positions above the largest clock reading's that the generators may still reach: now + max_lead, and last + 1
 * when crawling through a clock step back. 2^61 of them is 2^41 ms (69 years) at 2^20 positions per ms for v7,
 * 2^55 ticks (114 years) for v6: neither sum can wrap.
 */
constexpr std::uint64_t kPositionHeadroom = std::uint64_t{1} << 61;
static_assert(kMaxClockNs / kNsPerMs + 2 < (std::uint64_t{1} << (64 - kV7CounterBits)), "v7 positions fit 64 bits");
static_assert(((kMaxClockNs / kNsPerMs + 2) << kV7CounterBits) <= ~std::uint64_t{0} - kPositionHeadroom,
              "v7 positions of clock readings leave headroom for the lead and for crawling");

/* The position of a clock reading (ns since the Unix epoch): its millisecond and 12-bit fraction, counter 0. */
constexpr std::uint64_t V7PositionFromNs(std::uint64_t unix_ns) noexcept
{
	return (unix_ns / kNsPerMs) << kV7CounterBits |
	       (((unix_ns % kNsPerMs) << kV7FractionBits) / kNsPerMs) << kV7RandBCounterBits;
}
constexpr std::uint64_t V7PositionMillis(std::uint64_t position) noexcept
{
	return position >> kV7CounterBits;
}
constexpr std::uint32_t V7PositionCounter(std::uint64_t position) noexcept
{
	return static_cast<std::uint32_t>(position & kV7CounterMask);
}
/*
 * The earliest ns since the Unix epoch whose fraction is the position's rand_a: for callers that need an instant
 * (a shifted uuid, migration keys). V7PositionFromNs of it gives the position back without its low 8 counter bits.
 */
constexpr std::uint64_t V7PositionNs(std::uint64_t position) noexcept
{
	const std::uint64_t fraction = V7PositionCounter(position) >> kV7RandBCounterBits;
	return V7PositionMillis(position) * kNsPerMs + ((fraction * kNsPerMs) + (1u << kV7FractionBits) - 1) /
	                                                   (std::uint64_t{1} << kV7FractionBits);
}

/* Next v7 position after `last` for the clock position `now`, or kMustWait. */
constexpr std::uint64_t NextV7Position(std::uint64_t last, std::uint64_t now) noexcept
{
	return NextOrderedPosition(last, now, kV7FractionStep, kV7MaxLead, kV7MaxClockWait);
}

/* ---- v6 ------------------------------------------------------------------------------------------------------ */

/* kV6CounterBits: uuid_layout.hpp. */
constexpr std::uint64_t kV6CounterMask = (std::uint64_t{1} << kV6CounterBits) - 1;
/* One 100-ns tick. */
constexpr std::uint64_t kV6TickStep = std::uint64_t{1} << kV6CounterBits;
constexpr std::uint64_t kV6TicksPerMs = kNsPerMs / kNsPerTick;
constexpr std::uint64_t kV6MaxLead = kV6TicksPerMs << kV6CounterBits;
constexpr std::uint64_t kV6MaxClockWait = 10 * kV6MaxLead;

/* A Unix-epoch clock reading as a v6/v1 timestamp (100-ns ticks since 1582-10-15). */
constexpr std::uint64_t GregorianTicksFromUnixNs(std::uint64_t unix_ns) noexcept
{
	return unix_ns / kNsPerTick + kGregorianToUnixTicks;
}
static_assert(GregorianTicksFromUnixNs(kMaxClockNs) + kV6TicksPerMs < (std::uint64_t{1} << (64 - kV6CounterBits)),
              "v6 positions fit 64 bits");
static_assert(((GregorianTicksFromUnixNs(kMaxClockNs) + kV6TicksPerMs) << kV6CounterBits) <=
                  ~std::uint64_t{0} - kPositionHeadroom,
              "v6 positions of clock readings leave headroom for the lead and for crawling");

constexpr std::uint64_t V6PositionFromTicks(std::uint64_t gregorian_ticks) noexcept
{
	return gregorian_ticks << kV6CounterBits;
}
constexpr std::uint64_t V6PositionTicks(std::uint64_t position) noexcept
{
	return position >> kV6CounterBits;
}

/* Next v6 position after `last` for the clock position `now`, or kMustWait. */
constexpr std::uint64_t NextV6Position(std::uint64_t last, std::uint64_t now) noexcept
{
	return NextOrderedPosition(last, now, kV6TickStep, kV6MaxLead, kV6MaxClockWait);
}

} // namespace uuid7
