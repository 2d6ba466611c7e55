#!/usr/bin/env bash
# test/security/disclosure.sh — issue 22 (low): "the status view and state tables show every role other roles' table
# names, generated DDL, options, worker pids and row values in last_error". On 1.6 every role read every row. Now a
# role sees a migration only when it acts as its starter or may SELECT its tables, through the view and the tables.
set -uo pipefail
cd "$(dirname "$0")"
source ../assert.sh
source ../online/lib.sh
source ./lib.sh

online_db disclosure
mig_role sec_owner LOGIN; owner=$MIG_ROLE
mig_role sec_reader LOGIN; reader=$MIG_ROLE
mig_role sec_stranger LOGIN; stranger=$MIG_ROLE
online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$owner";
SET ROLE "$owner";
CREATE TABLE public.cards (id bigint PRIMARY KEY, number text);
INSERT INTO public.cards SELECT g, '4111-' || g FROM generate_series(1, 200) g;
CREATE TABLE public.plain (id bigint PRIMARY KEY);
INSERT INTO public.plain SELECT generate_series(1, 200);
GRANT SELECT ON public.cards TO "$reader";
SQL

mid=$(PGOPTIONS="-c role=$owner" online_start "ARRAY['public.cards']::regclass[]")
check_eq "the migration reaches ready" "ready" "$(online_wait "${mid:-0}" 120)"
PGOPTIONS="-c role=$owner" sql "SELECT public.uuid7_migrate(ARRAY['public.plain']::regclass[])" >/dev/null

counts="SELECT (SELECT count(*) FROM uuid7_migration_status) || '|' || (SELECT count(*) FROM uuid7_online_migration)
	|| '|' || (SELECT count(*) FROM uuid7_online_table) || '|' || (SELECT count(*) FROM uuid7_online_column)
	|| '|' || (SELECT count(*) FROM uuid7_online_object) || '|' || (SELECT count(*) FROM uuid7_migrated_table)"
check_eq "the starter sees its migration everywhere (status|migration|tables|columns|objects|registry)" "1|1|1|1|2|1" \
	"$(sec_as "$owner" "$counts")"
check_eq "a role that may SELECT the table sees that migration, not the other table's registry row" "1|1|1|1|2|0" \
	"$(sec_as "$reader" "$counts")"
check_eq "a stranger sees nothing" "0|0|0|0|0|0" "$(sec_as "$stranger" "$counts")"
sql "SELECT uuid7_migration_abort(${mid:-0})" >/dev/null
