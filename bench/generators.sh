#!/usr/bin/env bash
# bench/generators.sh — per-call cost of the generators against gen_random_uuid() and the bare executor.
#
#   bash bench/generators.sh            (as root after `make install`, or after test/run_all.sh; ROUNDS, ROWS tunable)
#
# Two throwaway clusters run side by side, one plain (per-session ordering) and one with
# shared_preload_libraries = 'uuid7' (cluster-wide ordering). Each round runs every query on both, in a shuffled
# order, so that machine noise spreads over all of them. Each query is
#   SELECT count(f()) FROM generate_series(1, ROWS)
# timed inside the server (clock_timestamp around EXECUTE in PL/pgSQL). Reported: the median per row, the cost
# net of the executor floor (count(x) over the same series), and ratios. Benchmarks are not tests: nothing here
# fails on a slow machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ROUNDS=${ROUNDS:-15}
ROWS=${ROWS:-1000000}

declare -A QUERY=(
	[executor]="SELECT count(x) FROM generate_series(1, $ROWS) x"
	[gen_random_uuid]="SELECT count(gen_random_uuid()) FROM generate_series(1, $ROWS)"
	[uuid_generate_v7]="SELECT count(uuid_generate_v7()) FROM generate_series(1, $ROWS)"
	[uuid_generate_v6]="SELECT count(uuid_generate_v6()) FROM generate_series(1, $ROWS)"
)

setup_cluster() {
	local name=$1 mode=$2
	cluster_start "$name" "$mode"
	psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION uuid7'
	bench_timer_install
}

# Called directly, not in $(...): a subshell's EXIT trap would stop the cluster it just started.
setup_cluster bench-plain plain
plain_host=$PGHOST
setup_cluster bench-preload preload
preload_host=$PGHOST
results=$(mktemp)

for round in $(seq 1 "$ROUNDS"); do
	jobs=()
	for q in "${!QUERY[@]}"; do
		jobs+=("session $plain_host $q")
		[ "$q" = uuid_generate_v7 ] || [ "$q" = uuid_generate_v6 ] || [ "$q" = executor ] && jobs+=("cluster $preload_host $q")
	done
	while read -r scope host q; do
		ms=$(PGHOST=$host bench_time "${QUERY[$q]}")
		echo "$scope $q $ms" >>"$results"
	done < <(printf '%s\n' "${jobs[@]}" | shuf)
	log "round $round/$ROUNDS done"
done

# Medians and ratios, computed by the plain cluster's server.
PGHOST=$plain_host psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE runs (scope text, query text, ms float8);
\copy runs FROM '$results' WITH (DELIMITER ' ')
CREATE TEMP VIEW med AS
	SELECT scope, query, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) * 1e6 / $ROWS AS ns_per_row
	FROM runs GROUP BY scope, query;
CREATE TEMP VIEW net AS
	SELECT m.scope, m.query, m.ns_per_row, m.ns_per_row - f.ns_per_row AS net_ns
	FROM med m JOIN med f ON f.scope = m.scope AND f.query = 'executor';
\pset format aligned
\echo
\echo Per-row cost, median of $ROUNDS rounds of $ROWS rows (ns):
SELECT scope AS ordering, query, round(ns_per_row::numeric, 1) AS ns_per_row, round(net_ns::numeric, 1) AS net_of_executor
FROM net ORDER BY scope DESC, query;
\echo Ratios (same run):
SELECT 'uuid_generate_v7 / gen_random_uuid' AS ratio,
       round((v7.ns_per_row / g.ns_per_row)::numeric, 3) AS per_row, round((v7.net_ns / g.net_ns)::numeric, 3) AS net
FROM net v7, net g WHERE v7.scope = 'session' AND v7.query = 'uuid_generate_v7' AND g.query = 'gen_random_uuid'
UNION ALL
SELECT 'uuid_generate_v6 / gen_random_uuid',
       round((v6.ns_per_row / g.ns_per_row)::numeric, 3), round((v6.net_ns / g.net_ns)::numeric, 3)
FROM net v6, net g WHERE v6.scope = 'session' AND v6.query = 'uuid_generate_v6' AND g.query = 'gen_random_uuid'
UNION ALL
SELECT 'uuid_generate_v7 cluster-wide / per-session',
       round((c.ns_per_row / s.ns_per_row)::numeric, 3), round((c.net_ns / s.net_ns)::numeric, 3)
FROM net c, net s WHERE c.scope = 'cluster' AND s.scope = 'session' AND c.query = 'uuid_generate_v7' AND s.query = c.query
UNION ALL
SELECT 'uuid_generate_v6 cluster-wide / per-session',
       round((c.ns_per_row / s.ns_per_row)::numeric, 3), round((c.net_ns / s.net_ns)::numeric, 3)
FROM net c, net s WHERE c.scope = 'cluster' AND s.scope = 'session' AND c.query = 'uuid_generate_v6' AND s.query = c.query;
SQL
rm -f "$results"
