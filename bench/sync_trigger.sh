#!/usr/bin/env bash
# bench/sync_trigger.sh — what the online migration's sync trigger costs the application's writes.
#
#   bash bench/sync_trigger.sh                      (as root; starts and stops its own throwaway cluster)
#   ROUNDS=3 DURATION_S=15 N_PARENT=100000 bash bench/sync_trigger.sh
#
# Two databases hold the same parent and child tables (bench/online/schema.sql, and the workload of bench/online.sh) under an online
# migration stopped in its backfill phase: one started with uuid7 1.3 (a PL/pgSQL trigger function generated per
# table), one with the current version (the C trigger uuid7_online_sync). In each round, the same pgbench workload
# runs DURATION_S seconds on each database with the triggers enabled and with them disabled. Reported: tps, and
# per database the ratio enabled ÷ disabled (the share of throughput the trigger leaves), median over the rounds.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

ROUNDS=${ROUNDS:-3}
DURATION_S=${DURATION_S:-15}
N_PARENT=${N_PARENT:-100000}
CLIENTS=${CLIENTS:-4}
n_child=$((N_PARENT * 2))

cluster_start bench-sync plain || exit 1
trap cluster_stop_all EXIT
cat >>"$UUID7_CLUSTER_DIR/data/postgresql.conf" <<CONF
shared_buffers = 1GB
max_wal_size = 10GB
synchronous_commit = off
full_page_writes = off
CONF
as_server_user "$(pg_bindir)/pg_ctl" -D "$UUID7_CLUSTER_DIR/data" -l "$UUID7_SERVER_LOG" -w -t 120 restart >/dev/null ||
	{ cat "$UUID7_SERVER_LOG" >&2; exit 1; }

q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }

# setup DB VERSION: the tables, and a migration of parent stopped in its backfill (its triggers in place)
setup() {
	q -d postgres -c "CREATE DATABASE $1" || exit 1
	q -d "$1" -c "CREATE EXTENSION uuid7 VERSION '$2'" || exit 1
	q -d "$1" -v n_parent="$N_PARENT" -v n_child="$n_child" -f bench/online/schema.sql >/dev/null || exit 1
	q -d "$1" >/dev/null <<SQL || exit 1
-- a pause of an hour after the first batch: the worker is found in the backfill, and stopped there
SELECT uuid7_migration_start(ARRAY['parent']::regclass[], '{"pause_ms": 3600000}');
SQL
	for _ in $(seq 1 600); do
		[ "$(q -d "$1" -c "SELECT phase FROM uuid7_online_migration WHERE id = 1")" = backfill ] && break
		sleep 0.2
	done
	q -d "$1" -c "SELECT uuid7_online_stop_worker(1)" >/dev/null || exit 1
	[ "$(q -d "$1" -c "SELECT count(*) FROM pg_trigger WHERE tgname = 'zz_uuid7_sync_1'")" = 2 ] ||
		{ echo "no sync triggers in $1" >&2; exit 1; }
	q -d "$1" -c "VACUUM ANALYZE parent, child" || exit 1
}
triggers() { q -d "$1" -c "ALTER TABLE parent $2 TRIGGER zz_uuid7_sync_1" -c "ALTER TABLE child $2 TRIGGER zz_uuid7_sync_1"; }
tps() {
	local f=() s
	for s in insert_parent@2 insert_children@3 update_child@3 delete_child@1 update_parent@1; do
		f+=(-f "bench/online/${s%@*}.sql@${s#*@}")
	done
	pgbench -n -d "$1" -c "$CLIENTS" -j 2 -M prepared -T "$DURATION_S" -D n_parent="$N_PARENT" -D n_child="$n_child" "${f[@]}" 2>&1 |
		sed -n 's/^tps = \([0-9]*\)[.0-9]* .*/\1/p'
}

echo "== loading: parent $N_PARENT, child $n_child rows, twice"
setup plpgsql 1.3
setup c "$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" uuid7.control)"

echo "| round | PL/pgSQL (1.3) on | off | on ÷ off | C (current) on | off | on ÷ off |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
ratios_p=() ratios_c=()
for r in $(seq 1 "$ROUNDS"); do
	row="| $r"
	for db in plpgsql c; do
		triggers "$db" ENABLE
		on=$(tps "$db")
		triggers "$db" DISABLE
		off=$(tps "$db")
		triggers "$db" ENABLE
		ratio=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.2f", a / b }')
		row="$row | $on | $off | ${ratio}×"
		if [ "$db" = plpgsql ]; then ratios_p+=("$ratio"); else ratios_c+=("$ratio"); fi
	done
	echo "$row |"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "median on ÷ off: PL/pgSQL sync trigger (1.3) $(median "${ratios_p[@]}")×, C sync trigger $(median "${ratios_c[@]}")×"
