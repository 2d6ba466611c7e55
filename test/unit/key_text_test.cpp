/*
 * key_text_test.cpp — integer keys read from text and uuids written as text (declared text references).
 */
#include "core/key_text.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace uuid7
{
namespace
{

bool Parse(const std::string &text, std::int64_t *key)
{
	return ParseIntegerKey(text.data(), text.size(), key);
}

TEST(KeyText, ReadsDigitsWithAnOptionalMinus)
{
	std::int64_t key = 0;
	ASSERT_TRUE(Parse("42", &key));
	EXPECT_EQ(key, 42);
	ASSERT_TRUE(Parse("-7", &key));
	EXPECT_EQ(key, -7);
	ASSERT_TRUE(Parse("000123", &key));
	EXPECT_EQ(key, 123);
	ASSERT_TRUE(Parse("999999999999999999", &key));
	EXPECT_EQ(key, 999999999999999999LL);
	ASSERT_TRUE(Parse("-999999999999999999", &key));
	EXPECT_EQ(key, -999999999999999999LL);
}

TEST(KeyText, RefusesAnythingElseAndLeavesTheKey)
{
	std::int64_t key = 5;
	for (const char *bad : {"", "-", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "abc", "1234567890123456789", "--1"})
	{
		EXPECT_FALSE(Parse(bad, &key)) << bad;
		EXPECT_EQ(key, 5) << bad;
	}
}

TEST(KeyText, WritesTheCanonicalUuidText)
{
	const std::uint8_t bytes[16] = {0x01, 0x8f, 0xa2, 0x3b, 0xc4, 0xd5, 0x7e, 0x6f,
	                                0x80, 0x91, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6, 0xff};
	char out[kUuidTextLength + 1] = {};
	FormatUuid(bytes, out);
	EXPECT_STREQ(out, "018fa23b-c4d5-7e6f-8091-a2b3c4d5e6ff");
}

} // namespace
} // namespace uuid7
