#!/usr/bin/env bash
# test/migration/options.sh — the documented options (docs/migration.md): timestamp_column (each new key carries
# that row's time, ordered by time then old key), version 6, mapping_schema and mapping_table; per-table options
# override top-level ones.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db options

mig_setup <<'SQL'
CREATE SCHEMA maps;
CREATE TABLE events (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL, v int);
CREATE TABLE logs (id int PRIMARY KEY, at timestamp NOT NULL);
CREATE TABLE sessions (id serial PRIMARY KEY, event_id bigint REFERENCES events);
CREATE TABLE untouched (id int PRIMARY KEY, at timestamp NOT NULL);
CREATE TABLE zoned (id int PRIMARY KEY, at timestamptz NOT NULL);
-- created_at runs against the key order, with ties (every 3 rows share a millisecond)
INSERT INTO events (id, created_at, v)
SELECT g, '2024-06-01 00:00:00+00'::timestamptz - (g / 3) * interval '1 second' + interval '0.123 second', g
FROM generate_series(1, 3000) g ORDER BY md5(g::text);
INSERT INTO logs SELECT g, '2023-01-01'::timestamp + g * interval '1 hour' FROM generate_series(1, 500) g;
-- across New York's switch to summer time (2023-03-12 02:00 local)
INSERT INTO untouched SELECT g, '2023-03-12 00:00'::timestamp + g * interval '7 minutes' FROM generate_series(1, 100) g;
INSERT INTO sessions (event_id) SELECT 1 + g % 3000 FROM generate_series(1, 2000) g;
SQL
tables="ARRAY['public.events', 'public.logs', 'public.sessions']::regclass[]"
opts='{"version": 7, "mapping_schema": "maps",
	"tables": {"public.events": {"timestamp_column": "created_at", "mapping_table": "events_ids"},
	           "public.logs": {"version": 6, "mapping_schema": "public"}}}'
check_eq "plan lists no refusal" "" "$(mig_plan_refusals "$tables" "'$opts'")"
snap_events=$(sql "SELECT md5(string_agg(id::text, ',' ORDER BY created_at, id)) FROM events")
snap_sessions=$(sql "SELECT md5(string_agg(event_id::text, ',' ORDER BY id)) FROM sessions")
mig_migrate "uuid7_migrate with per-table options succeeds" "$tables" "'$opts'"

check_eq "mapping tables where the options put them" "events|maps.events_ids logs|logs_uuid7_map sessions|maps.sessions_uuid7_map" \
	"$(sql "SELECT string_agg(relid::text || '|' || mapping_table::text, ' ' ORDER BY relid::text) FROM uuid7_state.uuid7_migrated_table")"
check_eq "timestamp_column: each key carries its row's created_at (ms)" 0 \
	"$(sql "SELECT count(*) FROM events WHERE uuid_v7_timestamp(id) <> date_trunc('milliseconds', created_at)")"
check_eq "timestamp_column: key order = (created_at, old key) order" "$snap_events" \
	"$(sql "SELECT md5(string_agg(uuid7_legacy_id('events', id)::text, ',' ORDER BY id)) FROM events")"
check_eq "timestamp_column: registry records the column" "created_at" \
	"$(sql "SELECT timestamp_column FROM uuid7_state.uuid7_migrated_table WHERE relid = 'events'::regclass")"
check_eq "version 6 for logs: keys are v6 in old key order, default uuid_generate_v6()" "0|0|uuid_generate_v6()" \
	"$(sql "SELECT count(*) FILTER (WHERE uuid_version(id) <> 6),
		(SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY id) a, row_number() OVER (ORDER BY uuid7_legacy_id('logs', id)) b FROM logs) x WHERE a <> b),
		(SELECT regexp_replace(pg_get_expr(adbin, adrelid), '^[a-z0-9_]+\.', '') FROM pg_attrdef WHERE adrelid = 'logs'::regclass)
		FROM logs")"
check_eq "top-level version 7 for sessions and events" 0 \
	"$(sql "SELECT count(*) FROM (SELECT id FROM sessions UNION ALL SELECT id FROM events) x WHERE uuid_version(id) <> 7")"
