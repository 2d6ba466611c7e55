/*
 * inspect.cpp — SQL-callable readers: uuid_v7_timestamp, uuid_v6_timestamp, uuid_version, the v7 range bounds,
 * and the v1 <-> v6 reorderings.
 *
 * The version checks live in src/core and throw uuid7::Error naming the version found; CallCpp turns that into
 * SQLSTATE 22023 with the same message.
 */
#include "core/uuid_layout.hpp"

#include "pg/error_boundary.hpp"
#include "pg/time_convert.hpp"
#include "pg/uuid_datum.hpp"

#include "pg/postgres_headers.hpp"

using uuid7::pg::CallCpp;

namespace
{

using BoundFn = uuid7::UuidBytes (*)(std::uint64_t) noexcept;
using ReorderFn = uuid7::UuidBytes (*)(const std::uint8_t *);

Datum BoundDatum(TimestampTz ts, BoundFn bound)
{
	const int64 unix_us = uuid7::pg::V7UnixUsFromTimestamp(ts);
	return uuid7::pg::UuidDatum(bound(static_cast<uint64>(unix_us) / uuid7::kUsPerMs));
}

Datum ReorderDatum(const pg_uuid_t *in, ReorderFn reorder)
{
	uuid7::UuidBytes result{};
	CallCpp([&] { result = reorder(in->data); });
	return uuid7::pg::UuidDatum(result);
}

} // namespace

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid_v7_timestamp);
	PG_FUNCTION_INFO_V1(uuid_v6_timestamp);
	PG_FUNCTION_INFO_V1(uuid_version);
	PG_FUNCTION_INFO_V1(uuid_v7_lower_bound);
	PG_FUNCTION_INFO_V1(uuid_v7_upper_bound);
	PG_FUNCTION_INFO_V1(uuid_v1_to_v6);
	PG_FUNCTION_INFO_V1(uuid_v6_to_v1);

	/* uuid_v7_timestamp(id uuid) RETURNS timestamptz: the embedded millisecond; 22023 unless an RFC 9562 v7 */
	Datum uuid_v7_timestamp(PG_FUNCTION_ARGS)
	{
		const pg_uuid_t *id = PG_GETARG_UUID_P(0);
		uint64 millis = 0;
		CallCpp([&] { millis = uuid7::V7Millis(id->data); });
		PG_RETURN_TIMESTAMPTZ(uuid7::pg::TimestampFromUnixUs(static_cast<int64>(millis * uuid7::kUsPerMs)));
	}

	/* uuid_v6_timestamp(id uuid) RETURNS timestamptz: the 100-ns time of a v6 or v1, truncated to µs; 22023 otherwise
	 */
	Datum uuid_v6_timestamp(PG_FUNCTION_ARGS)
	{
		const pg_uuid_t *id = PG_GETARG_UUID_P(0);
		uint64 ticks = 0;
		CallCpp([&] { ticks = uuid7::V6OrV1Ticks(id->data); });
		PG_RETURN_TIMESTAMPTZ(uuid7::pg::TimestampFromGregorianTicks(ticks));
	}

	/* uuid_version(id uuid) RETURNS integer: the version of an RFC 9562 uuid, NULL for any other variant */
	Datum uuid_version(PG_FUNCTION_ARGS)
	{
		const std::optional<int> version = uuid7::RfcVersion(PG_GETARG_UUID_P(0)->data);
		if (!version)
			PG_RETURN_NULL();
		PG_RETURN_INT32(*version);
	}

	/* uuid_v7_lower_bound(ts timestamptz) RETURNS uuid: the smallest v7 of ts's millisecond */
	Datum uuid_v7_lower_bound(PG_FUNCTION_ARGS)
	{
		return BoundDatum(PG_GETARG_TIMESTAMPTZ(0), uuid7::V7LowerBound);
	}

	/* uuid_v7_upper_bound(ts timestamptz) RETURNS uuid: the largest v7 of ts's millisecond */
	Datum uuid_v7_upper_bound(PG_FUNCTION_ARGS)
	{
		return BoundDatum(PG_GETARG_TIMESTAMPTZ(0), uuid7::V7UpperBound);
	}

	/* uuid_v1_to_v6(id uuid) RETURNS uuid: RFC 9562 §5.6 reordering; 22023 unless an RFC 9562 v1 */
	Datum uuid_v1_to_v6(PG_FUNCTION_ARGS)
	{
		return ReorderDatum(PG_GETARG_UUID_P(0), uuid7::V1ToV6);
	}

	/* uuid_v6_to_v1(id uuid) RETURNS uuid: the inverse reordering; 22023 unless an RFC 9562 v6 */
	Datum uuid_v6_to_v1(PG_FUNCTION_ARGS)
	{
		return ReorderDatum(PG_GETARG_UUID_P(0), uuid7::V6ToV1);
	}

} // extern "C"
