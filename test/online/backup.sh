#!/usr/bin/env bash
# test/online/backup.sh — issue 20, "A backup taken during the run restores broken". On 1.6 a pg_dump taken while an
# online migration ran restored into a database where every INSERT into the migrated tables failed (42501: the sync
# trigger found no bookkeeping) and finish and abort both said 42704 (the state was not in the dump). Now the state
# tables are extension configuration: a dump taken in any phase (map, backfill, index, ready; plain and custom
# format, restored with psql -f and pg_restore into new databases) restores into a database where the application
# writes the tables (the sync trigger fills the twins), resume reaches ready (the backfill starts over: its cursor is
# a heap page of the old copy), finish converts every reference as in the original, abort leaves the original schema,
# and a new migration gets a fresh id. After finish, and after an offline uuid7_migrate(), the registry and the
# mapping tables survive: uuid7_mapped_id/uuid7_legacy_id answer as in the original.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

N=2000 # parents; child i (1..2N) references parent 1 + 37 i mod N
online_db backup
src_db=$PGDATABASE
mig_role bk_owner LOGIN
owner=$MIG_ROLE
mig_role bk_app LOGIN
app=$MIG_ROLE
# (the mapping tables go to schema uuid7_mapping, which the owner's migration creates: CREATE on the database)
sql "GRANT CREATE ON DATABASE \"$PGDATABASE\" TO \"$owner\"" >/dev/null
dumps=$(mktemp -d)
trap 'rm -rf "$dumps"; online_cleanup' EXIT

schema_sql() {
	cat <<SQL
GRANT CREATE ON SCHEMA public TO "$owner";
SET ROLE "$owner";
CREATE TABLE parent (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE child (id bigserial PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent, note text);
CREATE INDEX child_parent ON child (parent_id);
CREATE TABLE other (id bigserial PRIMARY KEY, v text);
INSERT INTO parent (id, name) SELECT g, 'parent ' || g FROM generate_series(1, $N) g ORDER BY md5(g::text);
SELECT setval('parent_id_seq', $N);
INSERT INTO child (id, parent_id, note) SELECT g, 1 + (g * 37) % $N, repeat('x', 40)
  FROM generate_series(1, 2 * $N) g ORDER BY md5(g::text);
SELECT setval('child_id_seq', 2 * $N);
INSERT INTO other (v) SELECT 'o' || g FROM generate_series(1, 10) g;
GRANT SELECT, INSERT, UPDATE ON parent, child TO "$app";
GRANT USAGE ON SEQUENCE parent_id_seq, child_id_seq TO "$app";
SQL
}
online_setup < <(schema_sql)
sql "VACUUM ANALYZE" >/dev/null
sig0=$(online_schema_sig)

as_owner() { PGOPTIONS="-c role=$owner" "$@"; }
as_app() { PGOPTIONS="-c role=$app" "$@"; }
# The SQLSTATE of the error SQL raises (empty when it succeeds).
sqlstate_of() {
	psql -X -A -t -q -c "\\set VERBOSITY sqlstate" -c "$1" 2>&1 | sed -nE 's/^ERROR:  ([0-9A-Z]{5}).*/\1/p' | head -n 1
}

# dump_to FILE FORMAT: pg_dump of the source database (p: plain, c: custom)
dump_to() {
	local out
	if ! out=$(pg_dump -F"$2" -f "$1" "$src_db" 2>&1); then
		fail "pg_dump -F$2" "$out"
	fi
}

# restore_copy NAME FILE FORMAT: a new database (without the extension) restored from FILE, named in $RESTORED
restore_copy() {
	local db="onl_bkcopy_$1_$$" out
	RESTORED=$db
	createdb "$db" || { fail "createdb $db" "failed"; return; }
	MIG_DBS+=("$db")
	if [ "$3" = p ] && [ -n "$policies_dumped" ]; then
		# every other error still shows
		out=$(psql -X -q -d "$db" -f "$2" 2>&1 >/dev/null |
			grep -vE 'ERROR:  policy "uuid7_[a-z_]+" for table "uuid7_[a-z_]+" already exists$')
	elif [ "$3" = p ]; then
		out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$2" 2>&1 >/dev/null)
	elif [ -n "$policies_dumped" ]; then
		pg_restore -l "$2" | grep -vE ' POLICY [^ ]+ uuid7_' >"$2.list"
		out=$(pg_restore --exit-on-error -L "$2.list" -d "$db" "$2" 2>&1)
	else
		out=$(pg_restore --exit-on-error -d "$db" "$2" 2>&1)
	fi
	check_eq "$1: the dump restores without an error" "" "$out"
}

# pg_dump of PostgreSQL 16beta2 (the 16 of the test matrix) also writes the row security policies of the extension's
# tables, which CREATE EXTENSION in the restore has made already: those statements fail there ("already exists")
# and change nothing. Later pg_dump releases leave an extension member's policies to the extension.
policies_dumped=
case "$(pg_dump --version)" in *16beta*) policies_dumped=1 ;; esac