check_eq "sessions.event_id follows events' mapping" "$snap_sessions" \
	"$(sql "SELECT md5(string_agg(uuid7_legacy_id('events', event_id)::text, ',' ORDER BY uuid7_legacy_id('sessions', id))) FROM sessions")"
check_sqlstate "timestamp_column that does not exist" 42703 \
	"SELECT uuid7_migrate(ARRAY['public.untouched']::regclass[], '{\"tables\": {\"public.untouched\": {\"timestamp_column\": \"nope\"}}}')"
check_sqlstate "version 5 refused" 22023 "SELECT * FROM uuid7_migration_plan(ARRAY['public.untouched']::regclass[], '{\"version\": 5}')"
check_sqlstate "timestamp_column of the wrong type" 42804 \
	"SELECT uuid7_migrate(ARRAY['public.untouched']::regclass[], '{\"tables\": {\"public.untouched\": {\"timestamp_column\": \"id\"}}}')"

# The mapping table's default makes keys of the version asked for (1.6 gave a v6 migration a v7 default).
check_eq "mapping table of a v6 migration: default uuid_generate_v6()" "uuid_generate_v6()" \
	"$(sql "SELECT regexp_replace(pg_get_expr(d.adbin, d.adrelid), '^[a-z0-9_]+\.', '') FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'public.logs_uuid7_map'::regclass AND a.attname = 'new_id'")"
check_eq "mapping table of a v7 migration: default uuid_generate_v7()" "uuid_generate_v7()" \
	"$(sql "SELECT regexp_replace(pg_get_expr(d.adbin, d.adrelid), '^[a-z0-9_]+\.', '') FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'maps.events_ids'::regclass AND a.attname = 'new_id'")"

# timestamp_column on a timestamp without time zone: the zone must be said (the session's TimeZone would give other
# keys on a server configured otherwise).
U="ARRAY['public.untouched']::regclass[]"
untouched_opts() { printf "'{\"tables\": {\"public.untouched\": %s}}'" "$1"; }
before=$(mig_fingerprint)
out=$(psql -X -q -c "\\set VERBOSITY verbose" -c "SELECT uuid7_migrate($U, $(untouched_opts '{"timestamp_column": "at"}'))" 2>&1)
if grep -q "ERROR:  22023:.*timestamp without time zone" <<<"$out" && grep -q '^HINT:.*"time_zone"' <<<"$out"; then
	pass "timestamp without time zone and no time_zone: 22023, the hint names the option"
else
	fail "timestamp without time zone and no time_zone: 22023, the hint names the option" "got: $out"
fi
check_sqlstate "time_zone not a zone" 22023 "SELECT * FROM uuid7_migration_plan($U, $(untouched_opts '{"timestamp_column": "at", "time_zone": "Mars/Olympus"}'))"
check_sqlstate "time_zone not a string" 22023 "SELECT * FROM uuid7_migration_plan($U, $(untouched_opts '{"timestamp_column": "at", "time_zone": null}'))"
check_sqlstate "time_zone without timestamp_column" 22023 "SELECT * FROM uuid7_migration_plan($U, $(untouched_opts '{"time_zone": "UTC"}'))"
check_sqlstate "time_zone on a timestamptz column" 22023 \
	"SELECT * FROM uuid7_migration_plan(ARRAY['public.zoned']::regclass[], '{\"tables\": {\"public.zoned\": {\"timestamp_column\": \"at\", \"time_zone\": \"UTC\"}}}')"
check_fingerprint "refused time zone options: nothing changed" "$before"
# The same rows give the same keys' times whatever the session's TimeZone: read in the zone given.
out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SET TimeZone = 'Asia/Tokyo'" \
	-c "SELECT uuid7_migrate($U, $(untouched_opts '{"timestamp_column": "at", "time_zone": "America/New_York"}')) IS NOT NULL" 2>&1)
check_eq "timestamp_column with time_zone: migrates" "t" "$out"
check_eq "timestamp_column with time_zone: each key carries its row's time in that zone, not the session's" "0" \
	"$(sql "SELECT count(*) FROM untouched WHERE uuid_v7_timestamp(id) <> at AT TIME ZONE 'America/New_York'")"
