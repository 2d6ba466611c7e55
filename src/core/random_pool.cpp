/*
 * random_pool.cpp — a per-process block of CSPRNG output (see random_pool.hpp).
 */
#include "core/random_pool.hpp"

#include <cstring>

namespace uuid7
{

const std::uint8_t *RandomPool::Take(std::size_t n, std::int64_t owner) noexcept
{
	if (owner != owner_ || n > kCapacity - used_)
		return nullptr;
	const std::uint8_t *out = bytes_ + used_;
	used_ += n;
	return out;
}

void RandomPool::MarkFilled(std::int64_t owner) noexcept
{
	owner_ = owner;
	used_ = 0;
}

bool RandomPool::TakeU64(std::int64_t owner, std::uint64_t &out) noexcept
{
	const std::uint8_t *bytes = Take(sizeof out, owner);
	if (bytes == nullptr)
		return false;
	/* Any byte order gives a uniform value; memcpy avoids an unaligned load. */
	std::memcpy(&out, bytes, sizeof out);
	return true;
}

} // namespace uuid7
