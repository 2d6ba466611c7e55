/*
 * time_units.hpp — the time constants shared by the layouts and the ordering rules.
 */
#pragma once

#include <cstdint>

namespace uuid7
{

constexpr std::uint64_t kNsPerUs = 1000;
constexpr std::uint64_t kNsPerMs = 1000000;
constexpr std::uint64_t kUsPerMs = 1000;
constexpr std::uint64_t kNsPerTick = 100; /* v1/v6 count 100-ns ticks */
constexpr std::uint64_t kTicksPerUs = 10;
/* Ticks from 1582-10-15 00:00 UTC (the Gregorian reform, the v1/v6 epoch) to the Unix epoch (RFC 9562 §5.1). */
constexpr std::uint64_t kGregorianToUnixTicks = 0x01B21DD213814000ULL;

} // namespace uuid7
