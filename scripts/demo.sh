#!/usr/bin/env bash
# scripts/demo.sh — the README's demo command: from a fresh Debian machine (as root), install the packages,
# build and install uuid7, start a throwaway cluster with uuid7 preloaded, and show the functions at work.
# The cluster is stopped and removed at the end, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_deps
build_and_install
cluster_start demo preload

psql -X -v ON_ERROR_STOP=1 --echo-queries <<'SQL'
CREATE EXTENSION uuid7;
SET timezone = 'UTC';

-- Generate: v7 (Unix ms + sub-ms fraction + random), v6 (Gregorian 100-ns time + random node)
SELECT uuid_generate_v7() AS v7, uuid_generate_v6() AS v6;

-- Strictly increasing, even a million in one statement
SELECT count(*) AS ids, count(*) FILTER (WHERE id <= prev) AS out_of_order
FROM (SELECT id, lag(id) OVER (ORDER BY n) AS prev
      FROM (SELECT n, uuid_generate_v7() AS id FROM generate_series(1, 1000000) n) s) t;

-- With uuid7 preloaded the ordering is cluster-wide
SELECT uuid7_ordering_scope();

-- As a primary key default
CREATE TABLE events (id uuid PRIMARY KEY DEFAULT uuid_generate_v7(), kind text NOT NULL);
INSERT INTO events (kind) SELECT 'click' FROM generate_series(1, 100000);
SELECT id, uuid_v7_timestamp(id) AS created FROM events ORDER BY id LIMIT 3;

-- Inspect: the RFC 9562 Appendix A vectors
SELECT uuid_version('017f22e2-79b0-7cc3-98c4-dc0c0c07398f') AS version,
       uuid_v7_timestamp('017f22e2-79b0-7cc3-98c4-dc0c0c07398f') AS v7_time,
       uuid_v6_timestamp('1ec9414c-232a-6b00-b3c8-9f6bdeced846') AS v6_time,
       uuid_v1_to_v6('c232ab00-9414-11ec-b3c8-9f6bdeced846') AS v1_as_v6;

-- A time window over a v7 key is an index range scan
VACUUM ANALYZE events;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM events
WHERE id >= uuid_v7_lower_bound(now() - interval '1 hour') AND id < uuid_v7_lower_bound(now());

-- Wrong input gets a precise error
\set ON_ERROR_STOP 0
SELECT uuid_v7_timestamp(gen_random_uuid());
SELECT uuid_generate_v7(interval '-100 years');
\set ON_ERROR_STOP 1

-- PostgreSQL 18 and pg_uuidv7 names work unchanged
SELECT uuidv7() IS NOT NULL AS uuidv7, uuid_extract_version(uuidv7()) AS version,
       uuid_timestamptz_to_v7('2024-01-01 00:00:00+00', true) AS pg_uuidv7_zeroed;

-- Speed against gen_random_uuid(), one million calls each
\timing on
SELECT count(gen_random_uuid()) FROM generate_series(1, 1000000);
SELECT count(uuid_generate_v7()) FROM generate_series(1, 1000000);
\timing off
SQL
log "demo finished; the throwaway cluster is being stopped"
