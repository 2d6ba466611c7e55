#!/usr/bin/env bash
# test/migration/dry_run.sh — uuid7_migration_plan changes nothing (fingerprint byte-for-byte equal after planning
# valid calls, calls with options, and calls with refusals; it even runs in a READ ONLY transaction), is
# deterministic, and is honest: executing its statements in order, in one transaction, migrates exactly as
# uuid7_migrate would (the standard after-migration checks pass on the result).
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db dry_run

mig_setup <<'SQL'
CREATE TABLE provider_configs (id serial PRIMARY KEY, provider text NOT NULL UNIQUE);
CREATE TABLE events (id bigserial PRIMARY KEY, provider_config_id int NOT NULL REFERENCES provider_configs,
	kind text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE event_queue (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	event_id bigint NOT NULL REFERENCES events ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
	provider_config_id int NOT NULL REFERENCES provider_configs, status text NOT NULL DEFAULT 'pending');
CREATE INDEX event_queue_event ON event_queue (event_id) INCLUDE (status);
CREATE VIEW pending AS SELECT q.id, q.event_id, e.kind FROM event_queue q JOIN events e ON e.id = q.event_id WHERE status = 'pending';
CREATE MATERIALIZED VIEW per_provider AS SELECT provider_config_id, count(*) FROM events GROUP BY 1;
CREATE TABLE nopk (v int);
INSERT INTO provider_configs (provider) SELECT 'p' || g FROM generate_series(1, 10) g;
INSERT INTO events (provider_config_id, kind, created_at)
SELECT 1 + g % 10, 'k' || g % 3, '2024-01-01'::timestamptz + g * interval '1 min' FROM generate_series(1, 3000) g;
INSERT INTO event_queue (event_id, provider_config_id, status)
SELECT g, 1 + g % 10, CASE WHEN g % 2 = 0 THEN 'pending' ELSE 'done' END FROM generate_series(1, 3000) g;
SQL
all="ARRAY['public.events', 'public.provider_configs', 'public.event_queue']::regclass[]"

before=$(mig_fingerprint)
plan1=$(sql "SELECT * FROM uuid7_migration_plan($all) ORDER BY step")
check_true "plan has steps and no refusal" "SELECT count(*) > 0 AND count(sqlstate) = 0 FROM uuid7_migration_plan($all)"
check_eq "plan is deterministic" "$plan1" "$(sql "SELECT * FROM uuid7_migration_plan($all) ORDER BY step")"
sql "SELECT * FROM uuid7_migration_plan(ARRAY['public.events']::regclass[], '{\"version\": 6}')" >/dev/null
sql "SELECT * FROM uuid7_migration_plan($all, '{\"tables\": {\"public.events\": {\"timestamp_column\": \"created_at\"}}}')" >/dev/null
sql "SELECT * FROM uuid7_migration_plan(ARRAY['public.nopk', 'public.events']::regclass[])" >/dev/null
check_eq "plan in a READ ONLY transaction works" "ok" \
	"$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "BEGIN READ ONLY" -c "SELECT count(*) FROM uuid7_migration_plan($all)" -c "COMMIT" >/dev/null 2>&1 && echo ok)"
check_fingerprint "planning changed nothing" "$before"
check_eq "plan lists the view and the materialized view it must recreate" "2" \
	"$(sql "SELECT count(DISTINCT v) FROM uuid7_migration_plan($all), LATERAL (SELECT unnest(ARRAY['pending', 'per_provider']) v) x WHERE object ~ ('\m' || v || '\M')")"

# Execute the plan's statements ourselves, in one transaction (psql \gexec runs each row as a statement).
mig_snapshot "$all"
out=$(psql -X -q -v ON_ERROR_STOP=1 2>&1 >/dev/null <<SQL
BEGIN;
SELECT statement FROM uuid7_migration_plan($all) WHERE statement IS NOT NULL ORDER BY step \\gexec
COMMIT;
SELECT pg_stat_force_next_flush();
SELECT 1;
SQL
)
check_eq "the plan's statements run without error" "" "$out"
[ -z "$out" ] || exit 1
mig_check_all
