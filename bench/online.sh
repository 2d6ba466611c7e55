#!/usr/bin/env bash
# bench/online.sh — the online migration (uuid7_migration_start … uuid7_migration_finish) under a write workload:
# write throughput and latency before, during and after, in the same run, as ratios to "before".
#
#   bench/online.sh                      as root on a fresh machine after `make install` (~15+ min at scale 1.0)
#   BENCH_SCALE=0.02 WINDOW_S=15 bench/online.sh    quick check (scale 1.0 = parent 5M rows, child 10M rows)
#
# Tunable: BENCH_SCALE (1.0), WINDOW_S (60: length of the before and after windows), WARMUP_S (5: the workload runs
# this long before the before window; with the steady mix, 900 at scale 1.0 replaces every loaded row once, so the
# migration starts on tables at the size and free space the workload keeps them at, not on freshly packed ones),
# MIX (steady | grow: below),
# WEIGHTS (one per script of the mix, in the order below; 0 leaves one out), CLIENTS (4), JOBS (2:
# pgbench threads), PGBENCH_MODE (prepared | simple | extended), BENCH_RATE (empty: as fast as possible; else
# pgbench -R, transactions per second), ONLINE_OPTIONS (jsonb given to uuid7_migration_start, '{}'), CONTROL_S (0; N:
# no migration, the DURING window is N seconds of the same workload: a control run for the heap and tps), POLL_S (1:
# status polling interval), TIMEOUT_S (7200: give up waiting for 'ready'), ONLINE_KEEP=1 (keep the work directory:
# pgbench logs, status polls, server log).
#
# Schema: parent (id bigserial PK, seq bigint UNIQUE, created_at, name, payload of 60–100 bytes); child (id bigserial
# PK, parent_id → parent ON DELETE CASCADE, indexed; created_at, amount, note). Loaded with generate_series, then
# VACUUM ANALYZE and CHECKPOINT. The workload (bench/online/*.sql, one statement per transaction) never names an
# integer key value of parent: it finds parents by seq, which is not migrated, and children by child.id, which stays
# bigint, or through their parent. So the same statements run before, during and after the swap. Two mixes:
#   steady (default): insert_parent 2, steady_delete_parent 2 (the oldest parent, first in first out, and its children
#     by the cascade), steady_insert_children 2 (two children of one of the 1000 newest parents), steady_update_child
#     3 and steady_update_parent 1 (of a random live parent). Inserts and deletes balance, so both tables keep their
#     live rows (two children per parent) and the before and after windows run on tables of the same size: what
#     changes in between is the migration. The parent turns over in about n_parent ÷ (tps ÷ 5) seconds.
#   grow (1.4's figures): insert_parent 2, insert_children 3, update_child 3, delete_child 1, update_parent 1. The
#     tables grow the whole time (4–6× at scale 1.0), so the application slows down by itself as well.
#
# One pgbench run (CLIENTS clients, per-transaction log) covers everything: WARMUP_S of warm-up, then the BEFORE
# window (WINDOW_S), then uuid7_migration_start(); DURING lasts until uuid7_migration_finish() returns; then the
# AFTER window (WINDOW_S). pgbench is then stopped. Each transaction belongs to the window in which it started
# (end time from the log minus its latency). Phase wall times come from polling uuid7_migration_status every
# POLL_S (a phase shorter than that may not be seen: its time is counted in the phase before it), each with the
# workload's tps and latency while it ran; backfill times per table are exact (uuid7_online_table). Heap size = pg_relation_size, at uuid7_migration_start() and right
# after uuid7_migration_finish(); the workload's own inserts in between are in the "after" figure, hence the
# per-live-row ratio too (n_live_tup from the statistics: approximate). The server logs lock waits longer than
# deadlock_timeout (1 s): their count is a second check of "no write waits longer than 1 s". Prints markdown.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

BENCH_SCALE=${BENCH_SCALE:-1.0}
WINDOW_S=${WINDOW_S:-60}
WARMUP_S=${WARMUP_S:-5}
CLIENTS=${CLIENTS:-4}
JOBS=${JOBS:-2}
PGBENCH_MODE=${PGBENCH_MODE:-prepared}
BENCH_RATE=${BENCH_RATE:-}
ONLINE_OPTIONS=${ONLINE_OPTIONS:-'{}'}
MIX=${MIX:-steady}
CONTROL_S=${CONTROL_S:-0}
POLL_S=${POLL_S:-1}
TIMEOUT_S=${TIMEOUT_S:-7200}
n_parent=$(awk -v s="$BENCH_SCALE" 'BEGIN { printf "%d", 5000000 * s }')
n_child=$(awk -v s="$BENCH_SCALE" 'BEGIN { printf "%d", 10000000 * s }')
[ "$n_parent" -ge 100 ] || { echo "BENCH_SCALE too small" >&2; exit 2; }

