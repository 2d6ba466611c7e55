#!/usr/bin/env bash
# test/online/failures.sh — the online migration under failures, each part in a database of its own:
#   (a) kill -9 of the worker in the middle of the backfill (crash recovery of the whole server), resume: no mapping
#       row and no backfilled key is redone with another uuid, and the end state is right; status along the way
#       (phases in order, rows_done increasing, 'stopped' after the kill);
#   (b) kill -9 while CREATE INDEX CONCURRENTLY of a twin index waits for an old snapshot: the invalid index left
#       behind is rebuilt on resume;
#   (c) a long transaction holding a lock when finish is called: 55P03 after lock_retries attempts, nothing changed,
#       writers not stuck behind the attempts; finish succeeds once the lock is released (and, with more retries,
#       while the blocker releases it during the attempts);
#   (d) abort in the backfill and at ready: pg_dump --schema-only byte-identical to before the start;
#   (e) a write that skipped the sync trigger (session_replication_role = replica): at ready, finish refuses with
#       55000 naming the row, then resume/finish repair it; during the index phase, the worker's verification blocks
#       and resume repairs it;
#   (f) refusals and bad calls, with their SQLSTATEs.
set -uo pipefail
source "$(dirname "$0")/../assert.sh"
source "$(dirname "$0")/lib.sh"

# Parent (UNIQUE (tenant_id, id) for the composite key) and child: $1 = table prefix, $2 = parents (2 children each).
schema() {
	sed -e "s/@p@/${1}parent/g" -e "s/@c@/${1}child/g" -e "s/@n@/$2/g" <<'SQL'
CREATE TABLE @p@ (id bigserial PRIMARY KEY, tenant_id int NOT NULL, name text NOT NULL, UNIQUE (tenant_id, id));
CREATE TABLE @c@ (id bigserial PRIMARY KEY, tenant_id int NOT NULL, parent_id bigint, note text,
	FOREIGN KEY (tenant_id, parent_id) REFERENCES @p@ (tenant_id, id) ON DELETE CASCADE);
CREATE INDEX @c@_parent ON @c@ (parent_id);
-- keys inserted in shuffled order: physical order is not key order
INSERT INTO @p@ (id, tenant_id, name) SELECT g, g % 10, 'parent ' || g FROM generate_series(1, @n@) g ORDER BY md5(g::text);
SELECT setval('@p@_id_seq', @n@);
-- child i belongs to parent 1 + (i * 37) % @n@
INSERT INTO @c@ (id, tenant_id, parent_id, note) SELECT g, (1 + (g * 37) % @n@) % 10, 1 + (g * 37) % @n@, 'child ' || g
FROM generate_series(1, 2 * @n@) g ORDER BY md5(g::text);
SELECT setval('@c@_id_seq', 2 * @n@);
VACUUM ANALYZE;
SQL
}

# The result of SQL (a function returning jsonb), or its error; NOTICEs (abort's "does not exist, skipping") left out.
call() { psql -X -A -t -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "$1" 2>&1; }

# The SQLSTATE of the error SQL raises (empty when it succeeds).
sqlstate_of() {
	psql -X -A -t -q -c "\\set VERBOSITY sqlstate" -c "$1" 2>&1 | sed -nE 's/^ERROR:  ([0-9A-Z]{5}).*/\1/p' | head -n 1
}

