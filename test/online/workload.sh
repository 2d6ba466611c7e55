#!/usr/bin/env bash
# test/online/workload.sh — an online migration of parent and child (integer keys) while pgbench keeps writing, from
# before uuid7_migration_start until after uuid7_migration_finish.
#
# Schema: parent is self-referencing (manager_id, ON UPDATE CASCADE ON DELETE SET NULL) and has UNIQUE (tenant_id, id);
# child references it by a composite key (tenant_id, parent_id) ON UPDATE CASCADE ON DELETE CASCADE; note references
# parent by a DEFERRABLE INITIALLY DEFERRED key (ON DELETE CASCADE) and child ON DELETE SET NULL.
# Every row carries a tag and every reference a copy of the referenced row's tag, so after the migration each
# reference is proven to point at the same row as before (not just at some row).
#
# Workload (pgbench, 4 clients): new families (parent + 2 children + note), a note inserted BEFORE its parent under
# the deferred key, re-keying a parent (UPDATE ... SET id = DEFAULT, cascading to child, note and managed parents),
# parent deletes (cascade and SET NULL), child deletes, updates and re-parenting. The scripts never spell a key value,
# so they run unchanged before and after the swap. Each committed transaction inserts one ledger row with its exact
# row deltas in the same transaction (rows it deletes are locked first, so the counts are exact); deadlocks between
# clients are retried by pgbench (--max-tries), any other error aborts a client and fails the suite.
#
# Checks: row counts = initial + ledger; ledger rows = transactions pgbench committed; no pgbench error; every
# reference points at the row with the same tag; every FK holds and is validated; columns are uuid; the mapping
# covers every row that existed before the swap and uuid7_legacy_id/uuid7_mapped_id round-trip; the schema equals
# that of a twin database migrated offline by uuid7_migrate (columns compared by name: the online swap moves
# converted columns to the end); old-key order kept for rows that existed before the start; keys of rows written
# during the migration are from their write time; status went map → ... → ready with rows_done increasing.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

online_db workload
db=$PGDATABASE

online_setup <<'SQL'
CREATE TABLE parent (
	id bigserial PRIMARY KEY,
	tenant_id int NOT NULL,
	tag text NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text),
	bucket int NOT NULL DEFAULT (random() * 999)::int,
	is_manager boolean NOT NULL DEFAULT false,
	manager_id bigint REFERENCES parent (id) ON UPDATE CASCADE ON DELETE SET NULL,
	manager_tag text,
	name text NOT NULL,
	version int NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	UNIQUE (tenant_id, id)
);
CREATE INDEX parent_bucket ON parent (bucket);
CREATE INDEX parent_manager ON parent (manager_id);
CREATE TABLE child (
	id bigserial PRIMARY KEY,
	tenant_id int NOT NULL,
	parent_id bigint NOT NULL,
	tag text NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text),
	parent_tag text NOT NULL,
	bucket int NOT NULL DEFAULT (random() * 999)::int,
	qty int NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	CONSTRAINT child_parent_fkey FOREIGN KEY (tenant_id, parent_id) REFERENCES parent (tenant_id, id)
		ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX child_parent ON child (tenant_id, parent_id);
