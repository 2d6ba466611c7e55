-- Compatibility names: PostgreSQL 18 (uuidv7, uuid_extract_*) and pg_uuidv7, with their documented results.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS uuid7;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- PostgreSQL 18: uuidv7() and uuidv7(interval)
SELECT uuid_version(uuidv7()) AS version, uuidv7() < uuidv7() AS increasing,
       uuidv7('-1 hour') < uuidv7() AS shifted_earlier,
       abs(extract(epoch FROM uuid_v7_timestamp(uuidv7('2 days')) - (clock_timestamp() + interval '2 days'))) < 5 AS shift_applied;
SELECT count(*) FILTER (WHERE id <= prev) AS not_increasing
FROM (SELECT id, lag(id) OVER (ORDER BY n) AS prev FROM (SELECT n, uuidv7() AS id FROM generate_series(1, 100000) n) s) t;

-- uuid_extract_timestamp: v1 and v7 only (as PostgreSQL 18), NULL otherwise. uuid7 provides it on 15 and 16; 18 has
-- its own. On 17 the name is core's, and core 17 reads v1 only: a v7 gives NULL there (the README says so; the
-- last column checks exactly that). uuid_v7_timestamp() reads a v7 on every major.
SELECT v, documented AS uuid_extract_timestamp, uuid_extract_version(v::uuid),
       uuid_extract_timestamp(v::uuid) IS NOT DISTINCT FROM
         CASE WHEN current_setting('server_version_num')::int / 10000 = 17 AND uuid_extract_version(v::uuid) = 7
              THEN NULL ELSE documented END AS as_documented_on_this_major
FROM (VALUES ('c232ab00-9414-11ec-b3c8-9f6bdeced846', '2022-02-22 19:22:22+00'::timestamptz),
             ('017f22e2-79b0-7cc3-98c4-dc0c0c07398f', '2022-02-22 19:22:22+00'),
             ('1ec9414c-232a-6b00-b3c8-9f6bdeced846', NULL), ('919108f7-52d1-4320-9bac-f847db4148a8', NULL),
             ('017f22e2-79b0-7cc3-d8c4-dc0c0c07398f', NULL), ('00000000-0000-0000-0000-000000000000', NULL),
             ('ffffffff-ffff-ffff-ffff-ffffffffffff', NULL)) AS t(v, documented);
SELECT pg_typeof(uuid_extract_version(uuidv7())) AS version_type;

-- pg_uuidv7: readers take the first 48 bits as milliseconds, whatever the version
SELECT uuid_v7_to_timestamptz('018570bb-4a7d-7c7e-8df4-6d47afd8c8fc') AS tz,
       uuid_v7_to_timestamp('018570bb-4a7d-7c7e-8df4-6d47afd8c8fc') AS ts,
       uuid_v7_to_timestamptz('018570bb-4a7d-4c7e-8df4-6d47afd8c8fc') AS from_v4;
-- writers: random bits, or zeros with zero => true
SELECT uuid_timestamptz_to_v7('2023-01-02 04:26:40.637+00', true) AS zeroed,
       uuid_timestamptz_to_v7('2023-01-02 04:26:40.637+00') > '018570bb-4a7d-7000-8000-000000000000' AS random_above_zeroed,
       uuid_timestamptz_to_v7('2023-01-02 04:26:40.637+00') <> uuid_timestamptz_to_v7('2023-01-02 04:26:40.637+00') AS random,
       uuid_version(uuid_timestamptz_to_v7(now())) AS version;
SELECT uuid_timestamp_to_v7('2023-01-02 04:26:40.637', true) AS zeroed_utc,
       uuid_v7_to_timestamp(uuid_timestamp_to_v7('2023-01-02 04:26:40.637')) AS round_trip,
       uuid_timestamp_to_v7(timestamp '2023-01-02 04:26:40.637', zero => true)
         = uuid_timestamptz_to_v7(timestamptz '2023-01-02 04:26:40.637+00', zero => true) AS same_instant;
\set VERBOSITY sqlstate
SELECT uuid_timestamptz_to_v7('-infinity');
SELECT uuid_timestamp_to_v7('1900-01-01 00:00:00');