# check_restored LABEL FILE FORMAT PHASE ID: two restored copies of a dump taken in PHASE. In the first the application
# writes and the migration is resumed and finished; in the second it is aborted.
check_restored() {
	local label=$1 file=$2 format=$3 phase=$4 id=$5 pid cid ptwin ctwin new_id
	restore_copy "${label}_a" "$file" "$format"
	(
		export PGDATABASE=$RESTORED
		check_eq "$label: the migration's state is in the copy (phase)" "$phase" \
			"$(sql "SELECT phase FROM uuid7_state.uuid7_online_migration WHERE id = $id")"
		check_eq "$label: the copy's state is told apart from the original's (its home differs)" "t" \
			"$(sql "SELECT home IS DISTINCT FROM uuid7_online_home() FROM uuid7_state.uuid7_online_migration WHERE id = $id" 2>&1)"
		check_eq "$label: the status shows it stopped (no worker in the copy)" "$([ "$phase" = ready ] && echo ready || echo stopped)" \
			"$(sql "SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = $id")"
		# the application writes the tables
		pid=$(as_app sql "INSERT INTO parent (name) VALUES ('after restore') RETURNING id" 2>&1)
		check_eq "$label: the application inserts a parent" "t" "$([[ $pid =~ ^[0-9]+$ ]] && echo t || echo "f: $pid")"
		[[ $pid =~ ^[0-9]+$ ]] || pid=0
		cid=$(as_app sql "INSERT INTO child (parent_id, note) VALUES ($pid, 'after restore') RETURNING id" 2>&1)
		check_eq "$label: the application inserts a child" "t" "$([[ $cid =~ ^[0-9]+$ ]] && echo t || echo "f: $cid")"
		[[ $cid =~ ^[0-9]+$ ]] || cid=0
		check_eq "$label: the application updates a child" "" \
			"$(as_app sql "UPDATE child SET parent_id = 7 WHERE id = 11" 2>&1)"
		if [ "$phase" != map ]; then
			ptwin=$(sql "SELECT new_name FROM uuid7_state.uuid7_online_column WHERE migration_id = $id AND relid = 'parent'::regclass")
			ctwin=$(sql "SELECT new_name FROM uuid7_state.uuid7_online_column WHERE migration_id = $id AND relid = 'child'::regclass")
			check_eq "$label: the sync trigger filled the twins (new parent, new child, updated child)" "1|1|1" \
				"$(sql "SELECT (SELECT count(*) FROM parent p JOIN uuid7_mapping.parent_uuid7_map m ON m.old_id = p.id
								WHERE p.id = $pid AND p.\"$ptwin\" = m.new_id) || '|' ||
							   (SELECT count(*) FROM child c JOIN uuid7_mapping.parent_uuid7_map m ON m.old_id = c.parent_id
								WHERE c.id IN ($cid) AND c.\"$ctwin\" = m.new_id) || '|' ||
							   (SELECT count(*) FROM child c JOIN uuid7_mapping.parent_uuid7_map m ON m.old_id = 7
								WHERE c.id = 11 AND c.\"$ctwin\" = m.new_id)" 2>&1)"
		fi
		sql "CREATE TABLE child_before AS SELECT id, parent_id FROM child" >/dev/null
		if [ "$phase" != ready ]; then
			as_owner sql "SELECT uuid7_migration_resume($id)" >/dev/null 2>"$dumps/err"
			check_eq "$label: resume starts a worker in the copy" "" "$(cat "$dumps/err")"
			check_eq "$label: resume made the state the copy's own (home)" "t" \
				"$(sql "SELECT home = uuid7_online_home() FROM uuid7_state.uuid7_online_migration WHERE id = $id" 2>&1)"
			check_eq "$label: the resumed migration reaches ready" "ready" "$(online_wait "$id" 120)"
		fi
		check_eq "$label: finish in the copy" "$id" "$(as_owner sql "SELECT uuid7_migration_finish($id)->>'migration_id'" 2>&1)"
		check_eq "$label: after finish parent.id and child.parent_id are uuid" "uuid|uuid" \
			"$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'parent'::regclass AND attname = 'id'
					UNION ALL SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'child'::regclass AND attname = 'parent_id'" | paste -sd'|')"
		check_eq "$label: every row is there (parents|children)" "$((N + 1))|$((2 * N + 1))" \
			"$(sql "SELECT (SELECT count(*) FROM parent) || '|' || (SELECT count(*) FROM child)")"
		check_eq "$label: every reference converted to its parent's new key (wrong or NULL)" "0" \
			"$(sql "SELECT count(*) FROM child c JOIN child_before b USING (id)
					 WHERE c.parent_id IS NULL OR uuid7_legacy_id('parent', c.parent_id) IS DISTINCT FROM b.parent_id" 2>&1)"
		check_eq "$label: every key of the original rows mapped as in the dump's mapping" "0" \
			"$(sql "SELECT count(*) FROM parent p WHERE uuid7_mapped_id('parent', uuid7_legacy_id('parent', p.id)) IS DISTINCT FROM p.id" 2>&1)"
		new_id=$(as_owner sql "SELECT uuid7_migration_start(ARRAY['other']::regclass[])" 2>&1)
		check_eq "$label: a new migration in the copy gets a fresh id" "t" \
			"$([[ $new_id =~ ^[0-9]+$ ]] && [ "$new_id" -gt "$id" ] && echo t || echo "f: $new_id")"
		as_owner sql "SELECT uuid7_migration_abort(${new_id:-0})" >/dev/null 2>&1
	)

	restore_copy "${label}_b" "$file" "$format"
	(
		export PGDATABASE=$RESTORED
		check_eq "$label: abort in another copy" "$phase" \
			"$(as_owner psql -X -A -t -q -c "SET client_min_messages = warning" -c "SELECT uuid7_migration_abort($id)->>'aborted_in_phase'" 2>&1)"
		check_eq "$label: after the abort the schema is the original one" "$sig0" "$(online_schema_sig)"
	)
}

# ---- one migration, dumped in four phases ----------------------------------------------------------------------
mid=$(as_owner online_start "ARRAY['parent']::regclass[]" "'{\"batch_blocks\": 1, \"map_batch\": 100, \"pause_ms\": 150}'")
mid=${mid:-0}
phase_of() { sql "SELECT phase FROM uuid7_state.uuid7_online_migration WHERE id = $mid"; }
stop_worker() { as_owner sql "SELECT uuid7_online_stop_worker($mid)" >/dev/null; }
resume() { as_owner sql "SELECT uuid7_migration_resume($mid)" >/dev/null; }

online_wait_for "map phase under way" \
	"SELECT phase = 'map' AND (SELECT sum(map_batches) FROM uuid7_state.uuid7_online_table WHERE migration_id = $mid) >= 2
	   FROM uuid7_state.uuid7_online_migration WHERE id = $mid" 60
stop_worker
check_eq "held in the map phase" "map" "$(phase_of)"
dump_to "$dumps/map.sql" p
resume

online_wait_for "backfill of child under way" \
	"SELECT phase = 'backfill' AND EXISTS (SELECT 1 FROM uuid7_state.uuid7_online_table WHERE migration_id = $mid
	   AND relid = 'child'::regclass AND next_block >= 4) FROM uuid7_state.uuid7_online_migration WHERE id = $mid" 90
stop_worker
check_eq "held in the backfill phase" "backfill" "$(phase_of)"
dump_to "$dumps/backfill.dump" c
resume

online_wait_for "index phase" "SELECT phase = 'index' FROM uuid7_state.uuid7_online_migration WHERE id = $mid" 90
stop_worker
check_eq "held in the index phase" "index" "$(phase_of)"
dump_to "$dumps/index.sql" p
resume

check_eq "the original reaches ready" "ready" "$(online_wait "$mid" 120)"
dump_to "$dumps/ready.dump" c

# the dump names the starter, not its OID (OIDs of roles differ from cluster to cluster)
check_eq "the plain dump names the role that started the migration (not its OID)" "t" \
	"$(awk '/^COPY uuid7_state.uuid7_online_migration /{on=1; next} on && /^\\\./{on=0} on' "$dumps/map.sql" |
		awk -F'\t' -v r="$owner" '{for (i = 1; i <= NF; i++) if ($i == r) c++} END {print (c >= 2) ? "t" : "f: " $0}')"

