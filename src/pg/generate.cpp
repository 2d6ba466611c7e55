/*
 * generate.cpp — SQL-callable generators: uuid_generate_v7(), uuid_generate_v7(interval), uuid_generate_v6(),
 * uuid_v7_from_timestamp(timestamptz), and uuid7_ordering_scope().
 *
 * These are the hot path: PG regime throughout, no C++ objects, one palloc per call.
 */
#include "core/ordering.hpp"
#include "core/uuid_layout.hpp"

#include "pg/generator_state.hpp"
#include "pg/time_convert.hpp"
#include "pg/uuid_datum.hpp"

#include "pg/postgres_headers.hpp"

using uuid7::pg::NewUuid;

namespace
{

/*
 * Given and shifted instants reach 10889, past 2^64 ns since 1970 (2554): they travel as µs (a timestamp's own
 * unit) split into ms and ns-of-ms, never as a ns count.
 */
Datum V7Datum(uuid7::V7Instant at)
{
	pg_uuid_t *out = NewUuid();
	uuid7::WriteV7(out->data, at, uuid7::pg::RandomU64());
	return UUIDPGetDatum(out);
}

} // namespace

extern "C"
{

	PG_FUNCTION_INFO_V1(uuid_generate_v7);
	PG_FUNCTION_INFO_V1(uuid_generate_v7_shift);
	PG_FUNCTION_INFO_V1(uuid_generate_v6);
	PG_FUNCTION_INFO_V1(uuid_v7_from_timestamp);
	PG_FUNCTION_INFO_V1(uuid7_ordering_scope);

	/* uuid_generate_v7() RETURNS uuid */
	Datum uuid_generate_v7(PG_FUNCTION_ARGS)
	{
		pg_uuid_t *out = NewUuid();
		uuid7::pg::WriteNextV7(out->data);
		PG_RETURN_UUID_P(out);
	}

	/*
	 * uuid_generate_v7(shift interval) RETURNS uuid
	 *
	 * PostgreSQL 18's uuidv7(interval): the current instant moved by `shift` with timestamptz arithmetic (µs precision,
	 * calendar-aware). A shift of whole milliseconds (every shift of days, months, hours, seconds or ms) moves only
	 * the millisecond and keeps the ordered counter, so uuids made with the same shift are strictly increasing as
	 * the unshifted ones are; any other shift keeps the instant's fraction of the millisecond to the µs.
	 */
	Datum uuid_generate_v7_shift(PG_FUNCTION_ARGS)
	{
		Interval *shift = PG_GETARG_INTERVAL_P(0);
#ifdef INTERVAL_NOT_FINITE
		if (INTERVAL_NOT_FINITE(shift))
			ereport(ERROR,
			        (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("interval out of range for UUID version 7"),
			         errdetail("UUID version 7 does not support infinite intervals.")));
#endif
		const uint64 position = uuid7::pg::NextV7Position();
		const uint64 now_ns = uuid7::V7PositionNs(position);
		const uint64 now_us = now_ns / uuid7::kNsPerUs;
		const TimestampTz now = uuid7::pg::TimestampFromUnixUs(static_cast<int64>(now_us));
		const TimestampTz shifted = DatumGetTimestampTz(
		    DirectFunctionCall2(timestamptz_pl_interval, TimestampTzGetDatum(now), IntervalPGetDatum(shift)));
		/* in the v7 range (≥ 0, ≤ the last µs of kMaxV7Millis), else 22008 */
		const uint64 unix_us = static_cast<uint64>(uuid7::pg::V7UnixUsFromTimestamp(shifted));
		if (unix_us % uuid7::kUsPerMs == now_us % uuid7::kUsPerMs)
		{
			pg_uuid_t *out = NewUuid();
			uuid7::WriteV7Counter(out->data, unix_us / uuid7::kUsPerMs, uuid7::V7PositionCounter(position),
			                      uuid7::pg::RandomU64());
			return UUIDPGetDatum(out);
		}
		return V7Datum(
		    uuid7::V7InstantFromUs(unix_us, static_cast<uint32>(now_ns % uuid7::kNsPerUs)));
	}

	/* uuid_generate_v6() RETURNS uuid */
	Datum uuid_generate_v6(PG_FUNCTION_ARGS)
	{
		pg_uuid_t *out = NewUuid();
		uuid7::pg::WriteNextV6(out->data);
		PG_RETURN_UUID_P(out);
	}

	/*
	 * uuid_v7_from_timestamp(ts timestamptz) RETURNS uuid
	 *
	 * A v7 for a given instant: its millisecond, its sub-millisecond fraction (to the µs), and a random tail. Not
	 * ordered against the generators: it stamps the time it is given.
	 */
	Datum uuid_v7_from_timestamp(PG_FUNCTION_ARGS)
	{
		const int64 unix_us = uuid7::pg::V7UnixUsFromTimestamp(PG_GETARG_TIMESTAMPTZ(0));
		return V7Datum(uuid7::V7InstantFromUs(static_cast<uint64>(unix_us)));
	}

	/* uuid7_ordering_scope() RETURNS text: 'cluster' when preloaded (shared ordering state), else 'session' */
	Datum uuid7_ordering_scope(PG_FUNCTION_ARGS)
	{
		PG_RETURN_TEXT_P(cstring_to_text(uuid7::pg::OrderingIsClusterWide() ? "cluster" : "session"));
	}

} // extern "C"
