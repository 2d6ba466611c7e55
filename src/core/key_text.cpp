/*
 * key_text.cpp — see key_text.hpp.
 */
#include "core/key_text.hpp"

namespace uuid7
{

bool ParseIntegerKey(const char *text, std::size_t len, std::int64_t *key) noexcept
{
	const std::size_t start = (len > 0 && text[0] == '-') ? 1 : 0;
	if (len - start < 1 || len - start > kMaxKeyDigits)
		return false;
	std::int64_t value = 0;
	for (std::size_t i = start; i < len; i++)
	{
		if (text[i] < '0' || text[i] > '9')
			return false;
		value = value * 10 + (text[i] - '0');
	}
	*key = start == 1 ? -value : value;
	return true;
}

void FormatUuid(const std::uint8_t (&bytes)[16], char *out) noexcept
{
	static const char hex[] = "0123456789abcdef";
	std::size_t o = 0;
	for (std::size_t b = 0; b < 16; b++)
	{
		if (b == 4 || b == 6 || b == 8 || b == 10)
			out[o++] = '-';
		out[o++] = hex[bytes[b] >> 4];
		out[o++] = hex[bytes[b] & 0x0F];
	}
}

} // namespace uuid7
