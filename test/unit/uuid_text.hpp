/*
 * uuid_text.hpp — test helper: uuids to and from their canonical text, so expectations read like the RFC.
 */
#pragma once

#include "core/uuid_layout.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>

namespace uuid7::test
{

inline UuidBytes Parse(const std::string &text)
{
	UuidBytes out{};
	std::size_t n = 0;
	for (std::size_t i = 0; i < text.size(); i++)
	{
		if (text[i] == '-')
			continue;
		if (n >= 2 * kUuidSize || i + 1 >= text.size())
			throw std::invalid_argument("bad uuid text: " + text);
		out[n / 2] = static_cast<std::uint8_t>(std::stoul(text.substr(i, 2), nullptr, 16));
		n += 2;
		i++;
	}
	if (n != 2 * kUuidSize)
		throw std::invalid_argument("bad uuid text: " + text);
	return out;
}

inline std::string Format(const UuidBytes &bytes)
{
	char buf[37];
	std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
	              bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
	              bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
	return buf;
}

} // namespace uuid7::test
