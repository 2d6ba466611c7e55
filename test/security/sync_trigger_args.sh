#!/usr/bin/env bash
# test/security/sync_trigger_args.sh — issue 22, "the sync trigger's check is cached by trigger OID".
#
# Role A migrates its table online; role B, to whom A granted TRIGGER on it, runs CREATE OR REPLACE TRIGGER with the
# sync trigger's name, which keeps the trigger's OID and changes its arguments: the mapping-table argument now names
# B's own table, whose row-security policy calls B's function. That function records current_user and tries to read a
# table only A may read. A then writes its table in a backend where the real trigger had already served it.
#
# Why it fails on 1.6: uuid7_online_sync() checked its arguments against the registry once per backend and cached the
# verdict by trigger OID, then took the mapping table from the (new) arguments and queried it as the migration's
# starter (A). In a backend whose cached verdict had no prepared plan yet (its first write was an UPDATE that kept the
# key), A's insert read B's table as A: B's function ran as A, read A's secret and recorded it, and A's new row got
# its twin from B's table. Now the verdict is keyed on the whole definition (the changed arguments are checked again
# and refused with 42501), the mapping table comes from the registry by OID, never from the arguments, and the mapping
# statements run as A only inside a security-restricted operation.
set -uo pipefail
cd "$(dirname "$0")" || exit 1
source ../assert.sh; source ../online/lib.sh; source ./lib.sh

online_db sync_args
mig_role sec_sync_a LOGIN; role_a=$MIG_ROLE
mig_role sec_sync_b LOGIN; role_b=$MIG_ROLE
# (the mapping tables go to schema uuid7_mapping, which the role A's migration creates: CREATE on the database)
sql "GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$role_a\"" >/dev/null

online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$role_a", "$role_b";
GRANT CREATE ON DATABASE "$PGDATABASE" TO "$role_b";
SET ROLE "$role_a";
CREATE TABLE acct (id serial PRIMARY KEY, note text NOT NULL, pad text);
-- about 90 pages: one page per batch with a long rest keeps the worker in the backfill for minutes
INSERT INTO acct (note, pad) SELECT 'n' || g, repeat('x', 200) FROM generate_series(1, 3000) g;
CREATE TABLE secret (v text);
INSERT INTO secret VALUES ('TOPSECRET-A');
REVOKE ALL ON secret FROM PUBLIC;
GRANT TRIGGER ON acct TO "$role_b";
RESET ROLE;
SET ROLE "$role_b";
CREATE SCHEMA b_own;
CREATE TABLE b_own.spy_log (who text, saw text);
GRANT USAGE ON SCHEMA b_own TO PUBLIC;
GRANT INSERT ON b_own.spy_log TO PUBLIC;
CREATE FUNCTION b_own.spy() RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN
	BEGIN
		INSERT INTO b_own.spy_log SELECT current_user, (SELECT string_agg(v, ',') FROM public.secret);
	EXCEPTION WHEN insufficient_privilege THEN
		INSERT INTO b_own.spy_log VALUES (current_user, 'denied');
	END;
	RETURN true;
END \$\$;
-- shaped like a mapping table, open to everyone, its policy calls the spy for every row read
CREATE TABLE b_own.evil (old_id bigint PRIMARY KEY, new_id uuid NOT NULL);
INSERT INTO b_own.evil VALUES (3001, '00000000-0000-7000-8000-00000000beef');
GRANT SELECT, INSERT ON b_own.evil TO PUBLIC;
ALTER TABLE b_own.evil ENABLE ROW LEVEL SECURITY;
CREATE POLICY spy_read ON b_own.evil FOR SELECT USING (b_own.spy());
CREATE POLICY spy_write ON b_own.evil FOR INSERT WITH CHECK (true);
SQL

as_a() { PGOPTIONS="-c role=$role_a" "$@"; }

mid=$(as_a online_start "ARRAY['acct']::regclass[]" "'{\"batch_blocks\": 1, \"pause_ms\": 1500}'")
mid=${mid:-0}
online_wait_for "the migration reaches the backfill with its sync trigger in place" \
	"SELECT m.phase = 'backfill' AND EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'zz_uuid7_sync_$mid')
	   FROM uuid7_state.uuid7_online_migration m WHERE m.id = $mid" 90
