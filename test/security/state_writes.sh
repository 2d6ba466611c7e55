#!/usr/bin/env bash
# test/security/state_writes.sh — issue 22, "writes to the state go through the extension's functions, not through
# row security on the tables". On 1.6 every role held INSERT, UPDATE and DELETE on the state tables (row security
# filtered the rows): any role could LOCK them in ACCESS EXCLUSIVE mode and stall every online migration of the
# database, and a starter could write any column of its own rows. Now no role but the owner holds a write privilege:
# a stranger's LOCK is refused while a migration runs on, and the writer functions check who calls, which tables the
# rows name and which columns they change. The starter is recorded by OID: a role given its name later is not it.
set -uo pipefail
cd "$(dirname "$0")"
source ../assert.sh
source ../online/lib.sh
source ./lib.sh

online_db state_writes
mig_role sw_owner LOGIN; owner=$MIG_ROLE
mig_role sw_reader LOGIN; reader=$MIG_ROLE
mig_role sw_stranger LOGIN; stranger=$MIG_ROLE
# (the mapping tables go to schema uuid7_mapping, which the owner's migration creates: CREATE on the database)
sql "GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$owner\"" >/dev/null
online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$owner", "$stranger";
SET ROLE "$owner";
CREATE TABLE public.p (id bigserial PRIMARY KEY, v text);
INSERT INTO public.p (v) SELECT 'v' || g FROM generate_series(1, 5000) g;
GRANT SELECT ON public.p TO "$reader";
RESET ROLE;
SET ROLE "$stranger";
CREATE TABLE public.s (id bigint PRIMARY KEY);
SQL

as_owner() { PGOPTIONS="-c role=$owner" "$@"; }

# ---- no role can lock a state table against the others ------------------------------------------------------------
for t in uuid7_state.uuid7_online_migration uuid7_state.uuid7_online_table uuid7_state.uuid7_online_column uuid7_state.uuid7_online_object uuid7_state.uuid7_migrated_table; do
	sec_sqlstate_as "a stranger cannot LOCK $t in ACCESS EXCLUSIVE mode" "$stranger" 42501 \
		"BEGIN; LOCK TABLE $t IN ACCESS EXCLUSIVE MODE"
	sec_sqlstate_as "a stranger cannot LOCK $t in ROW EXCLUSIVE mode" "$stranger" 42501 \
		"BEGIN; LOCK TABLE $t IN ROW EXCLUSIVE MODE"
done
check_eq "no role but the owner holds a write privilege on the state tables" "0" \
	"$(sql "SELECT count(*) FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
	         WHERE c.relname IN ('uuid7_online_migration', 'uuid7_online_table', 'uuid7_online_column',
	                             'uuid7_online_object', 'uuid7_migrated_table')
	           AND a.grantee OPERATOR(pg_catalog.<>) c.relowner AND a.privilege_type <> 'SELECT'")"

# ---- a migration runs while a stranger tries to hold the state ---------------------------------------------------
id=$(as_owner online_start "ARRAY['public.p']::regclass[]" "'{\"batch_blocks\": 4, \"pause_ms\": 20}'")
id=${id:-0}
PGUSER=$stranger online_bg squatter \
	psql -X -q -c "BEGIN" -c "LOCK TABLE uuid7_state.uuid7_online_migration IN SHARE MODE" -c "SELECT pg_sleep(600)" >/dev/null 2>&1
check_eq "the owner's migration reaches ready" "ready" "$(online_wait "$id" 120)"

# ---- the writer functions check the caller, the tables and the columns -------------------------------------------
sec_sqlstate_as "the starter cannot UPDATE its own migration row" "$owner" 42501 \
	"UPDATE uuid7_state.uuid7_online_migration SET state = 'ready' WHERE id = $id"
sec_sqlstate_as "the writer refuses a column that is not progress (options)" "$owner" 42703 \
	"SELECT uuid7_online_state_update($id, 'uuid7_online_migration', '{\"options\": {}}')"
sec_sqlstate_as "the writer refuses started_by" "$owner" 42703 \
	"SELECT uuid7_online_state_update($id, 'uuid7_online_migration', '{\"started_by\": \"postgres\"}')"
sec_sqlstate_as "the writer refuses a table that is not state" "$owner" 22023 \
	"SELECT uuid7_online_state_update($id, 'pg_authid', '{\"rolsuper\": true}')"
sec_sqlstate_as "a stranger cannot write another role's migration (it does not exist for it)" "$stranger" 42704 \
	"SELECT uuid7_online_state_update($id, 'uuid7_online_migration', '{\"state\": \"failed\"}')"
sec_sqlstate_as "a role that may read the tables sees the migration but cannot write it" "$reader" 42501 \
	"SELECT uuid7_online_state_update($id, 'uuid7_online_migration', '{\"state\": \"failed\"}')"
sec_sqlstate_as "a role that may read the tables cannot lock its row" "$reader" 42501 \
	"SELECT uuid7_online_state_lock($id)"
sec_sqlstate_as "nor stop its worker" "$reader" 42501 "SELECT uuid7_online_stop_worker($id)"
sec_sqlstate_as "a stranger cannot stop its worker (the migration does not exist for it)" "$stranger" 42704 \
	"SELECT uuid7_online_stop_worker($id)"
sec_sqlstate_as "a stranger cannot start a migration of another role's table through the writer" "$stranger" 42501 \
	"SELECT uuid7_online_state_create(ARRAY['public.p']::regclass[], '{}', '{}')"
sec_sqlstate_as "a stranger cannot register another role's table as migrated" "$stranger" 42501 \
	"SELECT uuid7_register_migrated('public.p', 'id', 'bigint', 'public.s', 7, NULL)"
check_eq "the migration is still ready, as its owner left it" "ready" \
	"$(sql "SELECT state FROM uuid7_state.uuid7_online_migration WHERE id = $id")"
check_eq "the writer changes only what it is given (the owner's own write, then back)" "waiting|ready" \
	"$(as_owner sql "SELECT uuid7_online_state_update($id, 'uuid7_online_migration', '{\"state\": \"waiting\"}');
	                 SELECT state FROM uuid7_state.uuid7_online_migration WHERE id = $id;
	                 SELECT uuid7_online_state_update($id, 'uuid7_online_migration', '{\"state\": \"ready\"}', expect => '{\"state\": \"waiting\"}');
	                 SELECT state FROM uuid7_state.uuid7_online_migration WHERE id = $id" | sed -n '2p;4p' | paste -sd'|')"

# ---- the starter is a role, not a name: renamed, it keeps its migration; a new role given the name gets nothing -----
renamed="${owner}_r"
MIG_ROLES+=("$renamed")
sql "ALTER ROLE \"$owner\" RENAME TO \"$renamed\"; CREATE ROLE \"$owner\" LOGIN" >/dev/null
sec_sqlstate_as "a new role given the starter's old name cannot abort its migration" "$owner" 42704 \
	"SELECT uuid7_migration_abort($id)"
sec_sqlstate_as "nor write its state" "$owner" 42704 \
	"SELECT uuid7_online_state_update($id, 'uuid7_online_migration', '{\"state\": \"failed\"}')"
check_eq "the renamed starter finishes" "$id" \
	"$(PGOPTIONS="-c role=$renamed" sql "SELECT uuid7_migration_finish($id)->>'migration_id'")"
check_eq "the registry names the starter (by its name of now) as the one who migrated it" "$renamed" \
	"$(sql "SELECT migrated_by FROM uuid7_state.uuid7_migrated_table WHERE relid = 'public.p'::regclass")"
