/*
 * clock_lead_test.cpp — the bounded clock lead (issue 22): where the counter bits sit, strict order on a clock that
 * stands still for more ids than the counter holds, a lead that never passes 1 ms whatever the rate or a clock
 * that goes back a little, and what happens when the clock jumps back far.
 */
#include "core/ordering.hpp"
#include "core/uuid_layout.hpp"

#include <boost/endian/conversion.hpp>
#include <gtest/gtest.h>

#include <vector>

namespace uuid7
{
namespace
{

constexpr std::uint64_t kSomeNs = 1700000000000ULL * kNsPerMs + 123456; /* 2023-11-14, 0.123456 ms in */

std::uint64_t High(const UuidBytes &id)
{
	return boost::endian::load_big_u64(id.data());
}
std::uint64_t Low(const UuidBytes &id)
{
	return boost::endian::load_big_u64(id.data() + 8);
}

/*
 * A generator on a scripted clock, as src/pg drives it: when told to wait, it lets the clock advance by `tick_ns`
 * (a clock that moves only when waited for). Random bits are worst-case (all ones, then all zeros).
 */
class V7Generator
{
public:
	explicit V7Generator(std::uint64_t clock_ns) : clock_ns_(clock_ns) {}
	UuidBytes Next(std::uint64_t tick_ns = 244)
	{
		std::uint64_t next;
		while ((next = NextV7Position(last_, V7PositionFromNs(clock_ns_))) == kMustWait)
		{
			clock_ns_ += tick_ns;
			waits_++;
		}
		last_ = next;
		UuidBytes out{};
		WriteV7Counter(out.data(), V7PositionMillis(last_), V7PositionCounter(last_),
		               (calls_++ % 2) ? 0 : ~std::uint64_t{0});
		return out;
	}
	/* The lead of the last position over the clock, in positions (2^20 per ms). */
	std::int64_t Lead() const { return static_cast<std::int64_t>(last_ - V7PositionFromNs(clock_ns_)); }
	std::uint64_t &clock() { return clock_ns_; }
	std::uint64_t waits() const { return waits_; }
	std::uint64_t last() const { return last_; }

private:
	std::uint64_t clock_ns_;
	std::uint64_t last_ = 0;
	std::uint64_t calls_ = 0;
	std::uint64_t waits_ = 0;
};

void ExpectStrictlyIncreasing(const std::vector<UuidBytes> &ids)
{
	for (std::size_t i = 1; i < ids.size(); i++)
		ASSERT_LT(ids[i - 1], ids[i]) << "at index " << i;
}

TEST(ClockLeadLayout, V7CounterFillsRandAThenTheTopOfRandB)
{
	UuidBytes id{};
	WriteV7Counter(id.data(), 0x0123456789AB, 0xABCDE, 0);
	EXPECT_EQ(High(id), 0x0123456789AB7ABCULL); /* ms, version 7, rand_a = counter >> 8 */
	EXPECT_EQ(Low(id), 0x8000000000000000ULL | (std::uint64_t{0xDE} << 54)); /* variant, counter's low 8 bits */
	/* all-ones random bits reach only the 54 bits below the counter */
	WriteV7Counter(id.data(), 0x0123456789AB, 0, ~std::uint64_t{0});
	EXPECT_EQ(High(id), 0x0123456789AB7000ULL);
	EXPECT_EQ(Low(id), 0x8000000000000000ULL | ((std::uint64_t{1} << 54) - 1));
	EXPECT_EQ(RfcVersion(id.data()), 7);
	/* the counter's width is what the positions use */
	static_assert(kV7CounterBits == kV7FractionBits + kV7RandBCounterBits && kV7RandBCounterBits == 8);
}

TEST(ClockLeadLayout, V6CounterFillsTheTopOfClockSeq)
{
	UuidBytes id{};
	WriteV6Counter(id.data(), 0x1EC9414C232AB00ULL, 0x2A, 0);
	EXPECT_EQ(RawV6Ticks(id.data()), 0x1EC9414C232AB00ULL);
	EXPECT_EQ(RfcVersion(id.data()), 6);
	/* clock_seq = counter << 8 | 8 random bits; node random with the multicast bit */
	EXPECT_EQ(Low(id), 0x8000000000000000ULL | (std::uint64_t{0x2A} << 56) | kNodeMulticastBit);
	WriteV6Counter(id.data(), 0x1EC9414C232AB00ULL, 0, ~std::uint64_t{0});
	EXPECT_EQ(Low(id), 0x8000000000000000ULL | (std::uint64_t{0xFF} << 48) | 0xFFFFFFFFFFFFULL);
}

TEST(ClockLeadLayout, ClockPositionKeepsTheFraction)
{
	const std::uint64_t position = V7PositionFromNs(kSomeNs);
	EXPECT_EQ(V7PositionMillis(position), kSomeNs / kNsPerMs);
	EXPECT_EQ(V7PositionCounter(position) >> kV7RandBCounterBits, V7Fraction(kSomeNs));
	EXPECT_EQ(V7PositionCounter(position) & 0xFF, 0u);
}

TEST(ClockLead, FrozenClockForMoreIdsThanTheCounterHolds)
{
	/* 2^20 + 2^18 ids on a clock that moves only when the generator waits: strictly increasing, lead ≤ 1 ms */
	V7Generator gen(kSomeNs);
	std::vector<UuidBytes> ids;
	ids.reserve((1u << 20) + (1u << 18));
	std::int64_t max_lead = 0;
	for (std::uint32_t i = 0; i < (1u << 20) + (1u << 18); i++)
	{
		ids.push_back(gen.Next());
		max_lead = std::max(max_lead, gen.Lead());
	}
	ExpectStrictlyIncreasing(ids);
	EXPECT_LE(max_lead, static_cast<std::int64_t>(kV7MaxLead));
	EXPECT_GT(gen.waits(), 0u) << "the counter ran out and the generator waited for the clock";
	/* the timestamp never passed the millisecond after the clock's */
	EXPECT_LE(RawV7Millis(ids.back().data()), gen.clock() / kNsPerMs + 1);
}

TEST(ClockLead, FrozenClockNeverWaitsBeforeTheCounterIsSpent)
{
	const std::uint64_t now = V7PositionFromNs(kSomeNs);
	std::uint64_t last = 0;
	std::uint64_t ids = 0;
	while ((last = NextV7Position(last, now)) != kMustWait)
	{
		ids++;
		ASSERT_LE(last - now, kV7MaxLead);
	}
	/* 1 + 2048 fraction steps + 2^19 counter steps, the lead then exactly 1 ms */
	EXPECT_EQ(ids, 1u + 2048u + (1u << 19));
}

TEST(ClockLead, SustainedBurstOnAMovingClockNeverPassesTheBound)
{
	/* 10 ids per 244-ns tick (40M ids/s, 10x what the fraction alone carries) for 20 ms of clock */
	V7Generator gen(kSomeNs);
	std::vector<UuidBytes> ids;
	std::int64_t max_lead = 0;
	for (int tick = 0; tick < 20 * 4096; tick++)
	{
		for (int i = 0; i < 10; i++)
		{
			ids.push_back(gen.Next());
			max_lead = std::max(max_lead, gen.Lead());
		}
		gen.clock() += 244;
	}
	ExpectStrictlyIncreasing(ids);
	EXPECT_LE(max_lead, static_cast<std::int64_t>(kV7MaxLead));
	EXPECT_EQ(gen.waits(), 0u) << "a moving clock frees positions faster than 40M ids/s use them";
}

TEST(ClockLead, ClockGoingBackALittleIsWaitedFor)
{
	/* the clock steps back 3 ms: the generator waits rather than leading by more than 1 ms */
	V7Generator gen(kSomeNs);
	std::vector<UuidBytes> ids;
	for (int i = 0; i < 100; i++)
		ids.push_back(gen.Next());
	gen.clock() -= 3 * kNsPerMs;
	for (int i = 0; i < 100; i++)
	{
		ids.push_back(gen.Next(1000));
		ASSERT_LE(gen.Lead(), static_cast<std::int64_t>(kV7MaxLead));
	}
	ExpectStrictlyIncreasing(ids);
	EXPECT_GT(gen.waits(), 0u);
}

TEST(ClockLead, ClockJumpingBackFarIsCrawledThroughWithoutWaiting)
{
	/* NTP steps back 5 s (or a leap second, 1 s): no wait, strictly increasing, the timestamp stays put */
	V7Generator gen(kSomeNs);
	std::vector<UuidBytes> ids;
	ids.push_back(gen.Next());
	const std::uint64_t before = gen.last();
	gen.clock() -= 5000 * kNsPerMs;
	for (int i = 0; i < 100000; i++)
	{
		ids.push_back(gen.Next());
		gen.clock() += 100;
	}
	ExpectStrictlyIncreasing(ids);
	EXPECT_EQ(gen.waits(), 0u);
	/* one count per id: 100000 ids moved the embedded time by under a tenth of a millisecond */
	EXPECT_EQ(gen.last(), before + 100000);
	EXPECT_EQ(RawV7Millis(ids.back().data()), kSomeNs / kNsPerMs);
	/* once the clock is past the last position, the generator follows the clock again */
	gen.clock() = kSomeNs + 2 * kNsPerMs;
	gen.Next();
	EXPECT_EQ(gen.last(), V7PositionFromNs(kSomeNs + 2 * kNsPerMs));
}

TEST(ClockLead, RuleForEveryLastPositionNearTheBound)
{
	/* exhaustive around the ceiling: every position returned is after last and within the lead */
	const std::uint64_t now = V7PositionFromNs(kSomeNs);
	for (std::uint64_t last = now - 3000; last < now + kV7MaxLead + kV7MaxClockWait + 3000; last += 97)
	{
		const std::uint64_t next = NextV7Position(last, now);
		if (next == kMustWait)
		{
			ASSERT_GE(last, now + kV7MaxLead);
			ASSERT_LE(last, now + kV7MaxLead + kV7MaxClockWait);
			continue;
		}
		ASSERT_GT(next, last);
		if (last < now + kV7MaxLead)
			ASSERT_LE(next, now + kV7MaxLead) << "last " << last - now;
		else
			ASSERT_EQ(next, last + 1); /* only past the wait window: a clock stepped back far */
	}
}

TEST(ClockLeadV6, FrozenClockKeepsOrderAndTheBound)
{
	const std::uint64_t start = GregorianTicksFromUnixNs(kSomeNs);
	std::uint64_t ticks = start;
	std::uint64_t last = 0;
	std::uint64_t waits = 0;
	std::vector<UuidBytes> ids;
	for (int i = 0; i < 700000; i++)
	{
		std::uint64_t next;
		while ((next = NextV6Position(last, V6PositionFromTicks(ticks))) == kMustWait)
		{
			ticks++;
			waits++;
		}
		last = next;
		ASSERT_LE(last - V6PositionFromTicks(ticks), kV6MaxLead);
		UuidBytes out{};
		WriteV6Counter(out.data(), V6PositionTicks(last), static_cast<std::uint32_t>(last & kV6CounterMask),
		               (i % 2) ? 0 : ~std::uint64_t{0});
		ids.push_back(out);
	}
	ExpectStrictlyIncreasing(ids);
	EXPECT_GT(waits, 0u);
	EXPECT_LE(RawV6Ticks(ids.back().data()), ticks + kV6TicksPerMs);
	/* 1.6 advanced one tick per id: 700000 ids would have run 70 ms ahead */
	EXPECT_LT(RawV6Ticks(ids.back().data()) - start, 70 * kV6TicksPerMs);
}

TEST(ClockLeadV6, ClockJumpingBackFarIsCrawledThrough)
{
	const std::uint64_t now = V6PositionFromTicks(GregorianTicksFromUnixNs(kSomeNs));
	std::uint64_t last = NextV6Position(0, now);
	const std::uint64_t back = now - V6PositionFromTicks(10000000); /* one second back */
	for (int i = 0; i < 1000; i++)
	{
		const std::uint64_t next = NextV6Position(last, back);
		ASSERT_EQ(next, last + 1);
		last = next;
	}
	/* a step back within the wait window is waited for */
	EXPECT_EQ(NextV6Position(now + kV6MaxLead, now - 100), kMustWait);
}

} // namespace
} // namespace uuid7
