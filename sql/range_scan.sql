-- Range bounds are IMMUTABLE: folded to constants, so a time window over a v7 key is an index range scan.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS uuid7;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

CREATE TABLE events (id uuid PRIMARY KEY, n int NOT NULL);
INSERT INTO events
SELECT uuid_v7_from_timestamp('2024-01-01 00:00:00+00'::timestamptz + n * interval '1 second'), n
FROM generate_series(0, 49999) n;
VACUUM ANALYZE events;

EXPLAIN (COSTS OFF)
SELECT count(*) FROM events
WHERE id >= uuid_v7_lower_bound('2024-01-01 01:00:00+00') AND id < uuid_v7_lower_bound('2024-01-01 01:01:00+00');

SELECT count(*) AS one_minute, min(n) AS first, max(n) AS last FROM events
WHERE id >= uuid_v7_lower_bound('2024-01-01 01:00:00+00') AND id < uuid_v7_lower_bound('2024-01-01 01:01:00+00');

-- inclusive upper bound: the whole last millisecond is inside
SELECT count(*) AS inclusive FROM events
WHERE id BETWEEN uuid_v7_lower_bound('2024-01-01 01:00:00+00') AND uuid_v7_upper_bound('2024-01-01 01:00:59+00');

DROP TABLE events;
