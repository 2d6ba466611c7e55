/*
 * uuid_datum.hpp — small PG-regime helpers to hand uuids to PostgreSQL.
 */
#pragma once

#include "core/uuid_layout.hpp"

#include <cstring>

#include "pg/postgres_headers.hpp"

namespace uuid7::pg
{

static_assert(UUID_LEN == kUuidSize, "pg_uuid_t and uuid7::UuidBytes must have the same size");

/* A fresh uuid in the current memory context, for the writer to fill. */
inline pg_uuid_t *NewUuid()
{
	return static_cast<pg_uuid_t *>(palloc(UUID_LEN));
}

inline Datum UuidDatum(const UuidBytes &bytes)
{
	pg_uuid_t *out = NewUuid();
	std::memcpy(out->data, bytes.data(), UUID_LEN);
	return UUIDPGetDatum(out);
}

} // namespace uuid7::pg
