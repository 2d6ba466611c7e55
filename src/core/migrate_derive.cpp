/*
 * migrate_derive.cpp — the layout and message of deterministic migration keys (see migrate_derive.hpp).
 */
#include "core/migrate_derive.hpp"

#include "core/uuid_layout.hpp"

#include <boost/endian/conversion.hpp>

namespace uuid7
{
namespace
{

constexpr char kLabel[] = "uuid7 derived key v1"; /* with its terminating zero byte */
constexpr std::uint64_t kRandBMask = (std::uint64_t{1} << 62) - 1;
constexpr std::uint16_t kRandAMask = 0x0FFF;

void AppendBig32(std::string &out, std::uint32_t v)
{
	char buf[4];
	boost::endian::store_big_u32(reinterpret_cast<unsigned char *>(buf), v);
	out.append(buf, sizeof buf);
}

} // namespace

std::string DerivedKeyMessage(const char *schema, std::size_t schema_len, const char *table, std::size_t table_len,
							  std::int64_t old_key)
{
	std::string msg;
	msg.reserve(sizeof kLabel + 4 + schema_len + 4 + table_len + 8);
	msg.append(kLabel, sizeof kLabel);
	AppendBig32(msg, static_cast<std::uint32_t>(schema_len));
	msg.append(schema, schema_len);
	AppendBig32(msg, static_cast<std::uint32_t>(table_len));
	msg.append(table, table_len);
	char key[8];
	boost::endian::store_big_u64(reinterpret_cast<unsigned char *>(key), static_cast<std::uint64_t>(old_key));
	msg.append(key, sizeof key);
	return msg;
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
