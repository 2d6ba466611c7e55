/*
 * v7_range_test.cpp — the whole v7 range: instants past 2^64 ns since 1970 (2554-07-21 23:34:33.709551616 UTC), up
 * to the last millisecond the 48-bit field holds (10889-08-02 05:31:50.655 UTC, unix ms 2^48 - 1), keep their
 * millisecond and the 12-bit fraction of it. Expected fields come from 128-bit arithmetic on the total ns, not from
 * the code under test.
 */
#include "core/migrate_keygen.hpp"
#include "core/ordering.hpp"
#include "core/uuid_layout.hpp"
#include "uuid_text.hpp"

#include <boost/endian/conversion.hpp>
#include <gtest/gtest.h>

#include <vector>

namespace uuid7
{
namespace
{

using test::Format;
using Ns128 = unsigned __int128;

/* 2^64 ns = 18446744073709551 µs + 616 ns = 18446744073709 ms + 551616 ns */
constexpr std::uint64_t kWrapUs = 18446744073709551ULL;
constexpr std::uint32_t kWrapNsOfUs = 616;
constexpr std::uint64_t kWrapMs = 18446744073709ULL;
/* 2700-01-01 00:00:00 UTC, the time the bug report used (it came back as 2115) */
constexpr std::uint64_t kYear2700Ms = 23036572800ULL * 1000;
constexpr std::uint64_t kAllOnes = ~std::uint64_t{0};

std::uint16_t RandA(const UuidBytes &id)
{
	return boost::endian::load_big_u16(id.data() + 6) & 0x0FFF;
}

/* The millisecond and the 12-bit fraction that a time of `ns` nanoseconds since 1970 must be written as. */
std::uint64_t ExpectedMs(Ns128 ns)
{
	return static_cast<std::uint64_t>(ns / kNsPerMs);
}
std::uint16_t ExpectedFraction(Ns128 ns)
{
	return static_cast<std::uint16_t>((ns % kNsPerMs) * 4096 / kNsPerMs);
}

UuidBytes Write(V7Instant at, std::uint64_t random_bits = kAllOnes)
{
	UuidBytes id{};
	WriteV7(id.data(), at, random_bits);
	return id;
}

void ExpectRoundTrip(std::uint64_t unix_us, std::uint32_t ns_of_us)
{
	const Ns128 ns = Ns128{unix_us} * kNsPerUs + ns_of_us;
	const UuidBytes id = Write(V7InstantFromUs(unix_us, ns_of_us));
	ASSERT_EQ(V7Millis(id.data()), ExpectedMs(ns)) << unix_us << " us + " << ns_of_us << " ns";
	ASSERT_EQ(RandA(id), ExpectedFraction(ns)) << unix_us << " us + " << ns_of_us << " ns";
}

void ExpectStrictlyIncreasing(const std::vector<UuidBytes> &ids)
{
	for (std::size_t i = 1; i < ids.size(); i++)
		ASSERT_LT(ids[i - 1], ids[i]) << "at index " << i;
}

TEST(V7Range, InstantFromUsSplitsWithoutScalingToNs)
{
	static_assert(V7InstantFromUs(kWrapUs, kWrapNsOfUs).unix_ms == kWrapMs);
	static_assert(V7InstantFromUs(kWrapUs, kWrapNsOfUs).ns_of_ms == 551616);
	static_assert(V7InstantFromUs(kMaxV7Millis * kUsPerMs + 999, 999).unix_ms == kMaxV7Millis);
	static_assert(V7InstantFromUs(kMaxV7Millis * kUsPerMs + 999, 999).ns_of_ms == kNsPerMs - 1);
	static_assert(V7InstantFromNs(kAllOnes).unix_ms == kAllOnes / kNsPerMs);
	/* below the wrap, both ways of building an instant agree */
	for (std::uint64_t us : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1645557742123456}, kWrapUs - 1})
		for (std::uint32_t n : {0u, 1u, 500u, 999u})
		{
			const V7Instant from_us = V7InstantFromUs(us, n);
			const V7Instant from_ns = V7InstantFromNs(us * kNsPerUs + n);
			EXPECT_EQ(from_us.unix_ms, from_ns.unix_ms);
			EXPECT_EQ(from_us.ns_of_ms, from_ns.ns_of_ms);
		}
}

