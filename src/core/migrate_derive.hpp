/*
 * migrate_derive.hpp — deterministic migration keys: a v7 uuid derived from (secret, table, old key).
 *
 * With the "deterministic_keys" option the migration does not draw new keys: each is a function of the secret, the
 * table's schema-qualified name and the row's old key, so the same rows migrated with the same secret get the same
 * uuids on every database (shards, staging copies, a rebuilt replica), and the same integer in two tables gets two
 * different uuids.
 *
 *   unix_ts_ms (48 bits)  = the old key itself (0 .. 2^48-1): distinct old keys give distinct uuids, and uuid order
 *                           is old-key order, whatever the hash gives; the key of a row does not depend on the other
 *                           rows (a rank would: one extra row on one copy would shift every later key)
 *   ver = 7, rand_a (12)  = digest bytes 0-1
 *   var = 0b10, rand_b (62) = digest bytes 2-9
 *
 * where digest = HMAC-SHA-256(secret, message) and message = DerivedKeyMessage(schema, table, old key). The HMAC
 * itself is computed by the caller (src/pg uses PostgreSQL's own); this file fixes the layout and the message, which
 * must never change once keys have been derived with them (the label carries a version for that reason).
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace uuid7
{

/* Bytes of the HMAC-SHA-256 digest the layout takes its bits from (it reads the first 10). */
constexpr std::size_t kDerivedDigestSize = 32;
/* The shortest secret accepted: 16 bytes (128 bits), the strength of the 74 bits it protects and more. */
constexpr std::size_t kDerivedMinSecret = 16;
/* Old keys that fit the 48-bit time field. */
constexpr std::int64_t kDerivedMinOldKey = 0;
constexpr std::int64_t kDerivedMaxOldKey = (std::int64_t{1} << 48) - 1;

constexpr bool DerivedKeyFits(std::int64_t old_key) noexcept
{
	return old_key >= kDerivedMinOldKey && old_key <= kDerivedMaxOldKey;
}

/*
 * The message the HMAC signs: the label "uuid7 derived key v1" and a zero byte, then the schema name and the table
 * name (UTF-8), each after its length as 4 bytes big-endian (so "a.b"+"c" and "a"+"b.c" differ), then the old key as
 * 8 bytes big-endian two's complement.
 */
constexpr std::size_t kDerivedLabelSize = 21;
constexpr std::size_t DerivedKeyMessageSize(std::size_t schema_len, std::size_t table_len) noexcept
{
	return kDerivedLabelSize + 4 + schema_len + 4 + table_len + 8;
}
/* Writes the message into out (DerivedKeyMessageSize(...) bytes): no allocation, so the PG regime may call it. */
void WriteDerivedKeyMessage(std::uint8_t *out, const char *schema, std::size_t schema_len, const char *table,
                            std::size_t table_len, std::int64_t old_key) noexcept;

/* Writes the derived v7 into out (16 bytes). False, and out untouched, when the old key does not fit. */
bool WriteDerivedV7(std::uint8_t *out, std::int64_t old_key, const std::uint8_t *digest) noexcept;

} // namespace uuid7
