#!/usr/bin/env bash
# bench/plan.sh — what uuid7_migration_plan() costs on an application schema, and that it does not grow with the rows.
#
#   bash bench/plan.sh                          (as root; starts and stops its own throwaway cluster)
#   ROUNDS=7 CALLS=20 SMALL_ROWS=100 LARGE_ROWS=20000 bash bench/plan.sh
#
# Schema: 20 tables — t1 with an integer key, t2..t20 each with a foreign key to t1 and to the table before it
# (every table is rewritten by a migration of all 20) — and 10 views over them (joins, aggregates, a view on a view),
# which the plan rehearses on empty stand-ins. Three databases hold it: "small" (SMALL_ROWS rows per table), "large"
# (LARGE_ROWS per table) and "noviews" (small, without the views). In each round, each database plans the migration
# of all 20 tables CALLS times in one session; reported: ms per plan (median over the rounds) and the ratios
# large ÷ small (the rows: ~1.0 when the plan reads none) and small ÷ noviews (what rehearsing the views costs).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/lib.sh

ROUNDS=${ROUNDS:-5}
CALLS=${CALLS:-20}
SMALL_ROWS=${SMALL_ROWS:-100}
LARGE_ROWS=${LARGE_ROWS:-20000}
N_TABLES=20

cluster_start bench-plan plain || exit 1
trap cluster_stop_all EXIT
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }

schema() { # ROWS VIEWS
	echo "CREATE EXTENSION uuid7;"
	echo "CREATE TABLE t1 (id bigserial PRIMARY KEY, name text NOT NULL);"
	echo "INSERT INTO t1 (name) SELECT 'n' || g FROM generate_series(1, $1) g;"
	for i in $(seq 2 $N_TABLES); do
		echo "CREATE TABLE t$i (id bigserial PRIMARY KEY, t1_id bigint NOT NULL REFERENCES t1, prev_id bigint REFERENCES t$((i - 1)), v int);"
		echo "INSERT INTO t$i (t1_id, prev_id, v) SELECT 1 + g % $1, 1 + (g * 7) % $1, g FROM generate_series(1, $1) g;"
		echo "CREATE INDEX ON t$i (t1_id); CREATE INDEX ON t$i (prev_id);"
	done
	[ "$2" = 1 ] || return 0
	for i in $(seq 2 10); do
		echo "CREATE VIEW v$i AS SELECT a.id, a.t1_id, b.id AS prev_key, count(*) OVER (PARTITION BY a.t1_id) AS siblings
			FROM t$i a LEFT JOIN t$((i - 1)) b ON b.id = a.prev_id;"
	done
	echo "CREATE VIEW v_top AS SELECT t1.id, t1.name, array_agg(v2.id ORDER BY v2.id) AS children FROM t1 JOIN v2 ON v2.t1_id = t1.id GROUP BY t1.id, t1.name;"
	echo "ANALYZE;"
}

for db in small:$SMALL_ROWS:1 large:$LARGE_ROWS:1 noviews:$SMALL_ROWS:0; do
	IFS=: read -r name rows views <<<"$db"
	q -d postgres -c "CREATE DATABASE plan_$name" || exit 1
	schema "$rows" "$views" | q -d "plan_$name" >/dev/null || exit 1
done
tables="ARRAY[$(seq -s, 1 $N_TABLES | sed "s/\([0-9]\+\)/'public.t\1'/g")]::regclass[]"
[ "$(q -d plan_small -c "SELECT count(*) FROM uuid7_migration_plan($tables) WHERE phase = 'refusal'")" = 0 ] ||
	{ echo "the plan refuses the schema" >&2; exit 1; }

# ms per plan: CALLS plans in one session, timed by the server
plan_ms() {
	q -d "plan_$1" <<SQL
DO \$\$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
	FOR i IN 1 .. $CALLS LOOP PERFORM count(*) FROM uuid7_migration_plan($tables); END LOOP;
	RAISE NOTICE 'ms %', round(extract(epoch FROM clock_timestamp() - t0) * 1000 / $CALLS, 2);
END \$\$;
SQL
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A samples
for r in $(seq 1 "$ROUNDS"); do
	for name in small large noviews; do
		samples[$name]+="$(plan_ms "$name" 2>&1 | sed -n 's/.*ms \([0-9.]*\).*/\1/p') "
	done
done
small=$(tr ' ' '\n' <<<"${samples[small]}" | grep . | median)
large=$(tr ' ' '\n' <<<"${samples[large]}" | grep . | median)
noviews=$(tr ' ' '\n' <<<"${samples[noviews]}" | grep . | median)
echo "uuid7_migration_plan() of $N_TABLES tables (each with 2 foreign keys), PostgreSQL $(q -d postgres -c 'SHOW server_version'), $ROUNDS rounds × $CALLS plans, median ms per plan"
echo
echo "| database | rows per table | views | ms per plan |"
echo "|---|---:|---:|---:|"
echo "| small | $SMALL_ROWS | 10 | $small |"
echo "| large | $LARGE_ROWS | 10 | $large |"
echo "| noviews | $SMALL_ROWS | 0 | $noviews |"
echo
awk -v l="$large" -v s="$small" -v n="$noviews" 'BEGIN {
	printf "large ÷ small (%d× the rows): **%.2f×**; small ÷ noviews (rehearsing 10 views): **%.2f×**\n", '"$LARGE_ROWS / $SMALL_ROWS"', l / s, s / n }'