# One check: the end state of a finished migration of ${1}parent (N rows) with ${1}child (2N rows) referencing it.
check_end_state() {
	local p=${1}parent c=${1}child n=$2 label=$3
	check_eq "$label: row counts" "$n|$((2 * n))" "$(sql "SELECT count(*), (SELECT count(*) FROM $c) FROM $p")"
	check_eq "$label: $p.id and $c.parent_id are uuid, $c.id still bigint" "uuid|uuid|bigint" \
		"$(sql "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE (attrelid, attname) IN (('$p'::regclass, 'id'))
			UNION ALL SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE (attrelid, attname) IN (('$c'::regclass, 'parent_id'))
			UNION ALL SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE (attrelid, attname) IN (('$c'::regclass, 'id'))" | paste -sd'|')"
	check_eq "$label: mapping complete (every $p row's key is a new_id, uuid7_legacy_id/uuid7_mapped_id round-trip)" "$n|0" \
		"$(sql "SELECT count(*), count(*) FILTER (WHERE uuid7_legacy_id('$p', t.id) IS DISTINCT FROM m.old_id
			OR uuid7_mapped_id('$p', m.old_id) IS DISTINCT FROM t.id) FROM $p t JOIN uuid7_mapping.${p}_uuid7_map m ON m.new_id = t.id")"
	check_eq "$label: every child references the parent it referenced before (child i → parent 1 + 37i mod $n)" "0" \
		"$(sql "SELECT count(*) FROM $c WHERE uuid7_legacy_id('$p', parent_id) IS DISTINCT FROM 1 + (id * 37) % $n")"
	check_eq "$label: key order kept (ORDER BY new key = ORDER BY old key)" "0" \
		"$(sql "SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY t.id) AS a, row_number() OVER (ORDER BY m.old_id) AS b
			FROM $p t JOIN uuid7_mapping.${p}_uuid7_map m ON m.new_id = t.id) s WHERE a <> b")"
	check_eq "$label: the foreign key is validated and holds (orphans)" "t|0" \
		"$(sql "SELECT (SELECT bool_and(convalidated) FROM pg_constraint WHERE conrelid = '$c'::regclass AND contype = 'f'),
			(SELECT count(*) FROM $c x WHERE x.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM $p y WHERE y.tenant_id = x.tenant_id AND y.id = x.parent_id))")"
	check_eq "$label: nothing of the migration left (twin columns, triggers, twin indexes and constraints, sync functions)" "0|0|0|0|0" \
		"$(sql "SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid IN ('$p'::regclass, '$c'::regclass) AND attname LIKE 'uuid7_new_%' AND NOT attisdropped),
			(SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'zz_uuid7_sync_%'),
			(SELECT count(*) FROM pg_class WHERE relname LIKE 'uuid7_ix_%'),
			(SELECT count(*) FROM pg_constraint WHERE conname LIKE 'uuid7_nn_%' OR conname LIKE 'uuid7_fk_%'),
			(SELECT count(*) FROM pg_proc WHERE proname LIKE 'uuid7_sync_%')")"
	check_eq "$label: every index valid, the old names kept" "${c}_parent,${c}_pkey,${p}_pkey,${p}_tenant_id_id_key|t" \
		"$(sql "SELECT string_agg(c.relname, ',' ORDER BY c.relname), bool_and(i.indisvalid AND i.indisready) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
			WHERE i.indrelid IN ('$p'::regclass, '$c'::regclass)")"
}

# Polls the status until the key table's row matches COND (SQL over uuid7_migration_status); appends every sample
# ("phase|state|rows_done of the key table") to the file STATUS_LOG.
poll_until() {
	local id=$1 cond=$2 secs=${3:-60} deadline
	deadline=$((SECONDS + secs))
	while :; do
		sql "SELECT phase, state, rows_done FROM uuid7_migration_status WHERE migration_id = $id AND role = 'key'" >>"$STATUS_LOG" 2>/dev/null
		if [ "$(sql "SELECT bool_and($cond) FROM uuid7_migration_status WHERE migration_id = $id AND role = 'key'" 2>/dev/null)" = t ]; then
			sql "SELECT phase, state, rows_done FROM uuid7_migration_status WHERE migration_id = $id AND role = 'key'" >>"$STATUS_LOG" 2>/dev/null
			return 0
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			fail "migration $id reaches ($cond)" "not within $secs s; last: $(tail -n 1 "$STATUS_LOG")"
			return 1
		fi
		sleep 0.05
	done
}

work=$(mktemp -d /tmp/uuid7-online-failures-XXXXXX)
trap 'rm -rf "$work"; online_cleanup' EXIT
STATUS_LOG=$work/status
tables="ARRAY['parent']::regclass[]"

# ---- (a) kill -9 in the middle of the backfill ---------------------------------------------------------------------
online_db kill_backfill
schema "" 20000 | online_setup
id=$(online_start "$tables" "'{\"batch_blocks\": 5, \"pause_ms\": 50}'")
[ -n "$id" ] || exit 1
poll_until "$id" "phase = 'backfill' AND rows_done > 0" || exit 1
r1=$(sql "SELECT rows_done FROM uuid7_migration_status WHERE migration_id = $id AND role = 'key'")
sleep 0.4
r2=$(sql "SELECT rows_done FROM uuid7_migration_status WHERE migration_id = $id AND role = 'key'")
check_eq "(a) status: rows_done increases during the backfill ($r1 then $r2)" "t" "$([ "$r2" -gt "$r1" ] && echo t || echo f)"
check_eq "(a) status: running, percent_done between 0 and 100, rows_total = 20000, eta and rate set" "running|t|20000|t" \
	"$(sql "SELECT state, percent_done > 0 AND percent_done < 100, rows_total, eta IS NOT NULL AND rows_per_second > 0
		FROM uuid7_migration_status WHERE migration_id = $id AND role = 'key'")"
pid=$(sql "SELECT worker_pid FROM uuid7_migration_status WHERE migration_id = $id AND role = 'key'")
check_eq "(a) status: worker_pid is the live 'uuid7 migration' backend" "uuid7 migration" \
	"$(sql "SELECT backend_type FROM pg_stat_activity WHERE pid = $pid")"
