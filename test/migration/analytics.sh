#!/usr/bin/env bash
# test/migration/analytics.sh — the issue's analytics schema: events, provider_configs, event_queue (two FKs),
# migrated in one call. Old keys are inserted out of physical order and with gaps, so "order preserved" means
# something; the standard checks (lib.sh mig_check_all) then a few behaviour checks on the migrated schema.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db analytics

mig_setup <<'SQL'
CREATE TABLE provider_configs (
	id serial PRIMARY KEY,
	provider text NOT NULL UNIQUE,
	settings jsonb NOT NULL DEFAULT '{}',
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE events (
	id bigserial PRIMARY KEY,
	provider_config_id int NOT NULL REFERENCES provider_configs (id),
	kind text NOT NULL,
	payload jsonb,
	created_at timestamptz NOT NULL
);
CREATE INDEX events_provider_created_idx ON events (provider_config_id, created_at DESC);
CREATE TABLE event_queue (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	provider_config_id int NOT NULL REFERENCES provider_configs (id),
	status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
	attempts int NOT NULL DEFAULT 0,
	run_after timestamptz,
	UNIQUE (event_id, provider_config_id)
);
CREATE INDEX event_queue_pending_idx ON event_queue (run_after) WHERE status = 'pending';

-- Keys with gaps, inserted in shuffled order (physical order differs from key order).
INSERT INTO provider_configs (id, provider, settings, created_at)
SELECT g * 7, 'provider-' || g, jsonb_build_object('rate', g), '2024-01-01'::timestamptz + g * interval '1 day'
FROM generate_series(1, 20) g ORDER BY md5(g::text);
SELECT setval('provider_configs_id_seq', 200);
INSERT INTO events (id, provider_config_id, kind, payload, created_at)
SELECT g * 3 + g % 2, (1 + g % 20) * 7, (ARRAY['click', 'view', 'buy'])[1 + g % 3], jsonb_build_object('n', g),
	'2024-03-01'::timestamptz + g * interval '1 minute'
FROM generate_series(1, 5000) g ORDER BY md5(g::text);
SELECT setval('events_id_seq', 20000);
INSERT INTO event_queue (event_id, provider_config_id, status, attempts, run_after)
OVERRIDING SYSTEM VALUE
SELECT e.id, p.id, (ARRAY['pending', 'running', 'done', 'failed'])[1 + (e.id + p.id) % 4], (e.id % 5)::int,
	CASE WHEN e.id % 3 = 0 THEN NULL ELSE e.created_at + interval '1 hour' END
FROM events e JOIN provider_configs p ON p.id IN (e.provider_config_id, ((e.id % 20) + 1) * 7)
ORDER BY md5(e.id::text || p.id::text);
SQL

tables="ARRAY['public.events', 'public.provider_configs', 'public.event_queue']::regclass[]"
check_eq "setup: row counts" "20|5000|9500" \
	"$(sql "SELECT (SELECT count(*) FROM provider_configs), (SELECT count(*) FROM events), (SELECT count(*) FROM event_queue)")"

check_eq "plan lists no refusal" "" "$(mig_plan_refusals "$tables")"
mig_snapshot "$tables"
mig_migrate "uuid7_migrate(events, provider_configs, event_queue) succeeds" "$tables"
mig_check_all

check_eq "identity of event_queue.id is gone" "" "$(sql "SELECT attidentity FROM pg_attribute WHERE attrelid = 'event_queue'::regclass AND attname = 'id'")"
check_eq "mapping tables exist with one row per old key" "20|5000|9500" \
	"$(sql "SELECT (SELECT count(*) FROM uuid7_mapping.provider_configs_uuid7_map), (SELECT count(*) FROM uuid7_mapping.events_uuid7_map), (SELECT count(*) FROM uuid7_mapping.event_queue_uuid7_map)")"
check_eq "uuid7_mapped_id(events, 42) is the row that had id 42" '{"n": 14}' \
	"$(sql "SELECT payload FROM events WHERE id = uuid7_mapped_id('public.events', 42)")"
check_eq "uuid7_legacy_id of that row is 42" 42 \
	"$(sql "SELECT uuid7_legacy_id('public.events', id) FROM events WHERE payload = '{\"n\": 14}'")"
check_eq "unknown old id maps to NULL" "t" "$(sql "SELECT uuid7_mapped_id('public.events', 43) IS NULL")"
check_eq "unknown uuid maps to NULL" "t" "$(sql "SELECT uuid7_legacy_id('public.events', gen_random_uuid()) IS NULL")"
check_true "a new event gets a v7 key above every migrated key" \
	"WITH n AS (INSERT INTO events (provider_config_id, kind, created_at)
		VALUES (uuid7_mapped_id('provider_configs', 7), 'new', now()) RETURNING id)
	 SELECT substr(n.id::text, 15, 1) = '7' AND n.id > (SELECT id FROM events WHERE kind <> 'new' ORDER BY id DESC LIMIT 1) FROM n"
check_true "a new queue row gets its key from the default (identity ALWAYS gone)" \
	"WITH n AS (INSERT INTO event_queue (event_id, provider_config_id)
		VALUES (uuid7_mapped_id('events', 10), uuid7_mapped_id('provider_configs', 7)) RETURNING id)
	 SELECT substr(id::text, 15, 1) = '7' FROM n"
check_sqlstate "FK event_queue.event_id enforced after migration" 23503 \
	"INSERT INTO event_queue (event_id, provider_config_id) VALUES (gen_random_uuid(), uuid7_mapped_id('provider_configs', 7))"
check_sqlstate "FK events.provider_config_id enforced after migration" 23503 \
	"INSERT INTO events (provider_config_id, kind, created_at) VALUES (gen_random_uuid(), 'x', now())"
check_eq "ON DELETE CASCADE still cascades" "2|0" \
	"$(sql "SELECT count(*) FROM event_queue WHERE event_id = uuid7_mapped_id('events', 4)")|$(sql "DELETE FROM events WHERE id = uuid7_mapped_id('events', 4); SELECT count(*) FROM event_queue WHERE event_id = uuid7_mapped_id('events', 4)")"
check_eq "registry lists the three tables" "event_queue|events|provider_configs" \
	"$(sql "SELECT string_agg(relid::text, '|' ORDER BY relid::text) FROM uuid7_state.uuid7_migrated_table")"
check_sqlstate "migrating an already migrated table is refused (key is no longer an integer)" 0A000 \
	"SELECT uuid7_migrate(ARRAY['public.events']::regclass[])"