check_restored map "$dumps/map.sql" p map "$mid"
check_restored backfill "$dumps/backfill.dump" c backfill "$mid"
check_restored index "$dumps/index.sql" p index "$mid"
check_restored ready "$dumps/ready.dump" c ready "$mid"

# ---- after finish: the registry and the mapping tables ----------------------------------------------------------
check_eq "finish in the original" "$mid" "$(as_owner sql "SELECT uuid7_migration_finish($mid)->>'migration_id'" 2>&1)"
lookups() {
	sql "SELECT count(*) FROM uuid7_state.uuid7_migrated_table WHERE relid = 'parent'::regclass" 2>&1
	sql "SELECT uuid7_mapped_id('parent', 5)" 2>&1
	sql "SELECT uuid7_legacy_id('parent', uuid7_mapped_id('parent', 5))" 2>&1
	sql "SELECT count(*) FROM child WHERE uuid7_legacy_id('parent', parent_id) IS DISTINCT FROM 1 + (id * 37) % $N" 2>&1
}
expected=$(lookups)
dump_to "$dumps/finished.sql" p
restore_copy finished "$dumps/finished.sql" p
db=$RESTORED
check_eq "after finish: registry, uuid7_mapped_id and uuid7_legacy_id in the copy as in the original" "$expected" \
	"$(PGDATABASE=$db lookups)"
check_eq "after finish: the copy's state says finished" "finished" \
	"$(PGDATABASE=$db sql "SELECT state FROM uuid7_state.uuid7_online_migration WHERE id = $mid")"

# ---- offline: uuid7_migrate() ---------------------------------------------------------------------------------
online_db backup_offline
online_setup < <(schema_sql)
sql "SELECT uuid7_migrate(ARRAY['parent']::regclass[])" >/dev/null
expected=$(lookups)
src_db=$PGDATABASE
dump_to "$dumps/offline.dump" c
restore_copy offline "$dumps/offline.dump" c
db=$RESTORED
check_eq "offline: registry, uuid7_mapped_id and uuid7_legacy_id in the copy as in the original" "$expected" \
	"$(PGDATABASE=$db lookups)"
check_eq "offline: the copy accepts a new parent (its default is in the extension)" "1" \
	"$(PGDATABASE=$db sql "INSERT INTO parent (name) VALUES ('new') RETURNING 1" 2>&1)"

online_check_no_crash