online_kill9 "$pid"
online_wait_recovery
check_eq "(a) right after the kill and the recovery: status says stopped, still in backfill" "backfill|stopped" \
	"$(sql "SELECT string_agg(DISTINCT phase, ','), string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = $id")"
check_eq "(a) after the kill: rows_done stands between 0 and 20000" "t" \
	"$(sql "SELECT rows_done > 0 AND rows_done < 20000 FROM uuid7_migration_status WHERE migration_id = $id AND role = 'key'")"
check_eq "(a) finish refuses a stopped migration: 55000" "55000" "$(sqlstate_of "SELECT uuid7_migration_finish($id)")"
# What survived the crash: the whole mapping (the map phase is over), and the keys backfilled so far.
sql "CREATE TABLE kept_map AS SELECT old_id, new_id FROM uuid7_mapping.parent_uuid7_map;
	CREATE TABLE kept_keys AS SELECT id AS old_id, uuid7_new_1 AS new_id FROM parent WHERE uuid7_new_1 IS NOT NULL" >/dev/null
kept=$(sql "SELECT (SELECT count(*) FROM kept_map) || '|' || (SELECT count(*) FROM kept_keys)")
check_eq "(a) the mapping survived the crash complete; some keys are backfilled, not all" "20000|t" \
	"$(sql "SELECT (SELECT count(*) FROM kept_map), (SELECT count(*) BETWEEN 1 AND 19999 FROM kept_keys)")"
newpid=$(sql "SELECT uuid7_migration_resume($id)" 2>&1)
check_eq "(a) resume returns the new worker's pid" "uuid7 migration" \
	"$([[ "$newpid" =~ ^[0-9]+$ ]] && sql "SELECT backend_type FROM pg_stat_activity WHERE pid = $newpid" || echo "$newpid")"
check_eq "(a) resume of a running migration: 55006" "55006" "$(sqlstate_of "SELECT uuid7_migration_resume($id)")"
check_eq "(a) resumed: ready" "ready" "$(online_wait "$id")"
phases=$(cut -d'|' -f1 "$STATUS_LOG" | awk '!seen[$0]++' | paste -sd' ')
check_eq "(a) status: phases seen before the kill in order, ending in backfill (seen: $phases)" "ok" \
	"$(printf '%s\n' "$phases" | awk '{ split("map expand backfill", order, " "); for (i in order) rank[order[i]] = i;
		last = 0; for (i = 1; i <= NF; i++) { if (!($i in rank) || rank[$i] < last) { print "bad order"; exit } last = rank[$i] }
		print ($NF == "backfill") ? "ok" : "not ending in backfill" }')"
check_eq "(a) at ready: rows_done = rows_total for both tables (no batch counted twice)" "child 40000 40000,parent 20000 20000" \
	"$(sql "SELECT string_agg(table_name || ' ' || rows_done || ' ' || rows_total, ',' ORDER BY table_name::text) FROM uuid7_migration_status WHERE migration_id = $id")"
out=$(call "SELECT uuid7_migration_finish($id)")
check_eq "(a) finish after resume succeeds" "public.parent" "$(sql "SELECT $(sql_literal "$out")::jsonb->'tables'->>0" 2>&1)"
check_eq "(a) the mapping rows of before the kill are unchanged (same uuids), none added" "20000|20000" \
	"$(sql "SELECT (SELECT count(*) FROM kept_map k JOIN uuid7_mapping.parent_uuid7_map m ON m.old_id = k.old_id AND m.new_id = k.new_id), (SELECT count(*) FROM uuid7_mapping.parent_uuid7_map)")"
check_eq "(a) keys backfilled before the kill are the final keys" "${kept#*|}" \
	"$(sql "SELECT count(*) FROM kept_keys k JOIN parent p ON p.id = k.new_id AND uuid7_legacy_id('parent', p.id) = k.old_id")"
check_end_state "" 20000 "(a) end state"

# ---- (b) kill -9 while a twin index is being built ---------------------------------------------------------------
online_db kill_index
schema "" 5000 | online_setup
: >"$STATUS_LOG"
# slow batches: the backfill lasts long enough for the snapshot below to be taken before the index phase
id=$(online_start "$tables" "'{\"batch_blocks\": 1, \"pause_ms\": 100}'")
[ -n "$id" ] || exit 1
# An open REPEATABLE READ snapshot (on no table of the migration), taken after the map phase (which waits for the
# transactions open at its start): CREATE INDEX CONCURRENTLY waits for it to end.
online_wait_for "(b) the map phase is over" "SELECT bool_and(phase = 'backfill') FROM uuid7_migration_status WHERE migration_id = $id" 60
PGAPPNAME="onl_snapshot_$$" psql -X -q -c "BEGIN ISOLATION LEVEL REPEATABLE READ" -c "SELECT count(*) FROM pg_class" \
	-c "SELECT pg_sleep(300)" >/dev/null 2>&1 &