# the workload's scripts and their weights (WEIGHTS, in this order; a weight of 0 leaves a script out)
case $MIX in
steady)
	all_scripts=(insert_parent steady_delete_parent steady_insert_children steady_update_child steady_update_parent)
	default_weights="2 2 2 3 1" ;;
grow)
	all_scripts=(insert_parent insert_children update_child delete_child update_parent)
	default_weights="2 3 3 1 1" ;;
*) echo "MIX: steady or grow" >&2; exit 2 ;;
esac
read -r -a all_weights <<<"${WEIGHTS:-$default_weights}"
[ "${#all_weights[@]}" -eq "${#all_scripts[@]}" ] || { echo "WEIGHTS needs ${#all_scripts[@]} integers: ${all_scripts[*]}" >&2; exit 2; }
scripts=() weights=() # in pgbench's script order (script_no in the log)
for i in "${!all_scripts[@]}"; do
	[ "${all_weights[$i]}" -gt 0 ] && scripts+=("${all_scripts[$i]}") && weights+=("${all_weights[$i]}")
done
[ "${#scripts[@]}" -gt 0 ] || { echo "WEIGHTS: all zero" >&2; exit 2; }

cluster_start bench-online plain || exit 1
work=$(mktemp -d /tmp/uuid7-online-bench-XXXXXX)
pgbench_pid=
cleanup() {
	[ -n "$pgbench_pid" ] && kill "$pgbench_pid" 2>/dev/null && wait "$pgbench_pid" 2>/dev/null
	[ "${ONLINE_KEEP:-0}" = 1 ] && cp "$UUID7_SERVER_LOG" "$work/server.log"
	cluster_stop_all
	if [ "${ONLINE_KEEP:-0}" = 1 ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

cat >>"$UUID7_CLUSTER_DIR/data/postgresql.conf" <<CONF
shared_buffers = 2GB
maintenance_work_mem = 1GB
work_mem = 64MB
max_wal_size = 10GB
checkpoint_timeout = 30min
synchronous_commit = off
full_page_writes = off
max_parallel_maintenance_workers = 1
log_lock_waits = on
deadlock_timeout = 1s
log_autovacuum_min_duration = 0
CONF
as_server_user "$(pg_bindir)/pg_ctl" -D "$UUID7_CLUSTER_DIR/data" -l "$UUID7_SERVER_LOG" -w -t 120 restart >/dev/null ||
	{ cat "$UUID7_SERVER_LOG" >&2; exit 1; }

q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# Everything that tells what went wrong, then exit (the EXIT trap stops pgbench and the cluster).
fail() {
	echo "FAILED: $*" >&2
	if [ -n "${mid:-}" ]; then
		echo "-- uuid7_migration_status:" >&2
		psql -X -q -d bench -c "SELECT table_name, role, phase, state, rows_done, rows_total, percent_done, vacuums, lock_attempts, worker_pid, last_error
			FROM uuid7_migration_status WHERE migration_id = $mid ORDER BY table_name::text" >&2
		echo "-- uuid7_online_verify($mid) (rows and objects not ready for the swap):" >&2
		psql -X -q -d bench -c "SELECT * FROM uuid7_online_verify($mid)" >&2
	fi
	echo "-- pgbench stderr (last 20 lines):" >&2
	tail -n 20 "$work/pgbench.err" >&2 2>/dev/null
	echo "-- server log: errors, lock waits, worker lines (last 40):" >&2
	grep -E 'ERROR|FATAL|PANIC|WARNING|still waiting|deadlock|uuid7|terminated' "$UUID7_SERVER_LOG" | tail -n 40 >&2
	exit 1
}

log "loading parent $n_parent, child $n_child rows (scale $BENCH_SCALE)"
t0=$(now)
q -d postgres -c "CREATE DATABASE bench" || exit 1
ext_version=$(q -d bench -c "CREATE EXTENSION uuid7" -c "SELECT extversion FROM pg_extension WHERE extname = 'uuid7'") || exit 1
# until uuid7.control says 1.2
[ "$(printf '%s\n' "$ext_version" 1.2 | sort -V | head -n1)" = 1.2 ] || q -d bench -c "ALTER EXTENSION uuid7 UPDATE TO '1.2'" || exit 1
q -d bench -v n_parent="$n_parent" -v n_child="$n_child" -f bench/online/schema.sql >/dev/null || exit 1
q -d bench >/dev/null <<SQL || exit 1
VACUUM ANALYZE parent;
VACUUM ANALYZE child;
CHECKPOINT;
SQL
log "loaded in $(elapsed "$t0" "$(now)") s"

# where each table's heap goes (pgstattuple, a full scan, so only while the workload is not running): table bytes,
# live rows, live bytes, dead bytes, free bytes: "parent|b|n|l|d|f child|…"
tuples() {
	q -d bench -F '|' -c "SELECT r, s.table_len, s.tuple_count, s.tuple_len, s.dead_tuple_len, s.free_space
		FROM unnest(ARRAY['parent', 'child']) r, LATERAL pgstattuple(r) s" | tr '\n' ' '
}
q -d bench -c "CREATE EXTENSION pgstattuple" || exit 1
tuples_loaded=$(tuples) || exit 1

# heap bytes, total bytes (heap, TOAST, indexes) and live rows of each table: "parent|h|t|n child|h|t|n"
sizes() {
	q -d bench -F '|' -c "SELECT c.relname, pg_relation_size(c.oid), pg_total_relation_size(c.oid), coalesce(s.n_live_tup, 0)
		FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
		WHERE c.oid IN ('public.parent'::regclass, 'public.child'::regclass) ORDER BY c.relname DESC" | tr '\n' ' '
}

# ---- the workload: one pgbench run from here to the end ---------------------------------------------------------
fargs=()
for i in "${!scripts[@]}"; do fargs+=(-f "bench/online/${scripts[$i]}.sql@${weights[$i]}"); done
rate_args=()
[ -n "$BENCH_RATE" ] && rate_args=(-R "$BENCH_RATE")
log "workload: pgbench -c $CLIENTS -j $JOBS -M $PGBENCH_MODE ${rate_args[*]} (${scripts[*]} @ ${weights[*]})"
pgbench -n -c "$CLIENTS" -j "$JOBS" -M "$PGBENCH_MODE" "${rate_args[@]}" -T 1000000 -l --log-prefix="$work/tx" \
	--failures-detailed -D n_parent="$n_parent" -D n_child="$n_child" "${fargs[@]}" bench >"$work/pgbench.out" 2>"$work/pgbench.err" &
pgbench_pid=$!
sleep "$WARMUP_S"
kill -0 "$pgbench_pid" 2>/dev/null || fail "pgbench exited during the warm-up"
t_before0=$(now)
log "before: $WINDOW_S s"
sleep "$WINDOW_S"
kill -0 "$pgbench_pid" 2>/dev/null || fail "pgbench exited during the before window"

# ---- the migration ----------------------------------------------------------------------------------------------
size_before=$(sizes)
t_start=$(now)
: >"$work/polls"
max_attempts=0
if [ "$CONTROL_S" -gt 0 ]; then
	# the control run: the same workload for as long, without a migration, shows what the tables do by themselves
	log "control run: no migration, $CONTROL_S s"
	echo "$t_start control running 0" >>"$work/polls"
	sleep "$CONTROL_S"
	kill -0 "$pgbench_pid" 2>/dev/null || fail "pgbench exited during the control window"
	backfill=
	finish='{"control": "no migration"}'
	t_finish0=$(now)
	t_finish1=$t_finish0
	echo "$t_finish1 after finished 0" >>"$work/polls"
else
	mid=$(q -d bench -v opts="$ONLINE_OPTIONS" <<'SQL'
SELECT uuid7_migration_start(ARRAY['public.parent']::regclass[], :'opts'::jsonb)
SQL
	) || { mid=; fail "uuid7_migration_start() raised an error"; }
	log "migration $mid started with options $ONLINE_OPTIONS"

	last=
	while :; do
		row=$(q -d bench -F '|' -c "SELECT phase, state, lock_attempts, sum(rows_done) OVER (), sum(rows_total) OVER ()
			FROM uuid7_migration_status WHERE migration_id = $mid LIMIT 1") || fail "could not read uuid7_migration_status"
		t=$(now)
		IFS='|' read -r phase state attempts rows_done rows_total <<<"$row"
		echo "$t $phase $state $attempts" >>"$work/polls"
		[ "${attempts:-0}" -gt "$max_attempts" ] && max_attempts=$attempts
		if [ "$phase/$state" != "$last" ]; then
			log "$(elapsed "$t_start" "$t") s: phase $phase, state $state (rows $rows_done of ${rows_total:-?}, lock attempts $attempts)"
			last="$phase/$state"
		fi
		case $state in
		ready) break ;;
		running | waiting) ;;
		*) fail "migration $mid stopped in phase $phase with state $state" ;;
		esac
		kill -0 "$pgbench_pid" 2>/dev/null || fail "pgbench exited during the migration"
		[ "$(elapsed "$t_start" "$t" | cut -d. -f1)" -lt "$TIMEOUT_S" ] || fail "not ready after $TIMEOUT_S s"
		sleep "$POLL_S"
	done
	backfill=$(q -d bench -F '|' -c "SELECT relid::text, round(extract(epoch FROM backfill_done_at - backfill_started_at)::numeric, 1),
			rows_done, rows_total, blocks_total, vacuums, pg_relation_size(mapping_table)
		FROM uuid7_online_table WHERE migration_id = $mid ORDER BY ord")

	t_finish0=$(now)
	finish=$(q -d bench -c "SELECT uuid7_migration_finish($mid)") || fail "uuid7_migration_finish($mid) raised an error"
	t_finish1=$(now)
	echo "$t_finish0 finish finishing 0" >>"$work/polls"
	echo "$t_finish1 after finished 0" >>"$work/polls"
fi
size_after=$(sizes)
log "finished in $(elapsed "$t_finish0" "$t_finish1") s: $finish"
types=$(q -d bench -c "SELECT string_agg(attrelid::regclass || '.' || attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attrelid::regclass::text)
	FROM pg_attribute WHERE (attrelid, attname) IN (('parent'::regclass, 'id'), ('child'::regclass, 'parent_id'))")
fk=$(q -d bench -c "SELECT format('%s validated=%s on delete=%s', conname, convalidated, confdeltype) FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f'")
log "after the swap: $types; FK $fk"

log "after: $WINDOW_S s"
sleep "$WINDOW_S"
t_after1=$(now)
sleep 3 # the log lines of the window's last transactions reach the files (pgbench writes them through stdio buffers)
kill -0 "$pgbench_pid" 2>/dev/null || fail "pgbench exited during the after window"
kill "$pgbench_pid"
wait "$pgbench_pid" 2>/dev/null
pgbench_pid=
size_end=$(sizes)
log "pgstattuple of both tables"
tuples_end=$(tuples) || fail "pgstattuple failed"

aborted=$(grep -c -i 'abort' "$work/pgbench.err")
# lock waits of 1 s or more (log_lock_waits): the application's, and apart from them the worker's (its VACUUM may
# wait for an autovacuum, which the server then cancels; the application does not queue behind that)
worker_pids=$(grep -oE '\[[0-9]+\] LOG:  uuid7 migration [0-9]+: worker started' "$UUID7_SERVER_LOG" | grep -oE '^\[[0-9]+' | tr -d '[' | sort -u)
worker_waits=0
for p in $worker_pids; do
	worker_waits=$((worker_waits + $(grep -c "process $p still waiting for" "$UUID7_SERVER_LOG")))
done
lock_waits=$(($(grep -c 'still waiting for' "$UUID7_SERVER_LOG") - worker_waits))
deadlocks=$(grep -c 'deadlock detected' "$UUID7_SERVER_LOG")
errors=$(grep -E ' (ERROR|FATAL|PANIC): ' "$UUID7_SERVER_LOG" | grep -v -c -E 'terminating connection due to administrator command|connection to client lost|canceling autovacuum task')
autovacuums=$(grep -c -E 'automatic vacuum of table "bench\.public\.(parent|child)"' "$UUID7_SERVER_LOG")
av_canceled=$(grep -c 'canceling autovacuum task' "$UUID7_SERVER_LOG")

# ---- the report ----------------------------------------------------------------------------------------------------
# The phases as first seen by the polls (the first one began at start()), then finish() and the after window.
awk -v ts="$t_start" 'NR == 1 { print $2, ts } NR > 1 && !($2 in seen) { print $2, $1 } { seen[$2] = 1 }' "$work/polls" >"$work/phases"
# One pass over the per-transaction logs (tens of millions of lines at scale 1.0): each transaction goes to the
# window, and during the migration to the phase, in which it began (end time minus latency), and into a latency
# histogram: 1% wide classes below 10 ms (each counted at its middle value), the exact value from 10 ms on (so max,
# ≥ 100 ms and ≥ 1 s are exact). Failed transactions (no latency) count where they ended. pgbench dies by the
# signal, so the last line of each log may be cut short: it is skipped.
log "reading the pgbench logs: $(wc -l "$work"/tx.* | tail -n 1 | awk '{ print $1 }') transactions"
for f in "$work"/tx.*; do sed '$d' "$f"; done |
	awk -v b0="$t_before0" -v ts="$t_start" -v tf="$t_finish1" -v ta="$t_after1" -v phases="$work/phases" '
	BEGIN {
		L = log(1.01)
		while ((getline line < phases) > 0) { split(line, f, " "); np++; pname[np] = f[1]; pt[np] = f[2] + 0 }
	}
	{
		if ($3 ~ /^[0-9]+$/) { lat = $3 + 0; tb = $5 + $6 / 1e6 - lat / 1e6 }
		else { lat = -1; tb = $5 + $6 / 1e6 }
		if (tb < b0 || tb >= ta) next
		if (tb < ts) { w = "before"; ph = "-" }
		else if (tb >= tf) { w = "after"; ph = "-" }
		else { w = "during"; ph = pname[1]; for (i = 2; i <= np && pt[i] <= tb; i++) ph = pname[i] }
		if (lat < 0) us = "\\N"
		else if (lat >= 10000) us = lat
		else if (lat in memo) us = memo[lat]
		else us = memo[lat] = (lat < 1 ? 0 : int(exp((int(log(lat) / L) + 0.5) * L) + 0.5))
		n[w " " ph " " $4 " " us]++
	}
	END { for (k in n) print k, n[k] }' >"$work/hist"

script_values=$(for i in "${!scripts[@]}"; do printf "(%d, '%s')," "$i" "${scripts[$i]}"; done)
size_row() { # SIZES TABLE → heap total live_rows
	echo "$1" | awk -v name="$2" '{
		for (i = 1; i <= NF; i++) { split($i, f, "|"); if (f[1] == name) { print f[2], f[3], f[4]; exit } } }'
}
{
echo
echo "parent $n_parent rows, child $n_child rows (FK parent_id ON DELETE CASCADE, indexed); scale $BENCH_SCALE"
echo "workload ($MIX mix): pgbench -c $CLIENTS -j $JOBS -M $PGBENCH_MODE${BENCH_RATE:+ -R $BENCH_RATE}, one statement per transaction:" \
	"$(for i in "${!scripts[@]}"; do printf '%s ×%s, ' "${scripts[$i]}" "${weights[$i]}"; done | sed 's/, $//')"
if [ "$CONTROL_S" -gt 0 ]; then echo "control run: no migration; the DURING window is $CONTROL_S s of the same workload"
else echo "migration: uuid7_migration_start(ARRAY['public.parent'], '$ONLINE_OPTIONS'); finish() returned $finish"; fi
echo "latency: p50/p99 to ±0.5% below 10 ms, exact above; max exact"
echo
psql -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL
CREATE TEMP TABLE hist (win text, phase text, script int, us bigint, n bigint);
\copy hist FROM '$work/hist' WITH (DELIMITER ' ')
CREATE TEMP TABLE phases (phase text, t0 float8);
\copy phases FROM '$work/phases' WITH (DELIMITER ' ')
CREATE TEMP TABLE names (script int, name text);
INSERT INTO names VALUES ${script_values%,};
CREATE TEMP TABLE win (ord int, name text, t0 float8, t1 float8);
INSERT INTO win VALUES (1, 'before', $t_before0, $t_start), (2, 'during', $t_start, $t_finish1), (3, 'after', $t_finish1, $t_after1);
-- the figures of the transactions that match (NULL: any)
CREATE FUNCTION pg_temp.stats(p_win text, p_phase text, p_script int,
	OUT committed bigint, OUT failed bigint, OUT p50 float8, OUT p99 float8, OUT max_ms float8, OUT over_100ms bigint, OUT over_1s bigint)
LANGUAGE sql AS \$\$
	WITH h AS (SELECT * FROM hist WHERE win = coalesce(p_win, win) AND phase = coalesce(p_phase, phase) AND script = coalesce(p_script, script)),
	c AS (SELECT us, sum(sum(n)) OVER (ORDER BY us) AS cum, sum(sum(n)) OVER () AS tot FROM h WHERE us IS NOT NULL GROUP BY us)
	SELECT (SELECT coalesce(sum(n), 0) FROM h WHERE us IS NOT NULL)::bigint, (SELECT coalesce(sum(n), 0) FROM h WHERE us IS NULL)::bigint,
		   (SELECT min(us) FROM c WHERE cum >= 0.50 * tot) / 1000.0, (SELECT min(us) FROM c WHERE cum >= 0.99 * tot) / 1000.0,
		   (SELECT max(us) FROM h) / 1000.0,
		   (SELECT coalesce(sum(n), 0) FROM h WHERE us >= 100000)::bigint, (SELECT coalesce(sum(n), 0) FROM h WHERE us >= 1000000)::bigint
\$\$;
CREATE TEMP TABLE w AS
	SELECT win.ord, win.name, round((win.t1 - win.t0)::numeric, 1) AS seconds, s.committed, s.failed,
		   s.committed / (win.t1 - win.t0) AS tps, s.p50, s.p99, s.max_ms, s.over_1s
	  FROM win, pg_temp.stats(win.name, NULL, NULL) s;
\pset format unaligned
\pset tuples_only on
\pset fieldsep '|'
\pset null '-'
\echo '| window | seconds | transactions | failed | tps | p50 (ms) | p99 (ms) | max (ms) | ≥ 1 s |'
\echo '|---|---:|---:|---:|---:|---:|---:|---:|---:|'
SELECT '', name, seconds, committed, failed, round(tps::numeric, 0), round(p50::numeric, 2), round(p99::numeric, 2), round(max_ms::numeric, 1), over_1s, ''
  FROM w ORDER BY ord;
SELECT '', '**during ÷ before**', '', '', '',
	   '**' || round((d.tps / b.tps)::numeric, 2) || '×** (target ≥ 0.70)',
	   round((d.p50 / b.p50)::numeric, 2) || '×', round((d.p99 / b.p99)::numeric, 2) || '×',
	   CASE WHEN d.max_ms < 1000 THEN 'ok (target < 1000)' ELSE '**over 1 s**' END, '', ''
  FROM w d, w b WHERE d.name = 'during' AND b.name = 'before';
SELECT '', 'after ÷ before', '', '', '', round((a.tps / b.tps)::numeric, 2) || '×',
	   round((a.p50 / b.p50)::numeric, 2) || '×', round((a.p99 / b.p99)::numeric, 2) || '×', '', '', ''
  FROM w a, w b WHERE a.name = 'after' AND b.name = 'before';
\echo
\echo 'Latency per statement, p99 / max (ms):'
\echo
\echo '| statement | before | during | after |'
\echo '|---|---:|---:|---:|'
SELECT '', n.name,
	   string_agg(coalesce(round(s.p99::numeric, 2) || ' / ' || round(s.max_ms::numeric, 1), '-'), '|' ORDER BY win.ord), ''
  FROM names n CROSS JOIN win CROSS JOIN LATERAL pg_temp.stats(win.name, NULL, n.script) s
 GROUP BY n.script, n.name ORDER BY n.script;
\echo
\echo 'Migration phases: wall time from polling every $POLL_S s (a phase not seen is counted in the one before), and the'
\echo 'workload in each (transactions by the time they began):'
\echo
\echo '| phase | began at (s after start) | wall time (s) | tps | tps ÷ before | p99 (ms) | max (ms) | ≥ 100 ms |'
\echo '|---|---:|---:|---:|---:|---:|---:|---:|'
WITH ph AS (
	SELECT phase, t0, coalesce(lead(t0) OVER (ORDER BY t0), $t_finish1) AS t1 FROM phases
)
SELECT '', CASE ph.phase WHEN 'finish' THEN 'finish() (verify + swap)' WHEN 'ready' THEN 'ready (until finish() is called)' ELSE ph.phase END,
	   round((ph.t0 - $t_start)::numeric, 1), round((ph.t1 - ph.t0)::numeric, 1),
	   round((s.committed / (ph.t1 - ph.t0))::numeric, 0),
	   round((s.committed / (ph.t1 - ph.t0) / (SELECT tps FROM w WHERE name = 'before'))::numeric, 2) || '×',
	   round(s.p99::numeric, 2), round(s.max_ms::numeric, 1), s.over_100ms, ''
  FROM ph, pg_temp.stats('during', ph.phase, NULL) s
 WHERE ph.phase <> 'after'
 ORDER BY ph.t0;
SELECT '', '**start() → finish() returned**', '', round(($t_finish1 - $t_start)::numeric, 1), '', '', '', '', '', '';
SQL
echo
echo "Backfill per table (exact, from uuid7_online_table):"
echo
echo "| table | backfill (s) | rows backfilled | rows at start | heap pages | vacuums | mapping table (MB) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
[ -n "$backfill" ] && echo "$backfill" | awk -F'|' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, ($7 == "" ? "-" : sprintf("%.1f", $7 / 1048576)) }'
echo
echo "Heap size (pg_relation_size) at start() and right after finish(). The workload's inserts in between are in \"after\":"
echo "per live row divides each by the table's n_live_tup (statistics, ≤ 1 s behind). Total = heap + TOAST + indexes."
echo
echo "| table | heap before (MB) | heap after (MB) | heap after ÷ before | per live row, after ÷ before | total before (MB) | total after (MB) | heap at the end (MB) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for tbl in parent child; do
	read -r hb tb nb < <(size_row "$size_before" "$tbl")
	read -r ha ta na < <(size_row "$size_after" "$tbl")
	read -r he _ _ < <(size_row "$size_end" "$tbl")
	awk -v t="$tbl" -v hb="$hb" -v ha="$ha" -v tb="$tb" -v ta="$ta" -v nb="$nb" -v na="$na" -v he="$he" 'BEGIN {
		r = ha / hb; pr = (nb > 0 && na > 0) ? sprintf("%.2f×", (ha / na) / (hb / nb)) : "n/a"
		printf "| %s | %.1f | %.1f | %.2f× | **%s** (target ≤ 1.3) | %.1f | %.1f | %.1f |\n", t, hb / 1048576, ha / 1048576,
			r, pr, tb / 1048576, ta / 1048576, he / 1048576 }'
