#!/usr/bin/env bash
# bench/citus.sh — generator cost per insert on a Citus cluster (coordinator + two workers, test/citus/lib.sh):
# a distributed table keyed by uuid_generate_v7() against the same table keyed by gen_random_uuid() and by a bigserial,
# same run, ratios.
#
#   bash bench/citus.sh        as root on the host: runs itself in the trixie chroot (PostgreSQL 17), where
#                              test/citus/run.sh built Citus into its cache (a cold cache builds it first)
#   ROUNDS (7), ROWS (200000) per insert; UUID7_CITUS_SRC the directory of the Citus tarball
#
# Each round inserts ROWS rows into each of the three tables (distributed by their key, 32 shards) with
#   INSERT INTO t (k) SELECT g FROM generate_series(1, ROWS) g
# through the coordinator, then through worker 1 (query from any node), in a shuffled order, the tables emptied
# (TRUNCATE) before each insert; timed inside the server (bench_ms). Reported: median ns per row and ratios.
# Benchmarks are not tests: nothing here fails on a slow machine.
set -euo pipefail
cd "$(dirname "$0")/.."
UUID7_ROOT=$PWD
. scripts/lib.sh

ROUNDS=${ROUNDS:-7}
ROWS=${ROWS:-200000}

if [ -z "${UUID7_BENCH_IN_CHROOT:-}" ]; then
	. test/majors/lib.sh
	root=$UUID7_CHROOT_CACHE/trixie
	tarball=$(ls "${UUID7_CITUS_SRC:-$UUID7_ROOT/../shared/citus-src}"/citus-*.tar.xz | tail -n 1)
	chroot_ensure trixie
	mkdir -p "$root/var/cache/uuid7-citus/src"
	[ -f "$root/var/cache/uuid7-citus/src/${tarball##*/}" ] || cp "$tarball" "$root/var/cache/uuid7-citus/src/"
	copy_tree "$root/build/uuid7-bench-citus"
	status=0
	chroot_run trixie env UUID7_BENCH_IN_CHROOT=1 ROUNDS="$ROUNDS" ROWS="$ROWS" \
		UUID7_CITUS_TARBALL="/var/cache/uuid7-citus/src/${tarball##*/}" \
		bash -c 'cd /build/uuid7-bench-citus && UUID7_PG_MAJOR=17 && . scripts/lib.sh && install_deps &&
			build_and_install >/dev/null && bash bench/citus.sh' || status=$?
	rm -rf "$root/build/uuid7-bench-citus"
	exit $status
fi

. test/citus/lib.sh
use_major_programs
citus_install "$UUID7_CITUS_TARBALL"
citus_start
citus_add_worker2
export PGHOST=127.0.0.1 PGPORT=$CITUS_PORT_C PGUSER=postgres PGDATABASE=postgres
csql "$CITUS_PORT_C" "CREATE EXTENSION uuid7" >/dev/null
bench_timer_install
csql "$CITUS_PORT_C" "
CREATE TABLE b_v7 (id uuid PRIMARY KEY DEFAULT uuid_generate_v7(), k bigint);
CREATE TABLE b_random (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), k bigint);
CREATE TABLE b_bigserial (id bigserial PRIMARY KEY, k bigint);
SELECT create_distributed_table('b_v7', 'id');
SELECT create_distributed_table('b_random', 'id', colocate_with => 'none');
SELECT create_distributed_table('b_bigserial', 'id');" >/dev/null
results=$(mktemp)
for round in $(seq 1 "$ROUNDS"); do
	for job in $(printf '%s\n' coordinator:b_v7 coordinator:b_random coordinator:b_bigserial \
		worker:b_v7 worker:b_random worker:b_bigserial | shuf); do
		node=${job%%:*}
		tbl=${job#*:}
		port=$CITUS_PORT_C
		[ "$node" = worker ] && port=$CITUS_PORT_W1
		csql "$CITUS_PORT_C" "TRUNCATE $tbl" >/dev/null
		ms=$(PGPORT=$port bench_time "INSERT INTO $tbl (k) SELECT g FROM generate_series(1, $ROWS) g")
		echo "$node ${tbl#b_} $ms" >>"$results"
	done
	log "round $round/$ROUNDS done"
done

psql -X -q -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = error; -- Citus: "view med ... will be created only locally"
CREATE TEMP TABLE runs (node text, key text, ms float8);
\copy runs FROM '$results' WITH (DELIMITER ' ')
CREATE TEMP VIEW med AS
	SELECT node, key, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) * 1e6 / $ROWS AS ns
	FROM runs GROUP BY node, key;
\pset format aligned
\echo
\echo Per-row cost of INSERT ... SELECT into a 32-shard distributed table, median of $ROUNDS rounds of $ROWS rows (ns):
SELECT node AS through, key, round(ns::numeric) AS ns_per_row FROM med ORDER BY node, key;
\echo Ratios (same run):
SELECT a.node AS through, round((a.ns / r.ns)::numeric, 3) AS "v7 / gen_random_uuid",
	round((a.ns / s.ns)::numeric, 3) AS "v7 / bigserial"
FROM med a JOIN med r ON r.node = a.node AND r.key = 'random' JOIN med s ON s.node = a.node AND s.key = 'bigserial'
WHERE a.key = 'v7' ORDER BY a.node;
SQL
rm -f "$results"
citus_stop