blocker=$!
ONLINE_BG+=("$blocker")
online_wait_for "(b) the snapshot holder is in place" \
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'onl_snapshot_$$' AND wait_event = 'PgSleep' AND backend_xmin IS NOT NULL" 30
online_wait_for "(b) the worker waits in CREATE INDEX CONCURRENTLY" \
	"SELECT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p JOIN uuid7_state.uuid7_online_migration m ON m.worker_pid = p.pid
		WHERE m.id = $id AND p.command = 'CREATE INDEX CONCURRENTLY')" 60
check_eq "(b) status: phase index, state running; an invalid uuid7_ix_ index exists" "index|running|1" \
	"$(sql "SELECT phase, state, (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'uuid7_ix_%' AND NOT i.indisvalid)
		FROM uuid7_migration_status WHERE migration_id = $id AND role = 'key'")"
online_kill9 "$(sql "SELECT worker_pid FROM uuid7_state.uuid7_online_migration WHERE id = $id")"
wait "$blocker" 2>/dev/null # the crash ended the blocking transaction as well
online_wait_recovery
check_eq "(b) status says stopped right after the recovery (the worker's lock is gone)" "t" \
	"$(sql "SELECT bool_and(state = 'stopped') FROM uuid7_migration_status WHERE migration_id = $id")"
check_eq "(b) after the kill: stopped in phase index, the snapshot holder gone" "index|stopped|0" \
	"$(sql "SELECT phase, state, (SELECT count(*) FROM pg_stat_activity WHERE application_name = 'onl_snapshot_$$')
		FROM uuid7_migration_status WHERE migration_id = $id AND role = 'key'")"
check_eq "(b) after the kill: the interrupted build left an invalid uuid7_ix_ index" "1" \
	"$(sql "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'uuid7_ix_%' AND NOT i.indisvalid")"
check_eq "(b) resume starts a worker" "t" "$(sql "SELECT uuid7_migration_resume($id) > 0" 2>&1)"
check_eq "(b) resumed: ready" "ready" "$(online_wait "$id")"
check_eq "(b) at ready: no invalid index in the database, every twin index valid" "0|3" \
	"$(sql "SELECT (SELECT count(*) FROM pg_index WHERE NOT indisvalid OR NOT indisready),
		(SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'uuid7_ix_%' AND i.indisvalid)")"
out=$(call "SELECT uuid7_migration_finish($id)")
check_eq "(b) finish succeeds" "public.parent" "$(sql "SELECT $(sql_literal "$out")::jsonb->'tables'->>0" 2>&1)"
check_end_state "" 5000 "(b) end state"

# ---- (c) a lock held by a long transaction when finish is called ---------------------------------------------------
online_db lock
{ schema "" 2000; schema "b_" 2000; } | online_setup
id1=$(online_start "$tables" "'{\"lock_timeout_ms\": 100, \"lock_retries\": 3}'")
id2=$(online_start "ARRAY['b_parent']::regclass[]" "'{\"lock_timeout_ms\": 100, \"lock_retries\": 20}'")
[ -n "$id1" ] && [ -n "$id2" ] || exit 1
check_eq "(c) both migrations ready" "ready ready" "$(online_wait "$id1") $(online_wait "$id2")"
PGAPPNAME="onl_locker_$$" psql -X -q -c "BEGIN" -c "LOCK TABLE child IN ACCESS SHARE MODE" -c "SELECT pg_sleep(300)" >/dev/null 2>&1 &
ONLINE_BG+=($!)
online_wait_for "(c) the blocker holds its lock on child" \
	"SELECT count(*) = 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = 'onl_locker_$$'
		AND l.relation = 'child'::regclass AND l.granted" 30
t0=$(date +%s%N)
psql -X -A -t -q -c "\\set VERBOSITY verbose" -c "SELECT uuid7_migration_finish($id1)" >"$work/finish.out" 2>&1 &
finisher=$!
# Writers to the parent while finish keeps trying: each waits at most one lock_timeout. One session writes every 50 ms
# and records how long each INSERT took (a connection per INSERT was too slow on a loaded machine to get three in).
sql "CREATE TABLE finish_writes (ms numeric)" >/dev/null
for _ in $(seq 1 60); do
	echo "WITH ins AS (INSERT INTO parent (tenant_id, name) VALUES (1, 'during finish') RETURNING 1)
		INSERT INTO finish_writes SELECT round(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000) FROM ins;"
	echo "SELECT pg_sleep(0.05);"
