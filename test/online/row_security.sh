#!/usr/bin/env bash
# test/online/row_security.sh — issue 20, "References set to NULL". A referencing table with FORCE ROW LEVEL SECURITY
# and a tenant policy that does not use the converted column, migrated online by the tables' owner (not a superuser,
# as on managed PostgreSQL). On 1.6 the backfill and the verification both ran under the policy: after finish every
# converted reference of the rows the policy hid was NULL, and nothing was reported. Now the start refuses (42501,
# naming the table and the policy) and leaves nothing behind; a FORCE set during the run fails the worker (42501)
# before anything is lost, and resume goes on once it is lifted. Without FORCE the owner is exempt: every reference
# ends converted, none NULL.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

online_db row_security
mig_role rls_owner LOGIN; owner=$MIG_ROLE
# (the mapping tables go to schema uuid7_mapping, which the owner's migration creates: CREATE on the database)
sql "GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$owner\"" >/dev/null
online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$owner";
SET ROLE "$owner";
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE child (id bigserial PRIMARY KEY, tenant text NOT NULL, parent_id bigint NOT NULL REFERENCES parent);
INSERT INTO parent (name) SELECT 'p' || g FROM generate_series(1, 300) g;
INSERT INTO child (tenant, parent_id) SELECT 't' || (g % 3), 1 + g % 300 FROM generate_series(1, 3000) g;
ALTER TABLE child ENABLE ROW LEVEL SECURITY;
ALTER TABLE child FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON child USING (tenant = coalesce(current_setting('app.tenant', true), 't0'));
SQL

as_owner() { PGOPTIONS="-c role=$owner -c row_security=on" "$@"; }
refs() { sql "SELECT count(*) FILTER (WHERE parent_id IS NULL) || '/' || count(*) FROM child"; }

as_owner check_sqlstate "the owner's start is refused while the policy applies to it (42501)" 42501 \
	"SELECT uuid7_migration_start(ARRAY['parent']::regclass[])"
out=$(as_owner sql "SELECT uuid7_migration_start(ARRAY['parent']::regclass[])" 2>&1)
check_eq "the refusal names the table and the policy" "t" \
	"$(grep -q 'table public.child' <<<"$out" && grep -q 'tenant_isolation' <<<"$out" && echo t || echo "f: $out")"
check_eq "the refused start left nothing: no state, no mapping table, no twin column" "0|0|0" \
	"$(sql "SELECT (SELECT count(*) FROM uuid7_state.uuid7_online_migration) || '|' ||
	               (SELECT count(*) FROM pg_class WHERE relname = 'parent_uuid7_map') || '|' ||
	               (SELECT count(*) FROM pg_attribute WHERE attrelid = 'child'::regclass AND attname LIKE 'uuid7_new_%')")"

# without FORCE the owner reads and writes every row; FORCE set again during the run stops the worker, not the data
sql "ALTER TABLE child NO FORCE ROW LEVEL SECURITY" >/dev/null
mid=$(as_owner online_start "ARRAY['parent']::regclass[]" "'{\"batch_blocks\": 1, \"pause_ms\": 100}'")
mid=${mid:-0}
online_wait_for "the backfill has begun" \
	"SELECT bool_or(phase = 'backfill') FROM uuid7_migration_status WHERE migration_id = $mid" 60
sql "ALTER TABLE child FORCE ROW LEVEL SECURITY" >/dev/null
check_eq "the worker fails once the policy applies to it" "failed" "$(online_wait "$mid" 60)"
check_eq "its last error says why (42501, row-level security, the table)" "t" \
	"$(sql "SELECT last_error LIKE '42501: row-level security applies to role %child%' FROM uuid7_state.uuid7_online_migration WHERE id = $mid")"
sql "ALTER TABLE child NO FORCE ROW LEVEL SECURITY" >/dev/null
check_eq "resumed without FORCE, it reaches ready" "ready" \
	"$(as_owner sql "SELECT uuid7_migration_resume($mid) > 0" >/dev/null; online_wait "$mid" 120)"
sql "ALTER TABLE child FORCE ROW LEVEL SECURITY" >/dev/null
as_owner check_sqlstate "a ready migration's finish is refused while the policy applies (42501)" 42501 \
	"SELECT uuid7_migration_finish($mid)"
check_eq "and nothing was swapped" "bigint" \
	"$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'child'::regclass AND attname = 'parent_id'")"
sql "ALTER TABLE child NO FORCE ROW LEVEL SECURITY" >/dev/null
check_eq "the owner finishes" "$mid" "$(as_owner sql "SELECT uuid7_migration_finish($mid)->>'migration_id'")"
check_eq "every reference is converted, none NULL (NULL/all)" "0/3000" "$(refs)"
check_eq "each reference is its parent's new key" "0" \
	"$(sql "SELECT count(*) FROM child c LEFT JOIN parent p ON p.id = c.parent_id WHERE p.id IS NULL")"
check_eq "the policy is still there, still forced off" "tenant_isolation|false" \
	"$(sql "SELECT p.polname || '|' || c.relforcerowsecurity FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relname = 'child'")"
online_check_no_crash
