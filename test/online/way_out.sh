#!/usr/bin/env bash
# test/online/way_out.sh — issue 20, "No way out" and "DDL during the run strands it". On 1.6: a referencing table in
# a schema where the migrating role lacks USAGE was accepted by start; the worker then failed with 42501 and so did
# the role's own abort (only a superuser could clean up). A table of the migration dropped during the run made finish
# and abort fail with a syntax error (42601), leaving twin columns and sync triggers behind for good, and a new start
# was refused (55006). Now the plan refuses the first (42501, naming the schema) before anything is created, offline
# and online; and after a DROP TABLE that got past the DDL guard, finish refuses with 55000 and abort removes
# everything the migration added to the tables that are left.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

online_db way_out
mig_role wo_owner LOGIN; owner=$MIG_ROLE
# (the mapping tables go to schema uuid7_mapping, which the owner's migration creates: CREATE on the database)
sql "GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$owner\"" >/dev/null
online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$owner";
CREATE SCHEMA locked;
CREATE TABLE public.parent (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE locked.child (id bigserial PRIMARY KEY, parent_id bigint REFERENCES public.parent);
CREATE TABLE public.note (id bigserial PRIMARY KEY, parent_id bigint REFERENCES public.parent);
INSERT INTO public.parent (name) SELECT 'p' || g FROM generate_series(1, 300) g;
INSERT INTO locked.child (parent_id) SELECT 1 + g % 300 FROM generate_series(1, 600) g;
INSERT INTO public.note (parent_id) SELECT 1 + g % 300 FROM generate_series(1, 600) g;
ALTER TABLE public.parent OWNER TO "$owner";
ALTER TABLE locked.child OWNER TO "$owner";
ALTER TABLE public.note OWNER TO "$owner";
SQL
as_owner() { PGOPTIONS="-c role=$owner" "$@"; }

# ---- a referencing table in a schema the role cannot use ------------------------------------------------------------
as_owner check_sqlstate "start: refused when a referencing table's schema denies USAGE (42501)" 42501 \
	"SELECT uuid7_migration_start(ARRAY['public.parent']::regclass[])"
out=$(as_owner sql "SELECT uuid7_migration_start(ARRAY['public.parent']::regclass[])" 2>&1)
check_eq "the refusal names the schema and the table" "t" \
	"$(grep -q 'schema locked of table locked.child' <<<"$out" && echo t || echo "f: $out")"
check_eq "the refused start left nothing: no state, no mapping table, no twin column" "0|0|0" \
	"$(sql "SELECT (SELECT count(*) FROM uuid7_state.uuid7_online_migration) || '|' ||
	               (SELECT count(*) FROM pg_class WHERE relname = 'parent_uuid7_map') || '|' ||
	               (SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.parent'::regclass AND attname LIKE 'uuid7_new_%')")"
check_eq "the offline plan refuses it the same way" "42501" \
	"$(as_owner mig_plan_refusals "ARRAY['public.parent']::regclass[]" | cut -d'|' -f1 | sort -u)"

# ---- a table of the migration dropped during the run ---------------------------------------------------------------
sql "GRANT USAGE ON SCHEMA locked TO \"$owner\"" >/dev/null
before=$(online_schema_sig)
mid=$(as_owner online_start "ARRAY['public.parent']::regclass[]" "'{\"batch_blocks\": 1, \"pause_ms\": 200}'")
mid=${mid:-0}
online_wait_for "the backfill has begun" \
	"SELECT bool_or(phase = 'backfill') FROM uuid7_migration_status WHERE migration_id = $mid" 60
# (a superuser in replica mode: event triggers, the DDL guard among them, do not fire)
sql "SET session_replication_role = replica; DROP TABLE public.note" >/dev/null
as_owner check_sqlstate "finish after a table of the migration was dropped: 55000" 55000 "SELECT uuid7_migration_finish($mid)"
check_eq "abort succeeds" "$mid" "$(PGOPTIONS="-c role=$owner -c client_min_messages=warning" sql "SELECT uuid7_migration_abort($mid)->>'migration_id'" 2>&1)"
check_eq "the tables left are as before the start" \
	"$(grep -v '|note|' <<<"$before" | grep -v 'note_' )" "$(online_schema_sig | grep -v '|note|' | grep -v 'note_')"
check_eq "nothing of the migration is left: twins, triggers, mapping table" "0|0|0" \
	"$(sql "SELECT (SELECT count(*) FROM pg_attribute WHERE attname LIKE 'uuid7_new_%' AND NOT attisdropped) || '|' ||
	               (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'zz_uuid7_sync_%') || '|' ||
	               (SELECT count(*) FROM pg_class WHERE relname = 'parent_uuid7_map')")"
check_eq "a new start is accepted" "ready" \
	"$(mid2=$(as_owner online_start "ARRAY['public.parent']::regclass[]" "'{\"pause_ms\": 0}'"); online_wait "${mid2:-0}" 120)"
online_check_no_crash
