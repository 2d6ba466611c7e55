/*
 * migrate_keymap.cpp — sorted-array key map for the migration rewrite (see migrate_keymap.hpp).
 */
#include "core/migrate_keymap.hpp"

#include <algorithm>

namespace uuid7
{

bool KeyMapIsStrictlySorted(const KeyMapEntry *entries, std::size_t n) noexcept
{
	for (std::size_t i = 1; i < n; i++)
		if (entries[i - 1].old_key >= entries[i].old_key)
			return false;
	return true;
}

void KeyMapSort(KeyMapEntry *entries, std::size_t n) noexcept
{
	std::sort(entries, entries + n,
			  [](const KeyMapEntry &a, const KeyMapEntry &b) noexcept { return a.old_key < b.old_key; });
}

std::size_t KeyMapFirstDuplicate(const KeyMapEntry *entries, std::size_t n) noexcept
{
	for (std::size_t i = 1; i < n; i++)
		if (entries[i - 1].old_key == entries[i].old_key)
			return i;
	return n;
}

std::size_t KeyMapDenseSlots(const KeyMapEntry *entries, std::size_t n) noexcept
{
	if (n == 0 || n > 0x7FFFFFFF)
		return 0;
	/* Unsigned arithmetic: the span of int64 keys may not fit an int64. */
	const std::uint64_t span = static_cast<std::uint64_t>(entries[n - 1].old_key) -
							   static_cast<std::uint64_t>(entries[0].old_key) + 1;
	if (span == 0 || span / kDenseFactor > n)
		return 0;
	return static_cast<std::size_t>(span);
}

void KeyMapFillDense(const KeyMapEntry *entries, std::size_t n, std::int32_t *slots, std::size_t nslots) noexcept
{
	std::fill(slots, slots + nslots, -1);
	if (n == 0)
		return;
	const std::uint64_t base = static_cast<std::uint64_t>(entries[0].old_key);
	for (std::size_t i = 0; i < n; i++)
	{
		const std::uint64_t slot = static_cast<std::uint64_t>(entries[i].old_key) - base;
		if (slot < nslots)
			slots[slot] = static_cast<std::int32_t>(i);
	}
}

const KeyMapEntry *KeyMapFind(const KeyMapEntry *entries, std::size_t n, const std::int32_t *dense_slots,
							  std::size_t nslots, std::int64_t old_key) noexcept
{
	if (n == 0)
		return nullptr;
	if (dense_slots != nullptr)
	{
		const std::uint64_t slot = static_cast<std::uint64_t>(old_key) - static_cast<std::uint64_t>(entries[0].old_key);
		if (old_key < entries[0].old_key || slot >= nslots || dense_slots[slot] < 0)
			return nullptr;
		return &entries[dense_slots[slot]];
	}
	const KeyMapEntry *end = entries + n;
	const KeyMapEntry *it = std::lower_bound(
		entries, end, old_key, [](const KeyMapEntry &e, std::int64_t key) noexcept { return e.old_key < key; });
	return (it != end && it->old_key == old_key) ? it : nullptr;
}

} // namespace uuid7
