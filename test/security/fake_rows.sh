#!/usr/bin/env bash
# test/security/fake_rows.sh — issue 22 (low): "fake migration rows naming another role's table block that role's
# start (55006), and its abort then returns success while nothing changed". On 1.6 any role could insert state rows
# naming any table. Now no role writes the state tables; the extension's functions record only tables the writer
# owns, so the owner's start is never blocked.
set -uo pipefail
cd "$(dirname "$0")"
source ../assert.sh
source ../online/lib.sh
source ./lib.sh

online_db fake_rows
mig_role sec_owner LOGIN; owner=$MIG_ROLE
mig_role sec_faker LOGIN; faker=$MIG_ROLE
# (the mapping tables go to schema uuid7_mapping, which the owner's migration creates: CREATE on the database)
sql "GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$owner\"" >/dev/null
online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$owner", "$faker";
SET ROLE "$owner";
CREATE TABLE public.t (id bigint PRIMARY KEY);
INSERT INTO public.t SELECT generate_series(1, 100);
SET ROLE "$faker";
CREATE TABLE public.f (id bigint PRIMARY KEY);
SQL

sec_sqlstate_as "a migration row written directly is refused" "$faker" 42501 \
	"INSERT INTO uuid7_state.uuid7_online_migration (tables, options, plan_options) VALUES (ARRAY['public.t']::regclass[], '{}', '{}')"
sec_sqlstate_as "a migration row naming another role's table is refused" "$faker" 42501 \
	"SELECT uuid7_online_state_create(ARRAY['public.t']::regclass[], '{}', '{}')"
# a migration of the faker's own table, then a table row naming the owner's table under it
fid=$(sec_as "$faker" "SELECT uuid7_online_state_create(ARRAY['public.f']::regclass[], '{}', '{}')" 2>&1)
check_true "the faker may record a migration of its own table" "SELECT EXISTS (SELECT 1 FROM uuid7_state.uuid7_online_migration WHERE id = ${fid:-0} AND started_by = '$faker')"
sec_sqlstate_as "a table row naming another role's table is refused" "$faker" 42501 \
	"SELECT uuid7_online_state_insert(${fid:-0}, 'uuid7_online_table', '[{\"relid\": \"public.t\", \"ord\": 1, \"is_key\": true}]')"
sec_sqlstate_as "a table row written directly is refused" "$faker" 42501 \
	"INSERT INTO uuid7_state.uuid7_online_table (migration_id, relid, ord, is_key) VALUES (${fid:-0}, 'public.t', 1, true)"
check_eq "no state row names the owner's table" "0" "$(sql "SELECT count(*) FROM uuid7_state.uuid7_online_table WHERE relid = 'public.t'::regclass")"

mid=$(PGOPTIONS="-c role=$owner" online_start "ARRAY['public.t']::regclass[]")
check_true "the owner's start is not blocked" "SELECT EXISTS (SELECT 1 FROM uuid7_state.uuid7_online_migration WHERE id = ${mid:-0} AND started_by = '$owner')"
check_eq "the owner's migration reaches ready" "ready" "$(online_wait "${mid:-0}" 120)"
sec_sqlstate_as "the faker cannot abort the owner's migration" "$faker" 42704 "SELECT uuid7_migration_abort(${mid:-0})"
check_eq "the owner aborts it, and the abort changed the state" "aborted" \
	"$(sec_as "$owner" "SELECT uuid7_migration_abort(${mid:-0})->>'aborted_in_phase' IS NOT NULL; SELECT state FROM uuid7_state.uuid7_online_migration WHERE id = ${mid:-0}" | tail -n1)"
