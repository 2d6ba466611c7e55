#!/usr/bin/env bash
# bench/audit.sh — how good uuid7_audit()'s time estimates are: estimated against measured, at two sizes.
#
#   bash bench/audit.sh                         (as root; starts and stops its own throwaway cluster)
#   SIZES="20000 200000" bash bench/audit.sh
#
# Schema (per size: ROWS rows per table): t1 with an integer key and t2..t10 each with an integer key, a foreign key
# to t1 and one to the table before it — one wave of ten tables — and a 60-byte payload per row. In one database
# per size: uuid7_audit() (its estimates: the sum over the wave of offline_estimate and of online_estimate), then the
# wave migrated offline with uuid7_migrate() (wall-clock time of the call), then, in a copy made before, online with
# uuid7_migration_start() … uuid7_migration_finish() at the default pace (timed from start until finish returns).
# Reported per size: estimate, measured, and estimate ÷ measured (the issue's target: within 2×, i.e. 0.5–2.0).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

SIZES=${SIZES:-20000 200000}
N_TABLES=10

cluster_start bench-audit plain || exit 1
trap cluster_stop_all EXIT
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }

schema() { # ROWS
	echo "CREATE EXTENSION uuid7;"
	echo "CREATE TABLE t1 (id bigserial PRIMARY KEY, payload text NOT NULL);"
	echo "INSERT INTO t1 (payload) SELECT repeat('p', 60) FROM generate_series(1, $1) g;"
	for i in $(seq 2 $N_TABLES); do
		echo "CREATE TABLE t$i (id bigserial PRIMARY KEY, t1_id bigint NOT NULL REFERENCES t1, prev_id bigint REFERENCES t$((i - 1)), payload text);"
		echo "INSERT INTO t$i (t1_id, prev_id, payload) SELECT 1 + g % $1, 1 + (g * 7) % $1, repeat('p', 60) FROM generate_series(1, $1) g;"
		echo "CREATE INDEX ON t$i (t1_id); CREATE INDEX ON t$i (prev_id);"
	done
	echo "VACUUM ANALYZE;"
}
tables="ARRAY[$(seq -s, 1 $N_TABLES | sed "s/\([0-9]\+\)/'public.t\1'/g")]::regclass[]"

echo "uuid7_audit() estimates against measured runs: $N_TABLES tables in one wave, PostgreSQL $(q -d postgres -c 'SHOW server_version')"
echo
echo "| rows per table | total size | offline estimate (s) | offline measured (s) | ratio | online estimate (s) | online measured (s) | ratio |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for rows in $SIZES; do
	db=audit_$rows
	q -d postgres -c "CREATE DATABASE $db" || exit 1
	schema "$rows" | q -d "$db" >/dev/null || exit 1
	q -d postgres -c "CREATE DATABASE ${db}_online TEMPLATE $db" || exit 1
	IFS='|' read -r size off_est on_est waves < <(q -d "$db" -c "SELECT pg_size_pretty(sum(total_bytes)), round(extract(epoch FROM sum(offline_estimate))::numeric, 2),
		round(extract(epoch FROM sum(online_estimate))::numeric, 2), count(DISTINCT wave) FROM uuid7_audit(ARRAY['public'])")
	[ "$waves" = 1 ] || { echo "expected one wave, got $waves" >&2; exit 1; }
	t0=$(date +%s.%N)
	q -d "$db" -c "SELECT uuid7_migrate($tables)" >/dev/null || exit 1
	off=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	t0=$(date +%s.%N)
	mid=$(q -d "${db}_online" -c "SELECT uuid7_migration_start($tables)") || exit 1
	while :; do
		st=$(q -d "${db}_online" -c "SELECT string_agg(DISTINCT state, ',') FROM uuid7_migration_status WHERE migration_id = $mid")
		case "$st" in ready) break ;; failed | blocked | stopped) echo "online migration $st" >&2; exit 1 ;; esac
		sleep 0.2
	done
	q -d "${db}_online" -c "SELECT uuid7_migration_finish($mid)" >/dev/null || exit 1
	on=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	awk -v r="$rows" -v s="$size" -v oe="$off_est" -v om="$off" -v ne="$on_est" -v nm="$on" \
		'BEGIN { printf "| %d | %s | %.2f | %.2f | **%.2f** | %.2f | %.2f | **%.2f** |\n", r, s, oe, om, oe / om, ne, nm, ne / nm }'
done