done >"$work/writer.sql"
PGAPPNAME="onl_writer_$$" psql -X -q -f "$work/writer.sql" >"$work/writer.out" 2>&1 &
writer=$!
wait "$finisher"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
# its last INSERT may still be running in the server: count the rows once its backend is gone
online_wait_for "(c) the writer is gone" "SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'onl_writer_$$'" 30
sql "SELECT ms FROM finish_writes" >"$work/inserts" 2>&1
grep -q ERROR "$work/writer.out" && cat "$work/writer.out" >>"$work/inserts"
finish_ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "(c) finish with the lock held: 55P03 after its attempts (took $finish_ms ms)" "55P03" \
	"$(sed -nE 's/^ERROR:  ([0-9A-Z]{5}):.*/\1/p' "$work/finish.out")"
check_eq "(c) the 55P03 detail counts 3 attempts of 100 ms" "DETAIL:  3 attempts of 100 ms each; nothing was changed." \
	"$(grep '^DETAIL:' "$work/finish.out")"
check_eq "(c) INSERTs into the parent during the attempts: at least 3, all done, the slowest well under 1 s" "t" \
	"$(awk '!/^[0-9]+$/ { bad = 1 } /^[0-9]+$/ { n++; if ($1 > max) max = $1 } END { print (!bad && n >= 3 && max < 500) ? "t" : "f (" n " inserts, max " max " ms" (bad ? ", errors" : "") ")" }' "$work/inserts")"
check_eq "(c) nothing changed: still ready, parent.id bigint, twin column and mapping present" "ready|bigint|1|t" \
	"$(sql "SELECT (SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = $id1),
		(SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'parent'::regclass AND attname = 'id'),
		(SELECT count(*) FROM pg_attribute WHERE attrelid = 'parent'::regclass AND attname LIKE 'uuid7_new_%' AND NOT attisdropped),
		to_regclass('uuid7_mapping.parent_uuid7_map') IS NOT NULL")"
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'onl_locker_$$'" >/dev/null
online_wait_for "(c) the blocker is gone" "SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'onl_locker_$$'" 30
out=$(call "SELECT uuid7_migration_finish($id1)")
check_eq "(c) once the lock is released, finish succeeds at the first attempt" "1" "$(sql "SELECT $(sql_literal "$out")::jsonb->>'lock_attempts'" 2>&1)"
n_ins=$(grep -c '^[0-9]*$' "$work/inserts")
check_eq "(c) the rows inserted during the failed finish were migrated too" "$((2000 + n_ins))|0" \
	"$(sql "SELECT count(*), count(*) FILTER (WHERE uuid7_legacy_id('parent', id) IS NULL) FROM parent")"
# A blocker that lets go after about 1 s, and a migration with 20 retries of 100 ms.
PGAPPNAME="onl_locker2_$$" psql -X -q -c "BEGIN" -c "LOCK TABLE b_child IN ACCESS SHARE MODE" -c "SELECT pg_sleep(1)" -c "COMMIT" >/dev/null 2>&1 &
ONLINE_BG+=($!)
online_wait_for "(c) the second blocker holds its lock on b_child" \
	"SELECT count(*) = 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = 'onl_locker2_$$'
		AND l.relation = 'b_child'::regclass AND l.granted" 30
out=$(call "SELECT uuid7_migration_finish($id2)")
check_eq "(c) with more retries, finish succeeds when the blocker lets go after ~1 s: lock_attempts > 1" "t" \
	"$(sql "SELECT ($(sql_literal "$out")::jsonb->>'lock_attempts')::int > 1" 2>&1)"
check_eq "(c) both finished" "finished,finished" \
	"$(sql "SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = $id1
		UNION ALL SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = $id2" | paste -sd,)"

