/*
 * layout_test.cpp — bit layouts of v1, v6 and v7 against RFC 9562 Appendix A and the field definitions.
 */
#include "core/error.hpp"
#include "core/uuid_layout.hpp"
#include "uuid_text.hpp"

#include <gtest/gtest.h>

namespace uuid7
{
namespace
{

using test::Format;
using test::Parse;

/* Appendix A: all three encode 2022-02-22 19:22:22 UTC. */
const char *const kV1Vector = "c232ab00-9414-11ec-b3c8-9f6bdeced846";
const char *const kV6Vector = "1ec9414c-232a-6b00-b3c8-9f6bdeced846";
const char *const kV7Vector = "017f22e2-79b0-7cc3-98c4-dc0c0c07398f";
constexpr std::uint64_t kVectorTicks = 0x1EC9414C232AB00ULL;
constexpr std::uint16_t kVectorClockSeq = 0x33C8;
constexpr std::uint64_t kVectorNode = 0x9F6BDECED846ULL;
constexpr std::uint64_t kVectorMillis = 1645557742000ULL;

TEST(LayoutV7, WritesAppendixAVector)
{
	UuidBytes out{};
	WriteV7Fields(out.data(), 0x017F22E279B0ULL, 0xCC3, 0x18C4DC0C0C07398FULL);
	EXPECT_EQ(Format(out), kV7Vector);
}

TEST(LayoutV7, ReadsAppendixAVector)
{
	const UuidBytes v7 = Parse(kV7Vector);
	EXPECT_EQ(V7Millis(v7.data()), kVectorMillis);
	EXPECT_EQ(RfcVersion(v7.data()), 7);
}

TEST(LayoutV7, FractionIsTwelveBitsOfTheMillisecond)
{
	EXPECT_EQ(V7Fraction(0), 0);
	EXPECT_EQ(V7Fraction(kNsPerMs - 1), 4095);
	EXPECT_EQ(V7Fraction(kNsPerMs), 0);
	EXPECT_EQ(V7Fraction(244140), 999);  /* 244140 ns * 4096 / 1e6 = 999.998 */
	EXPECT_EQ(V7Fraction(244141), 1000); /* = 1000.001 */
	EXPECT_EQ(V7Fraction(5 * kNsPerMs + 500000), 2048);
}

TEST(LayoutV7, WriteSetsVersionVariantTimeAndRandomBits)
{
	UuidBytes out{};
	const std::uint64_t ns = kVectorMillis * kNsPerMs + 500000;
	WriteV7(out.data(), ns, ~std::uint64_t{0});
	EXPECT_EQ(Format(out), "017f22e2-79b0-7800-bfff-ffffffffffff");
	WriteV7(out.data(), ns, 0);
	EXPECT_EQ(Format(out), "017f22e2-79b0-7800-8000-000000000000");
}

TEST(LayoutV7, BoundsAreTheRangeEdges)
{
	EXPECT_EQ(Format(V7LowerBound(0)), "00000000-0000-7000-8000-000000000000");
	EXPECT_EQ(Format(V7UpperBound(kMaxV7Millis)), "ffffffff-ffff-7fff-bfff-ffffffffffff");
	EXPECT_EQ(Format(V7LowerBound(kVectorMillis)), "017f22e2-79b0-7000-8000-000000000000");
	EXPECT_EQ(Format(V7UpperBound(kVectorMillis)), "017f22e2-79b0-7fff-bfff-ffffffffffff");
	const UuidBytes vector = Parse(kV7Vector);
	EXPECT_LT(V7LowerBound(kVectorMillis), vector);
	EXPECT_GT(V7UpperBound(kVectorMillis), vector);
	EXPECT_LT(V7UpperBound(kVectorMillis), V7LowerBound(kVectorMillis + 1));
}

TEST(LayoutV6, WritesAppendixAVector)
{
	UuidBytes out{};
	WriteV6(out.data(), kVectorTicks, kVectorClockSeq, kVectorNode);
	EXPECT_EQ(Format(out), kV6Vector);
	EXPECT_EQ(RawV6Ticks(out.data()), kVectorTicks);
	EXPECT_EQ(V6OrV1Ticks(out.data()), kVectorTicks);
}

TEST(LayoutV1, WritesAppendixAVector)
{
	UuidBytes out{};
	WriteV1(out.data(), kVectorTicks, kVectorClockSeq, kVectorNode);
	EXPECT_EQ(Format(out), kV1Vector);
	EXPECT_EQ(RawV1Ticks(out.data()), kVectorTicks);
	EXPECT_EQ(V6OrV1Ticks(out.data()), kVectorTicks);
}

TEST(LayoutV1V6, ReorderingsMapTheVectorsOntoEachOther)
{
	EXPECT_EQ(Format(V1ToV6(Parse(kV1Vector).data())), kV6Vector);
	EXPECT_EQ(Format(V6ToV1(Parse(kV6Vector).data())), kV1Vector);
}

TEST(LayoutV1V6, ReorderingsRoundTripEveryTimeBit)
{
	for (std::uint64_t ticks :
	     {std::uint64_t{0}, std::uint64_t{1}, kMaxGregorianTicks, std::uint64_t{0x0123456789ABCDE}})
	{
		UuidBytes v1{};
		WriteV1(v1.data(), ticks, 0x1234, 0x0102030405060ULL);
		const UuidBytes v6 = V1ToV6(v1.data());
		EXPECT_EQ(RawV6Ticks(v6.data()), ticks);
		EXPECT_EQ(V6ToV1(v6.data()), v1);
	}
}

TEST(LayoutV6, SortsByTimeAsBytes)
{
	UuidBytes earlier{}, later{};
	WriteV6(earlier.data(), 0x0FFF, 0x3FFF, 0xFFFFFFFFFFFFULL); /* low time bits all set */
	WriteV6(later.data(), 0x1000, 0, 0);                        /* carries into time_mid */
	EXPECT_LT(earlier, later);
}

TEST(LayoutVersion, ReadsEveryVersionOfTheRfcVectors)
{
	EXPECT_EQ(RfcVersion(Parse(kV1Vector).data()), 1);
	EXPECT_EQ(RfcVersion(Parse("5df41881-3aed-3515-88a7-2f4a814cf09e").data()), 3);
	EXPECT_EQ(RfcVersion(Parse("919108f7-52d1-4320-9bac-f847db4148a8").data()), 4);
	EXPECT_EQ(RfcVersion(Parse("2ed6657d-e927-568b-95e1-2665a8aea6a2").data()), 5);
	EXPECT_EQ(RfcVersion(Parse(kV6Vector).data()), 6);
	EXPECT_EQ(RfcVersion(Parse(kV7Vector).data()), 7);
}

TEST(LayoutVersion, NonRfcVariantsHaveNoVersion)
{
	EXPECT_FALSE(RfcVersion(Parse("00000000-0000-0000-0000-000000000000").data()).has_value());
	EXPECT_FALSE(RfcVersion(Parse("ffffffff-ffff-ffff-ffff-ffffffffffff").data()).has_value());
	/* version nibble 7 but variant 110 (Microsoft) */
	EXPECT_FALSE(RfcVersion(Parse("017f22e2-79b0-7cc3-c8c4-dc0c0c07398f").data()).has_value());
}

/* The thrown error names what it found: the message users see comes from here. */
std::string WrongVersionMessage(const char *text)
{
	try
	{
		V7Millis(Parse(text).data());
	}
	catch (const Error &e)
	{
		EXPECT_EQ(e.kind(), ErrorKind::kInvalidParameter);
		return e.what();
	}
	return "no error";
}

TEST(LayoutErrors, WrongVersionNamesTheVersionFound)
{
	EXPECT_EQ(WrongVersionMessage("919108f7-52d1-4320-9bac-f847db4148a8"),
	          "expected a version 7 uuid, got a version 4 uuid");
	EXPECT_EQ(WrongVersionMessage("017f22e2-79b0-7cc3-c8c4-dc0c0c07398f"),
	          "expected a version 7 uuid, got a uuid of a non-RFC 9562 variant");
	EXPECT_THROW(V6OrV1Ticks(Parse(kV7Vector).data()), Error);
	EXPECT_THROW(V1ToV6(Parse(kV6Vector).data()), Error);
	EXPECT_THROW(V6ToV1(Parse(kV1Vector).data()), Error);
}

TEST(LayoutRaw, PgUuidv7ReadersIgnoreTheVersion)
{
	EXPECT_EQ(RawV7Millis(Parse("017f22e2-79b0-4cc3-98c4-dc0c0c07398f").data()), kVectorMillis);
}

} // namespace
} // namespace uuid7

namespace uuid7
{
namespace
{

TEST(LayoutV6, RandomNodeHasTheMulticastBitAndRandomBitsElsewhere)
{
	UuidBytes zeros{}, ones{};
	WriteRandomV6(zeros.data(), 0x1EC9414C232AB00ULL, 0);
	WriteRandomV6(ones.data(), 0x1EC9414C232AB00ULL, ~std::uint64_t{0});
	EXPECT_EQ(test::Format(zeros), "1ec9414c-232a-6b00-8000-010000000000");
	EXPECT_EQ(test::Format(ones), "1ec9414c-232a-6b00-bfff-ffffffffffff");
}

} // namespace
} // namespace uuid7
