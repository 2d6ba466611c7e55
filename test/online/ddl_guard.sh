#!/usr/bin/env bash
# test/online/ddl_guard.sh — issue 20, "DDL during the run strands it". On 1.6, between start and finish: a new table
# with a foreign key to the key under migration ended with its FK silently dropped and its column still integer; an
# index created on a converted column was dropped at the swap; RENAME COLUMN of a converted column made every
# application INSERT and UPDATE fail (42703 from the sync trigger); DROP TABLE of a table in the migration made finish
# and abort fail (42601) for good. Now the DDL guard (src/sql/online_guard.sql) refuses each with 55006, naming the
# migration and how to finish or abort it, and changes nothing; unrelated DDL passes; the migration finishes (or
# aborts) as usual, and afterwards the same DDL passes. The tables' owner is not a superuser, as on managed
# PostgreSQL, and installs the extension itself (a trusted extension whose script creates event triggers).
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

online_db ddl_guard
mig_role guard_owner LOGIN; owner=$MIG_ROLE
mig_role guard_stranger LOGIN; stranger=$MIG_ROLE
# (the mapping tables go to schema uuid7_mapping, which the owner's migration creates: CREATE on the database)
sql "GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$owner\"" >/dev/null

# ---- a non-superuser with CREATE on a database installs uuid7: the script (run as the bootstrap superuser for a
# trusted extension) creates the guard's event triggers, members of the extension
ext_db="onl_ddl_guard_ext_$$"
createdb "$ext_db" && MIG_DBS+=("$ext_db")
psql -X -q -d "$ext_db" -c "GRANT CREATE ON DATABASE \"$ext_db\" TO \"$owner\"" >/dev/null
out=$(PGOPTIONS="-c role=$owner" psql -X -q -d "$ext_db" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION uuid7" 2>&1)
check_eq "a non-superuser with CREATE on the database installs uuid7" "" "$out"
check_eq "its script created the three guard event triggers, owned by a superuser, members of the extension" \
	"uuid7_online_guard_drop|sql_drop|true|true
uuid7_online_guard_end|ddl_command_end|true|true
uuid7_online_guard_start|ddl_command_start|true|true" \
	"$(psql -X -A -t -q -d "$ext_db" -c "SELECT e.evtname || '|' || e.evtevent || '|' || r.rolsuper || '|' ||
		EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_event_trigger'::regclass AND d.objid = e.oid AND d.deptype = 'e')
		FROM pg_event_trigger e JOIN pg_roles r ON r.oid = e.evtowner ORDER BY e.evtname" 2>&1)"
check_eq "the installing role owns the extension" "$owner" \
	"$(psql -X -A -t -q -d "$ext_db" -c "SELECT extowner::regrole FROM pg_extension WHERE extname = 'uuid7'" 2>&1)"

# ---- the migration
online_setup <<SQL
GRANT CREATE ON SCHEMA public TO "$owner";
CREATE SCHEMA moved AUTHORIZATION "$owner";
SET ROLE "$owner";
CREATE TABLE parent (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE child (id serial PRIMARY KEY, parent_id integer NOT NULL REFERENCES parent, note text);
CREATE INDEX child_parent_idx ON child (parent_id);
CREATE TABLE other (id serial PRIMARY KEY, v integer);
INSERT INTO parent (name) SELECT 'p' || g FROM generate_series(1, 300) g;
INSERT INTO child (parent_id, note) SELECT 1 + g % 300, 'n' || g FROM generate_series(1, 3000) g;
SQL

as_owner() { PGOPTIONS="-c role=$owner" "$@"; }
mid=$(as_owner online_start "ARRAY['parent']::regclass[]")
mid=${mid:-0}
check_eq "the migration reaches ready" "ready" "$(online_wait "$mid" 120)"
before=$(online_schema_sig)
twin_ix="uuid7_ix_$(sql "SELECT 'child_parent_idx'::regclass::oid")"

# refused NAME SQL: the owner's statement fails with 55006, its message names the migration, its hint says how to
# finish or abort it, and the schema is as it was
refused() {
	local name=$1 stmt=$2 out
	as_owner check_sqlstate "refused: $name (55006)" 55006 "$stmt"
	out=$(as_owner psql -X -q -v ON_ERROR_STOP=1 -c "$stmt" 2>&1)
	check_eq "refused: $name — the error names the migration and hints at finish and abort" "t" \
		"$(grep -q "online migration $mid" <<<"$out" && grep -q "uuid7_migration_finish($mid)" <<<"$out" &&
			grep -q "uuid7_migration_abort($mid)" <<<"$out" && echo t || echo "f: $out")"
	check_eq "refused: $name — nothing changed" "$before" "$(online_schema_sig)"
}

refused "a new table with a foreign key to the key under migration" \
	"CREATE TABLE newref (id integer PRIMARY KEY, parent_id integer REFERENCES parent)"
refused "a new foreign key to the key under migration on a table of the migration" \
	"ALTER TABLE child ADD CONSTRAINT child_parent_fk2 FOREIGN KEY (parent_id) REFERENCES parent"
refused "RENAME COLUMN of a converted column" "ALTER TABLE child RENAME COLUMN parent_id TO pid"
refused "DROP COLUMN of a converted column" "ALTER TABLE child DROP COLUMN parent_id"
refused "DROP TABLE of a referencing table" "DROP TABLE child"
refused "DROP TABLE of the mapping table" "DROP TABLE uuid7_mapping.parent_uuid7_map"
refused "RENAME of the mapping table (the sync trigger names it)" "ALTER TABLE uuid7_mapping.parent_uuid7_map RENAME TO parent_map2"
refused "DROP INDEX of an index the migration twins" "DROP INDEX child_parent_idx"
refused "DROP INDEX of a twin index" "DROP INDEX $twin_ix"
refused "ALTER INDEX RENAME of an index the migration twins" "ALTER INDEX child_parent_idx RENAME TO child_pidx"
refused "DROP CONSTRAINT of a foreign key the migration twins" "ALTER TABLE child DROP CONSTRAINT child_parent_id_fkey"
refused "DROP TRIGGER of the sync trigger" "DROP TRIGGER zz_uuid7_sync_$mid ON child"
refused "DISABLE TRIGGER USER (the sync trigger with it)" "ALTER TABLE child DISABLE TRIGGER USER"
refused "DROP NOT NULL of a converted column whose twin the migration proves NOT NULL" \
	"ALTER TABLE child ALTER COLUMN parent_id DROP NOT NULL"
refused "ALTER COLUMN TYPE of a converted referencing column" "ALTER TABLE child ALTER COLUMN parent_id TYPE bigint"
refused "ALTER COLUMN TYPE of the key under migration" "ALTER TABLE parent ALTER COLUMN id TYPE bigint"
# an index on a converted column is refused, not adapted: the migration twins only the indexes of its start
refused "CREATE INDEX on a converted column" "CREATE INDEX child_parent_note_idx ON child (parent_id, note)"
refused "CREATE INDEX CONCURRENTLY whose predicate uses a converted column" \
	"CREATE INDEX CONCURRENTLY child_note_part_idx ON child (note) WHERE parent_id > 0"
refused "ADD UNIQUE over a converted column" "ALTER TABLE child ADD CONSTRAINT child_pid_id_key UNIQUE (parent_id, id)"
check_eq "the refused CREATE INDEX CONCURRENTLY left no index behind (not even an invalid one)" "0" \
	"$(sql "SELECT count(*) FROM pg_class WHERE relname = 'child_note_part_idx'")"

# the pass is the extension's alone: a role that is not the starter cannot take it; the starter's lasts one
# transaction and covers only its own migration (taking it by hand only strands the caller's own migration)
PGOPTIONS="-c role=$stranger" check_sqlstate "another role cannot take the guard's pass (42704: it cannot see the migration)" \
	42704 "SELECT uuid7_online_guard_pass($mid)"
check_eq "the starter's pass lets its own DDL through, for its transaction only" "ok" \
	"$(as_owner psql -X -A -t -q -v ON_ERROR_STOP=1 -c "BEGIN" -c "SELECT uuid7_online_guard_pass($mid)" \
		-c "ALTER TABLE child RENAME COLUMN parent_id TO pid" -c "ROLLBACK" >/dev/null 2>&1 && echo ok || echo failed)"
refused "RENAME COLUMN again, after the transaction that held the pass" "ALTER TABLE child RENAME COLUMN parent_id TO pid"

# unrelated DDL passes, also on the tables of the migration
out=$(as_owner psql -X -q -v ON_ERROR_STOP=1 <<'SQL' 2>&1
CREATE TABLE unrelated (id integer PRIMARY KEY, other_id integer REFERENCES other);
ALTER TABLE child ADD COLUMN extra text;
CREATE INDEX child_note_idx ON child (note);
CREATE INDEX CONCURRENTLY child_extra_idx ON child (extra);
ALTER TABLE child ALTER COLUMN note SET STATISTICS 500;
COMMENT ON COLUMN child.parent_id IS 'the parent';
ALTER TABLE parent RENAME TO parent_renamed;
INSERT INTO parent_renamed (name) VALUES ('while renamed');
ALTER TABLE parent_renamed RENAME TO parent;
ALTER TABLE child SET SCHEMA moved;
INSERT INTO moved.child (parent_id, note) VALUES (3, 'while moved');
ALTER TABLE moved.child SET SCHEMA public;
SQL
)
check_eq "unrelated DDL passes: a new table, a nullable column, indexes on other columns, a comment, tables renamed or moved and back" "" "$out"
check_eq "the application still writes (the sync trigger follows the converted column)" "t" \
	"$(as_owner psql -X -q -v ON_ERROR_STOP=1 -c "INSERT INTO child (parent_id, note) VALUES (7, 'app')" \
		-c "UPDATE child SET parent_id = 8 WHERE id = 1" >/dev/null 2>&1 && echo t || echo f)"

# ---- the migration finishes as if nothing had been tried
check_eq "the migration is still ready" "ready" "$(online_wait "$mid" 60)"
check_eq "finish succeeds" "$mid" "$(as_owner sql "SELECT uuid7_migration_finish($mid)->>'migration_id'" 2>&1)"
check_eq "the references are uuid, each pointing at its parent (type|orphans|rows)" "uuid|0|3002" \
	"$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'child'::regclass AND attname = 'parent_id'")|$(
		sql "SELECT count(*) FILTER (WHERE p.id IS NULL) || '|' || count(*) FROM child c LEFT JOIN parent p ON p.id = c.parent_id")"
check_eq "the row the application moved during the run points at parent 8's new key" "t" \
	"$(sql "SELECT parent_id = uuid7_mapped_id('parent', 8) FROM child WHERE id = 1")"
check_eq "the indexes, the foreign key and the unrelated changes are all there" \
	"child_extra_idx|child_note_idx|child_parent_id_fkey|child_parent_idx|extra" \
	"$(sql "SELECT string_agg(n, '|' ORDER BY n) FROM (
		SELECT relname::text AS n FROM pg_class WHERE relname IN ('child_parent_idx', 'child_note_idx', 'child_extra_idx')
		UNION ALL SELECT conname FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f'
		UNION ALL SELECT attname FROM pg_attribute WHERE attrelid = 'child'::regclass AND attname = 'extra') s")"
check_eq "the comment made during the run followed the column" "the parent" "$(sql "SELECT col_description('child'::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = 'child'::regclass AND attname = 'parent_id'))")"

