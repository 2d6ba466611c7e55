/*
 * migrate_keymap.hpp — the in-memory old key → new uuid map used while a migration rewrites tables.
 *
 * ALTER TABLE ... TYPE uuid USING <expr> cannot run a subquery, and a per-row SQL lookup is far too slow for
 * millions of rows: the migration loads a mapping table once into a sorted array of entries and answers each row
 * in O(1) (dense keys: a direct index) or O(log n) (sparse keys: a binary search). No PostgreSQL here; the caller
 * owns the memory (src/pg allocates it in a transaction-lifetime memory context).
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace uuid7
{

struct KeyMapEntry
{
	std::int64_t old_key;
	std::uint8_t new_key[16];
};

/* True when entries are sorted by old_key with no duplicate. */
bool KeyMapIsStrictlySorted(const KeyMapEntry *entries, std::size_t n) noexcept;
/* Sorts by old_key (stable is not needed: duplicates are an error the caller reports). */
void KeyMapSort(KeyMapEntry *entries, std::size_t n) noexcept;
/* Index of the first duplicate old_key in a sorted array, or n when there is none. */
std::size_t KeyMapFirstDuplicate(const KeyMapEntry *entries, std::size_t n) noexcept;

/*
 * A direct index is worth building when the keys span at most kDenseFactor times their count (serial keys with a
 * few gaps): span() int32 slots, each the position of its key or -1.
 */
constexpr std::uint64_t kDenseFactor = 4;
/* Number of slots a direct index of sorted entries needs, or 0 when the keys are too sparse for one. */
std::size_t KeyMapDenseSlots(const KeyMapEntry *entries, std::size_t n) noexcept;
/* Fills slots (KeyMapDenseSlots(...) of them) for sorted entries. */
void KeyMapFillDense(const KeyMapEntry *entries, std::size_t n, std::int32_t *slots, std::size_t nslots) noexcept;

/* The entry of old_key, or nullptr. dense_slots may be nullptr (then nslots is ignored). */
const KeyMapEntry *KeyMapFind(const KeyMapEntry *entries, std::size_t n, const std::int32_t *dense_slots,
							  std::size_t nslots, std::int64_t old_key) noexcept;

} // namespace uuid7