# ---- (d) abort before the swap: in the backfill, and at ready --------------------------------------------------------
online_db abort
schema "" 20000 | online_setup
dump() { pg_dump --schema-only "$PGDATABASE" | grep -Ev '^\\(un)?restrict '; }
data() { sql "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM parent t UNION ALL SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM child t"; }
before=$(dump)
data_before=$(data)
check_eq "(d) the schema dump is not empty" "t" "$(grep -q 'CREATE TABLE public.child' <<<"$before" && echo t || echo f)"
for when in start backfill ready; do
	if [ "$when" = start ]; then
		# at once: the worker may not even show in pg_stat_activity yet
		id=$(online_start "$tables")
	elif [ "$when" = backfill ]; then
		id=$(online_start "$tables" "'{\"batch_blocks\": 5, \"pause_ms\": 50}'")
		: >"$STATUS_LOG"
		poll_until "$id" "phase = 'backfill' AND rows_done > 0" || exit 1
	else
		id=$(online_start "$tables")
		check_eq "(d) ready" "ready" "$(online_wait "$id")"
	fi
	out=$(call "SELECT uuid7_migration_abort($id)")
	check_eq "(d) abort in $when succeeds and says where it stopped" "$([ $when = start ] && echo "map or expand" || echo $when)" \
		"$(sql "SELECT CASE WHEN j IN ('map', 'expand') AND '$when' = 'start' THEN 'map or expand' ELSE j END
			FROM (SELECT $(sql_literal "$out")::jsonb->>'aborted_in_phase' AS j) s" 2>&1)"
	sleep 0.5 # a worker that was starting would have acted by now
	after=$(dump)
	if [ "$before" = "$after" ]; then
		pass "(d) abort in $when: pg_dump --schema-only byte-identical to before the start"
	else
		fail "(d) abort in $when: pg_dump --schema-only byte-identical to before the start" \
			"$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | grep '^[<>]' | head -n 20)"
	fi
	check_eq "(d) abort in $when: the data is unchanged" "$data_before" "$(data)"
	check_eq "(d) abort in $when: mapping table gone, status aborted, no worker" "t|aborted|0" \
		"$(sql "SELECT to_regclass('uuid7_mapping.parent_uuid7_map') IS NULL, (SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = $id),
			(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'uuid7 migration')")"
	check_eq "(d) abort in $when: nothing of the migration left" "0|0|0|0" \
		"$(sql "SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid IN ('parent'::regclass, 'child'::regclass) AND attname LIKE 'uuid7_new_%' AND NOT attisdropped),
			(SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'zz_uuid7_sync_%'),
			(SELECT count(*) FROM pg_class WHERE relname LIKE 'uuid7_ix_%' OR relname LIKE '%uuid7_map'),
			(SELECT count(*) FROM pg_proc WHERE proname LIKE 'uuid7_sync_%')")"
	check_eq "(d) abort of an aborted migration: 55000" "55000" "$(sqlstate_of "SELECT uuid7_migration_abort($id)")"
	check_eq "(d) finish of an aborted migration: 55000" "55000" "$(sqlstate_of "SELECT uuid7_migration_finish($id)")"
done

# ---- (e) writes that skipped the sync trigger ----------------------------------------------------------------------
online_db replica
schema "" 2000 | online_setup
id=$(online_start "$tables")
check_eq "(e) ready" "ready" "$(online_wait "$id")"
sql "SET session_replication_role = replica; INSERT INTO child (id, tenant_id, parent_id, note) VALUES (999999, 7, 17, 'written without triggers')" >/dev/null
ctid=$(sql "SELECT ctid FROM child WHERE id = 999999")
out=$(psql -X -A -t -q -c "\\set VERBOSITY verbose" -c "SELECT uuid7_migration_finish($id)" 2>&1)
check_eq "(e) finish refuses: 55000" "55000" "$(printf '%s\n' "$out" | sed -nE 's/^ERROR:  ([0-9A-Z]{5}):.*/\1/p')"
check_eq "(e) the DETAIL names the column and the row (ctid $ctid, parent_id=17)" "t" \
	"$(printf '%s\n' "$out" | grep '^DETAIL:' | grep -F 'public.child.parent_id' | grep -F "ctid $ctid" | grep -qF 'parent_id=17' && echo t || echo "f: $out")"
check_eq "(e) uuid7_online_verify lists the row" "public.child.parent_id|1|t" \
	"$(sql "SELECT object, bad_rows, sample LIKE '%ctid $ctid: parent_id=17,%' FROM uuid7_online_verify($id)")"
check_eq "(e) nothing changed by the refused finish: still ready, child.parent_id bigint" "ready|bigint" \
	"$(sql "SELECT (SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = $id),
		(SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'child'::regclass AND attname = 'parent_id')")"
out=$(sql "SELECT uuid7_migration_resume($id)" 2>&1)
check_eq "(e) resume after the refused finish starts a worker (re-backfill, re-verify)" "t" "$([[ "$out" =~ ^[0-9]+$ ]] && echo t || echo "f: $out")"
if [[ "$out" =~ ^[0-9]+$ ]]; then # (the checks below only repeat that failure otherwise)
	check_eq "(e) resumed: ready again" "ready" "$(online_wait "$id")"
	check_eq "(e) verification now finds nothing" "0" "$(sql "SELECT count(*) FROM uuid7_online_verify($id)")"
	out=$(call "SELECT uuid7_migration_finish($id)")
	check_eq "(e) finish succeeds" "public.parent" "$(sql "SELECT $(sql_literal "$out")::jsonb->'tables'->>0" 2>&1)"
	check_eq "(e) the row written without triggers references its parent's new key" "t" \
		"$(sql "SELECT parent_id = uuid7_mapped_id('parent', 17) FROM child WHERE id = 999999" 2>&1)"
