/*
 * migrate_keygen.hpp — new keys for a migration: v7 or v6 uuids that increase strictly in the order they are made.
 *
 * The migration numbers the rows of a table in old-key order (or timestamp-column order, ties by old key) and
 * asks for one uuid per row. A candidate is built from the row's time and fresh random bits; when it would not
 * sort after the previous uuid of the same run (same time bucket, or a time that went backwards), the previous
 * uuid is advanced instead, so ordering by the new key always equals the order of the run.
 */
#pragma once

#include "core/uuid_layout.hpp"

#include <cstdint>

namespace uuid7
{

/*
 * out = the next v7 after `last` (nullptr: first of the run) for an instant anywhere in the v7 range (a row's
 * timestamp, up to 10889). random_bits supplies rand_b for a fresh candidate, or the size of the step when `last`
 * must be advanced.
 */
void NextMigrationV7(std::uint8_t *out, const std::uint8_t *last, V7Instant at, std::uint64_t random_bits) noexcept;
/* Likewise for an instant in ns since the Unix epoch: a clock reading (before 2554, see core/ordering.hpp). */
void NextMigrationV7(std::uint8_t *out, const std::uint8_t *last, std::uint64_t unix_ns,
					 std::uint64_t random_bits) noexcept;
/* Likewise for v6, the time in 100-ns Gregorian ticks (the clock sequence is advanced on a tie). */
void NextMigrationV6(std::uint8_t *out, const std::uint8_t *last, std::uint64_t gregorian_ticks,
					 std::uint64_t random_bits) noexcept;

} // namespace uuid7
