#!/usr/bin/env bash
# test/security/lookup_rls.sh — issue 22, "uuid7_migration_lookup() ignores row-level security".
#
# A table shaped like a mapping (old_id bigint, new_id uuid) has row security enabled and forced, with a policy that
# shows role R only the keys up to 100. R has SELECT on it. uuid7_migration_lookup() reads the table itself, not
# through the executor, so it cannot apply policies: it now refuses (42501) any table whose row security applies to
# the caller, whatever key is asked, and never returns a mapping a policy hides. It also re-checks when the role
# changes within a transaction (the table is loaded once per transaction), and accepts column SELECT on both columns.
#
# Why it fails on 1.6: the lookup checked table SELECT only, then scanned every row: R got the mapping of keys the
# policy hides from it (and of every key after a privileged role had loaded the table in the same transaction).
set -uo pipefail
cd "$(dirname "$0")" || exit 1
source ../assert.sh; source ../migration/lib.sh; source ./lib.sh

mig_db lookup_rls
mig_role sec_lookup_r LOGIN; role_r=$MIG_ROLE
mig_role sec_lookup_owner; role_o=$MIG_ROLE
mig_role sec_lookup_bypass "LOGIN BYPASSRLS"; role_bypass=$MIG_ROLE

mig_setup <<SQL
CREATE TABLE keys_map (old_id bigint NOT NULL, new_id uuid NOT NULL);
INSERT INTO keys_map SELECT g, ('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid FROM generate_series(1, 200) g;
ALTER TABLE keys_map OWNER TO "$role_o";
ALTER TABLE keys_map ENABLE ROW LEVEL SECURITY;
ALTER TABLE keys_map FORCE ROW LEVEL SECURITY;
CREATE POLICY r_sees_low ON keys_map FOR SELECT TO "$role_r" USING (old_id OPERATOR(pg_catalog.<=) 100);
CREATE POLICY owner_sees_all ON keys_map FOR SELECT TO "$role_o", "$role_bypass" USING (true);
GRANT SELECT ON keys_map TO "$role_r", "$role_bypass";
-- no row security: column grants only
CREATE TABLE plain_map (old_id bigint NOT NULL, new_id uuid NOT NULL, note text);
INSERT INTO plain_map SELECT old_id, new_id, 'n' FROM keys_map;
CREATE TABLE half_map (old_id bigint NOT NULL, new_id uuid NOT NULL);
INSERT INTO half_map SELECT old_id, new_id FROM keys_map;
GRANT SELECT (old_id, new_id) ON plain_map TO "$role_r";
GRANT SELECT (old_id) ON half_map TO "$role_r";
SQL

hidden="'00000000-0000-7000-8000-000000000096'" # the uuid of key 150
check_eq "the policy hides keys above 100 from R in a query" "100|f" \
	"$(sec_as "$role_r" "SELECT count(*), bool_or(old_id = 150) FROM keys_map")"
sec_sqlstate_as "R's lookup of a key the policy hides is refused with 42501 (no mapping returned)" "$role_r" 42501 \
	"SELECT uuid7_migration_lookup('keys_map', 150)"
sec_sqlstate_as "R's lookup of a key the policy shows is refused too: the lookup cannot apply policies" "$role_r" 42501 \
	"SELECT uuid7_migration_lookup('keys_map', 50)"
out=$(psql -X -A -t -q -c "SET ROLE \"$role_r\"" -c "SELECT uuid7_migration_lookup('keys_map', 150)" 2>&1)
check_eq "the refusal says why" 1 \
	"$(grep -c 'ERROR:  uuid7_migration_lookup cannot read "keys_map": row-level security applies to it' <<<"$out")"
check_eq "no output carries the hidden mapping" 0 "$(grep -c '00000000-0000-7000-8000-000000000096' <<<"$out")"
sec_sqlstate_as "with row_security off, R's lookup is refused as its query would be" "$role_r" 42501 \
	"SET row_security = off; SELECT uuid7_migration_lookup('keys_map', 150)"
sec_sqlstate_as "the owner under FORCE ROW LEVEL SECURITY is refused too" "$role_o" 42501 \
	"SELECT uuid7_migration_lookup('keys_map', 150)"
check_eq "a role with BYPASSRLS gets the mapping" t \
	"$(sec_as "$role_bypass" "SELECT uuid7_migration_lookup('keys_map', 150) = $hidden")"
check_eq "a superuser gets the mapping" t "$(sql "SELECT uuid7_migration_lookup('keys_map', 150) = $hidden")"

# the table is loaded once per transaction: loaded by a superuser, it is still refused to R in the same transaction
out=$(psql -X -A -t -q -v VERBOSITY=sqlstate 2>&1 <<SQL
\\set VERBOSITY sqlstate
BEGIN;
SELECT 'as superuser: ' || (uuid7_migration_lookup('keys_map', 150) = $hidden);
SET LOCAL ROLE "$role_r";
SELECT 'as R: ' || uuid7_migration_lookup('keys_map', 150);
ROLLBACK;
SQL
)
check_eq "loaded by a superuser earlier in the transaction, the table is still refused to R" \
	"as superuser: true|ERROR:  42501" "$(grep -E '^(as |ERROR)' <<<"$out" | paste -sd '|')"
out=$(psql -X -A -t -q 2>&1 <<SQL
\\set VERBOSITY sqlstate
BEGIN;
SELECT uuid7_migration_lookup('half_map', 150) = $hidden;
SET LOCAL ROLE "$role_r";
SELECT uuid7_migration_lookup('half_map', 150);
ROLLBACK;
SQL
)
check_eq "the same for a table without policies whose new_id R may not read" "t|ERROR:  42501" "$(paste -sd '|' <<<"$out")"

# with the owner's FORCE lifted, the owner is not subject to the policies
sql "ALTER TABLE keys_map NO FORCE ROW LEVEL SECURITY" >/dev/null
check_eq "the owner without FORCE gets the mapping (its row security does not apply to it)" t \
	"$(sec_as "$role_o" "SELECT uuid7_migration_lookup('keys_map', 150) = $hidden")"
sec_sqlstate_as "R is still refused" "$role_r" 42501 "SELECT uuid7_migration_lookup('keys_map', 150)"

# column privileges: SELECT on both columns read is enough, on one of them is not
check_eq "SELECT on old_id and new_id (a table without row security) is enough" t \
	"$(sec_as "$role_r" "SELECT uuid7_migration_lookup('plain_map', 150) = $hidden")"
sec_sqlstate_as "SELECT on old_id alone is not" "$role_r" 42501 "SELECT uuid7_migration_lookup('half_map', 150)"
