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
		last_ns_ = NextV7Instant(last_ns_, clock_ns);
		UuidBytes out{};
		WriteV7(out.data(), last_ns_, (calls_++ % 2) ? 0 : ~std::uint64_t{0});
		return out;
	}
	std::uint64_t last_ns() const { return last_ns_; }

private:
	std::uint64_t last_ns_ = 0;
	std::uint64_t calls_ = 0;
};

void ExpectStrictlyIncreasing(const std::vector<UuidBytes> &ids)
{
	for (std::size_t i = 1; i < ids.size(); i++)
		ASSERT_LT(ids[i - 1], ids[i]) << "at index " << i;
}

TEST(OrderingV7, FirstCallUsesTheClock)
{
	EXPECT_EQ(NextV7Instant(0, kSomeMs * kNsPerMs), kSomeMs * kNsPerMs);
}

TEST(OrderingV7, BurstWithinOneFractionTickIsStrictlyIncreasing)
{
	V7Session session;
	std::vector<UuidBytes> ids;
	for (int i = 0; i < 1000; i++)
		ids.push_back(session.Next(kSomeMs * kNsPerMs + 100)); /* the clock does not move at all */
	ExpectStrictlyIncreasing(ids);
}

TEST(OrderingV7, FractionOverflowCarriesIntoTheNextMillisecond)
{
	V7Session session;
	std::vector<UuidBytes> ids;
	for (int i = 0; i < 3 * 4096; i++)
		ids.push_back(session.Next(kSomeMs * kNsPerMs));
	ExpectStrictlyIncreasing(ids);
	/* 12288 steps of 245 ns run about 3 ms ahead of the frozen clock. */
	EXPECT_EQ(RawV7Millis(ids.back().data()), kSomeMs + 3);
	EXPECT_EQ(RawV7Millis(ids.front().data()), kSomeMs);
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

TEST(OrderingV7, InstantsOneStepApartNeverShareAFraction)
{
	/* The minimal step must move the 12-bit fraction wherever in the millisecond it starts. */
	for (std::uint64_t offset = 0; offset < kNsPerMs; offset += 7)
	{
		const std::uint64_t a = kSomeMs * kNsPerMs + offset;
		const std::uint64_t b = a + kV7MinimalStepNs;
		const bool ordered = b / kNsPerMs > a / kNsPerMs || V7Fraction(b) > V7Fraction(a);
		ASSERT_TRUE(ordered) << "offset " << offset;
	}
}

TEST(OrderingV6, BurstAndClockStepBackAreStrictlyIncreasing)
{
	std::uint64_t last = 0;
	std::vector<UuidBytes> ids;
	const std::uint64_t now = GregorianTicksFromUnixNs(kSomeMs * kNsPerMs);
	for (int i = 0; i < 5000; i++)
	{
		last = NextV6Tick(last, i < 2500 ? now : now - 10000000); /* second half: clock one second back */
		UuidBytes out{};
		WriteV6(out.data(), last, (i % 2) ? 0 : 0x3FFF, (i % 2) ? 0 : 0xFFFFFFFFFFFFULL);
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
