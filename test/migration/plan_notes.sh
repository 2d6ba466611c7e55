#!/usr/bin/env bash
# test/migration/plan_notes.sh — every change is a line of the plan (issue 21): what a step implies without a
# statement of its own is a 'note' row before it — a domain over the integer that the converted column leaves, a
# publication that takes the new mapping table in, a published table whose subscribers must follow — and the
# migration does exactly that and runs no statement for it.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

mig_db plan_notes

mig_setup <<'SQL'
CREATE SCHEMA maps;
CREATE DOMAIN positive_id AS bigint CONSTRAINT positive_id_check CHECK (VALUE > 0);
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE child (id bigserial PRIMARY KEY, parent_id positive_id REFERENCES parent);
CREATE TABLE other (id bigserial PRIMARY KEY);
INSERT INTO parent (name) SELECT 'p' || g FROM generate_series(1, 100) g;
INSERT INTO child (parent_id) SELECT 1 + g % 100 FROM generate_series(1, 300) g;
INSERT INTO other SELECT FROM generate_series(1, 10);
SET client_min_messages = error;
CREATE PUBLICATION pub_maps FOR TABLES IN SCHEMA maps;
CREATE PUBLICATION pub_other FOR TABLE other;
SQL

P="ARRAY['public.parent']::regclass[]"
mig_snapshot "$P"
# (after the snapshot, whose own tables have no replica identity: a publication of every table refuses their updates)
sql "SET client_min_messages = error; CREATE PUBLICATION pub_all FOR ALL TABLES" >/dev/null
OPTS="'{\"mapping_schema\": \"maps\"}'"
notes=$(sql "SELECT object || ': ' || detail FROM uuid7_migration_plan($P, $OPTS) WHERE phase = 'note' ORDER BY step")
check_eq "the plan's notes, in order" \
"maps.parent_uuid7_map: joins publication pub_all, which publishes every table: its subscribers need a table maps.parent_uuid7_map, or their replication stops
maps.parent_uuid7_map: joins publication pub_maps, which publishes every table of schema maps: its subscribers need a table maps.parent_uuid7_map, or their replication stops
public.parent: published by pub_all: its subscribers must change the same columns to uuid before this change reaches them
public.child: column parent_id of type public.positive_id, a domain over bigint with constraint positive_id_check (CHECK ((VALUE > 0))), becomes plain uuid: the domain no longer applies to it
public.child: published by pub_all: its subscribers must change the same columns to uuid before this change reaches them" "$notes"
check_eq "notes carry no statement" 0 "$(sql "SELECT count(*) FROM uuid7_migration_plan($P, $OPTS) WHERE phase = 'note' AND statement IS NOT NULL")"
check_eq "a note comes before the step it is about (child's notes, then child's ALTER TABLE)" "note note alter table" \
	"$(sql "SELECT string_agg(phase, ' ' ORDER BY step) FROM uuid7_migration_plan($P, $OPTS) WHERE object = 'public.child' AND phase IN ('note', 'alter table')")"

mig_migrate "the migration with notes runs" "$P" "$OPTS"
check_eq "as noted: the mapping table is in both publications" "pub_all pub_maps" \
	"$(sql "SELECT string_agg(pubname, ' ' ORDER BY pubname) FROM pg_publication_tables WHERE schemaname = 'maps' AND tablename = 'parent_uuid7_map'")"
check_eq "as noted: child.parent_id is plain uuid, the domain gone from it" "uuid" \
	"$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'child'::regclass AND attname = 'parent_id'")"
