-- Inspection: RFC 9562 Appendix A vectors, versions, bounds, reorderings, and their errors.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS uuid7;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

\set v1 '''c232ab00-9414-11ec-b3c8-9f6bdeced846'''
\set v6 '''1ec9414c-232a-6b00-b3c8-9f6bdeced846'''
\set v7 '''017f22e2-79b0-7cc3-98c4-dc0c0c07398f'''

-- all three vectors encode 2022-02-22 19:22:22 UTC
SELECT uuid_v7_timestamp(:v7) AS v7_time, uuid_v6_timestamp(:v6) AS v6_time, uuid_v6_timestamp(:v1) AS v1_time;
SELECT uuid_v6_timestamp('1ec9414c-232a-6b00-b3c8-9f6bdeced846'::uuid) AS v6,
       uuid_v6_timestamp('1ec9414c-232a-6b01-b3c8-9f6bdeced846'::uuid) AS plus_100ns_truncated,
       uuid_v6_timestamp('1ec9414c-232a-6b0a-b3c8-9f6bdeced846'::uuid) AS plus_1us;

-- the reorderings map the vectors onto each other exactly, and back
SELECT uuid_v1_to_v6(:v1) = :v6 AS v1_to_v6, uuid_v6_to_v1(:v6) = :v1 AS v6_to_v1,
       uuid_v6_to_v1(uuid_v1_to_v6(:v1)) = :v1 AS round_trip;
SELECT uuid_v6_to_v1(uuid_generate_v6()) IS NOT NULL AS generated_v6_converts,
       uuid_version(uuid_v6_to_v1(uuid_generate_v6())) AS to_version;

-- versions of every RFC vector; NULL for nil, max and other variants
SELECT v, uuid_version(v::uuid)
FROM (VALUES (:v1), ('5df41881-3aed-3515-88a7-2f4a814cf09e'), ('919108f7-52d1-4320-9bac-f847db4148a8'),
             ('2ed6657d-e927-568b-95e1-2665a8aea6a2'), (:v6), (:v7),
             ('00000000-0000-0000-0000-000000000000'), ('ffffffff-ffff-ffff-ffff-ffffffffffff'),
             ('017f22e2-79b0-7cc3-d8c4-dc0c0c07398f')) AS t(v);

-- range bounds: the smallest and largest v7 of a millisecond, and the edges of the v7 range
SELECT uuid_v7_lower_bound('2022-02-22 19:22:22+00') AS lower, uuid_v7_upper_bound('2022-02-22 19:22:22.000999+00') AS upper;
SELECT uuid_v7_lower_bound('2022-02-22 19:22:22+00') <= :v7 AND :v7 <= uuid_v7_upper_bound('2022-02-22 19:22:22+00') AS vector_inside,
       uuid_v7_upper_bound('2022-02-22 19:22:22+00') < uuid_v7_lower_bound('2022-02-22 19:22:22.001+00') AS adjacent_ms_ordered;
SELECT uuid_v7_lower_bound('1970-01-01 00:00:00+00') AS first_v7,
       uuid_v7_upper_bound('10889-08-02 05:31:50.655+00') AS last_v7;
SELECT uuid_v7_timestamp(uuid_v7_lower_bound('2030-01-01 12:00:00.5+00')) AS bound_time;

-- errors: wrong version or variant (22023), times a v7 cannot hold (22008)
\set VERBOSITY sqlstate
SELECT uuid_v7_timestamp('919108f7-52d1-4320-9bac-f847db4148a8');
SELECT uuid_v7_timestamp(:v6);
SELECT uuid_v7_timestamp('017f22e2-79b0-7cc3-d8c4-dc0c0c07398f');
SELECT uuid_v7_timestamp('00000000-0000-0000-0000-000000000000');
SELECT uuid_v6_timestamp(:v7);
SELECT uuid_v6_timestamp('1ec9414c-232a-6b00-f3c8-9f6bdeced846');
SELECT uuid_v1_to_v6(:v6);
SELECT uuid_v6_to_v1(:v1);
SELECT uuid_v7_lower_bound('infinity');
SELECT uuid_v7_upper_bound('-infinity');
SELECT uuid_v7_lower_bound('1969-12-31 23:59:59.999+00');
SELECT uuid_v7_upper_bound('10889-08-02 05:31:50.656+00');
-- the messages name what was found
\set VERBOSITY default
SELECT uuid_v7_timestamp('919108f7-52d1-4320-9bac-f847db4148a8');
SELECT uuid_v7_timestamp('017f22e2-79b0-7cc3-d8c4-dc0c0c07398f');
SELECT uuid_v6_timestamp(:v7);
SELECT uuid_v7_lower_bound('infinity');