# after finish the same DDL passes (on the uuid columns now)
out=$(as_owner psql -X -q -v ON_ERROR_STOP=1 <<SQL 2>&1
CREATE TABLE newref (id integer PRIMARY KEY, parent_id uuid REFERENCES parent);
CREATE INDEX child_parent_note_idx ON child (parent_id, note);
CREATE INDEX CONCURRENTLY child_note_part_idx ON child (note) WHERE parent_id IS NOT NULL;
ALTER TABLE child RENAME COLUMN parent_id TO pid;
ALTER INDEX child_parent_idx RENAME TO child_pidx;
DROP INDEX child_pidx;
ALTER TABLE uuid7_mapping.parent_uuid7_map RENAME TO parent_map2;
DROP TABLE child;
SQL
)
check_eq "after finish the refused DDL passes" "" "$out"

# ---- abort: refused DDL leaves the way out open, and after the abort the DDL passes
online_setup <<SQL
SET ROLE "$owner";
CREATE TABLE p2 (id bigserial PRIMARY KEY);
CREATE TABLE c2 (id bigserial PRIMARY KEY, p2_id bigint REFERENCES p2);
INSERT INTO p2 SELECT FROM generate_series(1, 200);
INSERT INTO c2 (p2_id) SELECT 1 + g % 200 FROM generate_series(1, 2000) g;
SQL
mid2=$(as_owner online_start "ARRAY['p2']::regclass[]" "'{\"batch_blocks\": 1, \"pause_ms\": 200}'")
mid2=${mid2:-0}
online_wait_for "the second migration has begun its backfill" \
	"SELECT bool_or(phase = 'backfill') FROM uuid7_migration_status WHERE migration_id = $mid2" 60
