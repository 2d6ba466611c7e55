/*
 * uuid_layout.hpp — RFC 9562 bit layouts of versions 1, 6 and 7.
 *
 * Writers take the field values and produce the 16 big-endian bytes; readers take the bytes apart. Writers are
 * noexcept and mask their inputs to field width: range checks belong to the caller, which knows what to report.
 * Readers that expect one version throw uuid7::Error naming the version they found.
 */
#pragma once

#include "core/time_units.hpp"

#include <array>
#include <cstdint>
#include <optional>

namespace uuid7
{

constexpr std::size_t kUuidSize = 16;
using UuidBytes = std::array<std::uint8_t, kUuidSize>;

/* Largest values of the time fields. */
constexpr std::uint64_t kMaxV7Millis = (std::uint64_t{1} << 48) - 1;
constexpr std::uint64_t kMaxGregorianTicks = (std::uint64_t{1} << 60) - 1;
/* v7 sub-millisecond fraction: 12 bits, as in PostgreSQL 18 (RFC 9562 §6.2 method 3). */
constexpr unsigned kV7FractionBits = 12;

/* True when the variant bits are 10 (RFC 9562); only such uuids have a meaningful version field. */
bool IsRfcVariant(const std::uint8_t *bytes) noexcept;
/* The 4-bit version field, whatever the variant. */
int VersionField(const std::uint8_t *bytes) noexcept;
/* The version of an RFC 9562 uuid, or nullopt for any other variant (nil and max included). */
std::optional<int> RfcVersion(const std::uint8_t *bytes) noexcept;

/*
 * A v7 instant as the Unix millisecond and the nanoseconds within it. Every instant of the v7 range (up to
 * kMaxV7Millis, 10889-08-02 05:31:50.655 UTC) fits, whereas a count of nanoseconds since 1970 in 64 bits wraps
 * at 2^64 ns (2554-07-21 23:34:33.709551616 UTC): instants that do not come from the clock (a given timestamp,
 * a shifted one) are carried this way.
 */
struct V7Instant
{
	std::uint64_t unix_ms;
	std::uint32_t ns_of_ms; /* 0 .. kNsPerMs - 1 */
};

/* From ns since the Unix epoch: any uint64, so instants before 2554-07-21 (the clock's). */
constexpr V7Instant V7InstantFromNs(std::uint64_t unix_ns) noexcept
{
	return V7Instant{unix_ns / kNsPerMs, static_cast<std::uint32_t>(unix_ns % kNsPerMs)};
}

/*
 * From µs since the Unix epoch and the ns within that µs (0 .. 999). Nothing is scaled up to ns, so it holds for
 * every µs count, the whole v7 range included.
 */
constexpr V7Instant V7InstantFromUs(std::uint64_t unix_us, std::uint32_t ns_of_us = 0) noexcept
{
	return V7Instant{unix_us / kUsPerMs, static_cast<std::uint32_t>(unix_us % kUsPerMs * kNsPerUs) + ns_of_us};
}

/*
 * v7: unix_ts_ms 48 | ver 4 | rand_a 12 | var 2 | rand_b 62.
 * The instant picks unix_ts_ms and rand_a (the 12-bit fraction of the millisecond); random_bits fills rand_b.
 */
void WriteV7(std::uint8_t *out, V7Instant at, std::uint64_t random_bits) noexcept;
/* The same from ns since the Unix epoch: the generators' path (clock readings, see ordering.hpp). */
void WriteV7(std::uint8_t *out, std::uint64_t unix_ns, std::uint64_t random_bits) noexcept;
/*
 * The generators' ordered v7 (core/ordering.hpp): a 20-bit counter within the millisecond fills rand_a (its top 12
 * bits, which start at the clock's fraction of the millisecond) and the top 8 bits of rand_b; the other 54 bits of
 * rand_b come from random_bits.
 */
constexpr unsigned kV7CounterBits = 20;
constexpr unsigned kV7RandBCounterBits = kV7CounterBits - kV7FractionBits;
void WriteV7Counter(std::uint8_t *out, std::uint64_t unix_ms, std::uint32_t counter, std::uint64_t random_bits) noexcept;
/* v7 from explicit fields: rand_a is taken as given (masked to 12 bits). */
void WriteV7Fields(std::uint8_t *out, std::uint64_t unix_ms, std::uint16_t rand_a, std::uint64_t rand_b) noexcept;
/* The 12-bit fraction of the millisecond for ns_of_ms nanoseconds into it (0 .. kNsPerMs - 1). */
std::uint16_t V7FractionOfMs(std::uint32_t ns_of_ms) noexcept;
/* The 12-bit fraction of the millisecond that contains unix_ns. */
std::uint16_t V7Fraction(std::uint64_t unix_ns) noexcept;
/* unix_ts_ms of a uuid read without any check (for the pg_uuidv7-compatible readers). */
std::uint64_t RawV7Millis(const std::uint8_t *bytes) noexcept;
/* unix_ts_ms of an RFC 9562 version 7 uuid; throws kInvalidParameter for anything else. */
std::uint64_t V7Millis(const std::uint8_t *bytes);

/* v6: time_high 32 | time_mid 16 | ver 4 | time_low 12 | var 2 | clock_seq 14 | node 48. */
void WriteV6(std::uint8_t *out, std::uint64_t gregorian_ticks, std::uint16_t clock_seq, std::uint64_t node) noexcept;
/*
 * v6 for a generator: clock_seq and node drawn from 64 random bits, with the node's multicast bit set as RFC 9562
 * §6.10 asks of a random node (so it can never be mistaken for a real MAC address).
 */
void WriteRandomV6(std::uint8_t *out, std::uint64_t gregorian_ticks, std::uint64_t random_bits) noexcept;
/*
 * The generators' ordered v6 (core/ordering.hpp): a 6-bit counter within the tick fills the top of clock_seq; its
 * low 8 bits and the node come from random_bits (bits 56-63 and 0-47), the node's multicast bit set.
 */
constexpr unsigned kV6CounterBits = 6;
void WriteV6Counter(std::uint8_t *out, std::uint64_t gregorian_ticks, std::uint32_t counter,
                    std::uint64_t random_bits) noexcept;
constexpr std::uint64_t kNodeMulticastBit = std::uint64_t{1}
                                            << 40; /* least significant bit of the node's first octet */
/* v1: time_low 32 | time_mid 16 | ver 4 | time_high 12 | var 2 | clock_seq 14 | node 48. */
void WriteV1(std::uint8_t *out, std::uint64_t gregorian_ticks, std::uint16_t clock_seq, std::uint64_t node) noexcept;
/* 60-bit timestamps of v6 and v1 read without a version check. */
std::uint64_t RawV6Ticks(const std::uint8_t *bytes) noexcept;
std::uint64_t RawV1Ticks(const std::uint8_t *bytes) noexcept;
/* Gregorian ticks of an RFC 9562 v6 or v1 uuid; throws kInvalidParameter for anything else. */
std::uint64_t V6OrV1Ticks(const std::uint8_t *bytes);

/* RFC 9562 reorderings: same time, clock sequence and node. Throw kInvalidParameter on the wrong version. */
UuidBytes V1ToV6(const std::uint8_t *bytes);
UuidBytes V6ToV1(const std::uint8_t *bytes);

/* Smallest and largest v7 uuids of one millisecond (all random bits 0, respectively 1). */
UuidBytes V7LowerBound(std::uint64_t unix_ms) noexcept;
UuidBytes V7UpperBound(std::uint64_t unix_ms) noexcept;

} // namespace uuid7
