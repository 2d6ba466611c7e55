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
mig_role sec_writer LOGIN; writer=$MIG_ROLE
# (the mapping tables go to schema uuid7_mapping, which the owner's migration creates: CREATE on the database)
sql "GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$owner\"" >/dev/null
online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$owner";
SET ROLE "$owner";
CREATE TABLE public.cards (id bigint PRIMARY KEY, number text);
INSERT INTO public.cards SELECT g, '4111-' || g FROM generate_series(1, 200) g;
CREATE TABLE public.plain (id bigint PRIMARY KEY);
INSERT INTO public.plain SELECT generate_series(1, 200);
CREATE TABLE public.charges (id bigint PRIMARY KEY, card_id bigint NOT NULL REFERENCES public.cards);
INSERT INTO public.charges SELECT g, g FROM generate_series(1, 200) g;
GRANT SELECT ON public.cards TO "$reader";
-- a writer that may only insert charges: it sees no migration, and its writes still go through the sync trigger
GRANT USAGE ON SCHEMA public TO "$writer";
GRANT INSERT ON public.charges TO "$writer";
SQL

mid=$(PGOPTIONS="-c role=$owner" online_start "ARRAY['public.cards']::regclass[]")
check_eq "the migration reaches ready" "ready" "$(online_wait "${mid:-0}" 120)"
PGOPTIONS="-c role=$owner" sql "SELECT public.uuid7_migrate(ARRAY['public.plain']::regclass[])" >/dev/null

counts="SELECT (SELECT count(*) FROM uuid7_migration_status) || '|' || (SELECT count(*) FROM uuid7_state.uuid7_online_migration)
	|| '|' || (SELECT count(*) FROM uuid7_state.uuid7_online_table) || '|' || (SELECT count(*) FROM uuid7_state.uuid7_online_column)
	|| '|' || (SELECT count(*) FROM uuid7_state.uuid7_online_object) || '|' || (SELECT count(*) FROM uuid7_state.uuid7_migrated_table)"
# what a role that may SELECT cards only is entitled to: the rows of cards (and the migration row, whose tables it
# may all read), not those of charges, nor the registry row of plain
cards_only="SELECT (SELECT count(*) FROM uuid7_migration_status WHERE table_name = 'public.cards'::regclass)
	|| '|1|1|' || (SELECT count(*) FROM uuid7_state.uuid7_online_column WHERE relid = 'public.cards'::regclass)
	|| '|' || (SELECT count(*) FROM uuid7_state.uuid7_online_object WHERE relid = 'public.cards'::regclass) || '|0'"
check_eq "the starter sees its migration everywhere (status|migration|tables|columns|objects|registry)" \
	"$(sql "$counts")" "$(sec_as "$owner" "$counts")"
check_eq "a role that may SELECT one table sees that table's rows only" "$(sql "$cards_only")" "$(sec_as "$reader" "$counts")"
check_eq "a stranger sees nothing" "0|0|0|0|0|0" "$(sec_as "$stranger" "$counts")"
check_eq "a writer that may only INSERT sees nothing" "0|0|0|0|0|0" "$(sec_as "$writer" "$counts")"
check_eq "the writer's insert goes through the sync trigger (its twin is set)" "1" \
	"$(sec_as "$writer" "INSERT INTO public.charges VALUES (1000, 7)" >/dev/null; sql "SELECT count(*) FROM public.charges c
		JOIN uuid7_mapping.cards_uuid7_map m ON m.old_id = c.card_id
		WHERE c.id = 1000 AND (to_jsonb(c) - 'id' - 'card_id') @> jsonb_build_object((SELECT new_name FROM uuid7_state.uuid7_online_column
			WHERE relid = 'public.charges'::regclass AND attname = 'card_id'), m.new_id)")"
sql "SELECT uuid7_migration_abort(${mid:-0})" >/dev/null