check_eq "A's table is still backfilling (the check below runs against a live sync trigger)" "backfill" \
	"$(sql "SELECT phase FROM uuid7_state.uuid7_online_migration WHERE id = $mid")"

# the real trigger maps a new row of A's; B's forged arguments: the same, with B's table as the mapping
as_a sql "INSERT INTO acct (note) VALUES ('first')" >/dev/null
real_args=$(sql "SELECT string_agg(quote_literal(a), ', ' ORDER BY n) FROM unnest(uuid7_online_sync_args($mid, 'acct')) WITH ORDINALITY u(a, n)")
forged_args=$(sql "SELECT string_agg(quote_literal(CASE WHEN n = 4 THEN 'b_own.evil' ELSE a END), ', ' ORDER BY n)
	FROM unnest(uuid7_online_sync_args($mid, 'acct')) WITH ORDINALITY u(a, n)")
check_true "the forged arguments differ from the registry's only in the mapping table" \
	"SELECT (uuid7_online_sync_args($mid, 'acct'))[4] = 'uuid7_mapping.acct_uuid7_map' AND ARRAY[$forged_args]::text[] <> ARRAY[$real_args]::text[]"
oid_before=$(sql "SELECT oid FROM pg_trigger WHERE tgname = 'zz_uuid7_sync_$mid'")

# 2.0: the DDL guard (src/sql/online_guard.sql) refuses B's redefinition outright: the arguments no longer match
PGOPTIONS="-c role=$role_b" check_sqlstate "the DDL guard refuses B's CREATE OR REPLACE TRIGGER with other arguments (55006)" \
	55006 "CREATE OR REPLACE TRIGGER \"zz_uuid7_sync_$mid\" BEFORE INSERT OR UPDATE ON public.acct FOR EACH ROW
		EXECUTE FUNCTION uuid7_online_sync($forged_args)"

# The trigger's own check is the last line (a superuser may disable event triggers): B's redefinition is run past
# the guard here (event triggers do not fire under session_replication_role = replica).
# One backend (a superuser session switching roles, so the trigger's per-backend cache is shared): A's UPDATE that
# keeps the key has the trigger checked and cached, B replaces the trigger, A inserts.
out=$(psql -X -A -t -q -v ON_ERROR_STOP=0 2>&1 <<SQL
\\set VERBOSITY default
SET ROLE "$role_a";
UPDATE acct SET note = 'touched' WHERE note = 'first';
RESET ROLE;
SET session_replication_role = replica;
SET ROLE "$role_b";
CREATE OR REPLACE TRIGGER "zz_uuid7_sync_$mid" BEFORE INSERT OR UPDATE ON public.acct FOR EACH ROW
	EXECUTE FUNCTION uuid7_online_sync($forged_args);
RESET ROLE;
SET session_replication_role = origin;
SELECT 'replaced:' || (oid = $oid_before) || ':' || (pg_get_triggerdef(oid) LIKE '%b_own.evil%')
  FROM pg_trigger WHERE tgname = 'zz_uuid7_sync_$mid';
SET ROLE "$role_a";
\\set VERBOSITY sqlstate
INSERT INTO acct (note) VALUES ('second');
\\set VERBOSITY default
INSERT INTO acct (note) VALUES ('second');
SQL
)
check_eq "B's CREATE OR REPLACE TRIGGER kept the trigger's OID and changed its arguments" "replaced:true:true" "$(grep '^replaced:' <<<"$out")"
check_eq "A's insert through the redefined trigger fails with 42501 (checked again, not served from the cache)" \
	"ERROR:  42501" "$(grep -m1 '^ERROR:  42501' <<<"$out")"
check_eq "... and says which trigger is not the migration's" 1 \
	"$(grep -c "ERROR:  trigger \"zz_uuid7_sync_$mid\" on table \"acct\" is not the sync trigger of a uuid7 online migration" <<<"$out")"
check_eq "B's function never ran as A" 0 "$(sql "SELECT count(*) FROM b_own.spy_log WHERE who = '$role_a'")"
check_eq "A's secret was never read through B's function" 0 \
	"$(sql "SELECT count(*) FROM b_own.spy_log WHERE saw LIKE '%TOPSECRET%'")"
check_eq "B's table got no row from A's insert" "3001" "$(sql "SELECT string_agg(old_id::text, ',') FROM b_own.evil")"
check_eq "A's refused row was not written" 0 "$(sql "SELECT count(*) FROM acct WHERE note = 'second'")"

