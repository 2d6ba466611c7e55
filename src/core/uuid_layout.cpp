/*
 * uuid_layout.cpp — RFC 9562 bit layouts of versions 1, 6 and 7 (see uuid_layout.hpp).
 *
 * A uuid is handled as two big-endian 64-bit halves: `high` holds the time and version fields, `low` the
 * variant and the random/clock-sequence/node fields. Boost.Endian does every byte-order conversion.
 */
#include "core/uuid_layout.hpp"

#include "core/error.hpp"

#include <boost/endian/conversion.hpp>

#include <string>

namespace uuid7
{
namespace
{

constexpr std::uint64_t kVariantRfc = 0x8000000000000000ULL;     /* variant bits 10 at the top of `low` */
constexpr std::uint64_t kLowPayloadMask = 0x3FFFFFFFFFFFFFFFULL; /* the 62 bits below the variant */
constexpr std::uint64_t kNodeMask = 0xFFFFFFFFFFFFULL;
constexpr std::uint16_t kClockSeqMask = 0x3FFF;

std::uint64_t High(const std::uint8_t *bytes) noexcept
{
	return boost::endian::load_big_u64(bytes);
}
std::uint64_t Low(const std::uint8_t *bytes) noexcept
{
	return boost::endian::load_big_u64(bytes + 8);
}

void Store(std::uint8_t *out, std::uint64_t high, std::uint64_t low) noexcept
{
	boost::endian::store_big_u64(out, high);
	boost::endian::store_big_u64(out + 8, low);
}

std::uint64_t ClockSeqAndNode(std::uint16_t clock_seq, std::uint64_t node) noexcept
{
	return kVariantRfc | (std::uint64_t{static_cast<std::uint16_t>(clock_seq & kClockSeqMask)} << 48) |
	       (node & kNodeMask);
}

/* The time-and-version halves of v6 and v1: the same 60-bit time, fields in a different order. */
std::uint64_t V6High(std::uint64_t gregorian_ticks) noexcept
{
	const std::uint64_t ticks = gregorian_ticks & kMaxGregorianTicks;
	return ((ticks >> 12) << 16) | 0x6000 | (ticks & 0x0FFF);
}

std::uint64_t V1High(std::uint64_t gregorian_ticks) noexcept
{
	const std::uint64_t ticks = gregorian_ticks & kMaxGregorianTicks;
	const std::uint64_t time_low = ticks & 0xFFFFFFFF;
	const std::uint64_t time_mid = (ticks >> 32) & 0xFFFF;
	const std::uint64_t time_high = (ticks >> 48) & 0x0FFF;
	return (time_low << 32) | (time_mid << 16) | 0x1000 | time_high;
}

std::string DescribeVersion(const std::uint8_t *bytes)
{
	if (!IsRfcVariant(bytes))
		return "a uuid of a non-RFC 9562 variant";
	return "a version " + std::to_string(VersionField(bytes)) + " uuid";
}

[[noreturn]] void ThrowWrongVersion(const std::uint8_t *bytes, const char *wanted)
{
	throw Error(ErrorKind::kInvalidParameter, std::string("expected ") + wanted + ", got " + DescribeVersion(bytes),
	            IsRfcVariant(bytes) ? std::string()
	                                : "The variant bits are not 10, so the version field carries no meaning.",
	            "uuid_version() tells which version a uuid has.");
}

bool IsRfcVersion(const std::uint8_t *bytes, int version) noexcept
{
	return IsRfcVariant(bytes) && VersionField(bytes) == version;
}

} // namespace

bool IsRfcVariant(const std::uint8_t *bytes) noexcept
{
	return (bytes[8] & 0xC0) == 0x80;
}

int VersionField(const std::uint8_t *bytes) noexcept
{
	return bytes[6] >> 4;
}

std::optional<int> RfcVersion(const std::uint8_t *bytes) noexcept
{
	if (!IsRfcVariant(bytes))
		return std::nullopt;
	return VersionField(bytes);
}

std::uint16_t V7FractionOfMs(std::uint32_t ns_of_ms) noexcept
{
	return static_cast<std::uint16_t>((std::uint64_t{ns_of_ms} << kV7FractionBits) / kNsPerMs);
}

std::uint16_t V7Fraction(std::uint64_t unix_ns) noexcept
{
	return V7FractionOfMs(static_cast<std::uint32_t>(unix_ns % kNsPerMs));
}

void WriteV7Fields(std::uint8_t *out, std::uint64_t unix_ms, std::uint16_t rand_a, std::uint64_t rand_b) noexcept
{
	const std::uint64_t high = ((unix_ms & kMaxV7Millis) << 16) | 0x7000 | (rand_a & 0x0FFF);
	Store(out, high, kVariantRfc | (rand_b & kLowPayloadMask));
}

void WriteV7(std::uint8_t *out, V7Instant at, std::uint64_t random_bits) noexcept
{
	WriteV7Fields(out, at.unix_ms, V7FractionOfMs(at.ns_of_ms), random_bits);
}

void WriteV7(std::uint8_t *out, std::uint64_t unix_ns, std::uint64_t random_bits) noexcept
{
	WriteV7(out, V7InstantFromNs(unix_ns), random_bits);
}

void WriteV7Counter(std::uint8_t *out, std::uint64_t unix_ms, std::uint32_t counter, std::uint64_t random_bits) noexcept
{
	constexpr unsigned kRandomBits = 62 - kV7RandBCounterBits;
	constexpr std::uint64_t kRandBCounterMask = (std::uint64_t{1} << kV7RandBCounterBits) - 1;
	const std::uint64_t rand_b = ((counter & kRandBCounterMask) << kRandomBits) |
	                             (random_bits & ((std::uint64_t{1} << kRandomBits) - 1));
	WriteV7Fields(out, unix_ms, static_cast<std::uint16_t>(counter >> kV7RandBCounterBits), rand_b);
}

std::uint64_t RawV7Millis(const std::uint8_t *bytes) noexcept
{
	return High(bytes) >> 16;
}

std::uint64_t V7Millis(const std::uint8_t *bytes)
{
	if (!IsRfcVersion(bytes, 7))
		ThrowWrongVersion(bytes, "a version 7 uuid");
	return RawV7Millis(bytes);
}

void WriteV6(std::uint8_t *out, std::uint64_t gregorian_ticks, std::uint16_t clock_seq, std::uint64_t node) noexcept
{
	Store(out, V6High(gregorian_ticks), ClockSeqAndNode(clock_seq, node));
}

void WriteRandomV6(std::uint8_t *out, std::uint64_t gregorian_ticks, std::uint64_t random_bits) noexcept
{
	WriteV6(out, gregorian_ticks, static_cast<std::uint16_t>(random_bits >> 48), random_bits | kNodeMulticastBit);
}

void WriteV6Counter(std::uint8_t *out, std::uint64_t gregorian_ticks, std::uint32_t counter,
                    std::uint64_t random_bits) noexcept
{
	constexpr unsigned kRandomSeqBits = 14 - kV6CounterBits;
	const auto clock_seq = static_cast<std::uint16_t>(
	    ((counter & ((1u << kV6CounterBits) - 1)) << kRandomSeqBits) | (random_bits >> (64 - kRandomSeqBits)));
	WriteV6(out, gregorian_ticks, clock_seq, random_bits | kNodeMulticastBit);
}

void WriteV1(std::uint8_t *out, std::uint64_t gregorian_ticks, std::uint16_t clock_seq, std::uint64_t node) noexcept
{
	Store(out, V1High(gregorian_ticks), ClockSeqAndNode(clock_seq, node));
}

std::uint64_t RawV6Ticks(const std::uint8_t *bytes) noexcept
{
	const std::uint64_t high = High(bytes);
	return ((high >> 16) << 12) | (high & 0x0FFF);
}

std::uint64_t RawV1Ticks(const std::uint8_t *bytes) noexcept
{
	const std::uint64_t high = High(bytes);
	const std::uint64_t time_low = high >> 32;
	const std::uint64_t time_mid = (high >> 16) & 0xFFFF;
	const std::uint64_t time_high = high & 0x0FFF;
	return (time_high << 48) | (time_mid << 32) | time_low;
}

std::uint64_t V6OrV1Ticks(const std::uint8_t *bytes)
{
	if (IsRfcVersion(bytes, 6))
		return RawV6Ticks(bytes);
	if (IsRfcVersion(bytes, 1))
		return RawV1Ticks(bytes);
	ThrowWrongVersion(bytes, "a version 6 or version 1 uuid");
}

/* The reorderings keep the low half (variant, clock sequence, node) bit for bit. */
UuidBytes V1ToV6(const std::uint8_t *bytes)
{
	if (!IsRfcVersion(bytes, 1))
		ThrowWrongVersion(bytes, "a version 1 uuid");
	UuidBytes out;
	Store(out.data(), V6High(RawV1Ticks(bytes)), Low(bytes));
	return out;
}

UuidBytes V6ToV1(const std::uint8_t *bytes)
{
	if (!IsRfcVersion(bytes, 6))
		ThrowWrongVersion(bytes, "a version 6 uuid");
	UuidBytes out;
	Store(out.data(), V1High(RawV6Ticks(bytes)), Low(bytes));
	return out;
}

UuidBytes V7LowerBound(std::uint64_t unix_ms) noexcept
{
	UuidBytes out;
	WriteV7Fields(out.data(), unix_ms, 0, 0);
	return out;
}

UuidBytes V7UpperBound(std::uint64_t unix_ms) noexcept
{
	UuidBytes out;
	WriteV7Fields(out.data(), unix_ms, 0x0FFF, kLowPayloadMask);
	return out;
}

} // namespace uuid7
