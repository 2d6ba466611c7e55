-- The whole v7 range, 1970-01-01 to 10889-08-02 05:31:50.655999 UTC (48-bit milliseconds): times past 2554-07-21,
-- where a count of nanoseconds since 1970 would overflow 64 bits, keep their millisecond and 12-bit fraction; a time
-- past the end is 22008; and shifted generators stay ordered over the whole range.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS uuid7;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- the fraction in the uuid (rand_a, 12 bits) and the one the time gives: floor(µs within the ms * 4096 / 1000)
CREATE FUNCTION pg_temp.fraction(id uuid) RETURNS int
	LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT ('x' || substr($1::text, 16, 3))::bit(12)::int $$;
CREATE FUNCTION pg_temp.expected_fraction(ts timestamptz) RETURNS int
	LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT (extract(microseconds FROM $1)::bigint % 1000 * 4096 / 1000)::int $$;

CREATE TEMP TABLE edges (n int, ts timestamptz);
INSERT INTO edges VALUES
	(1, '1970-01-01 00:00:00+00'),
	(2, '2554-07-21 23:34:33.709550+00'),    -- 2^64 ns since 1970 is 2554-07-21 23:34:33.709551616
	(3, '2554-07-21 23:34:33.709551+00'),
	(4, '2554-07-21 23:34:33.709552+00'),
	(5, '2700-01-01 00:00:00+00'),
	(6, '2700-01-01 00:00:00.123456+00'),
	(7, '10889-08-02 05:31:50.654999+00'),
	(8, '10889-08-02 05:31:50.655+00'),      -- the last millisecond: unix ms 2^48 - 1
	(9, '10889-08-02 05:31:50.655999+00');   -- the last µs of the range
CREATE TEMP TABLE edge_ids AS SELECT n, ts, uuid_v7_from_timestamp(ts) AS id FROM edges;

-- the uuid's 48-bit millisecond and fraction (text up to rand_a), and the time read back (ms precision)
SELECT n, ts, substr(id::text, 1, 18) AS time_and_fraction, uuid_v7_timestamp(id) AS read_back,
       uuid_v7_timestamp(id) = date_trunc('milliseconds', ts) AS ms_round_trip,
       pg_temp.fraction(id) = pg_temp.expected_fraction(ts) AS fraction_round_trip,
       id BETWEEN uuid_v7_lower_bound(ts) AND uuid_v7_upper_bound(ts) AS within_bounds
FROM edge_ids ORDER BY n;

-- ordered as their times; the pg_uuidv7 names read and write the same range
SELECT count(*) FILTER (WHERE id <= prev) AS not_increasing,
       bool_and(uuid_v7_to_timestamptz(id) = uuid_v7_timestamp(id)) AS pg_uuidv7_reader,
       bool_and(uuid_v7_to_timestamptz(uuid_timestamptz_to_v7(ts, true)) = date_trunc('milliseconds', ts)) AS pg_uuidv7_writer
FROM (SELECT ts, id, lag(id) OVER (ORDER BY ts) AS prev FROM edge_ids) t;

-- uuid_extract_timestamp where uuid7 defines it (before 17); the core function of newer servers is not tested here
SELECT bool_and(CASE WHEN current_setting('server_version_num')::int < 170000
                     THEN uuid_extract_timestamp(id) = uuid_v7_timestamp(id) ELSE true END) AS extract_timestamp
FROM edge_ids;

-- every µs around 2^64 ns and through the last millisecond: strictly increasing, millisecond and fraction kept
SELECT count(*) AS ids, count(*) FILTER (WHERE id <= prev) AS not_increasing,
       count(*) FILTER (WHERE uuid_v7_timestamp(id) <> date_trunc('milliseconds', ts)) AS wrong_ms,
       count(*) FILTER (WHERE pg_temp.fraction(id) <> pg_temp.expected_fraction(ts)) AS wrong_fraction
FROM (SELECT ts, id, lag(id) OVER (ORDER BY ts) AS prev
      FROM (SELECT ts, uuid_v7_from_timestamp(ts) AS id
            FROM generate_series(timestamptz '2554-07-21 23:34:33.700+00', '2554-07-21 23:34:33.720+00', '1 microsecond') ts
            UNION ALL
            SELECT ts, uuid_v7_from_timestamp(ts)
            FROM generate_series(timestamptz '10889-08-02 05:31:50.640+00', '10889-08-02 05:31:50.655999+00', '1 microsecond') ts) s) t;

-- uuid_generate_v7(interval) shifted from 50 years back to 8800 years ahead, a year apart: every uuid is greater
-- than the one before, and carries now + shift (valid while now + 8800 years is before 10889, i.e. until 2089)
CREATE TEMP TABLE shifted AS
SELECT n, make_interval(years => n) AS shift, uuid_generate_v7(make_interval(years => n)) AS id
FROM generate_series(-50, 8800) n;
SELECT count(*) AS shifts, count(*) FILTER (WHERE id <= prev) AS not_increasing,
       count(*) FILTER (WHERE uuid_version(id) <> 7) AS not_v7,
       count(*) FILTER (WHERE abs(extract(epoch FROM uuid_v7_timestamp(id) - (clock_timestamp() + shift))) >= 60) AS not_now_plus_shift
FROM (SELECT n, shift, id, lag(id) OVER (ORDER BY n) AS prev FROM shifted) t;
-- ... and ordering by uuid is ordering by shift, past 2554 included
SELECT bool_and(by_id = by_shift) AS uuid_order_is_shift_order, max(uuid_v7_timestamp(id)) > '2554-07-22' AS past_2554
FROM (SELECT id, row_number() OVER (ORDER BY id) AS by_id, row_number() OVER (ORDER BY shift) AS by_shift FROM shifted) t;

-- errors: just past the end of the range, and shifts that leave it
\set VERBOSITY sqlstate
SELECT uuid_v7_from_timestamp('10889-08-02 05:31:50.656+00');
SELECT uuid_v7_lower_bound('10889-08-02 05:31:50.656+00');
SELECT uuid_timestamptz_to_v7('10889-08-02 05:31:50.656+00');
SELECT uuid_generate_v7(make_interval(years => 8900));
\set VERBOSITY default

-- migration keys from a timestamp column: v7 carries a row's time past 2554 exactly; v6's 60-bit field ends in 5236,
-- and a later time is refused (22008) rather than wrapped, with nothing changed
SET client_min_messages = warning;
CREATE TABLE far_future (id bigint PRIMARY KEY, at timestamptz NOT NULL);
INSERT INTO far_future VALUES (1, '2554-07-22 00:00:00.123456+00'), (2, '2700-01-01 00:00:00+00'), (3, '5300-01-01+00');
\set VERBOSITY sqlstate
SELECT uuid7_migrate(ARRAY['far_future']::regclass[], '{"tables": {"far_future": {"timestamp_column": "at", "version": 6}}}');
\set VERBOSITY default
SELECT pg_typeof(id) AS still_bigint FROM far_future LIMIT 1;
SELECT uuid7_migrate(ARRAY['far_future']::regclass[], '{"tables": {"far_future": {"timestamp_column": "at"}}}') - 'steps' AS migrated;
SELECT bool_and(uuid_v7_timestamp(id) = date_trunc('milliseconds', at)) AS millisecond_kept,
       bool_and(uuid_version(id) = 7) AS v7, count(*) AS rows
FROM far_future;
DROP TABLE far_future, uuid7_mapping.far_future_uuid7_map;
DROP SCHEMA uuid7_mapping;
DELETE FROM uuid7_state.uuid7_migrated_table;
RESET client_min_messages;