TEST(V7Range, NsWriterIsTheInstantWriter)
{
	/* the generators' ns path writes exactly what the instant path writes, over the whole uint64 */
	for (std::uint64_t ns : {std::uint64_t{0}, kNsPerMs - 1, kNsPerMs, std::uint64_t{1645557742000500000}, kMaxClockNs,
	                         kAllOnes - 1, kAllOnes})
	{
		UuidBytes by_ns{};
		WriteV7(by_ns.data(), ns, 0x0123456789ABCDEFULL);
		EXPECT_EQ(by_ns, Write(V7InstantFromNs(ns), 0x0123456789ABCDEFULL)) << ns;
		EXPECT_EQ(V7Millis(by_ns.data()), ExpectedMs(ns));
		EXPECT_EQ(RandA(by_ns), ExpectedFraction(ns));
	}
}

TEST(V7Range, TimesAround2To64NsKeepTheirMillisecondAndFraction)
{
	for (std::uint64_t us = kWrapUs - 2000; us <= kWrapUs + 2000; us++)
		for (std::uint32_t n : {0u, kWrapNsOfUs - 1, kWrapNsOfUs, 999u})
			ExpectRoundTrip(us, n);
	/* the last ns before 2^64 and the first at it: the millisecond goes on, it does not wrap to 1970 */
	EXPECT_EQ(V7Millis(Write(V7InstantFromUs(kWrapUs, kWrapNsOfUs - 1)).data()), kWrapMs);
	EXPECT_EQ(V7Millis(Write(V7InstantFromUs(kWrapUs, kWrapNsOfUs)).data()), kWrapMs);
	EXPECT_EQ(Format(Write(V7InstantFromUs(kWrapUs, kWrapNsOfUs), 0)), "10c6f7a0-b5ed-78d3-8000-000000000000");
	EXPECT_EQ(V7Millis(Write(V7InstantFromUs(kYear2700Ms * kUsPerMs)).data()), kYear2700Ms);
}

TEST(V7Range, StaysOrderedAcross2To64Ns)
{
	/* one µs apart is more than one fraction step (244 ns): ordered whatever the random bits, worst case here */
	std::vector<UuidBytes> ids;
	for (std::uint64_t us = kWrapUs - 5000; us <= kWrapUs + 5000; us++)
		ids.push_back(Write(V7InstantFromUs(us), (us % 2) ? 0 : kAllOnes));
	ExpectStrictlyIncreasing(ids);
	EXPECT_LT(Write(V7InstantFromUs(kWrapUs)), Write(V7InstantFromUs(kYear2700Ms * kUsPerMs), 0));
}

TEST(V7Range, LastMillisecondOfTheRange)
{
	const std::uint64_t first_us = kMaxV7Millis * kUsPerMs; /* 10889-08-02 05:31:50.655000 UTC */
	for (std::uint64_t us = first_us; us < first_us + kUsPerMs; us++)
		for (std::uint32_t n : {0u, 1u, 999u})
			ExpectRoundTrip(us, n);
	EXPECT_EQ(Format(Write(V7InstantFromUs(first_us), 0)), "ffffffff-ffff-7000-8000-000000000000");
	EXPECT_EQ(Write(V7InstantFromUs(first_us), 0), V7LowerBound(kMaxV7Millis));
	/* the last µs of the range: 999 µs into the millisecond is fraction 4091; its last ns is 4095 */
	EXPECT_EQ(Format(Write(V7InstantFromUs(first_us + 999), 0)), "ffffffff-ffff-7ffb-8000-000000000000");
	EXPECT_EQ(Write(V7InstantFromUs(first_us + 999, 999)), V7UpperBound(kMaxV7Millis));
	std::vector<UuidBytes> ids;
	for (std::uint64_t us = first_us - 1000; us < first_us + kUsPerMs; us++)
		ids.push_back(Write(V7InstantFromUs(us), (us % 2) ? 0 : kAllOnes));
	ExpectStrictlyIncreasing(ids);
}