fi

# The same during the index phase (held there by an old snapshot): the worker's own verification blocks the swap.
online_db replica_blocked
schema "" 2000 | online_setup
id=$(online_start "$tables" "'{\"batch_blocks\": 1, \"pause_ms\": 100}'")
online_wait_for "(e) the map phase is over" "SELECT bool_and(phase = 'backfill') FROM uuid7_migration_status WHERE migration_id = $id" 60
PGAPPNAME="onl_snapshot2_$$" psql -X -q -c "BEGIN ISOLATION LEVEL REPEATABLE READ" -c "SELECT count(*) FROM pg_class" \
	-c "SELECT pg_sleep(300)" >/dev/null 2>&1 &
ONLINE_BG+=($!)
online_wait_for "(e) the snapshot holder is in place" \
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'onl_snapshot2_$$' AND wait_event = 'PgSleep' AND backend_xmin IS NOT NULL" 30
online_wait_for "(e) the worker is in phase index" \
	"SELECT EXISTS (SELECT 1 FROM uuid7_migration_status WHERE migration_id = $id AND phase = 'index')" 60
sql "SET session_replication_role = replica; INSERT INTO child (id, tenant_id, parent_id, note) VALUES (999999, 3, 23, 'written without triggers')" >/dev/null
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'onl_snapshot2_$$'" >/dev/null
check_eq "(e) the worker's verification blocks" "blocked" "$(online_wait "$id")"
# last_error names the column and the count, not the row's values (2.0: the state carries no row values);
# uuid7_online_verify() shows the rows to who may read them
check_eq "(e) blocked: last_error names the column and the count, no row values" "t|f" \
	"$(sql "SELECT last_error LIKE '%public.child.parent_id%(1 rows)%', last_error LIKE '%parent_id=23%' FROM uuid7_migration_status WHERE migration_id = $id AND role = 'key'")"
check_eq "(e) the verification shows the row" "t" \
	"$(sql "SELECT bool_or(sample LIKE '%parent_id=23,%') FROM uuid7_online_verify($id)")"
check_eq "(e) finish of a blocked migration: 55000" "55000" "$(sqlstate_of "SELECT uuid7_migration_finish($id)")"
check_eq "(e) resume of the blocked migration starts a worker" "t" "$(sql "SELECT uuid7_migration_resume($id) > 0" 2>&1)"
check_eq "(e) resumed: ready" "ready" "$(online_wait "$id")"
out=$(call "SELECT uuid7_migration_finish($id)")
check_eq "(e) finish succeeds" "public.parent" "$(sql "SELECT $(sql_literal "$out")::jsonb->'tables'->>0" 2>&1)"
check_eq "(e) the row written without triggers references its parent's new key" "t" \
	"$(sql "SELECT parent_id = uuid7_mapped_id('parent', 23) FROM child WHERE id = 999999" 2>&1)"

# ---- (f) refusals and bad calls ------------------------------------------------------------------------------------
online_db refusals
schema "" 2000 | online_setup
sql "CREATE TABLE nopk (id bigint, x int); INSERT INTO nopk VALUES (1, 1)" >/dev/null
offline=$(sqlstate_of "SELECT uuid7_migrate(ARRAY['nopk']::regclass[])")
check_eq "(f) a table without a primary key: start refuses with uuid7_migrate's SQLSTATE (0A000)" "0A000 0A000" \
	"$(sqlstate_of "SELECT uuid7_migration_start(ARRAY['nopk']::regclass[])") $offline"
sql "ALTER TABLE parent ADD COLUMN made timestamptz NOT NULL DEFAULT now()" >/dev/null
check_eq "(f) option timestamp_column at the top level (a per-table option): 22023" "22023" \
	"$(sqlstate_of "SELECT uuid7_migration_start($tables, '{\"timestamp_column\": \"made\"}')")"
check_eq "(f) option timestamp_column for one table: 0A000" "0A000" \
	"$(sqlstate_of "SELECT uuid7_migration_start($tables, '{\"tables\": {\"parent\": {\"timestamp_column\": \"made\"}}}')")"
for bad in '"batch_blocks": 0' '"batch_blocks": "x"' '"batch_blocks": 1.5' '"pause_ms": -1' '"lock_retries": 0' '"lock_timeout_ms": null'; do
	check_eq "(f) bad option {$bad}: 22023" "22023" "$(sqlstate_of "SELECT uuid7_migration_start($tables, '{$bad}')")"
