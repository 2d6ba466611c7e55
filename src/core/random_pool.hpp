/*
 * random_pool.hpp — a per-process block of CSPRNG output, handed out a few bytes at a time.
 *
 * One CSPRNG call per uuid dominates the cost of gen_random_uuid(); drawing from a block refilled in one call
 * amortises it. The pool never produces bytes itself: the caller refills it from the CSPRNG (src/pg uses
 * pg_strong_random), which keeps this class free of PostgreSQL and testable.
 *
 * A block must never be used by two processes: after fork() both would hand out the same "random" bytes. The
 * pool therefore remembers which process filled it and reports itself empty to any other process.
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace uuid7
{

class RandomPool
{
public:
	static constexpr std::size_t kCapacity = 8192;

	/* constexpr so that a global pool is constant-initialised: no constructor runs when the library is loaded. */
	constexpr RandomPool() noexcept = default;

	/*
	 * n fresh bytes (n <= kCapacity) for process `owner`, or nullptr when the caller must refill first: the pool
	 * is exhausted, was never filled, or was filled by a different process.
	 */
	const std::uint8_t *Take(std::size_t n, std::int64_t owner) noexcept;

	/* Where the refill goes: kCapacity bytes. Call MarkFilled(owner) once they are written. */
	std::uint8_t *RefillTarget() noexcept { return bytes_; }
	void MarkFilled(std::int64_t owner) noexcept;

	/* A uniformly random 64-bit value from the pool, or false when the pool must be refilled. */
	bool TakeU64(std::int64_t owner, std::uint64_t &out) noexcept;

private:
	std::uint8_t bytes_[kCapacity] = {};
	std::size_t used_ = kCapacity; /* everything consumed: the first Take asks for a refill */
	std::int64_t owner_ = -1;      /* no process filled it yet */
};

} // namespace uuid7
