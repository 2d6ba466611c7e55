/*
 * compat_pg_uuidv7.cpp — the functions of the pg_uuidv7 extension, so schemas written for it work unchanged:
 * uuid_v7_to_timestamptz, uuid_v7_to_timestamp, uuid_timestamptz_to_v7, uuid_timestamp_to_v7.
 *
 * Their documented behaviour is kept: the readers take the first 48 bits as Unix milliseconds without checking
 * the version; the writers put a time in the first 48 bits and either random bits (74 of them) or, with
 * zero => true, zeros after it. A timestamp without time zone is read as UTC. Unlike pg_uuidv7 we reject times a
 * v7 cannot hold (22008) instead of wrapping them.
 */
#include "core/uuid_layout.hpp"

#include "pg/generator_state.hpp"
#include "pg/time_convert.hpp"
#include "pg/uuid_datum.hpp"

#include "pg/postgres_headers.hpp"

namespace
{

/* timestamp and timestamptz share one representation (µs since 2000-01-01, UTC for timestamp). */
Datum MillisAsTimestamp(const pg_uuid_t *id)
{
	return Int64GetDatum(
	    uuid7::pg::TimestampFromUnixUs(static_cast<int64>(uuid7::RawV7Millis(id->data) * uuid7::kUsPerMs)));
}

Datum V7FromTime(int64 ts, bool zero)
{
	const uint64 millis = static_cast<uint64>(uuid7::pg::V7UnixUsFromTimestamp(ts)) / uuid7::kUsPerMs;
	const uint64 rand_a = zero ? 0 : uuid7::pg::RandomU64();
	const uint64 rand_b = zero ? 0 : uuid7::pg::RandomU64();
	pg_uuid_t *out = uuid7::pg::NewUuid();
	uuid7::WriteV7Fields(out->data, millis, static_cast<uint16>(rand_a), rand_b);
	return UUIDPGetDatum(out);
}

} // namespace

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid_v7_to_timestamptz);
	PG_FUNCTION_INFO_V1(uuid_v7_to_timestamp);
	PG_FUNCTION_INFO_V1(uuid_timestamptz_to_v7);
	PG_FUNCTION_INFO_V1(uuid_timestamp_to_v7);

	/* uuid_v7_to_timestamptz(uuid) RETURNS timestamptz */
	Datum uuid_v7_to_timestamptz(PG_FUNCTION_ARGS)
	{
		return MillisAsTimestamp(PG_GETARG_UUID_P(0));
	}

	/* uuid_v7_to_timestamp(uuid) RETURNS timestamp (UTC) */
	Datum uuid_v7_to_timestamp(PG_FUNCTION_ARGS)
	{
		return MillisAsTimestamp(PG_GETARG_UUID_P(0));
	}

	/* uuid_timestamptz_to_v7(ts timestamptz, zero boolean DEFAULT false) RETURNS uuid */
	Datum uuid_timestamptz_to_v7(PG_FUNCTION_ARGS)
	{
		return V7FromTime(PG_GETARG_TIMESTAMPTZ(0), PG_GETARG_BOOL(1));
	}

	/* uuid_timestamp_to_v7(ts timestamp, zero boolean DEFAULT false) RETURNS uuid (ts read as UTC) */
	Datum uuid_timestamp_to_v7(PG_FUNCTION_ARGS)
	{
		return V7FromTime(PG_GETARG_TIMESTAMP(0), PG_GETARG_BOOL(1));
	}

} // extern "C"
