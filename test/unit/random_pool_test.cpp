/*
 * random_pool_test.cpp — the pool hands out each byte once, asks for refills, and refuses a block filled by
 * another process (the fork() case).
 */
#include "core/random_pool.hpp"

#include <gtest/gtest.h>

#include <set>

namespace uuid7
{
namespace
{

void Fill(RandomPool &pool, std::int64_t owner, std::uint8_t seed)
{
	std::uint8_t *target = pool.RefillTarget();
	for (std::size_t i = 0; i < RandomPool::kCapacity; i++)
		target[i] = static_cast<std::uint8_t>(seed + i);
	pool.MarkFilled(owner);
}

TEST(RandomPool, EmptyUntilFilled)
{
	RandomPool pool;
	EXPECT_EQ(pool.Take(8, 42), nullptr);
	std::uint64_t value = 0;
	EXPECT_FALSE(pool.TakeU64(42, value));
}

TEST(RandomPool, HandsOutEveryByteOnceThenAsksForARefill)
{
	RandomPool pool;
	Fill(pool, 42, 0);
	std::set<const std::uint8_t *> seen;
	for (std::size_t i = 0; i < RandomPool::kCapacity / 8; i++)
	{
		const std::uint8_t *p = pool.Take(8, 42);
		ASSERT_NE(p, nullptr);
		EXPECT_TRUE(seen.insert(p).second);
	}
	EXPECT_EQ(pool.Take(1, 42), nullptr);
	Fill(pool, 42, 1);
	EXPECT_NE(pool.Take(1, 42), nullptr);
}

TEST(RandomPool, RefusesABlockFilledByAnotherProcess)
{
	RandomPool pool;
	Fill(pool, 100, 0); /* e.g. the postmaster, before fork() */
	EXPECT_EQ(pool.Take(8, 101), nullptr);
	Fill(pool, 101, 7); /* the child refills on first use */
	const std::uint8_t *p = pool.Take(1, 101);
	ASSERT_NE(p, nullptr);
	EXPECT_EQ(*p, 7);
}

TEST(RandomPool, TakeU64ConsumesEightBytes)
{
	RandomPool pool;
	Fill(pool, 1, 0);
	std::uint64_t a = 0, b = 0;
	ASSERT_TRUE(pool.TakeU64(1, a));
	ASSERT_TRUE(pool.TakeU64(1, b));
	EXPECT_NE(a, b);
	EXPECT_EQ(*pool.Take(1, 1), 16);
}

} // namespace
} // namespace uuid7