as_owner check_sqlstate "while the worker runs: DROP TABLE of a referencing table is refused (55006)" 55006 "DROP TABLE c2"
as_owner check_sqlstate "while the worker runs: RENAME COLUMN of the key is refused (55006)" 55006 "ALTER TABLE p2 RENAME COLUMN id TO key"
out=$(as_owner psql -X -q -c "DROP TABLE c2" 2>&1)
check_eq "the refusal names the second migration, not the finished one" "t" \
	"$(grep -q "online migration $mid2 depends" <<<"$out" && echo t || echo "f: $out")"
check_eq "abort succeeds" "$mid2" "$(as_owner sql "SELECT uuid7_migration_abort($mid2)->>'migration_id'" 2>/dev/null)"
check_eq "the abort left no twin column, sync trigger or mapping table" "0|0|0" \
	"$(sql "SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid IN ('p2'::regclass, 'c2'::regclass) AND attname LIKE 'uuid7_new_%' AND NOT attisdropped)
		|| '|' || (SELECT count(*) FROM pg_trigger WHERE tgname = 'zz_uuid7_sync_$mid2')
		|| '|' || (SELECT count(*) FROM pg_class WHERE relname = 'p2_uuid7_map')")"
out=$(as_owner psql -X -q -v ON_ERROR_STOP=1 -c "ALTER TABLE p2 RENAME COLUMN id TO key" -c "DROP TABLE c2" 2>&1)
check_eq "after abort the refused DDL passes" "" "$out"

online_check_no_crash
