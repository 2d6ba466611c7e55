/*
 * migrate_keymap_test.cpp — the migration's key map and its strictly increasing key generator.
 */
#include "core/migrate_keygen.hpp"
#include "core/migrate_keymap.hpp"
#include "core/uuid_layout.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace uuid7
{
namespace
{

KeyMapEntry Entry(std::int64_t key, std::uint8_t tag)
{
	KeyMapEntry e{};
	e.old_key = key;
	e.new_key[15] = tag;
	return e;
}

TEST(MigrateKeyMap, SortsAndFindsSparseKeys)
{
	std::vector<KeyMapEntry> entries = {Entry(1000000, 1), Entry(-5, 2), Entry(7, 3), Entry(INT64_MAX, 4),
										Entry(INT64_MIN, 5)};
	EXPECT_FALSE(KeyMapIsStrictlySorted(entries.data(), entries.size()));
	KeyMapSort(entries.data(), entries.size());
	EXPECT_TRUE(KeyMapIsStrictlySorted(entries.data(), entries.size()));
	EXPECT_EQ(KeyMapFirstDuplicate(entries.data(), entries.size()), entries.size());
	EXPECT_EQ(KeyMapDenseSlots(entries.data(), entries.size()), 0u); /* the span overflows: no direct index */
	for (auto key : {std::int64_t{1000000}, std::int64_t{-5}, std::int64_t{7}, INT64_MAX, INT64_MIN})
	{
		const KeyMapEntry *found = KeyMapFind(entries.data(), entries.size(), nullptr, 0, key);
		ASSERT_NE(found, nullptr);
		EXPECT_EQ(found->old_key, key);
	}
	EXPECT_EQ(KeyMapFind(entries.data(), entries.size(), nullptr, 0, 8), nullptr);
	EXPECT_EQ(KeyMapFind(entries.data(), 0, nullptr, 0, 8), nullptr);
}

TEST(MigrateKeyMap, DenseIndexMatchesBinarySearch)
{
	std::vector<KeyMapEntry> entries;
	for (std::int64_t k = 10; k < 1000; k += (k % 7 == 0 ? 3 : 1))
		entries.push_back(Entry(k, static_cast<std::uint8_t>(k)));
	const std::size_t nslots = KeyMapDenseSlots(entries.data(), entries.size());
	ASSERT_GT(nslots, 0u);
	std::vector<std::int32_t> slots(nslots);
	KeyMapFillDense(entries.data(), entries.size(), slots.data(), nslots);
	for (std::int64_t k = -3; k < 1010; k++)
		EXPECT_EQ(KeyMapFind(entries.data(), entries.size(), slots.data(), nslots, k),
				  KeyMapFind(entries.data(), entries.size(), nullptr, 0, k))
			<< k;
}

TEST(MigrateKeyMap, ReportsDuplicates)
{
	std::vector<KeyMapEntry> entries = {Entry(1, 1), Entry(2, 2), Entry(2, 3)};
	EXPECT_FALSE(KeyMapIsStrictlySorted(entries.data(), entries.size()));
	EXPECT_EQ(KeyMapFirstDuplicate(entries.data(), entries.size()), 2u);
}

TEST(MigrateKeygen, V7StrictlyIncreasesOnTiesAndBackwardTime)
{
	UuidBytes last{}, next{};
	NextMigrationV7(last.data(), nullptr, 1700000000000000000ULL, 0xFFFFFFFFFFFFFFFFULL);
	for (int i = 0; i < 10000; i++)
	{
		/* same instant, or earlier, with random bits that would sort lower */
		NextMigrationV7(next.data(), last.data(), 1700000000000000000ULL - (i % 3) * 1000000, i * 0x9E3779B97F4A7C15ULL);
		ASSERT_GT(std::memcmp(next.data(), last.data(), kUuidSize), 0) << i;
		ASSERT_EQ(RfcVersion(next.data()), 7);
		last = next;
	}
	EXPECT_EQ(RawV7Millis(last.data()), 1700000000000ULL); /* advancing stays in the millisecond */
}

TEST(MigrateKeygen, V7CarriesIncreasingTimes)
{
	UuidBytes last{}, next{};
	NextMigrationV7(last.data(), nullptr, 1000000, 0);
	NextMigrationV7(next.data(), last.data(), 5000000, 0);
	EXPECT_GT(std::memcmp(next.data(), last.data(), kUuidSize), 0);
	EXPECT_EQ(RawV7Millis(next.data()), 5u);
}

TEST(MigrateKeygen, V6StrictlyIncreasesOnTies)
{
	UuidBytes last{}, next{};
	NextMigrationV6(last.data(), nullptr, 0x1EC9414C232AB00ULL, 0xFFFFFFFFFFFFFFFFULL);
	for (int i = 0; i < 20000; i++)
	{
		NextMigrationV6(next.data(), last.data(), 0x1EC9414C232AB00ULL, i * 0x9E3779B97F4A7C15ULL);
		ASSERT_GT(std::memcmp(next.data(), last.data(), kUuidSize), 0) << i;
		ASSERT_EQ(RfcVersion(next.data()), 6);
		last = next;
	}
}

} // namespace
} // namespace uuid7
