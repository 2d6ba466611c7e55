/*
 * time_convert.cpp — timestamp conversions and the v7 range check (see time_convert.hpp).
 */
#include "pg/time_convert.hpp"

#include "core/uuid_layout.hpp"

#include "pg/postgres_headers.hpp"

namespace uuid7::pg
{

TimestampTz TimestampFromGregorianTicks(uint64 ticks)
{
	return TimestampFromUnixUs(static_cast<int64>(ticks / kTicksPerUs) -
	                           static_cast<int64>(kGregorianToUnixTicks / kTicksPerUs));
}

int64 V7UnixUsFromTimestamp(TimestampTz ts)
{
	/* Compared in PostgreSQL-epoch units: converting first could overflow near the end of the timestamp range. */
	constexpr TimestampTz kFirst = -kUnixToPostgresEpochUs;
	constexpr TimestampTz kLast = static_cast<int64>(kMaxV7Millis * kUsPerMs + (kUsPerMs - 1)) - kUnixToPostgresEpochUs;
	if (TIMESTAMP_NOT_FINITE(ts) || ts < kFirst || ts > kLast)
		ereport(ERROR,
		        (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("timestamp out of range for UUID version 7"),
		         errdetail("UUID version 7 supports timestamps from 1970-01-01 to approximately year 10889.")));
	return ts + kUnixToPostgresEpochUs;
}

uint64 V6TicksFromTimestamp(TimestampTz ts)
{
	constexpr uint64 kLastUnixUs = (kMaxGregorianTicks - kGregorianToUnixTicks) / kTicksPerUs;
	constexpr TimestampTz kLast = static_cast<int64>(kLastUnixUs) - kUnixToPostgresEpochUs;
	if (!TIMESTAMP_NOT_FINITE(ts) && ts > kLast)
		ereport(ERROR,
		        (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE), errmsg("timestamp out of range for UUID version 6"),
		         errdetail("UUID version 6 supports timestamps up to approximately year 5236."),
		         errhint("Migrate to version 7 keys, which reach approximately year 10889.")));
	const int64 unix_us = V7UnixUsFromTimestamp(ts);
	return static_cast<uint64>(unix_us) * kTicksPerUs + kGregorianToUnixTicks;
}

} // namespace uuid7::pg