done
echo
echo "Where the heap goes (pgstattuple: after loading, and at the end with the workload stopped). Bytes per live row ="
echo "heap ÷ live rows; a live row's own bytes exclude its 4-byte line pointer. After the swap the dropped integer"
echo "columns stay in every row written before it, until the row is written again."
echo
echo "| table | when | heap (MB) | live rows | bytes per live row | bytes of a live row | live % | dead % | free % |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for tbl in parent child; do
	for when in loaded end; do
		[ "$when" = loaded ] && all=$tuples_loaded || all=$tuples_end
		echo "$all" | awk -v name="$tbl" -v when="$when" '{
			for (i = 1; i <= NF; i++) { split($i, f, "|"); if (f[1] == name) {
				printf "| %s | %s | %.1f | %d | %.1f | %.1f | %.1f | %.1f | %.1f |\n", name, when, f[2] / 1048576, f[3],
					f[2] / f[3], f[4] / f[3], 100 * f[4] / f[2], 100 * f[5] / f[2], 100 * f[6] / f[2] } } }'
	done
done
echo
echo "- finish(): $(echo "$finish" | sed 's/^{//; s/}$//')"
echo "- lock attempts seen while polling (expand/constrain retries): max $max_attempts"
echo "- after the swap: $types; FK $fk"
echo "- pgbench clients aborted: $aborted; server log: lock waits ≥ 1 s (log_lock_waits) of the application: $lock_waits (of the worker: $worker_waits), deadlocks: $deadlocks, other ERROR lines: $errors"
echo "- autovacuum of parent/child during the run: $autovacuums (canceled: $av_canceled)"
}
if [ "$aborted" -gt 0 ] || [ "$lock_waits" -gt 0 ] || [ "$deadlocks" -gt 0 ] || [ "$errors" -gt 0 ]; then
	echo >&2
	echo "-- pgbench stderr:" >&2
	grep -v '^$' "$work/pgbench.err" | head -n 20 >&2
	echo "-- server log (ERROR, lock waits; first 30):" >&2
	grep -E ' (ERROR|FATAL|PANIC): |still waiting for|deadlock detected' "$UUID7_SERVER_LOG" | head -n 30 >&2
fi