TEST(V7Range, EveryFractionRoundTripsAtTheEdges)
{
	/*
	 * For each fraction f, the first ns of the millisecond that the layout gives f must give f back, and the ns just
	 * before it f - 1, in the first millisecond, at the wrap of a ns count, and in the last millisecond.
	 */
	for (std::uint64_t ms : {std::uint64_t{0}, kWrapMs, kYear2700Ms, kMaxV7Millis})
		for (std::uint32_t f = 0; f < 4096; f++)
		{
			const auto first_ns = static_cast<std::uint32_t>((std::uint64_t{f} * kNsPerMs + 4095) / 4096);
			const UuidBytes id = Write(V7Instant{ms, first_ns});
			ASSERT_EQ(V7Millis(id.data()), ms);
			ASSERT_EQ(RandA(id), f) << "ms " << ms << " ns " << first_ns;
			if (f > 0)
			{
				ASSERT_EQ(RandA(Write(V7Instant{ms, first_ns - 1})), f - 1) << "ms " << ms << " ns " << first_ns - 1;
			}
		}
}

TEST(V7Range, ClockPathCannotWrap)
{
	/* the largest clock reading, with a whole burst on a frozen clock, is a position that neither wraps nor leaves
	   the v7 range, and the lead stays within 1 ms */
	const std::uint64_t now = V7PositionFromNs(kMaxClockNs);
	std::uint64_t last = NextV7Position(0, now);
	EXPECT_EQ(last, now);
	for (int i = 0; i < 100000; i++)
		last = NextV7Position(last, now);
	ASSERT_NE(last, kMustWait);
	EXPECT_GT(last, now);
	EXPECT_LE(last - now, kV7MaxLead);
	UuidBytes id{};
	WriteV7Counter(id.data(), V7PositionMillis(last), V7PositionCounter(last), 0);
	EXPECT_EQ(V7Millis(id.data()), V7PositionMillis(last));
	EXPECT_LE(V7Millis(id.data()), ExpectedMs(kMaxClockNs) + 1);
	/* crawling through a clock stepped back far still has 2^61 positions of headroom */
	static_assert(now <= kAllOnes - kPositionHeadroom);
}

TEST(V7Range, MigrationKeysPastTheWrapAndAtTheEnd)
{
	for (std::uint64_t first_us : {kWrapUs - 500, kYear2700Ms * kUsPerMs, kMaxV7Millis * kUsPerMs})
	{
		std::vector<UuidBytes> ids;
		UuidBytes last{};
		for (std::uint64_t i = 0; i < 1000; i++)
		{
			/* every row twice (a tie advances the previous key), then the next µs */
			const std::uint64_t us = first_us + i / 2;
			UuidBytes out{};
			NextMigrationV7(out.data(), ids.empty() ? nullptr : last.data(), V7InstantFromUs(us), kAllOnes - i);
			if (i % 2 == 0)
			{
				const Ns128 ns = Ns128{us} * kNsPerUs;
				ASSERT_EQ(V7Millis(out.data()), ExpectedMs(ns));
				ASSERT_EQ(RandA(out), ExpectedFraction(ns));
			}
			ids.push_back(out);
			last = out;
		}
		ExpectStrictlyIncreasing(ids);
		EXPECT_EQ(V7Millis(ids.back().data()), ExpectedMs(Ns128{first_us + 499} * kNsPerUs));
	}
}

} // namespace
} // namespace uuid7
