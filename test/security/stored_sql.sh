#!/usr/bin/env bash
# test/security/stored_sql.sh — issue 22, "SQL stored in a role's own migration rows runs as whoever resumes or aborts
# it". On 1.6 row security let the starter write every column of its rows; uuid7_state.uuid7_online_object.create_sql and
# uuid7_state.uuid7_online_table.sync_function were executed by a superuser's uuid7_migration_resume() (its worker ran as the
# superuser) and by uuid7_migration_abort(), which had no membership check. Now the state holds no statement, the one
# text put into a statement as it is (deferrable_clause) is checked, no row can point at another role's table, and
# resume / abort act as the starter; no role writes the state tables but through the extension's functions, which
# write only progress columns: the starter's own trigger, fired by the worker a superuser resumed, sees the
# starter as current_user, and a stranger cannot abort.
set -uo pipefail
cd "$(dirname "$0")"
source ../assert.sh
source ../online/lib.sh
source ./lib.sh

online_db stored_sql
mig_role sec_starter LOGIN; starter=$MIG_ROLE
mig_role sec_other LOGIN; other=$MIG_ROLE
mig_role sec_stranger LOGIN; stranger=$MIG_ROLE
# (the mapping tables go to schema uuid7_mapping, which the starter's migration creates: CREATE on the database)
sql "GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$starter\"" >/dev/null
online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$starter", "$other";
CREATE TABLE public.witness (who name, is_super boolean);
GRANT INSERT ON public.witness TO PUBLIC;
SET ROLE "$other";
CREATE TABLE public.others (id bigint PRIMARY KEY, secret text);
INSERT INTO public.others VALUES (1, 'theirs');
RESET ROLE;
SET ROLE "$starter";
CREATE TABLE public.p (id bigint PRIMARY KEY, v text);
INSERT INTO public.p SELECT g, 'v' || g FROM generate_series(1, 3000) g;
CREATE TABLE public.c (id bigint PRIMARY KEY, p_id bigint REFERENCES public.p DEFERRABLE);
INSERT INTO public.c SELECT g, g FROM generate_series(1, 3000) g;
-- the starter's own code, fired by the worker's backfill: it tries to use whatever rights it runs with
CREATE FUNCTION public.grab() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	INSERT INTO public.witness SELECT current_user, rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user;
	IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
		EXECUTE 'ALTER ROLE "$starter" SUPERUSER';
	END IF;
	RETURN NEW;
END \$\$;
CREATE TRIGGER grab BEFORE UPDATE ON public.c FOR EACH ROW EXECUTE FUNCTION public.grab();
-- ENABLE ALWAYS: it fires for the backfill too, whose other triggers stay quiet (test/online/owner_code.sh)
ALTER TABLE public.c ENABLE ALWAYS TRIGGER grab;
SQL

as_starter() { PGOPTIONS="-c role=$starter" "$@"; }
mid=$(as_starter online_start "ARRAY['public.p']::regclass[]" "'{\"pause_ms\": 600000}'")
mid=${mid:-0}

# the state has no column that becomes a statement, and the one text that is put into one is checked
as_starter check_sqlstate "uuid7_online_object has no create_sql column" 42703 \
	"UPDATE uuid7_state.uuid7_online_object SET create_sql = 'SELECT 1' WHERE migration_id = $mid"
as_starter check_sqlstate "uuid7_online_table has no sync_function column" 42703 \
	"UPDATE uuid7_state.uuid7_online_table SET sync_function = 'x' WHERE migration_id = $mid"
as_starter check_sqlstate "the starter cannot write its rows directly" 42501 \
	"UPDATE uuid7_state.uuid7_online_object SET deferrable_clause = '; ALTER ROLE \"$starter\" SUPERUSER; --' WHERE migration_id = $mid"
as_starter check_sqlstate "the state writer does not write deferrable_clause" 42703 \
	"SELECT uuid7_online_state_update($mid, 'uuid7_online_object', '{\"deferrable_clause\": \"; SELECT 1\"}', ord => 1)"
check_true "deferrable_clause takes only the clauses the engine writes (a CHECK, for a superuser's hand too)" \
	"SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'uuid7_online_object_deferrable_clause_check')"
# no row of the starter's migration can be pointed at another role's table
as_starter check_sqlstate "a row cannot be pointed at another table directly" 42501 \
	"UPDATE uuid7_state.uuid7_online_table SET relid = 'public.others'::regclass WHERE migration_id = $mid AND relid = 'public.c'::regclass"
as_starter check_sqlstate "the state writer never changes which table a row names" 42703 \
	"SELECT uuid7_online_state_update($mid, 'uuid7_online_table', '{\"relid\": \"public.others\"}', 'public.c')"
as_starter check_sqlstate "an object row for another role's table cannot be added" 42501 \
	"SELECT uuid7_online_state_insert($mid, 'uuid7_online_object', '[{\"ord\": 999, \"kind\": \"index\", \"relid\": \"public.others\", \"new_name\": \"x\", \"source\": 0}]')"

# a stranger can neither see nor abort the migration; nothing changes
PGOPTIONS="-c role=$stranger" check_sqlstate "a stranger's abort is refused (the migration does not exist for it)" 42704 \
	"SELECT uuid7_migration_abort($mid)"
PGOPTIONS="-c role=$stranger" check_sqlstate "a stranger's resume is refused" 42704 "SELECT uuid7_migration_resume($mid)"
check_eq "the migration is untouched" "running" "$(sql "SELECT state FROM uuid7_state.uuid7_online_migration WHERE id = $mid")"

# a superuser stops the worker and resumes at full speed: the worker runs as the starter, so the starter's trigger does
sql "SELECT uuid7_online_stop_worker($mid); UPDATE uuid7_state.uuid7_online_migration SET options = options - 'pause_ms' WHERE id = $mid" >/dev/null
out=$(sql "SELECT uuid7_migration_resume($mid) > 0" 2>&1)
check_eq "a superuser resumes the starter's migration" "t" "$out"
check_eq "it reaches ready" "ready" "$(online_wait "$mid" 180)"
check_eq "the worker's backfill fired the starter's trigger as the starter, never as a superuser" "$starter|false" \
	"$(sql "SELECT string_agg(DISTINCT who || '|' || is_super, ',') FROM public.witness")"
check_eq "a superuser's finish runs as the starter too" "t" \
	"$(sql "SELECT (uuid7_migration_finish($mid))->>'migration_id' = '$mid'" 2>&1)"
check_eq "the starter is still an ordinary role" "f" "$(sec_is_superuser "$starter")"
check_eq "after the superuser's calls the session is the superuser again" "postgres" "$(sql "SELECT current_user")"
