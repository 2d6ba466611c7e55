#!/usr/bin/env bash
# test/online/carry.sh — issue 20, "Constraints and indexes dropped" and "Table properties lost". On 1.6 the online
# swap dropped, with the old column, what offline keeps: a CHECK over the foreign key column and a UNIQUE partial
# index whose predicate tests it (the table then accepted rows violating both); a partial index on the column made
# finish fail with 42P01 every time; statistics targets and attribute options, the comment on the primary key, the
# CLUSTER mark, extended statistics and the replica identity index (every UPDATE then failed with 55000 on a
# published table) were lost. Now each has a twin or is put back by the swap. The same schema is migrated offline in
# one database and online in a copy, and the results are compared as a DBA would: pg_dump --schema-only, the catalog
# for what a dump leaves out, and the rows; then the constraints are shown to hold after the online run.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

online_db carry
mig_role carry_owner; owner=$MIG_ROLE
mig_role carry_reader; reader=$MIG_ROLE
online_setup <<SQL
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE UNIQUE INDEX parent_id_name ON parent (id, name);
ALTER TABLE parent REPLICA IDENTITY USING INDEX parent_id_name;
ALTER TABLE parent CLUSTER ON parent_pkey;
ALTER TABLE parent ALTER COLUMN id SET STATISTICS 1000;
COMMENT ON CONSTRAINT parent_pkey ON parent IS 'the key of parent';
CREATE TABLE child (id bigserial PRIMARY KEY, kind text NOT NULL, parent_id bigint REFERENCES parent, slug text,
	CONSTRAINT child_root_has_no_parent CHECK ((kind = 'root') = (parent_id IS NULL)));
ALTER TABLE child ADD CONSTRAINT child_parent_positive CHECK (parent_id IS NOT NULL OR kind <> 'leaf') NOT VALID;
COMMENT ON CONSTRAINT child_root_has_no_parent ON child IS 'roots only';
CREATE UNIQUE INDEX child_slug_per_parent ON child (slug) WHERE parent_id IS NOT NULL;
CREATE INDEX child_parent_set ON child (parent_id) WHERE parent_id IS NOT NULL;
ALTER TABLE child ALTER COLUMN parent_id SET STATISTICS 500;
ALTER TABLE child ALTER COLUMN parent_id SET (n_distinct = 150, n_distinct_inherited = -0.5);
CREATE STATISTICS child_kind_parent (dependencies, ndistinct) ON kind, parent_id FROM child;
ALTER STATISTICS child_kind_parent SET STATISTICS 200;
COMMENT ON STATISTICS child_kind_parent IS 'kind follows parent';
CREATE STATISTICS child_parent_expr ON (parent_id IS NULL), kind FROM child;
ALTER TABLE child OWNER TO "$owner";
ALTER STATISTICS child_kind_parent OWNER TO "$owner";
GRANT SELECT (parent_id, kind) ON child TO "$reader";
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$;
CREATE TRIGGER child_touch BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE child DISABLE TRIGGER child_touch;
CREATE PUBLICATION carry_pub FOR TABLE parent, child;
INSERT INTO parent (name) SELECT 'p' || g FROM generate_series(1, 500) g;
INSERT INTO child (kind, parent_id, slug) SELECT 'root', NULL, 'r' || g FROM generate_series(1, 100) g;
INSERT INTO child (kind, parent_id, slug) SELECT 'leaf', 1 + g % 500, 's' || g FROM generate_series(1, 2000) g;
ANALYZE;
SQL

online_equivalence "parent, child" "ARRAY['parent']::regclass[]"

# the online result, used as the application would
export PGDATABASE=${ONLINE_COPY:-none}
check_sqlstate "the CHECK over the converted column still holds (23514)" 23514 \
	"INSERT INTO child (kind, parent_id, slug) VALUES ('root', (SELECT id FROM parent LIMIT 1), 'x')"
check_sqlstate "the UNIQUE partial index whose predicate tests it still holds (23505)" 23505 \
	"INSERT INTO child (kind, parent_id, slug) VALUES ('leaf', (SELECT id FROM parent LIMIT 1), 's1')"
check_eq "a slug may repeat where the predicate does not hold (roots)" "1" \
	"$(sql "INSERT INTO child (kind, slug) VALUES ('root', 's1') RETURNING 1")"
check_eq "UPDATE on the published table works: its replica identity index is the twin of the old one" "1" \
	"$(sql "WITH u AS (UPDATE parent SET name = name || '!' WHERE name = 'p1' RETURNING 1) SELECT count(*) FROM u" 2>&1)"
check_eq "replica identity, clustering: the index names of before" "parent_id_name|parent_pkey" \
	"$(sql "SELECT (SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'parent'::regclass AND i.indisreplident)
	       || '|' || (SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'parent'::regclass AND i.indisclustered)")"
check_eq "the NOT VALID CHECK stays NOT VALID, the validated one validated" "child_parent_positive:false,child_root_has_no_parent:true" \
	"$(sql "SELECT string_agg(conname || ':' || convalidated, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'c'")"
online_check_no_crash