CREATE INDEX child_bucket ON child (bucket);
CREATE TABLE note (
	id bigserial PRIMARY KEY,
	parent_id bigint NOT NULL REFERENCES parent (id) ON UPDATE CASCADE ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
	parent_tag text NOT NULL,
	child_id bigint REFERENCES child (id) ON DELETE SET NULL,
	child_tag text,
	body text
);
CREATE INDEX note_parent ON note (parent_id);
CREATE INDEX note_child ON note (child_id);
-- one row per committed workload transaction, with its row deltas
CREATE TABLE ledger (
	id bigserial PRIMARY KEY,
	kind text NOT NULL,
	d_parent int NOT NULL DEFAULT 0,
	d_child int NOT NULL DEFAULT 0,
	d_note int NOT NULL DEFAULT 0,
	at timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- a new key for tbl, from its key column's default: nextval() before the swap, uuid_generate_v7() after it
-- (the lock, taken first, is what an INSERT takes: the default read is then the one in force until commit)
CREATE FUNCTION wl_new_key(tbl regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	k text;
BEGIN
	EXECUTE format('LOCK TABLE %s IN ROW EXCLUSIVE MODE', tbl);
	EXECUTE 'SELECT (' || (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_constraint c
		JOIN pg_attrdef d ON d.adrelid = c.conrelid AND d.adnum = c.conkey[1] WHERE c.conrelid = tbl AND c.contype = 'p') || ')::text'
	INTO k;
	RETURN k;
END $$;

-- Parents 1..100 are managers (never deleted or re-keyed: new rows may reference them at any time). Keys are
-- inserted in shuffled order, so physical order is not key order.
INSERT INTO parent (id, tenant_id, tag, bucket, is_manager, manager_id, manager_tag, name, created_at)
SELECT g, g % 10, 'p' || g, (g * 7919) % 1000, g <= 100, m, 'p' || m, 'parent ' || g, now() - interval '1 day'
FROM generate_series(1, 20000) g,
	LATERAL (SELECT CASE WHEN g <= 100 THEN NULL WHEN g % 5 = 0 THEN g - 3 ELSE 1 + g % 100 END AS m) x
ORDER BY md5(g::text);
SELECT setval('parent_id_seq', 20000);
INSERT INTO child (id, tenant_id, parent_id, tag, parent_tag, bucket, qty, created_at)
SELECT g, p % 10, p, 'c' || g, 'p' || p, (g * 7907) % 1000, g % 7, now() - interval '1 day'
FROM generate_series(1, 40000) g, LATERAL (SELECT 1 + (g * 37) % 20000 AS p) x
ORDER BY md5(g::text);
SELECT setval('child_id_seq', 40000);
INSERT INTO note (parent_id, parent_tag, child_id, child_tag, body)
SELECT 1 + (g * 13) % 20000, 'p' || (1 + (g * 13) % 20000), g * 8, 'c' || (g * 8), 'note ' || g
FROM generate_series(1, 5000) g;
VACUUM ANALYZE;
SQL

# The twin: same schema and data, migrated offline; its schema is what the online migration must end with.
twin="onl_workload_twin_$$"
if createdb -T "$db" "$twin"; then
	MIG_DBS+=("$twin")
	out=$(psql -X -q -d "$twin" -v ON_ERROR_STOP=1 -c "SELECT uuid7_migrate(ARRAY['parent', 'child']::regclass[])" 2>&1 >/dev/null)
	check_eq "twin database: offline uuid7_migrate(parent, child) succeeds" "" "$out"
else
	fail "twin database" "createdb -T $db failed"
fi

read -r P0 C0 N0 <<<"$(sql "SELECT count(*), (SELECT count(*) FROM child), (SELECT count(*) FROM note) FROM parent" | tr '|' ' ')"
check_eq "setup: row counts" "20000 40000 5000" "$P0 $C0 $N0"

# ---- the workload ------------------------------------------------------------------------------------------------
wl=$(mktemp -d /tmp/uuid7-online-workload-XXXXXX)
chmod 755 "$wl"
trap 'rm -rf "$wl"; online_cleanup' EXIT

cat >"$wl/family.sql" <<'EOF'
\set t random(0, 9)
\set b random(0, 999)
BEGIN;
WITH m AS (SELECT id, tag FROM parent WHERE is_manager AND tenant_id = :t ORDER BY id LIMIT 1),
	p AS (INSERT INTO parent (tenant_id, name, bucket, manager_id, manager_tag) SELECT :t, 'new', :b, m.id, m.tag FROM m RETURNING id, tenant_id, tag),
	c AS (INSERT INTO child (tenant_id, parent_id, parent_tag, qty) SELECT p.tenant_id, p.id, p.tag, g FROM p, generate_series(1, 2) g RETURNING id, tag, parent_id, parent_tag),
	n AS (INSERT INTO note (parent_id, parent_tag, child_id, child_tag, body) SELECT c.parent_id, c.parent_tag, c.id, c.tag, 'with its child' FROM c ORDER BY c.tag LIMIT 1 RETURNING 1)
INSERT INTO ledger (kind, d_parent, d_child, d_note) SELECT 'family', (SELECT count(*) FROM p), (SELECT count(*) FROM c), (SELECT count(*) FROM n);
COMMIT;
EOF
# The note (referencing row) is inserted before its parent: the deferred key is checked at COMMIT.
cat >"$wl/deferred.sql" <<'EOF'
\set t random(0, 9)
\set b random(0, 999)
BEGIN;
SELECT wl_new_key('parent') AS k \gset
INSERT INTO note (parent_id, parent_tag, body) VALUES (':k', 'early-:k', 'inserted before its parent');
INSERT INTO parent (id, tenant_id, tag, bucket, name) VALUES (':k', :t, 'early-:k', :b, 'late parent');
INSERT INTO ledger (kind, d_parent, d_note) VALUES ('deferred', 1, 1);
COMMIT;
EOF
# A new key for an existing parent: ON UPDATE CASCADE carries it to child, note and the parents it manages.
cat >"$wl/rekey.sql" <<'EOF'
\set b random(0, 999)
BEGIN;
WITH v AS (SELECT id FROM parent WHERE bucket = :b AND NOT is_manager ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED),
	u AS (UPDATE parent p SET id = DEFAULT, name = 'rekeyed' FROM v WHERE p.id = v.id RETURNING 1)
INSERT INTO ledger (kind) SELECT CASE WHEN EXISTS (SELECT 1 FROM u) THEN 'rekey' ELSE 'rekey (none)' END;
COMMIT;
EOF
# The victim is locked first, then its children and notes (FOR UPDATE: a concurrent delete of one of them is waited
# for and then skipped), so the counts are exactly what the cascade deletes.
cat >"$wl/delete_parent.sql" <<'EOF'
\set b random(0, 999)
BEGIN;
WITH v AS (SELECT id, tenant_id FROM parent WHERE bucket = :b AND NOT is_manager ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED),
	kids AS (SELECT c.id FROM child c JOIN v ON c.tenant_id = v.tenant_id AND c.parent_id = v.id FOR UPDATE OF c),
	nts AS (SELECT n.id FROM note n JOIN v ON n.parent_id = v.id FOR UPDATE OF n),
	d AS (DELETE FROM parent p USING v WHERE p.id = v.id RETURNING 1)
INSERT INTO ledger (kind, d_parent, d_child, d_note)
SELECT CASE WHEN EXISTS (SELECT 1 FROM d) THEN 'delete parent' ELSE 'delete parent (none)' END,
	-(SELECT count(*) FROM d), -(SELECT count(*) FROM kids), -(SELECT count(*) FROM nts);
COMMIT;
EOF
cat >"$wl/delete_child.sql" <<'EOF'
\set b random(0, 999)
BEGIN;
WITH v AS (SELECT id FROM child WHERE bucket = :b ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED),
	d AS (DELETE FROM child c USING v WHERE c.id = v.id RETURNING 1)
INSERT INTO ledger (kind, d_child) SELECT 'delete child', -(SELECT count(*) FROM d);
COMMIT;
EOF
# Plain updates, and one child moved to a manager of its new tenant (its referencing column changes).
cat >"$wl/update.sql" <<'EOF'
\set b random(0, 999)
\set t random(0, 9)
BEGIN;
UPDATE parent SET version = version + 1 WHERE bucket = :b;
UPDATE child SET qty = qty + 1 WHERE bucket = :b;
WITH v AS (SELECT id FROM child WHERE bucket = :b ORDER BY id DESC LIMIT 1 FOR UPDATE SKIP LOCKED),
	m AS (SELECT id, tenant_id, tag FROM parent WHERE is_manager AND tenant_id = :t ORDER BY id DESC LIMIT 1),
	u AS (UPDATE child c SET tenant_id = m.tenant_id, parent_id = m.id, parent_tag = m.tag FROM v, m WHERE c.id = v.id RETURNING 1)
INSERT INTO ledger (kind) SELECT CASE WHEN EXISTS (SELECT 1 FROM u) THEN 'update and re-parent' ELSE 'update' END;
COMMIT;
EOF
chmod 644 "$wl"/*.sql

# pgbench in rounds of 2 s until the stop file appears; each round's summary and errors go to the log.
workload_loop() {
	local round=0
	while [ ! -e "$wl/stop" ]; do
		round=$((round + 1))
		{
			echo "=== round $round"
			pgbench -n -M simple -c 4 -j 2 -T 2 --max-tries=50 \
				-f "$wl/family.sql@4" -f "$wl/deferred.sql@2" -f "$wl/rekey.sql@1" \
				-f "$wl/delete_parent.sql@1" -f "$wl/delete_child.sql@1" -f "$wl/update.sql@3" "$db" 2>&1
			echo "=== exit $?"
		} >>"$wl/pgbench.log"
		echo "$round" >"$wl/rounds"
	done
}
rounds_done() { cat "$wl/rounds" 2>/dev/null || echo 0; }

online_bg WL_PID workload_loop
online_wait_for "the workload commits transactions before the start" "SELECT count(*) > 50 FROM ledger" 30

# Rows that exist before the start: keys up to these (recorded 2 s before it, so no transaction that drew a key
# below them is still open at the start; re-keyed parents get keys above them).
read -r MP MC <<<"$(sql "SELECT max(id), (SELECT max(id) FROM child) FROM parent" | tr '|' ' ')"
sleep 2

# ---- the online migration, during the workload -------------------------------------------------------------------
t_start=$(sql "SELECT clock_timestamp()")
# (lock_retries 10: a lock step that keeps failing makes the worker give up within about 30 s, not 4 minutes)
id=$(online_start "ARRAY['parent', 'child']::regclass[]" "'{\"batch_blocks\": 10, \"pause_ms\": 20, \"lock_retries\": 10}'")
[ -n "$id" ] || exit 1
# (waiting: the map phase waits for the workload's transactions that were open when it took its horizon)
check_eq "uuid7_migration_start returns at once: state running or waiting, worker_pid a live 'uuid7 migration' backend" "t|1" \
	"$(sql "SELECT bool_and(state IN ('running', 'waiting')), (SELECT count(*) FROM pg_stat_activity a WHERE a.backend_type = 'uuid7 migration' AND a.pid = max(s.worker_pid))
		FROM uuid7_migration_status s WHERE migration_id = $id")"
check_eq "status lists parent and child as keys, note as referencing" "child|key,note|referencing,parent|key" \
	"$(sql "SELECT string_agg(table_name::text || '|' || role, ',' ORDER BY table_name::text) FROM uuid7_migration_status WHERE migration_id = $id")"

# Poll the status until ready: the phases seen, and rows_done of each table over time.
status_log="$wl/status"
deadline=$((SECONDS + 90))
final=
while :; do
	sql "SELECT string_agg(DISTINCT phase, ','), string_agg(DISTINCT state, ','),
			max(rows_done) FILTER (WHERE table_name = 'parent'::regclass), max(rows_done) FILTER (WHERE table_name = 'child'::regclass),
			max(rows_done) FILTER (WHERE table_name = 'note'::regclass)
		FROM uuid7_migration_status WHERE migration_id = $id" >>"$status_log" 2>&1
	final=$(tail -n 1 "$status_log" | cut -d'|' -f2)
	case "$final" in ready | failed | blocked | stopped) break ;; esac
	[ "$SECONDS" -ge "$deadline" ] && { final="timeout ($final)"; break; }
	sleep 0.1
done
[ "$final" = ready ] || final="$final: $(sql "SELECT phase || ', ' || coalesce(last_error, '') FROM uuid7_migration_status WHERE migration_id = $id LIMIT 1")"
check_eq "the worker reaches ready while the workload runs" "ready" "$final"
phases=$(cut -d'|' -f1 "$status_log" | awk '!seen[$0]++' | paste -sd' ')
check_eq "status: phases seen in order, backfill among them (seen: $phases)" "ok" \
	"$(printf '%s\n' "$phases" | awk '{
		split("map expand backfill index constrain verify ready", order, " "); for (i in order) rank[order[i]] = i;
		last = 0; bf = 0; for (i = 1; i <= NF; i++) { if (!($i in rank) || rank[$i] < last) { print "bad order"; exit } last = rank[$i]; if ($i == "backfill") bf = 1 }
		print (bf && $NF == "ready") ? "ok" : "no backfill or not ending ready" }')"
check_eq "status: rows_done of each table never decreases, and increases during backfill" "ok" \
	"$(awk -F'|' '{ for (c = 3; c <= 5; c++) { v = ($c == "" ? 0 : $c); if (v < prev[c]) bad = 1; if (NR > 1 && v > prev[c]) up[c] = 1; prev[c] = v } }
		END { print (bad ? "decreased" : (up[3] && up[4] && up[5]) ? "ok" : "did not increase") }' "$status_log")"
check_eq "status at ready: 100 percent for every table, rows_done and rows_total set" "t" \
	"$(sql "SELECT bool_and(percent_done = 100 AND rows_done > 0 AND rows_total > 0) FROM uuid7_migration_status WHERE migration_id = $id")"

# ---- finish while the workload still runs ----------------------------------------------------------------------
rounds_before=$(rounds_done)
t_finish0=$(sql "SELECT clock_timestamp()")
out=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SELECT uuid7_migration_finish($id)" 2>&1)
rc=$?
t_finish1=$(sql "SELECT clock_timestamp()")
check_eq "uuid7_migration_finish succeeds during the workload" "0" "$rc"
if [ "$rc" -eq 0 ]; then
	check_eq "finish returns the tables" '["public.parent", "public.child"]|["public.note"]' \
		"$(sql "SELECT (j->'tables')::text || '|' || (j->'referencing_tables')::text FROM (SELECT $(sql_literal "$out")::jsonb AS j) s" 2>&1)"
else
	echo "$out" >&2
fi
# Within 3 s: pgbench runs in rounds of 2 s, and on a loaded machine the gap between two rounds (exit, start, connect)
# took more than the 1 s window this checked before.
check_eq "the workload committed in the 3 s before finish and in the 3 s after it" "t" \
	"$(sql "SELECT EXISTS (SELECT 1 FROM ledger WHERE at BETWEEN timestamptz '$t_finish0' - interval '3 s' AND '$t_finish0')
		AND EXISTS (SELECT 1 FROM ledger WHERE at BETWEEN '$t_finish1' AND timestamptz '$t_finish1' + interval '3 s')")"
# let two more rounds run entirely after the swap, then stop
deadline=$((SECONDS + 30))
while [ "$(rounds_done)" -lt $((rounds_before + 2)) ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
touch "$wl/stop"
wait "$WL_PID"
ONLINE_BG=()

# ---- the workload ------------------------------------------------------------------------------------------------
runs=$(grep -c '^=== exit' "$wl/pgbench.log")
check_eq "pgbench: every round exited 0 ($runs rounds)" "" "$(grep '^=== exit' "$wl/pgbench.log" | grep -v '^=== exit 0$' | sort | uniq -c)"
check_eq "pgbench: no error, no aborted client, no failed transaction" "" \
	"$(grep -E 'ERROR|FATAL|abort|number of failed transactions: [1-9]' "$wl/pgbench.log" | sed -E 's/client [0-9]+ //; s/command [0-9]+ query [0-9]+/command/' | sort | uniq -c | head -n 10)"
processed=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$wl/pgbench.log" | awk '{ s += $1 } END { print s + 0 }')
check_eq "ledger rows = transactions pgbench committed ($processed)" "$processed" "$(sql "SELECT count(*) FROM ledger")"
check_eq "every kind of workload transaction committed during the migration (between start and finish)" \
	"deferred,delete child,delete parent,family,rekey,update and re-parent" \
	"$(sql "SELECT string_agg(DISTINCT kind, ',' ORDER BY kind) FROM ledger WHERE at > '$t_start' AND at < '$t_finish0' AND kind !~ '\(none\)|^update$'")"
check_eq "the workload kept committing after the swap" "t" "$(sql "SELECT count(*) > 20 FROM ledger WHERE at > '$t_finish1'")"

# ---- the data ----------------------------------------------------------------------------------------------------
check_eq "row counts = initial + ledger deltas (parent, child, note)" \
	"$(sql "SELECT $P0 + sum(d_parent), $C0 + sum(d_child), $N0 + sum(d_note) FROM ledger")" \
	"$(sql "SELECT count(*), (SELECT count(*) FROM child), (SELECT count(*) FROM note) FROM parent")"
check_eq "every reference points at the row with the tag it had (child→parent, note→parent, note→child, parent→manager)" "0|0|0|0" \
	"$(sql "SELECT (SELECT count(*) FROM child c LEFT JOIN parent p ON p.tenant_id = c.tenant_id AND p.id = c.parent_id WHERE p.tag IS DISTINCT FROM c.parent_tag),
		(SELECT count(*) FROM note n LEFT JOIN parent p ON p.id = n.parent_id WHERE p.tag IS DISTINCT FROM n.parent_tag),
		(SELECT count(*) FROM note n LEFT JOIN child c ON c.id = n.child_id WHERE n.child_id IS NOT NULL AND c.tag IS DISTINCT FROM n.child_tag),
		(SELECT count(*) FROM parent p LEFT JOIN parent m ON m.id = p.manager_id WHERE p.manager_id IS NOT NULL AND m.tag IS DISTINCT FROM p.manager_tag)")"
check_eq "ON DELETE SET NULL happened (some notes lost their child, some parents their manager)" "t" \
	"$(sql "SELECT (SELECT count(*) > 0 FROM note WHERE child_id IS NULL AND child_tag IS NOT NULL) AND (SELECT count(*) > 0 FROM parent WHERE manager_id IS NULL AND manager_tag IS NOT NULL)")"
# Every foreign key: validated, and no row without its referenced row (checked by a query built from the catalog).
# (the migration's own twins, uuid7_fk_*, are left out: they exist only if it did not finish)
check_eq "every foreign key is validated" "4|" \
	"$(sql "SELECT count(*), string_agg(conname, ',') FILTER (WHERE NOT convalidated) FROM pg_constraint WHERE contype = 'f'
		AND conrelid IN ('parent'::regclass, 'child'::regclass, 'note'::regclass) AND conname NOT LIKE 'uuid7%'")"
check_eq "every foreign key holds: orphans per constraint" "child_parent_fkey=0,note_child_id_fkey=0,note_parent_id_fkey=0,parent_manager_id_fkey=0" \
	"$(psql -X -A -t -q -v ON_ERROR_STOP=1 <<'SQL' | paste -sd,
SELECT format('SELECT %L || ''='' || count(*) FROM %s c WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)', con.conname, con.conrelid::regclass,
	(SELECT string_agg(format('c.%I IS NOT NULL', a.attname), ' AND ') FROM unnest(con.conkey) k JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k),
	con.confrelid::regclass,
	(SELECT string_agg(format('p.%I = c.%I', fa.attname, a.attname), ' AND ') FROM unnest(con.conkey, con.confkey) u(k, fk)
		JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = u.k JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = u.fk))
FROM pg_constraint con WHERE con.contype = 'f' AND con.conrelid IN ('parent'::regclass, 'child'::regclass, 'note'::regclass)
	AND con.conname NOT LIKE 'uuid7%' ORDER BY con.conname
\gexec
SQL
)"
check_eq "every foreign key holds: VALIDATE of a fresh NOT VALID copy of each succeeds" "" \
	"$(psql -X -A -t -q -v ON_ERROR_STOP=1 2>&1 <<'SQL'
BEGIN;
SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', conrelid::regclass, conname || '_copy', pg_get_constraintdef(oid)),
	format('ALTER TABLE %s VALIDATE CONSTRAINT %I', conrelid::regclass, conname || '_copy')
FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('parent'::regclass, 'child'::regclass, 'note'::regclass) AND conname NOT LIKE 'uuid7%'
ORDER BY conname
\gexec
ROLLBACK;
SQL
)"

# ---- after the swap (only if there was one: otherwise these would all repeat that failure) ---------------------------
if [ "$rc" -eq 0 ]; then
	check_eq "columns converted to uuid; note.id stays bigint" \
		"child.id uuid,child.parent_id uuid,note.child_id uuid,note.id bigint,note.parent_id uuid,parent.id uuid,parent.manager_id uuid" \
		"$(sql "SELECT string_agg(attrelid::regclass || '.' || attname || ' ' || format_type(atttypid, atttypmod), ',' ORDER BY attrelid::regclass::text, attname)
			FROM pg_attribute WHERE attrelid IN ('parent'::regclass, 'child'::regclass, 'note'::regclass)
			AND attname IN ('id', 'parent_id', 'manager_id', 'child_id') AND NOT attisdropped")"
	# Mapping: rows that existed before the swap have their new key in the mapping, rows written after it do not.
	for t in parent child; do
		# (a key given after the swap — a new row, or a parent re-keyed by SET id = DEFAULT — comes from uuid_generate_v7())
		check_eq "$t: every row keyed before finish has its key in the mapping; none keyed or written after it does" "0|0|0" \
			"$(sql "SELECT count(*) FILTER (WHERE uuid_v7_timestamp(t.id) < '$t_finish0' AND m.new_id IS NULL),
				count(*) FILTER (WHERE uuid_v7_timestamp(t.id) > '$t_finish1' AND m.new_id IS NOT NULL),
				count(*) FILTER (WHERE t.created_at > '$t_finish1' AND m.new_id IS NOT NULL)
				FROM $t t LEFT JOIN uuid7_mapping.${t}_uuid7_map m ON m.new_id = t.id")"
		check_eq "$t: uuid7_legacy_id and uuid7_mapped_id round-trip for every mapped row" "0" \
			"$(sql "SELECT count(*) FROM $t t JOIN uuid7_mapping.${t}_uuid7_map m ON m.new_id = t.id
				WHERE uuid7_legacy_id('$t', t.id) IS DISTINCT FROM m.old_id OR uuid7_mapped_id('$t', m.old_id) IS DISTINCT FROM t.id")"
		check_eq "$t: rows that existed before the start keep their old-key order" "0" \
			"$(sql "SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY t.id) AS r1, row_number() OVER (ORDER BY m.old_id) AS r2
				FROM $t t JOIN uuid7_mapping.${t}_uuid7_map m ON m.new_id = t.id WHERE m.old_id <= $([ $t = parent ] && echo "$MP" || echo "$MC")) s WHERE r1 <> r2")"
		check_eq "$t: keys of rows that existed before the start sort before every key written later" "t" \
			"$(sql "SELECT (SELECT t.id FROM $t t JOIN uuid7_mapping.${t}_uuid7_map m ON m.new_id = t.id WHERE m.old_id <= $([ $t = parent ] && echo "$MP" || echo "$MC") ORDER BY t.id DESC LIMIT 1)
				< (SELECT t.id FROM $t t LEFT JOIN uuid7_mapping.${t}_uuid7_map m ON m.new_id = t.id WHERE m.old_id IS NULL OR m.old_id > $([ $t = parent ] && echo "$MP" || echo "$MC") ORDER BY t.id LIMIT 1)")"
		# Written during the migration: inserted since the start (a re-keyed parent is renamed 'rekeyed': its key is
		# from the time of the re-key, not of its insert). All have v7 keys, none older than the keys the map phase
		# gave (rows it read get keys from a base just before the start). Those written once the sync triggers existed
		# (from the first backfill on) have keys in write-time order: none above the key of a row written more than a
		# second after it. (A row of a transaction open during the map phase gets its key later, in the backfill:
		# backfill.sh (3) pins that case down.)
		written="SELECT id, created_at FROM $t WHERE created_at >= '$t_start'$([ $t = parent ] && echo " AND name <> 'rekeyed'")"
		check_eq "$t: rows written during the migration: v7 keys, none older than the map phase's key base" "0" \
			"$(sql "SELECT count(*) FROM ($written) w WHERE uuid_version(id) <> 7
				OR uuid_v7_timestamp(id) < (SELECT date_trunc('milliseconds', key_time_base) FROM uuid7_state.uuid7_online_migration WHERE id = $id)")"
		written="$written AND created_at > (SELECT min(backfill_started_at) FROM uuid7_state.uuid7_online_table WHERE migration_id = $id)"
		check_eq "$t: rows written once the triggers existed: keys in write-time order (none above a row written over 1 s later; 100 ms slots)" "0" \
			"$(sql "WITH s AS (SELECT floor(extract(epoch FROM created_at) * 10)::bigint AS slot, min(id::text) AS lo, max(id::text) AS hi FROM ($written) w GROUP BY 1),
					sm AS (SELECT slot, hi, min(lo) OVER (ORDER BY slot DESC ROWS UNBOUNDED PRECEDING) AS later_lo FROM s)
				SELECT count(*) FROM sm a WHERE a.hi > (SELECT b.later_lo FROM sm b WHERE b.slot >= a.slot + 10 ORDER BY b.slot LIMIT 1)")"
	done
	check_eq "re-keyed parents (created before the start, integer key changed during it) are mapped from their new integer key" "t" \
		"$(sql "SELECT count(*) > 0 FROM parent t JOIN uuid7_mapping.parent_uuid7_map m ON m.new_id = t.id WHERE m.old_id > $MP AND t.created_at < '$t_start'")"

	# ---- the schema, against the offline twin ------------------------------------------------------------------------
	check_eq "foreign keys: pg_get_constraintdef equal to the offline twin's" \
		"$(psql -X -A -t -d "$twin" -c "SELECT string_agg(conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid), E'\n' ORDER BY conname) FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('parent'::regclass, 'child'::regclass, 'note'::regclass)")" \
		"$(sql "SELECT string_agg(conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid), E'\n' ORDER BY conname) FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('parent'::regclass, 'child'::regclass, 'note'::regclass)")"
	twin_sig=$(online_schema_sig "$twin" 2>&1)
	our_sig=$(online_schema_sig 2>&1)
	if [ "$twin_sig" = "$our_sig" ] && grep -q '^constraint|child|child_parent_fkey|f FOREIGN KEY' <<<"$our_sig"; then
		pass "schema (columns by name, constraints, indexes, triggers, sequences, functions) equal to the offline twin's"
	else
		fail "schema (columns by name, constraints, indexes, triggers, sequences, functions) equal to the offline twin's" \
			"$(diff <(printf '%s\n' "$twin_sig") <(printf '%s\n' "$our_sig") | grep '^[<>]' | head -n 20)"
	fi
	check_eq "registry uuid7_state.uuid7_migrated_table equal to the offline twin's" \
		"$(psql -X -A -t -d "$twin" -c "SELECT string_agg(concat_ws(' ', relid, key_column, old_type, mapping_table, uuid_version, timestamp_column), ',' ORDER BY relid::text) FROM uuid7_state.uuid7_migrated_table")" \
		"$(sql "SELECT string_agg(concat_ws(' ', relid, key_column, old_type, mapping_table, uuid_version, timestamp_column), ',' ORDER BY relid::text) FROM uuid7_state.uuid7_migrated_table")"
	check_eq "converted columns moved to the end of their tables (the only difference from offline)" "child:id,parent_id|note:child_id,parent_id|parent:id,manager_id" \
		"$(sql "SELECT string_agg(r || ':' || cols, '|' ORDER BY r) FROM (SELECT attrelid::regclass::text AS r,
				string_agg(attname, ',' ORDER BY attname) FILTER (WHERE attnum > (SELECT max(attnum) FROM pg_attribute b WHERE b.attrelid = a.attrelid AND b.attname IN ('created_at', 'body'))) AS cols
			FROM pg_attribute a WHERE attrelid IN ('parent'::regclass, 'child'::regclass, 'note'::regclass) AND attnum > 0 AND NOT attisdropped GROUP BY 1) s")"
	check_eq "status after finish: finished, no worker" "finished|" \
		"$(sql "SELECT string_agg(DISTINCT state, ',') || '|' || coalesce(max(worker_pid)::text, '') FROM uuid7_migration_status WHERE migration_id = $id")"
fi
check_eq "no uuid7 migration worker left" "0" "$(sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'uuid7 migration'")"
online_check_no_crash
