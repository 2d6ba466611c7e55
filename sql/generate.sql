-- Generators: layout bits, time, strict ordering, shifts, defaults in DDL.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS uuid7;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- version 7, RFC variant, current time, 62 random bits that differ between calls
WITH ids AS (SELECT uuid_generate_v7() AS id FROM generate_series(1, 10000))
SELECT count(*) FILTER (WHERE uuid_version(id) = 7) AS v7,
       count(*) FILTER (WHERE (get_byte(uuid_send(id), 8) & 192) = 128) AS rfc_variant,
       count(*) FILTER (WHERE abs(extract(epoch FROM uuid_v7_timestamp(id) - clock_timestamp())) < 5) AS near_now,
       count(DISTINCT substr(id::text, 20)) AS distinct_tails
FROM ids;

-- 1M ids in one statement are strictly increasing
SELECT count(*) AS ids, count(*) FILTER (WHERE id <= prev) AS not_increasing
FROM (SELECT id, lag(id) OVER (ORDER BY n) AS prev
      FROM (SELECT n, uuid_generate_v7() AS id FROM generate_series(1, 1000000) n) s) t;

-- ... and across statements of the session
CREATE TEMP TABLE seen (n serial, id uuid);
INSERT INTO seen (id) SELECT uuid_generate_v7() FROM generate_series(1, 1000);
INSERT INTO seen (id) VALUES (uuid_generate_v7()), (uuid_generate_v7());
INSERT INTO seen (id) SELECT uuid_generate_v7() FROM generate_series(1, 1000);
SELECT count(*) FILTER (WHERE id <= prev) AS not_increasing
FROM (SELECT id, lag(id) OVER (ORDER BY n) AS prev FROM seen) t;

-- v6: version, variant, multicast bit of the random node, current time, strictly increasing
WITH ids AS (SELECT n, uuid_generate_v6() AS id FROM generate_series(1, 200000) n)
SELECT count(*) FILTER (WHERE uuid_version(id) = 6) AS v6,
       count(*) FILTER (WHERE (get_byte(uuid_send(id), 8) & 192) = 128) AS rfc_variant,
       count(*) FILTER (WHERE (get_byte(uuid_send(id), 10) & 1) = 1) AS multicast_node,
       count(*) FILTER (WHERE abs(extract(epoch FROM uuid_v6_timestamp(id) - clock_timestamp())) < 5) AS near_now,
       count(DISTINCT substr(id::text, 20)) AS distinct_clock_seq_and_node
FROM ids;
SELECT count(*) FILTER (WHERE id <= prev) AS v6_not_increasing
FROM (SELECT id, lag(id) OVER (ORDER BY n) AS prev
      FROM (SELECT n, uuid_generate_v6() AS id FROM generate_series(1, 200000) n) s) t;

-- shifted v7: calendar arithmetic as in PostgreSQL 18, still version 7
SELECT uuid_version(uuid_generate_v7('1 day')) AS version,
       abs(extract(epoch FROM uuid_v7_timestamp(uuid_generate_v7('1 day')) - (clock_timestamp() + interval '1 day'))) < 5 AS plus_one_day,
       abs(extract(epoch FROM uuid_v7_timestamp(uuid_generate_v7('-1 month')) - (clock_timestamp() - interval '1 month'))) < 5 AS minus_one_month,
       uuid_generate_v7('-1 hour') < uuid_generate_v7() AS shifted_sorts_earlier;
SELECT uuid_generate_v7(NULL) IS NULL AS strict;

-- v7 for a given instant: its millisecond and sub-millisecond fraction, a random tail
SELECT uuid_v7_timestamp(uuid_v7_from_timestamp('2024-05-06 07:08:09.123456+00')) AS ms_precision,
       substr(uuid_v7_from_timestamp('2024-05-06 07:08:09.123456+00')::text, 1, 18) AS time_and_fraction,
       uuid_v7_from_timestamp('2024-05-06 07:08:09.5+00') <> uuid_v7_from_timestamp('2024-05-06 07:08:09.5+00') AS random_tail,
       uuid_v7_from_timestamp('2024-05-06 07:08:09.123456+00') < uuid_v7_from_timestamp('2024-05-06 07:08:09.123457+00') AS us_ordered;

-- a column default in DDL: insertion order is key order
CREATE TABLE orders (id uuid PRIMARY KEY DEFAULT uuid_generate_v7(), n int NOT NULL);
INSERT INTO orders (n) SELECT g FROM generate_series(1, 5000) g;
INSERT INTO orders (n) VALUES (5001);
SELECT count(*) AS rows, bool_and(rn = n) AS key_order_is_insert_order
FROM (SELECT n, row_number() OVER (ORDER BY id) AS rn FROM orders) t;
CREATE TABLE orders_v6 (id uuid PRIMARY KEY DEFAULT uuid_generate_v6(), n int NOT NULL);
INSERT INTO orders_v6 (n) SELECT g FROM generate_series(1, 5000) g;
SELECT bool_and(rn = n) AS v6_key_order_is_insert_order
FROM (SELECT n, row_number() OVER (ORDER BY id) AS rn FROM orders_v6) t;
DROP TABLE orders, orders_v6;

-- errors: infinite and out-of-range times
\set VERBOSITY sqlstate
SELECT uuid_generate_v7('-100 years');
SELECT uuid_generate_v7('9000 years');
SELECT uuid_generate_v7('300000 years');
SELECT uuid_v7_from_timestamp('infinity');
SELECT uuid_v7_from_timestamp('-infinity');
SELECT uuid_v7_from_timestamp('1969-12-31 23:59:59.999999+00');
\set VERBOSITY default
SELECT uuid_generate_v7('-100 years');
