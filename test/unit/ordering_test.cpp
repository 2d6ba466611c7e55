/*
 * ordering_test.cpp — the monotonic rules with an injected clock: bursts inside one tick, clocks stepping back,
 * and the fraction overflowing into the next millisecond. Orders are checked on the encoded bytes, which is what
 * an index compares.
 */
#include "core/ordering.hpp"
#include "core/uuid_layout.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace uuid7
{
namespace
{

constexpr std::uint64_t kSomeMs = 1700000000000ULL; /* 2023-11-14 */

/* A session's generator driven by a scripted clock; random bits worst-case (all ones then all zeros). */
class V7Session
{
public:
	UuidBytes Next(std::uint64_t clock_ns)
	{
		const std::uint64_t next = NextV7Position(last_, V7PositionFromNs(clock_ns));
		EXPECT_NE(next, kMustWait);
		last_ = next;
		UuidBytes out{};
		WriteV7Counter(out.data(), V7PositionMillis(last_), V7PositionCounter(last_),
		               (calls_++ % 2) ? 0 : ~std::uint64_t{0});
		return out;
	}
	std::uint64_t last_ns() const { return V7PositionNs(last_); }

private:
	std::uint64_t last_ = 0;
	std::uint64_t calls_ = 0;
};

void ExpectStrictlyIncreasing(const std::vector<UuidBytes> &ids)
{
	for (std::size_t i = 1; i < ids.size(); i++)
		ASSERT_LT(ids[i - 1], ids[i]) << "at index " << i;
}

TEST(OrderingV7, FirstCallUsesTheClock)
{
	EXPECT_EQ(NextV7Position(0, V7PositionFromNs(kSomeMs * kNsPerMs)), kSomeMs << kV7CounterBits);
}

TEST(OrderingV7, BurstWithinOneFractionTickIsStrictlyIncreasing)
{
	V7Session session;
	std::vector<UuidBytes> ids;
	for (int i = 0; i < 1000; i++)
		ids.push_back(session.Next(kSomeMs * kNsPerMs + 100)); /* the clock does not move at all */
	ExpectStrictlyIncreasing(ids);
}

TEST(OrderingV7, BurstBeyondTheFractionStaysWithinOneMillisecondOfTheClock)
{
	/* uuid7 1.6 ran 12288 ids 3 ms ahead of a frozen clock (245 ns each); the counter bits now absorb them. */
	V7Session session;
	std::vector<UuidBytes> ids;
	for (int i = 0; i < 3 * 4096; i++)
		ids.push_back(session.Next(kSomeMs * kNsPerMs));
	ExpectStrictlyIncreasing(ids);
	EXPECT_EQ(RawV7Millis(ids.front().data()), kSomeMs);
	EXPECT_EQ(RawV7Millis(ids.back().data()), kSomeMs); /* 2048 fraction steps, then the counter */
}

TEST(OrderingV7, ClockSteppingBackNeverReorders)
{
	V7Session session;
	std::vector<UuidBytes> ids;
	ids.push_back(session.Next(kSomeMs * kNsPerMs));
	ids.push_back(session.Next((kSomeMs - 5000) * kNsPerMs)); /* NTP steps back five seconds */
	ids.push_back(session.Next((kSomeMs - 4999) * kNsPerMs));
	ids.push_back(session.Next(kSomeMs * kNsPerMs + 1)); /* back where it was, 1 ns later */
	ExpectStrictlyIncreasing(ids);
	/* the embedded time stays with the newest reading rather than following the clock back */
	EXPECT_EQ(RawV7Millis(ids[1].data()), kSomeMs);
}

TEST(OrderingV7, ReturnsToTheRealClockOnceItOvertakes)
{
	V7Session session;
	for (int i = 0; i < 100; i++)
		session.Next(kSomeMs * kNsPerMs);
	const std::uint64_t later = (kSomeMs + 10) * kNsPerMs;
	session.Next(later);
	EXPECT_EQ(session.last_ns(), later);
}

TEST(OrderingV7, PositionInstantRoundTrip)
{
	/* The instant handed to migration keys and shifted uuids has the position's millisecond and fraction. */
	for (std::uint64_t offset = 0; offset < kNsPerMs; offset += 7)
	{
		const std::uint64_t position = V7PositionFromNs(kSomeMs * kNsPerMs + offset);
		ASSERT_EQ(V7PositionFromNs(V7PositionNs(position)), position) << "offset " << offset;
		ASSERT_LE(V7PositionNs(position), kSomeMs * kNsPerMs + offset) << "offset " << offset;
	}
}

TEST(OrderingV6, BurstAndClockStepBackAreStrictlyIncreasing)
{
	std::uint64_t last = 0;
	std::vector<UuidBytes> ids;
	const std::uint64_t now = GregorianTicksFromUnixNs(kSomeMs * kNsPerMs);
	for (int i = 0; i < 5000; i++)
	{
		/* second half: clock one second back */
		last = NextV6Position(last, V6PositionFromTicks(i < 2500 ? now : now - 10000000));
		ASSERT_NE(last, kMustWait);
		UuidBytes out{};
		WriteV6Counter(out.data(), V6PositionTicks(last), static_cast<std::uint32_t>(last & kV6CounterMask),
		               (i % 2) ? 0 : ~std::uint64_t{0});
		ids.push_back(out);
	}
	ExpectStrictlyIncreasing(ids);
}

TEST(OrderingV6, GregorianConversionMatchesTheRfcVector)
{
	/* Appendix A: 2022-02-22 19:22:22 UTC is tick 0x1EC9414C232AB00. */
	EXPECT_EQ(GregorianTicksFromUnixNs(1645557742000ULL * kNsPerMs), 0x1EC9414C232AB00ULL);
}

} // namespace
} // namespace uuid7