done
# the plan read for an online run lists what only the online run refuses, first; read for an offline run, not
plan_states() { sql "SELECT string_agg(sqlstate, ' ' ORDER BY step) FROM uuid7_migration_plan($1, '$2') WHERE phase = 'refusal'"; }
check_eq "(f) plan {online} with timestamp_column: its one refusal is the start's 0A000" "0A000" \
	"$(plan_states "$tables" '{"online": true, "tables": {"parent": {"timestamp_column": "made"}}}')"
check_eq "(f) plan {online: false} with the same option: no refusal (the offline run carries it)" "" \
	"$(plan_states "$tables" '{"online": false, "tables": {"parent": {"timestamp_column": "made"}}}')"
sql "ALTER TABLE parent DROP COLUMN made" >/dev/null
check_eq "(f) plan option online not a boolean: 22023" "22023" "$(sqlstate_of "SELECT * FROM uuid7_migration_plan($tables, '{\"online\": 1}')")"
check_eq "(f) start with option online (it always plans online): 22023" "22023" \
	"$(sqlstate_of "SELECT uuid7_migration_start($tables, '{\"online\": true}')")"
sql "ALTER TABLE parent ADD COLUMN uuid7_new_1 int" >/dev/null
check_eq "(f) the name of a twin taken: plan {online} 42701, start 42701, plan offline accepts" "42701|42701|" \
	"$(plan_states "$tables" '{"online": true}')|$(sqlstate_of "SELECT uuid7_migration_start($tables)")|$(plan_states "$tables" '{}')"
sql "ALTER TABLE parent DROP COLUMN uuid7_new_1" >/dev/null
# FORCE ROW LEVEL SECURITY on child, owned by a role its policy hides rows from; a superuser migrates: the twins are
# written as the owner, who would leave them NULL in the hidden rows
sql "DROP ROLE IF EXISTS uuid7_f_owner; CREATE ROLE uuid7_f_owner; ALTER TABLE child OWNER TO uuid7_f_owner;
	ALTER TABLE child ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; CREATE POLICY tenant_lt_5 ON child USING (tenant_id < 5)" >/dev/null
check_eq "(f) FORCE RLS on a table whose owner the policy restricts: plan {online} 42501 naming the owner, start 42501, offline accepts" \
	"42501|t|42501|" \
	"$(plan_states "$tables" '{"online": true}')|$(sql "SELECT bool_or(detail LIKE '%role uuid7_f_owner%') FROM uuid7_migration_plan($tables, '{\"online\": true}')")|$(sqlstate_of "SELECT uuid7_migration_start($tables)")|$(plan_states "$tables" '{}')"
sql "DROP POLICY tenant_lt_5 ON child; ALTER TABLE child NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
	ALTER TABLE child OWNER TO CURRENT_USER; DROP ROLE uuid7_f_owner" >/dev/null
check_eq "(f) nothing recorded by the refused starts" "0|t" \
	"$(sql "SELECT (SELECT count(*) FROM uuid7_state.uuid7_online_migration), to_regclass('uuid7_mapping.parent_uuid7_map') IS NULL")"
id=$(online_start "$tables" "'{\"batch_blocks\": 1, \"pause_ms\": 200}'")
[ -n "$id" ] || exit 1
check_eq "(f) a table already in an unfinished online migration: 55006" "55006" "$(sqlstate_of "SELECT uuid7_migration_start($tables)")"
check_eq "(f) its referencing table, listed in another migration: 55006" "55006" \
	"$(sqlstate_of "SELECT uuid7_migration_start(ARRAY['child']::regclass[])")"
check_eq "(f) finish of a running migration: 55000" "55000" "$(sqlstate_of "SELECT uuid7_migration_finish($id)")"
check_eq "(f) resume of a running migration: 55006" "55006" "$(sqlstate_of "SELECT uuid7_migration_resume($id)")"
for fn in finish abort resume; do
	check_eq "(f) $fn of an unknown id: 42704" "42704" "$(sqlstate_of "SELECT uuid7_migration_$fn(987654)")"
done
check_eq "(f) the refusals left one migration and one mapping table" "1|t" \
	"$(sql "SELECT (SELECT count(*) FROM uuid7_state.uuid7_online_migration), to_regclass('uuid7_mapping.parent_uuid7_map') IS NOT NULL")"
out=$(call "SELECT uuid7_migration_abort($id)")
check_eq "(f) the running migration aborts" "t" "$(sql "SELECT $(sql_literal "$out")::jsonb ? 'aborted_in_phase'" 2>&1)"
check_eq "(f) resume of an aborted migration: 55000" "55000" "$(sqlstate_of "SELECT uuid7_migration_resume($id)")"

online_check_no_crash
