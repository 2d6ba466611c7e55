/*
 * migrate_keygen.cpp — strictly increasing v7/v6 keys for a migration run (see migrate_keygen.hpp).
 */
#include "core/migrate_keygen.hpp"

#include "core/uuid_layout.hpp"

#include <boost/endian/conversion.hpp>

#include <cstring>

namespace uuid7
{
namespace
{

constexpr std::uint64_t kRandBMask = (std::uint64_t{1} << 62) - 1;
constexpr std::uint16_t kRandAMask = 0x0FFF;
constexpr std::uint16_t kClockSeqMask = 0x3FFF;
constexpr std::uint64_t kNodeMask = 0xFFFFFFFFFFFFULL;

bool SortsAfter(const std::uint8_t *candidate, const std::uint8_t *last) noexcept
{
	return std::memcmp(candidate, last, kUuidSize) > 0;
}

} // namespace

void NextMigrationV7(std::uint8_t *out, const std::uint8_t *last, std::uint64_t unix_ns,
					 std::uint64_t random_bits) noexcept
{
	NextMigrationV7(out, last, V7InstantFromNs(unix_ns), random_bits);
}

void NextMigrationV7(std::uint8_t *out, const std::uint8_t *last, V7Instant at, std::uint64_t random_bits) noexcept
{
	WriteV7(out, at, random_bits);
	if (last == nullptr || SortsAfter(out, last))
		return;

	/* Advance the previous uuid: rand_b by a random step of 1..65536, carrying into rand_a, then the millisecond. */
	std::uint64_t millis = boost::endian::load_big_u64(last) >> 16;
	std::uint16_t rand_a = boost::endian::load_big_u16(last + 6) & kRandAMask;
	std::uint64_t rand_b = boost::endian::load_big_u64(last + 8) & kRandBMask;
	const std::uint64_t step = 1 + (random_bits >> 48);
	if (rand_b > kRandBMask - step)
	{
		/* Restart rand_b in its lower half so the next few advances do not carry again at once. */
		rand_b = random_bits & (kRandBMask >> 1);
		if (rand_a == kRandAMask)
		{
			/*
			 * Cannot leave the v7 range: a row's time gives a fraction of at most 4091 (µs precision), and each carry
			 * after the first restarts rand_b 2^61 below its top, so reaching past kMaxV7Millis would take over 2^46
			 * rows of its last millisecond.
			 */
			rand_a = 0;
			millis++;
		}
		else
			rand_a++;
	}
	else
		rand_b += step;
	WriteV7Fields(out, millis, rand_a, rand_b);
}

void NextMigrationV6(std::uint8_t *out, const std::uint8_t *last, std::uint64_t gregorian_ticks,
					 std::uint64_t random_bits) noexcept
{
	WriteRandomV6(out, gregorian_ticks, random_bits);
	if (last == nullptr || SortsAfter(out, last))
		return;

	/* Advance the previous uuid: the clock sequence counts ties within one tick, then the tick moves on. */
	std::uint64_t ticks = RawV6Ticks(last);
	std::uint16_t clock_seq = boost::endian::load_big_u16(last + 8) & kClockSeqMask;
	const std::uint64_t node = boost::endian::load_big_u64(last + 8) & kNodeMask;
	if (clock_seq == kClockSeqMask)
	{
		clock_seq = 0;
		ticks++;
	}
	else
		clock_seq++;
	WriteV6(out, ticks, clock_seq, node);
}

} // namespace uuid7