# a new backend of A is refused as well (the definition is checked before the first use)
PGOPTIONS="-c role=$role_a" check_sqlstate "a fresh backend of A is refused the redefined trigger too" 42501 \
	"INSERT INTO acct (note) VALUES ('second')"

# A (the owner) restores the registry's definition, same OID again: it is checked and accepted, and then serves A
out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 2>&1 <<SQL
SET ROLE "$role_a";
CREATE OR REPLACE TRIGGER "zz_uuid7_sync_$mid" BEFORE INSERT OR UPDATE ON public.acct FOR EACH ROW
	EXECUTE FUNCTION uuid7_online_sync($real_args);
UPDATE acct SET note = 'touched again' WHERE note = 'touched';
INSERT INTO acct (note) VALUES ('third');
SELECT 'ok:' || (SELECT oid = $oid_before FROM pg_trigger WHERE tgname = 'zz_uuid7_sync_$mid');
SQL
)
check_eq "with the registry's arguments back (same OID), the trigger serves A again" "ok:true" "$out"

check_true "the mapping has every key of A's table once, and every twin set equals its mapping" \
	"SELECT count(*) = 0 FROM acct a LEFT JOIN uuid7_mapping.acct_uuid7_map m ON m.old_id = a.id
	  WHERE m.new_id IS NULL OR (a.uuid7_new_1 IS NOT NULL AND a.uuid7_new_1 <> m.new_id)"
check_true "the mapping has no key A's table does not have" \
	"SELECT count(*) = 0 FROM uuid7_mapping.acct_uuid7_map m WHERE NOT EXISTS (SELECT 1 FROM acct a WHERE a.id = m.old_id)"
check_true "the rows inserted through the sync trigger have their twin from A's mapping" \
	"SELECT count(*) = 2 FROM acct a JOIN uuid7_mapping.acct_uuid7_map m ON m.old_id = a.id AND m.new_id = a.uuid7_new_1
	  WHERE a.note IN ('touched again', 'third')"
check_eq "B's function never ran as A, after all of it" 0 "$(sql "SELECT count(*) FROM b_own.spy_log WHERE who = '$role_a'")"

# The mapping statements run as A in a security-restricted operation: a policy on A's own mapping that creates a
# temporary table (allowed anywhere else; one made there would outlive the statement in the writer's session) is
# refused. The update moves row 5 to key 7, which the mapping has: its row is read through the policy.
as_a sql "CREATE FUNCTION public.try_temp() RETURNS boolean LANGUAGE plpgsql AS \$\$
	BEGIN EXECUTE 'CREATE TEMP TABLE IF NOT EXISTS sro_probe (x int)'; RETURN true; END \$\$;
	ALTER TABLE uuid7_mapping.acct_uuid7_map ENABLE ROW LEVEL SECURITY;
	CREATE POLICY all_rows ON uuid7_mapping.acct_uuid7_map USING (true);
	CREATE POLICY restricted ON uuid7_mapping.acct_uuid7_map AS RESTRICTIVE FOR SELECT USING (public.try_temp());
	ALTER TABLE uuid7_mapping.acct_uuid7_map FORCE ROW LEVEL SECURITY" >/dev/null
check_eq "outside the trigger, the policy may create a temporary table" "1" \
	"$(as_a sql "SELECT count(*) FROM uuid7_mapping.acct_uuid7_map WHERE old_id = 7")"
out=$(PGOPTIONS="-c role=$role_a" psql -X -A -t -q -c "DELETE FROM acct WHERE id = 7; UPDATE acct SET id = 7 WHERE id = 5" 2>&1)
check_eq "inside the trigger's mapping statements it is refused: a security-restricted operation" 1 \
	"$(grep -c 'ERROR:  cannot create temporary table within security-restricted operation' <<<"$out")"
as_a sql "ALTER TABLE uuid7_mapping.acct_uuid7_map NO FORCE ROW LEVEL SECURITY; DROP POLICY restricted ON uuid7_mapping.acct_uuid7_map;
	DROP POLICY all_rows ON uuid7_mapping.acct_uuid7_map; ALTER TABLE uuid7_mapping.acct_uuid7_map DISABLE ROW LEVEL SECURITY" >/dev/null

as_a sql "SELECT uuid7_migration_abort($mid)" >/dev/null 2>&1
online_check_no_crash
