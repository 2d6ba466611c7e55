/*
 * migrate_derive_test.cpp — deterministic migration keys: the signed message and the v7 layout of the result.
 */
#include "core/migrate_derive.hpp"
#include "core/uuid_layout.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace uuid7
{
namespace
{

std::string Message(const std::string &schema, const std::string &table, std::int64_t key)
{
	std::string msg(DerivedKeyMessageSize(schema.size(), table.size()), '\0');
	WriteDerivedKeyMessage(reinterpret_cast<std::uint8_t *>(&msg[0]), schema.data(), schema.size(), table.data(),
	                       table.size(), key);
	return msg;
}

TEST(MigrateDerive, MessageIsLabelLengthsNamesAndKey)
{
	const std::string msg = Message("public", "users", 258);
	const std::string expected = std::string("uuid7 derived key v1\0", 21) + std::string("\0\0\0\6", 4) + "public" +
	                             std::string("\0\0\0\5", 4) + "users" + std::string("\0\0\0\0\0\0\1\2", 8);
	EXPECT_EQ(msg, expected);
}

TEST(MigrateDerive, MessageSeparatesSchemaFromTable)
{
	/* "a.b"."c" and "a"."b.c" print alike when joined with a dot; their messages differ */
	EXPECT_NE(Message("a.b", "c", 1), Message("a", "b.c", 1));
	EXPECT_NE(Message("ab", "c", 1), Message("a", "bc", 1));
	EXPECT_NE(Message("s", "t", 1), Message("s", "t", 2));
	/* a negative key is its two's complement, not a shorter encoding */
	const std::string neg = Message("s", "t", -1);
	EXPECT_EQ(neg.substr(neg.size() - 8), std::string(8, '\xff'));
}

TEST(MigrateDerive, LayoutIsV7WithTheOldKeyAsTime)
{
	std::uint8_t digest[kDerivedDigestSize];
	for (std::size_t i = 0; i < sizeof digest; i++)
		digest[i] = static_cast<std::uint8_t>(0xF0 + i);
	std::uint8_t out[kUuidSize];
	ASSERT_TRUE(WriteDerivedV7(out, 0x0102030405LL, digest));
	EXPECT_EQ(out[6] >> 4, 7);      /* version 7 */
	EXPECT_EQ(out[8] & 0xC0, 0x80); /* RFC 9562 variant */
	const std::uint8_t time[6] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05};
	EXPECT_EQ(std::memcmp(out, time, 6), 0); /* unix_ts_ms = the old key */
	/* rand_a: the low 12 bits of digest bytes 0-1 (F0 F1 -> 0x0F1) */
	EXPECT_EQ(out[6] & 0x0F, 0x0);
	EXPECT_EQ(out[7], 0xF1);
	/* rand_b: the low 62 bits of digest bytes 2-9 */
	EXPECT_EQ(out[8] & 0x3F, 0xF2 & 0x3F);
	for (int i = 9; i < 16; i++)
		EXPECT_EQ(out[i], 0xF0 + (i - 6)) << i;
}

TEST(MigrateDerive, OrderFollowsTheOldKeyWhateverTheDigest)
{
	std::uint8_t high[kDerivedDigestSize], low[kDerivedDigestSize];
	std::memset(high, 0xFF, sizeof high);
	std::memset(low, 0x00, sizeof low);
	std::uint8_t a[kUuidSize], b[kUuidSize];
	for (std::int64_t key :
	     {std::int64_t{0}, std::int64_t{1}, std::int64_t{41}, std::int64_t{1} << 40, kDerivedMaxOldKey - 1})
	{
		ASSERT_TRUE(WriteDerivedV7(a, key, high));
		ASSERT_TRUE(WriteDerivedV7(b, key + 1, low));
		EXPECT_LT(std::memcmp(a, b, kUuidSize), 0) << key;
	}
}

TEST(MigrateDerive, RefusesKeysOutsideTheTimeField)
{
	std::uint8_t digest[kDerivedDigestSize] = {};
	std::uint8_t out[kUuidSize];
	std::memset(out, 0xAB, sizeof out);
	EXPECT_FALSE(WriteDerivedV7(out, -1, digest));
	EXPECT_FALSE(WriteDerivedV7(out, kDerivedMaxOldKey + 1, digest));
	EXPECT_FALSE(WriteDerivedV7(out, INT64_MIN, digest));
	EXPECT_FALSE(WriteDerivedV7(out, INT64_MAX, digest));
	for (std::uint8_t byte : out)
		EXPECT_EQ(byte, 0xAB); /* untouched */
	EXPECT_TRUE(WriteDerivedV7(out, kDerivedMaxOldKey, digest));
	EXPECT_EQ(out[0], 0xFF);
	EXPECT_EQ(out[5], 0xFF);
}

} // namespace
} // namespace uuid7
