/*
 * key_text.hpp — keys held as text by a declared reference: an integer key read from its digits, a new key written
 * as the canonical uuid text. No PostgreSQL here.
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace uuid7
{

/* The longest integer key read from text: 18 digits always fit in int64, so no overflow check is needed. */
constexpr std::size_t kMaxKeyDigits = 18;

/* Reads "-?[0-9]{1,18}" (nothing else: no spaces, no plus sign) into *key; false for anything else. */
bool ParseIntegerKey(const char *text, std::size_t len, std::int64_t *key) noexcept;

/* The canonical text of a uuid (8-4-4-4-12 lowercase hex digits): kUuidTextLength chars written to out. */
constexpr std::size_t kUuidTextLength = 36;
void FormatUuid(const std::uint8_t (&bytes)[16], char *out) noexcept;

} // namespace uuid7
