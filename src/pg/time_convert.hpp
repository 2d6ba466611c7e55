/*
 * time_convert.hpp — between PostgreSQL timestamps (µs since 2000-01-01) and the Unix and Gregorian times in uuids.
 * PG regime: these may ereport.
 */
#pragma once

#include <cstdint>

#include "pg/postgres_headers.hpp"

namespace uuid7::pg
{

/* µs from the Unix epoch (1970) to the PostgreSQL epoch (2000). */
constexpr int64 kUnixToPostgresEpochUs = int64{POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE} * SECS_PER_DAY * USECS_PER_SEC;

inline TimestampTz TimestampFromUnixUs(int64 unix_us)
{
	return unix_us - kUnixToPostgresEpochUs;
}

/* A v1/v6 time (100-ns ticks since 1582-10-15) as a timestamp, truncated to µs as PostgreSQL 18 does. */
TimestampTz TimestampFromGregorianTicks(uint64 ticks);

/*
 * µs since the Unix epoch of a timestamp that a v7 uuid can carry (1970-01-01 to about year 10889); any other
 * value, infinities included, raises 22008.
 */
int64 V7UnixUsFromTimestamp(TimestampTz ts);

/*
 * 100-ns Gregorian ticks of a timestamp for a v6 key, 1970-01-01 (refused before, to match v7's range) to the end of
 * v6's 60-bit time field (5236-03-31); any other value raises 22008 instead of wrapping.
 */
uint64 V6TicksFromTimestamp(TimestampTz ts);

} // namespace uuid7::pg
