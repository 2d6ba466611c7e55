/*
 * migrate_derive.cpp — the layout and message of deterministic migration keys (see migrate_derive.hpp).
 */
#include "core/migrate_derive.hpp"

#include "core/uuid_layout.hpp"

#include <boost/endian/conversion.hpp>

#include <cstring>

namespace uuid7
{
namespace
{

constexpr char kLabel[] = "uuid7 derived key v1"; /* with its terminating zero byte */
static_assert(sizeof kLabel == kDerivedLabelSize, "the label is part of every derived key");
constexpr std::uint64_t kRandBMask = (std::uint64_t{1} << 62) - 1;
constexpr std::uint16_t kRandAMask = 0x0FFF;

} // namespace

void WriteDerivedKeyMessage(std::uint8_t *out, const char *schema, std::size_t schema_len, const char *table,
                            std::size_t table_len, std::int64_t old_key) noexcept
{
	std::memcpy(out, kLabel, sizeof kLabel);
	out += sizeof kLabel;
	boost::endian::store_big_u32(out, static_cast<std::uint32_t>(schema_len));
	std::memcpy(out + 4, schema, schema_len);
	out += 4 + schema_len;
	boost::endian::store_big_u32(out, static_cast<std::uint32_t>(table_len));
	std::memcpy(out + 4, table, table_len);
	out += 4 + table_len;
	boost::endian::store_big_u64(out, static_cast<std::uint64_t>(old_key));
}

bool WriteDerivedV7(std::uint8_t *out, std::int64_t old_key, const std::uint8_t *digest) noexcept
{
	if (!DerivedKeyFits(old_key))
		return false;
	const std::uint16_t rand_a = boost::endian::load_big_u16(digest) & kRandAMask;
	const std::uint64_t rand_b = boost::endian::load_big_u64(digest + 2) & kRandBMask;
	WriteV7Fields(out, static_cast<std::uint64_t>(old_key), rand_a, rand_b);
	return true;
}

} // namespace uuid7
